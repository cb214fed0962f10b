"""Tables for the report: per-scenario summaries and paired differences against the baseline.

Runs of different scenarios with the same seed share their random numbers (common random numbers),
so differences are taken per seed and their mean gets a t confidence interval. Relative changes
divide by the baseline's mean (treated as fixed).

>>> final = pd.DataFrame({"scenario": ["b", "b", "s", "s"], "seed": [0, 1, 0, 1], "metric": ["x"] * 4,
...                       "value": [10.0, 12.0, 13.0, 14.0]})
>>> d = differences(final, "b", ["x"]).iloc[0]
>>> float(d.diff_mean), float(d.rel_mean)
(2.5, 0.22727272727272727)
"""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.aggregate import t_halfwidth
from sim.report import labels as L

# metric -> (digits, unit shown after absolute changes)
FORMATS = {"approvals_per_year": (1, ""), "completions_per_year": (1, ""), "trust_mean": (3, ""),
           "trust_public_public": (3, ""), "lead_time_approval_months": (1, ""), "funds_approved_eur": (0, " EUR"),
           "gini_funds_per_head": (3, ""), "consortia": (0, ""), "cross_sector_share": (3, ""),
           "coordination_cost_eur": (0, " EUR"), "cost_per_completion_eur": (0, " EUR"),
           "company_ngo_consortia": (0, "")}


def differences(final: pd.DataFrame, baseline: str, metrics: list[str]) -> pd.DataFrame:
    """Per scenario and metric: mean paired difference to the baseline, its 95 % CI, and the same relative."""
    rows = []
    data = final[final.metric.isin(metrics)]
    wide = data.pivot_table(index=["seed", "metric"], columns="scenario", values="value")
    for sc in [s for s in wide.columns if s != baseline]:
        for m in metrics:
            if m not in wide.index.get_level_values("metric"):
                continue
            pair = wide.xs(m, level="metric")[[baseline, sc]].dropna()
            d = pair[sc] - pair[baseline]
            n = len(d)
            mean = float(d.mean()) if n else float("nan")
            hw = t_halfwidth(float(d.std(ddof=1)), n) if n > 1 else float("nan")
            if n > 1 and d.std(ddof=1) == 0:
                hw = 0.0
            base = float(pair[baseline].mean()) if n else float("nan")
            rel = (lambda x: x / base) if base and math.isfinite(base) else (lambda x: float("nan"))
            rows.append({"scenario": sc, "metric": m, "n": n, "baseline_mean": base,
                         "scenario_mean": float(pair[sc].mean()) if n else float("nan"),
                         "diff_mean": mean, "diff_low": mean - hw, "diff_high": mean + hw,
                         "rel_mean": rel(mean), "rel_low": rel(mean - hw), "rel_high": rel(mean + hw)})
    return pd.DataFrame(rows)


def sentence(row, lang: str) -> str:
    """One plain sentence, e.g. 'With the service organisation, approvals per year rise by 38 % (95 % CI 30 to 46 %).'"""
    sc, name = L.phrase(row.scenario, lang), L.metric(row.metric, lang)
    relative = math.isfinite(row.rel_mean)
    digits, unit = FORMATS.get(row.metric, (2, ""))
    clear = row.diff_low > 0 or row.diff_high < 0
    lo, hi = (row.rel_low, row.rel_high) if relative else (row.diff_low, row.diff_high)
    if clear and row.diff_mean < 0:                 # a fall is told in magnitudes: "falls by 31 % (30 % to 33 %)"
        lo, hi = -hi, -lo
    if relative:
        value, low, high = L.pct(abs(row.rel_mean), lang), L.pct(lo, lang), L.pct(hi, lang)
    else:
        value = L.fmt(abs(row.diff_mean), lang, digits) + unit
        low, high = L.fmt(lo, lang, digits) + unit, L.fmt(hi, lang, digits) + unit
    if not clear:
        return L.t("sentence_none", lang, scenario=sc, metric=name, low=low, high=high)
    up = row.diff_mean > 0
    verb = L.t(("rise" if up else "fall") if L.plural(row.metric, lang) else ("rises" if up else "falls"), lang)
    return L.t("sentence", lang, scenario=sc, metric=name, verb=verb, value=value, low=low, high=high)
