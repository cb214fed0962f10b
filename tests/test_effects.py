"""Direction of effects over paired seeds (common random numbers), judged with a 95 % confidence
interval of the paired difference. Each of these could fail: none of them is written into a mechanism."""

from sim.config import THEMES
from tests.helpers import paired_diff_ci, summaries

SEEDS = range(10)
SMALL = {"region.preset": "saarbruecken", "horizon_months": 60}
TOWNS = {"region.preset": "werra_meissner", "horizon_months": 120}


def change(a, b, key):
    return paired_diff_ci([s[key] for s in a], [s[key] for s in b])


def assert_up(a, b, key):
    mean, lo, hi = change(a, b, key)
    assert lo > 0, f"{key} changes by {mean:.3g} (95 % CI {lo:.3g} to {hi:.3g})"


def assert_down(a, b, key):
    mean, lo, hi = change(a, b, key)
    assert hi < 0, f"{key} changes by {mean:.3g} (95 % CI {lo:.3g} to {hi:.3g})"


def test_lower_initial_trust_fewer_multi_partner_consortia():
    trusting = summaries({**SMALL}, SEEDS)
    wary = summaries({**SMALL, "network.initial_evidence": 0.0, "network.local_evidence": 0.0}, SEEDS)
    assert_down(trusting, wary, "consortia")


def test_more_defection_risk_fewer_consortia():
    low = summaries({**SMALL, "projects.defection_risk": 0.1}, SEEDS)
    high = summaries({**SMALL, "projects.defection_risk": 0.9}, SEEDS)
    assert_down(low, high, "consortia")


def test_a_bigger_need_stock_more_ideas():
    base = summaries({**SMALL}, SEEDS)
    more = summaries({**SMALL, **{f"needs.{t}.stock_factor": 2.0 for t in THEMES}}, SEEDS)
    assert_up(base, more, "ideas")


def test_higher_transaction_costs_fewer_consortia():
    base = summaries({**SMALL}, SEEDS)
    dear = summaries({**SMALL, "projects.negotiation_cost": 1.5, "projects.pair_cost": 0.1}, SEEDS)
    assert_down(base, dear, "consortia")


def test_more_service_organisation_staff_more_approvals_with_diminishing_returns():
    """Klima.Werk on its region: the gain from 11 to 20 staff is smaller than from 1 to 2."""
    common = {"scenario.bodies": ["service_organisation"], "funding.routed": True, "horizon_months": 60}
    runs = {x: summaries({**common, "service_organisation.staff": float(x)}, SEEDS) for x in (1, 2, 11, 20)}
    assert_up(runs[1], runs[11], "approvals")
    small, _, _ = change(runs[1], runs[2], "approvals")
    large, _, _ = change(runs[11], runs[20], "approvals")
    assert small > large, f"1 -> 2 staff: {small:+.1f} approvals, 11 -> 20 staff: {large:+.1f}"


def test_a_binding_budget_makes_the_allocation_rules_differ_in_equity():
    """Werra-Meissner with a small programme for all its needs, decided twice a year: a population formula
    spreads money more thinly than funding the best applications, so the towns' shares differ."""
    tight = {**TOWNS, "funding.themes": ["water", "services", "supply"], "funding.budget_per_head_year": 1.0,
             "funding.call_interval_months": 6}
    runs = {rule: summaries({**tight, "funding.allocation": rule}, SEEDS) for rule in ("competition", "formula")}
    assert min(s["funding_budget_rejection_share"] for s in runs["competition"]) > 0.1   # the budget binds
    mean, lo, hi = change(runs["competition"], runs["formula"], "gini_funds_per_head")
    assert lo > 0 or hi < 0, f"Gini differs by {mean:.3f} (95 % CI {lo:.3f} to {hi:.3f})"


def test_more_budget_more_approvals_where_it_binds():
    tight = {**TOWNS, "funding.themes": ["water", "services", "supply"], "funding.call_interval_months": 6}
    low = summaries({**tight, "funding.budget_per_head_year": 0.5}, SEEDS)
    high = summaries({**tight, "funding.budget_per_head_year": 3.0}, SEEDS)
    assert_up(low, high, "approvals")
