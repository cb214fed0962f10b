"""Companies: partners for cross-sector projects, with a propensity for social engagement."""

from __future__ import annotations

from sim.agents.base import Actor, agent_kinds
from sim.agents.private import drawn


@agent_kinds.register("company", sector="business")
class Company(Actor):
    """A company in its home municipality. ``willingness`` is its social-engagement propensity in
    [0, 1]: the share of the value it helps create that it counts when deciding to join. ``capacity``
    (staff-months a month) and ``budget`` (EUR a year, what it can still give this year in ``budget_left``)
    limit what it can take on."""

    sector = "business"
    draws_from = "actors"

    @classmethod
    def populate(cls, model, rng) -> list[Company]:
        """Poisson numbers per municipality from its population (``actors.companies_per_100k``); drawn
        together with the NGOs (sim/agents/private.py)."""
        a, d = model.cfg.actors, drawn(model)["company"]
        return [cls(model, home=h, willingness=w, reliability=r, capacity=a.company_staff_months,
                    budget=a.company_budget_eur_per_year)
                for h, w, r in zip(d["home"], d["willingness"], d["reliability"])]
