"""The workshop comparison: one command, a self-contained report whose numbers equal the tables,
every figure written, German on request, bad input stopped before any run."""

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from sim.compare import main, run_folder
from sim.report import wording as W

ARGS = ["region=saarbruecken", "horizon_months=36", "replications=3", "explain=2", "robustness=0"]


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.cells, self.items, self._where = [], [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        self._where = tag

    def handle_endtag(self, tag):
        self._where = None

    def handle_data(self, data):
        if self._where == "td":
            self.cells.append(data)
        elif self._where == "li":
            self.items.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    import os
    old = os.getcwd()
    os.chdir(root)
    try:
        path = main([*ARGS, "scenarios=[baseline,herausforderung]", "name=t"])
    finally:
        os.chdir(old)
    return root / path


def test_report_is_self_contained_and_every_figure_exists(report):
    page = Page()
    page.feed(report.read_text(encoding="utf-8"))
    assert len(page.images) == 10 and all(src.startswith("data:image/png;base64,") for src in page.images)
    assert all(len(base64.b64decode(src.split(",", 1)[1])) > 10_000 for src in page.images)
    figures = report.parent / "figures"
    names = {"funnel", "approvals_over_time", "trust_over_time", "trust_distribution", "equity", "costs",
             "network_baseline", "network_herausforderung", "benefit_map", "attribution_herausforderung"}
    for name in names:
        for ext in ("png", "svg"):
            assert (figures / f"{name}.{ext}").stat().st_size > 5_000, name
    text = re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]+', "", report.read_text(encoding="utf-8"))  # embedded figures
    assert "http" not in re.sub(r"xmlns[^ ]*", "", text).split("<footer>")[0]


def test_numbers_in_the_report_equal_the_aggregated_tables(report):
    summary = pd.read_csv(report.parent / "summary.csv")
    diffs = pd.read_csv(report.parent / "differences.csv")
    folder = report.parent.parent                                # the runs are shared by both languages
    page = Page()
    page.feed(report.read_text(encoding="utf-8"))
    ideas = summary[(summary.scenario == "baseline") & (summary.metric == "ideas")].iloc[0]
    show = lambda x: W.value("ideas", x, "en", like=ideas["mean"])       # noqa: E731
    assert show(ideas["mean"]) in page.cells
    assert f"{show(ideas.ci_low)} … {show(ideas.ci_high)}" in page.cells
    items = [i.strip() for i in page.items]
    assert all(s in items for s in diffs.sentence.dropna())
    # and the tables equal a fresh computation from the run files
    finals = []
    for seed in range(3):
        run = run_folder(folder, "baseline", seed)
        finals.append(pd.read_json(run / "summary.json", typ="series")["ideas"])
    assert ideas["mean"] == pytest.approx(sum(finals) / len(finals)) and ideas.n == 3


def test_the_report_says_where_the_broker_groups_effect_comes_from(report):
    """The attribution (python -m sim.explain) runs with the comparison: its parts add up to its total, and
    the report names the broker group's two mechanisms in a sentence."""
    table = pd.read_csv(report.parent.parent / "explain" / "herausforderung" / "summary.csv")
    g = table[table.outcome == "request_completions"].set_index("mechanism")["mean"]
    assert g.drop("(total)").sum() == pytest.approx(g["(total)"])
    text = report.read_text(encoding="utf-8")
    assert "Where the effect comes from" in text
    total = table[(table.outcome == "request_completions") & (table.mechanism == "(total)")].iloc[0]
    if total.ci_low > 0:                                      # a clear effect is explained mechanism by mechanism
        assert "from matching requests to companies" in text or "from vetting requests" in text
    else:
        assert "Completed projects of companies with associations with “broker group (Die Herausforderung)”: " \
               "no clear change" in text


def test_differences_are_paired_and_the_broker_shows_in_the_sentences(report):
    diffs = pd.read_csv(report.parent / "differences.csv").set_index("metric")
    row = diffs.loc["company_ngo_consortia"]
    assert row.baseline_mean > 0 and row.diff_low > 0       # NGOs find some help alone; the broker adds to it
    assert any("projects of companies with associations rise from" in s for s in diffs.sentence.dropna())


def test_german_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = main([*ARGS, "scenarios=[baseline,service_organisation]", "lang=de", "replications=2", "name=de", "explain=0"])
    text = (tmp_path / path).read_text(encoding="utf-8")
    assert '<html lang="de">' in text and "Szenarienvergleich" in text and "Unterschiede zur Ausgangslage" in text
    words = re.findall(r"\w+", re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text))
    assert "KI" not in words and ("Spanne" in text or "keine klare Veränderung" in text)   # not "künstliche Intelligenz"
    assert re.search(r"\d+,\d", text)                                 # decimal comma


def test_adding_a_scenario_changes_none_of_the_other_scenarios_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["region=saarbruecken", "horizon_months=12", "replications=2", "robustness=0", "explain=0"]
    a = tmp_path / main([*base, "scenarios=[baseline,culture_events]", "name=a"]).parent.parent
    b = tmp_path / main([*base, "scenarios=[baseline,broker_group,culture_events]", "name=b"]).parent.parent
    for sc in ("baseline", "culture_events"):
        for seed in (0, 1):
            for f in ("timeseries.csv", "municipalities.csv", "network_end.csv"):
                assert (run_folder(a, sc, seed) / f).read_bytes() == (run_folder(b, sc, seed) / f).read_bytes()


@pytest.mark.parametrize("args, fragment", [
    (["scenarios=[baseline,utopia]"], "unknown scenario 'utopia'"),
    (["replications=1"], "'replications' = 1 is out of range"),
    (["lang=fr"], "'lang' = 'fr' is not allowed"),
    (["region=atlantis"], "unknown region 'atlantis'"),
    (["funding.cofinancing_share=1.5"], "'funding.cofinancing_share' = 1.5 is out of range"),
    (["oops"], "'oops' is not of the form key=value"),
    (["metrics=[trust]"], "python -m sim.compare reads every metric; leave 'metrics' out"),
])
def test_bad_input_stops_before_any_run(args, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and fragment in err[0]
    assert list(Path(tmp_path).iterdir()) == []
