"""ABC-SMC (pyabc) for one fit: the prior from the calibration file, a model that runs a particle's
seeds through the Runner (cached), a weighted Euclidean distance over the fitted patterns, a
deterministic single-core sampler with np.random seeded from the file, and an in-memory database
("sqlite://"): nothing is written to or read back from a result file by pyabc."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.calibration.runner import Runner
from sim.calibration.spec import Fit, Param, Pattern

PENALTY = 1e6          # the distance of a particle whose fitted outputs are undefined (e.g. no concept yet)


def distance(simulated: Mapping[str, float], patterns: Sequence[Pattern]) -> float:
    """sqrt(sum over the patterns of ((simulated - target) / uncertainty)^2); an undefined output gives
    PENALTY. For a range the target is its middle (and the uncertainty its scale)."""
    total = 0.0
    for p in patterns:
        x = simulated.get(p.name, float("nan"))
        if x is None or not math.isfinite(x):
            return PENALTY
        total += ((x - p.target) / p.uncertainty) ** 2
    return math.sqrt(total)


def seed_mean(values: Sequence[float]) -> float:
    xs = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(xs)) if xs else float("nan")


def name_of(key: str) -> str:
    """A parameter's name inside pyabc (no dots)."""
    return key.replace(".", "__")


def prior(params: Sequence[Param]):
    import pyabc

    rv = {}
    for p in params:
        rv[name_of(p.key)] = (pyabc.RV("uniform", p.low, p.high - p.low) if p.prior == "uniform"
                              else pyabc.RV("loguniform", p.low, p.high))
    return pyabc.Distribution(**rv)


def group_patterns(patterns: Sequence[Pattern]) -> dict[tuple, list[Pattern]]:
    out: dict[tuple, list[Pattern]] = {}
    for p in patterns:
        out.setdefault(p.group, []).append(p)
    return out


@dataclass
class FitResult:
    fit: Fit
    posterior: pd.DataFrame            # one row per particle of the last generation: parameters, weight, distance
    populations: pd.DataFrame          # every generation's particles
    generations: pd.DataFrame          # t, epsilon, samples, particles
    simulations: int
    runs: int
    computed: int
    seconds: float
    point: dict[str, float] = field(default_factory=dict)   # weighted posterior medians, rounded

    def draws(self, n: int, rng: np.random.Generator) -> list[dict[str, float]]:
        """n parameter sets drawn from the posterior (by weight)."""
        w = self.posterior["weight"].to_numpy(float)
        idx = rng.choice(len(w), size=n, replace=True, p=w / w.sum())
        keys = [p.key for p in self.fit.params]
        return [{k: float(self.posterior[k].iloc[i]) for k in keys} for i in idx]


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cw = np.cumsum(w) - 0.5 * w
    cw /= w.sum()
    return float(np.interp(q, cw, x))


class _Progress(logging.Handler):
    def __init__(self, log: Callable[[str], None], label: str):
        super().__init__(logging.INFO)
        self.log, self.label = log, label

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith(("t:", "Accepted", "Stop", "Stopping", "Calibration")):
            self.log(f"  [{self.label}] {msg}")


def run_fit(fit: Fit, patterns: Sequence[Pattern], settings: dict, runner: Runner,
            log: Callable[[str], None] = print) -> FitResult:
    """ABC-SMC for ``fit`` on ``patterns`` (the fit's, or their quick variants)."""
    import pyabc
    from pyabc.sampler import SingleCoreSampler

    seeds = list(settings["seeds"])
    groups = group_patterns(patterns)
    keys = {name_of(p.key): p.key for p in fit.params}
    t0 = time.perf_counter()
    runs0, computed0 = runner.runs, runner.computed
    count = [0]

    def model(parameter) -> dict[str, float]:
        values = {keys[k]: float(v) for k, v in dict(parameter).items()}
        out = {}
        for group, pats in groups.items():
            (summaries,) = runner.summaries(group, [values], seeds)
            for p in pats:
                out[p.name] = seed_mean([p.output.value(s) for s in summaries])
        count[0] += 1
        if count[0] % 10 == 0:
            log(f"  [{fit.name}] {count[0]} particles simulated, {runner.runs - runs0} runs "
                f"({runner.computed - computed0} computed, the rest from the cache), {time.perf_counter() - t0:.0f} s")
        return out

    logger = logging.getLogger("ABC")
    handler = _Progress(log, fit.name)
    old_level, old_propagate, old_handlers = logger.level, logger.propagate, list(logger.handlers)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.handlers = [handler]          # pyabc's own lines replaced by ours
    state = np.random.get_state()
    try:
        np.random.seed(int(settings["seed"]))
        abc = pyabc.ABCSMC(model, prior(fit.params), lambda x, x0: distance(x, patterns),
                           population_size=int(settings["population_size"]), sampler=SingleCoreSampler())
        abc.new("sqlite://", {p.name: p.target for p in patterns})
        history = abc.run(minimum_epsilon=float(settings["minimum_epsilon"]),
                          max_nr_populations=int(settings["generations"]))
    finally:
        np.random.set_state(state)
        logger.handlers = old_handlers
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    pops = []
    gens = history.get_all_populations()
    for t in range(history.max_t + 1):
        df, w = history.get_distribution(m=0, t=t)
        dist = history.get_weighted_distances(t=t)
        frame = pd.DataFrame({keys[c]: df[c].to_numpy(float) for c in df.columns})
        frame.insert(0, "generation", t)
        frame["weight"] = np.asarray(w, float)
        dw = dist["w"].to_numpy(float)
        aligned = len(dist) == len(frame) and np.allclose(dw / dw.sum(), frame["weight"] / frame["weight"].sum())
        frame["distance"] = dist["distance"].to_numpy(float) if aligned else float("nan")   # same particle order
        eps = gens.loc[gens.t == t, "epsilon"]
        frame["epsilon"] = float(eps.iloc[0]) if len(eps) else float("nan")
        pops.append(frame)
    populations = pd.concat(pops, ignore_index=True)
    posterior = populations[populations.generation == history.max_t].drop(columns="generation").reset_index(drop=True)
    generations = gens[gens.t >= 0][["t", "epsilon", "samples", "particles"]].rename(columns={"t": "generation"})
    result = FitResult(fit, posterior, populations, generations.reset_index(drop=True),
                       int(history.total_nr_simulations), runner.runs - runs0, runner.computed - computed0,
                       time.perf_counter() - t0)
    w = posterior["weight"].to_numpy(float)
    result.point = {p.key: round(weighted_quantile(posterior[p.key].to_numpy(float), w, 0.5), p.decimals)
                    for p in fit.params}
    return result
