"""One calibration from its file to its result folder: the fits (ABC-SMC), the posterior predictive
checks, the held-out predictions, the calibrated scenario files and the report.

    results/calibration/<name>/  posterior.csv  populations.csv  generations.csv  marginals.png  pairs.png
                                 predictive.csv  held_out.csv  draws.csv  report.md  meta.json
                                 <scenario_file>.yaml (a copy of each calibrated scenario)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from sim.calibration import abc as A
from sim.calibration import check as C
from sim.calibration.runner import Runner, base_config, get_dotted
from sim.calibration.scenario_file import base_text, render_scenario
from sim.calibration.spec import SCENARIO_DIR, Calibration, quick_pattern
from sim.errors import UserError


@dataclass
class Options:
    calibration: Calibration
    quick: bool
    name: str
    jobs: int
    out: Path
    cache_dir: str
    sweep_dir: Path
    overwrite_scenario: bool
    argv: list


def targets(opts: Options) -> dict[str, Path]:
    return {f.name: SCENARIO_DIR / f"{f.scenario_file}.yaml" for f in opts.calibration.fits}


def preflight(opts: Options) -> Path:
    """Everything that can be refused is refused here, before any run: the folder, the scenario files."""
    folder = opts.out / opts.name
    if folder.exists():
        raise UserError(f"{folder} exists; a result folder is never overwritten (give another name=... or move it)")
    if not opts.quick and not opts.overwrite_scenario:
        existing = [str(p) for p in targets(opts).values() if p.exists()]
        if existing:
            raise UserError(f"{existing[0]} exists; a full run refuses to overwrite it (give overwrite_scenario=true, "
                            "or quick=true, which never writes into configs/)")
    cal = opts.calibration
    for fit in cal.fits:
        cfg = base_config(fit.base_scenario, fit.patterns[0].region, fit.patterns[0].months, opts.cache_dir)
        for p in fit.params:
            get_dotted(cfg, p.key)
    return folder


def run(opts: Options, log: Callable[[str], None] = print) -> Path:
    cal = opts.calibration
    folder = preflight(opts)
    t_start = time.perf_counter()
    runner = Runner(opts.jobs, opts.sweep_dir, "calibration-quick" if opts.quick else "calibration", opts.cache_dir)
    adjust = (lambda p: quick_pattern(p, cal.quick)) if opts.quick else (lambda p: p)
    log(f"calibration '{opts.name}' ({'quick' if opts.quick else 'full'}) from {cal.path}: "
        f"{len(cal.fits)} fit(s), {len(cal.fitted)} fitted and {len(cal.held_out)} held-out patterns, jobs={opts.jobs}")
    results, timings = [], {}
    for fit in cal.fits:
        s = cal.settings(fit, opts.quick)
        pats = [adjust(p) for p in fit.patterns]
        log(f"fit '{fit.name}': {', '.join(p.key for p in fit.params)} on {', '.join(p.name for p in pats)}; "
            f"{s['population_size']} particles x {s['generations']} generations x {len(s['seeds'])} seed(s)")
        res = A.run_fit(fit, pats, s, runner, log)
        timings[f"fit {fit.name}"] = res.seconds
        log(f"  -> {res.simulations} particles simulated, {res.runs} runs ({res.computed} computed) in "
            f"{res.seconds:.0f} s; posterior medians " + ", ".join(f"{k} = {v:g}" for k, v in res.point.items()))
        results.append(res)
    settings = {**cal.abc, **({k: v for k, v in cal.quick.items() if k not in ("months", "regions")} if opts.quick else {})}
    t0 = time.perf_counter()
    draws = C.joint_draws(results, int(settings["predictive_draws"]), int(settings["seed"]) + 1)
    fitted = [adjust(p) for p in cal.fitted]
    held = [adjust(p) for p, _ in cal.held_out]
    values = C.simulate_draws(fitted + held, draws, int(settings["predictive_seed0"]), runner, log)
    level = float(settings["interval"])
    predictive = C.interval_table(fitted, values, level, "fitted")
    held_out = C.interval_table(held, values, level, "held out", {p.name: r for p, r in cal.held_out})
    timings["predictive checks and held-out predictions"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start

    folder.mkdir(parents=True)
    write_tables(folder, results, values, predictive, held_out)
    from sim.calibration import figures

    figures.marginals(results, folder / "marginals.png")
    figures.pairs(results, folder / "pairs.png")
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    written = []
    for res in results:
        text = scenario_text(cal, res, opts.name, date, held_out)
        (folder / f"{res.fit.scenario_file}.yaml").write_text(text, encoding="utf-8")
        if not opts.quick:
            target = targets(opts)[res.fit.name]
            target.write_text(text, encoding="utf-8")
            written.append(str(target))
    meta = meta_record(opts, results, runner, timings, date, written)
    (folder / "meta.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
    from sim.calibration import report

    (folder / "report.md").write_text(report.report_markdown(folder), encoding="utf-8")
    log(f"runtime {timings['total']:.0f} s, {runner.runs} runs ({runner.computed} computed); results in {folder}"
        + (f"; wrote {', '.join(written)}" if written else ""))
    return folder


def write_tables(folder: Path, results, values: pd.DataFrame, predictive: pd.DataFrame, held_out: pd.DataFrame):
    post, pops, gens = [], [], []
    for r in results:
        post.append(r.posterior.assign(fit=r.fit.name))
        pops.append(r.populations.assign(fit=r.fit.name))
        gens.append(r.generations.assign(fit=r.fit.name))
    first = lambda df: df[["fit", *[c for c in df.columns if c != "fit"]]]  # noqa: E731
    first(pd.concat(post, ignore_index=True)).to_csv(folder / "posterior.csv", index=False)
    first(pd.concat(pops, ignore_index=True)).to_csv(folder / "populations.csv", index=False)
    first(pd.concat(gens, ignore_index=True)).to_csv(folder / "generations.csv", index=False)
    values.to_csv(folder / "draws.csv", index=False)
    predictive.to_csv(folder / "predictive.csv", index=False)
    held_out.to_csv(folder / "held_out.csv", index=False)


def scenario_text(cal: Calibration, res: A.FitResult, run_name: str, date: str, held_out: pd.DataFrame) -> str:
    from sim.cache import code_version

    fit = res.fit
    header = [f"CALIBRATED version of scenario '{fit.base_scenario}': its settings, copied from "
              f"{fit.base_scenario}.yaml, plus the", "calibrated values below (weighted posterior medians of an "
              f"ABC-SMC fit on the patterns {', '.join(p.name for p in fit.patterns)}).",
              f"Written by python -m sim.calibrate (configs/calibration/{cal.path.stem}.yaml, run '{run_name}', "
              f"code version {code_version()}, {date});",
              f"see results/calibration/{run_name}/report.md and docs/validation.md. Do not edit by hand; rerun "
              "the calibration."]
    comments = {p.key: f"calibrated ({p.prior} prior {p.low:g}-{p.high:g}, run {run_name})" for p in fit.params}
    prov = {"calibration": cal.path.stem, "run": run_name, "date": date, "code_version": code_version(),
            "fit": fit.name, "fitted": [p.name for p in fit.patterns], "fitted_titles": [p.title for p in fit.patterns],
            "held_out": {r.pattern: r.reproduced for r in held_out.itertuples() if r.scenario == fit.base_scenario},
            "held_out_elsewhere": {r.pattern: r.reproduced for r in held_out.itertuples()
                                   if r.scenario != fit.base_scenario},
            "values": res.point}
    return render_scenario(base_text(fit.base_scenario), fit.base_scenario, fit.scenario_file, res.point,
                           fit.params, header, comments, prov)


def meta_record(opts: Options, results, runner: Runner, timings: dict, date: str, written: list) -> dict:
    import importlib.metadata as md

    import yaml

    from sim.cache import code_version

    cal = opts.calibration
    return {"name": opts.name, "quick": opts.quick, "date": date, "argv": opts.argv, "code_version": code_version(),
            "pyabc": md.version("pyabc"), "calibration_file": str(cal.path),
            "config": yaml.safe_load(cal.path.read_text(encoding="utf-8")),
            "patterns": {p.name: p.__dict__ | {"output": p.output.describe() if p.output else None}
                         for p in (*cal.fitted, *(p for p, _ in cal.held_out), *cal.inputs)},
            "fits": {r.fit.name: {"simulations": r.simulations, "runs": r.runs, "computed": r.computed,
                                  "seconds": round(r.seconds, 1), "point": r.point, "scenario_file": r.fit.scenario_file,
                                  "settings": cal.settings(r.fit, opts.quick)} for r in results},
            "runs": runner.runs, "computed": runner.computed, "jobs": opts.jobs,
            "timings_s": {k: round(v, 1) for k, v in timings.items()}, "cores": os.cpu_count(),
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "scenario_files_written": written}
