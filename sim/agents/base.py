"""What every actor in the collaboration graph has: a sector, a home municipality, a willingness, a
capacity of staff time, and a latent reliability that others can learn only from evidence.

Mesa's API stays inside ``sim/agents`` and ``sim/model.py`` (Mesa moves fast; notes/stack.md).
"""

from __future__ import annotations

import mesa

from sim.registry import Registry

agent_kinds = Registry("agent kind")


class Actor(mesa.Agent):
    """A Mesa agent that is also a node of ``model.network``.

    ``willingness`` scales how much of a project's gain the actor counts when deciding to join (1 for
    municipalities, which own their projects; an engagement propensity for companies and NGOs).
    ``capacity`` is the staff-months it can give to projects each month; ``free`` is this month's
    balance: a task may start whenever something is left and then overrun, and the overrun is worked off
    from next month's capacity. ``reliability`` is the latent probability that it delivers its share of
    a project when it is neither short of staff nor uncommitted (sim/delivery.py); nobody reads it but
    the delivery rule.
    """

    sector: str = "public"
    home: int = -1            # index of the home municipality in model.region
    willingness: float = 1.0
    capacity: float = 0.0
    free: float = 0.0
    committed: float = 0.0    # monthly work promised to projects under way (companies and NGOs)
    reliability: float = 1.0

    def __init__(self, model: mesa.Model, **attrs):
        super().__init__(model)
        for key, value in attrs.items():
            setattr(self, key, value)
        model.by_id[self.unique_id] = self           # so model.agent(id) finds agents made at any time
        model.network.add_node(self.unique_id, self.sector, kind=self.key)

    def new_month(self) -> None:
        """This month's capacity, less any overrun carried from last month."""
        self.free = self.capacity + min(self.free, 0.0)

    def spend(self, staff_months: float) -> bool:
        """Start a task if any staff time is left this month (it may overrun); return whether it started."""
        if staff_months > 0 and self.free <= 1e-12:
            return False
        self.free -= staff_months
        return True

    def work(self, staff_months: float) -> float:
        """Put up to ``staff_months`` of this month's free time into ongoing work; returns what was put in."""
        done = min(staff_months, max(self.free, 0.0))
        self.free -= done
        return done

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.unique_id}>"
