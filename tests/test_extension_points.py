"""Every shipped component inherits the checks of its extension point (sim/testing.py)."""

from sim.testing import (AgentKindTests, AllocationRuleTests, BodyTests, ConsortiumRuleTests, MetricTests,
                         PartnerSelectionRuleTests, TrustRuleTests)


class TestMostTrusted(PartnerSelectionRuleTests):
    name = "trust"


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
    name, off = "service_organisation", {"service_organisation.staff": 0.0}


class TestCityCoordinators(BodyTests):
    name, off = "city_coordinators", {"city_coordinators.staff_per_city": 0.0}


class TestBrokerGroup(BodyTests):
    name, off = "broker_group", {"broker_group.coordinator_staff": 0.0}


class TestProjectOffice(BodyTests):
    name, off = "project_office", {"project_office.budget_eur_per_year": 0.0}


class TestDevelopment(BodyTests):
    name, off = "development", {"development.managers": 0.0}


class TestCultureEvents(BodyTests):
    name, off = "culture_events", {"culture_events.participation": 0.0}


class TestEntry(BodyTests):
    name, off = "entry", {"entry.probability": 0.0}


class TestAssociation(BodyTests):
    name, off = "association", {"association.staff": 0.0}


class TestPipelineMetric(MetricTests):
    name = "pipeline"


class TestTrustMetric(MetricTests):
    name = "trust"


class TestNetworkMetric(MetricTests):
    name = "network"


class TestCoordinationMetric(MetricTests):
    name = "coordination"


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
