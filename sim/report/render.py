"""The report's HTML body, section by section: the headline box, the arrangements, the details with a verdict
for each figure, how certain the figures are, where the effect comes from, who benefits, the figures, what
was simulated, and all figures in one table."""

from __future__ import annotations

import html

import pandas as pd

from sim.report import arrangements as A
from sim.report import headline as HL
from sim.report import html as H
from sim.report import labels as L
from sim.report import formats as N
from sim.report import settings as S
from sim.report import wording as W
from sim.report.tables import range_text

UNCERTAINTY = (
    "Each scenario was simulated {n} times with the same random numbers for every scenario, so differences "
    "come from the arrangements and not from chance. A range (95 %) covers the random variation between runs "
    "of the same model: the real outcome of one region is one such run. It does not cover the model's "
    "assumptions (how many ideas a town has, what a project costs, how reliable partners are): those are "
    "judgements, listed in docs/ODD.md with their sources. A change is called better or worse only where its "
    "whole range lies on one side of zero.",
    "Jedes Szenario wurde {n}-mal simuliert, für alle Szenarien mit denselben Zufallszahlen; Unterschiede gehen "
    "also auf die Organisationsform zurück und nicht auf Zufall. Eine Spanne (95 %) umfasst die zufälligen "
    "Schwankungen zwischen Läufen desselben Modells: Der tatsächliche Verlauf in einer Region entspricht einem "
    "solchen Lauf. Nicht enthalten sind die Annahmen des Modells (wie viele Projektideen eine Kommune hat, was "
    "ein Projekt kostet, wie verlässlich Partner sind): Diese sind Einschätzungen, die mit ihren Quellen in "
    "docs/ODD.md stehen. Als besser oder schlechter gilt eine Veränderung nur, wenn ihre ganze Spanne auf einer "
    "Seite von null liegt.")

ROBUST = ("Robustness: every scenario was run again with each of three main assumptions at the low and at the "
          "high end of its plausible range (ideas per hectare of need, municipal staff for cooperation, reliability "
          "of partners: six variants, on fewer runs each). The headline box says in how many of them a change "
          "points the same way.",
          "Robustheit: Jedes Szenario wurde zusätzlich mit jeweils einer von drei zentralen Annahmen am unteren und "
          "am oberen Ende ihrer plausiblen Spanne gerechnet (Projektideen je Hektar Bedarf, Personal der Kommunen "
          "für Kooperation, Verlässlichkeit der Partner: sechs Varianten mit jeweils weniger Läufen). Im Kasten oben "
          "steht, in wie vielen davon eine Veränderung in dieselbe Richtung zeigt.")
NO_ROBUST = ("No robustness check was run (robustness=0).", "Ohne Robustheitsprüfung gerechnet (robustness=0).")

REALITY = {
    "klimawerk": ("Klima.Werk, first two years of the service organisation (2019–2020): {sim} simulated in months "
                  "1–24 against {real} reported (ideas, applications, approvals).",
                  "Klima.Werk, die ersten zwei Jahre der Serviceorganisation (2019–2020): simuliert {sim} in den "
                  "Monaten 1–24, berichtet {real} (Projektideen, Förderanträge, Bewilligungen)."),
    "broker": ("Broker group, matches in the last simulated year: {sim}; mature Dutch groups report 100–150 a year.",
               "Unternehmergruppe, Vermittlungen im letzten simulierten Jahr: {sim}; ausgereifte Gruppen in den "
               "Niederlanden melden 100–150 pro Jahr."),
    "none": ("None of these scenarios has a real counterpart with reported figures.",
             "Für keines dieser Szenarien liegen berichtete Vergleichszahlen vor."),
}
CAPTIONS = {
    "trust_over_time": (
        "Mean trust over every pair of municipalities, also pairs without a tie (at the prior), so that a new tie "
        "alone does not move it. Steps up come from events that bring the municipalities together; between them "
        "what was learnt fades slowly.",
        "Mittleres Vertrauen über alle Paare von Kommunen, auch Paare ohne Beziehung (mit dem Anfangswert), damit "
        "eine neue Beziehung allein den Wert nicht verschiebt. Die Stufen nach oben gehen auf Veranstaltungen "
        "zurück, die die Kommunen zusammenbringen; dazwischen verblasst das Gelernte langsam."),
}
VERDICT_CLASS = {"better": "better", "worse": "worse", "none": "none", "cost_up": "cost", "cost_down": "better"}


