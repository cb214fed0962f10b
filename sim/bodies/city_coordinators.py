"""City coordinators (Klima.Werk, seed 003): one per member city, linking its departments to the
service organisation."""

from __future__ import annotations

from sim.agents.base import Actor
from sim.bodies.base import Body, bodies


class CityCoordinator(Actor):
    """One coordinator, a node tied to its city (and to the coordinators' circle)."""

    key = "city_coordinator"
    sector = "coordination"


@bodies.register("city_coordinators", capacity="staff per city", serves="members")
class CityCoordinators(Body):
    """The circle of city coordinators: each member city gets a coordinator with ``staff_per_city``
    staff-months a month. Mechanisms (each a switch):

    - ``agency``: the coordinator takes over the city's agency work (across its own departments, each
      month a project of the city is active) as far as its own time allows; what is left falls to the
      city's staff;
    - ``preparation``: the city's requests to the service organisation, prepared by the coordinator, take
      ``service_factor`` of the organisation's usual staff time (it has effect only beside a service
      organisation).
    """

    config_key = "city_coordinators"
    mechanisms = ("agency", "preparation")

    def __init__(self, model):
        super().__init__(model)
        self.coordinators: dict[int, CityCoordinator] = {}
        self.left: dict[int, float] = {}

    @property
    def has_capacity(self) -> bool:
        return self.params.staff_per_city > 0

    def covers(self, municipality_index: int) -> bool:
        return municipality_index in self.coordinators

    def prepares(self, municipality_index: int) -> bool:
        return self.uses("preparation") and self.covers(municipality_index)

    def take_agency(self, municipality_index: int, staff_months: float) -> float:
        """The coordinator takes what it can of ``staff_months`` of agency work; returns what is left."""
        left = self.left.get(municipality_index)
        if not left or not self.params.agency:
            return staff_months
        taken = min(left, staff_months)
        self.left[municipality_index] = left - taken
        return staff_months - taken

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
        net.tie(coordinator.unique_id, municipality.unique_id, "membership", self.model.steps)
        net.tie(coordinator.unique_id, self.unique_id, "membership", self.model.steps)

    def start_month(self, t: int) -> None:
        if self.active:
            self.left = dict.fromkeys(self.coordinators, self.params.staff_per_city)

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "city_coordinators": float(len(self.coordinators))}
