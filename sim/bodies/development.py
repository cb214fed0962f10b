"""Regional development management (LebensWert, seed 004): forums, a shared pool, a funding catalogue,
and a coordination unit."""

from __future__ import annotations

from sim.bodies.base import Body, bodies
from sim.projects import Project, State

ACTIVE = (State.CONSORTIUM, State.APPLICATION, State.IMPLEMENTATION)


@bodies.register("development", capacity="managers", serves="members")
class RegionalDevelopment(Body):
    """Development managers across sectors for the member towns. Mechanisms (each a switch):

    - ``forums``: every ``forum_interval_months`` the technical staff of member towns meet (each town with
      chance ``forum_participation``): positive evidence each way between participants, and each closes
      ``forum_learning`` of its gap to the best-informed participant (exchange of experience);
    - ``pool``: a shared service pool: at the start of each month, members short of the staff their running
      implementations need lend from members with time to spare beyond their own, up to ``pool_share`` of
      the lenders' capacity (it moves staff time, it creates none, and lends nothing when every member is
      short);
    - ``catalogue``: a joint catalogue of funding programmes: small members' application work is multiplied
      by ``catalogue_factor`` and they write at least at ``catalogue_expertise``;
    - ``coordination``: the managers coordinate member consortia with partners as a hub, for
      ``coordination_staff_months`` per member and month of their own time (``managers`` staff-months a
      month); short of time, a consortium meets pairwise that month.
    """

    config_key = "development"
    mechanisms = ("forums", "pool", "catalogue", "coordination")

    def __init__(self, model):
        super().__init__(model)
        self.forums = 0
        self.lent = 0.0
        self.hubbed: dict[int, Project] = {}
        self.ok_hub: set[int] = set()

    @property
    def has_capacity(self) -> bool:
        return self.params.managers > 0

    def monthly_cost(self) -> float:
        return self.params.managers * self.wage

    def setup(self) -> None:
        for m in self.members():
            self.on_join(m)

    def on_join(self, municipality) -> None:
        if self.active:
            self.model.network.tie(self.unique_id, municipality.unique_id, "membership", self.model.steps)

    def start_month(self, t: int) -> None:
        if not self.active:
            return
        p = self.params
        members = self.members()
        if p.pool:
            self._pool(members)
        left = p.managers
        self.ok_hub = set()
        for pid, proj in self.hubbed.items():
            need = p.coordination_staff_months * len(proj.members)
            if need <= left:
                left -= need
                self.ok_hub.add(pid)
        if p.forums and t % p.forum_interval_months == 0:
            came = [m for m, u in zip(members, self.stream.random(len(members))) if u < p.forum_participation]
            self.meet([m.unique_id for m in came], p.forum_evidence, t)
            best = max((m.knowledge for m in came), default=0.0)
            for m in came:
                m.learn(best, p.forum_learning)
            self.forums += 1

    def _pool(self, members: list) -> None:
        """Members short of the staff their running implementations need this month borrow from members
        with time to spare beyond their own implementations, up to ``pool_share`` of the lenders' capacity."""
        share, work = self.params.pool_share, self._work_due(members)
        offers = [min(share * m.capacity, m.free - w) if m.free > w else 0.0 for m, w in zip(members, work)]
        needs = [w - m.free if m.free < w else 0.0 for m, w in zip(members, work)]
        offered, needed = sum(offers), sum(needs)
        moved = min(offered, needed)
        if moved <= 0:
            return
        for m, give, need in zip(members, offers, needs):
            m.free += need * moved / needed - give * moved / offered
        self.lent += moved

    def _work_due(self, members: list) -> list[float]:
        """Each member's staff-months due this month for the implementations it is a member of."""
        from sim.submodels.implementation import workload

        due = dict.fromkeys((m.unique_id for m in members), 0.0)
        for project in self.model.projects.by_state[State.IMPLEMENTATION].values():
            if project.origin == "request":
                continue
            staff, duration = workload(self.model, project)
            for m, scope in zip(project.members, project.scopes):
                if m in due and project.scope > 0:
                    due[m] += staff / duration * scope / project.scope
        return [due[m.unique_id] for m in members]

    def on_enter(self, project: Project, state: State, t: int) -> None:
        if state not in ACTIVE:
            self.hubbed.pop(project.pid, None)
        if not self.active or project.origin == "request" or not self.is_member_project(project):
            return
        p = self.params
        if state == State.IDEA and p.catalogue and project.programme and project.origin != "resubmission":
            if self.model.agent(project.lead).population < p.small_town_population:
                project.application_factor *= p.catalogue_factor
                project.advisor = max(project.advisor, p.catalogue_expertise)
        if state in (State.PARTNER_SEARCH, State.CONSORTIUM) and p.coordination and not project.hub:
            project.hub = self.key                      # known when partners are weighed
        if project.hub == self.key and state in ACTIVE and len(project.members) > 1:
            self.hubbed[project.pid] = project

    def coordinates(self, project: Project) -> bool:
        return project.pid in self.ok_hub

    def metrics(self) -> dict[str, float]:
        return {**super().metrics(), "forums_held": float(self.forums), "pool_lent_staff_months": self.lent,
                "development_hub_consortia": float(len(self.hubbed))}
