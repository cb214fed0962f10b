"""Limiting cases: switch a mechanism off, or push a setting to its end, and its outcome must vanish."""

import pandas as pd

from sim.config import THEMES
from sim.run import simulate
from tests.helpers import config

SMALL = {"region.preset": "saarbruecken", "horizon_months": 60}
NO_NEEDS = {f"needs.{t}.stock_factor": 0.0 for t in THEMES}


def test_fully_reliable_actors_without_defection_risk_never_fail_to_deliver():
    s = simulate(config(**SMALL, **{"actors.reliability_mean": 1.0, "projects.defection_risk": 0.0})).summary
    assert s["defaults"] == s["request_defaults"] == s["failures_default"] == 0
    assert s["completions"] > 0 and s["consortia"] > 0          # the projects themselves go on
    # and with the defaults, members do fail to deliver now and then
    assert simulate(config(**SMALL)).summary["defaults"] > 0


def test_zero_needs_no_ideas():
    s = simulate(config(**SMALL, **NO_NEEDS)).summary
    assert s["ideas"] == s["applications"] == s["completions"] == s["funds_requested_eur"] == 0
    assert s["water_disconnected_ha"] == 0


def test_no_budget_no_approvals():
    s = simulate(config(**{"funding.budget_per_head_year": 0.0}, horizon_months=60)).summary
    assert s["applications"] > 0                                 # projects still apply ...
    assert s["approvals"] == s["funds_approved_eur"] == s["funded_completions"] == 0   # ... nothing is funded


def test_an_unlimited_budget_rejects_nothing_for_lack_of_budget():
    s = simulate(config(**{"funding.budget_per_head_year": 10_000.0, "funding.allocation": "competition",
                           "funding.call_interval_months": 6, "funding.winners_per_call": 0},
                        horizon_months=60)).summary
    assert s["funding_decisions"] > 0 and s["funding_rejected_budget"] == 0
    assert s["funding_budget_rejection_share"] == 0


def test_no_capacity_no_completions():
    s = simulate(config(**SMALL, **{"actors.capacity_per_100k": 0.0})).summary
    assert s["completions"] == s["applications"] == s["ideas"] == 0   # no free planning staff, no ideas at all


def test_without_any_trust_and_with_fatal_failures_nobody_takes_a_partner():
    """A partner trusted at 0 fails for sure in the lead's eyes; if every failure sinks the project, adding
    one can only lose. Solo projects go on."""
    distrust = {"trust.prior_positive": 0.0, "network.initial_evidence": 0.0, "network.local_evidence": 0.0,
                "projects.default_fatality": 1.0}
    result = simulate(config(**SMALL, **distrust), keep_model=True)
    assert all(len(p.members) == 1 for p in result.model.projects.all if p.origin != "request")
    assert result.summary["consortia"] == 0 and result.summary["completions"] > 0
    assert simulate(config(**SMALL, **{"projects.default_fatality": 1.0})).summary["consortia"] > 0


def test_a_service_organisation_without_staff_gives_exactly_the_baseline():
    base = simulate(config(seed=4, horizon_months=36))
    idle = simulate(config(seed=4, horizon_months=36, **{"scenario.bodies": ["service_organisation"],
                                                          "service_organisation.staff": 0.0}))
    shared = idle.timeseries[idle.timeseries.metric.isin(base.timeseries.metric.unique())].reset_index(drop=True)
    pd.testing.assert_frame_equal(base.timeseries, shared)
    pd.testing.assert_frame_equal(base.municipalities, idle.municipalities)


def test_small_towns_can_join_consortia_bigger_than_one_month_of_their_capacity():
    """Werra-Meissner towns have well under one staff-month a month; they must still cooperate, more slowly."""
    s = simulate(config(**{"region.preset": "werra_meissner"})).summary
    assert s["inter_municipal_consortia"] > 0
