"""``python -m sim new rule|body|allocation|metric|kind NAME``: a new component that works from the start.

Writes the component (a working example of its kind, with its parameters declared beside it), its test
(inheriting the extension point's checks from ``sim.testing``, plus one test of what the example does),
for a body a scenario file, and the parameter rows of docs/ODD.md; prints the paths. The result passes
``make test`` untouched; then change the example into your own rule, and its test with it. Nothing that
exists is overwritten: a name that is taken, or a file that exists, stops before anything is written.

    python -m sim new rule bonding          # sim/rules/bonding.py, tests/test_bonding.py
    python -m sim new body klimaschutz      # sim/bodies/klimaschutz.py, tests/..., configs/scenario/klimaschutz.yaml
    python -m sim new allocation need_first # sim/rules/need_first.py (every module in sim/rules/ is imported)
    python -m sim new metric completion     # sim/outcomes/completion.py
    python -m sim new kind stadtwerke       # sim/agents/stadtwerke.py, tests/..., configs/scenario/stadtwerke.yaml
"""

from __future__ import annotations

import importlib
import keyword
import re
from pathlib import Path
from string import Template

from sim.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"rule": ("partner selection rule", "sim/rules"), "body": ("coordinating body", "sim/bodies"),
         "allocation": ("allocation rule", "sim/rules"), "metric": ("metric", "sim/outcomes"),
         "kind": ("agent kind", "sim/agents")}

RULE = '''"""Partner selection rule '$name': rank candidates by a mix of their value to the lead and its trust in them."""

from dataclasses import dataclass

import numpy as np

from sim.components import params_of
from sim.config import param
from sim.rules.partner_selection import partner_selection_rules


@dataclass
class ${Class}Params:
    trust_weight: float = param(0.5, low=0, high=1, source="assumption",
                                help="weight of the lead's trust against the candidate's value when ranking")


@partner_selection_rules.register("$name", stochastic=True)
class $Class:
    """Ask candidates in order of (1 - trust_weight) * value rank + trust_weight * trust rank, best first; ties
    broken at random. trust_weight = 0 is rule 'expected_value', 1 is rule 'trust'."""

    Params = ${Class}Params

    def __init__(self, cfg):
        self.params = params_of(cfg, type(self))

    def rank(self, model, project, candidates, value, trust, spread, rng):
        w = self.params.trust_weight
        score = (1 - w) * np.argsort(np.argsort(value)) + w * np.argsort(np.argsort(trust))
        order = np.lexsort((rng.random(len(candidates)), -score))
        return [candidates[i] for i in order]
'''

RULE_TEST = '''"""Rule '$name': the inherited checks of a partner selection rule, and what it should do."""

import numpy as np

from sim.testing import PartnerSelectionRuleTests, a_project, model_after, small_config


class Test$Class(PartnerSelectionRuleTests):
    name = "$name"

    def ranking(self, trust_weight):
        from sim.rules.partner_selection import partner_selection_rules

        rule = partner_selection_rules.get(self.name)(small_config(**{"$name.trust_weight": trust_weight}))
        model = model_after(1)
        value, trust = np.array([300.0, 100.0, 200.0]), np.array([0.2, 0.9, 0.5])
        return rule.rank(model, a_project(model), [5, 7, 9], value, trust, np.zeros(3), np.random.default_rng(0))

    def test_the_weight_moves_it_from_value_to_trust(self):
        assert self.ranking(0.0) == [5, 9, 7]          # highest value first
        assert self.ranking(1.0) == [7, 9, 5]          # most trusted first
'''

ALLOCATION = '''"""Allocation rule '$name': the smallest requests first, so that a budget funds as many projects as it can."""

from dataclasses import dataclass

from sim.config import param
from sim.funding import AllocationRule, allocation_rules


@dataclass
class ${Class}Params:
    max_share: float = param(1.0, low=0, high=1, low_open=True, source="assumption",
                             help="no single application may take more than this share of the budget available")


@allocation_rules.register("$name", competitive=False)
class $Class(AllocationRule):
    """Approve eligible applications in order of their request, smallest first, while the budget lasts and
    none takes more than max_share of what was available at the decision."""

    Params = ${Class}Params

    def decide(self, queue, step):
        prog = self.programme
        cap = self.params.max_share * prog.available
        allowed = [p for p in queue if p.request <= cap]
        ok = self._in_order(sorted(allowed, key=lambda p: (p.request, p.pid)), prog.cfg.winners_per_call)
        return [(p, ok.get(p.pid, False)) for p in queue]
'''

ALLOCATION_TEST = '''"""Allocation rule '$name': the inherited checks, and what it should do."""

from sim.testing import AllocationRuleTests, a_project


class Test$Class(AllocationRuleTests):
    name = "$name"

    def test_the_smallest_requests_come_first(self):
        prog = self.programme(1.0)                              # 100,000 EUR for the year
        for pid, cost in enumerate([90_000.0, 30_000.0, 40_000.0]):
            project = a_project(pid=pid, cost=cost, seed=pid)
            project.quality = 2.0
            prog.submit(project)
        approved = sorted(p.pid for p, ok, _ in prog.decide(12) if ok)
        assert approved == [1, 2]                               # 24 k + 32 k fit; then 72 k does not
'''

