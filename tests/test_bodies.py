"""Coordinating bodies and funding rules: the direction of each mechanism's effect over paired seeds (95 % CI),
the conditions under which it must vanish, and common random numbers (a body switched off, or without
capacity, leaves the run exactly as it was)."""

import pandas as pd
import pytest

from sim.run import simulate
from tests.helpers import config, paired_diff_ci, summaries

SEEDS = range(10)
SMALL = {"region.preset": "saarbruecken", "horizon_months": 60}
TOWNS = {"region.preset": "werra_meissner"}


def values(runs, key):
    return [s[key] for s in runs]


def assert_rises(base, treated, key, label):
    mean, lo, hi = paired_diff_ci(values(base, key), values(treated, key))
    assert lo > 0, f"{label}: {key} changes by {mean:.3g} (95 % CI {lo:.3g} to {hi:.3g})"


def assert_falls(base, treated, key, label):
    mean, lo, hi = paired_diff_ci(values(base, key), values(treated, key))
    assert hi < 0, f"{label}: {key} changes by {mean:.3g} (95 % CI {lo:.3g} to {hi:.3g})"


@pytest.fixture(scope="module")
def baseline():
    return summaries(SMALL, SEEDS)


# -- common random numbers ----------------------------------------------------------------------

@pytest.mark.parametrize("body, off", [
    ("service_organisation", {"service_organisation.staff": 0.0}),
    ("broker_group", {"broker_group.coordinator_staff": 0.0}),
    ("city_coordinators", {"city_coordinators.staff_per_city": 0.0}),
    ("development", {"development.managers": 0.0}),
    ("association", {"association.staff": 0.0}),
    ("project_office", {"project_office.budget_eur_per_year": 0.0}),
    ("culture_events", {"culture_events.participation": 0.0}),
    ("entry", {"entry.probability": 0.0}),
])
def test_a_body_without_capacity_gives_exactly_the_baseline(body, off):
    base = simulate(config(seed=3, horizon_months=48))
    idle = simulate(config(seed=3, horizon_months=48, **{"scenario.bodies": [body]}, **off))
    shared = base.timeseries.metric.unique()
    idle_ts = idle.timeseries[idle.timeseries.metric.isin(shared)].reset_index(drop=True)
    pd.testing.assert_frame_equal(base.timeseries, idle_ts)
    pd.testing.assert_frame_equal(base.municipalities, idle.municipalities)
    assert idle.summary["coordination_cost_eur"] == 0.0


def test_a_body_leaves_alone_what_it_does_not_touch():
    """The broker group acts on NGOs' requests only: municipalities' pipeline is the baseline's up to the
    month its matches start using companies' time and budgets that municipal partners could have used."""
    base = simulate(config(seed=5, horizon_months=1)).summary
    broker = simulate(config(seed=5, horizon_months=1, **{"scenario.bodies": ["broker_group"]})).summary
    for key in ("ideas", "applications", "approvals", "funds_approved_eur"):
        assert base[key] == broker[key]


# -- service organisation -----------------------------------------------------------------------

SO = {"scenario.bodies": ["service_organisation"], "funding.routed": True, **SMALL}


def test_service_organisation_raises_approvals_and_the_approval_rate(baseline):
    so = summaries(SO, SEEDS)
    assert_rises(baseline, so, "approvals", "service organisation")
    assert_rises(baseline, so, "approval_rate", "service organisation")
    assert_rises(baseline, so, "knowledge_mean", "service organisation")


def test_its_check_is_no_oracle():
    """The check sends applications back and stops some, but the programme still rejects some it cleared."""
    s = summaries(SO, range(4))
    assert sum(values(s, "so_sent_back")) > 0 and sum(values(s, "so_cleared")) > 0
    assert sum(values(s, "funding_rejected_quality")) > 0


def test_service_organisation_staff_can_become_a_bottleneck():
    """Routed applications need its check: an organisation too small for its members' overhead and requests
    holds them up (worse than none at all), one with staff to spare does not."""
    scarce = simulate(config(**SO, **{"service_organisation.staff": 0.5, "seed": 1}))
    ample = simulate(config(**SO, **{"seed": 1}))
    queue = scarce.timeseries.query("metric == 'so_queue'").set_index("step").value
    assert queue.mean() > 1
    assert scarce.summary["so_utilisation"] > 0.95 > ample.summary["so_utilisation"]
    assert scarce.summary["so_served"] / scarce.summary["so_requests"] < ample.summary["so_served"] / ample.summary["so_requests"]
    assert scarce.summary["approvals"] < ample.summary["approvals"]


