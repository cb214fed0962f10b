"""Culture events and agility workshops (Klima.Werk's 2023 phase, seed 000)."""

from __future__ import annotations

from sim.bodies.base import Body, bodies


@bodies.register("culture_events", capacity="events", serves="members")
class CultureEvents(Body):
    """Mechanism ``events``: every ``interval_months`` an event brings together member municipalities (each
    with chance ``participation``) and invited companies and NGOs of member towns. Participating
    municipalities meet each other, and each invited company or NGO meets its own municipality: a tie
    where there was none, contact, and positive evidence ``evidence`` each way (Ansell & Gash 2008:
    face-to-face dialogue builds trust; Klijn, Edelenbos & Steijn 2010: network management raises trust)."""

    config_key = "culture_events"
    mechanisms = ("events",)

    def __init__(self, model):
        super().__init__(model)
        self.events = 0

    @property
    def has_capacity(self) -> bool:
        return self.params.participation > 0 and self.params.evidence > 0

    def start_month(self, t: int) -> None:
        if not self.active or t % self.params.interval_months:
            return
        members = self.members()
        came = [m.unique_id for m, u in zip(members, self.stream.random(len(members)))
                if u < self.params.participation]
        homes = {m.index for m in members}
        pool = [a.unique_id for a in self.model.companies + self.model.ngos if a.home in homes]
        k = min(self.params.actors_per_event, len(pool))
        invited = [pool[i] for i in self.stream.choice(len(pool), size=k, replace=False)] if k else []
        self.meet(came, self.params.evidence, t)
        net, munis = self.model.network, self.model.municipalities
        for actor_id in invited:
            net.meet(actor_id, munis[self.model.agent(actor_id).home].unique_id, t, self.params.evidence)
        self.events += 1
        self.cost_eur += self.params.cost_eur_per_event

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "events_held": float(self.events)}
