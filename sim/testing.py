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
from sim.projects import TRANSITIONS, Project, State


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


def model_after(months: int = 12, **dotted):
    """A small model (``small_config``) run for ``months`` months, for components that look at it."""
    from sim.model import CooperationModel

    model = CooperationModel(small_config(**dotted))
    for _ in range(months):
        model.step()
    return model


def a_project(model=None, lead_index: int = 0, theme: int = 0, **kw) -> Project:
    """A fresh idea of municipality ``lead_index`` on ``theme`` (0 = water), with its economics set if a
    model is given (claims no need)."""
    lead = model.municipalities[lead_index].unique_id if model is not None else 1
    base = dict(pid=10**6, lead=lead, created=1, theme=theme, lead_index=lead_index, members=[lead], scopes=[1.0],
                chunks=[0.0], homes=[lead_index], commitment=[1.0], private_work=[0.0], scope=1.0,
                cofinancing_share=0.2, duration=12.0, seed=12345)
    project = Project(**{**base, **kw})
    if model is not None:
        model.update_economics(project)
    return project


def check_month(model) -> None:
    """The invariants after a month: money is conserved, trust stays in [0, 1], needs stay within their
    stock, project states only move forward, every member exists once."""
    for prog in model.programmes.values():
        total = prog.available + prog.committed + prog.spent + prog.lapsed
        assert math.isclose(prog.inflow, total, rel_tol=1e-9, abs_tol=1e-6), f"{prog.key}: money is not conserved"
        assert prog.available >= -1e-6 and prog.committed >= -1e-6, f"{prog.key}: an account went negative"
        assert prog.approved <= prog.inflow + 1e-6, f"{prog.key} granted more than it ever had"
    trust = model.network.directed_trust(model.steps).trust
    assert ((trust >= 0) & (trust <= 1)).all(), "trust left [0, 1]"
    needs = model.needs
    assert (needs.open >= -1e-9).all() and (needs.open <= needs.initial + 1e-9).all(), "need outside [0, stock]"
    assert (needs.claimed >= -1e-9).all() and (needs.claimed <= needs.open + 1e-6).all(), "claims beyond open need"
    for p in model.projects.all:
        order = sorted(p.entered, key=lambda s: (p.entered[s], s))
        assert all(b in TRANSITIONS[a] for a, b in zip(order, order[1:])), f"project {p.pid}: {p.entered}"
        assert len(set(p.members)) == len(p.members), f"project {p.pid} has a member twice"
        assert p.spent <= p.grant + 1e-6


def check_run(cfg: Config) -> dict:
    """Run the model month by month and check the invariants after each month; return the final metrics."""
    from sim.metrics import Recorder
    from sim.model import CooperationModel

    model, rec = CooperationModel(cfg), Recorder()
    for _ in range(cfg.horizon_months):
        model.step()
        rec.collect(model)
        check_month(model)
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

    def ranked(self, seed: int, n: int = 12, same: bool = False):
        model = model_after(12)
        candidates = [a.unique_id for a in model.companies[:n]]
        rng = np.random.default_rng(seed)
        value = np.full(n, 100.0) if same else np.linspace(-50, 500, n)
        trust = np.full(n, 0.5) if same else np.linspace(0.2, 0.9, n)[::-1]
        spread = np.full(n, 0.1)
        return candidates, self.rule().rank(model, a_project(model), candidates, value, trust, spread, rng)

    def test_returns_a_permutation_of_the_candidates(self):
        candidates, ranked = self.ranked(0)
        assert sorted(ranked) == sorted(candidates), "rank must return every candidate exactly once"

    def test_deterministic_under_a_seed_and_truthful_about_randomness(self):
        a = self.ranked(1, same=True)[1]
        assert a == self.ranked(1, same=True)[1]
        if not self.component().traits.get("stochastic", True):
            assert a == self.ranked(2, same=True)[1]

    def test_pickles(self):
        assert pickle.loads(pickle.dumps(self.rule())) is not None

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"rules.partner_selection": self.name}))


