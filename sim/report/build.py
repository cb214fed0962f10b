"""Build a comparison folder's report from its run files, one folder per language (``<folder>/<lang>/``):
report.html, handout.pdf, figures (16:9 PNG for slides, and SVG), summary, differences and series tables.
The runs and the attribution are shared by both languages; a German and an English report never overwrite
each other."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.analysis.aggregate import bands, summarise
from sim.report import figures as F
from sim.report import formats as N
from sim.report import labels as L
from sim.report import maps as M
from sim.report.render import render
from sim.report.tables import derive, differences, sentence

DIFF_METRICS = ["all_completions", "approvals_per_year", "company_ngo_consortia", "consortia",
                "lead_time_approval_months", "funds_approved_eur", "trust_municipalities", "gini_funds_per_head",
                "coordination_cost_per_year", "cost_per_completion_eur"]
TABLE_METRICS = ["ideas", "applications", "approvals", "completions", "request_completions", *DIFF_METRICS]
ATTRIBUTION_METRICS = ["approvals", "completions", "consortia", "request_completions"]
SERIES = ["approvals", "trust_municipalities"]


def attributions(folder: Path, scenarios: list[str]) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The attribution tables python -m sim.compare wrote for each scenario (explain/<scenario>/), if any."""
    out = {}
    for sc in scenarios:
        where = folder / "explain" / sc
        if (where / "summary.csv").is_file() and (where / "meta.json").is_file():
            out[sc] = (pd.read_csv(where / "summary.csv"), json.loads((where / "meta.json").read_text()))
    return out


def run_configs(folder: Path, scenarios: list[str], seed: int) -> dict[str, dict]:
    from sim.compare import run_folder

    return {sc: json.loads((run_folder(folder, sc, seed) / "metadata.json").read_text(encoding="utf-8"))["config"]
            for sc in scenarios}


def build(folder: Path, scenarios: list[str], seeds: list[int], lang: str, overrides: list[str] | None = None) -> Path:
    from sim.analysis.collect import collect
    from sim.compare import read_runs, run_folder

    out = folder / lang
    (out / "figures").mkdir(parents=True, exist_ok=True)
    data = read_runs(folder, scenarios, seeds)
    ts = collect(folder).timeseries
    if "variant" in ts.columns:                      # the robustness runs are read apart
        ts = ts[ts.variant.isna()]
    configs = run_configs(folder, scenarios, seeds[0])
    meta = configs[scenarios[0]]
    years = meta["horizon_months"] / 12
    baseline = "baseline" if "baseline" in scenarios else scenarios[0]

    final = derive(data["final"], years)
    summary = summarise(final, ["scenario"])
    means = {sc: dict(zip(g.metric, g["mean"])) for sc, g in summary.groupby("scenario")}
    diffs = differences(final, baseline, DIFF_METRICS)
    told = [sentence(r, lang, L.scenario(r.scenario, lang), years) for r in diffs.itertuples()]
    diffs["sentence"] = [s for s, _ in told]
    diffs["verdict"] = [v for _, v in told]
    from sim.report import headline as HL
    from sim.report import robustness as R

    variants = R.read(folder, scenarios, years)
    robust = R.holds(diffs, variants, baseline, HL.MESSAGES) if variants else None
    if robust is not None:
        robust.to_csv(out / "robustness.csv", index=False)
    series = bands(ts, ["scenario"], SERIES)
    summary.to_csv(out / "summary.csv", index=False)
    diffs.to_csv(out / "differences.csv", index=False)
    series.to_csv(out / "series.csv", index=False)

    names = {sc: L.scenario(sc, lang) for sc in scenarios}
    figs = {
        "funnel": F.funnel(summary, scenarios, names, lang),
        "approvals_over_time": F.over_time(series, "approvals", scenarios, names, lang),
        "trust_over_time": F.over_time(series, "trust_municipalities", scenarios, names, lang),
        "trust_distribution": F.trust_distribution(data["ties"], scenarios, names, lang),
        "equity": F.equity(data["munis"], scenarios, names, lang),
        "costs": F.costs(summary, means, scenarios, names, lang, years),
    }
    explained = attributions(folder, [sc for sc in scenarios if sc != baseline])
    for sc, (table, _) in explained.items():
        figs[f"attribution_{sc}"] = F.attribution(table, ATTRIBUTION_METRICS, names[sc], lang, years)
    nodes0 = pd.read_csv(run_folder(folder, scenarios[0], seeds[0]) / "nodes.csv")
    start = pd.read_csv(run_folder(folder, scenarios[0], seeds[0]) / "network_start.csv")
    for sc in scenarios:
        run = run_folder(folder, sc, seeds[0])
        figs[f"network_{sc}"] = M.network_pair(
            nodes0, start, pd.read_csv(run / "nodes.csv"), pd.read_csv(run / "network_end.csv"), lang,
            f"{names[scenarios[0]]}: {L.t('at_start', lang)}",
            f"{names[sc]}: {L.t('at_end', lang, years=N.duration(years, lang))}", munis=data["munis"])
    figs["benefit_map"] = M.benefit_map(nodes0, data["munis"], scenarios, names, lang, years)
    for name, fig in figs.items():
        fig.savefig(out / "figures" / f"{name}.png")
        fig.savefig(out / "figures" / f"{name}.svg")

    from sim.calibration.scenario_file import scenario_provenance, summary_sentence

    calibrated = [f"{names[sc]}: {summary_sentence(prov, lang)}" for sc in scenarios
                  if (prov := scenario_provenance(sc))]
    region = L.region(meta["region"]["preset"], lang, meta["region"].get("ags_prefix", ""))
    body = render(figs=figs, summary=summary, diffs=diffs, final=final, means=means, ts=ts, munis=data["munis"],
                  configs=configs, scenarios=scenarios, baseline=baseline, lang=lang, region=region, seeds=seeds,
                  years=years, explained=explained, overrides=overrides or [], robust=robust, calibrated=calibrated)
    from sim.report import handout
    from sim.report import html as H

    report = out / "report.html"
    report.write_text(H.page(L.t("title", lang), lang, body), encoding="utf-8")
    handout.write(out / "handout.pdf", figs, summary, diffs, final, means, scenarios, baseline, lang, region, years,
                  robust)
    for fig in figs.values():
        plt.close(fig)
    return report


__all__ = ["build", "DIFF_METRICS"]
