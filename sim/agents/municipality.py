"""Municipalities: the implementers, drivers and initiators of projects (Klima.Werk role model)."""

from __future__ import annotations

import numpy as np

from sim.agents.base import Actor, agent_kinds, reliabilities


@agent_kinds.register("municipality", sector="public")
class Municipality(Actor):
    """A real municipality (Zensus 2022 population, BKG coordinates).

    ``capacity`` grows sublinearly with population. ``knowledge`` in [0, 1] is how well its staff know
    funding programmes and planning methods: it speeds turning open needs into ideas and raises the
    quality of the applications it writes; it grows with completed projects and knowledge transfer and
    returns slowly to ``knowledge0`` (turnover). Its needs are in ``model.needs`` (row ``index``).
    """

    sector = "public"
    draws_from = "actors"
    index: int
    name: str
    ags: str
    population: int
    lat: float
    lon: float
    knowledge: float = 0.3
    knowledge0: float = 0.3
    member: bool = True       # member of the regional initiative (served by its bodies)

    @classmethod
    def populate(cls, model, rng: np.random.Generator) -> list[Municipality]:
        """One per row of the region, in its order: capacity and knowledge from population (sim/config.py,
        ``actors``), reliability drawn, membership from ``scenario.members``."""
        a, population = model.cfg.actors, model.population
        scale = (population / 1e5) ** a.capacity_exponent
        knowledge = np.clip(a.knowledge_base * (population / 1e5) ** a.knowledge_size_exponent, 0.02, 0.98)
        reliability = reliabilities(a, rng, len(population))
        members = initial_members(model)
        return [cls(model, index=i, home=i, name=row.name, ags=row.ags, population=int(row.population),
                    lat=float(row.lat), lon=float(row.lon), capacity=float(a.capacity_per_100k * scale[i]),
                    knowledge=float(knowledge[i]), knowledge0=float(knowledge[i]),
                    reliability=float(reliability[i]), member=row.ags in members)
                for i, row in enumerate(model.region.itertuples(index=False))]

    def learn(self, towards: float, rate: float) -> None:
        """Close ``rate`` of the gap to ``towards`` (never beyond it, never downwards)."""
        if towards > self.knowledge:
            self.knowledge += rate * (towards - self.knowledge)


def initial_members(model) -> set[str]:
    """AGS of the municipalities that belong to the initiative from the start (``scenario.members``)."""
    from sim.config import RegionConfig
    from sim.data import load_region

    which = model.cfg.scenario.members
    if which == "all":
        return set(model.region.ags)
    return set(load_region(RegionConfig(preset=which)).ags)