def _k(lang: str) -> int:
    return 0 if lang == "en" else 1


def attribution_sentence(summary: pd.DataFrame, metric: str, scenario: str, lang: str, years: float) -> str:
    """'Of the +12 approvals with X in 10 years, +7 come from advice, +4 from ...' (clear parts only)."""
    g = summary[summary.outcome == metric].set_index("mechanism")
    if "(total)" not in g.index:
        return ""
    total = g.loc["(total)"]
    kw = dict(scenario=W.quoted(scenario, lang), metric=L.metric(metric, lang), years=N.duration(years, lang))
    if not (total.ci_low > 0 or total.ci_high < 0):
        name = kw["metric"]
        return L.t("attribution_none", lang, **{**kw, "metric": name[0].upper() + name[1:]})
    parts = g.drop("(total)").sort_values("mean", key=abs, ascending=False)
    text = [L.t("attribution_part", lang, value=N.signed(r["mean"], lang, 0), mechanism=L.mechanism(name, lang))
            for name, r in parts.iterrows() if N.signed(r["mean"], lang, 0) != "0"]
    if not text:
        return ""
    joined = ", ".join(text[:4])
    name = kw.pop("metric")
    return L.t("attribution_sentence", lang, total=N.signed(total["mean"], lang, 0), parts=joined,
               metric=name[0].upper() + name[1:], **kw)


def headline_box(diffs, final, means, scenarios, baseline, lang, years, robust=None) -> str:
    parts = [f'<section class="headline"><h2>{L.t("headline", lang)}</h2>']
    for sc in scenarios:
        if sc == baseline:
            continue
        parts.append(f"<h3>{html.escape(L.t('headline_vs', lang, scenario=W.quoted(L.scenario(sc, lang), lang), baseline=W.quoted(L.scenario(baseline, lang), lang), years=N.duration(years, lang, nominative=True)))}</h3><ul>")
        for verdict, text in HL.messages(diffs, final, means, sc, baseline, lang, years, robust):
            parts.append(f'<li><span class="tag {VERDICT_CLASS[verdict]}">{W.word(verdict, lang)}</span> '
                         f"{html.escape(text)}</li>")
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def details(diffs: pd.DataFrame, scenarios, baseline, lang, years) -> list[str]:
    parts = [f"<h2>{L.t('differences', lang)}</h2>"]
    for sc in scenarios:
        if sc == baseline:
            continue
        d = diffs[diffs.scenario == sc]
        parts.append("<ul class='sentences'>")
        parts += [f"<li>{html.escape(s)}</li>" for s in d.sentence if s]
        unclear = [W.label(m, lang) for m, v in zip(d.metric, d.verdict) if v == "none"]
        if unclear:
            parts.append("<li>" + html.escape(W.word("none_list", lang, scenario=W.quoted(L.scenario(sc, lang), lang),
                                                     items="; ".join(unclear))) + "</li>")
        parts.append("</ul>")
    rows = []
    for r in diffs.itertuples():
        base = W.time_base(r.metric, lang, years)
        name = W.label(r.metric, lang)
        rows.append([L.scenario(r.scenario, lang), name + (f", {base}" if base and base not in name else ""),
                     W.value(r.metric, r.baseline_mean, lang),
                     W.value(r.metric, r.scenario_mean, lang),
                     (N.signed_pct(r.rel_mean, lang) if W.FIGURES[r.metric].relative and N.finite(r.rel_mean)
                      else W.change(r.metric, r.diff_mean, lang)), range_text(r, lang), W.word(r.verdict, lang)])
    parts.append(H.table([L.t("scenario", lang), L.t("metric", lang), L.scenario(baseline, lang), L.t("scenario", lang),
                          L.t("change", lang), L.t("ci", lang), L.t("verdict", lang)], rows))
    return parts


