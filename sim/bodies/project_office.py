"""Project office running a competitive call (Prima.Klima.Ruhrmetropole, seed 002)."""

from __future__ import annotations

from sim.bodies.base import Body, bodies
from sim.projects import Project, State


@bodies.register("project_office", capacity="budget", serves="applicants to the second programme")
class ProjectOffice(Body):
    """An external office (ICM in Prima.Klima) that runs the second programme's call: it advises
    applicants (their applications' quality rises by ``advice_bonus``) and holds knowledge-transfer
    events ``events_per_year`` times a year for the initiative's members: participants gain
    positive evidence pairwise, and each leaves with new ideas (Poisson, ``event_ideas``)."""

    config_key = "project_office"

    def __init__(self, model):
        super().__init__(model)
        self.events = 0
        self.advised = 0

    @property
    def active(self) -> bool:
        return self.params.budget_eur_per_year > 0

    def monthly_cost(self) -> float:
        return self.params.budget_eur_per_year / 12

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if self.active and state == State.CONSORTIUM and project.programme == "second_programme":
            project.quality_bonus += self.params.advice_bonus
            self.advised += 1

    def start_month(self, t: int) -> None:
        n = self.params.events_per_year
        if not self.active or n == 0 or (t * n) // 12 == ((t - 1) * n) // 12:
            return
        munis = self.members()
        self.meet([m.unique_id for m in munis], self.params.event_evidence, t)
        counts = self.stream.poisson(self.params.event_ideas, len(munis))
        leads = [m.index for m, k in zip(munis, counts) for _ in range(int(k))]
        if leads:
            self.model.create_ideas(leads, self.stream, t, origin="event")
        self.events += 1

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "office_events": float(self.events), "office_advised": float(self.advised)}
