"""Words and numbers for the report, in English and German.

>>> fmt(1234567.891, "de", 1), fmt(1234567.891, "en", 1)
('1.234.567,9', '1,234,567.9')
>>> pct(0.384, "de")
'38 %'
"""

from __future__ import annotations

import math

LANGS = ("en", "de")

# name -> (English, German, English plural?, German plural?)
METRICS = {
    "approvals_per_year": ("approvals per year", "Bewilligungen pro Jahr", True, True),
    "completions_per_year": ("completed projects per year", "abgeschlossene Projekte pro Jahr", True, True),
    "ideas": ("project ideas", "Projektideen", True, True),
    "applications": ("applications", "Förderanträge", True, True),
    "approvals": ("approvals", "Bewilligungen", True, True),
    "completions": ("completed projects", "abgeschlossene Projekte", True, True),
    "trust_mean": ("mean trust", "mittleres Vertrauen", False, False),
    "trust_public_public": ("trust between municipalities", "Vertrauen zwischen Kommunen", False, False),
    "lead_time_approval_months": ("months from idea to approval", "Monate von der Idee bis zur Bewilligung",
                                  True, True),
    "funds_approved_eur": ("approved funding", "bewilligte Fördermittel", False, True),
    "gini_funds_per_head": ("inequality of funds per inhabitant (Gini)", "Ungleichheit der Mittel pro Kopf (Gini)",
                            False, False),
    "consortia": ("partnerships formed", "gebildete Partnerschaften", True, True),
    "cross_sector_share": ("share of ties across sectors", "Anteil sektorübergreifender Beziehungen", False, False),
    "coordination_cost_eur": ("cost of coordination", "Kosten der Koordination", False, True),
    "cost_per_completion_eur": ("public money per completed project", "öffentliche Mittel je abgeschlossenem Projekt",
                                False, True),
    "company_ngo_consortia": ("company–NGO projects", "Projekte von Unternehmen und Vereinen", True, True),
    "request_completions": ("company–NGO projects completed", "abgeschlossene Projekte von Unternehmen und Vereinen",
                            True, True),
}

SCENARIOS = {
    "baseline": ("baseline (no coordinating body)", "Ausgangslage (ohne Koordinationsstelle)"),
    "klimawerk": ("Klima.Werk (service organisation)", "Klima.Werk (Serviceorganisation)"),
    "klimawerk_calibrated": ("Klima.Werk, calibrated", "Klima.Werk, kalibriert"),
    "herausforderung": ("broker group (Die Herausforderung)", "Unternehmergruppe (Die Herausforderung)"),
    "prima_klima": ("competition with project office (Prima.Klima)", "Wettbewerb mit Projektbüro (Prima.Klima)"),
    "lebenswert": ("regional development management (LebensWert)", "Regionalmanagement (LebensWert)"),
    "service_organisation": ("service organisation", "Serviceorganisation"),
    "city_coordinators": ("city coordinators", "Stadtkoordinatoren"),
    "broker_group": ("broker group", "Unternehmergruppe"),
    "project_office": ("project office", "Projektbüro"),
    "development": ("regional development management", "Regionalmanagement"),
    "culture_events": ("culture events and workshops", "Kulturevents und Workshops"),
    "entry": ("entry of further municipalities", "Beitritt weiterer Kommunen"),
    "association": ("regional association (data, expertise)", "Regionalverband (Daten, Fachwissen)"),
}

# A scenario's mechanisms and settings (players of the attribution, sim/attribution.py).
MECHANISMS = {
    "service_organisation.search": ("partner search support", "Unterstützung bei der Partnersuche"),
    "service_organisation.coordination": ("coordinating the consortia", "Koordination der Konsortien"),
    "service_organisation.advice": ("funding advice", "Förderberatung"),
    "service_organisation.precheck": ("checking applications", "Vorprüfung der Anträge"),
    "service_organisation.monitoring": ("monitoring implementations", "Begleitung der Umsetzung (Controlling)"),
    "service_organisation.knowledge": ("knowledge transfer", "Wissenstransfer"),
    "city_coordinators.agency": ("coordinators' work across departments", "ämterübergreifende Abstimmung durch "
                                 "die Stadtkoordinatoren"),
    "city_coordinators.preparation": ("coordinators preparing requests", "Vorbereitung der Anfragen durch die "
                                      "Stadtkoordinatoren"),
    "broker_group.vetting": ("vetting requests", "Prüfung der Anfragen"),
    "broker_group.matching": ("matching requests to companies", "Vermittlung an Unternehmen"),
    "project_office.advice": ("the project office's advice", "Beratung durch das Projektbüro"),
    "project_office.events": ("knowledge-transfer events", "Veranstaltungen zum Wissenstransfer"),
    "development.forums": ("forums of technical staff", "Foren der technischen Fachkräfte"),
    "development.pool": ("shared service pool", "gemeinsamer Dienstleistungspool"),
    "development.catalogue": ("funding catalogue", "gemeinsamer Förderkatalog"),
    "development.coordination": ("coordinating the consortia", "Koordination der Konsortien"),
    "culture_events.events": ("culture events and workshops", "Kulturveranstaltungen und Workshops"),
    "entry.joining": ("further municipalities joining", "Beitritt weiterer Kommunen"),
    "association.knowledge": ("climate data and expertise", "Klimadaten und Fachwissen"),
    "funding": ("the programme's own rules (budget, co-financing, routing)",
                "die Regeln des Förderprogramms (Budget, Eigenanteil, Antragsweg)"),
    "second_programme": ("the second programme (call)", "das zweite Programm (Wettbewerb)"),
}

