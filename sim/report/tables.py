"""Tables for the report: per-scenario summaries and paired differences against the baseline, with a
sentence and a verdict (better, worse, no clear change) for each.

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

import numpy as np
import pandas as pd

from sim.analysis.aggregate import t_halfwidth
from sim.report import formats as N
from sim.report import wording as W


def derive(final: pd.DataFrame, years: float) -> pd.DataFrame:
    """Add the figures the report tells that a run does not record under one name: all completed projects
    (municipalities' and NGOs' with companies) and the cost of coordination per year."""
    wide = final.pivot_table(index=["scenario", "seed"], columns="metric", values="value")
    extra = {}
    if {"completions", "request_completions"} <= set(wide.columns):
        extra["all_completions"] = wide.completions + wide.request_completions
    if "coordination_cost_eur" in wide.columns:
        extra["coordination_cost_per_year"] = wide.coordination_cost_eur / years
    if not extra:
        return final
    add = pd.DataFrame(extra).stack().rename("value").reset_index().rename(columns={"level_2": "metric"})
    return pd.concat([final, add[["scenario", "seed", "metric", "value"]]], ignore_index=True)


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


def funding_per_coordination(final: pd.DataFrame, baseline: str, scenario: str) -> dict | None:
    """Additional approved funding per euro of additional coordination, seed by seed against the baseline:
    mean, 95 % CI and n; None where the scenario costs no more coordination than the baseline."""
    wide = final[final.metric.isin(["funds_approved_eur", "coordination_cost_eur"])].pivot_table(
        index="seed", columns=["metric", "scenario"], values="value")
    try:
        cost = wide["coordination_cost_eur"][scenario] - wide["coordination_cost_eur"][baseline]
        funds = wide["funds_approved_eur"][scenario] - wide["funds_approved_eur"][baseline]
    except KeyError:
        return None
    ok = cost > 0
    if not ok.any():
        return None
    r = (funds[ok] / cost[ok]).to_numpy(float)
    hw = t_halfwidth(float(np.std(r, ddof=1)), len(r)) if len(r) > 1 else float("nan")
    return {"mean": float(r.mean()), "low": float(r.mean() - hw), "high": float(r.mean() + hw), "n": len(r)}


def payers(means: dict[str, float]) -> dict[str, float]:
    """Who pays the coordination, from a scenario's mean summary (EUR over the horizon): the municipalities
    (the service organisation's fees, the coordinators, their share of the broker's coordinator), the
    companies (the rest of the broker's coordinator) and other public bodies (state, water board, regional
    association, district: the rest). docs/scenarios.md says for each body who pays."""
    g = lambda k: float(means.get(k, 0.0) or 0.0)     # noqa: E731
    companies = g("broker_group_cost_eur") - g("broker_municipal_cost_eur")
    municipalities = g("so_fees_eur") + g("broker_municipal_cost_eur") + g("city_coordinators_cost_eur")
    other = g("coordination_cost_eur") - companies - municipalities
    return {"municipalities": municipalities, "companies": companies, "other_public": max(other, 0.0)}


def range_text(row, lang: str) -> str:
    """'Spanne −1 % bis +14 %', 'in allen Läufen gleich', or '' where the ends would read the same."""
    if row.diff_high - row.diff_low == 0:
        return W.word("every_run", lang)
    if W.FIGURES[row.metric].relative and N.finite(row.rel_mean):
        # one decimal where an end that is not zero would read "0 %" (a clear rise shown as "0 % to +3 %")
        digits = 1 if any(x != 0 and N.signed_pct(x, lang) in ("0 %", "−0 %") for x in (row.rel_low, row.rel_high)) else 0
        ends = N.span(row.rel_low, row.rel_high, lambda x: N.signed_pct(x, lang, digits))
    else:
        ends = N.span(row.diff_low, row.diff_high, lambda x: W.change(row.metric, x, lang))
    if ends is None:
        return ""
    return f"{W.word('range', lang)} {ends[0]} {'to' if lang == 'en' else 'bis'} {ends[1]}"


def sentence(row, lang: str, scenario_name: str, years: float) -> tuple[str, str]:
    """One plain sentence and its verdict, e.g. 'Mit „Klima.Werk (Serviceorganisation)“ verkürzt sich die Zeit
    von der Idee bis zur Bewilligung von 4,9 auf 3,3 Monate (−33 %; Spanne −40 % bis −26 %): besser.'
    A change whose range includes zero gets no sentence of its own (verdict 'none', text '')."""
    f = W.FIGURES[row.metric]
    verdict = W.verdict(row.metric, row.diff_low, row.diff_high, row.diff_mean)
    if verdict == "none":
        return "", verdict
    up = row.diff_mean > 0
    a, b = W.value(row.metric, row.baseline_mean, lang), W.value(row.metric, row.scenario_mean, lang)
    unit = W.word("months_unit", lang) if f.kind == "months" else ""
    base = W.time_base(row.metric, lang, years)
    how = (N.signed_pct(row.rel_mean, lang) if f.relative and N.finite(row.rel_mean)
           else W.change(row.metric, row.diff_mean, lang))
    spread = range_text(row, lang)
    detail = f"{how}; {spread}" if spread else how
    sc = W.quoted(scenario_name, lang)
    if lang == "de":
        verb, _, particle = (f.de_up if up else f.de_down).partition("|")     # "nimmt ... zu"
        text = (f"Mit {sc} {verb} {f.de_subject}{' ' + base if base else ''} von {a} auf {b}{unit}"
                f"{' ' + particle if particle else ''} ({detail})")
    else:
        verb = f.en_up if up else f.en_down
        text = f"With {sc}, {f.en_subject} {verb} from {a} to {b}{unit}{' ' + base if base else ''} ({detail})"
    return f"{text}: {W.word(verdict, lang)}.", verdict
