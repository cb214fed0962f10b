"""Summaries over replications: mean, sd, 95 % confidence interval, n, and whether n suffices.

Adequacy after Lee et al. (2015, JASSS 18(4)4): the replications suffice for a metric when the
CI half-width is at most ``precision`` (default 5 %) of the mean's magnitude; otherwise the table
says roughly how many replications would (the half-width shrinks with the square root of n).

>>> final = pd.DataFrame({"scenario": ["a"] * 4, "metric": ["x"] * 4, "value": [1.0, 2.0, 3.0, 4.0]})
>>> row = summarise(final, ["scenario"]).iloc[0]
>>> int(row.n), float(row["mean"]), round(float(row.ci_low), 2), round(float(row.ci_high), 2)
(4, 2.5, 0.45, 4.55)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def t_halfwidth(sd: float, n: int, level: float = 0.95) -> float:
    if n < 2 or not math.isfinite(sd):
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))


def summarise(final: pd.DataFrame, by: list[str], precision: float = 0.05) -> pd.DataFrame:
    """One row per group and metric: n, mean, sd, ci_low, ci_high, rel_halfwidth, adequate, n_needed.
    NaN values (undefined ratios) are left out of n."""
    rows = []
    for keys, g in final.dropna(subset=["value"]).groupby([*by, "metric"], sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        v = g.value.to_numpy(float)
        n, mean = len(v), float(v.mean())
        sd = float(v.std(ddof=1)) if n > 1 else float("nan")
        hw = t_halfwidth(sd, n)
        rel = hw / abs(mean) if mean and math.isfinite(hw) else (0.0 if hw == 0 else float("nan"))
        needed = int(math.ceil(n * (rel / precision) ** 2)) if math.isfinite(rel) and rel > 0 else n
        rows.append({**dict(zip([*by, "metric"], keys)), "n": n, "mean": mean, "sd": sd,
                     "ci_low": mean - hw, "ci_high": mean + hw, "rel_halfwidth": rel,
                     "adequate": bool(math.isfinite(rel) and rel <= precision), "n_needed": max(needed, n)})
    return pd.DataFrame(rows)


def bands(timeseries: pd.DataFrame, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group, metric and step: mean and 95 % CI over runs (for time-series plots)."""
    ts = timeseries[timeseries.metric.isin(metrics)].dropna(subset=["value"])
    g = ts.groupby([*by, "metric", "step"]).value
    out = g.agg(["mean", "std", "count"]).reset_index()
    hw = [t_halfwidth(s, int(n)) for s, n in zip(out["std"], out["count"])]
    out["ci_low"], out["ci_high"] = out["mean"] - np.nan_to_num(hw), out["mean"] + np.nan_to_num(hw)
    return out.rename(columns={"count": "n", "std": "sd"})
