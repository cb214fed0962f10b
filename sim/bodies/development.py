"""Regional development management (LebensWert, seed 004): forums, a shared pool, a funding catalogue."""

from __future__ import annotations

from sim.bodies.base import Body, bodies
from sim.projects import Project, State


@bodies.register("development", capacity="managers", serves="members")
class RegionalDevelopment(Body):
    """Development managers across sectors for the member towns:

    - forums of technical staff every ``forum_interval_months``: each member town takes part with
      chance ``forum_participation``; participants gain positive evidence pairwise (ties and trust
      between towns);
    - a shared service pool (machines and staff): members' capacity rises by ``pool_gain``;
    - a joint catalogue of funding programmes: small member towns need less staff time to find
      partners and to write applications.
    """

    config_key = "development"

    def __init__(self, model):
        super().__init__(model)
        self.forums = 0
        self.pooled: set[int] = set()

    @property
    def active(self) -> bool:
        return self.params.managers > 0

    def monthly_cost(self) -> float:
        return self.params.managers * self.wage

    def setup(self) -> None:
        for m in self.members():
            self.on_join(m)

    def on_join(self, municipality) -> None:
        if not self.active or municipality.index in self.pooled:
            return
        self.pooled.add(municipality.index)
        municipality.capacity *= 1.0 + self.params.pool_gain
        self.model.network.record(self.unique_id, municipality.unique_id, self.model.steps, kind="membership")

    def start_month(self, t: int) -> None:
        if not self.active or t % self.params.forum_interval_months:
            return
        members = self.members()
        came = [m.unique_id for m, u in zip(members, self.stream.random(len(members)))
                if u < self.params.forum_participation]
        self.meet(came, self.params.forum_evidence, t)
        self.forums += 1

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if not self.active or state != State.IDEA or not self.is_member_project(project):
            return
        if self.model.agent(project.lead).population < self.params.small_town_population:
            project.info_factor *= self.params.catalogue_factor
            project.application_factor *= self.params.catalogue_factor

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "forums_held": float(self.forums)}
