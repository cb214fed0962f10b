"""Paired (common-random-number) differences between the levels of one setting.

Runs that differ only in ``factor`` (e.g. ``scenario``) and share their seed share every random draw
their difference does not cause, so the difference is taken seed by seed and its mean gets a t
confidence interval: much narrower than comparing two independent means. Runs are paired within
every combination of the other group columns; a run without its partner is left out (``n`` says
how many pairs there were).

>>> final = pd.DataFrame({"run_id": list("abcd"), "scenario": ["b", "b", "s", "s"], "seed": [0, 1, 0, 1],
...                       "metric": ["x"] * 4, "value": [10.0, 12.0, 13.0, 14.0]})
>>> d = paired_differences(final, "scenario", "b", []).iloc[0]
>>> d.level, int(d.n), float(d.diff_mean), round(float(d.rel_mean), 4)
('s', 2, 2.5, 0.2273)
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.aggregate import t_halfwidth
from sim.errors import UserError


def paired_differences(final: pd.DataFrame, factor: str, baseline, strata: list[str],
                       metrics: list[str] | None = None) -> pd.DataFrame:
    """Per level of ``factor`` (other than ``baseline``), stratum and metric: n pairs, the mean paired
    difference with its 95 % CI, and the same relative to the baseline's mean."""
    if factor not in final.columns:
        raise UserError(f"'{factor}' is not a setting of these runs; choose one of: "
                        f"{', '.join(c for c in final.columns if c not in ('run_id', 'seed', 'metric', 'value'))}")
    levels = [str(v) for v in final[factor].unique()]
    if str(baseline) not in levels:
        raise UserError(f"'{factor}' = {baseline!r} is not among the runs; levels: {', '.join(sorted(levels))}")
    data = final if metrics is None else final[final.metric.isin(metrics)]
    data = data.assign(**{factor: data[factor].astype(str)})
    index = [*strata, "seed", "metric"]
    wide = data.pivot_table(index=index, columns=factor, values="value", aggfunc="first")
    rows = []
    for level in [v for v in levels if v != str(baseline)]:
        pair = wide[[str(baseline), level]].dropna()
        groups = pair.groupby([*strata, "metric"]) if strata else pair.groupby("metric")
        for keys, g in groups:
            keys = keys if isinstance(keys, tuple) else (keys,)
            d = g[level] - g[str(baseline)]
            n, mean = len(d), float(d.mean())
            hw = t_halfwidth(float(d.std(ddof=1)) if n > 1 else float("nan"), n)
            base = float(g[str(baseline)].mean())
            rel = (lambda v: v / abs(base) if base else float("nan"))
            rows.append({"factor": factor, "baseline": str(baseline), "level": level,
                         **dict(zip([*strata, "metric"], keys)), "n": n, "baseline_mean": base,
                         "level_mean": float(g[level].mean()), "diff_mean": mean, "diff_low": mean - hw,
                         "diff_high": mean + hw, "rel_mean": rel(mean), "rel_low": rel(mean - hw),
                         "rel_high": rel(mean + hw), "clear": bool(math.isfinite(hw) and (mean - hw > 0 or mean + hw < 0))})
    return pd.DataFrame(rows)
