"""Regional association (RVR, seed 003): supporter and enabler with climate data and expertise."""

from __future__ import annotations

from sim.bodies.base import Body, bodies


@bodies.register("association", capacity="staff", serves="all municipalities")
class RegionalAssociation(Body):
    """Mechanism ``knowledge``: climate data and expertise for every municipality, member or not: each
    month every municipality closes ``transfer_rate`` of its gap to the association's ``expertise`` at full
    staffing (``transfer_staff_months`` per municipality; thinner with more municipalities)."""

    config_key = "association"
    mechanisms = ("knowledge",)

    @property
    def has_capacity(self) -> bool:
        return self.params.staff > 0

    def monthly_cost(self) -> float:
        return self.params.staff * self.wage

    def end_month(self, t: int) -> None:
        if not self.uses("knowledge"):
            return
        p, munis = self.params, self.model.municipalities
        rate = p.transfer_rate * min(1.0, p.staff / (len(munis) * p.transfer_staff_months))
        for m in munis:
            m.learn(p.expertise, rate)
