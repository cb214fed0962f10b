"""Service organisation (Klima.Werk, seeds 000 and 003): a network administrative organisation
(Provan & Kenis 2008) whose staff serves member municipalities, and can become a bottleneck."""

from __future__ import annotations

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.projects import Project, State

NEEDED_IN = {"search": State.PARTNER_SEARCH, "advice": State.CONSORTIUM, "monitoring": State.IMPLEMENTATION}


@bodies.register("service_organisation", capacity="staff", serves="members")
class ServiceOrganisation(Body):
    """Serves member municipalities' projects from one queue, first come first served:

    - partner search and negotiation support (a project entering partner search): information and
      negotiation costs fall, and the search may reach beyond the lead's own ties via the
      organisation's network of members;
    - funding advice (a consortium about to apply): the application's quality rises and the
      organisation takes over part of writing it (``application_factor``); where the
      programme is ``routed`` (KRIS), the application must pass this eligibility check first and is
      stopped if it would fail;
    - monitoring (an implementation starting): the failure hazard falls;
    - knowledge transfer: staff time left over in a month turns into new ideas of members.

    Only ``project_share`` of the staff serves projects. Requests prepared by a city coordinator
    take less staff time (``city_coordinators.service_factor``).
    """

    config_key = "service_organisation"

    def __init__(self, model):
        super().__init__(model)
        self.queue = ServiceQueue(self.params.staff * self.params.project_share)
        self.stopped = 0

    @property
    def active(self) -> bool:
        return self.params.staff > 0

    def monthly_cost(self) -> float:
        return self.params.staff * self.wage

    def setup(self) -> None:
        for m in self.members():
            self.on_join(m)

    def on_join(self, municipality) -> None:
        if self.active:
            self.model.network.record(self.unique_id, municipality.unique_id, self.model.steps, kind="membership")

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if not self.active or not self.is_member_project(project):
            return
        p = self.params
        kind, staff = {State.PARTNER_SEARCH: ("search", p.search_staff_months),
                       State.CONSORTIUM: ("advice", p.advice_staff_months),
                       State.IMPLEMENTATION: ("monitoring", p.monitoring_staff_months)}.get(state, (None, 0.0))
        if kind is None:
            return
        coordinators = self.model.body("city_coordinators")
        if coordinators is not None and coordinators.covers(project.lead_index):
            staff *= coordinators.params.service_factor
        self.queue.add(Request(kind, project, t, staff))
        self._serve(t)

    def start_month(self, t: int) -> None:
        if self.active:
            self.queue.new_month()
            self._serve(t)

    def _serve(self, t: int) -> None:
        for req in self.queue.serve(t, lambda r: r.project.state == NEEDED_IN[r.kind]):
            getattr(self, f"_{req.kind}")(req.project, t)

    def _search(self, project: Project, t: int) -> None:
        project.info_factor *= self.params.information_factor
        project.negotiation_factor *= self.params.negotiation_factor
        project.reach = True

    def _advice(self, project: Project, t: int) -> None:
        project.quality_bonus += self.params.quality_bonus
        project.application_factor *= self.params.application_factor
        programme = self.model.programmes.get(project.programme)
        if programme is not None and programme.cfg.routed:
            if programme.eligible(project):
                project.cleared = True
            else:
                self.stopped += 1
                self.model.move(project, State.DROPPED, t)

    def _monitoring(self, project: Project, t: int) -> None:
        project.hazard_factor *= self.params.hazard_factor

    def may_apply(self, project: Project, t: int) -> bool:
        programme = self.model.programmes.get(project.programme)
        routed = programme is not None and programme.cfg.routed
        return not (routed and self.active and self.is_member_project(project)) or project.cleared

    def end_month(self, t: int) -> None:
        if not self.active:
            return
        spare = self.queue.capacity - self.queue.used_now
        n = int(self.stream.poisson(self.params.knowledge_ideas * spare))
        members = self.members()
        if n and members:
            weights = [m.idea_rate for m in members]
            total = sum(weights)
            if total > 0:
                picks = self.stream.choice(len(members), size=n, p=[w / total for w in weights])
                self.model.create_ideas([members[i].index for i in picks], self.stream, t, origin="knowledge")

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), **self.queue.metrics("so"), "so_stopped": float(self.stopped)}
