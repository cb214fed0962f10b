"""CooperationModel: municipalities, companies, NGOs and coordinating bodies, month by month.

Build it from a :class:`~sim.config.Config`; :meth:`CooperationModel.step` is the schedule, read
top to bottom. Agents do not keep global tallies: the project book, the funding programmes, the
bodies' queues and the network hold the state, and ``sim/metrics.py`` computes every outcome.

Random streams (``sim/rng.py``): ``actors`` (who exists), ``network`` (initial ties), ``ideas``
(when ideas arise and what they are like, including their later fate), ``partners`` (tie-breaks in
partner search), ``funding:<programme>`` (lotteries, revealed gains), and one per coordinating body.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

import mesa
import numpy as np
import pandas as pd

from sim.agents import NGO, Company, Municipality
from sim.bodies import bodies as body_registry
from sim.config import Config
from sim.data import load_region
from sim.funding import Programme
from sim.network import SECTORS, CollabNetwork, build_initial_ties
from sim.projects import Project, ProjectBook, State
from sim.rng import Streams
from sim.rules import consortium_rules, partner_selection_rules
from sim.trust import trust_rules

PROGRAMME_KEYS = ("funding", "second_programme")


class CooperationModel(mesa.Model):
    """The whole region. ``model.network`` is the collaboration graph, ``model.projects`` the book,
    ``model.programmes`` the funding programmes by config key, ``model.bodies`` the coordinating bodies."""

    def __init__(self, cfg: Config, region: pd.DataFrame | None = None):
        self.streams = Streams(cfg.seed)
        super().__init__(rng=self.streams.integer_seed("mesa"))
        self.cfg = cfg
        self.by_id: dict[int, mesa.Agent] = {}       # every agent by unique_id, filled as agents are made
        self.region = load_region(cfg.region) if region is None else region
        self.population = self.region.population.to_numpy(dtype=float)   # inhabitants by municipality index
        self.network = CollabNetwork(cfg.trust)
        self.projects = ProjectBook()
        self.programmes = {key: Programme(key, getattr(cfg, key), self.region, cfg.seed) for key in PROGRAMME_KEYS
                           if key == "funding" or getattr(cfg, key).budget_per_head_year > 0}
        self.partner_selection = partner_selection_rules.get(cfg.rules.partner_selection)(cfg)
        self.consortium = consortium_rules.get(cfg.rules.consortium)(cfg)
        self.trust_rule = trust_rules.get(cfg.rules.trust)(cfg)
        self.municipalities = self._create_municipalities()
        self.companies, self.ngos = self._create_companies_and_ngos()
        actors = self.companies + self.ngos
        build_initial_ties(self.network, self.region, np.array([m.unique_id for m in self.municipalities]),
                           np.array([a.unique_id for a in actors], dtype=np.int64),
                           np.array([a.home for a in actors], dtype=np.int64), cfg.network, self.streams["network"])
        # coordinating bodies come after every actor, so actors' ids do not depend on the scenario
        self.bodies = [body_registry.get(name)(self) for name in cfg.scenario.bodies]
        for body in self.bodies:
            body.setup()

    # -- set-up ---------------------------------------------------------------------------------

    def _create_municipalities(self) -> list[Municipality]:
        a = self.cfg.actors
        scale = (self.region.population.to_numpy() / 1e5) ** a.capacity_exponent
        capacity = a.capacity_per_100k * scale
        ideas = self.cfg.projects.ideas_per_100k * scale
        members = self._initial_members()
        return [Municipality(self, index=i, home=i, name=row.name, ags=row.ags, population=int(row.population),
                             lat=float(row.lat), lon=float(row.lon), capacity=float(capacity[i]),
                             idea_rate=float(ideas[i]), member=row.ags in members)
                for i, row in enumerate(self.region.itertuples(index=False))]

    def _initial_members(self) -> set[str]:
        from sim.config import RegionConfig

        which = self.cfg.scenario.members
        if which == "all":
            return set(self.region.ags)
        return set(load_region(RegionConfig(preset=which)).ags)

    def _create_companies_and_ngos(self) -> tuple[list[Company], list[NGO]]:
        """Poisson numbers per municipality from its population; willingness from Beta draws with the
        configured means (concentration a + b = 5 for companies, 6 for NGOs; assumptions)."""
        rng, a = self.streams["actors"], self.cfg.actors
        pop = self.region.population.to_numpy() / 1e5
        n_comp = rng.poisson(a.companies_per_100k * pop)
        n_ngo = rng.poisson(a.ngos_per_100k * pop)
        comp_home = np.repeat(np.arange(len(pop)), n_comp)
        ngo_home = np.repeat(np.arange(len(pop)), n_ngo)
        cw, nw = a.company_willingness, a.ngo_willingness
        comp_will = rng.beta(5 * cw, 5 * (1 - cw), len(comp_home))
        ngo_will = rng.beta(6 * nw, 6 * (1 - nw), len(ngo_home))
        companies = [Company(self, home=h, willingness=w) for h, w in zip(comp_home.tolist(), comp_will.tolist())]
        ngos = [NGO(self, home=h, willingness=w) for h, w in zip(ngo_home.tolist(), ngo_will.tolist())]
        return companies, ngos

    def dispose(self) -> None:
        """Let go of everything the model holds, so that its agents, network and projects are freed
        at once by reference counting instead of by the cyclic garbage collector (agents and their
        model refer to each other, and a collection walks every object of the model first). The
        model cannot be used afterwards; ``simulate`` calls this for models it does not return."""
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
        for m in self.municipalities:             # this month's staff time, less last month's overrun
            m.new_month()
        for body in self.bodies:                  # bodies' staff serve queued requests; periodic events
            body.start_month(t)
        self.implement(t)                         # running projects use staff first, then may end
        self.write_applications(t)                # consortia apply; the programmes decide
        self.search_partners(t)                   # ideas look for partners; consortia form
        self.generate_ideas(t)                    # new ideas start searching next month
        for body in self.bodies:                  # knowledge transfer, requests from NGOs, entry
            body.end_month(t)
            body.cost_eur += body.monthly_cost() if body.active else 0.0
        if t % 12 == 0:
            self.network.prune(t, self.cfg.network.prune_evidence, keep=self.running_pairs())

    # -- projects: creation and state changes ---------------------------------------------------

    def move(self, project: Project, state: State, t: int) -> None:
        """Move a project to a new state and let the coordinating bodies react."""
        self.projects.move(project, state, t)
        for body in self.bodies:
            body.on_enter(project, state, t)

    def add_project(self, project: Project, t: int) -> None:
        self.projects.add(project)
        for body in self.bodies:
            body.on_enter(project, State.IDEA, t)

    def generate_ideas(self, t: int) -> None:
        """Each municipality has Poisson(idea_rate) new ideas, drawn from the ``ideas`` stream."""
        rng = self.streams["ideas"]
        counts = rng.poisson([m.idea_rate for m in self.municipalities])
        self.create_ideas(np.repeat(np.arange(len(self.municipalities)), counts), rng, t)

    def create_ideas(self, leads, rng: np.random.Generator, t: int, origin: str = "idea") -> None:
        """Create one idea per entry of ``leads`` (municipality indices). Everything an idea is, including
        its later fate, is drawn now from ``rng``, the same number of draws whatever the scenario."""
        p, n = self.cfg.projects, len(leads)
        if n == 0:
            return
        u = rng.random((n, 4)).tolist()
        z = rng.standard_normal((n, 4))
        fate = rng.exponential(1.0, n).tolist()
        cost_factor = np.exp(p.cost_sigma * z[:, 0]).tolist()          # log-normal factors
        gain_factor = np.exp(p.benefit_sigma * z[:, 1]).tolist()
        duration_factor = np.exp(p.duration_sigma * z[:, 3]).tolist()
        quality = z[:, 2].tolist()
        second = self.programmes.get("second_programme")
        for k, i in enumerate(np.asarray(leads).tolist()):
            n_partners = 0 if u[k][0] >= p.partner_share else 1 + int(u[k][2] * p.max_partners)
            sector = "private" if u[k][1] < p.cross_sector_share else "public"
            theme = u[k][3] < second.cfg.theme_share if second is not None else False
            programme = second if theme else self.programmes["funding"]
            cost = p.cost_median_eur * cost_factor[k]
            self.add_project(Project(
                pid=len(self.projects), lead=self.municipalities[i].unique_id, created=t,
                needs=(sector,) * n_partners, cost=cost, gain=cost * p.benefit_ratio * gain_factor[k],
                staff_months=cost / 1e5 * p.staff_months_per_100k_eur,
                duration=p.duration_months * duration_factor[k], quality=quality[k], fate=fate[k], lead_index=i,
                programme=programme.key, cofinancing_share=programme.cfg.cofinancing_share, origin=origin), t)

    # -- submodels ------------------------------------------------------------------------------

    def running_pairs(self) -> set[tuple[int, int]]:
        """Lead-partner pairs of projects under way (their ties are in use, whatever their evidence)."""
        running = [p for s in (State.CONSORTIUM, State.APPLICATION, State.IMPLEMENTATION)
                   for p in self.projects.by_state[s].values()]
        return {(min(p.lead, m), max(p.lead, m)) for p in running for m in p.members[1:]}

    def search_partners(self, t: int) -> None:
        """Ideas with partners to find ask candidates among the lead's ties, else through introductions
        (neighbours of neighbours, at twice the information cost); ideas that need none form at once."""
        for project in self.projects.in_state(State.IDEA):
            self.move(project, State.PARTNER_SEARCH if project.needs else State.CONSORTIUM, t)
        for project in self.projects.in_state(State.PARTNER_SEARCH):
            self._search(project, t)
            if len(project.members) == len(project.needs) + 1:
                self.move(project, State.CONSORTIUM, t)
            elif t - project.entered[State.PARTNER_SEARCH] + 1 >= self.cfg.projects.search_months:
                self.move(project, State.DROPPED, t)

    def _search(self, project: Project, t: int) -> None:
        """Fill the project's open needs one by one. Staff time (municipalities only; companies' and
        NGOs' costs count in their decision but their capacity is not tracked): the lead pays the
        information cost of every candidate it asks; a municipality that joins pays its transaction
        costs at once; the lead pays its own negotiation, enforcement and agency costs with the application."""
        lead = self.agent(project.lead)
        net, rule = self.network, self.consortium
        n = len(project.needs) + 1
        for sector in project.needs[len(project.members) - 1:]:
            wanted = ("public",) if sector == "public" else ("business", "civil")
            candidates, introduced = self._candidates(project, wanted)
            if not candidates:
                return
            trust = net.trust_many(lead.unique_id, candidates, t)
            ranked = self.partner_selection.rank(self, lead.unique_id, candidates, trust, self.streams["partners"])
            found = False
            for c in ranked:
                if not lead.spend(rule.information_cost(introduced, project)):
                    return                                   # no staff left this month: go on next month
                project.asked.add(c)
                cand = self.agent(c)
                t_lead = net.trust(lead.unique_id, c, t)       # ties are undirected: trust is mutual
                if not (rule.accepts(project, lead.willingness, n, t_lead, introduced)
                        and rule.accepts(project, cand.willingness, n, t_lead, introduced)):
                    continue
                if isinstance(cand, Municipality) and not cand.spend(rule.staff_months(n, introduced, project)):
                    continue                                 # willing, but no staff to negotiate
                project.members.append(c)
                project.min_trust = min(project.min_trust, t_lead)
                net.tie(lead.unique_id, c, "introduction" if introduced else "project", t)
                found = True
                break
            if not found:
                return

    def _candidates(self, project: Project, sectors: tuple[str, ...]) -> tuple[list[int], bool]:
        """Not-yet-asked actors of the wanted sectors among the lead's ties; if there are none, among
        the ties of its ties (an introduction), and, for a project the service organisation supports
        (``project.reach``), among the ties of the organisation's members too. Returns the candidates
        and whether they are introduced."""
        skip, lead = set(project.members) | project.asked, project.lead
        by_sector = self.network.neighbours              # node -> its neighbours, one set per sector
        wanted = [SECTORS.index(s) for s in sectors]
        mine = by_sector[lead]
        direct = set().union(*(mine[k] for k in wanted)) - skip
        if direct:
            return sorted(direct), False
        hubs = mine[SECTORS.index("public")] | mine[SECTORS.index("business")] | mine[SECTORS.index("civil")]
        if project.reach:
            so = self.body("service_organisation")
            if so is not None:
                hubs |= set().union(*by_sector[so.unique_id])
        # their neighbours of the wanted sectors (a lead may have hundreds of ties: looked up in C)
        second = set().union(*chain.from_iterable(map(itemgetter(k), map(by_sector.__getitem__, hubs))
                                                  for k in wanted))
        if project.reach:
            second |= {h for h in hubs if self.network.sector[h] in wanted}
        second -= skip
        second.discard(lead)
        return sorted(second), True

    def write_applications(self, t: int) -> None:
        """A consortium's lead writes the application (plus, with partners, its own negotiation,
        enforcement and agency work) at up to ``application_pace`` staff-months a month, as its free
        staff allows. It submits once the work is done, its programme accepts applications this month
        and every required check is passed; a consortium that could not start within
        ``search_months``, or whose programme's period is over, is dropped. The programmes decide, each by its rule, when they decide."""
        pace, limit = self.cfg.projects.application_pace, self.cfg.projects.search_months
        for project in self.projects.in_state(State.CONSORTIUM):
            programme = self.programmes.get(project.programme) or self.programmes["funding"]
            lead = self.agent(project.lead)
            work = self._application_work(project, programme)
            step = min(pace, work - project.prepared, max(lead.free, 0.0))
            if step > 0:
                lead.free -= step
                project.prepared += step
            ready = programme.accepts(t) and all(b.may_apply(project, t) for b in self.bodies)
            if ready and project.prepared >= work - 1e-9:
                project.programme = programme.key
                self.move(project, State.APPLICATION, t)
                programme.submit(project)
            elif (project.prepared == 0 and t - project.entered[State.CONSORTIUM] >= limit) \
                    or t > programme.cfg.period_end:
                self.move(project, State.DROPPED, t)                 # never started, or the window closed
        for programme in self.programmes.values():
            for project, approved in programme.decide(t):
                if approved:
                    self.move(project, State.APPROVED, t)
                    self.move(project, State.IMPLEMENTATION, t)
                else:
                    self.move(project, State.REJECTED, t)

    def _application_work(self, project: Project, programme: Programme) -> float:
        """Staff-months the lead needs to write this application (advice may have lowered it)."""
        n = len(project.members)
        own = (self.consortium.staff_months(n, False, project) - self.consortium.information_cost(False, project)
               if n > 1 else 0.0)
        return programme.cfg.application_staff_months * project.application_factor + own

    def implement(self, t: int) -> None:
        """Running projects take staff from their lead (what is missing slows them down), draw their
        grant in proportion to progress, and fail once their cumulative hazard exceeds their fate. The
        monthly hazard is ``(failure_hazard + distrust_hazard * (1 - lowest trust)) * hazard_factor``.
        A concept (first of two stages) that completes is followed by its implementation project."""
        p = self.cfg.projects
        for project in self.projects.in_state(State.IMPLEMENTATION):
            lead = self.agent(project.lead)
            staff, duration = self._workload(project)
            need = staff / duration
            work = min(need, max(lead.free, 0.0))
            lead.free -= work
            done = 1.0 / duration if need == 0 else work / staff
            done = min(done, 1.0 - project.progress)
            project.progress += done
            payment = project.grant * done
            programme = self.programmes.get(project.programme)
            if programme is not None:
                programme.spend(payment)
            project.spent += payment
            project.stalled = 0 if done > 0 else project.stalled + 1
            project.hazard += (p.failure_hazard + p.distrust_hazard * (1.0 - project.min_trust)) * project.hazard_factor
            if project.progress >= 1.0 - 1e-9:              # finished work counts before this month's risk
                if programme is not None:
                    programme.spend(project.grant - project.spent)
                project.spent = project.grant
                self.move(project, State.COMPLETED, t)
                self.trust_rule.project_outcome(self.network, project.members, True, t)
                if project.stage == 1:
                    self._follow_up(project, programme, t)
            elif project.hazard >= project.fate or project.stalled >= p.stall_months:
                if programme is not None:
                    programme.release(project.grant - project.spent)
                self.move(project, State.FAILED, t)
                self.trust_rule.project_outcome(self.network, project.members, False, t)

    def _workload(self, project: Project) -> tuple[float, float]:
        """Staff-months and duration of the work now under way (a concept is a share of the project)."""
        if project.stage == 1:
            programme = self.programmes[project.programme]
            scale = programme.cfg.concept_months / self.cfg.projects.duration_months
            return project.staff_months * programme.cfg.concept_share, project.duration * scale
        return project.staff_months, project.duration

    def _follow_up(self, concept: Project, programme: Programme, t: int) -> None:
        """After a concept: the true gain is revealed; the implementation goes ahead only if it clears
        the investment hurdle (``hurdle_ratio`` x cost) and every member agrees again (the consortium
        rule). Then it applies for implementation funding (stage 2). Drop-out between the stages
        comes from this decision, from staff and from approval."""
        gain = concept.gain * float(np.exp(programme.cfg.reveal_sigma * programme.rng.standard_normal()))
        follow = Project(pid=len(self.projects), lead=concept.lead, created=t, needs=concept.needs,
                         cost=concept.cost, gain=gain, staff_months=concept.staff_months,
                         duration=concept.duration, quality=concept.quality, fate=concept.fate,
                         lead_index=concept.lead_index, programme=programme.key, origin="followup",
                         cofinancing_share=concept.cofinancing_share,
                         stage=2, parent=concept.pid, members=list(concept.members),
                         min_trust=concept.min_trust)
        self.add_project(follow, t)
        n, net = len(follow.members), self.network
        agree = gain >= programme.cfg.hurdle_ratio * concept.cost and all(self.consortium.accepts(follow, self.agent(m).willingness, n,
                                            net.trust(m, concept.lead, t) if m != concept.lead else 1.0, False)
                    for m in follow.members)
        self.move(follow, State.CONSORTIUM if agree else State.DROPPED, t)

    # -- membership -----------------------------------------------------------------------------

    def join(self, municipality: Municipality, t: int) -> None:
        """A municipality joins the initiative: every body takes it in."""
        municipality.member = True
        for body in self.bodies:
            body.on_join(municipality)
