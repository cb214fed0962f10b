"""Regional association (RVR, seed 003): supporter and enabler with climate data and expertise."""

from __future__ import annotations

from sim.bodies.base import Body, bodies
from sim.projects import Project, State


@bodies.register("association", capacity="staff", serves="all municipalities")
class RegionalAssociation(Body):
    """Climate data and expertise for every municipality, member or not: writing an application
    takes less staff time, and applications are a little better."""

    config_key = "association"

    @property
    def active(self) -> bool:
        return self.params.staff > 0

    def monthly_cost(self) -> float:
        return self.params.staff * self.wage

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if self.active and state == State.IDEA and project.programme:
            project.application_factor *= self.params.application_factor
            project.quality_bonus += self.params.quality_bonus
