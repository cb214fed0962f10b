"""Direction of effects over paired seeds, judged with a 95 % confidence interval of the difference."""

from tests.helpers import paired_diff_ci, summaries

SEEDS = range(10)
COMMON = {"horizon_months": 60}


def test_more_budget_more_approvals():
    low = summaries({"funding.budget_per_head_year": 0.5}, SEEDS, **COMMON)
    high = summaries({"funding.budget_per_head_year": 2.0}, SEEDS, **COMMON)
    mean, lo, hi = paired_diff_ci([s["approvals"] for s in low], [s["approvals"] for s in high])
    assert lo > 0, f"approvals rise by {mean:.1f} (95 % CI {lo:.1f} to {hi:.1f})"


def test_higher_transaction_costs_fewer_consortia():
    costly = {"projects.information_cost": 1.5, "projects.negotiation_cost": 1.5}
    base = summaries({}, SEEDS, **COMMON)
    dear = summaries(costly, SEEDS, **COMMON)
    mean, lo, hi = paired_diff_ci([s["consortia"] for s in base], [s["consortia"] for s in dear])
    assert hi < 0, f"consortia change by {mean:.1f} (95 % CI {lo:.1f} to {hi:.1f})"

