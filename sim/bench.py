"""Benchmarks that print figures (not timed tests).

    python -m sim.bench run               # default region and scenario, 120 months: run time and its parts
    python -m sim.bench run --minutes 20  # the same over and over for 20 minutes (a shared host's load varies)
    python -m sim.bench sweep             # 100 default runs, serial vs parallel on started joblib workers
    python -m sim.bench sweep --cli       # the same through `python -m sim -m` (basic vs local launcher)
    python -m sim.bench scale             # RVR, NRW, Germany: agents, ties, run time, peak memory
    python -m sim.bench peer              # agent-steps per second vs Mesa's VirusOnNetwork, same size
    python -m sim.bench instructions      # instructions per default run (valgrind): independent of the host

Medians over repeats (the sweep: sums); imports are excluded from the run time and reported separately for
a whole process. On a shared host the same machine is at times up to twice as slow, so each benchmark first
prints two yardsticks of its state: a pure-Python loop (:func:`reference_ms`) and Mesa's own VirusOnNetwork
example (:func:`mesa_speed`). ``run`` and ``sweep`` read the second between runs and report the runs made with
the machine at reference speed apart, after the figures over all runs.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUIET_MS = (23, 29)      # the reference workload on this project's machine when the host is quiet (README)


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def reference_ms(repeats: int = 5) -> float:
    """A fixed pure-Python workload (fastest of ``repeats``), printed with every benchmark: on a shared
    host the same machine can be 1.5x slower at times, and this shows which figures came from such a
    moment. (A model run, which uses more memory, can suffer more than this loop.)"""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        sum(i * i for i in range(300_000))
        times.append(time.process_time() - t0)
    return 1000 * min(times)


# Mesa's own VirusOnNetwork example, 1,000 agents, layout=None: 702k agent-steps/s on this kind of machine,
# as the stack notes of the machine this project was built on give it (Mesa 3.5.1 on Python 3.12, medians;
# they call it "no data collection", but the example as shipped, which counts its agents' three states every
# step, is what matches: here it ran at up to 800k when the host was quiet, 370-450k when it was busy, and
# 1.05M without the count, 2026-11-22). A default run's time follows it more closely than the pure-Python loop:
# correlation 0.84 with its inverse against 0.68 with the loop's time, over 593 paired readings (README).
MESA_REFERENCE = 702_000
AT_SPEED = 0.95          # "at reference speed": at least 95 % of it (assumption; 667k agent-steps/s)
AT_LEAST = AT_SPEED * MESA_REFERENCE


def virus_on_network(nodes: int, avg_degree: float, seed: int):
    """Mesa's VirusOnNetwork example with ``layout=None`` (its spring layout would dominate the set-up)
    and its random graph drawn by ``fast_gnp_random_graph`` (the same G(n, p) model, O(n + m), seeded)."""
    import networkx as nx
    from mesa.examples.basic.virus_on_network import model as virus

    real_network, real_graph = virus.Network, virus.nx.erdos_renyi_graph    # virus.nx is networkx itself
    try:
        virus.Network = lambda graph, capacity, random: real_network(graph, capacity=capacity, random=random,
                                                                     layout=None)
        virus.nx.erdos_renyi_graph = lambda n, p: nx.fast_gnp_random_graph(n, p, seed=seed)
        return virus.VirusOnNetwork(num_nodes=nodes, avg_node_degree=avg_degree, rng=seed)
    finally:
        virus.Network, virus.nx.erdos_renyi_graph = real_network, real_graph


@functools.cache
def _warm_mesa() -> None:
    """Run the example for 50 steps, untimed, once per process: the first Mesa model of a process runs
    slower at first."""
    model = virus_on_network(1000, 3, seed=0)
    for _ in range(50):
        model.step()


def mesa_speed(steps: int = 100) -> float:
    """Agent-steps per second of Mesa's VirusOnNetwork at 1,000 agents (see ``MESA_REFERENCE``): how fast
    the machine runs a Mesa model right now (one reading takes about 0.15 s at reference speed, longer
    than a default run). It follows a model run's slowdowns on a busy host more closely than the
    pure-Python loop of :func:`reference_ms` does."""
    _warm_mesa()
    model = virus_on_network(1000, 3, seed=0)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return 1000 * steps / (time.perf_counter() - t0)


def at_reference(readings: list[float]) -> list[bool]:
    """For each stretch between two neighbouring :func:`mesa_speed` readings: were both at reference speed?

    >>> at_reference([700e3, 680e3, 600e3, 700e3])      # at least 667k before and after
    [True, False, False]
    """
    return [min(before, after) >= AT_LEAST for before, after in zip(readings, readings[1:])]


def speed_summary(readings: list[float]) -> str:
    return (f"median {statistics.median(readings) / 1e3:,.0f}k agent-steps/s ({min(readings) / 1e3:,.0f}k-"
            f"{max(readings) / 1e3:,.0f}k; {MESA_REFERENCE / 1e3:,.0f}k on this kind of machine)")


def bench_run(repeats: int, minutes: float = 0.0) -> None:
    """Default runs (seeds 0 to ``repeats`` - 1, repeated for ``minutes`` if given), each between two
    readings of :func:`mesa_speed`: a run counts as made at the machine's reference speed if both were
    at least ``AT_SPEED`` of ``MESA_REFERENCE``. Then the same runs taken apart, and whole processes."""
    from sim.config import Config
    from sim.run import simulate

    simulate(Config(horizon_months=1))                      # warm up: imports, data files
    times, speed = [], [mesa_speed()]                       # the machine's speed before and after each run
    end, shown = time.monotonic() + 60 * minutes, time.monotonic()
    while len(times) < repeats or time.monotonic() < end:
        t0 = time.perf_counter()
        simulate(Config(seed=len(times) % repeats))
        times.append(time.perf_counter() - t0)
        speed.append(mesa_speed())
        if minutes and time.monotonic() - shown >= 60:
            shown = time.monotonic()
            print(f"  {len(times)} runs, {max(0.0, end - shown) / 60:.0f} min to go", file=sys.stderr, flush=True)
    phases: dict[str, list[float]] = {"build": [], "months": [], "metrics": [], "tables": []}
    for seed in range(repeats):                             # the same runs, taken apart
        _phases(seed, phases)
    cmd = [sys.executable, "-m", "sim", "output.write=false", "output.quiet=true"]
    whole = []
    for _ in range(max(3, repeats // 5)):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        whole.append(time.perf_counter() - t0)
    at_speed = [t for t, ok in zip(times, at_reference(speed)) if ok]
    med = statistics.median
    print(f"default run (emscher, baseline, 120 months), imports excluded, {len(times)} runs (seeds 0-{repeats - 1}"
          f"{', over and over' if len(times) > repeats else ''}): {spread(times)}")
    print(f"  Mesa's VirusOnNetwork before and after each run: {speed_summary(speed)}")
    print(f"  the {len(at_speed)} runs with the machine at reference speed (at least {AT_LEAST / 1e3:,.0f}k"
          f" before and after): " + (spread(at_speed) if at_speed else "none: no two neighbouring readings reached "
                                     "it (a busy host, or a slower machine); run it again later, or for longer "
                                     "(--minutes)"))
    print(f"  taken apart ({repeats} more runs, all of them, medians): "
          + ", ".join(f"{k} {med(v) * 1000:.0f} ms" for k, v in phases.items()))
    print(f"whole process `python -m sim` (imports, config, run, no files): median {med(whole):.2f} s")
    print(f"reference workload after: {reference_ms():.0f} ms; Mesa's VirusOnNetwork {mesa_speed() / 1e3:,.0f}k agent-steps/s")


def spread(seconds: list[float]) -> str:
    """Median, fastest, 90th percentile and share within the 0.1 s target of run times.

    >>> spread([0.08, 0.09, 0.10, 0.12])
    'median 0.095 s, fastest 0.080 s, 90 % within 0.114 s; 3 of 4 (75 %) within 0.1 s'
    """
    import numpy as np

    within = sum(t <= 0.1 for t in seconds)
    return (f"median {statistics.median(seconds):.3f} s, fastest {min(seconds):.3f} s, 90 % within "
            f"{np.percentile(seconds, 90):.3f} s; {within} of {len(seconds)} ({100 * within / len(seconds):.0f} %) "
            "within 0.1 s")


def timed_run(cfg) -> tuple[object, object, dict[str, float]]:
    """Build and run ``cfg`` as ``simulate`` does (collector paused), timing the build, the months
    (``model.step``) and the metrics (recording); returns the model, its recorder and the seconds of each."""
    from sim.metrics import Recorder
    from sim.model import CooperationModel
    from sim.run import garbage_collector_paused

    with garbage_collector_paused():
        t0 = time.perf_counter()
        model, recorder = CooperationModel(cfg), Recorder()
        took = {"build": time.perf_counter() - t0, "months": 0.0, "metrics": 0.0}
        for _ in range(cfg.horizon_months):
            t0 = time.perf_counter()
            model.step()
            t1 = time.perf_counter()
            recorder.collect(model)
            took["months"] += t1 - t0
            took["metrics"] += time.perf_counter() - t1
    return model, recorder, took


def _phases(seed: int, phases: dict[str, list[float]]) -> None:
    """One default run, timing its parts: build, months (model.step), metrics (recording), tables."""
    from sim.config import Config
    from sim.metrics import municipality_table
    from sim.run import summarise

    model, recorder, took = timed_run(Config(seed=seed))
    t0 = time.perf_counter()
    summarise(model, recorder), recorder.table(), municipality_table(model)
    took["tables"] = time.perf_counter() - t0
    for key, seconds in took.items():
        phases[key].append(seconds)


def _one(seed: int, horizon: int) -> float:
    from sim.config import Config
    from sim.run import simulate

    return simulate(Config(seed=seed, horizon_months=horizon)).summary["approvals"]


def _warm() -> int:
    from sim.config import Config
    from sim.run import simulate

    simulate(Config(horizon_months=1))
    return os.getpid()


def bench_sweep(runs: int, horizon: int, jobs: int, rounds: int = 5) -> None:
    """Serial runs in this process (imports done) against the same runs on joblib's workers, once
    they have started and imported the model as well (their start is timed apart). Serial and
    parallel alternate in up to ``rounds`` slices of the runs, so that a shared host's busy and quiet
    moments fall on both alike; the machine's speed (:func:`mesa_speed`) is read between slices, and
    slices with both readings at reference speed are summed apart as well. (That yardstick runs in one
    process: it cannot tell whether the second core was free.)"""
    import numpy as np
    from joblib import Parallel, delayed, effective_n_jobs

    workers = effective_n_jobs(jobs)                        # e.g. -1: every core, -2: all but one
    t0 = time.perf_counter()
    pids: set[int] = set()
    while len(pids) < workers:                              # loky keeps its workers for the next call
        pids |= set(Parallel(n_jobs=jobs)(delayed(_warm)() for _ in range(4 * workers)))
    t_start = time.perf_counter() - t0
    serial, parallel, slices, speed = [], [], [], [mesa_speed()]
    # slices of at least two runs per worker on average (by default 20 runs: few slices, as each one ends
    # with a worker waiting for the other and costs a call to joblib, about 12 ms, which one sweep pays once)
    for part in np.array_split(np.arange(runs), max(1, min(rounds, runs // (2 * workers)))):
        seeds = part.tolist()
        t0 = time.perf_counter()
        serial += [_one(s, horizon) for s in seeds]
        t1 = time.perf_counter()
        parallel += Parallel(n_jobs=jobs)(delayed(_one)(s, horizon) for s in seeds)
        slices.append((t1 - t0, time.perf_counter() - t1))
        speed.append(mesa_speed())
    assert serial == parallel, "parallel runs must equal serial runs"
    t_serial, t_parallel = (sum(column) for column in zip(*slices))
    at_speed = [sl for sl, ok in zip(slices, at_reference(speed)) if ok]
    print(f"{runs} runs of {horizon} months (emscher, baseline) in {len(slices)} slices: serial {t_serial:.1f} s, "
          f"parallel on {workers} workers {t_parallel:.1f} s: speed-up {t_serial / t_parallel:.2f}x; results "
          f"identical. Starting the workers took {t_start:.1f} s more (with it: {t_serial / (t_parallel + t_start):.2f}x)")
    print(f"  Mesa's VirusOnNetwork between slices: {speed_summary(speed)}")
    if at_speed:
        s_at, p_at = (sum(column) for column in zip(*at_speed))
        print(f"  the {len(at_speed)} of {len(slices)} slices with the machine at reference speed before and after "
              f"(at least {AT_LEAST / 1e3:,.0f}k; one process, so this does not show whether the "
              f"second core was free): serial {s_at:.1f} s, parallel {p_at:.1f} s: speed-up {s_at / p_at:.2f}x")
    else:
        print(f"  no slice had the machine at reference speed (at least {AT_LEAST / 1e3:,.0f}k) "
              "before and after: a busy host, or a slower machine")


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


SCALE = [("rvr", "region=rvr"), ("nrw", "region=nrw"), ("germany", "region=germany")]


def one_region(overrides: list[str], horizon: int) -> dict:
    """Run one region in this process: build (region file already read) and run times, sizes, peak memory."""
    import resource

    from sim.cli import compose
    from sim.config import Config
    from sim.data import load_region
    from sim.run import simulate

    cfg = compose([*overrides, f"horizon_months={horizon}"])
    load_region(cfg.region)                                 # the file is read once, before the clock
    simulate(Config(horizon_months=1))                      # and the code warmed up on a small region
    model, _, took = timed_run(cfg)
    built, ran = took["build"], took["months"] + took["metrics"]
    return {"agents": len(model.agents), "ties": model.network.n_ties, "build_s": built,
            "run_s": ran, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def bench_scale(horizon: int, repeats: int) -> None:
    """Each region in a fresh process (peak memory is per process); the smaller ones ``repeats``
    times (medians), Germany once. The target: doubling the size at most 2.2x the time, so a size
    ratio k allows a time ratio of k ** log2(2.2)."""
    import json
    import math

    rows = []
    for name, override in SCALE:
        runs = []
        for _ in range(1 if name == "germany" else repeats):
            out = subprocess.run([sys.executable, "-m", "sim.bench", "_region", override, str(horizon)], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        r = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        rows.append((name, r))
        print(f"{name:8} {r['agents']:>7,.0f} agents {r['ties']:>9,.0f} ties  build {r['build_s']:6.2f} s  "
              f"{horizon} months {r['run_s']:6.2f} s  peak {r['peak_mb']:7,.0f} MB"
              f"{f'  (median of {len(runs)})' if len(runs) > 1 else ''}", flush=True)
    for (a, ra), (b, rb) in zip(rows, rows[1:]):
        size = (rb["agents"] + rb["ties"]) / (ra["agents"] + ra["ties"])
        time_ratio = (rb["build_s"] + rb["run_s"]) / (ra["build_s"] + ra["run_s"])
        allowed = size ** math.log2(2.2)
        print(f"{a} -> {b}: size x{size:.1f}, time x{time_ratio:.1f} (linear x{size:.1f}; 2.2x per doubling "
              f"allows x{allowed:.1f}: {'met' if time_ratio <= allowed else 'NOT met'})")


def bench_peer(horizon: int, region: str) -> None:
    """Both models at the same number of agents, ties and steps; set-up excluded from both."""
    from sim.run import garbage_collector_paused

    r = one_region([f"region={region}"], horizon)
    ours = r["agents"] * horizon / r["run_s"]
    n, ties = r["agents"], r["ties"]
    peer = virus_on_network(n, 2 * ties / n, seed=1)
    with garbage_collector_paused():                        # the same conditions as ours
        t0 = time.perf_counter()
        for _ in range(horizon):
            peer.step()
        theirs = n * horizon / (time.perf_counter() - t0)
    print(f"{region}: {n:,} agents, {ties:,} ties, {horizon} steps. This model {ours:,.0f} agent-steps/s "
          f"(with all its metrics every month); Mesa VirusOnNetwork {theirs:,.0f} agent-steps/s; "
          f"ratio {ours / theirs:.2f}")


def bench_instructions(runs: int) -> None:
    """Instructions per default run as valgrind counts them (cachegrind without cache simulation): the
    same at busy and quiet moments of a shared host, so two versions of the code can be compared at any
    time. The count of a process that makes ``runs`` runs less that of the same process making none,
    over ``runs``; string hashing is fixed (PYTHONHASHSEED=0) so that the count repeats."""
    import re
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (e.g. apt install valgrind); no other benchmark needs it")
    script = ("import sys; from sim.config import Config; from sim.run import simulate; "
              "simulate(Config(horizon_months=1)); [simulate(Config(seed=s)) for s in range(int(sys.argv[1]))]")
    counts = []
    for n in (0, runs):
        err = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                              sys.executable, "-c", script, str(n)], cwd=ROOT, capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": "0"}).stderr
        counts.append(int(re.search(r"I\s+refs:\s+([\d,]+)", err).group(1).replace(",", "")))
    print(f"default run (emscher, baseline, 120 months), imports excluded: {(counts[1] - counts[0]) / runs / 1e9:.3f} "
          f"billion instructions per run (valgrind, seeds 0-{runs - 1})")


def main(argv: list[str] | None = None) -> None:
    if argv is None and sys.argv[1:2] == ["_region"]:
        import json

        print(json.dumps(one_region([sys.argv[2]], int(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(prog="python -m sim.bench", description=__doc__.splitlines()[0])

    def positive(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
        return int(text)

    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("run")
    p.add_argument("--repeats", type=positive, default=15, help="runs (seeds 0 to repeats - 1)")
    p.add_argument("--minutes", type=float, default=0.0, help="repeat those runs for this long (a shared "
                   "host's load changes within minutes; about half the time goes to reading the yardstick)")
    p = sub.add_parser("sweep")
    p.add_argument("--runs", type=positive, default=100)
    p.add_argument("--horizon", type=int, default=120)
    p.add_argument("--jobs", type=int, default=-1)
    p.add_argument("--cli", action="store_true", help="through python -m sim -m (Hydra launchers)")
    p = sub.add_parser("scale")
    p.add_argument("--horizon", type=int, default=120)
    p.add_argument("--repeats", type=int, default=3, help="runs of RVR and NRW (Germany runs once)")
    p = sub.add_parser("peer")
    p.add_argument("--horizon", type=int, default=120)
    p.add_argument("--region", default="emscher")
    p = sub.add_parser("instructions")
    p.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}; reference workload {reference_ms():.0f} ms "
          f"({QUIET_MS[0]}-{QUIET_MS[1]} ms when the host is quiet); Mesa's VirusOnNetwork "
          f"{mesa_speed() / 1e3:,.0f}k agent-steps/s ({MESA_REFERENCE / 1e3:,.0f}k on this kind of machine)")
    if args.what == "run":
        bench_run(args.repeats, args.minutes)
    elif args.what == "scale":
        bench_scale(args.horizon, args.repeats)
    elif args.what == "peer":
        bench_peer(args.horizon, args.region)
    elif args.what == "instructions":
        bench_instructions(args.runs)
    elif args.cli:
        bench_sweep_cli(args.runs, args.horizon)
    else:
        bench_sweep(args.runs, args.horizon, args.jobs)


if __name__ == "__main__":
    main()
