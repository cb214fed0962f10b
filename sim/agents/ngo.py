"""NGOs: civil-society partners for cross-sector projects, with needs of their own (requests for support)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("ngo", sector="civil", initiates_projects=False)
class NGO(Actor):
    """A civil-society organisation in its home municipality. ``willingness`` is its eagerness to take
    part in projects, in [0, 1]; ``capacity`` its volunteer and staff time a month. It asks companies for
    support (sim/requests.py), by itself or through a broker group."""

    sector = "civil"