def reality(ts: pd.DataFrame, means: dict, configs: dict, lang: str) -> str:
    lines = []
    for sc, cfg in configs.items():
        bodies = cfg["scenario"]["bodies"]
        if "service_organisation" in bodies and cfg["funding"].get("routed") and cfg["horizon_months"] >= 24:
            at = ts[(ts.scenario == sc) & (ts.step == 24) & ts.metric.isin(["ideas", "applications", "approvals"])]
            m = at.groupby("metric").value.mean()
            sim = " / ".join(N.count(m.get(k, float("nan")), lang) for k in ("ideas", "applications", "approvals"))
            lines.append(f"{L.scenario(sc, lang)}: " + REALITY["klimawerk"][_k(lang)].format(sim=sim, real="91 / 64 / 60"))
        if "broker_group" in bodies:
            sim = N.count(means[sc].get("broker_matches_last_year", float("nan")), lang)
            lines.append(f"{L.scenario(sc, lang)}: " + REALITY["broker"][_k(lang)].format(sim=sim))
    if not lines:
        lines = [REALITY["none"][_k(lang)]]
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


def municipalities(munis: pd.DataFrame, scenarios, lang, years) -> str:
    """Per municipality (largest first) and scenario: applications, approvals and EUR per inhabitant."""
    mean = munis.groupby(["scenario", "name"])[["applications", "approvals", "funds_per_head_eur"]].mean()
    towns = munis.drop_duplicates("name").sort_values("population", ascending=False)
    head = [L.t("municipality", lang).capitalize(), "Einwohner" if lang == "de" else "inhabitants"]
    for sc in scenarios:
        short = L.scenario(sc, lang).split(" (")[0]
        head += [f"{short}: {L.metric('applications', lang)}", f"{short}: {L.metric('approvals', lang)}",
                 f"{short}: EUR {'je Einwohner' if lang == 'de' else 'per inhabitant'}"]
    rows = []
    digits = 0 if mean[["applications", "approvals"]].to_numpy().max() >= 100 else 1   # one format per column
    for t in towns.itertuples():
        row = [t.name, N.num(t.population, lang)]
        for sc in scenarios:
            r = mean.loc[(sc, t.name)]
            row += [N.num(r.applications, lang, digits), N.num(r.approvals, lang, digits),
                    N.num(r.funds_per_head_eur, lang, 1)]
        rows.append(row)
    note = (f"Mean over the runs, in {N.duration(years, 'en')}." if lang == "en"
            else f"Mittelwerte über die Läufe, in {N.duration(years, 'de')}.")
    return f"<p class='meta'>{note}</p>" + H.table(head, rows, "towns")


def settings(configs, scenarios, baseline, lang, seeds, years, overrides) -> str:
    meta = configs[scenarios[0]]
    k = _k(lang)
    common = [(("region", "Region")[k], L.region(meta["region"]["preset"], lang, meta["region"].get("ags_prefix", ""))),
              (("months simulated (horizon_months)", "simulierte Monate (horizon_months)")[k], str(meta["horizon_months"])),
              (("seeds of the random numbers", "Startwerte der Zufallszahlen (seed)")[k], f"{seeds[0]}–{seeds[-1]}"),
              (("settings given for all scenarios", "für alle Szenarien vorgegebene Einstellungen")[k],
               " ".join(overrides) or "–")]
    rows = [[k, v] for k, v in common]
    out = H.table(["setting" if lang == "en" else "Einstellung", "value" if lang == "en" else "Wert"], rows)
    out += ("<p>" + ("Every setting of the coordinating bodies each scenario uses, and every other setting in which "
                     "it differs from the baseline (names as in the configuration, python -m sim --cfg job)."
                     if lang == "en" else
                     "Alle Einstellungen der Koordinationsstellen, die ein Szenario nutzt, und jede weitere Einstellung, "
                     "in der es von der Ausgangslage abweicht (Namen wie in der Konfiguration, python -m sim --cfg job).")
            + "</p>")
    out += H.table([L.t("scenario", lang), "setting" if lang == "en" else "Einstellung", L.scenario(baseline, lang),
                    L.t("scenario", lang)], S.rows(configs, baseline, lang), "settings")
    return out


