"""Each arrangement in plain language: what it is in reality, which real case stands behind it, and what it
costs (and who pays). Sources: the seed texts 000–004 and docs/scenarios.md, which gives every figure here
with its passage; the cost is what the model charges at its defaults (staff at 6,000 EUR a staff-month,
an assumption, sim/config.py)."""

from __future__ import annotations

TEXT = {
    "baseline": (
        "No coordinating body: municipalities, companies and associations act on their own; one funding programme "
        "for climate adaptation (water) at 1.42 EUR per inhabitant and year, up to 80 % of costs, first come first "
        "served (the predecessor of KRIS). Every other scenario is read against it. Cost of coordination: none.",
        "Keine Koordinationsstelle: Kommunen, Unternehmen und Vereine handeln jeweils für sich; ein Förderprogramm "
        "für Klimaanpassung (Wasser) mit 1,42 EUR je Einwohner und Jahr, Förderung bis 80 %, Vergabe in der "
        "Reihenfolge der Anträge (Vorläufer von KRIS). Alle anderen Szenarien werden daran gemessen. Kosten der "
        "Koordination: keine."),
    "klimawerk": (
        "Klima.Werk (Emscher cities and Emschergenossenschaft, since 2014): a service organisation with 11 staff "
        "advises on funding, finds partners, checks applications and spreads know-how; each city has a city "
        "coordinator; culture events and workshops; further cities may join; the state programme KRIS (250 M EUR "
        "over 10 years for the 53 RVR municipalities, 80–100 % funding) goes through the service organisation. "
        "Cost: about 0.8 M EUR a year for the service organisation (half paid by the member cities, half by the "
        "water board and the state) plus 3,000 EUR per city coordinator and month (the cities' own staff).",
        "Klima.Werk (Emscher-Städte und Emschergenossenschaft, seit 2014): Eine Serviceorganisation mit 11 "
        "Beschäftigten berät zu Fördermitteln, sucht Partner, prüft Anträge vor und gibt Wissen weiter; jede Stadt "
        "hat eine Stadtkoordination; Kulturveranstaltungen und Workshops; weitere Städte können beitreten. Das "
        "Landesprogramm KRIS (250 Mio. EUR in 10 Jahren für die 53 Kommunen des RVR, Förderung 80–100 %) läuft über "
        "die Serviceorganisation. Kosten: rund 0,8 Mio. EUR pro Jahr für die Serviceorganisation (zur Hälfte von "
        "den Mitgliedsstädten, zur Hälfte von Emschergenossenschaft und Land getragen) sowie 3.000 EUR je "
        "Stadtkoordination und Monat (Personal der Städte)."),
    "herausforderung": (
        "Die Herausforderung (pilot in Saarbrücken, after the Dutch De Uitdaging): a small group of business "
        "people is the contact point for associations seeking help; it checks their requests and passes them to "
        "companies willing to help with money, expertise or volunteers. Cost: a coordinator, 72,000 EUR a year, "
        "paid half by the municipality and half by the companies; the help itself comes from the companies.",
        "Die Herausforderung (Pilot in Saarbrücken, nach dem niederländischen Vorbild De Uitdaging): Eine kleine "
        "Gruppe von Unternehmerinnen und Unternehmern ist Anlaufstelle für gemeinnützige Vereine, die "
        "Unterstützung suchen; sie prüft die Anfragen und vermittelt sie an Unternehmen, die mit Geld, Fachwissen "
        "oder ehrenamtlicher Zeit helfen. Kosten: eine Koordinationsstelle, 72.000 EUR pro Jahr, je zur Hälfte von "
        "Kommune und Unternehmen getragen; die Hilfe selbst leisten die Unternehmen."),
    "prima_klima": (
        "Prima.Klima.Ruhrmetropole (2023–2029): the state runs a yearly competition; municipalities submit "
        "project sketches for energy-efficient districts, the winners get a concept and then several years of "
        "renovation management. An external project office runs the competition, advises and organises knowledge "
        "transfer. Cost: about 89,000 EUR a year for the project office (580,000 EUR for 2023–2029, paid by the "
        "state).",
        "Prima.Klima.Ruhrmetropole (2023–2029): Das Land führt jährlich einen Wettbewerb durch; Kommunen reichen "
        "Projektskizzen für energieeffiziente Quartiere ein, die Gewinner erhalten ein Konzept und anschließend "
        "mehrere Jahre Sanierungsmanagement. Ein externes Projektbüro betreut den Wettbewerb, berät und "
        "organisiert den Wissenstransfer. Kosten: rund 89.000 EUR pro Jahr für das Projektbüro (580.000 EUR für "
        "2023–2029, vom Land getragen)."),
    "lebenswert": (
        "LebensWert (small towns of the Werra-Meißner district): a regional development management across water, "
        "housing and local supply, forums of technical staff, a shared service pool, a joint catalogue of funding "
        "programmes, and the next LEADER period as a window of opportunity. Cost: two managers, 144,000 EUR a "
        "year (carried by the district or its development agency).",
        "LebensWert (Kleinstädte im Werra-Meißner-Kreis): ein Regionalmanagement über Wasser, Wohnen und "
        "Nahversorgung hinweg, Foren der Fachleute aus den Verwaltungen, ein gemeinsamer Dienstleistungspool, ein "
        "gemeinsamer Katalog der Förderprogramme und die nächste LEADER-Förderperiode als Gelegenheit. Kosten: "
        "zwei Stellen im Regionalmanagement, 144.000 EUR pro Jahr (getragen vom Kreis oder seiner "
        "Wirtschaftsförderung)."),
}

SINGLE = ("Only one building block of a real case, the {body}, with everything else as in the baseline; it "
          "shows what this block alone does.",
          "Nur ein Baustein eines realen Falls, {body}, alles andere wie in der Ausgangslage; so zeigt sich, was "
          "dieser Baustein allein bewirkt.")


def explanation(scenario: str, lang: str) -> str:
    from sim.report import labels as L

    k = 0 if lang == "en" else 1
    if scenario in TEXT:
        return TEXT[scenario][k]
    return SINGLE[k].format(body=L.scenario(scenario, lang))
