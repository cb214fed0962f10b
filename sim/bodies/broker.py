"""Broker group of business people ("Die Herausforderung", seed 001, after the Dutch De Uitdaging)."""

from __future__ import annotations

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.projects import Project, State


@bodies.register("broker_group", capacity="coordinator staff", serves="NGOs and companies")
class BrokerGroup(Body):
    """A small group of well-connected entrepreneurs with a professional coordinator (Burt 2004:
    brokerage across a structural hole between NGOs and companies).

    Each month NGOs send requests for support (Poisson, ``request_rate`` per NGO). The coordinator
    handles them first come first served (``staff_months_per_request`` each); a request still
    waiting after ``patience_months`` is given up; the group finds a share
    ``vet_pass_share`` concrete enough, then asks the companies it knows to be willing (engagement
    propensity at least ``min_willingness``), most trusted by the NGO first; each suits the request with
    chance ``suitability``. A match becomes a self-funded company–NGO project (no application) and a
    tie between the two. The coordinator's cost is shared by municipality and companies.
    """

    config_key = "broker_group"

    def __init__(self, model):
        super().__init__(model)
        self.queue = ServiceQueue(self.params.coordinator_staff)
        self.vetted = self.matches = 0
        self.match_steps: list[int] = []

    @property
    def active(self) -> bool:
        return self.params.coordinator_staff > 0

    def monthly_cost(self) -> float:
        return self.params.coordinator_staff * self.wage

    def setup(self) -> None:
        if not self.active:
            return
        companies = sorted(self.model.companies, key=lambda c: (-c.willingness, c.unique_id))
        for c in companies[: self.params.members]:
            self.model.network.record(self.unique_id, c.unique_id, self.model.steps, kind="membership")

    def start_month(self, t: int) -> None:
        if not self.active:
            return
        self.queue.new_month()
        patience = self.params.patience_months
        for req in self.queue.serve(t, lambda r: t - r.arrived < patience):
            self._handle(req, t)

    def _handle(self, req: Request, t: int) -> None:
        p, net = self.params, self.model.network
        if self.stream.random() >= p.vet_pass_share:
            return
        self.vetted += 1
        ngo = self.model.agent(req.owner)
        willing = [c for c in self.model.companies if c.willingness >= p.min_willingness]
        if not willing:
            return
        trust = [net.trust(ngo.unique_id, c.unique_id, t) for c in willing]
        noise = self.stream.random(len(willing))
        order = sorted(range(len(willing)), key=lambda i: (-trust[i], noise[i]))
        suits = self.stream.random(len(willing)) < p.suitability
        for i in order:
            if suits[i]:
                self._match(ngo, willing[i], t)
                return

    def _match(self, ngo, company, t: int) -> None:
        p = self.params
        self.matches += 1
        self.match_steps.append(t)
        project = Project(pid=len(self.model.projects), lead=ngo.unique_id, created=t, needs=("private",),
                          cost=p.match_cost_eur, gain=p.match_cost_eur * self.model.cfg.projects.benefit_ratio,
                          staff_months=0.0, duration=p.match_months, quality=0.0,
                          fate=float(self.stream.exponential()), lead_index=ngo.home, programme="",
                          cofinancing_share=1.0,
                          origin="broker", members=[ngo.unique_id, company.unique_id])
        self.model.add_project(project, t)
        self.model.network.tie(ngo.unique_id, company.unique_id, "introduction", t)
        self.model.move(project, State.CONSORTIUM, t)
        self.model.move(project, State.IMPLEMENTATION, t)

    def end_month(self, t: int) -> None:
        if not self.active:
            return
        ngos = self.model.ngos
        counts = self.stream.poisson(self.params.request_rate, len(ngos))
        for ngo, k in zip(ngos, counts):
            for _ in range(int(k)):
                self.queue.add(Request("support", None, t, self.params.staff_months_per_request, ngo.unique_id))

    def metrics(self) -> dict[str, float]:
        t = self.model.steps
        last_year = sum(1 for s in self.match_steps if s > t - 12)
        return {**super().metrics(), **self.queue.metrics("broker"), "broker_vetted": float(self.vetted),
                "broker_municipal_cost_eur": self.cost_eur * self.params.municipal_share,
                "broker_matches": float(self.matches), "broker_matches_last_year": float(last_year)}
