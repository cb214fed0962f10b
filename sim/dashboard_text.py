"""The dashboard's words in English and German (``python -m sim.app --lang de``). Scenario and region names
are the report's (sim/report/labels.py), so that a scenario is called the same in the room as on paper."""

from __future__ import annotations

import os

LANGS = ("en", "de")
ENV = "SIM_DASHBOARD_LANG"


def language() -> str:
    """The dashboard's language: ``--lang`` (passed to the server as SIM_DASHBOARD_LANG), else English."""
    lang = os.environ.get(ENV, "en")
    return lang if lang in LANGS else "en"


TEXT = {
    "title": ("Cooperation in the region: workshop dashboard", "Kooperation in der Region: Workshop-Dashboard"),
    "region": ("Region", "Region"),
    "scenario": ("Scenario (coordinating bodies)", "Szenario (Koordinationsstellen)"),
    "so_staff": ("Service organisation: staff (full-time; 11 = as in the scenario)",
                 "Serviceorganisation: Personal (Vollzeitstellen; 11 = wie im Szenario)"),
    "broker_staff": ("Broker group: coordinator staff (full-time; 1 = as in the scenario)",
                     "Unternehmergruppe: Koordination (Vollzeitstellen; 1 = wie im Szenario)"),
    "budget": ("Funding budget (EUR per inhabitant and year; 0 = as in the scenario)",
               "Förderbudget (EUR je Einwohner und Jahr; 0 = wie im Szenario)"),
    "cofinancing": ("Own share applicants pay (0 = as in the scenario)",
                    "Eigenanteil der Antragsteller (0 = wie im Szenario)"),
    "seed": ("Random seed (same seed, same run)", "Startwert der Zufallszahlen (gleicher Wert, gleicher Lauf)"),
    "month": ("Month {t} of {h}", "Monat {t} von {h}"),
    "finished": (" (finished: press Reset to start again)", " (Ende: mit Reset neu beginnen)"),
    "approvals": ("approvals", "Bewilligungen"), "completions": ("completed projects", "abgeschlossene Projekte"),
    "consortia": ("joint projects", "gemeinsame Projekte"), "trust": ("trust between municipalities",
                                                                     "Vertrauen zwischen den Kommunen"),
    "actors": ("{m} municipalities, {c} companies, {n} associations",
               "{m} Kommunen, {c} Unternehmen, {n} gemeinnützige Vereine"),
    "bodies": ("coordinating bodies", "Koordinationsstellen"), "none": ("none", "keine"),
    "funding": ("Funding", "Förderung"),
    "funding_text": ("{b} EUR per inhabitant and year ({total} million EUR a year); applicants pay {own} themselves",
                     "{b} EUR je Einwohner und Jahr ({total} Mio. EUR pro Jahr); Eigenanteil {own}"),
    "own": (" (as in the scenario)", " (wie im Szenario)"),
    "slider": (" (set by the slider)", " (per Schieberegler)"),
    "staff": ("Staff", "Personal"), "seed_word": ("Random seed", "Startwert"),
    "no_body": ("no {what} in this scenario: its slider does nothing", "keine {what} in diesem Szenario: der "
                                                                       "Schieberegler wirkt nicht"),
    "hint": ("Changed a setting on the left? Press <b>Reset</b> to start again with it. <b>Step</b> runs one month, "
             "<b>&#9654;</b> runs month after month.",
             "Einstellung links geändert? Mit <b>Reset</b> neu beginnen. <b>Step</b> rechnet einen Monat, "
             "<b>&#9654;</b> Monat für Monat."),
    "side": ("Baseline and scenario run side by side on the same random numbers.",
             "Ausgangslage und Szenario laufen nebeneinander mit denselben Zufallszahlen."),
    "map_title": ("{name} · month {t}: {ties} ties", "{name} · Monat {t}: {ties} Beziehungen"),
    "who": ("Who", "Wer"),
    "municipality": ("Municipality (size: population)", "Kommune (Größe: Einwohner)"),
    "company": ("Company", "Unternehmen"), "ngo": ("Association (NGO)", "Gemeinnütziger Verein"),
    "body": ("Coordinating body", "Koordinationsstelle"), "coordinator": ("City coordinator", "Stadtkoordination"),
    "tie_title": ("A line is a tie between two actors;\nthicker and darker = more trust",
                  "Eine Linie ist eine Beziehung;\ndicker und dunkler = mehr Vertrauen"),
    "tie_new": ("trust {x}: new tie, no joint experience", "Vertrauen {x}: neu, ohne gemeinsame Erfahrung"),
    "tie_some": ("trust {x}: some good experience", "Vertrauen {x}: einige gute Erfahrungen"),
    "tie_much": ("trust {x}: much good experience", "Vertrauen {x}: viele gute Erfahrungen"),
    "series_projects": ("Approvals so far", "Bewilligungen bisher"),
    "series_trust": ("Trust between municipalities (0 to 1)", "Vertrauen zwischen den Kommunen (0 bis 1)"),
    "run": ("Run", "Ablauf"), "settings": ("Settings (press Reset to apply)", "Einstellungen (mit Reset übernehmen)"),
    "pause": ("Pause between months when running (milliseconds)", "Pause zwischen den Monaten (Millisekunden)"),
    "per_step": ("Months per Step", "Monate je Schritt"),
}

BODY_NAMES = {
    "service_organisation": ("Service organisation", "Serviceorganisation"),
    "city_coordinators": ("City coordinators", "Stadtkoordination"),
    "broker_group": ("Broker group", "Unternehmergruppe"), "project_office": ("Project office", "Projektbüro"),
    "development": ("Development management", "Regionalmanagement"),
    "culture_events": ("Culture events", "Kulturveranstaltungen"), "entry": ("Entry of towns", "Beitritt"),
    "association": ("Regional association", "Regionalverband"),
}


def t(key: str, lang: str, **kw) -> str:
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**kw) if kw else text


def body(key: str, lang: str) -> str:
    return BODY_NAMES[key][LANGS.index(lang)] if key in BODY_NAMES else key


def number(x: float, lang: str, digits: int = 0) -> str:
    from sim.report.formats import num

    return num(x, lang, digits)
