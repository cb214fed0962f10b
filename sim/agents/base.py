"""What every actor in the collaboration graph has: a sector, a home municipality, a willingness.

Mesa's API stays inside ``sim/agents`` and ``sim/model.py`` (Mesa moves fast; notes/stack.md).
"""

from __future__ import annotations

import mesa

from sim.registry import Registry

agent_kinds = Registry("agent kind")


class Actor(mesa.Agent):
    """A Mesa agent that is also a node of ``model.network``.

    ``willingness`` scales how much of a project's gain the actor counts when deciding to join
    (1 for municipalities, which own the projects; a propensity for companies and NGOs).
    """

    sector: str = "public"
    home: int = -1            # index of the home municipality in model.region
    willingness: float = 1.0
    free: float = float("inf")  # staff time left this month; only municipalities' is limited

    def __init__(self, model: mesa.Model, **attrs):
        super().__init__(model)
        for key, value in attrs.items():
            setattr(self, key, value)
        model.by_id[self.unique_id] = self           # so model.agent(id) finds agents made at any time
        model.network.add_node(self.unique_id, self.sector, kind=self.key)

    def spend(self, staff_months: float) -> bool:
        """Use staff time; always possible for actors whose capacity is not modelled."""
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.unique_id}>"