# How a scenario reads after "With ..." / "Mit ..." in a sentence.
PHRASES = {
    "klimawerk": ("Klima.Werk (service organisation, city coordinators, KRIS)",
                  "Klima.Werk (Serviceorganisation, Stadtkoordinatoren, KRIS)"),
    "klimawerk_calibrated": ("calibrated Klima.Werk", "kalibriertem Klima.Werk"),
    "herausforderung": ("a broker group (Die Herausforderung)", "einer Unternehmergruppe (Die Herausforderung)"),
    "prima_klima": ("a competition run by a project office (Prima.Klima)",
                    "einem Wettbewerb mit Projektbüro (Prima.Klima)"),
    "lebenswert": ("regional development management (LebensWert)", "Regionalmanagement (LebensWert)"),
    "service_organisation": ("a service organisation", "einer Serviceorganisation"),
    "city_coordinators": ("city coordinators", "Stadtkoordinatoren"),
    "broker_group": ("a broker group", "einer Unternehmergruppe"),
    "project_office": ("a project office", "einem Projektbüro"),
    "development": ("regional development management", "Regionalmanagement"),
    "culture_events": ("culture events and workshops", "Kulturevents und Workshops"),
    "entry": ("entry of further municipalities", "dem Beitritt weiterer Kommunen"),
    "association": ("the regional association's data and expertise", "Daten und Fachwissen des Regionalverbands"),
}

