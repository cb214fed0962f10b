"""The inherited test suites catch real mistakes, and say which component broke which contract.

Three extensions a student might write (a bonding partner-selection rule, a Klimaschutzmanager body, a
need-based allocation rule), each first correct (it passes its inherited checks) and then with the
mistakes seen in practice: a ranking that drops candidates, a decision that answers only the approvals,
a body that draws from the ideas stream, a parameter without a range. The components are registered only
for the duration of a test (``sim.testing.registered``), so the real registries stay as shipped.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from sim.bodies.base import Body
from sim.config import param
from sim.errors import ContractError, UserError
from sim.funding import AllocationRule
from sim.run import simulate
from sim.testing import (AllocationRuleTests, BodyTests, ContractFailure, MetricTests, PartnerSelectionRuleTests,
                         registered, small_config)


def suite(base, name: str):
    """An instance of the inherited test class for component ``name``."""
    return type(f"Test_{name}", (base,), {"name": name})()


# -- a bonding partner-selection rule ------------------------------------------------------------


class Bonding:
    """Ask the partners one knows best first: the most certain evidence (smallest spread), then trust
    (Berardo & Scholz 2010: bonding under risk)."""

    def __init__(self, cfg):
        pass

    def rank(self, model, project, candidates, value, trust, spread, rng):
        order = np.lexsort((rng.random(len(candidates)), -trust, spread))
        return [candidates[i] for i in order]


class BondingOnlyTrusted(Bonding):
    """Ask only the trusted partners (a subset: the mistake)."""

    def rank(self, model, project, candidates, value, trust, spread, rng):
        return [c for c, t in zip(candidates, trust) if t > 0.5]


class BondingIndices(Bonding):
    """Returns positions instead of ids (the mistake behind 'KeyError: np.int64(0)')."""

    def rank(self, model, project, candidates, value, trust, spread, rng):
        return list(np.argsort(-trust))


def test_a_correct_rule_passes_its_inherited_checks():
    with registered("partner selection rule", "bonding", Bonding):
        tests = suite(PartnerSelectionRuleTests, "bonding")
        tests.test_returns_a_permutation_of_the_candidates()
        tests.test_deterministic_under_a_seed_and_truthful_about_randomness()
        tests.test_every_parameter_has_a_range_a_unit_check_and_a_source()


def test_a_ranking_that_drops_candidates_is_caught_by_name():
    with registered("partner selection rule", "bonding_subset", BondingOnlyTrusted):
        with pytest.raises(ContractFailure, match=r"partner selection rule 'bonding_subset' \(tests/test_contracts.py\)"
                                                  r" broke the contract 'rank returns .*left out"):
            suite(PartnerSelectionRuleTests, "bonding_subset").test_returns_a_permutation_of_the_candidates()


def test_positions_instead_of_ids_stop_a_run_with_one_sentence_naming_the_rule():
    with registered("partner selection rule", "bonding_indices", BondingIndices):
        with pytest.raises(ContractFailure, match="items are not candidates' ids"):
            suite(PartnerSelectionRuleTests, "bonding_indices").test_returns_a_permutation_of_the_candidates()
        with pytest.raises(ContractError, match="partner selection rule 'bonding_indices' broke its contract: rank "
                                                "must return each of the"):
            simulate(small_config(horizon_months=12, **{"rules.partner_selection": "bonding_indices"}))


# -- a need-based allocation rule ---------------------------------------------------------------


class NeedFirst(AllocationRule):
    """Approve eligible applications of the leads with the most initial need per head first, while the
    budget lasts."""

    def decide(self, queue, step):
        prog = self.programme
        need = prog.need / prog.population
        ok = self._in_order(sorted(queue, key=lambda p: -need[p.lead_index]))
        return [(p, ok[p.pid]) for p in queue]


class NeedFirstApprovalsOnly(NeedFirst):
    """Returns only the approvals (the mistake: the rejected applications then wait forever)."""

    def decide(self, queue, step):
        return [(p, ok) for p, ok in super().decide(queue, step) if ok]


def test_a_correct_allocation_rule_passes_and_works_from_a_run():
    with registered("allocation rule", "need_first", NeedFirst):
        tests = suite(AllocationRuleTests, "need_first")
        tests.test_answers_every_application_exactly_once()
        tests.test_never_grants_more_than_the_budget()
        tests.test_only_eligible_applications_are_approved()
        assert small_config(**{"funding.allocation": "need_first"}).funding.allocation == "need_first"


def test_a_decision_that_leaves_applications_unanswered_is_caught_by_name():
    with registered("allocation rule", "need_first_bad", NeedFirstApprovalsOnly):
        with pytest.raises(ContractFailure, match=r"allocation rule 'need_first_bad' .* broke the contract 'decide "
                                                  r"answers every application exactly once.*got no answer"):
            suite(AllocationRuleTests, "need_first_bad").test_answers_every_application_exactly_once()
        with pytest.raises(ContractError, match="allocation rule 'need_first_bad' broke its contract"):
            simulate(small_config(horizon_months=12, **{"funding.allocation": "need_first_bad"}))


# -- a Klimaschutzmanager body ------------------------------------------------------------------


@dataclass
class ManagerParams:
    staff_per_city: float = param(1.0, unit="full-time staff per member city", low=0, high=10,
                                  source="assumption (Kommunalrichtlinie: one funded post per municipality)",
                                  help="climate protection managers per member city")
    learning: float = param(0.05, low=0, high=1, source="assumption",
                            help="a visit closes this share of a member's gap to full knowledge")
    visits: bool = param(True, source="assumption", help="mechanism switch: advisory visits to members")


class ClimateManager(Body):
    """Klimaschutzmanager: advisory visits to member towns, each month with chance one half, raise their
    knowledge (drawn from its own stream)."""

    mechanisms = ("visits",)
    Params = ManagerParams

    @property
    def has_capacity(self):
        return self.params.staff_per_city > 0

    def start_month(self, t):
        if self.uses("visits"):
            for m, u in zip(self.members(), self.random_draws(len(self.members()))):
                if u < 0.5:
                    m.knowledge += self.params.learning * (1 - m.knowledge)

    def random_draws(self, n):
        return self.stream.random(n)

    def monthly_cost(self):
        return self.params.staff_per_city * len(self.members()) * self.wage


class ClimateManagerWrongStream(ClimateManager):
    """Draws its visits from the ideas stream (the mistake: the baseline's ideas shift)."""

    def random_draws(self, n):
        return self.model.streams["ideas"].random(n)


@dataclass
class UnboundedParams(ManagerParams):
    learning: float = param(0.05, source="assumption", help="no range: the mistake")


class ClimateManagerUnbounded(ClimateManager):
    """A numeric parameter without a range."""

    Params = UnboundedParams


def test_a_correct_body_passes_without_a_config_key_or_a_line_in_sim_config(monkeypatch):
    with registered("coordinating body", "klimaschutz", ClimateManager):
        cfg = small_config(horizon_months=24, **{"scenario.bodies": ["klimaschutz"], "klimaschutz.learning": 0.1})
        assert cfg.klimaschutz.learning == 0.1 and ClimateManager.config_key == "klimaschutz"
        tests = suite(BodyTests, "klimaschutz")
        tests.test_draws_only_from_its_own_stream(monkeypatch)
        tests.test_every_parameter_has_a_range_a_unit_check_and_a_source()
        tests.test_switched_off_it_gives_exactly_the_baseline()
        assert simulate(cfg).summary["klimaschutz_cost_eur"] > 0
    assert not hasattr(small_config(), "klimaschutz")             # the group went with the component


def test_a_body_drawing_from_the_ideas_stream_is_caught_by_name(monkeypatch):
    with registered("coordinating body", "klimaschutz_bad", ClimateManagerWrongStream):
        with pytest.raises(ContractFailure, match=r"coordinating body 'klimaschutz_bad' .* broke the contract 'it "
                                                  r"draws random numbers only from its own stream .*its start_month "
                                                  r"drew from ideas"):
            suite(BodyTests, "klimaschutz_bad").test_draws_only_from_its_own_stream(monkeypatch)


def test_a_parameter_without_a_range_is_caught_by_name():
    with registered("coordinating body", "klimaschutz_open", ClimateManagerUnbounded):
        with pytest.raises(ContractFailure, match=r"'every numeric parameter has a range': 'klimaschutz_open.learning'"
                                                  r" needs low= and high="):
            suite(BodyTests, "klimaschutz_open").test_every_parameter_has_a_range_a_unit_check_and_a_source()


def test_a_metric_returning_text_is_caught_by_name():
    def label(model):
        """The region's name (a mistake: text, not a number)."""
        return "Saarland"

    with registered("metric", "label", label):
        with pytest.raises(ContractFailure, match="metric 'label' .* broke the contract 'it returns a float"):
            suite(MetricTests, "label").test_returns_numbers_deterministically()
        with pytest.raises(ContractError, match="metric 'label' broke its contract"):
            simulate(small_config(horizon_months=2))


class ClimateManagerForgetsToAnswer(ClimateManager):
    """Its eligibility check forgets its return (None would silently block every application)."""

    def may_apply(self, project, t):
        project.advisor = max(project.advisor, 0.0)


def test_a_hook_that_forgets_its_answer_is_caught_by_name():
    with registered("coordinating body", "klimaschutz_mute", ClimateManagerForgetsToAnswer):
        with pytest.raises(ContractFailure, match=r"'klimaschutz_mute' .* broke the contract 'may_apply returns True "
                                                  r"or False': it returned None"):
            suite(BodyTests, "klimaschutz_mute").test_its_hooks_return_what_the_model_expects()


# -- an agent kind: an energy cooperative -------------------------------------------------------


from sim.agents.base import Actor, reliabilities  # noqa: E402
from sim.testing import AgentKindTests  # noqa: E402


class EnergyCoop(Actor):
    """A citizens' energy cooperative in every town of at least 30,000 inhabitants (civil society: it joins
    projects and asks companies for support)."""

    sector = "civil"

    @classmethod
    def populate(cls, model, rng):
        homes = [m.index for m in model.municipalities if m.population >= 30_000]
        return [cls(model, home=h, willingness=float(w), reliability=float(r), capacity=0.5)
                for h, w, r in zip(homes, rng.beta(3, 2, len(homes)), reliabilities(model.cfg.actors, rng, len(homes)))]


class EnergyCoopIdeasStream(EnergyCoop):
    """Draws its willingness from the ideas stream (the mistake: every later idea changes)."""

    @classmethod
    def populate(cls, model, rng):
        return super().populate(model, model.streams["ideas"])


class EnergyCoopSharedStream(EnergyCoop):
    """Draws from the companies' and NGOs' stream (the mistake: listed before them, it changes them)."""

    draws_from = "actors"


class EnergyCoopHomeless(EnergyCoop):
    """Gives its agents the municipality's id instead of its index (the mistake)."""

    @classmethod
    def populate(cls, model, rng):
        agents = super().populate(model, rng)
        for a in agents:
            a.home = model.municipalities[a.home].unique_id + 100
        return agents


def test_a_correct_agent_kind_passes_and_is_chosen_by_name():
    with registered("agent kind", "energy_coop", EnergyCoop):
        tests = suite(AgentKindTests, "energy_coop")
        for name in dir(tests):
            if name.startswith("test_") and name != "test_draws_only_from_its_own_stream":
                getattr(tests, name)()
        run = simulate(small_config(horizon_months=12, **{"actors.kinds": ["municipality", "company", "ngo",
                                                                            "energy_coop"]}))
        base = simulate(small_config(horizon_months=12))
        towns = (run.municipalities.population >= 30_000).sum()
        assert towns > 0 and run.summary["ngos"] == base.summary["ngos"] + towns   # civil actors join model.ngos
        assert run.summary["agents_energy_coop"] == towns


class EnergyCoopPiledUpTime(EnergyCoop):
    """Adds a month's capacity to what is left (the mistake: unused time piles up month after month)."""

    def new_month(self):
        self.free += self.capacity


@pytest.mark.parametrize("component, test, contract", [
    (EnergyCoopIdeasStream, "test_draws_only_from_its_own_stream",
     "populate draws only from the rng it is given': it drew from ideas"),
    (EnergyCoopSharedStream, "test_the_other_kinds_agents_are_the_same_without_it",
     "it leaves the other kinds' agents as they were"),
    (EnergyCoopPiledUpTime, "test_new_month_renews_its_staff_time",
     r"new_month renews its staff time: free = capacity \+ min\(last month's free, 0\)': agent \d+: free 0.3 became"),
])
def test_an_agent_kind_that_breaks_its_contract_is_caught_by_name(component, test, contract, monkeypatch):
    with registered("agent kind", "coop_wrong", component):
        tests = suite(AgentKindTests, "coop_wrong")
        with pytest.raises(ContractFailure, match=r"agent kind 'coop_wrong' \(tests/test_contracts.py\) broke the "
                                                  "contract '" + contract):
            method = getattr(tests, test)
            method(monkeypatch) if test == "test_draws_only_from_its_own_stream" else method()


class EnergyCoopForgetful(EnergyCoop):
    """Makes an agent in every town but returns only the first (the mistake)."""

    @classmethod
    def populate(cls, model, rng):
        return [cls(model, home=m.index, capacity=0.5) for m in model.municipalities][:1]


class EnergyCoopUnsaid(EnergyCoop):
    """Registered as civil but inherits the class attribute 'public' (the mistake)."""

    sector = "public"


class EnergyCoopWithoutPopulate(Actor):
    """Forgot populate (the mistake)."""

    sector = "civil"


@pytest.mark.parametrize("component, message", [
    (EnergyCoopForgetful, r"agent kind 'coop_x' \(tests/test_contracts.py\) broke its contract: populate made 10 "
                          "agents but returned 1"),
    (EnergyCoopUnsaid, r"agent kind 'coop_x' \(tests/test_contracts.py\) is registered with sector 'civil' but its "
                       "class says sector = 'public'"),
    (EnergyCoopWithoutPopulate, r"agent kind 'coop_x' \(tests/test_contracts.py\) has no populate of its own"),
])
def test_an_agent_kind_the_model_cannot_use_stops_before_any_month_with_one_sentence(component, message):
    with registered("agent kind", "coop_x", component):
        component.traits["sector"] = "civil"
        with pytest.raises(UserError, match=message):
            simulate(small_config(horizon_months=1, **{"actors.kinds": ["municipality", "coop_x"]}))


def test_an_agent_kind_with_a_bad_home_stops_the_run_with_one_sentence():
    with registered("agent kind", "coop_homeless", EnergyCoopHomeless):
        with pytest.raises(ContractError, match=r"agent kind 'coop_homeless' \(tests/test_contracts.py\) broke its "
                                                r"contract: agent \d+ has home \d+; a home is the index of a "
                                                r"municipality \(municipality.index, not its unique_id\), 0 to 9"):
            simulate(small_config(horizon_months=1, **{"actors.kinds": ["municipality", "coop_homeless"]}))
