"""Test base classes, one per extension point. A new component inherits its checks for free:

    from sim.testing import PartnerSelectionRuleTests

    class TestExperienced(PartnerSelectionRuleTests):
        name = "experienced"                 # the registered name
        # then add tests of what the rule should do

Each base class checks the contract of its extension point, what every component of its kind must
satisfy: it is registered and listed, its parameters have a unit-checked range and a source, its traits
tell the truth, it is deterministic under a seed, it pickles (so it can run in worker processes), a
whole run with it keeps the model's invariants, and what its kind must do besides (a ranking is a
permutation of the candidates; a decision answers every application exactly once; a body switched off
gives exactly the baseline and draws only from its own random stream). A failure is one sentence that
names the component, its file and the contract it broke (:class:`ContractFailure`). Pytest collects
only classes named ``Test...``, so the bases themselves do not run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import pickle
import random

import numpy as np
import pandas as pd

from sim.components import describe, group_key, load, point
from sim.config import Config, from_container, to_dict
from sim.metrics import may_be_undefined
from sim.projects import TRANSITIONS, Project


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


@contextlib.contextmanager
def registered(kind: str, name: str, component):
    """Register ``component`` under ``name`` in the extension point ``kind`` for the duration of a ``with``
    block (its ``Params`` a config group meanwhile), to try a variant out in a test without leaving it in
    the registry."""
    from sim.components import sync_groups

    registry = point(kind).registry
    if name in registry:
        raise ValueError(f"{kind} '{name}' is registered already")
    registry.register(name)(component)
    try:
        sync_groups()
        yield component
    finally:
        registry.remove(name)
        sync_groups()


class ContractFailure(AssertionError):
    """A component broke the contract of its extension point (the message says which, in one sentence)."""


BODY_HOOKS = ("setup", "start_month", "on_enter", "may_apply", "end_month", "on_join", "coordinates", "monitors",
              "observe", "take", "monthly_cost", "metrics")


class _RegisteredTests:
    """What every component must satisfy, whatever its kind. Subclasses set ``kind`` (the extension point)
    and a test sets ``name`` (the registered name)."""

    kind: str = ""
    name: str = ""

    @property
    def registry(self):
        load()
        return point(self.kind).registry

    def component(self):
        if self.name not in self.registry:
            raise ContractFailure(
                f"{self.kind} '{self.name}' is not registered (registered: {', '.join(sorted(self.registry.names()))}); "
                f"register it with @{point(self.kind).attr}.register('{self.name}') in sim/rules/, sim/bodies/, "
                "sim/agents/, sim/outcomes/ or a plug-in (SIM_PLUGINS, see sim/components.py)")
        return self.registry.get(self.name)

    def broke(self, contract: str, detail: str = "") -> ContractFailure:
        return ContractFailure(f"{describe(self.kind, self.name)} broke the contract '{contract}'"
                               + (f": {detail}" if detail else ""))

    def expect(self, ok, contract: str, detail: str = "") -> None:
        if not ok:
            raise self.broke(contract, detail)

    def run_checked(self, cfg: Config) -> dict:
        """check_run(cfg), a broken invariant named after this component."""
        try:
            return check_run(cfg)
        except AssertionError as err:
            raise self.broke("a whole run with it keeps the model's invariants", str(err)) from None

    def test_is_registered_and_listed(self):
        from sim.cli import list_components

        self.expect(self.component().__doc__, "it has a docstring", "python -m sim list shows its first paragraph")
        self.expect(f"  {self.name} " in list_components(), "python -m sim list shows it")

    def test_every_parameter_has_a_range_a_unit_check_and_a_source(self):
        params = getattr(self.component(), "Params", None)
        if params is None:
            return
        self.expect(dataclasses.is_dataclass(params), "its Params is a dataclass of sim.config.param(...) fields")
        for f in dataclasses.fields(params):
            meta = f.metadata
            key = f"{group_key(self.component())}.{f.name}"
            self.expect("source" in meta, "every parameter is declared with sim.config.param(...)",
                        f"'{key}' is a bare field without unit, range and source")
            self.expect(str(meta.get("source", "")).strip(), "every parameter has a source",
                        f"'{key}' has none (cite it, or say 'assumption')")
            numeric = isinstance(f.default, (int, float)) and not isinstance(f.default, bool)
            if numeric:
                self.expect(meta.get("low") is not None and meta.get("high") is not None,
                            "every numeric parameter has a range", f"'{key}' needs low= and high=")
                from sim.config import _check_range
                from sim.errors import UserError
                try:
                    _check_range(key, f.default, meta)
                except UserError as err:
                    raise self.broke("every default lies in its range", str(err)) from None


class PartnerSelectionRuleTests(_RegisteredTests):
    """For rules in ``sim.rules.partner_selection_rules`` (config ``rules.partner_selection``)."""

    kind = "partner selection rule"

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
        contract = "rank returns the candidates' ids, each exactly once (a permutation of the candidates)"
        self.expect(isinstance(ranked, (list, tuple, np.ndarray)), contract, f"it returned {type(ranked).__name__}")
        ranked = list(ranked)
        missing = [c for c in candidates if c not in ranked]
        strange = [c for c in ranked if c not in candidates]
        self.expect(not strange, contract, f"{len(strange)} items are not candidates' ids, e.g. {strange[:3]} "
                                           "(indices instead of ids?)")
        self.expect(not missing, contract, f"{len(missing)} of {len(candidates)} candidates are left out "
                                           "(ranking decides the order only; the consortium rule decides who is asked)")
        self.expect(len(ranked) == len(candidates), contract, "a candidate appears twice")

    def test_deterministic_under_a_seed_and_truthful_about_randomness(self):
        a = list(self.ranked(1, same=True)[1])
        self.expect(a == list(self.ranked(1, same=True)[1]), "the same seed gives the same ranking",
                    "draw only from the rng it is given")
        if not self.component().traits.get("stochastic", True):
            self.expect(a == list(self.ranked(2, same=True)[1]), "stochastic=False means the stream does not matter",
                        "another seed gave another ranking; register it with stochastic=True")

    def test_pickles(self):
        self.expect(pickle.loads(pickle.dumps(self.rule())) is not None, "it pickles (sweeps run in worker processes)")

    def test_a_whole_run_keeps_the_invariants(self):
        self.run_checked(small_config(**{"rules.partner_selection": self.name}))


class ConsortiumRuleTests(_RegisteredTests):
    """For rules in ``sim.rules.consortium_rules`` (config ``rules.consortium``)."""

    kind = "consortium rule"

    def rule(self):
        return self.component()(small_config())

    def setting(self, **kw):
        model = model_after(12)
        project = a_project(model, theme=2, scopes=[5.0], scope=5.0, **kw)        # a shared service, 5,000 people
        return model, project

    def test_answers_yes_or_no_with_a_commitment_in_0_1(self):
        model, project = self.setting()
        for candidate in (model.municipalities[1], model.companies[0]):
            answer = self.rule().accepts(model, project, candidate, 0.6, 0.1)
            self.expect(isinstance(answer, tuple) and len(answer) == 2, "accepts returns (yes, commitment)",
                        f"it returned {answer!r}")
            yes, commitment = answer
            self.expect(yes in (True, False) and 0.0 <= commitment <= 1.0,
                        "accepts returns a yes or no and a commitment in [0, 1]", f"got {answer!r}")

    def test_more_trust_never_turns_a_yes_into_a_no(self):
        model, project = self.setting()
        rule = self.rule()
        for candidate in (model.municipalities[1], model.municipalities[2]):
            answers = [bool(rule.accepts(model, project, candidate, t, 0.05)[0]) for t in np.linspace(0, 1, 11)]
            self.expect(answers == sorted(answers), "more trust never turns a yes into a no",
                        f"answers for trust 0, 0.1, ..., 1: {answers}")

    def test_a_candidate_is_worth_more_the_more_the_lead_trusts_it(self):
        model, project = self.setting()
        rule = self.rule()
        values = [rule.value_of(model, project, model.municipalities[1], t, 0.05) for t in np.linspace(0, 1, 11)]
        self.expect(values == sorted(values), "a candidate is worth more the more the lead trusts it",
                    f"values for trust 0, 0.1, ..., 1: {[round(v, 1) for v in values]}")

    def test_nothing_to_gain_means_no(self):
        model, project = self.setting(value_factor=0.0)
        self.expect(not self.rule().accepts(model, project, model.municipalities[1], 1.0, 0.0)[0],
                    "nothing to gain means no", "a candidate agreed to join a project worth nothing")
        self.expect(not self.rule().worth_it(model, project)[0], "nothing to gain means no",
                    "worth_it said yes to a project worth nothing")

    def test_pickles(self):
        self.expect(pickle.loads(pickle.dumps(self.rule())) is not None, "it pickles (sweeps run in worker processes)")

    def test_a_whole_run_keeps_the_invariants(self):
        self.run_checked(small_config(**{"rules.consortium": self.name}))


class TrustRuleTests(_RegisteredTests):
    """For rules in ``sim.trust.trust_rules`` (config ``rules.trust``)."""

    kind = "trust rule"

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
            self.expect((moved >= 0) if event == "delivered" else (moved <= 0),
                        f"{event} moves the observer's trust the right way", f"it moved by {moved:+.3f}")
            others = [k for k in before if k != (1, 2) and after[k] != before[k]]
            self.expect(not others, f"{event} changes only the observer's trust in the target",
                        f"it changed {others}")
            self.expect(0 <= after[(1, 2)] <= 1, "trust stays in [0, 1]", f"got {after[(1, 2)]}")

    def test_opinion_is_a_mean_in_0_1_and_a_spread(self):
        rule = self.component()(small_config())
        net = self.network()
        rule.delivered(net, 1, 3, 5)
        rule.delivered(net, 3, 2, 5)
        answer = rule.opinion(net, 1, 2, 5)
        self.expect(isinstance(answer, tuple) and len(answer) == 2, "opinion returns (mean, spread)",
                    f"it returned {answer!r}")
        mean, sd = answer
        self.expect(0 <= mean <= 1 and sd >= 0, "opinion is a mean in [0, 1] and a spread >= 0", f"got {answer!r}")

    def test_pickles(self):
        self.expect(pickle.loads(pickle.dumps(self.component()(small_config()))) is not None,
                    "it pickles (sweeps run in worker processes)")

    def test_a_whole_run_keeps_the_invariants(self):
        self.run_checked(small_config(**{"rules.trust": self.name}))


class AllocationRuleTests(_RegisteredTests):
    """For rules in ``sim.funding.allocation_rules`` (config ``funding.allocation``)."""

    kind = "allocation rule"

    def programme(self, budget: float, seed: int = 0):
        from sim.config import ProgrammeConfig
        from sim.funding import Programme

        cfg = ProgrammeConfig(budget_per_head_year=budget, allocation=self.name, approval_threshold=-1.0)
        need = np.array([[10.0, 1, 1, 1], [30.0, 1, 1, 1], [5.0, 1, 1, 1]])
        prog = Programme("funding", cfg, pd.DataFrame({"population": [50_000, 30_000, 20_000]}), seed, need,
                         small_config())
        prog.start_month(1)
        return prog

    def queue(self, prog, n=12):
        for i in range(n):
            project = a_project(pid=i, lead_index=i % 3, cost=80_000.0, seed=i)
            project.quality = float(i % 5) - 2
            prog.submit(project)
        return prog

    def decisions(self, prog, step: int = 12) -> list:
        """The rule's own answer to the queue (before the programme checks it)."""
        return list(prog.rule.decide(list(prog.queue), step))

    def test_answers_every_application_exactly_once(self):
        prog = self.queue(self.programme(1.0))
        queued = [p.pid for p in prog.queue]
        answer = self.decisions(prog)
        contract = "decide answers every application exactly once with (project, approved)"
        self.expect(all(isinstance(d, tuple) and len(d) == 2 for d in answer), contract,
                    f"it returned items such as {answer[:1]!r}")
        decided = [p.pid for p, _ in answer]
        left_out = sorted(set(queued) - set(decided))
        self.expect(not left_out, contract, f"{len(left_out)} of {len(queued)} applications got no answer (a "
                                            "rejection must be returned as (project, False), else it waits forever)")
        self.expect(sorted(decided) == sorted(queued), contract, "an application was answered twice")
        self.expect(all(isinstance(ok, (bool, np.bool_)) for _, ok in answer), contract,
                    "approved must be True or False")

    def test_never_grants_more_than_the_budget(self):
        prog = self.queue(self.programme(1.0))
        decisions = prog.decide(12)
        granted = sum(p.grant for p, ok, _ in decisions if ok)
        self.expect(granted <= prog.inflow + 1e-6 and prog.available >= -1e-6, "it never grants more than the budget",
                    f"granted {granted:,.0f} EUR of {prog.inflow:,.0f}")

    def test_no_budget_no_approvals(self):
        prog = self.queue(self.programme(0.0))
        self.expect(not any(ok for _, ok, _ in prog.decide(12)), "no budget, no approvals")

    def test_only_eligible_applications_are_approved(self):
        prog = self.queue(self.programme(100.0))
        wrong = [p.pid for p, ok, _ in prog.decide(12) if ok and not prog.eligible(p)]
        self.expect(not wrong, "only applications whose reviewed score reaches the threshold are approved",
                    f"approved ineligible applications {wrong}")

    def test_deterministic_under_a_seed(self):
        a = [ok for _, ok, _ in self.queue(self.programme(1.0, seed=3)).decide(12)]
        b = [ok for _, ok, _ in self.queue(self.programme(1.0, seed=3)).decide(12)]
        self.expect(a == b, "the same seed gives the same decisions",
                    "draw only from programme.rng, never from random or np.random")

    def test_a_whole_run_keeps_the_invariants(self):
        self.run_checked(small_config(**{"funding.allocation": self.name}))


