"""Service organisation (Klima.Werk, seeds 000 and 003): a network administrative organisation
(Provan & Kenis 2008) whose staff serves member municipalities, and can become a bottleneck."""

from __future__ import annotations

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.projects import Project, State
from sim.rng import PRECHECK, keyed_normal

NEEDED_IN = {"search": State.PARTNER_SEARCH, "advice": State.CONSORTIUM, "precheck": State.CONSORTIUM}
ACTIVE = (State.CONSORTIUM, State.APPLICATION, State.IMPLEMENTATION)


@bodies.register("service_organisation", capacity="staff", serves="members")
class ServiceOrganisation(Body):
    """Serves member municipalities from ``staff`` * ``project_share`` staff-months a month. Every month each
    member takes ``member_overhead_staff_months`` to keep it involved, first from the staff outside project
    services and knowledge transfer (network, communication, administration) and, where that is not enough,
    from project services (the cost of a network administrative organisation grows with its members); then
    come the checks of routed applications, the standing work of coordinating and monitoring consortia, and
    then advice and search support, each first come first served. Mechanisms (each a switch):

    - ``search`` (a member's idea entering partner search): the lead's cost of approaching candidates and
      the negotiation costs fall, and the search may reach the organisation's members and their ties;
    - ``coordination`` (a member's consortium with partners): the organisation coordinates it as a hub, so
      members meet it rather than each other (``hub_cost`` instead of ``pair_cost`` * (n - 1)), for
      ``coordination_staff_months`` per member and month of its own staff; short of staff, the consortium
      meets pairwise that month. Leads and candidates know this when they weigh partners (from partner
      search on), so cheaper coordination can make bigger consortia worth it (Provan & Kenis 2008);
    - ``advice`` (a member's consortium that will apply): the application is written at the
      organisation's ``expertise`` where the lead knows less, and the lead's work falls
      (``application_factor``);
    - ``precheck`` (a routed programme, KRIS): applications need its check first; it sees their quality
      with noise ``precheck_noise`` and sends those it judges below the programme's threshold back for
      revision (up to ``max_resubmissions`` times, then stops them): errors of both kinds;
    - ``monitoring`` (a member's implementation): it monitors instead of the partners, sees a partner's
      trouble early (``fatality_factor``), and keeps evidence of who delivered, which members then weigh
      as a shared partner's opinion, each in months it has the staff; members price no monitoring of
      their own when they weigh partners;
    - ``knowledge`` (every month): ``staff`` * ``knowledge_share`` transfer knowledge to members, closing
      ``transfer_rate`` of their gap to its ``expertise`` a month at full staffing (thinner with more
      members). It creates no ideas; knowledge speeds turning open needs into ideas and raises quality.

    Staff time left over stays unused (``so_utilisation``). A member's requests prepared by a city
    coordinator take ``city_coordinators.service_factor`` of the time. Members pay ``fee_share`` of its cost.
    """

    config_key = "service_organisation"
    mechanisms = ("search", "coordination", "advice", "precheck", "monitoring", "knowledge")

    def __init__(self, model):
        super().__init__(model)
        # mandatory checks first, then advice on applications, then partner search
        self.queue = ServiceQueue(self.params.staff * self.params.project_share,
                                  priority={"precheck": 0, "advice": 1, "search": 2})
        self.hubbed: dict[int, Project] = {}
        self.watched: dict[int, Project] = {}
        self.ok_hub: set[int] = set()
        self.ok_watch: set[int] = set()
        self.pending: set[int] = set()
        self.stopped = self.sent_back = self.cleared = 0

    @property
    def has_capacity(self) -> bool:
        return self.params.staff > 0

    def monthly_cost(self) -> float:
        return self.params.staff * self.wage

    def setup(self) -> None:
        for m in self.members():
            self.on_join(m)

    def on_join(self, municipality) -> None:
        if self.active:
            self.model.network.tie(self.unique_id, municipality.unique_id, "membership", self.model.steps)

    def serves(self, project: Project) -> bool:
        return self.active and project.origin != "request" and self.is_member_project(project)

    def request_staff(self, project: Project, staff: float) -> float:
        coordinators = self.model.body("city_coordinators")
        if coordinators is not None and coordinators.prepares(project.lead_index):
            return staff * coordinators.params.service_factor
        return staff

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if state not in ACTIVE:
            self.hubbed.pop(project.pid, None)
        if state != State.IMPLEMENTATION:
            self.watched.pop(project.pid, None)
        if not self.serves(project):
            return
        p = self.params
        if state == State.PARTNER_SEARCH:
            # members know how their consortia will be run, and weigh partners accordingly
            if p.coordination and not project.hub:
                project.hub = self.key
            if p.monitoring and not project.monitor:
                project.monitor = self.key
            if p.search:
                self.file("search", project, p.search_staff_months, t)
        elif state == State.CONSORTIUM:
            if p.coordination and not project.hub:
                project.hub = self.key                   # a continuation, or a project that skipped the search
            if project.hub == self.key and len(project.members) > 1:
                self.hubbed[project.pid] = project
            if p.advice and project.programme and project.advisor < p.expertise:
                self.file("advice", project, p.advice_staff_months, t)
        elif state == State.IMPLEMENTATION and p.monitoring:
            project.monitor = self.key
            project.fatality_factor *= p.fatality_factor
            self.watched[project.pid] = project
        if project.hub == self.key and state in ACTIVE and len(project.members) > 1:
            self.hubbed[project.pid] = project

    def file(self, kind: str, project: Project, staff: float, t: int) -> None:
        self.queue.add(Request(kind, project, t, self.request_staff(project, staff)))
        self._serve(t)

    def start_month(self, t: int) -> None:
        if not self.active:
            return
        p = self.params
        self.queue.new_month()
        other = p.staff * max(0.0, 1.0 - p.project_share - p.knowledge_share)      # network, communication, ...
        excess = p.member_overhead_staff_months * len(self.members()) - other
        if excess > 0:
            self.queue.use(min(self.queue.left, excess))
        self._serve(t, below=1)                       # mandatory checks before any standing work
        self.ok_hub = {pid for pid, proj in self.hubbed.items()
                       if self.queue.use(p.coordination_staff_months * len(proj.members))}
        self.ok_watch = {pid for pid, proj in self.watched.items() if self.queue.use(p.monitoring_staff_months)}
        self._serve(t)

    def _serve(self, t: int, below: int | None = None) -> None:
        for req in self.queue.serve(t, lambda r: r.project.state == NEEDED_IN[r.kind], below):
            getattr(self, f"_{req.kind}")(req.project, t)

    def _thanks(self, project: Project, t: int) -> None:
        """The lead saw the organisation deliver a service (evidence it may later weigh its reports by)."""
        self.model.trust_rule.delivered(self.model.network, project.lead, self.unique_id, t)

    def _search(self, project: Project, t: int) -> None:
        project.info_factor *= self.params.information_factor
        project.negotiation_factor *= self.params.negotiation_factor
        project.reach = True
        self._thanks(project, t)

    def _advice(self, project: Project, t: int) -> None:
        project.advisor = max(project.advisor, self.params.expertise)
        project.application_factor *= self.params.application_factor
        self._thanks(project, t)

    def _precheck(self, project: Project, t: int) -> None:
        self.pending.discard(project.pid)
        programme = self.model.programmes[project.programme]
        seen = self.model.application_quality(project) + self.params.precheck_noise * keyed_normal(
            project.seed, PRECHECK, project.stage, project.checks)
        project.checks += 1
        if seen >= programme.cfg.approval_threshold:
            project.cleared = True
            self.cleared += 1
        elif project.checks <= programme.cfg.max_resubmissions:
            self.sent_back += 1                             # revise: more work, a better application
            project.prepared = max(0.0, project.prepared - programme.cfg.revision_share
                                   * programme.cfg.application_staff_months * project.application_factor)
            project.quality_gain += programme.cfg.revision_gain
        else:
            self.stopped += 1
            self.model.move(project, State.DROPPED, t)

    def may_apply(self, project: Project, t: int) -> bool:
        programme = self.model.programmes.get(project.programme)
        if programme is None or not programme.cfg.routed or not self.params.precheck or not self.serves(project):
            return True
        if not project.cleared and project.pid not in self.pending:
            self.pending.add(project.pid)
            self.file("precheck", project, self.params.precheck_staff_months, t)
        return project.cleared

    def coordinates(self, project: Project) -> bool:
        return project.pid in self.ok_hub

    def monitors(self, project: Project) -> bool:
        return project.pid in self.ok_watch

    def observe(self, project: Project, member: int, delivered: bool, t: int) -> None:
        rule, net = self.model.trust_rule, self.model.network
        if project.pid in self.ok_watch:
            (rule.delivered if delivered else rule.let_down)(net, self.unique_id, member, t)

    def end_month(self, t: int) -> None:
        if not self.uses("knowledge"):
            return
        p, members = self.params, self.members()
        if not members:
            return
        rate = p.transfer_rate * min(1.0, p.staff * p.knowledge_share / (len(members) * p.transfer_staff_months))
        for m in members:
            m.learn(p.expertise, rate)

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), **self.queue.metrics("so"), "so_stopped": float(self.stopped),
                "so_sent_back": float(self.sent_back), "so_cleared": float(self.cleared),
                "so_hub_consortia": float(len(self.hubbed)),
                "so_fees_eur": self.cost_eur * self.params.fee_share}