def render(*, figs, summary, diffs, final, means, ts, munis, configs, scenarios, baseline, lang, region, seeds,
           years, explained, overrides, robust=None, calibrated=()) -> str:
    n = len(seeds)
    parts = [f"<h1>{L.t('title', lang)}</h1>",
             f'<p class="meta">{L.t("region", lang)}: <b>{html.escape(region)}</b> · {n} {L.t("runs", lang)} · '
             f'{L.t("simulated", lang, years=N.duration(years, lang, nominative=True))}</p>']
    parts += [f'<p class="meta">{html.escape(c)}</p>' for c in calibrated]   # provenance of calibrated scenarios
    if len(scenarios) > 1:
        parts.append(headline_box(diffs, final, means, scenarios, baseline, lang, years, robust))
    parts.append(f"<h2>{L.t('arrangements', lang)}</h2><dl>")
    for sc in scenarios:
        parts.append(f"<dt>{html.escape(L.scenario(sc, lang))}</dt><dd>{html.escape(A.explanation(sc, lang))}</dd>")
    parts.append("</dl>")
    if len(scenarios) > 1:
        parts += details(diffs, scenarios, baseline, lang, years)
    parts.append(f"<h2>{L.t('uncertainty', lang)}</h2><p>{html.escape(UNCERTAINTY[_k(lang)].format(n=n))}</p>")
    parts.append(f"<p>{html.escape(ROBUST[_k(lang)] if robust is not None else NO_ROBUST[_k(lang)])}</p>")
    parts.append(f"<h3>{L.t('reality', lang)}</h3>" + reality(ts, means, configs, lang))
    if explained:
        parts.append(f"<h2>{L.t('attribution', lang)}</h2>")
        for sc, (table, meta) in explained.items():
            parts.append(f"<p>{html.escape(L.t('attribution_intro', lang, n=len(meta['seeds'])))}</p><ul class='sentences'>")
            parts += [f"<li>{html.escape(x)}</li>" for m in ("approvals", "completions", "consortia", "request_completions")
                      if (x := attribution_sentence(table, m, L.scenario(sc, lang), lang, years))]
            parts.append("</ul>")
            parts.append(H.figure_tag(figs[f"attribution_{sc}"], f"attribution_{sc}"))
    parts.append(f"<h2>{L.t('who_benefits', lang)}</h2>")
    parts.append(H.figure_tag(figs["benefit_map"], "benefit_map"))
    parts.append(municipalities(munis, scenarios, lang, years))
    sections = [("funnel", ["funnel"]), ("over_time", ["approvals_over_time", "trust_over_time"]),
                ("network", [f"network_{sc}" for sc in scenarios]), ("trust_dist", ["trust_distribution"]),
                ("equity", ["equity"]), ("cost", ["costs"])]
    for title, names in sections:
        parts.append(f"<h2>{L.t(title, lang)}</h2>")
        for name in names:
            parts.append(H.figure_tag(figs[name], name))
            if name in CAPTIONS:
                parts.append(f"<p class='meta'>{html.escape(CAPTIONS[name][_k(lang)])}</p>")
    parts.append(f"<h2>{L.t('settings', lang)}</h2>" + settings(configs, scenarios, baseline, lang, seeds, years, overrides))
    parts.append(f"<h2>{L.t('table', lang)}</h2>")
    rows = []
    from sim.report.build import TABLE_METRICS

    for m in TABLE_METRICS:
        for sc in scenarios:
            r = summary[(summary.scenario == sc) & (summary.metric == m)]
            if r.empty:
                continue
            r = r.iloc[0]
            ends = N.span(r.ci_low, r.ci_high, lambda x: W.value(m, x, lang, like=r["mean"]))
            spread = (f"{ends[0]} … {ends[1]}" if ends else
                      (W.word("every_run", lang) if r.ci_low == r.ci_high else ""))
            rows.append([L.metric(m, lang), L.scenario(sc, lang), W.value(m, r["mean"], lang, like=r["mean"]), spread,
                         int(r.n)])
    parts.append(H.table([L.t("metric", lang), L.t("scenario", lang), L.t("mean", lang), L.t("ci", lang), "n"], rows))
    parts.append(f"<footer>{L.t('footer', lang)}</footer>")
    return "\n".join(parts)
