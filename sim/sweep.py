"""Sweeps: many runs into one folder, resumable, with failures recorded and progress shown.

``python -m sim -m scenario=baseline,klimawerk seed='range(30)'`` writes

    results/sweeps/<name>/
        sweep.json               what was asked: command, total runs, start time
        runs/<run_id>/           one complete run folder per run (as for a single run)
        failed/<run_id>.json     the error of a run that crashed (the sweep goes on)
        timeseries.parquet       one tidy table over all complete runs (written when the sweep ends)
        final.csv, runs.csv      final values per run and metric; one row per run with its status

The name is ``output.name`` if given, else derived from the swept keys and the fixed overrides, so
running the same command again (or extending its seeds) reuses the folder. A run folder appears
only when complete (temporary name, then rename); a job skips runs whose folder exists. So after an
interruption, even ``kill -9``, the same command completes only the missing runs.

``replications=N`` runs seeds seed, seed+1, ..., seed+N-1 in one job, each exactly as a separate job
with that seed would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import time
import traceback
from pathlib import Path

from sim.config import Config
from sim.errors import UserError

SKIP_KEYS = ("seed", "replications", "output.")


def sweep_name(overrides: list[str], swept: list[str], name: str = "") -> str:
    """``output.name``, or 'sweep-<swept keys>[-<hash of the fixed overrides>]'."""
    if name:
        return name
    fixed = sorted(o for o in overrides if o.split("=")[0].lstrip("+") not in swept
                   and not o.startswith(("hydra", "output.", "-")))
    base = "sweep-" + ("-".join(k.replace(".", "_") for k in swept) or "single")
    if fixed:
        base += "-" + hashlib.sha1("\n".join(fixed).encode()).hexdigest()[:8]
    return base


def run_id(params: dict[str, str], seed: int) -> str:
    """A file-safe id from the run's own settings, e.g. 'scenario=klimawerk,seed=3'."""
    parts = [f"{k}={v}" for k, v in sorted(params.items())] + [f"seed={seed}"]
    return re.sub(r"[^A-Za-z0-9=,._+\-\[\]]", "_", ",".join(parts))


def job_params(task_overrides: list[str]) -> dict[str, str]:
    """The settings that distinguish this job, from Hydra's task overrides (seed kept apart)."""
    out = {}
    for o in task_overrides:
        key, _, value = o.lstrip("+").partition("=")
        if not key.startswith(SKIP_KEYS) and not key.startswith("hydra"):
            out[key] = value
    return out


def write_info(folder: Path, command: list[str], total: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    info = {"command": command, "total_runs": total, "started_unix": time.time(), "format_version": 1}
    tmp = folder / f".sweep.json.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / "sweep.json")


def progress_line(folder: Path, run: str, status: str) -> str:
    """'[done/total] run status (elapsed, about remaining)' from the folder itself."""
    try:
        info = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{run} {status}"
    done = sum(1 for p in (folder / "runs").iterdir() if not p.name.startswith(".")) if (folder / "runs").is_dir() else 0
    total, elapsed = info["total_runs"], time.time() - info["started_unix"]
    rate = elapsed / max(done, 1)
    remaining = max(total - done, 0) * rate
    return f"[{done}/{total}] {run} {status} (elapsed {fmt(elapsed)}, about {fmt(remaining)} left)"


def fmt(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


def run_sweep_job(cfg: Config, folder: Path, task_overrides: list[str]) -> None:
    """Run this job's replications into ``folder``; skip complete runs; record failures; print progress."""
    from sim.results import write_run
    from sim.run import simulate

    params = job_params(task_overrides)
    for k in range(cfg.replications):
        seed = cfg.seed + k
        rid = run_id(params, seed)
        target = folder / "runs" / rid
        if target.exists():
            print(progress_line(folder, rid, "already done, skipped"), flush=True)
            continue
        run_cfg = dataclasses.replace(cfg, seed=seed, replications=1)
        try:
            result = simulate(run_cfg)
            write_run(result, target, run={"run_id": rid, "params": params, "seed": seed})
        except UserError:
            raise
        except Exception as err:  # a crash is recorded and the sweep goes on
            record_failure(folder, rid, params, seed, err)
            print(progress_line(folder, rid, f"FAILED: {type(err).__name__}: {err}"), flush=True)
            continue
        (folder / "failed" / f"{rid}.json").unlink(missing_ok=True)
        print(progress_line(folder, rid, "done"), flush=True)


def record_failure(folder: Path, rid: str, params: dict, seed: int, err: BaseException) -> None:
    failed = folder / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    data = {"run_id": rid, "params": params, "seed": seed, "error": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(), "time_unix": time.time()}
    tmp = failed / f".{rid}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, failed / f"{rid}.json")
