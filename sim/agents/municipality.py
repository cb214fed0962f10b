"""Municipalities: the implementers, drivers and initiators of projects (Klima.Werk role model)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("municipality", sector="public", initiates_projects=True)
class Municipality(Actor):
    """A real municipality (Zensus 2022 population, BKG coordinates).

    ``capacity`` grows sublinearly with population. ``knowledge`` in [0, 1] is how well its staff know
    funding programmes and planning methods: it speeds turning open needs into ideas and raises the
    quality of the applications it writes; it grows with completed projects and knowledge transfer and
    returns slowly to ``knowledge0`` (turnover). Its needs are in ``model.needs`` (row ``index``).
    """

    sector = "public"
    index: int
    name: str
    ags: str
    population: int
    lat: float
    lon: float
    knowledge: float = 0.3
    knowledge0: float = 0.3
    member: bool = True       # member of the regional initiative (served by its bodies)

    def learn(self, towards: float, rate: float) -> None:
        """Close ``rate`` of the gap to ``towards`` (never beyond it, never downwards)."""
        if towards > self.knowledge:
            self.knowledge += rate * (towards - self.knowledge)
