"""Attribution of a scenario's effect to its mechanisms (sim/attribution.py, python -m sim.explain)."""

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import attribution as at
from sim.explain import explain, parse
from sim.run import simulate

SMALL = ["region=saarbruecken", "horizon_months=24", "replications=3", "jobs=1"]


@pytest.fixture(scope="module")
def klimawerk_small(tmp_path_factory):
    """Klima.Werk's bodies on a small region, with a programme that is not routed: the pre-check has
    nothing to check there, so its contribution must be exactly zero."""
    opts, overrides = parse(["scenario=klimawerk", *SMALL, "scenario.members=all", "funding.routed=false",
                             "outcomes=[approvals,completions,consortia,trust_in_use_mean]"])
    return explain(opts, overrides, tmp_path_factory.mktemp("kw"))


def test_contributions_add_up_to_the_total_difference_seed_by_seed(klimawerk_small):
    tidy = klimawerk_small["contributions"]
    parts = tidy[tidy.mechanism != "(total)"].groupby(["outcome", "seed"]).contribution.sum()
    total = tidy[tidy.mechanism == "(total)"].set_index(["outcome", "seed"]).contribution
    pd.testing.assert_series_equal(parts.sort_index(), total.sort_index(), check_names=False, atol=1e-9, rtol=0)


def test_a_mechanism_that_cannot_act_is_attributed_exactly_zero(klimawerk_small):
    tidy = klimawerk_small["contributions"]
    assert "service_organisation.precheck" in set(tidy.mechanism)
    assert (tidy[tidy.mechanism == "service_organisation.precheck"].contribution == 0).all()


def test_the_empty_coalition_is_exactly_the_baseline_and_the_full_one_the_scenario(klimawerk_small):
    from sim.explain import arms

    opts, overrides = parse(["scenario=klimawerk", *SMALL, "scenario.members=all", "funding.routed=false"])
    scenario, baseline = arms(opts, overrides)
    players = at.players(scenario, baseline)
    none = at.coalition(scenario, baseline, frozenset(), players)
    everything = at.coalition(scenario, baseline, frozenset(p.name for p in players), players)
    keep = simulate(baseline).timeseries
    got = simulate(none).timeseries
    pd.testing.assert_frame_equal(keep, got[got.metric.isin(keep.metric.unique())].reset_index(drop=True))
    assert simulate(everything).timeseries.equals(simulate(scenario).timeseries)


def test_a_switched_off_mechanism_is_no_player_and_leaves_the_total_alone(tmp_path):
    opts, overrides = parse(["scenario=herausforderung", *SMALL, "outcomes=[request_completions]"])
    both = explain(opts, overrides, tmp_path / "both")
    opts, overrides = parse(["scenario=herausforderung", *SMALL, "outcomes=[request_completions]",
                             "broker_group.vetting=false"])
    matching_only = explain(opts, overrides, tmp_path / "one")
    assert both["meta"]["players"] == ["broker_group.vetting", "broker_group.matching"]
    assert matching_only["meta"]["players"] == ["broker_group.matching"]
    t = matching_only["summary"].set_index("mechanism")
    assert t.loc["broker_group.matching", "mean"] == pytest.approx(t.loc["(total)", "mean"])


def test_scenario_settings_are_players_of_their_own():
    """Prima.Klima brings a call (the second programme) beside its project office."""
    from sim.explain import arms

    scenario, baseline = arms(*parse(["scenario=prima_klima", "region=saarbruecken"]))
    assert [p.name for p in at.players(scenario, baseline)] == ["project_office.advice", "project_office.events",
                                                               "second_programme"]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(0, 10_000))
def test_shapley_values_are_efficient_exact_or_sampled(n, seed):
    import numpy as np

    names = [f"p{i}" for i in range(n)]
    rng = np.random.default_rng(seed)
    values = {s: float(rng.normal()) for s in at.subsets(names)}
    total = values[frozenset(names)] - values[frozenset()]
    exact = at.shapley_exact(values, names)
    assert sum(exact.values()) == pytest.approx(total, abs=1e-9)
    sampled = at.shapley_sampled(values, at.orderings(names, 3, seed))
    assert sum(sampled.values()) == pytest.approx(total, abs=1e-9)


def test_shapley_values_of_an_additive_game_are_its_parts():
    names = ["a", "b", "c"]
    part = {"a": 1.0, "b": -2.0, "c": 0.5}
    values = {s: sum(part[x] for x in s) for s in at.subsets(names)}
    assert at.shapley_exact(values, names) == pytest.approx(part)
    assert at.shapley_sampled(values, at.orderings(names, 2, 0)) == pytest.approx(part)


def test_the_command_writes_its_tables_and_refuses_bad_input(tmp_path):
    run = [sys.executable, "-m", "sim.explain"]
    ok = subprocess.run(run + ["scenario=herausforderung", "region=saarbruecken", "horizon_months=12",
                               "replications=2", "jobs=1", "outcomes=[request_completions]", "name=t"],
                        cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert ok.returncode == 0, ok.stderr
    folder = tmp_path / "results" / "explain" / "t"
    for name in ("contributions.csv", "summary.csv", "outcomes.csv", "meta.json", "attribution.png"):
        assert (folder / name).is_file(), name
    assert "broker_group.vetting" in ok.stdout and "8 to run" in ok.stdout   # 4 coalitions x 2 seeds
    again = subprocess.run(run + ["scenario=herausforderung", "region=saarbruecken", "horizon_months=12",
                                  "replications=2", "jobs=1", "outcomes=[request_completions]", "name=t"],
                           cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert again.returncode == 0 and "0 to run" in again.stdout                # the same request: all reused
    assert (folder / "summary.csv").read_text() == pd.read_csv(folder / "summary.csv").to_csv(index=False)
    bad = subprocess.run(run + ["replications=1"], cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert bad.returncode == 2 and bad.stderr.startswith("error: 'replications' = 1") and "Traceback" not in bad.stderr
    name = subprocess.run(run + ["name=../x"], cwd=tmp_path, capture_output=True, text=True, env=_env())
    assert name.returncode == 2 and "Traceback" not in name.stderr


def _env():
    import os
    from pathlib import Path

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_outcomes_that_are_not_a_runs_keys_stop_before_any_run(tmp_path):
    from sim.errors import UserError

    with pytest.raises(UserError, match="'metrics=\\[trust\\]': the attribution names the outcomes it splits with "
                                        "outcomes=\\[...\\]"):
        parse(["scenario=herausforderung", "metrics=[trust]"])
    opts, overrides = parse(["scenario=herausforderung", *SMALL, "outcomes=[trust,approvals]"])
    with pytest.raises(UserError, match="outcomes: trust is not an outcome of a run; 'trust' is a metric family; its "
                                        "outcomes are trust_mean, "):
        explain(opts, overrides, tmp_path / "t")
    assert not (tmp_path / "t").exists()
