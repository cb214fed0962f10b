"""``python -m sim.explain``: where a scenario's effect against its baseline comes from.

    python -m sim.explain scenario=klimawerk                           # emscher, 10 paired seeds
    python -m sim.explain scenario=herausforderung region=saarbruecken replications=20
    python -m sim.explain scenario=lebenswert region=werra_meissner outcomes=[completions,trust_in_use_mean]
    python -m sim.explain scenario=prima_klima region=rvr pairs=6 jobs=2   # any other key=value applies to both arms

Splits the difference in each outcome (scenario minus baseline, same seeds) into the Shapley values of the
scenario's mechanisms and its own settings (sim/attribution.py), with 95 % intervals over the seeds, and
writes ``results/explain/<name>/``: ``contributions.csv`` (tidy: outcome, mechanism, seed, contribution),
``summary.csv`` (per outcome and mechanism: mean, interval, share of the total), ``outcomes.csv`` (every
coalition's outcomes by seed), ``meta.json`` and ``attribution.png``. The contributions add up to the total
difference seed by seed; a mechanism that changes nothing has exactly zero. The coalitions' runs go through
the run cache like any sweep's (the folder is a sweep folder): the same command again reuses them, an
interrupted one completes the rest, and a changed setting or model gives new runs.

Options: scenario=, baseline= (default baseline), region=, seed=, replications= (seeds, at least 2),
outcomes=[...] (keys of a run's summary.json), pairs= (sampled orderings with their reverses, for more than 6 mechanisms),
jobs=, name= (the folder; default derived from the request).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pandas as pd

from sim.errors import UserError

OUTCOMES = ["approvals", "completions", "consortia", "water_disconnected_ha", "request_completions",
            "trust_in_use_mean", "funds_approved_eur", "coordination_cost_eur"]
OPTIONS = {"scenario": "klimawerk", "baseline": "baseline", "region": "emscher", "seed": "0", "replications": "10",
           "outcomes": "", "pairs": "4", "jobs": "-1", "name": ""}


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    opts, overrides = dict(OPTIONS), []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise UserError(f"'{arg}' is not of the form key=value (e.g. scenario=klimawerk, replications=10)")
        if key in OPTIONS:
            opts[key] = value
        elif key == "metrics":
            raise UserError(f"'{arg}': the attribution names the outcomes it splits with outcomes=[...] (keys of a "
                            "run's summary.json, e.g. outcomes=[approvals,trust_in_use_mean]); 'metrics' chooses what "
                            "a run records, and the attribution needs every metric")
        else:
            overrides.append(arg)
    for key, low in (("replications", 2), ("pairs", 1), ("seed", 0)):
        try:
            opts[key] = int(opts[key])
        except ValueError:
            raise UserError(f"'{key}' must be a whole number, not {opts[key]!r}") from None
        if opts[key] < low:
            raise UserError(f"'{key}' = {opts[key]} is out of range; allowed: at least {low}"
                            + (" (intervals need two seeds)" if key == "replications" else ""))
    try:
        opts["jobs"] = int(opts["jobs"])
    except ValueError:
        raise UserError(f"'jobs' must be a whole number, not {opts['jobs']!r}") from None
    if opts["jobs"] == 0:
        raise UserError("'jobs' = 0 is out of range; allowed: -1 (all cores) or at least 1")
    opts["outcomes"] = [m.strip() for m in opts["outcomes"].strip("[]").split(",") if m.strip()] or list(OUTCOMES)
    return opts, overrides


def arms(opts: dict, overrides: list[str]):
    """The scenario's and the baseline's configs, checked before any run."""
    from sim.cli import check_config, compose

    for key in overrides:
        if key.lstrip("+~").startswith("hydra"):
            raise UserError(f"'{key}': hydra.* settings do not apply to an attribution")
    common = [f"region={opts['region']}", f"seed={opts['seed']}", *overrides]
    scenario = compose([f"scenario={opts['scenario']}", *common])
    baseline = compose([f"scenario={opts['baseline']}", *common])
    for cfg in (scenario, baseline):
        check_config(cfg, tool="python -m sim.explain")
    return scenario, baseline


def check_outcomes(names: list[str], cfg) -> None:
    """Every name is a key of a run's summary (one month of the scenario shows which), before any run."""
    from sim.metrics import metrics
    from sim.run import simulate

    run = simulate(dataclasses.replace(cfg, horizon_months=1), keep_model=True)
    unknown = [m for m in names if m not in run.summary]
    if unknown:
        m = unknown[0]
        hint = (f"'{m}' is a metric family; its outcomes are {', '.join(metrics.get(m)(run.model))}" if m in metrics
                else f"e.g. {', '.join(OUTCOMES[:4])} (python -m sim --help lists the metric families)")
        raise UserError(f"outcomes: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not an outcome of a "
                        f"run; {hint}")


