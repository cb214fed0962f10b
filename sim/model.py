"""CooperationModel: municipalities, companies, NGOs and coordinating bodies, month by month.

Build it from a :class:`~sim.config.Config`; :meth:`CooperationModel.step` is the schedule, read top
to bottom, and each line calls a submodel in ``sim/submodels/`` (ODD section 7). Agents do not keep
global tallies: the project book, the needs, the funding programmes, the bodies' queues and the
network hold the state, and ``sim/metrics.py`` computes every outcome.

Random streams (``sim/rng.py``): ``actors`` (who exists, their reliability and knowledge), ``network``
(initial ties and earlier experience), ``ideas`` (candidate ideas and all their traits), ``requests``
(NGOs' requests), ``partners`` (tie-breaks in partner search), ``funding:<programme>`` (lotteries),
and one per coordinating body. A project's own luck (deliveries, reviews, outcomes) is keyed on its
seed (``sim.rng.keyed``), so the same idea meets the same luck in every scenario.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd

from sim.agents import Actor, Municipality
from sim.agents.base import check_kinds
from sim.bodies import bodies as body_registry
from sim.config import THEMES, Config
from sim.data import load_region
from sim.errors import ContractError
from sim.funding import Programme
from sim.needs import NeedStock, themes
from sim.network import CollabNetwork, build_initial_ties, tie_newcomers
from sim.projects import Project, ProjectBook, State
from sim.rng import Streams
from sim.rules import consortium_rules, partner_selection_rules
from sim.submodels import applications, governance, ideas, implementation, requests, search
from sim.trust import trust_rules

PROGRAMME_KEYS = ("funding", "second_programme")


def made(kind, rng, model) -> list:
    """``kind.populate(model, rng)``, checked before anything reads its agents: a list of all the agents of
    the kind it made, each at home in a municipality, with capacity >= 0 and willingness and reliability in
    [0, 1]; otherwise a ContractError naming the kind."""
    from sim.components import describe

    before = len(model.by_id)
    agents = kind.populate(model, rng)
    where = describe("agent kind", kind.key)

    def broke(what: str) -> ContractError:
        return ContractError(f"{where} broke its contract: {what}")

    if not isinstance(agents, list):
        raise broke(f"populate must return a list of its agents, not {type(agents).__name__}")
    if len(model.by_id) - before != len(agents):
        raise broke(f"populate made {len(model.by_id) - before} agents but returned {len(agents)}; return every "
                    "agent it makes")
    n = len(model.region)
    for a in agents:
        if not isinstance(a, kind):
            raise broke(f"populate returned a {type(a).__name__}, not an agent of its own kind (make them with "
                        "cls(model, ...))")
        home = a.home
        if not isinstance(home, (int, np.integer)) or isinstance(home, bool) or not 0 <= home < n:
            raise broke(f"agent {a.unique_id} has home {home!r}; a home is the index of a municipality "
                        f"(municipality.index, not its unique_id), 0 to {n - 1}")
        if not (0 <= a.willingness <= 1 and 0 <= a.reliability <= 1 and 0 <= a.capacity < math.inf):
            raise broke(f"agent {a.unique_id} has willingness {a.willingness!r}, reliability {a.reliability!r} and "
                        f"capacity {a.capacity!r}; the first two must lie in [0, 1], capacity >= 0")
    return agents


class CooperationModel(mesa.Model):
    """The whole region. ``model.network`` is the collaboration graph, ``model.needs`` the stock of needs,
    ``model.projects`` the book, ``model.programmes`` the funding programmes by config key and
    ``model.bodies`` the coordinating bodies."""

    def __init__(self, cfg: Config, region: pd.DataFrame | None = None):
        self.streams = Streams(cfg.seed)
        super().__init__(rng=self.streams.integer_seed("mesa"))
        self.cfg = cfg
        self.by_id: dict[int, mesa.Agent] = {}       # every agent by unique_id, filled as agents are made
        self.region = load_region(cfg.region) if region is None else region
        self.population = self.region.population.to_numpy(dtype=float)   # inhabitants by municipality index
        area = self.region.area_km2.to_numpy(dtype=float) if "area_km2" in self.region else None
        self.needs = NeedStock(cfg.needs, self.population, area)
        self.themes = themes(cfg.needs)
        self.network = CollabNetwork(cfg.trust)
        self.projects = ProjectBook(len(THEMES))
        self.programmes = {key: Programme(key, getattr(cfg, key), self.region, cfg.seed, self.needs.initial, cfg)
                           for key in PROGRAMME_KEYS if key == "funding" or getattr(cfg, key).budget_per_head_year > 0}
        self.partner_selection = partner_selection_rules.get(cfg.rules.partner_selection)(cfg)
        self.consortium = consortium_rules.get(cfg.rules.consortium)(cfg)
        self.trust_rule = trust_rules.get(cfg.rules.trust)(cfg)
        self.tally = governance.Tally()
        self.scratch: dict = {}                      # submodels' caches within a month (never read by metrics)
        self._make_actors()
        self.idea_ceiling = ideas.ceiling(self)
        # coordinating bodies come after every actor, so actors' ids do not depend on the scenario
        self.bodies = [body_registry.get(name)(self) for name in cfg.scenario.bodies]
        for body in self.bodies:
            body.setup()

    def _make_actors(self) -> None:
        """Each agent kind of ``actors.kinds`` makes its agents, municipalities first (sim/agents/); then the
        initial ties: the shipped kinds' in one draw from the ``network`` stream, each further kind's from a
        stream of its own afterwards, so that adding a kind leaves everyone else's ties as they were."""
        cfg = self.cfg
        self.kinds = check_kinds(cfg.actors.kinds)
        made_by = {}
        for kind in self.kinds:
            made_by[kind.key] = made(kind, self.streams[kind.draws_from or f"actors:{kind.key}"], self)
            if kind.key == "municipality":
                self.municipalities: list[Municipality] = made_by["municipality"]
        others = [a for kind in self.kinds[1:] for a in made_by[kind.key]]
        self.companies = [a for a in others if a.sector == "business"]
        self.ngos = [a for a in others if a.sector == "civil"]
        actors = self.municipalities + self.companies + self.ngos
        own_month = {k for k in self.kinds if k.new_month is not Actor.new_month}
        self.staff_groups = [[a for a in group if type(a) not in own_month]
                             for group in (self.municipalities, self.companies, self.ngos)]
        self.own_month = [a for a in actors if type(a) in own_month]   # kinds with a new_month of their own
        muni_ids = np.array([m.unique_id for m in self.municipalities])
        reliability = {a.unique_id: a.reliability for a in actors}
        joint = [a for a in self.companies + self.ngos if type(a).draws_from == "actors"]
        build_initial_ties(self.network, self.region, muni_ids, np.array([a.unique_id for a in joint], dtype=np.int64),
                           np.array([a.home for a in joint], dtype=np.int64), reliability, cfg.network,
                           self.streams["network"])
        private = self.companies + self.ngos
        local_ids = np.array([a.unique_id for a in private], dtype=np.int64)
        local_home = np.array([a.home for a in private], dtype=np.int64)
        for kind in self.kinds[1:]:
            if kind.draws_from != "actors":
                new = made_by[kind.key]
                tie_newcomers(self.network, muni_ids, np.array([a.unique_id for a in new], dtype=np.int64),
                              np.array([a.home for a in new], dtype=np.int64), local_ids, local_home, reliability,
                              cfg.network, self.streams[f"network:{kind.key}"])

    def dispose(self) -> None:
        """Let go of everything the model holds, so that its agents, network and projects are freed at once
        by reference counting instead of by the cyclic garbage collector. The model cannot be used
        afterwards; ``simulate`` calls this for models it does not return."""
        self.__dict__.clear()

    def agent(self, unique_id: int) -> mesa.Agent:
        return self.by_id[unique_id]

    def body(self, key: str):
        """The coordinating body registered as ``key``, or None if the scenario has none."""
        return next((b for b in self.bodies if b.key == key), None)

    # -- the schedule ---------------------------------------------------------------------------

    def step(self) -> None:
        """One month. Mesa has already advanced ``self.steps`` (1 in the first month)."""
        t = self.steps
        for programme in self.programmes.values():
            programme.start_month(t)              # a new budget year opens in months 1, 13, 25, ...
        self.start_month(t)                       # actors' staff time; needs renew; knowledge fades
        for body in self.bodies:                  # bodies' staff serve queued requests; periodic events
            body.start_month(t)
        governance.coordinate(self, t)            # consortia meet, monitor and work across departments
        implementation.implement(self, t)         # running projects: work, deliveries, defaults, outcomes
        applications.write_applications(self, t)  # consortia apply; the programmes review and decide
        search.search_partners(self, t)           # ideas look for partners; consortia form
        requests.handle(self, t)                  # NGOs ask companies for support, or the broker group
        ideas.generate(self, t)                   # new ideas from open needs, knowledge and free staff
        for body in self.bodies:                  # knowledge transfer, entry reviews; the month's cost
            body.end_month(t)
            body.cost_eur += body.monthly_cost() if body.active else 0.0
        if t % 12 == 0:
            self.network.prune(t, self.cfg.network.tie_lifetime_months, keep=self.running_pairs())

    def start_month(self, t: int) -> None:
        """Every actor's staff time for the month; companies' engagement budgets in months 1, 13, ...;
        one month of new need; knowledge moves back towards each municipality's own level (turnover)."""
        for group in self.staff_groups:
            for a in group:                       # Actor.new_month, written out: a few thousand a month
                free = a.free
                a.free = a.capacity + free if free < 0 else a.capacity
        for a in self.own_month:
            a.new_month()
        if (t - 1) % 12 == 0:
            for c in self.companies:
                c.budget_left = c.budget
        self.needs.renew()
        turnover = self.cfg.actors.knowledge_turnover
        for m in self.municipalities:
            m.knowledge += turnover * (m.knowledge0 - m.knowledge)

    # -- projects: state changes and what they do to needs and commitments ----------------------

    def move(self, project: Project, state: State, t: int) -> None:
        """Move a project to a new state and let the coordinating bodies react. A project that ends
        without completing gives back the need it claimed and the partners' promised time."""
        self.projects.move(project, state, t)
        if state in (State.DROPPED, State.REJECTED, State.FAILED) and not project.continued:
            self.release(project)
        for body in self.bodies:
            body.on_enter(project, state, t)

    def add_project(self, project: Project, t: int) -> None:
        self.projects.add(project)
        for body in self.bodies:
            body.on_enter(project, State.IDEA, t)

    def release(self, project: Project) -> None:
        for i, chunk in zip(project.homes, project.chunks):
            if i >= 0 and chunk > 0:
                self.needs.release(i, project.theme, chunk)
        self.free_partners(project)

    def free_partners(self, project: Project) -> None:
        """Companies and NGOs no longer owe the project their monthly work."""
        for m, work in zip(project.members, project.private_work):
            if work:
                self.agent(m).committed -= work
        project.private_work = [0.0] * len(project.members)

    def update_economics(self, project: Project) -> None:
        """Cost, value and staff work of the project as its make-up now is (sim/needs.py ``Theme``)."""
        theme, rule = self.themes[project.theme], self.consortium
        project.cost = rule.cost(theme, project, project.scope)
        project.value = theme.value(project.scope, project.companies, project.ngos) * project.value_factor
        project.staff_months = project.cost * theme.staff_per_eur

    def programme_for(self, theme: int) -> Programme | None:
        """The programme an idea of ``theme`` applies to: the second programme if it funds the theme, else
        the main one if it does, else none (the project pays for itself)."""
        second = self.programmes.get("second_programme")
        if second is not None and second.funds(theme):
            return second
        main = self.programmes["funding"]
        return main if main.funds(theme) else None

    def application_work(self, project: Project) -> float:
        """Staff-months the lead needs to write (or revise) the project's application; 0 if self-funded."""
        programme = self.programmes.get(project.programme)
        if programme is None:
            return 0.0
        work = programme.cfg.application_staff_months * project.application_factor
        return work * programme.cfg.revision_share if project.submission else work

    def application_quality(self, project: Project) -> float:
        """Quality of the application as written: the idea's own part, revisions, and its writer's knowledge
        (the lead's, or its advisor's expertise if that is higher) above 0.5, times quality_per_knowledge."""
        lead = self.agent(project.lead)
        writer = max(lead.knowledge, project.advisor)
        return project.quality_z + project.quality_gain + self.cfg.projects.quality_per_knowledge * (writer - 0.5)

    # -- candidates, as the consortium rule sees them ------------------------------------------

    def candidate_chunk(self, project: Project, candidate) -> float:
        """Need a municipal candidate would claim: as much as the lead's chunk, if it has that open."""
        return min(project.chunks[0], self.needs.available(candidate.index, project.theme))

    def candidate_scope(self, project: Project, candidate) -> float:
        if candidate.sector != "public":
            return 0.0
        return self.themes[project.theme].scope_of(self.candidate_chunk(project, candidate), candidate.population)

    def with_candidate(self, project: Project, candidate) -> tuple[float, int, int]:
        """(scope, companies, ngos) of the project with ``candidate`` added."""
        if candidate.sector == "public":
            return project.scope + self.candidate_scope(project, candidate), project.companies, project.ngos
        if candidate.sector == "business":
            return project.scope, project.companies + 1, project.ngos
        return project.scope, project.companies, project.ngos + 1

    def embedded(self, project: Project, candidate) -> float:
        """Share of the project's members that ``candidate`` has been in a project with, or shares a project
        partner with (the other side's embeddedness, as the consortium rule weighs it)."""
        net, c, members = self.network, candidate.unique_id, project.members
        partners = net.partners
        theirs = partners[c]
        if not theirs:                                 # no joint project yet: neither repeats nor triangles
            return 0 / len(members)
        live_c, known = net.eid_of[c], 0
        for m in members:                              # sim.submodels.search.knows, written out
            mine = partners[m]
            if c in mine:
                known += 1
            elif mine:
                small, large = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
                live_m = net.eid_of[m]
                for k in small:
                    if k in large and k in live_m and k in live_c:
                        known += 1
                        break
        return known / len(members)

    def running_pairs(self) -> set[tuple[int, int]]:
        """Member pairs of projects under way (their ties are in use)."""
        running = [p for s in (State.CONSORTIUM, State.APPLICATION, State.IMPLEMENTATION)
                   for p in self.projects.by_state[s].values()]
        return {(min(a, b), max(a, b)) for p in running for i, a in enumerate(p.members) for b in p.members[i + 1:]}

    # -- membership -----------------------------------------------------------------------------

    def join(self, municipality: Municipality, t: int) -> None:
        """A municipality joins the initiative: every body takes it in."""
        municipality.member = True
        for body in self.bodies:
            body.on_join(municipality)
