"""Limiting cases: switch a mechanism off and its outcome must vanish."""

from sim.projects import State
from sim.run import simulate
from tests.helpers import config


def test_no_budget_no_approvals():
    result = simulate(config(**{"funding.budget_per_head_year": 0.0}))
    assert result.summary["applications"] > 0          # projects still apply ...
    assert result.summary["approvals"] == 0             # ... but nothing is funded
    assert result.summary["funds_approved_eur"] == 0 and result.summary["completions"] == 0


def test_no_capacity_no_completions():
    result = simulate(config(**{"actors.capacity_per_100k": 0.0}))
    assert result.summary["ideas"] > 0
    assert result.summary["completions"] == 0 and result.summary["applications"] == 0


def test_zero_trust_and_full_defection_risk_give_no_partnered_consortia():
    overrides = {"trust.prior_positive": 0.0, "network.initial_evidence": 0.0, "projects.defection_risk": 1.0}
    result = simulate(config(**overrides), keep_model=True)
    partnered = [p for p in result.model.projects.all if len(p.members) > 1]
    assert partnered == [] and result.summary["consortia"] == 0
    assert result.summary["approvals"] > 0               # solo projects go on
    # and with trust, the same world does form consortia
    assert simulate(config(**{"projects.defection_risk": 1.0})).summary["consortia"] > 0


def test_no_ideas_nothing_happens():
    s = simulate(config(**{"projects.ideas_per_100k": 0.0})).summary
    assert s["ideas"] == s["applications"] == s["funds_requested_eur"] == 0


def test_projects_that_need_no_partners_skip_the_search():
    result = simulate(config(**{"projects.partner_share": 0.0}), keep_model=True)
    assert all(State.PARTNER_SEARCH not in p.entered for p in result.model.projects.all)
    assert result.summary["consortia"] == 0 and result.summary["approvals"] > 0


def test_small_towns_can_join_consortia_bigger_than_one_month_of_their_capacity():
    """Werra-Meissner towns have well under one staff-month a month; they must still cooperate, more slowly."""
    s = simulate(config(**{"region.preset": "werra_meissner"})).summary
    assert s["inter_municipal_consortia"] > 0
