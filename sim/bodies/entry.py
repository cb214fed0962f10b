"""Entry: non-member municipalities join the initiative when members visibly gain (seed 004)."""

from __future__ import annotations

import numpy as np

from sim.bodies.base import Body, bodies
from sim.projects import State


@bodies.register("entry", capacity="none", serves="non-members")
class Entry(Body):
    """Mechanism ``joining``: every ``review_interval_months`` each non-member compares the approved funds per head that
    members received over the last year with its own. If the members' figure is higher by more than
    ``threshold_eur_per_head``, it joins with chance ``probability`` (inertia). Joining makes it a
    member of every body (ties to them, services, coordinator, pool)."""

    config_key = "entry"
    mechanisms = ("joining",)

    def __init__(self, model):
        super().__init__(model)
        self.joined: list[tuple[int, int]] = []

    @property
    def has_capacity(self) -> bool:
        return self.params.probability > 0

    def end_month(self, t: int) -> None:
        if not self.active or t % self.params.review_interval_months:
            return
        munis = self.model.municipalities
        outsiders = [m for m in munis if not m.member]
        members = [m for m in munis if m.member]
        if not outsiders or not members:
            return
        funds = np.zeros(len(munis))
        for p in self.model.projects.all:
            approved = p.entered.get(State.APPROVED)
            if approved is not None and approved > t - 12 and p.lead_index >= 0:
                funds[p.lead_index] += p.grant
        pop = np.array([m.population for m in munis], float)
        member_rate = funds[[m.index for m in members]].sum() / pop[[m.index for m in members]].sum()
        draws = self.stream.random(len(outsiders))
        for m, u in zip(outsiders, draws):
            if member_rate - funds[m.index] / m.population > self.params.threshold_eur_per_head \
                    and u < self.params.probability:
                self.model.join(m, t)
                self.joined.append((t, m.index))

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "members": float(sum(m.member for m in self.model.municipalities)),
                "entries": float(len(self.joined))}
