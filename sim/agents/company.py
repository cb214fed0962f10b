"""Companies: partners for cross-sector projects, with a propensity for social engagement."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds


@agent_kinds.register("company", sector="business", initiates_projects=False)
class Company(Actor):
    """A company in its home municipality. ``willingness`` is its social-engagement propensity in
    [0, 1]: the share of the value it helps create that it counts when deciding to join. ``capacity``
    (staff-months a month) and ``budget`` (EUR a year, what it can still give this year in ``budget_left``)
    limit what it can take on."""

    sector = "business"
    budget: float = 0.0
    budget_left: float = 0.0