class BodyTests(_RegisteredTests):
    """For coordinating bodies in ``sim.bodies.bodies`` (config ``scenario.bodies``).

    ``off`` (config overrides) switches it off; by default every one of its mechanisms is switched off.
    ``off_params`` is the same for values of its own config group (``{"budget_eur_per_year": 0.0}``). Off,
    a run must equal the baseline exactly (common random numbers) and cost nothing."""

    kind = "coordinating body"
    off: dict = {}
    off_params: dict = {}

    def off_overrides(self) -> dict:
        body = self.component()
        if self.off or self.off_params:
            return {**self.off, **{f"{group_key(body)}.{k}": v for k, v in self.off_params.items()}}
        return {f"{group_key(body)}.{m}": False for m in body.mechanisms}

    def with_it(self, months: int = 24, **dotted) -> Config:
        return small_config(horizon_months=months, **{"scenario.bodies": [self.name]}, **dotted)

    def test_switched_off_it_gives_exactly_the_baseline(self):
        from sim.run import simulate

        body = self.component()
        self.expect(body.mechanisms or self.off or self.off_params, "it can be switched off",
                    "declare its mechanisms (the names of its true/false switches), or set off or off_params in "
                    "its test")
        base = simulate(small_config(horizon_months=24)).timeseries
        idle_run = simulate(self.with_it(**self.off_overrides()))
        idle = idle_run.timeseries
        idle = idle[idle.metric.isin(base.metric.unique())].reset_index(drop=True)
        contract = "switched off, a run equals the baseline exactly"
        merged = base.merge(idle, on=["step", "metric"], how="outer", suffixes=("_base", "_off"))
        differ = merged[~((merged.value_base == merged.value_off) |
                          (merged.value_base.isna() & merged.value_off.isna()))]
        if len(differ):
            first = differ.sort_values(["step", "metric"]).iloc[0]
            raise self.broke(contract, f"'{first.metric}' is {first.value_off:g} in month {int(first.step)}, "
                                       f"{first.value_base:g} without it (does it act or draw while inactive?)")
        self.expect(idle_run.summary["coordination_cost_eur"] == 0, "switched off, it costs nothing",
                    f"it cost {idle_run.summary['coordination_cost_eur']:,.0f} EUR")

    def test_draws_only_from_its_own_stream(self, monkeypatch):
        """Its hooks leave every other random stream as they found it (the model's named streams, Mesa's
        generators, and the global random states): common random numbers."""
        from sim.model import CooperationModel

        cls, found = self.component(), []

        def states(model) -> dict:
            own = getattr(cls, "config_key", "") or self.name
            out = {name: g.bit_generator.state for name, g in model.streams._streams.items() if name != own}
            out["model.random (Mesa)"] = model.random.getstate()
            out["model.rng (Mesa)"] = model.rng.bit_generator.state
            out["random (global)"] = random.getstate()
            out["np.random (global)"] = repr(np.random.get_state(legacy=False))
            return out

        def watched(hook: str, method):
            def run(self_, *args, **kwargs):
                model = args[0] if hook == "__init__" else self_.model
                before = states(model)
                out = method(self_, *args, **kwargs)
                after = states(model)
                moved = [k for k in after if k in before and after[k] != before[k]]
                moved += [k for k in after if k not in before and after[k] != type(model.streams)(model.streams.seed)[k]
                          .bit_generator.state]
                if moved:
                    found.append((hook, moved))
                return out
            return run

        for hook in ("__init__", *BODY_HOOKS):
            monkeypatch.setattr(cls, hook, watched(hook, getattr(cls, hook)))
        model = CooperationModel(self.with_it())
        for _ in range(model.cfg.horizon_months):
            model.step()
            if found:
                break
        if found:
            hook, moved = found[0]
            raise self.broke("it draws random numbers only from its own stream (self.stream)",
                             f"its {hook} drew from {', '.join(moved)}, which shifts every later draw there "
                             "(common random numbers broken)")

    def test_its_hooks_return_what_the_model_expects(self):
        """After a year with it: monthly_cost a number >= 0, metrics a dict of numbers named after it,
        may_apply, coordinates and monitors True or False (None would silently count as no)."""
        from sim.model import CooperationModel

        model = CooperationModel(self.with_it(months=12))
        for _ in range(12):
            model.step()
        body, project = model.bodies[0], a_project(model)
        cost = body.monthly_cost()
        self.expect(isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost >= 0,
                    "monthly_cost returns a number of EUR >= 0", f"it returned {cost!r}")
        values = body.metrics()
        self.expect(isinstance(values, dict) and all(isinstance(v, float) for v in values.values()),
                    "metrics returns a dict of floats", f"it returned {values!r:.120}")
        self.expect(f"{self.name}_cost_eur" in values, "metrics includes its cost",
                    "return {**super().metrics(), ...}")
        for hook, answer in (("may_apply", body.may_apply(project, 12)), ("coordinates", body.coordinates(project)),
                             ("monitors", body.monitors(project))):
            self.expect(isinstance(answer, (bool, np.bool_)), f"{hook} returns True or False", f"it returned {answer!r}")

    def test_each_mechanism_is_a_switch_in_its_config_group(self):
        from sim.components import params_of

        body = self.component()
        params = params_of(Config(), body)
        self.expect(params is not None, "it has parameters", "declare a Params dataclass beside it")
        for m in body.mechanisms:
            self.expect(isinstance(getattr(params, m, None), bool), "each mechanism is a true/false switch",
                        f"'{group_key(body)}.{m}' is not a true/false parameter")

    def test_a_whole_run_keeps_the_invariants_and_costs_are_not_negative(self):
        final = self.run_checked(small_config(**{"scenario.bodies": [self.name]}))
        self.expect(final["coordination_cost_eur"] >= 0, "its costs are never negative")

    def test_deterministic_under_a_seed(self):
        from sim.run import simulate

        cfg = self.with_it()
        self.expect(simulate(cfg).timeseries.equals(simulate(dataclasses.replace(cfg)).timeseries),
                    "the same seed gives the same run", "draw only from self.stream")


