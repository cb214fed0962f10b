"""Posterior predictive checks on the fitted patterns and predictions of the held-out patterns.

Draw i of the posterior (one parameter set from every fit, by weight) runs once, with seed
``predictive_seed0 + i``, in each (scenario, region, months) group of the patterns; a pattern's
interval is the central ``interval`` share of its simulated values over the draws (parameter and
run-to-run uncertainty together). A pattern is reproduced if its observed point lies in the interval
(a range: if the two overlap). The observed values of held-out patterns are read only here, after
the prediction, to mark it reproduced or not."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from sim.calibration.abc import FitResult, group_patterns
from sim.calibration.runner import Runner
from sim.calibration.spec import Pattern


def joint_draws(results: Sequence[FitResult], n: int, seed: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    per_fit = [r.draws(n, rng) for r in results]
    return [{k: v for draws in per_fit for k, v in draws[i].items()} for i in range(n)]


def simulate_draws(patterns: Sequence[Pattern], draws: Sequence[dict], seed0: int, runner: Runner,
                   log: Callable[[str], None]) -> pd.DataFrame:
    """Tidy values: one row per pattern and draw (draw, seed, the parameters, value)."""
    rows = []
    for group, pats in group_patterns(patterns).items():
        log(f"  [predict] {group[0]} on {group[1]}, {group[2]} months: {len(draws)} posterior draws "
            f"for {', '.join(p.name for p in pats)}")
        summaries = runner.pairs(group, [(d, seed0 + i) for i, d in enumerate(draws)])
        for i, (d, s) in enumerate(zip(draws, summaries)):
            for p in pats:
                rows.append({"pattern": p.name, "draw": i, "seed": seed0 + i, **d, "value": p.output.value(s)})
    return pd.DataFrame(rows)


def interval_table(patterns: Sequence[Pattern], values: pd.DataFrame, level: float, role: str,
                   reasons: dict | None = None) -> pd.DataFrame:
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    rows = []
    for p in patterns:
        x = values.loc[values.pattern == p.name, "value"].to_numpy(float)
        finite = x[np.isfinite(x)]
        lo, hi = (float(np.quantile(finite, lo_q)), float(np.quantile(finite, hi_q))) if len(finite) else (math.nan,) * 2
        rows.append({"pattern": p.name, "title": p.title, "role": role, "scenario": p.scenario, "region": p.region,
                     "months": p.months, "output": p.output.describe(), "observed": p.observed,
                     "observed_low": p.low, "observed_high": p.high, "uncertainty": p.uncertainty,
                     "draws": len(x), "defined": len(finite),
                     "mean": float(finite.mean()) if len(finite) else math.nan,
                     "median": float(np.median(finite)) if len(finite) else math.nan,
                     "low": lo, "high": hi, "interval": level,
                     "reproduced": "yes" if p.inside(lo, hi) else "no",
                     "source": p.source, **({"reason": reasons.get(p.name, "")} if reasons is not None else {})})
    return pd.DataFrame(rows)
