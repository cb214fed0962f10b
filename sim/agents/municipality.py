"""Municipalities: the implementers, drivers and initiators of projects (Klima.Werk role model)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("municipality", sector="public", initiates_projects=True)
class Municipality(Actor):
    """A real municipality (Zensus 2022 population, BKG coordinates).

    ``capacity`` is the staff-months per month it can spend on projects; it grows sublinearly with
    population. ``free`` is its balance this month: a task may start whenever something is left and
    then overrun, and the overrun is worked off from next month's capacity. So a small town can
    take on a task bigger than one month's capacity, only more slowly. ``idea_rate`` is its expected
    number of new project ideas per month.
    """

    sector = "public"
    index: int
    name: str
    ags: str
    population: int
    lat: float
    lon: float
    capacity: float
    idea_rate: float
    free: float = 0.0
    member: bool = True       # member of the regional initiative (served by its bodies)

    def new_month(self) -> None:
        """This month's capacity, less any overrun carried from last month."""
        self.free = self.capacity + min(self.free, 0.0)

    def spend(self, staff_months: float) -> bool:
        """Start a task if any staff time is left this month (it may overrun); return whether it started."""
        if staff_months > 0 and self.free <= 1e-12:
            return False
        self.free -= staff_months
        return True
