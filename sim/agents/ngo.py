"""NGOs: civil-society partners for cross-sector projects (their requests for support come with the broker group)."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("ngo", sector="civil", initiates_projects=False)
class NGO(Actor):
    """A civil-society organisation in its home municipality. ``willingness`` is its eagerness to
    take part in projects, in [0, 1]."""

    sector = "civil"
