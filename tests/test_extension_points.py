"""Every shipped component inherits the checks of its extension point (sim/testing.py)."""

from pathlib import Path

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


class TestThemesMetric(MetricTests):
    name = "themes"


class TestTwoStageMetric(MetricTests):
    name = "two_stage"


class TestActiveMetric(MetricTests):
    name = "active"


class TestConversionMetric(MetricTests):
    name = "conversion"


class TestLeadTimesMetric(MetricTests):
    name = "lead_times"


class TestMunicipality(AgentKindTests):
    name = "municipality"


class TestCompany(AgentKindTests):
    name = "company"


class TestNGO(AgentKindTests):
    name = "ngo"


def test_every_registered_component_has_a_test_class():
    """Adding a component to the project without inheriting its checks fails here: every component defined
    under sim/ needs a test class (in any file under tests/) that inherits its extension point's base class
    from sim.testing and sets ``name``. Plug-ins outside the project keep their tests beside them."""
    from sim.components import EXTENSION_POINTS, load

    load()
    tested = components_with_tests(Path(__file__).resolve().parent)
    for p in EXTENSION_POINTS:
        shipped = [n for n, obj in p.registry.items()
                   if obj.__module__.startswith("sim.") and not obj.__module__.startswith("sim.plugin_modules.")]
        missing = [n for n in shipped if (p.tests, n) not in tested]
        assert missing == [], (f"{p.kind}: {missing} have no test class; add one to tests/ that inherits "
                               f"sim.testing.{p.tests} and sets name")


def components_with_tests(folder: Path) -> set[tuple[str, str]]:
    """(base class name, name) of every test class under ``folder`` that inherits a sim.testing base
    directly and sets ``name = "..."`` (also as in ``name, off_params = "x", {...}``)."""
    import ast

    bases = {p.tests for p in __import__("sim.components", fromlist=["x"]).EXTENSION_POINTS}
    out = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            inherited = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
            for base in set(inherited) & bases:
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign):
                        for target in stmt.targets:
                            names = target.elts if isinstance(target, ast.Tuple) else [target]
                            values = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value]
                            for t, v in zip(names, values):
                                if isinstance(t, ast.Name) and t.id == "name" and isinstance(v, ast.Constant):
                                    out.add((base, v.value))
    return out