class ConsortiumRuleTests(_RegisteredTests):
    """For rules in ``sim.rules.consortium_rules`` (config ``rules.consortium``)."""

    from sim.rules import consortium_rules as registry  # noqa: E402

    def rule(self):
        return self.component()(small_config())

    def setting(self, **kw):
        model = model_after(12)
        project = a_project(model, theme=2, scopes=[5.0], scope=5.0, **kw)        # a shared service, 5,000 people
        return model, project

    def test_answers_yes_or_no_with_a_commitment_in_0_1(self):
        model, project = self.setting()
        for candidate in (model.municipalities[1], model.companies[0]):
            yes, commitment = self.rule().accepts(model, project, candidate, 0.6, 0.1)
            assert yes in (True, False) and 0.0 <= commitment <= 1.0

    def test_more_trust_never_turns_a_yes_into_a_no(self):
        model, project = self.setting()
        rule = self.rule()
        for candidate in (model.municipalities[1], model.municipalities[2]):
            answers = [rule.accepts(model, project, candidate, t, 0.05)[0] for t in np.linspace(0, 1, 11)]
            assert answers == sorted(answers), answers

    def test_a_candidate_is_worth_more_the_more_the_lead_trusts_it(self):
        model, project = self.setting()
        rule = self.rule()
        values = [rule.value_of(model, project, model.municipalities[1], t, 0.05) for t in np.linspace(0, 1, 11)]
        assert values == sorted(values), values

    def test_nothing_to_gain_means_no(self):
        model, project = self.setting(value_factor=0.0)
        assert not self.rule().accepts(model, project, model.municipalities[1], 1.0, 0.0)[0]
        assert not self.rule().worth_it(model, project)[0]

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

    def test_what_one_sees_changes_only_its_own_trust_in_the_other(self):
        rule = self.component()(small_config())
        for event in ("delivered", "let_down"):
            net = self.network()
            before = {(i, j): net.trust(i, j, 5) for i in (1, 2, 3) for j in (1, 2, 3) if i != j}
            getattr(rule, event)(net, 1, 2, 5)
            after = {(i, j): net.trust(i, j, 5) for i in (1, 2, 3) for j in (1, 2, 3) if i != j}
            moved = after[(1, 2)] - before[(1, 2)]
            assert (moved >= 0) if event == "delivered" else (moved <= 0), event
            assert all(after[k] == before[k] for k in before if k != (1, 2)), f"{event} reached other pairs"
            assert 0 <= after[(1, 2)] <= 1

    def test_opinion_is_a_mean_in_0_1_and_a_spread(self):
        rule = self.component()(small_config())
        net = self.network()
        rule.delivered(net, 1, 3, 5)
        rule.delivered(net, 3, 2, 5)
        mean, sd = rule.opinion(net, 1, 2, 5)
        assert 0 <= mean <= 1 and sd >= 0

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

        cfg = ProgrammeConfig(budget_per_head_year=budget, allocation=self.name, approval_threshold=-1.0)
        prog = Programme("funding", cfg, pd.DataFrame({"population": [50_000, 30_000, 20_000]}), seed)
        prog.start_month(1)
        return prog

    def queue(self, prog, n=12):
        for i in range(n):
            project = a_project(pid=i, lead_index=i % 3, cost=80_000.0, seed=i)
            project.quality = float(i % 5) - 2
            prog.submit(project)
        return prog

    def test_never_grants_more_than_the_budget(self):
        prog = self.queue(self.programme(1.0))
        decisions = prog.decide(12)
        granted = sum(p.grant for p, ok, _ in decisions if ok)
        assert granted <= prog.inflow + 1e-6 and prog.available >= -1e-6

    def test_answers_every_application_exactly_once(self):
        prog = self.queue(self.programme(1.0))
        queued = [p.pid for p in prog.queue]
        decided = [p.pid for p, _, _ in prog.decide(12)]
        assert sorted(decided) == sorted(queued), "every application needs exactly one decision"

    def test_no_budget_no_approvals(self):
        prog = self.queue(self.programme(0.0))
        assert not any(ok for _, ok, _ in prog.decide(12))

    def test_deterministic_under_a_seed(self):
        a = [ok for _, ok, _ in self.queue(self.programme(1.0, seed=3)).decide(12)]
        b = [ok for _, ok, _ in self.queue(self.programme(1.0, seed=3)).decide(12)]
        assert a == b

    def test_a_whole_run_keeps_the_invariants(self):
        check_run(small_config(**{"funding.allocation": self.name}))


class BodyTests(_RegisteredTests):
    """For coordinating bodies in ``sim.bodies.bodies`` (config ``scenario.bodies``).

    ``off`` (config overrides) switches it off; by default every one of its mechanisms is switched off. A
    body whose parameters are a ``Params`` dataclass beside it, not yet a config group, sets ``off_params``
    (values for that dataclass) instead. Off, a run must equal the baseline exactly (common random numbers)
    and cost nothing."""

    from sim.bodies import bodies as registry  # noqa: E402

    off: dict = {}
    off_params: dict = {}

    def off_overrides(self) -> dict:
        body = self.component()
        if self.off or self.off_params:
            return self.off
        return {f"{body.config_key}.{m}": False for m in body.mechanisms}

    def test_switched_off_it_gives_exactly_the_baseline(self, monkeypatch):
        from sim.run import simulate

        body = self.component()
        assert body.mechanisms or self.off or self.off_params, \
            "declare its mechanisms (their switches), or set off (config overrides) or off_params"
        if self.off_params:
            defaults = body.Params()
            monkeypatch.setattr(body, "Params", staticmethod(lambda: dataclasses.replace(defaults, **self.off_params)))
        base = simulate(small_config(horizon_months=24))
        idle = simulate(small_config(horizon_months=24, **{"scenario.bodies": [self.name]}, **self.off_overrides()))
        shared = idle.timeseries[idle.timeseries.metric.isin(base.timeseries.metric.unique())]
        pd.testing.assert_frame_equal(base.timeseries, shared.reset_index(drop=True))
        assert idle.summary["coordination_cost_eur"] == 0

    def test_each_mechanism_is_a_switch_in_its_config_group(self):
        body = self.component()
        params = getattr(Config(), body.config_key, None) or body.Params()
        for m in body.mechanisms:
            assert isinstance(getattr(params, m), bool), f"{body.config_key}.{m} must be a true/false switch"

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
        values = []
        for _ in range(2):
            model = model_after(12)
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
           "PartnerSelectionRuleTests", "TrustRuleTests", "a_project", "check_month", "check_run", "model_after",
           "small_config"]