def test_hub_coordination_replaces_pairwise_meetings():
    """Provan & Kenis 2008: with the organisation coordinating, members meet it instead of each other."""
    pair = summaries({**SO, "service_organisation.coordination": False}, range(5))
    hub = summaries(SO, range(5))
    assert_falls(pair, hub, "pairwise_coordination_staff_months", "hub coordination")
    assert all(s["hub_coordination_staff_months"] > 0 for s in hub)
    assert all(s["hub_coordination_staff_months"] == 0 for s in pair)


def test_knowledge_transfer_is_bounded_by_the_organisations_expertise():
    for staff in (11.0, 200.0):
        s = simulate(config(**{**SO, "service_organisation.staff": staff, "horizon_months": 120})).summary
        assert s["knowledge_mean"] <= 0.9 + 1e-9
    no_transfer = simulate(config(**SO, **{"service_organisation.knowledge": False})).summary
    assert no_transfer["knowledge_mean"] < s["knowledge_mean"]


def test_monitoring_takes_over_the_partners_monitoring():
    off = summaries({**SO, "service_organisation.monitoring": False}, range(5))
    on = summaries(SO, range(5))
    assert all(s["monitoring_staff_months"] > 0 for s in off)
    assert_falls(off, on, "monitoring_staff_months", "monitoring")


# -- broker group -------------------------------------------------------------------------------

BROKER = {"scenario.bodies": ["broker_group"], **SMALL}


def test_broker_group_raises_company_ngo_projects(baseline):
    broker = summaries(BROKER, SEEDS)
    assert_rises(baseline, broker, "request_completions", "broker group")
    assert_rises(baseline, broker, "company_ngo_consortia", "broker group")
    assert all(s["request_matches"] > 0 for s in baseline)       # NGOs find some help by themselves


def test_broker_group_without_willing_companies_makes_no_matches():
    s = simulate(config(**BROKER, **{"actors.company_willingness": 0.01})).summary
    assert s["broker_requests"] > 0 and s["broker_vetted"] > 0
    assert s["broker_matches"] == 0


def test_broker_matches_follow_the_coordinators_capacity():
    half = summaries({**BROKER, "broker_group.coordinator_staff": 0.05}, range(5))
    full = summaries(BROKER, range(5))
    assert_rises(half, full, "broker_matches", "more coordinator staff")


def test_vetting_makes_more_of_the_matched_requests_land():
    unvetted = summaries({**BROKER, "broker_group.vetting": False}, SEEDS)
    vetted = summaries(BROKER, SEEDS)
    share = lambda runs: [s["request_completions"] / s["request_matches"] for s in runs]  # noqa: E731
    mean, lo, hi = paired_diff_ci(share(unvetted), share(vetted))
    assert lo > 0, f"share of matched requests completed changes by {mean:.3f} (95 % CI {lo:.3f} to {hi:.3f})"


# -- funding rules ------------------------------------------------------------------------------

def test_call_window_puts_application_peaks_into_the_window_months():
    r = simulate(config(**{"funding.open_months": [3, 9]}))
    apps = r.timeseries.query("metric == 'applications'").set_index("step").value.diff().fillna(0)
    month_of_year = (apps.index - 1) % 12 + 1
    in_window = apps[month_of_year.isin([3, 9])]
    assert apps.sum() > 0 and in_window.sum() == apps.sum()
    assert in_window.mean() > 3 * apps.mean()


def test_no_carry_over_lapses_what_carry_over_keeps():
    lapse = simulate(config(**{"funding.budget_per_head_year": 5.0})).summary
    carry = simulate(config(**{"funding.budget_per_head_year": 5.0, "funding.carry_over": True})).summary
    assert carry["funds_unspent_eur"] == pytest.approx(lapse["funds_unspent_eur"])   # same total left ...
    assert lapse["approvals"] == carry["approvals"]                                      # ... budget not binding


def test_a_second_programme_funds_the_themes_the_first_does_not():
    """A call for energy-efficient districts beside the main (water) programme: districts that would have
    been paid for by the towns alone, or not at all, now apply and are funded."""
    call = {"second_programme.budget_per_head_year": 2.0, "second_programme.themes": ["energy"],
            "second_programme.allocation": "lottery", "horizon_months": 60}
    base = summaries({"horizon_months": 60}, range(5))
    both = summaries(call, range(5))
    assert all(s["second_programme_decisions"] > 0 for s in both)
    assert_rises(base, both, "funds_approved_eur", "second programme")
    assert_rises(base, both, "funded_completions", "second programme")