TEXT = {
    "title": ("Scenario comparison", "Szenarienvergleich"),
    "region": ("Region", "Region"),
    "runs": ("runs per scenario", "Läufe je Szenario"),
    "intro": ("Each scenario was simulated {n} times with the same random numbers, so differences come from the "
              "arrangements, not from chance. Ranges are 95 % confidence intervals.",
              "Jedes Szenario wurde {n}-mal mit denselben Zufallszahlen simuliert; Unterschiede gehen also auf die "
              "Arrangements zurück, nicht auf Zufall. Spannen sind 95-%-Konfidenzintervalle."),
    "differences": ("Differences against the baseline", "Unterschiede zur Ausgangslage"),
    "funnel": ("Project pipeline", "Projekt-Pipeline"),
    "over_time": ("Over time", "Im Zeitverlauf"),
    "network": ("Collaboration network", "Kooperationsnetzwerk"),
    "trust_dist": ("How much the partners trust each other", "Wie sehr die Partner einander vertrauen"),
    "equity": ("Who gets the funding", "Wer die Fördermittel erhält"),
    "cost": ("Costs", "Kosten"),
    "table": ("All figures", "Alle Kennzahlen"),
    "attribution": ("Where the effect comes from", "Worauf die Wirkung zurückgeht"),
    "attribution_intro": (
        "Each mechanism of an arrangement was switched off in turn, in every order, on the same random numbers "
        "(Shapley values over {n} runs each); the parts add up to the whole difference against the baseline. "
        "Bars show each mechanism's share with its 95 % range.",
        "Jeder Mechanismus eines Arrangements wurde der Reihe nach und in jeder Reihenfolge abgeschaltet, mit "
        "denselben Zufallszahlen (Shapley-Werte aus je {n} Läufen); die Anteile ergeben zusammen den gesamten "
        "Unterschied zur Ausgangslage. Die Balken zeigen den Anteil jedes Mechanismus mit seiner 95-%-Spanne."),
    "attribution_sentence": ("With {scenario}, {metric} change by {total} in {span}: {parts}.",
                             "Mit {scenario} ändern sich die {metric} in {span} um {total}: {parts}."),
    "attribution_part": ("{value} from {mechanism}", "{value} durch {mechanism}"),
    "attribution_none": ("With {scenario}, {metric}: no clear change in {span}.",
                         "Mit {scenario}, {metric}: keine klare Veränderung in {span}."),
    "month": ("month", "Monat"),
    "at_start": ("at the start", "zu Beginn"),
    "at_end": ("after {span}", "nach {span}"),
    "small": ("smaller half of municipalities", "kleinere Hälfte der Kommunen"),
    "large": ("larger half of municipalities", "größere Hälfte der Kommunen"),
    "per_head": ("approved funds per inhabitant (EUR)", "bewilligte Mittel pro Einwohner (EUR)"),
    "share_of_ties": ("share of ties", "Anteil der Beziehungen"),
    "trust": ("trust (0 = none, 1 = full)", "Vertrauen (0 = keines, 1 = volles)"),
    "municipality": ("municipality", "Kommune"),
    "company": ("company", "Unternehmen"),
    "ngo": ("NGO", "Verein / NGO"),
    "coordination": ("coordinating body", "Koordinationsstelle"),
    "scenario": ("scenario", "Szenario"),
    "metric": ("figure", "Kennzahl"),
    "mean": ("mean", "Mittelwert"),
    "ci": ("95 % CI", "95-%-KI"),
    "change": ("change", "Veränderung"),
    "rise": ("rise", "steigen"),
    "fall": ("fall", "sinken"),
    "rises": ("rises", "steigt"),
    "falls": ("falls", "sinkt"),
    "no_clear": ("no clear change", "keine klare Veränderung"),
    "sentence": ("With {scenario}, {metric} {verb} by {value} (95 % CI {low} to {high}).",
                 "Mit {scenario} {verb} {metric} um {value} (95-%-KI {low} bis {high})."),
    "sentence_none": ("With {scenario}, {metric}: no clear change (95 % CI {low} to {high}).",
                      "Mit {scenario}, {metric}: keine klare Veränderung (95-%-KI {low} bis {high})."),
    "footer": ("Made with the cooperation ABM; data: Zensus 2022, Destatis, BKG (dl-de/by-2-0).",
               "Erstellt mit dem Kooperations-ABM; Daten: Zensus 2022, Destatis, BKG (dl-de/by-2-0)."),
}


def t(key: str, lang: str, **kw) -> str:
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**kw) if kw else text


def span(months: float, lang: str, simulated: bool = False) -> str:
    """A run's length in whole years, else in months, as a phrase: 'in/after {span}' (German dative), or
    with ``simulated`` the report's heading line. A 6-month run is never '0 years'.

    >>> span(120, "de"), span(6, "de"), span(12, "de", simulated=True), span(18, "en", simulated=True)
    ('10 Jahren', '6 Monaten', '1 simuliertes Jahr', '18 months simulated')
    """
    months = round(months)
    years = months % 12 == 0
    n = months // 12 if years else months
    if lang == "de":
        if simulated:
            return f"{n} simulierte{'s' if years else 'r'} {'Jahr' if years else 'Monat'}" if n == 1 else \
                f"{fmt(n, lang)} simulierte {'Jahre' if years else 'Monate'}"
        return f"{n} {'Jahr' if years else 'Monat'}" if n == 1 else f"{fmt(n, lang)} {'Jahren' if years else 'Monaten'}"
    unit = ("year" if years else "month") + ("" if n == 1 else "s")
    return f"{fmt(n, lang)} {unit}" + (" simulated" if simulated else "")


def metric(name: str, lang: str) -> str:
    return METRICS[name][LANGS.index(lang)] if name in METRICS else name


def plural(name: str, lang: str) -> bool:
    return METRICS[name][2 + LANGS.index(lang)] if name in METRICS else False


def scenario(name: str, lang: str) -> str:
    return SCENARIOS[name][LANGS.index(lang)] if name in SCENARIOS else name


def mechanism(name: str, lang: str) -> str:
    return MECHANISMS[name][LANGS.index(lang)] if name in MECHANISMS else name


def phrase(name: str, lang: str) -> str:
    return PHRASES[name][LANGS.index(lang)] if name in PHRASES else scenario(name, lang)


def fmt(x: float, lang: str, digits: int = 0) -> str:
    """A number with thousands separators, in the language's convention."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{x:,.{digits}f}"
    return s.translate(str.maketrans(",.", ".,")) if lang == "de" else s


def pct(x: float, lang: str, digits: int = 0) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{fmt(100 * x, lang, digits)} %"
