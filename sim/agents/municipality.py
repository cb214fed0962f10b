"""Municipalities: the implementers, drivers and initiators of projects (Klima.Werk role model)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("municipality", sector="public", initiates_projects=True)
class Municipality(Actor):
    """A real municipality (Zensus 2022 population, BKG coordinates).

    ``capacity`` is the staff-months per month it can spend on projects; it grows sublinearly with
    population. ``free`` is what is left of it this month. ``idea_rate`` is its expected number of
    new project ideas per month.
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

    def spend(self, staff_months: float) -> bool:
        """Use staff time this month if there is enough left; return whether it was spent."""
        if staff_months > self.free + 1e-12:
            return False
        self.free -= staff_months
        return True
