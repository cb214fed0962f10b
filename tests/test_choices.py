"""Agent kinds and metrics are chosen by name (``actors.kinds``, ``metrics``), from what is registered.

Choosing fewer metrics records fewer numbers and changes none of them; leaving out a kind of actor leaves
the other kinds' agents as they were (common random numbers); a choice that is not registered, or not
allowed, stops before any run with one line naming the key.
"""

import pytest

from sim.cli import check_config, compose
from sim.errors import UserError
from sim.metrics import metrics
from sim.model import CooperationModel
from sim.run import simulate
from sim.testing import model_after, small_config


def test_chosen_metrics_are_recorded_and_nothing_else_changes():
    full = simulate(small_config(horizon_months=12)).timeseries
    chosen = simulate(small_config(horizon_months=12, metrics=["trust", "pipeline"])).timeseries
    produced = set(metrics.get("trust")(model_after(1))) | set(metrics.get("pipeline")(model_after(1)))
    assert set(chosen.metric) == produced and len(produced) < full.metric.nunique()
    same = full[full.metric.isin(produced)].sort_values(["metric", "step"]).reset_index(drop=True)
    assert same.equals(chosen.sort_values(["metric", "step"]).reset_index(drop=True))


def test_a_run_without_ngos_has_the_same_companies_and_no_requests():
    with_ngos = CooperationModel(small_config())
    without = CooperationModel(small_config(**{"actors.kinds": ["municipality", "company"]}))
    traits = [[(a.home, a.willingness, a.reliability, a.capacity) for a in m.companies] for m in (with_ngos, without)]
    assert without.ngos == [] and traits[0] == traits[1] and len(traits[0]) > 0
    summary = simulate(small_config(horizon_months=12, **{"actors.kinds": ["municipality", "company"]})).summary
    assert summary["requests"] == 0 and summary["ngos"] == 0 and not any(k.startswith("agents_") for k in summary)


@pytest.mark.parametrize("overrides, message", [
    (["metrics=[pipline]"], r"'metrics\[0\]' = 'pipline' is not a registered metric; registered: active, "),
    (["metrics=[trust,trust]"], r"'metrics' = \['trust', 'trust'\] names trust twice"),
    (["actors.kinds=[company,municipality]"], r"'actors.kinds' = \['company', 'municipality'\] must start with "
                                              "municipality"),
    (["actors.kinds=[municipality,ngos]"], r"'actors.kinds\[1\]' = 'ngos' is not a registered agent kind; "
                                           "registered: company, municipality, ngo"),
    (["actors.kinds=[municipality,municipality]"], "names municipality twice"),
])
def test_a_choice_that_is_not_allowed_is_one_line_before_any_run(overrides, message):
    with pytest.raises(UserError, match=message):
        check_config(compose(overrides))


def test_a_parameter_of_a_plug_in_that_is_not_loaded_says_how_to_load_it():
    with pytest.raises(UserError, match=r"unknown key 'coop.per_town'.*if 'coop' is a component of your own, its "
                                        "plug-in is not loaded: name its file or folder in SIM_PLUGINS"):
        compose(["coop.per_town=3"])


def test_the_printed_summary_shows_the_lines_of_the_chosen_metrics_and_names_the_rest():
    from sim.report_text import summary_text

    cfg = small_config(horizon_months=6, metrics=["themes", "trust"])
    lines = summary_text(simulate(cfg).summary, cfg).splitlines()
    assert [line.split()[0] for line in lines] == ["Region", "Trust", "Not"]
    assert lines[-1] == "Not shown   themes: recorded in timeseries.csv and summary.json"
    full = small_config(horizon_months=6)
    assert len(summary_text(simulate(full).summary, full).splitlines()) == 10