def folder_name(opts: dict, overrides: list[str]) -> str:
    import hashlib

    extra = "-" + hashlib.sha1("\n".join(sorted(overrides)).encode()).hexdigest()[:8] if overrides else ""
    return opts["name"] or (f"{opts['region']}-{opts['scenario']}-vs-{opts['baseline']}-seed{opts['seed']}"
                            f"x{opts['replications']}{extra}")


def explain(opts: dict, overrides: list[str], folder: Path, quiet: bool = True) -> dict[str, pd.DataFrame]:
    """Run the coalitions (through the run cache, into the sweep folder ``folder``) and compute the
    contributions; returns the tables."""

    from sim import attribution as at
    from sim import sweep as S

    scenario, baseline = arms(opts, overrides)
    if opts["outcomes"] != OUTCOMES:
        check_outcomes(opts["outcomes"], scenario)
    players = at.players(scenario, baseline)
    names = [p.name for p in players]
    method, coalitions, orders = at.plan(names, opts["pairs"], opts["seed"])
    seeds = list(range(opts["seed"], opts["seed"] + opts["replications"]))
    metrics = opts["outcomes"]
    members = {}
    for c in coalitions:
        cfg = at.coalition(scenario, baseline, c, players)
        label = "+".join(sorted(c)) or "(baseline)"
        for s in seeds:
            members[(c, s)] = S.member_of(dataclasses.replace(cfg, seed=s), {"coalition": label},
                                          [f"coalition={label}", f"seed={s}"])
    sweep = S.SweepFolder(folder)
    status = S.run_local(list(members.values()), sweep, ["python -m sim.explain", *_argv(opts, overrides)],
                         jobs=opts["jobs"], label=f"{len(coalitions)} coalitions x {len(seeds)} seeds", quiet=quiet)
    failed = [k for k, v in status.items() if v == "failed"]
    if failed:
        raise UserError(f"{len(failed)} of {len(status)} runs failed; the same command retries them")
    tasks = list(members)
    results = []
    for c, s in tasks:
        summary = json.loads((sweep.run_path(members[(c, s)].key) / "summary.json").read_text(encoding="utf-8"))
        results.append({m: float("nan") if summary.get(m) is None else float(summary[m]) for m in metrics})
    runs = pd.DataFrame([{"coalition": "+".join(sorted(c)) or "(baseline)", "seed": s, **out}
                         for (c, s), out in zip(tasks, results)])
    value = {(c, s): out for (c, s), out in zip(tasks, results)}
    rows = []
    for m in metrics:
        for s in seeds:
            v = {c: value[(c, s)][m] for c in coalitions}
            total = v[frozenset(names)] - v[frozenset()]
            for name, phi in at.contributions(v, names, orders).items():
                rows.append({"outcome": m, "mechanism": name, "seed": s, "contribution": phi})
            rows.append({"outcome": m, "mechanism": "(total)", "seed": s, "contribution": total})
    tidy = pd.DataFrame(rows)
    summary = []
    for (m, name), g in tidy.groupby(["outcome", "mechanism"], sort=False):
        mean, low, high = at.interval(g.contribution.to_numpy())
        total = tidy[(tidy.outcome == m) & (tidy.mechanism == "(total)")].contribution.mean()
        summary.append({"outcome": m, "mechanism": name, "mean": mean, "ci_low": low, "ci_high": high,
                        "share_of_total": mean / total if total else float("nan"), "seeds": len(g)})
    meta = {"scenario": opts["scenario"], "baseline": opts["baseline"], "region": opts["region"],
            "overrides": overrides, "seeds": seeds, "method": method, "players": names,
            "coalitions": len(coalitions), "runs": len(tasks)}
    return {"contributions": tidy, "summary": pd.DataFrame(summary), "outcomes": runs, "meta": meta}


