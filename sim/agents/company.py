"""Companies: partners for cross-sector projects, with a propensity for social engagement."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("company", sector="business", initiates_projects=False)
class Company(Actor):
    """A company in its home municipality. ``willingness`` is its social-engagement propensity in
    [0, 1]: the share of a project's gain it counts when deciding to join."""

    sector = "business"
