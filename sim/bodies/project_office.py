"""Project office running a competitive call (Prima.Klima.Ruhrmetropole, seed 002)."""

from __future__ import annotations

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.projects import Project, State


@bodies.register("project_office", capacity="budget", serves="applicants to the second programme")
class ProjectOffice(Body):
    """An external office (ICM in Prima.Klima) that runs the second programme's call. Its staff time is its
    budget at the model's wage; ``advice_share`` of it advises applicants. Mechanisms (each a switch):

    - ``advice``: a member's consortium applying to the call asks for advice (``advice_staff_months``, first
      come first served within the office's advice time); advised applications are written at the office's
      ``expertise`` where the lead knows less;
    - ``events``: ``events_per_year`` knowledge-transfer events for member municipalities: all meet (positive
      evidence each way) and each closes ``event_learning`` of its gap to the office's expertise.

    The call itself (budget, winners, two stages) is the ``second_programme`` config.
    """

    config_key = "project_office"
    mechanisms = ("advice", "events")

    def __init__(self, model):
        super().__init__(model)
        p = self.params
        self.queue = ServiceQueue(p.budget_eur_per_year / 12 / self.wage * p.advice_share if self.wage > 0 else 0.0)
        self.events = self.advised = 0

    @property
    def has_capacity(self) -> bool:
        return self.params.budget_eur_per_year > 0

    def monthly_cost(self) -> float:
        return self.params.budget_eur_per_year / 12

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if (self.uses("advice") and state == State.CONSORTIUM and project.programme == "second_programme"
                and self.is_member_project(project) and project.advisor < self.params.expertise):
            self.queue.add(Request("advice", project, t, self.params.advice_staff_months))
            self._serve(t)

    def _serve(self, t: int) -> None:
        for req in self.queue.serve(t, lambda r: r.project.state == State.CONSORTIUM):
            req.project.advisor = max(req.project.advisor, self.params.expertise)
            self.advised += 1

    def start_month(self, t: int) -> None:
        if not self.active:
            return
        self.queue.new_month()
        self._serve(t)
        n = self.params.events_per_year
        if not self.params.events or n == 0 or (t * n) // 12 == ((t - 1) * n) // 12:
            return
        munis = self.members()
        self.meet([m.unique_id for m in munis], self.params.event_evidence, t)
        for m in munis:
            m.learn(self.params.expertise, self.params.event_learning)
        self.events += 1

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), **self.queue.metrics("office"), "office_events": float(self.events),
                "office_advised": float(self.advised)}
