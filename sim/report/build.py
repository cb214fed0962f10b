"""Build a comparison folder's report from its run files: report.html, figures, summary and differences."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.analysis.aggregate import bands, summarise
from sim.report import figures as F
from sim.report import html as H
from sim.report import labels as L
from sim.report.tables import FORMATS, differences, sentence

DIFF_METRICS = ["approvals_per_year", "completions_per_year", "lead_time_approval_months", "trust_mean",
                "trust_public_public", "consortia", "company_ngo_consortia", "funds_approved_eur",
                "gini_funds_per_head", "coordination_cost_eur", "cost_per_completion_eur"]
TABLE_METRICS = ["ideas", "applications", "approvals", "completions", *DIFF_METRICS]
ATTRIBUTION_METRICS = ["approvals", "completions", "consortia", "request_completions"]


def attributions(folder: Path, scenarios: list[str]) -> dict[str, tuple[pd.DataFrame, dict]]:
    """The attribution tables python -m sim.compare wrote for each scenario (explain/<scenario>/), if any."""
    out = {}
    for sc in scenarios:
        where = folder / "explain" / sc
        if (where / "summary.csv").is_file() and (where / "meta.json").is_file():
            out[sc] = (pd.read_csv(where / "summary.csv"), json.loads((where / "meta.json").read_text()))
    return out


def attribution_sentence(summary: pd.DataFrame, metric: str, scenario: str, lang: str, years: float) -> str:
    """'With X, approvals change by +12 in 10 years: +7 from advice, +4 from ...' (clear parts only)."""
    g = summary[summary.outcome == metric].set_index("mechanism")
    if "(total)" not in g.index:
        return ""
    total = g.loc["(total)"]
    digits, _ = FORMATS.get(metric, (0, ""))
    kw = dict(scenario=L.phrase(scenario, lang), metric=L.metric(metric, lang), years=L.fmt(years, lang))
    if not (total.ci_low > 0 or total.ci_high < 0):
        return L.t("attribution_none", lang, **kw)
    parts = g.drop("(total)").sort_values("mean", key=abs, ascending=False)
    text = [L.t("attribution_part", lang, value=f"{'+' if r['mean'] > 0 else ''}{L.fmt(r['mean'], lang, digits)}",
                mechanism=L.mechanism(name, lang)) for name, r in parts.iterrows() if abs(r["mean"]) > 0]
    return L.t("attribution_sentence", lang, total=f"{'+' if total['mean'] > 0 else ''}"
               f"{L.fmt(total['mean'], lang, digits)}", parts=", ".join(text[:4]), **kw)


def build(folder: Path, scenarios: list[str], seeds: list[int], lang: str) -> Path:
    from sim.analysis.collect import collect
    from sim.compare import read_runs, run_folder

    data = read_runs(folder, scenarios, seeds)
    collected = collect(folder)
    ts = collected.timeseries
    first = run_folder(folder, scenarios[0], seeds[0])
    meta = json.loads((first / "metadata.json").read_text(encoding="utf-8"))["config"]
    years = meta["horizon_months"] / 12
    region = meta["region"]["preset"] + (f" (AGS {meta['region']['ags_prefix']}*)" if meta["region"]["ags_prefix"] else "")
    baseline = "baseline" if "baseline" in scenarios else scenarios[0]

    summary = summarise(data["final"], ["scenario"])
    diffs = differences(data["final"], baseline, DIFF_METRICS)
    diffs["sentence"] = [sentence(r, lang) for r in diffs.itertuples()]
    series = bands(ts, ["scenario"], ["approvals", "trust_public_public", "completions"])
    summary.to_csv(folder / "summary.csv", index=False)
    diffs.to_csv(folder / "differences.csv", index=False)
    series.to_csv(folder / "series.csv", index=False)

    figs = {
        "funnel": F.funnel(summary, scenarios, lang),
        "approvals_over_time": F.over_time(series, "approvals", scenarios, lang),
        "trust_over_time": F.over_time(series, "trust_public_public", scenarios, lang),
        "trust_distribution": F.trust_distribution(data["ties"], scenarios, lang),
        "equity": F.equity(data["munis"], scenarios, lang),
        "costs": F.costs(summary, scenarios, lang, years),
    }
    explained = attributions(folder, [sc for sc in scenarios if sc != baseline])
    for sc, (table, _) in explained.items():
        figs[f"attribution_{sc}"] = F.attribution(table, ATTRIBUTION_METRICS, lang)
    nodes0 = pd.read_csv(first / "nodes.csv")
    start = pd.read_csv(first / "network_start.csv")
    for sc in scenarios:
        run = run_folder(folder, sc, seeds[0])
        figs[f"network_{sc}"] = F.network_pair(
            nodes0, start, pd.read_csv(run / "nodes.csv"), pd.read_csv(run / "network_end.csv"), lang,
            f"{L.scenario(scenarios[0], lang)}: {L.t('at_start', lang)}",
            f"{L.scenario(sc, lang)}: {L.t('at_end', lang, years=L.fmt(years, lang))}")
    (folder / "figures").mkdir(exist_ok=True)
    for name, fig in figs.items():
        fig.savefig(folder / "figures" / f"{name}.png")
        fig.savefig(folder / "figures" / f"{name}.svg")

    from sim.calibration.scenario_file import scenario_provenance, summary_sentence

    calibrated = [f"{L.scenario(sc, lang)}: {summary_sentence(prov, lang)}" for sc in scenarios
                  if (prov := scenario_provenance(sc))]
    body = render(figs, summary, diffs, scenarios, baseline, lang, region, len(seeds), years, explained, calibrated)
    for fig in figs.values():
        plt.close(fig)
    out = folder / "report.html"
    out.write_text(H.page(L.t("title", lang), lang, body), encoding="utf-8")
    return out


def render(figs, summary, diffs, scenarios, baseline, lang, region, n, years, explained=None, calibrated=()) -> str:
    parts = [f"<h1>{L.t('title', lang)}</h1>",
             f'<p class="meta">{L.t("region", lang)}: <b>{region}</b> · {n} {L.t("runs", lang)} · '
             f'{L.fmt(years, lang)} {L.t("years", lang)}</p>',
             f"<p>{L.t('intro', lang, n=n)}</p>"]
    parts += [f'<p class="meta">{html.escape(c)}</p>' for c in calibrated]   # provenance of calibrated scenarios
    if len(scenarios) > 1:
        parts.append(f"<h2>{L.t('differences', lang)}</h2><ul class='sentences'>")
        parts += [f"<li>{s}</li>" for s in diffs.sentence]
        parts.append("</ul>")
        rows = []
        for r in diffs.itertuples():
            digits, unit = FORMATS.get(r.metric, (2, ""))
            rel = (f"{L.pct(r.rel_mean, lang)} ({L.pct(r.rel_low, lang)} … {L.pct(r.rel_high, lang)})"
                   if math.isfinite(r.rel_mean) else "–")
            rows.append([L.scenario(r.scenario, lang), L.metric(r.metric, lang),
                         L.fmt(r.baseline_mean, lang, digits) + unit, L.fmt(r.scenario_mean, lang, digits) + unit,
                         f"{L.fmt(r.diff_mean, lang, digits)} ({L.fmt(r.diff_low, lang, digits)} … "
                         f"{L.fmt(r.diff_high, lang, digits)})", rel])
        parts.append(H.table([L.t("scenario", lang), L.t("metric", lang), L.scenario(baseline, lang),
                              L.t("scenario", lang), f"{L.t('change', lang)} ({L.t('ci', lang)})",
                              f"{L.t('change', lang)} %"], rows))
    if explained:
        parts.append(f"<h2>{L.t('attribution', lang)}</h2>")
        for sc, (table, meta) in explained.items():
            parts.append(f"<p>{L.t('attribution_intro', lang, n=len(meta['seeds']))}</p><ul class='sentences'>")
            parts += [f"<li>{x}</li>" for m in ATTRIBUTION_METRICS
                      if (x := attribution_sentence(table, m, sc, lang, years))]
            parts.append("</ul>")
            parts.append(H.figure_tag(figs[f"attribution_{sc}"], f"attribution_{sc}"))
    sections = [("funnel", ["funnel"]), ("over_time", ["approvals_over_time", "trust_over_time"]),
                ("network", [f"network_{sc}" for sc in scenarios]), ("trust_dist", ["trust_distribution"]),
                ("equity", ["equity"]), ("cost", ["costs"])]
    for title, names in sections:
        parts.append(f"<h2>{L.t(title, lang)}</h2>")
        parts += [H.figure_tag(figs[name], name) for name in names]
    parts.append(f"<h2>{L.t('table', lang)}</h2>")
    rows = []
    for m in TABLE_METRICS:
        for sc in scenarios:
            r = summary[(summary.scenario == sc) & (summary.metric == m)]
            if r.empty:
                continue
            r = r.iloc[0]
            digits, unit = FORMATS.get(m, (1, ""))
            rows.append([L.metric(m, lang), L.scenario(sc, lang), L.fmt(r["mean"], lang, digits) + unit,
                         f"{L.fmt(r.ci_low, lang, digits)} … {L.fmt(r.ci_high, lang, digits)}", int(r.n)])
    parts.append(H.table([L.t("metric", lang), L.t("scenario", lang), L.t("mean", lang), L.t("ci", lang), "n"], rows))
    parts.append(f"<footer>{L.t('footer', lang)}</footer>")
    return "\n".join(parts)
