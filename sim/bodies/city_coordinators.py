"""City coordinators (Klima.Werk, seed 003): one per member city, linking its departments to the
service organisation."""

from __future__ import annotations

from sim.agents.base import Actor
from sim.bodies.base import Body, bodies
from sim.projects import Project, State


class CityCoordinator(Actor):
    """One coordinator, a node tied to its city (and to the coordinators' circle)."""

    key = "city_coordinator"
    sector = "coordination"


@bodies.register("city_coordinators", capacity="staff per city", serves="members")
class CityCoordinators(Body):
    """The circle of city coordinators. Each member city gets a coordinator; projects led by a city
    with a coordinator have lower agency costs (work across the city's own departments), and the
    service organisation needs less staff time for their requests."""

    config_key = "city_coordinators"

    def __init__(self, model):
        super().__init__(model)
        self.coordinators: dict[int, CityCoordinator] = {}

    @property
    def active(self) -> bool:
        return self.params.staff_per_city > 0

    def covers(self, municipality_index: int) -> bool:
        return municipality_index in self.coordinators

    def monthly_cost(self) -> float:
        return len(self.coordinators) * self.params.staff_per_city * self.wage

    def setup(self) -> None:
        for m in self.members():
            self.on_join(m)

    def on_join(self, municipality) -> None:
        if not self.active or municipality.index in self.coordinators:
            return
        coordinator = CityCoordinator(self.model, home=municipality.index)
        self.coordinators[municipality.index] = coordinator
        net = self.model.network
        net.record(coordinator.unique_id, municipality.unique_id, self.model.steps, kind="membership")
        net.record(coordinator.unique_id, self.unique_id, self.model.steps, kind="membership")

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if state == State.IDEA and self.covers(project.lead_index):
            project.agency_factor *= self.params.agency_factor

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "city_coordinators": float(len(self.coordinators))}
