"""NGOs: civil-society partners for cross-sector projects, with needs of their own (requests for support)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds
from sim.agents.private import drawn


@agent_kinds.register("ngo", sector="civil")
class NGO(Actor):
    """A civil-society organisation in its home municipality. ``willingness`` is its eagerness to take
    part in projects, in [0, 1]; ``capacity`` its volunteer and staff time a month. It asks companies for
    support (sim/requests.py), by itself or through a broker group."""

    sector = "civil"
    draws_from = "actors"

    @classmethod
    def populate(cls, model, rng) -> list[NGO]:
        """Poisson numbers per municipality from its population (``actors.ngos_per_100k``); drawn together
        with the companies (sim/agents/private.py)."""
        a, d = model.cfg.actors, drawn(model)["ngo"]
        return [cls(model, home=h, willingness=w, reliability=r, capacity=a.ngo_staff_months)
                for h, w, r in zip(d["home"], d["willingness"], d["reliability"])]
