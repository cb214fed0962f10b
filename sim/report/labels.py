"""Words and numbers for the report, in English and German.

>>> fmt(1234567.891, "de", 1), fmt(1234567.891, "en", 1)
('1.234.567,9', '1,234,567.9')
>>> pct(0.384, "de")
'38 %'
"""

from __future__ import annotations

from sim.report import formats as N

LANGS = ("en", "de")

# name -> (English, German, English plural?, German plural?)
METRICS = {
    "approvals_per_year": ("approvals per year", "Bewilligungen pro Jahr", True, True),
    "completions_per_year": ("completed projects per year", "abgeschlossene Projekte pro Jahr", True, True),
    "ideas": ("project ideas", "Projektideen", True, True),
    "applications": ("applications for funding", "Förderanträge", True, True),
    "approvals": ("approvals of funding", "Förderbewilligungen", True, True),
    "completions": ("completed projects", "abgeschlossene Projekte", True, True),
    "trust_public_public": ("trust between municipalities", "Vertrauen zwischen Kommunen", False, False),
    "lead_time_approval_months": ("months from idea to approval", "Monate von der Idee bis zur Bewilligung",
                                  True, True),
    "funds_approved_eur": ("approved funding", "bewilligte Fördermittel", False, True),
    "gini_funds_per_head": ("inequality of funds per inhabitant (Gini)", "Ungleichheit der Mittel pro Kopf (Gini)",
                            False, False),
    "consortia": ("partnerships formed", "gebildete Partnerschaften", True, True),
    "cross_sector_share": ("share of ties across sectors", "Anteil sektorübergreifender Beziehungen", False, False),
    "coordination_cost_eur": ("cost of coordination", "Kosten der Koordination", False, True),
    "request_completions": ("completed projects of companies with associations",
                            "abgeschlossene Projekte von Unternehmen mit Vereinen", True, True),
    "trust_mean": ("mean trust over all ties", "mittleres Vertrauen über alle Beziehungen", False, False),
    "water_disconnected_ha": ("sealed area disconnected (ha)", "abgekoppelte versiegelte Fläche (ha)", False, False),
    "broker_matches_last_year": ("matches of the broker group in the last year",
                                 "Vermittlungen der Unternehmergruppe im letzten Jahr", True, True),
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
    "culture_events": ("culture events and workshops", "Kulturveranstaltungen und Workshops"),
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

# Region presets as a reader knows them (configs/region/, sim/data/SOURCES.md).
REGIONS = {
    "emscher": ("Emscher region (the 17 Klima.Werk cities)", "Emscher-Region (die 17 Klima.Werk-Städte)"),
    "saarbruecken": ("Regionalverband Saarbrücken (10 municipalities)", "Regionalverband Saarbrücken (10 Kommunen)"),
    "werra_meissner": ("Werra-Meißner district (16 municipalities)", "Werra-Meißner-Kreis (16 Kommunen)"),
    "rvr": ("Ruhr region (the 53 RVR municipalities)", "Ruhrgebiet (die 53 Kommunen des RVR)"),
    "nrw": ("North Rhine-Westphalia", "Nordrhein-Westfalen"),
    "germany": ("Germany", "Deutschland"),
    "custom": ("own municipality list", "eigene Liste von Kommunen"),
}

TEXT = {
    "title": ("Scenario comparison", "Szenarienvergleich"),
    "region": ("Region", "Region"),
    "runs": ("runs per scenario", "Läufe je Szenario"),
    "simulated": ("{years} simulated", "{years} simuliert"),
    "headline": ("In brief", "Das Wichtigste in Kürze"),
    "headline_vs": ("{scenario} compared with {baseline}, {years} simulated",
                    "{scenario} im Vergleich zu {baseline}, {years} simuliert"),
    "details": ("The details", "Die Einzelheiten"),
    "differences": ("Differences against the baseline", "Unterschiede zur Ausgangslage"),
    "funnel": ("From idea to completed project", "Von der Idee zum abgeschlossenen Projekt"),
    "over_time": ("Over time", "Im Zeitverlauf"),
    "network": ("Collaboration network", "Kooperationsnetzwerk"),
    "trust_dist": ("How much the partners trust each other", "Wie sehr die Partner einander vertrauen"),
    "equity": ("Who gets the funding", "Wer die Fördermittel erhält"),
    "who_benefits": ("Who benefits: the municipalities", "Wer profitiert: die Kommunen"),
    "cost": ("Costs and who pays them", "Kosten und wer sie trägt"),
    "table": ("All figures", "Alle Kennzahlen"),
    "settings": ("What was simulated", "Was simuliert wurde"),
    "arrangements": ("The arrangements compared", "Die verglichenen Organisationsformen"),
    "uncertainty": ("How certain are these figures?", "Wie belastbar sind die Zahlen?"),
    "reality": ("Simulated and real figures", "Simulierte und tatsächliche Zahlen"),
    "attribution": ("Where the effect comes from", "Worauf die Wirkung zurückgeht"),
    "attribution_intro": (
        "Each building block of an arrangement was switched off in turn, in every order, on the same random "
        "numbers ({n} runs each); the parts add up to the whole difference against the baseline. Bars show each "
        "part with its range.",
        "Jeder Baustein einer Organisationsform wurde der Reihe nach und in jeder Reihenfolge abgeschaltet, mit "
        "denselben Zufallszahlen (je {n} Läufe); die Anteile ergeben zusammen den gesamten Unterschied zur "
        "Ausgangslage. Die Balken zeigen jeden Anteil mit seiner Spanne."),
    "attribution_sentence": ("{metric} with {scenario}: {total} in {years}, of which {parts}.",
                             "{metric} mit {scenario}: {total} in {years}, davon {parts}."),
    "attribution_part": ("{value} from {mechanism}", "{value} durch {mechanism}"),
    "attribution_none": ("{metric} with {scenario}: no clear change in {years}.",
                         "{metric} mit {scenario}: keine klare Veränderung in {years}."),
    "month": ("month", "Monat"),
    "at_start": ("at the start", "zu Beginn"),
    "at_end": ("after {years}", "nach {years}"),
    "small": ("smaller half of municipalities", "kleinere Hälfte der Kommunen"),
    "large": ("larger half of municipalities", "größere Hälfte der Kommunen"),
    "per_head": ("approved funds per inhabitant (EUR)", "bewilligte Mittel je Einwohner (EUR)"),
    "share_of_ties": ("share of ties", "Anteil der Beziehungen"),
    "trust": ("trust (0 = none, 1 = full)", "Vertrauen (0 = keines, 1 = volles)"),
    "municipality": ("municipality", "Kommune"),
    "company": ("company", "Unternehmen"),
    "ngo": ("association (NGO)", "gemeinnütziger Verein"),
    "coordination": ("coordinating body", "Koordinationsstelle"),
    "city_coordinator": ("city coordinator", "Stadtkoordination"),
    "scenario": ("scenario", "Szenario"),
    "metric": ("figure", "Kennzahl"),
    "mean": ("mean", "Mittelwert"),
    "ci": ("range (95 %)", "Spanne (95 %)"),
    "change": ("change", "Veränderung"),
    "verdict": ("assessment", "Bewertung"),
    "footer": ("Made with the cooperation ABM; data: Zensus 2022, Destatis, BKG (dl-de/by-2-0).",
               "Erstellt mit dem Kooperations-ABM; Daten: Zensus 2022, Destatis, BKG (dl-de/by-2-0)."),
}


def t(key: str, lang: str, **kw) -> str:
    text = TEXT[key][LANGS.index(lang)]
    return text.format(**kw) if kw else text


def metric(name: str, lang: str) -> str:
    from sim.report.wording import FIGURES, label

    if name in FIGURES:
        return label(name, lang)
    return METRICS[name][LANGS.index(lang)] if name in METRICS else name


def plural(name: str, lang: str) -> bool:
    return METRICS[name][2 + LANGS.index(lang)] if name in METRICS else False


def scenario(name: str, lang: str) -> str:
    return SCENARIOS[name][LANGS.index(lang)] if name in SCENARIOS else name


def mechanism(name: str, lang: str) -> str:
    return MECHANISMS[name][LANGS.index(lang)] if name in MECHANISMS else name


def region(preset: str, lang: str, ags_prefix: str = "") -> str:
    name = REGIONS[preset][LANGS.index(lang)] if preset in REGIONS else preset
    return name + (f" (AGS {ags_prefix}…)" if ags_prefix else "")


def fmt(x: float, lang: str, digits: int = 0) -> str:
    """A number with thousands separators, in the language's convention (sim.report.numbers)."""
    return N.num(x, lang, digits)


def pct(x: float, lang: str, digits: int = 0) -> str:
    return N.pct(x, lang, digits)
