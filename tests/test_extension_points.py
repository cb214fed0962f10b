"""Every shipped component inherits the checks of its extension point (sim/testing.py)."""

from sim.testing import (AgentKindTests, AllocationRuleTests, BodyTests, ConsortiumRuleTests, MetricTests,
                         PartnerSelectionRuleTests, TrustRuleTests)


class TestExpectedValue(PartnerSelectionRuleTests):
    name = "expected_value"

    def test_asks_the_candidate_worth_most_first(self):
        candidates, ranked = self.ranked(0)
        assert ranked[0] == candidates[-1]                  # the highest value comes last in ranked()'s input


class TestMostTrusted(PartnerSelectionRuleTests):
    name = "trust"

    def test_asks_the_most_trusted_first(self):
        candidates, ranked = self.ranked(0)
        assert ranked[0] == candidates[0]                   # the highest trust comes first in ranked()'s input


class TestInstitutionalCollectiveAction(ConsortiumRuleTests):
    name = "ica"


class TestBetaReputation(TrustRuleTests):
    name = "beta"


class TestFirstComeFirstServed(AllocationRuleTests):
    name = "fcfs"


class TestCompetition(AllocationRuleTests):
    name = "competition"


class TestLottery(AllocationRuleTests):
    name = "lottery"


class TestFormula(AllocationRuleTests):
    name = "formula"


class TestServiceOrganisation(BodyTests):
    name = "service_organisation"


class TestCityCoordinators(BodyTests):
    name = "city_coordinators"


class TestBrokerGroup(BodyTests):
    name = "broker_group"


class TestProjectOffice(BodyTests):
    name = "project_office"


class TestDevelopment(BodyTests):
    name = "development"


class TestCultureEvents(BodyTests):
    name = "culture_events"


class TestEntry(BodyTests):
    name = "entry"


class TestAssociation(BodyTests):
    name = "association"


class TestPipelineMetric(MetricTests):
    name = "pipeline"


class TestTrustMetric(MetricTests):
    name = "trust"


class TestNetworkMetric(MetricTests):
    name = "network"


class TestCoordinationMetric(MetricTests):
    name = "coordination"


class TestNeedsMetric(MetricTests):
    name = "needs"


class TestConsortiaMetric(MetricTests):
    name = "consortia"


class TestDeliveryMetric(MetricTests):
    name = "delivery"


class TestFundsMetric(MetricTests):
    name = "funds"


class TestEquityMetric(MetricTests):
    name = "equity"


class TestMunicipality(AgentKindTests):
    name = "municipality"


class TestCompany(AgentKindTests):
    name = "company"


class TestNGO(AgentKindTests):
    name = "ngo"


def test_every_registered_component_has_a_test_class():
    """Adding a component without inheriting its checks fails here."""
    import sys

    from sim.agents import agent_kinds
    from sim.bodies import bodies
    from sim.funding import allocation_rules
    from sim.rules import consortium_rules, partner_selection_rules
    from sim.trust import trust_rules

    tested = {(base.registry.kind, cls.name) for cls in vars(sys.modules[__name__]).values()
              if isinstance(cls, type) and cls.__name__.startswith("Test") for base in cls.__mro__[1:2]}
    for registry in (agent_kinds, bodies, allocation_rules, consortium_rules, partner_selection_rules, trust_rules):
        shipped = [n for n, obj in registry.items() if obj.__module__.startswith("sim.")]   # not the tutorial's
        missing = [n for n in shipped if (registry.kind, n) not in tested]
        assert missing == [], f"{registry.kind}: {missing} have no test class"
