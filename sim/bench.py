"""Benchmarks that print figures (not timed tests).

    python -m sim.bench run               # default region and scenario, 120 months: median run time
    python -m sim.bench sweep             # 100 short runs, serial vs parallel (joblib, all cores)
    python -m sim.bench sweep --cli       # the same through `python -m sim -m` (basic vs local launcher)

Medians over repeats; imports are excluded from the run time and reported separately for a whole process.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def bench_run(repeats: int) -> None:
    from sim.config import Config
    from sim.run import simulate

    simulate(Config(horizon_months=1))                      # warm up: imports, data files
    times = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        simulate(Config(seed=seed))
        times.append(time.perf_counter() - t0)
    cmd = [sys.executable, "-m", "sim", "output.write=false", "output.quiet=true"]
    whole = []
    for _ in range(max(3, repeats // 3)):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        whole.append(time.perf_counter() - t0)
    print(f"default run (emscher, baseline, 120 months): median {statistics.median(times):.3f} s over {repeats} "
          f"runs, imports excluded; whole process `python -m sim` {statistics.median(whole):.2f} s")


def _one(seed: int, horizon: int) -> float:
    from sim.config import Config
    from sim.run import simulate

    return simulate(Config(seed=seed, horizon_months=horizon)).summary["approvals"]


def bench_sweep(runs: int, horizon: int, jobs: int) -> None:
    from joblib import Parallel, delayed

    t0 = time.perf_counter()
    serial = [_one(s, horizon) for s in range(runs)]
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    parallel = Parallel(n_jobs=jobs)(delayed(_one)(s, horizon) for s in range(runs))
    t_parallel = time.perf_counter() - t0
    assert serial == parallel, "parallel runs must equal serial runs"
    print(f"{runs} runs of {horizon} months (emscher, baseline): serial {t_serial:.1f} s, parallel "
          f"({jobs if jobs > 0 else os.cpu_count()} workers, incl. worker start) {t_parallel:.1f} s, "
          f"speed-up {t_serial / t_parallel:.2f}x; results identical")


def bench_sweep_cli(runs: int, horizon: int) -> None:
    times = {}
    for launcher in ("basic", "local"):
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, "-m", "sim", "-m", f"seed=range({runs})", f"horizon_months={horizon}",
                   f"hydra/launcher={launcher}", f"output.sweep_dir={out}"]
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times[launcher] = time.perf_counter() - t0
    print(f"`python -m sim -m seed=range({runs}) horizon_months={horizon}`: basic launcher {times['basic']:.1f} s, "
          f"local (joblib) launcher {times['local']:.1f} s, speed-up {times['basic'] / times['local']:.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("run")
    p.add_argument("--repeats", type=int, default=9)
    p = sub.add_parser("sweep")
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--horizon", type=int, default=120)
    p.add_argument("--jobs", type=int, default=-1)
    p.add_argument("--cli", action="store_true", help="through python -m sim -m (Hydra launchers)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    if args.what == "run":
        bench_run(args.repeats)
    elif args.cli:
        bench_sweep_cli(args.runs, args.horizon)
    else:
        bench_sweep(args.runs, args.horizon, args.jobs)


if __name__ == "__main__":
    main()