BODY = '''"""Coordinating body '$name': regular meetings of the member towns' staff build trust between them."""

from dataclasses import dataclass

from sim.bodies.base import Body, bodies
from sim.config import param


@dataclass
class ${Class}Params:
    interval_months: int = param(3, unit="months", low=1, high=120, source="assumption",
                                 help="the member towns' staff meet this often")
    participation: float = param(0.7, low=0, high=1, source="assumption",
                                 help="chance that a member town takes part in a meeting")
    evidence: float = param(0.2, unit="experiences", low=0, high=100, source="assumption",
                            help="positive evidence between towns that meet, each way")
    cost_eur_per_meeting: float = param(2_000.0, unit="EUR", low=0, high=1e7, source="assumption",
                                        help="cost of one meeting (room, moderation)")
    meetings: bool = param(True, source="assumption", help="mechanism switch: meetings of the member towns")


@bodies.register("$name", capacity="meetings", serves="members")
class $Class(Body):
    """Mechanism ``meetings``: every ``interval_months`` the member towns meet (each with chance
    ``participation``, drawn from the body's own stream); those who meet gain ``evidence`` about each other
    (a tie where there was none)."""

    mechanisms = ("meetings",)
    Params = ${Class}Params

    def __init__(self, model):
        super().__init__(model)
        self.meetings = 0

    @property
    def has_capacity(self) -> bool:
        return self.params.participation > 0

    def start_month(self, t: int) -> None:
        if not self.uses("meetings") or t % self.params.interval_months:
            return
        members = self.members()
        came = [m.unique_id for m, u in zip(members, self.stream.random(len(members))) if u < self.params.participation]
        self.meet(came, self.params.evidence, t)
        self.meetings += 1
        self.cost_eur += self.params.cost_eur_per_meeting

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "${name}_meetings": float(self.meetings)}
'''

BODY_TEST = '''"""Body '$name': the inherited checks of a coordinating body, and what it should do."""

from sim.run import simulate
from sim.testing import BodyTests, small_config


class Test$Class(BodyTests):
    name = "$name"

    def test_meetings_raise_trust_between_members(self):
        base = simulate(small_config(horizon_months=24)).summary
        met = simulate(small_config(horizon_months=24, **{"scenario.bodies": ["$name"]})).summary
        assert met["${name}_meetings"] == 8 and met["${name}_cost_eur"] == 8 * 2_000.0
        assert met["trust_municipalities"] > base["trust_municipalities"]
'''

SCENARIO = '''# @package _global_
# Scenario '$name': the coordinating body '$name' (sim/bodies/$name.py) for all municipalities.
#   python -m sim.compare scenarios=[baseline,$name] region=saarbruecken
scenario:
  name: $name
  bodies: [$name]
'''

METRIC = '''"""Metric '$name': the share of municipalities that have completed at least one project so far."""

from sim.metrics import metrics


@metrics.register("$name", unit="share of municipalities")
def $name(model) -> float:
    """${name}: the share of municipalities that completed at least one project as a member so far."""
    done = model.projects.completed_by
    towns = model.municipalities
    return sum(1 for m in towns if done.get(m.unique_id, 0) > 0) / len(towns)
'''

METRIC_TEST = '''"""Metric '$name': the inherited checks of a metric, and what it should measure."""

from sim.run import simulate
from sim.testing import MetricTests, model_after, small_config


class Test$Class(MetricTests):
    name = "$name"

    def test_a_share_that_starts_at_zero_and_never_falls(self):
        from sim.metrics import metrics

        assert metrics.get(self.name)(model_after(0)) == 0.0
        series = simulate(small_config(horizon_months=36)).timeseries
        values = series[series.metric == self.name].value.tolist()
        assert values == sorted(values) and 0 <= values[-1] <= 1
'''

KIND = '''"""Agent kind '$name': a municipal utility (Stadtwerke) in every town above a size, a partner with staff and money."""

from dataclasses import dataclass

from sim.agents.base import Actor, agent_kinds, reliabilities
from sim.components import params_of
from sim.config import param


@dataclass
class ${Class}Params:
    min_population: int = param(20_000, unit="inhabitants", low=0, high=10_000_000, source="assumption",
                                help="a town of at least this size has a utility of its own")
    staff_months: float = param(1.0, unit="staff-months per month", low=0, high=100, source="assumption",
                                help="the utility's time for joint projects each month (its capacity)")
    budget_eur_per_year: float = param(50_000.0, unit="EUR per year", low=0, high=1e8, source="assumption",
                                       help="what it can give to NGOs' requests in a year")
    willingness: float = param(0.6, low=0, high=1, low_open=True, high_open=True, source="assumption",
                               help="mean willingness to join projects (Beta, a + b = 5)")


@agent_kinds.register("$name", sector="business")
class $Class(Actor):
    """One utility in each municipality of at least ``min_population`` inhabitants, with ``staff_months`` of
    capacity, a yearly budget and a willingness drawn from its own stream. As a business actor it is asked to
    join projects and to support NGOs' requests, like a company."""

    sector = "business"
    Params = ${Class}Params

    @classmethod
    def populate(cls, model, rng):
        p = params_of(model.cfg, cls)
        homes = [m.index for m in model.municipalities if m.population >= p.min_population]
        willingness = rng.beta(5 * p.willingness, 5 * (1 - p.willingness), len(homes))
        reliability = reliabilities(model.cfg.actors, rng, len(homes))
        return [cls(model, home=h, willingness=float(w), reliability=float(r), capacity=p.staff_months,
                    budget=p.budget_eur_per_year)
                for h, w, r in zip(homes, willingness, reliability)]
'''

