"""How the report speaks about each figure: its name in tables, the subject and verbs of a sentence
in English and German, the time it refers to, and which direction is better for the region.

A figure's sentence reads e.g. "Mit „Klima.Werk (Serviceorganisation)“ verkürzt sich die Zeit von der Idee
bis zur Bewilligung von 4,9 auf 3,3 Monate (−33 %, Spanne −40 % bis −26 %): besser." The German is
written as a German administration would write it: an article before every noun, a verb that fits the
noun ("verkürzt sich" for a time, "steigt" for a number), numbers with a decimal comma.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.report import formats as N


@dataclass(frozen=True)
class Figure:
    """kind: count, money, months, scale (0 to 1) or ratio; better: +1 higher is better, -1 lower is better,
    0 a cost (told as such, never as "worse"); base: "year" (per year), "total" (over the horizon),
    "end" (at the end) or "" (no time base); relative: tell the change in % of the baseline."""
    en: str                    # the name in tables and figures
    de: str
    en_subject: str            # the subject of a sentence, with its verbs for a rise and a fall
    en_up: str
    en_down: str
    de_subject: str
    de_up: str
    de_down: str
    kind: str
    better: int
    base: str
    relative: bool = True


FIGURES = {
    "approvals_per_year": Figure(
        "approvals of funding per year", "Förderbewilligungen pro Jahr",
        "approvals of funding", "rise", "fall", "die Zahl der Förderbewilligungen", "steigt", "sinkt",
        "rate", +1, "year"),
    "all_completions": Figure(
        "completed projects, all (municipalities, companies with associations)",
        "abgeschlossene Projekte insgesamt (Kommunen, Unternehmen mit Vereinen)",
        "completed projects", "rise", "fall", "die Zahl der abgeschlossenen Projekte", "steigt", "sinkt",
        "count", +1, "total"),
    "completions": Figure(
        "completed projects of municipalities", "abgeschlossene Projekte der Kommunen",
        "the municipalities' completed projects", "rise", "fall",
        "die Zahl der abgeschlossenen Projekte der Kommunen", "steigt", "sinkt", "count", +1, "total"),
    "company_ngo_consortia": Figure(
        "projects of companies with associations", "Projekte von Unternehmen mit gemeinnützigen Vereinen",
        "projects of companies with associations", "rise", "fall",
        "die Zahl der Projekte von Unternehmen mit gemeinnützigen Vereinen", "steigt", "sinkt", "count", +1, "total"),
    "consortia": Figure(
        "joint projects of several partners", "gemeinsame Projekte mehrerer Partner",
        "joint projects of several partners", "rise", "fall", "die Zahl der gemeinsamen Projekte mehrerer Partner",
        "steigt", "sinkt", "count", +1, "total"),
    "lead_time_approval_months": Figure(
        "months from idea to approval", "Monate von der Idee bis zur Bewilligung",
        "the time from idea to approval", "lengthens", "shortens", "die Zeit von der Idee bis zur Bewilligung",
        "verlängert sich", "verkürzt sich", "months", -1, ""),
    "funds_approved_eur": Figure(
        "approved funding", "bewilligte Fördermittel", "approved funding", "rises", "falls",
        "die Summe der bewilligten Fördermittel", "steigt", "sinkt", "money", +1, "total"),
    "trust_municipalities": Figure(
        "trust between municipalities (0 to 1)", "Vertrauen zwischen den Kommunen (0 bis 1)",
        "trust between municipalities (on a scale of 0 to 1)", "grows", "falls",
        "das Vertrauen zwischen den Kommunen (Skala von 0 bis 1)", "wächst", "sinkt", "scale", +1, "end",
        relative=False),
    "gini_funds_per_head": Figure(
        "unequal sharing of funds per inhabitant (Gini index)",
        "ungleiche Verteilung der Fördermittel je Einwohner (Gini-Index)",
        "the inequality of funds per inhabitant (Gini index: 0 = equal everywhere, 1 = all in one town)",
        "grows", "shrinks",
        "die ungleiche Verteilung der Fördermittel je Einwohner (Gini-Index: 0 = überall gleich, "
        "1 = alles in einer Kommune)", "nimmt|zu", "nimmt|ab", "scale", -1, "end", relative=False),
    "coordination_cost_per_year": Figure(
        "cost of coordination per year", "Kosten der Koordination pro Jahr", "the cost of coordination",
        "rises", "falls", "die Kosten der Koordination", "steigen", "sinken", "money", 0, "year"),
    "cost_per_completion_eur": Figure(
        "grants and coordination per completed project", "Fördermittel und Koordination je abgeschlossenem Projekt",
        "grants and coordination per completed project", "rise", "fall",
        "der Aufwand an Fördermitteln und Koordination je abgeschlossenem Projekt", "steigt", "sinkt",
        "money", -1, ""),
}

WORDS = {
    "better": ("better", "besser"), "worse": ("worse", "schlechter"), "none": ("no clear change", "keine klare Veränderung"),
    "cost_up": ("additional cost", "Mehrkosten"), "cost_down": ("savings", "Einsparung"),
    "range": ("range", "Spanne"), "every_run": ("the same in every run", "in allen Läufen gleich"),
    "year": ("a year", "pro Jahr"), "total": ("in {years}", "in {years}"),
    "end": ("after {years}", "nach {years}"), "months_unit": (" months", " Monate"),
    "none_list": ("No clear change with {scenario} in: {items}.", "Keine klare Veränderung mit {scenario} bei: {items}."),
}


def word(key: str, lang: str, **kw) -> str:
    text = WORDS[key][0 if lang == "en" else 1]
    return text.format(**kw) if kw else text


def label(name: str, lang: str) -> str:
    f = FIGURES.get(name)
    return (f.en if lang == "en" else f.de) if f else name


def value(name: str, x: float, lang: str, like: float | None = None) -> str:
    """A level of a figure, as the reader should see it; ``like``: a value whose digits to use (the mean, for
    the ends of its range)."""
    kind = FIGURES[name].kind if name in FIGURES else "count"
    if kind == "count" and like is not None and N.finite(like):
        return N.num(x, lang, 0 if abs(like) >= 10 else 1)
    if kind == "money":
        return N.money(x, lang)
    if kind == "months":
        return N.num(x, lang, 1)
    if kind == "scale":
        return N.num(x, lang, 2)
    if kind in ("ratio", "rate"):
        return N.num(x, lang, 1)
    return N.count(x, lang)


def change(name: str, diff: float, lang: str) -> str:
    """An absolute change with its sign."""
    kind = FIGURES[name].kind if name in FIGURES else "count"
    if kind == "money":
        return N.money(diff, lang, signed_=True)
    if kind == "scale":                  # a change on a 0-to-1 scale: three decimals where two would read 0,00
        return N.signed(diff, lang, 2 if abs(diff) >= 0.005 else 3)
    return N.signed(diff, lang, 1 if abs(diff) < 10 or kind == "months" else 0)


def verdict(name: str, low: float, high: float, mean: float) -> str:
    """better / worse / none (the range includes no change) / cost_up / cost_down."""
    if not (low > 0 or high < 0):
        return "none"
    up = mean > 0
    better = FIGURES[name].better if name in FIGURES else 0
    if better == 0:
        return "cost_up" if up else "cost_down"
    return "better" if up == (better > 0) else "worse"


def time_base(name: str, lang: str, years: float) -> str:
    base = FIGURES[name].base if name in FIGURES else ""
    return word(base, lang, years=N.duration(years, lang)) if base else ""


def quoted(name: str, lang: str) -> str:
    """A scenario's name in quotes, so that the one name reads right in every sentence."""
    return f"„{name}“" if lang == "de" else f"“{name}”"
