"""The workshop report as a consultant puts it in front of municipal staff (issue 19): German and English, two
and three scenarios; no overlapping text and legends inside every figure, German number formats, no range that
says nothing, one name per scenario everywhere, the settings listed, the headline box, who pays, one folder
per language, a one-page handout and a schematic map that covers the region."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.compare import main
from sim.report import labels as L
from sim.report import layout
from sim.report import maps as M
from sim.report.tables import funding_per_coordination, payers, sentence

BASE = ["region=saarbruecken", "horizon_months=24", "replications=3", "explain=2", "jobs=1", "robustness=0"]
CASES = {("de", 2): ["scenarios=[baseline,herausforderung]", "robustness=2"],
         ("en", 2): ["scenarios=[baseline,herausforderung]", "robustness=2"],
         ("de", 3): ["scenarios=[baseline,herausforderung,culture_events]", "explain=0"],
         ("en", 3): ["scenarios=[baseline,herausforderung,culture_events]", "explain=0"]}


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], False

    def handle_starttag(self, tag, attrs):
        self.skip = tag in ("style", "script")

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each case's report, text and the figures as built (captured when they are saved)."""
    root = tmp_path_factory.mktemp("reports")
    out = {}
    original = plt.Figure.savefig
    for (lang, n), extra in CASES.items():
        figs = {}

        def keep(fig, path, *a, **kw):
            if str(path).endswith(".png"):
                figs[str(path).rsplit("/", 1)[-1]] = (fig, layout.problems(fig), layout.number_problems(fig, lang),
                                                      [t.get_text() for t in layout.texts(fig)])
            return original(fig, path, *a, **kw)

        plt.Figure.savefig = keep
        import os
        old = os.getcwd()
        os.chdir(root)
        try:
            path = root / main([*BASE, f"lang={lang}", *extra, f"name=n{n}"])
        finally:
            os.chdir(old)
            plt.Figure.savefig = original
        parser = Text()
        parser.feed(path.read_text(encoding="utf-8"))
        out[(lang, n)] = {"path": path, "html": path.read_text(encoding="utf-8"), "text": " ".join(parser.parts),
                          "figures": figs, "scenarios": re.search(r"\[(.*)\]", extra[0]).group(1).split(",")}
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_no_text_overlaps_and_legends_stay_inside(reports, case):
    figs = reports[case]["figures"]
    assert {"funnel.png", "costs.png", "benefit_map.png", "equity.png"} <= set(figs)
    bad = {name: p for name, (_, p, _, _) in figs.items() if p}
    assert not bad, bad


@pytest.mark.parametrize("case", list(CASES))
def test_numbers_follow_the_language_in_every_figure(reports, case):
    bad = {name: p for name, (_, _, p, _) in reports[case]["figures"].items() if p}
    assert not bad, bad
    text = reports[case]["text"]
    assert not re.search(r"(^|\s)-\d", text), "a hyphen as a minus sign in the report"
    if case[0] == "de":
        assert not re.search(r"\d\.\d(?!\d\d)", text.replace("Klima.Werk", "")), "a decimal point in German"
        assert not re.search(r"\b\d+,00\b", text), "a count shown as 20,00"


@pytest.mark.parametrize("case", list(CASES))
def test_no_range_that_says_nothing(reports, case):
    text = reports[case]["text"]
    for word in ("bis", "to", "…"):
        for a, b in re.findall(rf"([−+]?[\d.,]+(?: %| Mio\. EUR| M EUR| EUR)?) {word} ([−+]?[\d.,]+(?: %| Mio\. EUR| M EUR| EUR)?)",
                               text):
            assert a != b, f"a range with identical ends: {a} {word} {b}"
    assert "0 % bis 0 %" not in text and "0 % to 0 %" not in text
    assert not re.search(r"[−-]0 %", text) and not re.search(r"(?<!\w)[−-]0(?![,.\d])", text)
    assert "KI" not in re.findall(r"\b\w+\b", text)                   # not "künstliche Intelligenz"


@pytest.mark.parametrize("case", list(CASES))
def test_every_scenario_is_named_the_same_way_everywhere(reports, case):
    lang = case[0]
    r = reports[case]
    flat = lambda s: re.sub(r"\s+", " ", s)                          # noqa: E731  wrapped lines in figures
    for sc in r["scenarios"]:
        name = L.scenario(sc, lang)
        for fig in ("funnel.png", "costs.png", "benefit_map.png", "approvals_over_time.png"):
            texts = flat(" ".join(r["figures"][fig][3]))
            assert name in texts, (sc, fig)
        assert r["text"].count(name) >= 3, sc                         # headline or table, arrangements, settings
    table = pd.read_csv(r["path"].parent / "differences.csv")
    assert set(table.scenario) == set(r["scenarios"]) - {"baseline"}
    for s in table.sentence.dropna():
        assert any(L.scenario(sc, lang) in s for sc in r["scenarios"])


@pytest.mark.parametrize("case", [("de", 2), ("en", 3)])
def test_the_settings_that_were_simulated_are_listed(reports, case):
    text = reports[case]["text"]
    assert "broker_group.coordinator_staff" in text and "broker_group.municipal_share" in text
    assert "horizon_months" in text and "24" in text
    assert ("Regionalverband Saarbrücken" in text) and "saarbruecken" not in text.replace("region=saarbruecken", "")