KIND_TEST = '''"""Agent kind '$name': the inherited checks of an agent kind, and what it should make."""

from sim.model import CooperationModel
from sim.testing import AgentKindTests, small_config


class Test$Class(AgentKindTests):
    name = "$name"

    def test_one_utility_in_each_town_above_the_threshold(self):
        for threshold in (0, 20_000, 10**7):
            model = CooperationModel(small_config(**{"actors.kinds": self.kinds(), "$name.min_population": threshold}))
            homes = sorted(a.home for a in self.made(model))
            assert homes == [m.index for m in model.municipalities if m.population >= threshold]
'''

KIND_SCENARIO = '''# @package _global_
# Scenario '$name': the region's actors with the agent kind '$name' (sim/agents/$name.py) added.
#   python -m sim.compare scenarios=[baseline,$name] region=saarbruecken
scenario:
  name: $name
actors:
  kinds: [municipality, company, ngo, $name]
'''

FILES = {"rule": [(RULE, "sim/rules/{}.py"), (RULE_TEST, "tests/test_{}.py")],
         "allocation": [(ALLOCATION, "sim/rules/{}.py"), (ALLOCATION_TEST, "tests/test_{}.py")],
         "body": [(BODY, "sim/bodies/{}.py"), (BODY_TEST, "tests/test_{}.py"), (SCENARIO, "configs/scenario/{}.yaml")],
         "metric": [(METRIC, "sim/outcomes/{}.py"), (METRIC_TEST, "tests/test_{}.py")],
         "kind": [(KIND, "sim/agents/{}.py"), (KIND_TEST, "tests/test_{}.py"), (KIND_SCENARIO, "configs/scenario/{}.yaml")]}


def main(argv: list[str], root: Path = ROOT) -> list[Path]:
    """Check the request, then write every file; returns what was written."""
    if len(argv) != 2 or argv[0] not in KINDS:
        raise UserError("usage: python -m sim new rule|body|allocation|metric|kind NAME (NAME in snake_case, e.g. "
                        "python -m sim new rule bonding)")
    what, name = argv
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise UserError(f"NAME '{name}' must be snake_case: a lower-case letter, then letters, digits or '_'")
    kind, _ = KINDS[what]
    from sim.components import point, registry_of
    from sim.config import Config

    if name in registry_of(kind):
        raise UserError(f"{kind} '{name}' is registered already (python -m sim list); choose another NAME")
    if what in ("rule", "allocation", "body", "kind") and hasattr(Config(), name):
        raise UserError(f"'{name}' is a config group of the model already; choose another NAME")
    if what == "rule" and name in registry_of("allocation rule") or what == "allocation" and \
            name in registry_of("partner selection rule"):
        raise UserError(f"'{name}' is a rule's name already; a module in sim/rules/ needs a name of its own")
    planned = [(template, root / pattern.format(name)) for template, pattern in FILES[what]]
    taken = [str(path.relative_to(root)) for _, path in planned if path.exists()]
    if taken:
        raise UserError(f"{', '.join(taken)} exists already; nothing was written (choose another NAME)")
    klass = "".join(part.capitalize() for part in name.split("_"))
    written = []
    for template, path in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(name=name, Class=klass), encoding="utf-8")
        written.append(path)
    module = ".".join(planned[0][1].relative_to(root).with_suffix("").parts)
    if (root / "sim").resolve() == Path(__file__).resolve().parent:
        importlib.import_module(module)             # registers it, so that its parameters join the ODD table
        written.append(odd_rows(root, kind, name, point(kind)))
    return written


def odd_rows(root: Path, kind: str, name: str, extension_point) -> Path:
    """The parameter table of docs/ODD.md rewritten (the new rows included), and a line for the component
    in its list of added components."""
    import runpy

    from sim.components import load

    load()
    odd = root / "docs" / "ODD.md"
    runpy.run_path(str(root / "scripts" / "param_table.py"), run_name="param_table")["write"](odd)
    text = odd.read_text(encoding="utf-8")
    heading = "### Components added with python -m sim new"
    if heading not in text:
        text = text.rstrip() + f"\n\n{heading}\n\nEach was made from the example of its kind; its docstring says what it does now.\n"
    doc = (extension_point.registry.get(name).__doc__ or "").strip().split("\n\n")[0]
    text = text.rstrip() + f"\n- `{name}` ({kind}): {' '.join(doc.split())}\n"
    odd.write_text(text, encoding="utf-8")
    return odd
