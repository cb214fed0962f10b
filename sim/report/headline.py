"""The box on top of the report: three messages per scenario in plain language, each marked better,
worse or no clear change, with the time it covers and money in Mio. EUR.

1. projects completed over the horizon, all of them (municipalities' and those of companies with
   associations), since that is what the region gets;
2. the funding approved over the horizon, what coordination costs a year and who pays it, and how much
   additional funding each euro of coordination brings;
3. trust between the municipalities at the end (over every pair of municipalities, tied or not, so that
   a new tie alone does not move it: the mean over the ties would dip whenever an event adds ties that
   start at the prior, an artefact rather than a finding).
"""

from __future__ import annotations

import pandas as pd

from sim.report import formats as N
from sim.report import wording as W
from sim.report.tables import funding_per_coordination, payers

MESSAGES = ["all_completions", "funds_approved_eur", "trust_municipalities"]

TEXT = {
    "all_completions": ("Completed projects {base}: {b} instead of {a} ({how}){of_which}.",
                        "Abgeschlossene Projekte {base}: {b} statt {a} ({how}){of_which}."),
    "of_which": ("; of them {x} by companies with associations", "; davon {x} von Unternehmen mit Vereinen"),
    "funds_approved_eur": ("Funding approved {base}: {b} instead of {a} ({how}).",
                           "Bewilligte Fördermittel {base}: {b} statt {a} ({how})."),
    "cost": ("Coordination costs {cost} a year; {shares}.", "Die Koordination kostet {cost} pro Jahr; {shares}."),
    "shares": ("paid {parts}", "davon tragen {parts}"),
    "municipalities": ("{x} by the municipalities", "die Kommunen {x}"),
    "companies": ("{x} by companies", "Unternehmen {x}"),
    "other_public": ("{x} by the state and other public bodies", "Land und andere öffentliche Stellen {x}"),
    "per_euro": ("Each euro of coordination brings {x} EUR of additional funding (range {lo} to {hi}).",
                 "Jeder Euro für die Koordination bringt {x} EUR zusätzliche Fördermittel (Spanne {lo} bis {hi})."),
    "per_euro_point": ("Each euro of coordination brings {x} EUR of additional funding.",
                       "Jeder Euro für die Koordination bringt {x} EUR zusätzliche Fördermittel."),
    "trust_municipalities": ("Trust between the municipalities {base}: {b} instead of {a} on a scale of 0 to 1 "
                             "({how}).",
                             "Vertrauen zwischen den Kommunen {base}: {b} statt {a} auf einer Skala von 0 bis 1 "
                             "({how})."),
}


def _t(key: str, lang: str, **kw) -> str:
    return TEXT[key][0 if lang == "en" else 1].format(**kw)


def messages(diffs: pd.DataFrame, final: pd.DataFrame, means: dict[str, dict[str, float]], scenario: str,
             baseline: str, lang: str, years: float, robust: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """[(verdict, text)] for one scenario against the baseline; verdict in better/worse/none; with the
    robustness check (sim/report/robustness.py), in how many variants of the assumptions the direction holds."""
    from sim.report import robustness as R

    rows = diffs[diffs.scenario == scenario].set_index("metric")
    out = []
    for m in MESSAGES:
        if m not in rows.index:
            continue
        r = rows.loc[m]
        verdict = W.verdict(m, r.diff_low, r.diff_high, r.diff_mean)
        how = W.word(verdict, lang) if verdict == "none" else (
            N.signed_pct(r.rel_mean, lang) if W.FIGURES[m].relative and N.finite(r.rel_mean)
            else W.change(m, r.diff_mean, lang))
        kw = dict(base=W.time_base(m, lang, years), a=W.value(m, r.baseline_mean, lang),
                  b=W.value(m, r.scenario_mean, lang), how=how)
        if m == "all_completions":
            x = means[scenario].get("request_completions", 0.0)
            kw["of_which"] = _t("of_which", lang, x=N.count(x, lang)) if x else ""
        text = _t(m, lang, **kw)
        if robust is not None and verdict != "none":
            hit = robust[(robust.scenario == scenario) & (robust.metric == m)]
            if not hit.empty and hit.n_variants.iloc[0]:
                text = text[:-1] + "; " + R.sentence(hit.iloc[0], lang) + "."
        if m == "funds_approved_eur":
            text += " " + cost_text(final, means, scenario, baseline, lang, years)
        out.append((verdict, text))
    return out


def cost_text(final: pd.DataFrame, means: dict, scenario: str, baseline: str, lang: str, years: float) -> str:
    """What coordination costs a year, who pays it, and the additional funding per euro of it."""
    m = means[scenario]
    cost = m.get("coordination_cost_eur", 0.0)
    if not cost:
        return ""
    share = payers(m)
    parts = [_t(k, lang, x=N.pct(v / cost, lang)) for k, v in share.items() if N.pct(v / cost, lang) != "0 %"]
    text = _t("cost", lang, cost=N.money(cost / years, lang), shares=_t("shares", lang, parts=", ".join(parts)))
    ratio = funding_per_coordination(final, baseline, scenario)
    if ratio:
        show = lambda x: N.num(x, lang, 2)     # noqa: E731
        ends = N.span(ratio["low"], ratio["high"], show)
        text += " " + (_t("per_euro", lang, x=show(ratio["mean"]), lo=ends[0], hi=ends[1]) if ends
                       else _t("per_euro_point", lang, x=show(ratio["mean"])))
    return text
