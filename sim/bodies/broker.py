"""Broker group of business people ("Die Herausforderung", seed 001, after the Dutch De Uitdaging)."""

from __future__ import annotations

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.network import SECTORS
from sim.submodels import requests

BUSINESS = SECTORS.index("business")


@bodies.register("broker_group", capacity="coordinator staff", serves="NGOs and companies")
class BrokerGroup(Body):
    """A small group of well-connected entrepreneurs (the ``members`` most willing companies, tied to it)
    with a professional coordinator (Burt 2004: brokerage across a structural hole between NGOs and
    companies). It is the contact point for NGOs of member towns: their requests (sim/submodels/requests.py)
    go to its queue, which the coordinator works through first come first served at
    ``staff_months_per_request`` each; a request still waiting after ``patience_months`` is given up.
    Mechanisms (each a switch):

    - ``vetting``: the group checks each request and turns back those less concrete than ``vet_threshold``
      before any company is asked; companies then expect a vetted request to land more often;
    - ``matching``: the group asks the companies it knows, its members and the companies tied to them,
      the most willing first; without it, a vetted request goes back to the NGO, which asks the companies
      it knows itself.

    Matches therefore come from NGOs' requests meeting willing companies with budget and time, through
    the coordinator's capacity; nothing caps them. The coordinator's cost is shared by municipality
    (``municipal_share``) and companies.
    """

    config_key = "broker_group"
    mechanisms = ("vetting", "matching")

    def __init__(self, model):
        super().__init__(model)
        self.queue = ServiceQueue(self.params.coordinator_staff)
        self.vetted = self.turned_back = self.matches = self.given_up = 0
        self.match_steps: list[int] = []

    @property
    def has_capacity(self) -> bool:
        return self.params.coordinator_staff > 0

    def monthly_cost(self) -> float:
        return self.params.coordinator_staff * self.wage

    def setup(self) -> None:
        if not self.active:
            return
        companies = sorted(self.model.companies, key=lambda c: (-c.willingness, c.unique_id))
        for c in companies[: self.params.members]:
            self.model.network.tie(self.unique_id, c.unique_id, "membership", self.model.steps)

    def take(self, ask, t: int) -> bool:
        if not self.active or not self.model.municipalities[ask.home].member:
            return False
        self.queue.add(Request("support", None, t, self.params.staff_months_per_request, ask.ngo, item=ask))
        return True

    def start_month(self, t: int) -> None:
        if not self.active:
            return
        self.queue.new_month()
        for req in self.queue.serve(t, lambda r: self._waits(r, t)):
            self._handle(req.item, t)

    def _waits(self, req: Request, t: int) -> bool:
        if t - req.arrived < self.params.patience_months:
            return True
        self.given_up += 1
        return False

    def _handle(self, ask, t: int) -> None:
        p = self.params
        vetted = False
        if p.vetting:
            if ask.concreteness < p.vet_threshold:
                self.turned_back += 1
                return
            vetted = True
            self.vetted += 1
        if not p.matching:
            requests.own_search(self.model, ask, t, vetted)
            return
        for company in self.companies_known():
            yes, commitment = requests.agrees(self.model, ask, company, vetted, t)
            if yes:
                requests.match(self.model, ask, company, commitment, True, t)
                self.matches += 1
                self.match_steps.append(t)
                return

    def companies_known(self) -> list:
        """The group's member companies and the companies tied to them, the most willing first."""
        by_sector = self.model.network.neighbours
        members = by_sector[self.unique_id][BUSINESS]
        known = set(members).union(*(by_sector[m][BUSINESS] for m in members))
        agents = [self.model.agent(c) for c in known]
        return sorted(agents, key=lambda a: (-a.willingness, a.unique_id))

    def metrics(self) -> dict[str, float]:
        t = self.model.steps
        last_year = sum(1 for s in self.match_steps if s > t - 12)
        return {**super().metrics(), **self.queue.metrics("broker"), "broker_vetted": float(self.vetted),
                "broker_turned_back": float(self.turned_back), "broker_given_up": float(self.given_up),
                "broker_municipal_cost_eur": self.cost_eur * self.params.municipal_share,
                "broker_matches": float(self.matches), "broker_matches_last_year": float(last_year)}
