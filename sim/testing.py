"""Test base classes, one per extension point. A new component inherits its checks for free:

    from sim.testing import PartnerSelectionRuleTests

    class TestExperienced(PartnerSelectionRuleTests):
        name = "experienced"                 # the registered name
        # then add tests of what the rule should do

Each base class checks what every component of its kind must satisfy: it is registered and listed,
its traits tell the truth, it is deterministic under a seed, it pickles (so it can run in worker
processes), and a whole run with it keeps the model's invariants. Pytest collects only classes
named ``Test...``, so the bases themselves do not run.
"""

from __future__ import annotations

import dataclasses
import math
import pickle

import numpy as np
import pandas as pd

from sim.config import Config, from_container, to_dict
from sim.metrics import may_be_undefined
from sim.projects import Project, State


def config_with(base: Config, **dotted) -> Config:
    """``base`` with dotted overrides, validated: config_with(Config(), **{"funding.budget_per_head_year": 0})."""
    data = to_dict(base)
    for key, value in dotted.items():
        node = data
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    return from_container(data)


def small_config(**dotted) -> Config:
    """A short run on the Saarbruecken region (10 towns), with dotted overrides."""
    return config_with(Config(horizon_months=36), **{"region.preset": "saarbruecken", **dotted})


def a_project(**kw) -> Project:
    base = dict(pid=0, lead=1, created=1, needs=("public",), cost=80_000.0, gain=120_000.0, staff_months=4.0,
                duration=12.0, quality=0.0, fate=1.0, lead_index=0, cofinancing_share=0.2)
    return Project(**{**base, **kw})


def check_run(cfg: Config) -> dict:
    """Run the model month by month and check the invariants after each month; return the summary."""
    from sim.metrics import Recorder
    from sim.model import CooperationModel

    model, rec = CooperationModel(cfg), Recorder()
    for _ in range(cfg.horizon_months):
        model.step()
        rec.collect(model)
        for prog in model.programmes.values():
            total = prog.available + prog.committed + prog.spent + prog.lapsed
            assert math.isclose(prog.inflow, total, rel_tol=1e-9, abs_tol=1e-6), "money is not conserved"
            assert prog.available >= -1e-6
        trust = model.network.edge_table(model.steps)["trust"]
        assert ((trust >= 0) & (trust <= 1)).all(), "trust left [0, 1]"
    for name, value in rec.final().items():
        assert math.isfinite(value) or (may_be_undefined(name) and math.isnan(value)), name
    return rec.final()


class _RegisteredTests:
    registry = None
    name: str = ""

    def component(self):
        return self.registry.get(self.name)

    def test_is_registered_and_listed(self):
        from sim.cli import list_components

        assert self.name in self.registry.names()
        assert self.component().__doc__, "give it a docstring: python -m sim list shows its first line"
        assert f"  {self.name} " in list_components()


class PartnerSelectionRuleTests(_RegisteredTests):
    """For rules in ``sim.rules.partner_selection_rules`` (config ``rules.partner_selection``)."""

    from sim.rules import partner_selection_rules as registry  # noqa: E402

    def rule(self):
        return self.component()(small_config())

    def model(self):
        """A small model a year into its run (actors 2..30 exist), for rules that look at it."""
        from sim.model import CooperationModel

        model = CooperationModel(small_config())
        for _ in range(12):
            model.step()
        return model

    def test_returns_each_candidate_once(self):
        candidates, trust = [5, 3, 9, 7], np.array([0.2, 0.9, 0.5, 0.5])
        ranked = self.rule().rank(self.model(), 1, candidates, trust, np.random.default_rng(0))
        assert sorted(ranked) == sorted(candidates)

    def test_deterministic_under_a_seed_and_truthful_about_randomness(self):
        candidates, trust = list(range(2, 30)), np.full(28, 0.5)
        rule = self.rule()
        model = self.model()
        a = rule.rank(model, 1, candidates, trust, np.random.default_rng(1))
        assert a == rule.rank(model, 1, candidates, trust, np.random.default_rng(1))
        if not self.component().traits.get("stochastic", True):
            assert a == rule.rank(model, 1, candidates, trust, np.random.default_rng(2))

    def test_pickles(self):
        assert pickle.loads(pickle.dumps(self.rule())) is not None

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"rules.partner_selection": self.name}))


class ConsortiumRuleTests(_RegisteredTests):
    """For rules in ``sim.rules.consortium_rules`` (config ``rules.consortium``)."""

    from sim.rules import consortium_rules as registry  # noqa: E402

    def rule(self):
        return self.component()(small_config())

    def test_answers_yes_or_no(self):
        assert self.rule().accepts(a_project(), 1.0, 2, 0.5, False) in (True, False)

    def test_more_trust_never_turns_a_yes_into_a_no(self):
        rule = self.rule()
        for gain in (20_000.0, 60_000.0, 120_000.0, 400_000.0):
            answers = [rule.accepts(a_project(gain=gain), 1.0, 2, t, False) for t in np.linspace(0, 1, 11)]
            assert answers == sorted(answers), f"gain {gain}: {answers}"

    def test_nothing_to_gain_means_no(self):
        assert not self.rule().accepts(a_project(gain=0.0), 1.0, 2, 1.0, False)

    def test_pickles(self):
        assert pickle.loads(pickle.dumps(self.rule())) is not None

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"rules.consortium": self.name}))