def _argv(opts: dict, overrides: list[str]) -> list[str]:
    shown = {k: v for k, v in opts.items() if k not in ("jobs",)}
    return [f"{k}={'[' + ','.join(v) + ']' if isinstance(v, list) else v}" for k, v in shown.items()] + overrides


def write(tables: dict, folder: Path) -> None:
    for key in ("contributions", "summary", "outcomes"):
        tables[key].to_csv(folder / f"{key}.csv", index=False)
    (folder / "meta.json").write_text(json.dumps(tables["meta"], indent=2) + "\n")


def render(tables: dict) -> str:
    """The summary as a plain-text table, outcome by outcome."""
    meta, summary = tables["meta"], tables["summary"]
    lines = [f"{meta['scenario']} vs {meta['baseline']} on {meta['region']}: {len(meta['seeds'])} paired seeds, "
             f"{len(meta['players'])} mechanisms and settings, Shapley values {meta['method']}"]
    for m, g in summary.groupby("outcome", sort=False):
        total = g[g.mechanism == "(total)"].iloc[0]
        clear = total.ci_low > 0 or total.ci_high < 0          # shares of a total that may be zero mean nothing
        lines.append(f"\n{m}: {total['mean']:+,.3g} ({total.ci_low:+,.3g} to {total.ci_high:+,.3g})"
                     + ("" if clear else "  no clear change"))
        for _, r in g[g.mechanism != "(total)"].sort_values("mean", key=abs, ascending=False).iterrows():
            share = f"{100 * r.share_of_total:5.0f} %" if clear and pd.notna(r.share_of_total) else "      "
            lines.append(f"  {r.mechanism:<38} {r['mean']:+10,.3g}  ({r.ci_low:+,.3g} to {r.ci_high:+,.3g}) {share}")
    return "\n".join(lines)


def figure(summary: pd.DataFrame):
    """One panel per outcome: each mechanism's contribution with its interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(summary.outcome))
    fig, axes = plt.subplots(len(outcomes), 1, figsize=(9, 1.2 + 1.1 * len(outcomes) *
                                                         max(1, summary.mechanism.nunique() / 6)), squeeze=False)
    for ax, m in zip(axes[:, 0], outcomes):
        g = summary[(summary.outcome == m) & (summary.mechanism != "(total)")].iloc[::-1]
        ax.barh(g.mechanism, g["mean"], xerr=[g["mean"] - g.ci_low, g.ci_high - g["mean"]], color="#4c72b0",
                ecolor="#333", capsize=2)
        ax.axvline(0, color="#999", lw=0.8)
        ax.set_title(m, loc="left", fontsize=10)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> None:
    from sim import sweep as S

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return
    try:
        opts, overrides = parse(argv)
        if opts["name"]:
            S.check_name(opts["name"], "name")
        folder = (Path("results/explain") / folder_name(opts, overrides)).resolve()
        tables = explain(opts, overrides, folder, quiet=False)
        write(tables, folder)
        figure(tables["summary"]).savefig(folder / "attribution.png", dpi=120)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2)
    except KeyboardInterrupt:
        print(S.interrupted_message(), file=sys.stderr, flush=True)
        raise SystemExit(130)
    print(render(tables))
    print(folder)


if __name__ == "__main__":
    main()