def test_two_stages_drop_out_between_concept_and_implementation():
    common = {"second_programme.budget_per_head_year": 3.0, "second_programme.themes": ["energy"],
              "second_programme.two_stage": True, "region.preset": "rvr", "horizon_months": 96}
    easy = simulate(config(**common)).summary
    hard = simulate(config(**common, **{"second_programme.hurdle_ratio": 2.0})).summary
    assert easy["concepts_completed"] > 0
    assert 0 <= hard["concept_followup_share"] < easy["concept_followup_share"] <= 1


def test_rejected_applications_are_revised_and_resubmitted():
    again = simulate(config(**SMALL)).summary
    never = simulate(config(**SMALL, **{"funding.max_resubmissions": 0})).summary
    assert again["resubmissions"] > 0 and never["resubmissions"] == 0
    assert again["applications"] > never["applications"]


def test_a_review_without_noise_and_a_low_bar_rejects_nothing_for_quality():
    s = simulate(config(**SMALL, **{"funding.review_noise": 0.0, "funding.approval_threshold": -10.0})).summary
    assert s["funding_decisions"] > 0 and s["funding_rejected_quality"] == 0


# -- the other bodies ---------------------------------------------------------------------------

def test_culture_events_raise_trust_between_municipalities(baseline):
    events = summaries({**SMALL, "scenario.bodies": ["culture_events"]}, SEEDS)
    assert_rises(baseline, events, "trust_municipalities", "culture events")
    assert_rises(baseline, events, "trust_in_use_mean", "culture events")


def test_city_coordinators_take_over_agency_work():
    dear = {**SMALL, "projects.agency_cost": 0.5}
    base = summaries(dear, SEEDS)
    coord = summaries({**dear, "scenario.bodies": ["city_coordinators"]}, SEEDS)
    assert all(s["agency_covered_staff_months"] > 0 for s in coord)
    assert_falls(base, coord, "agency_staff_months", "city coordinators")


def test_regional_development_raises_trust_between_towns_and_lends_staff():
    base = summaries(TOWNS, SEEDS)
    dev = summaries({**TOWNS, "scenario.bodies": ["development"]}, SEEDS)
    assert_rises(base, dev, "trust_municipalities", "regional development")
    assert all(s["pool_lent_staff_months"] > 0 and s["forums_held"] > 0 for s in dev)


def test_the_pool_lends_nothing_when_nobody_has_time_to_spare():
    s = simulate(config(**TOWNS, **{"scenario.bodies": ["development"], "actors.capacity_per_100k": 0.0})).summary
    assert s["pool_lent_staff_months"] == 0


def test_regional_association_raises_knowledge_and_the_quality_of_applications():
    emscher = {"horizon_months": 60}
    base = summaries(emscher, SEEDS)
    assoc = summaries({**emscher, "scenario.bodies": ["association"]}, SEEDS)
    assert_rises(base, assoc, "knowledge_mean", "regional association")
    assert_rises(base, assoc, "application_quality_mean", "regional association")


def test_project_office_advice_raises_the_approval_rate_of_its_call():
    call = {**SMALL, "second_programme.budget_per_head_year": 3.0, "second_programme.themes": ["energy", "water"],
            "second_programme.allocation": "competition", "second_programme.call_interval_months": 6,
            "project_office.events": False}
    base = summaries(call, SEEDS)
    office = summaries({**call, "scenario.bodies": ["project_office"]}, SEEDS)
    rate = lambda runs: [s["second_programme_rejected_quality"] / max(s["second_programme_decisions"], 1)  # noqa: E731
                         for s in runs]
    mean, lo, hi = paired_diff_ci(rate(base), rate(office))
    assert hi < 0, f"share rejected for quality changes by {mean:.3f} (95 % CI {lo:.3f} to {hi:.3f})"


def test_entry_non_members_join_when_members_gain():
    s = simulate(config(**{"region.preset": "rvr", "scenario.bodies": ["service_organisation", "entry"],
                           "scenario.members": "emscher", "funding.routed": True})).summary
    assert s["entries"] > 0 and 17 < s["members"] <= 53
    never = simulate(config(**{"region.preset": "rvr", "scenario.bodies": ["service_organisation", "entry"],
                               "scenario.members": "emscher", "entry.threshold_eur_per_head": 1e4})).summary
    assert never["entries"] == 0 and never["members"] == 17


def test_agents_made_during_a_run_can_be_found_by_id():
    """City coordinators of towns that join later are agents too; the model must find them by id."""
    r = simulate(config(**{"region.preset": "rvr", "scenario.bodies": ["service_organisation", "city_coordinators",
                                                                          "entry"], "scenario.members": "emscher"}),
                 keep_model=True)
    model = r.model
    assert r.summary["entries"] > 0
    assert all(model.agent(a.unique_id) is a for a in model.agents)
