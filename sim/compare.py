"""``python -m sim.compare``: compare scenarios for a region and write a workshop report.

    python -m sim.compare                                          # emscher: baseline vs klimawerk, 20 runs each
    python -m sim.compare region=saarbruecken scenarios=[baseline,herausforderung] replications=30 lang=de
    python -m sim.compare scenarios=[baseline,klimawerk] funding.budget_per_head_year=3   # any setting for all

Writes ``results/compare/<name>/``: ``report.html`` (self-contained), ``figures/*.png|svg``, tables
``summary.csv`` (per scenario and metric: mean, 95 % CI, n) and ``differences.csv`` (paired
differences against the first scenario, or ``baseline`` if listed, with a plain sentence each),
and the runs themselves under ``runs/`` (resumable as a sweep: the same command completes only
missing runs). Every scenario's configuration is checked before any run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.errors import UserError

OPTIONS = {"scenarios": "[baseline,klimawerk]", "replications": "20", "lang": "en", "name": "", "jobs": "-1",
           "region": "emscher", "seed": "0"}


def parse(argv: list[str]) -> tuple[dict, list[str]]:
    opts, overrides = dict(OPTIONS), []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise UserError(f"'{arg}' is not of the form key=value (e.g. region=emscher, scenarios=[a,b])")
        if key in OPTIONS:
            opts[key] = value
        else:
            overrides.append(arg)
    scenarios = [s.strip() for s in opts["scenarios"].strip("[]").split(",") if s.strip()]
    if len(scenarios) < 1 or len(set(scenarios)) != len(scenarios):
        raise UserError(f"'scenarios' = {opts['scenarios']!r}: list one or more different scenarios, e.g. [baseline,klimawerk]")
    if opts["lang"] not in ("en", "de"):
        raise UserError(f"'lang' = {opts['lang']!r} is not allowed; choose en or de")
    for key, low in (("replications", 2), ("jobs", -1)):
        try:
            opts[key] = int(opts[key])
        except ValueError:
            raise UserError(f"'{key}' must be a whole number, not {opts[key]!r}") from None
        if opts[key] < low or (key == "jobs" and opts[key] == 0):
            raise UserError(f"'{key}' = {opts[key]} is out of range; allowed: at least {low}"
                            + (" (confidence intervals need two runs)" if key == "replications" else ", not 0"))
    opts["scenarios"] = scenarios
    return opts, overrides


def configs(opts: dict, overrides: list[str]) -> dict:
    """Compose and validate every scenario's config before any run (one-line UserError otherwise)."""
    from sim.cli import preflight

    out = {}
    for sc in opts["scenarios"]:
        plan = preflight([f"scenario={sc}", f"region={opts['region']}", f"seed={opts['seed']}", *overrides,
                          "output.network=true", "output.write=false"])
        out[sc] = dataclasses.replace(plan.cfg, output=dataclasses.replace(plan.cfg.output, write=True))
    return out


def folder_name(opts: dict, overrides: list[str]) -> str:
    if opts["name"]:
        return opts["name"]
    extra = "-" + hashlib.sha1("\n".join(sorted(overrides)).encode()).hexdigest()[:8] if overrides else ""
    return f"{opts['region']}-{'-'.join(opts['scenarios'])}-seed{opts['seed']}{extra}"


def _run(cfg, folder: Path, scenario: str, seed: int) -> None:
    from sim.sweep import run_sweep_job

    run_sweep_job(dataclasses.replace(cfg, seed=seed, replications=1), folder, [f"scenario={scenario}"])


def run_all(cfgs: dict, opts: dict, folder: Path, argv: list[str]) -> None:
    from joblib import Parallel, delayed

    from sim.sweep import write_info

    seeds = [int(opts["seed"]) + k for k in range(opts["replications"])]
    write_info(folder, ["python -m sim.compare", *argv], len(cfgs) * len(seeds))
    tasks = [(cfg, sc, s) for sc, cfg in cfgs.items() for s in seeds]
    Parallel(n_jobs=opts["jobs"])(delayed(_run)(cfg, folder, sc, s) for cfg, sc, s in tasks)


def read_runs(folder: Path, scenarios: list[str], seeds: list[int]) -> dict[str, pd.DataFrame]:
    """The files of the comparison's runs, as long tables with scenario and seed columns."""
    finals, munis, ties = [], [], []
    for sc in scenarios:
        for s in seeds:
            run = folder / "runs" / f"scenario={sc},seed={s}"
            if not run.is_dir():
                raise UserError(f"{run} is missing; run the same command again to complete it")
            summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
            finals.append(pd.DataFrame({"scenario": sc, "seed": s, "metric": list(summary),
                                        "value": [float("nan") if v is None else v for v in summary.values()]}))
            munis.append(pd.read_csv(run / "municipalities.csv", dtype={"ags": str}).assign(scenario=sc, seed=s))
            ties.append(pd.read_csv(run / "network_end.csv").assign(scenario=sc, seed=s))
    return {"final": pd.concat(finals, ignore_index=True), "munis": pd.concat(munis, ignore_index=True),
            "ties": pd.concat(ties, ignore_index=True)}


def main(argv: list[str] | None = None) -> Path:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        opts, overrides = parse(argv)
        cfgs = configs(opts, overrides)
        from sim.results import check_writable

        folder = Path("results/compare") / folder_name(opts, overrides)
        check_writable(folder, "results/compare")
        folder = folder.resolve()           # worker processes may have another working directory
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    t0 = time.perf_counter()
    run_all(cfgs, opts, folder, argv)
    from sim.report.build import build

    report = build(folder, opts["scenarios"], [int(opts["seed"]) + k for k in range(opts["replications"])],
                   opts["lang"])
    print(f"{len(cfgs)} scenarios x {opts['replications']} runs in {time.perf_counter() - t0:.0f} s")
    print(report.relative_to(Path.cwd()) if report.is_relative_to(Path.cwd()) else report)
    return report


if __name__ == "__main__":
    main()
    plt.close("all")