class MetricTests(_RegisteredTests):
    """For metrics in ``sim.metrics.metrics``: a number (or a dict of numbers), the same for the same run."""

    kind = "metric"

    def test_returns_numbers_deterministically(self):
        values = []
        for _ in range(2):
            model = model_after(12)
            v = self.component()(model)
            self.expect(isinstance(v, (float, dict)), "it returns a float or a dict of floats",
                        f"it returned {type(v).__name__}")
            values.append(v if isinstance(v, dict) else {self.name: v})
        self.expect(values[0].keys() == values[1].keys(), "the same run gives the same metrics")
        for key, value in values[0].items():
            self.expect(isinstance(value, float), "it returns a float or a dict of floats",
                        f"'{key}' is {type(value).__name__} (wrap it in float(...))")
            undefined = math.isnan(value) and math.isnan(values[1][key])
            self.expect(value == values[1][key] or undefined, "the same run gives the same value", key)
            self.expect(math.isfinite(value) or may_be_undefined(key), "it is a finite number",
                        f"'{key}' = {value}; only ratios and means (names ending _rate, _share, _mean, ...) may be "
                        "NaN")


class AgentKindTests(_RegisteredTests):
    """For agent kinds in ``sim.agents.agent_kinds``: a sector the model knows what to do with; ``populate``
    makes valid agents of the kind, deterministically, drawing only from the kind's own stream; the other
    kinds' agents stay as they are without it; a whole run with it keeps the invariants."""

    kind = "agent kind"
    DEFAULT = ("municipality", "company", "ngo")

    def kinds(self, with_it: bool = True) -> list[str]:
        """The shipped kinds, with this one at the end (or, ``with_it=False``, without it)."""
        base = [k for k in self.DEFAULT if k != self.name]
        return [*base, self.name] if with_it and self.name != "municipality" else \
            (list(self.DEFAULT) if self.name == "municipality" else base)

    def model(self, with_it: bool = True, seed: int = 0):
        from sim.model import CooperationModel

        return CooperationModel(small_config(seed=seed, **{"actors.kinds": self.kinds(with_it)}))

    def made(self, model) -> list:
        return [a for a in model.agents if a.key == self.name]

    @staticmethod
    def traits(agents) -> list[tuple]:
        return [(a.unique_id, a.key, a.home, a.capacity, a.willingness, a.reliability) for a in agents]

    def test_has_a_valid_sector_and_a_populate_of_its_own(self):
        from sim.agents.base import check_kinds
        from sim.errors import UserError

        try:
            check_kinds(self.kinds())
        except UserError as err:
            raise self.broke("actors.kinds accepts it", str(err)) from None

    def test_populate_makes_valid_agents_of_its_kind(self):
        model = self.model()
        agents = self.made(model)
        self.expect(agents, "populate makes agents in the Saarbruecken region at the defaults",
                    "it made none (check its counts per municipality)")
        n = len(model.municipalities)
        for a in agents:
            self.expect(isinstance(a, self.component()), "populate returns agents of its own kind",
                        f"it returned a {type(a).__name__}")
            self.expect(isinstance(a.home, (int, np.integer)) and 0 <= a.home < n,
                        "every agent's home is the index of a municipality", f"agent {a.unique_id}: home {a.home!r}")
            for trait in ("willingness", "reliability"):
                value = getattr(a, trait)
                self.expect(isinstance(value, (float, int)) and 0 <= value <= 1, f"every agent's {trait} is in [0, 1]",
                            f"agent {a.unique_id}: {trait} {value!r}")
            self.expect(isinstance(a.capacity, (float, int)) and math.isfinite(a.capacity) and a.capacity >= 0,
                        "every agent's capacity is a number of staff-months >= 0",
                        f"agent {a.unique_id}: {a.capacity!r}")

    def test_deterministic_under_a_seed(self):
        self.expect(self.traits(self.made(self.model())) == self.traits(self.made(self.model())),
                    "the same seed gives the same agents", "draw only from the rng that populate is given")

    def test_the_other_kinds_agents_are_the_same_without_it(self):
        """Adding the kind to ``actors.kinds``, at the end or right after municipality, leaves every other
        kind's agents and their initial ties as they were (common random numbers: a comparison with and
        without it differs only by what its agents do)."""
        from sim.model import CooperationModel

        if self.name == "municipality":
            return

        def others(kinds):
            model = CooperationModel(small_config(**{"actors.kinds": kinds}))
            seen, label = {}, {}                          # agent id -> (kind, n-th of its kind): ids shift
            for a in model.agents:
                if a.key != self.name and a.key in self.DEFAULT:
                    label[a.unique_id] = (a.key, seen.setdefault(a.key, 0))
                    seen[a.key] += 1
            ties = model.network.edge_table(0)
            among = sorted((label[u], label[v], tu, tv) for u, v, tu, tv in
                           zip(ties["u"], ties["v"], ties["trust_uv"], ties["trust_vu"]) if u in label and v in label)
            traits = [t[1:] for t in self.traits(a for a in model.agents if a.unique_id in label)]
            return traits, among

        alone = others(self.kinds(with_it=False))
        for kinds in (self.kinds(), ["municipality", self.name, *self.kinds(with_it=False)[1:]]):
            traits, ties = others(kinds)
            self.expect(traits == alone[0], "it leaves the other kinds' agents as they were",
                        f"with actors.kinds={kinds} their number, homes or traits change; draw only from the rng "
                        "that populate is given and leave draws_from empty")
            shipped = self.component().draws_from == "actors"    # company and NGO: tied in one draw, by design
            self.expect(shipped or ties == alone[1], "it leaves the other kinds' initial ties as they were",
                        f"with actors.kinds={kinds} their ties or earlier experience change; leave draws_from empty")

    def test_new_month_renews_its_staff_time(self):
        """After ``new_month`` an agent has this month's capacity less last month's overrun:
        free = capacity + min(free before, 0) (call super().new_month() after changing capacity)."""
        model = self.model()
        agents = self.made(model)[:20]
        for before in (0.0, -0.05, 0.3, -1e9):
            for a in agents:
                a.free = before
                a.new_month()
                expected = a.capacity + min(before, 0.0)
                self.expect(math.isclose(a.free, expected, rel_tol=1e-9, abs_tol=1e-12),
                            "new_month renews its staff time: free = capacity + min(last month's free, 0)",
                            f"agent {a.unique_id}: free {before} became {a.free}, not {expected}")

    def test_draws_only_from_its_own_stream(self, monkeypatch):
        cls, moved = self.component(), []
        method = cls.populate                      # bound to the class

        def watched(kind, model, rng):
            def states():
                own = kind.draws_from or f"actors:{kind.key}"
                out = {name: repr(g.bit_generator.state) for name, g in model.streams._streams.items() if name != own}
                out["random (global)"] = repr(random.getstate())
                out["np.random (global)"] = repr(np.random.get_state(legacy=False))
                return out

            before = states()
            out = method(model, rng)
            after = states()
            moved.extend(k for k in after if after[k] != before.get(k, after[k]) or k not in before)
            return out

        monkeypatch.setattr(cls, "populate", classmethod(watched))
        self.model()
        self.expect(not moved, "populate draws only from the rng it is given",
                    f"it drew from {', '.join(moved)} (common random numbers broken)")

    def test_a_whole_run_keeps_the_invariants(self):
        self.run_checked(small_config(horizon_months=24, **{"actors.kinds": self.kinds()}))


__all__ = ["AgentKindTests", "AllocationRuleTests", "BodyTests", "ConsortiumRuleTests", "ContractFailure",
           "MetricTests", "PartnerSelectionRuleTests", "TrustRuleTests", "a_project", "check_month", "check_run",
           "model_after", "registered", "small_config"]