class TrustRuleTests(_RegisteredTests):
    """For rules in ``sim.trust.trust_rules`` (config ``rules.trust``)."""

    from sim.trust import trust_rules as registry  # noqa: E402

    def network(self):
        from sim.network import CollabNetwork

        net = CollabNetwork(small_config().trust)
        for node in (1, 2, 3):
            net.add_node(node, "public")
        return net

    def test_success_never_lowers_and_failure_never_raises_trust(self):
        rule = self.component()(small_config())
        for success in (True, False):
            net = self.network()
            before = net.trust(1, 2, 5)
            rule.project_outcome(net, [1, 2, 3], success, 5)
            after = net.trust(1, 2, 5)
            assert (after >= before) if success else (after <= before)
            assert 0 <= after <= 1

    def test_pickles(self):
        assert pickle.loads(pickle.dumps(self.component()(small_config()))) is not None

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"rules.trust": self.name}))


class AllocationRuleTests(_RegisteredTests):
    """For rules in ``sim.funding.allocation_rules`` (config ``funding.allocation``)."""

    from sim.funding import allocation_rules as registry  # noqa: E402

    def programme(self, budget: float, seed: int = 0):
        from sim.config import ProgrammeConfig
        from sim.funding import Programme

        cfg = ProgrammeConfig(budget_per_head_year=budget, allocation=self.name, approval_threshold=0.0)
        prog = Programme("funding", cfg, pd.DataFrame({"population": [50_000, 30_000, 20_000]}), seed)
        prog.start_month(1)
        return prog

    def queue(self, prog, n=12):
        for i in range(n):
            prog.submit(a_project(pid=i, lead_index=i % 3, quality=float(i % 5) - 2))
        return prog

    def test_never_grants_more_than_the_budget(self):
        prog = self.queue(self.programme(1.0))
        decisions = prog.decide(12)
        granted = sum(p.grant for p, ok in decisions if ok)
        assert granted <= prog.inflow + 1e-6 and prog.available >= -1e-6

    def test_no_budget_no_approvals(self):
        prog = self.queue(self.programme(0.0))
        assert not any(ok for _, ok in prog.decide(12))

    def test_deterministic_under_a_seed(self):
        a = [ok for _, ok in self.queue(self.programme(1.0, seed=3)).decide(12)]
        b = [ok for _, ok in self.queue(self.programme(1.0, seed=3)).decide(12)]
        assert a == b

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"funding.allocation": self.name}))


class BodyTests(_RegisteredTests):
    """For coordinating bodies in ``sim.bodies.bodies`` (config ``scenario.bodies``).

    Set ``off``: config overrides that give the body no capacity (or ``off_params``: values for its
    ``Params`` dataclass, for a body whose parameters are not a config group yet); with them a run
    must equal the baseline exactly (common random numbers)."""

    from sim.bodies import bodies as registry  # noqa: E402

    off: dict = {}
    off_params: dict = {}

    def test_without_capacity_it_gives_exactly_the_baseline(self, monkeypatch):
        from sim.run import simulate

        body = self.component()
        assert self.off or self.off_params, "set off (config overrides) or off_params to switch it off"
        if self.off_params:
            defaults = body.Params()
            monkeypatch.setattr(body, "Params", staticmethod(lambda: dataclasses.replace(defaults, **self.off_params)))
        base = simulate(small_config(horizon_months=24))
        idle = simulate(small_config(horizon_months=24, **{"scenario.bodies": [self.name]}, **self.off))
        shared = idle.timeseries[idle.timeseries.metric.isin(base.timeseries.metric.unique())]
        pd.testing.assert_frame_equal(base.timeseries, shared.reset_index(drop=True))
        assert idle.summary["coordination_cost_eur"] == 0

    def test_a_whole_run_keeps_the_invariants_and_costs_are_not_negative(self):
        final = check_run(small_config(**{"scenario.bodies": [self.name]}))
        assert final["coordination_cost_eur"] >= 0

    def test_deterministic_under_a_seed(self):
        from sim.run import simulate

        cfg = small_config(horizon_months=24, **{"scenario.bodies": [self.name]})
        assert simulate(cfg).timeseries.equals(simulate(dataclasses.replace(cfg)).timeseries)


class MetricTests(_RegisteredTests):
    """For metrics in ``sim.metrics.metrics``: a number (or a dict of numbers), the same for the same run."""

    from sim.metrics import metrics as registry  # noqa: E402

    def test_returns_numbers_deterministically(self):
        from sim.model import CooperationModel

        values = []
        for _ in range(2):
            model = CooperationModel(small_config())
            for _ in range(12):
                model.step()
            v = self.component()(model)
            values.append(v if isinstance(v, dict) else {self.name: v})
        assert values[0].keys() == values[1].keys()
        for key, value in values[0].items():
            assert isinstance(value, float), key
            assert value == values[1][key] or (math.isnan(value) and math.isnan(values[1][key]))


class AgentKindTests(_RegisteredTests):
    """For agent kinds in ``sim.agents.agent_kinds``."""

    from sim.agents import agent_kinds as registry  # noqa: E402

    def test_has_a_valid_sector(self):
        from sim.network import SECTORS

        assert self.component().sector in SECTORS
        assert State  # the states it may take part in are the project's


__all__ = ["AgentKindTests", "AllocationRuleTests", "BodyTests", "ConsortiumRuleTests", "MetricTests",
           "PartnerSelectionRuleTests", "TrustRuleTests", "check_run", "small_config"]