def test_headline_box_has_three_marked_messages_with_time_base(reports):
    html = reports[("de", 2)]["html"]
    box = html.split('<section class="headline">')[1].split("</section>")[0]
    items = re.findall(r'<li><span class="tag (\w+)">', box)
    assert len(items) == 3 and set(items) <= {"better", "worse", "none", "cost"}
    assert "in 2 Jahren" in box and "pro Jahr" in box and ("Mio. EUR" in box or " EUR" in box)
    assert "davon tragen die Kommunen 50 %, Unternehmen 50 %" in box   # the broker's coordinator, seed 001
    assert re.search(r"die Richtung gilt in \d von 6 Varianten der Annahmen", box)     # the robustness check


def test_german_and_english_reports_go_to_separate_folders(reports):
    de, en = reports[("de", 2)]["path"], reports[("en", 2)]["path"]
    assert de.parent.parent == en.parent.parent and de.parent.name == "de" and en.parent.name == "en"
    assert '<html lang="de">' in de.read_text(encoding="utf-8")
    assert '<html lang="en">' in en.read_text(encoding="utf-8")


def test_one_page_handout_and_16_9_slides(reports):
    folder = reports[("de", 2)]["path"].parent
    pdf = (folder / "handout.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    from PIL import Image

    for name in ("funnel", "costs", "benefit_map"):
        assert Image.open(folder / "figures" / f"{name}.png").size == (1280, 720)


def test_cost_per_completed_project_counts_every_completed_project(reports):
    """The broker group's company-NGO projects are completed projects too (sim/metrics.py)."""
    folder = reports[("en", 2)]["path"].parent.parent
    import json

    runs = json.loads((folder / "comparison.json").read_text())["runs"]
    s = json.loads((folder / "runs" / runs["herausforderung,0"] / "summary.json").read_text())
    done = s["completions"] + s["request_completions"]
    assert s["request_completions"] > 0
    assert s["cost_per_completion_eur"] == pytest.approx((s["funds_spent_eur"] + s["coordination_cost_eur"]) / done)
    assert "public money" not in reports[("en", 2)]["text"]


def test_who_pays_and_funding_per_euro_of_coordination():
    means = {"coordination_cost_eur": 100.0, "broker_group_cost_eur": 60.0, "broker_municipal_cost_eur": 30.0,
             "so_fees_eur": 20.0}
    assert payers(means) == {"municipalities": 50.0, "companies": 30.0, "other_public": 20.0}
    final = pd.DataFrame({"scenario": ["b", "b", "s", "s"] * 2, "seed": [0, 1, 0, 1] * 2,
                          "metric": ["funds_approved_eur"] * 4 + ["coordination_cost_eur"] * 4,
                          "value": [10.0, 10.0, 30.0, 50.0, 0.0, 0.0, 10.0, 10.0]})
    r = funding_per_coordination(final, "b", "s")
    assert r["mean"] == pytest.approx(3.0) and r["n"] == 2 and r["low"] < 3 < r["high"]
    assert funding_per_coordination(final.assign(value=0.0), "b", "s") is None


def test_german_sentence_reads_like_german():
    row = pd.Series({"scenario": "klimawerk", "metric": "lead_time_approval_months", "baseline_mean": 4.9,
                     "scenario_mean": 3.3, "diff_mean": -1.6, "diff_low": -2.0, "diff_high": -1.2,
                     "rel_mean": -1.6 / 4.9, "rel_low": -2.0 / 4.9, "rel_high": -1.2 / 4.9})
    text, verdict = sentence(row, "de", L.scenario("klimawerk", "de"), 10)
    assert text.startswith("Mit „Klima.Werk (Serviceorganisation)“ verkürzt sich die Zeit von der Idee bis zur "
                           "Bewilligung von 4,9 auf 3,3 Monate (−33 %; Spanne −41 % bis −24 %)")
    assert verdict == "better" and text.endswith(": besser.")
    gini = row.copy()
    gini.update({"metric": "gini_funds_per_head", "baseline_mean": 0.5, "scenario_mean": 0.6, "diff_mean": 0.1,
                 "diff_low": 0.05, "diff_high": 0.15})
    text, verdict = sentence(gini, "de", "X", 10)
    assert " nimmt " in text and text.split(" (")[-2].endswith("zu") and verdict == "worse"


def test_schematic_cells_cover_the_outline_and_stay_inside_it():
    rng = np.random.default_rng(3)
    points = rng.uniform(0, 30, size=(12, 2))
    outline = M.buffered_hull(points, 3.0)
    polys = M.cells(points, outline)
    area = lambda p: 0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], 1)) - np.dot(p[:, 1], np.roll(p[:, 0], 1)))  # noqa: E731
    assert sum(area(p) for p in polys) == pytest.approx(area(outline), rel=1e-6)
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    assert all((p.min(axis=0) >= lo - 1e-9).all() and (p.max(axis=0) <= hi + 1e-9).all() for p in polys)
    assert M.nice(40) == 5 and M.nice(300) == 50
