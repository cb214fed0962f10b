"""NGOs' requests for support from companies (seed 001: 'Anlaufstelle fuer gemeinnuetzige Organisationen
auf der Suche nach Unterstuetzung').

Each month every NGO sends Poisson(``rate``) requests (stream ``requests``, the same draws in every
scenario). A request asks for help worth ``value_eur`` (lognormal) from a company's engagement budget and
``company_staff_months`` of its time for ``months`` months; its concreteness u ~ U(0, 1) is the chance that
the help lands. If a broker group takes the request (sim/bodies/broker.py), it vets and places it;
otherwise the NGO asks, by itself, the ``ngo_asks`` companies it trusts most among its ties, paying
``information_cost`` of its own time for each; a request nobody takes on is lost. A company helps if it has the budget and the time and

    willingness * trust(company in the NGO) * expected concreteness >= acceptance

(expected concreteness 1/2, or (1 + vet_threshold) / 2 for a request the broker group has vetted). A
matched request becomes a company-NGO project (origin "request", no programme). When it ends, it
completes with probability u: both sides gain positive evidence about each other; otherwise the company
gains negative evidence about the NGO (the request did not land). The company may fail to deliver as any
member may (sim/delivery.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import delivery
from sim.network import SECTORS
from sim.projects import Project, State
from sim.rng import FATAL, OUTCOME, keyed

BUSINESS = SECTORS.index("business")


@dataclass(slots=True)
class Ask:
    """An NGO's request, until a company takes it on (then it becomes a project)."""

    ngo: int
    home: int
    value: float
    concreteness: float
    seed: int
    created: int


def handle(model, t: int) -> None:
    cfg = model.cfg.requests
    ngos = model.ngos
    if not ngos or cfg.rate == 0:
        return
    rng = model.streams["requests"]
    counts = rng.poisson(cfg.rate, len(ngos))
    total = int(counts.sum())
    if total == 0:
        return
    value = (cfg.value_eur * np.exp(cfg.value_sigma * rng.standard_normal(total))).tolist()
    concreteness = rng.random(total).tolist()
    seeds = rng.integers(0, 2**63 - 1, total, dtype=np.int64).tolist()
    broker = model.body("broker_group")
    model.projects.requests += total
    j = 0
    asking, counts = np.flatnonzero(counts).tolist(), counts.tolist()
    for i in asking:                                   # the NGOs with requests this month (one in six), in order
        ngo = ngos[i]
        for _ in range(counts[i]):
            ask = Ask(ngo.unique_id, ngo.home, value[j], concreteness[j], seeds[j], t)
            j += 1
            if broker is None or not broker.take(ask, t):
                own_search(model, ask, t)


def expected_concreteness(model, vetted: bool) -> float:
    return (1.0 + model.cfg.broker_group.vet_threshold) / 2.0 if vetted else 0.5


def agrees(model, ask: Ask, company, vetted: bool, t: int) -> tuple[bool, float]:
    """Does ``company`` take on the request? Returns (yes, its commitment)."""
    cfg = model.cfg.requests
    if company.budget_left < ask.value or company.capacity - company.committed < cfg.company_staff_months:
        return False, 0.0
    concreteness = expected_concreteness(model, vetted)
    if company.willingness * concreteness < cfg.acceptance:
        return False, 0.0                              # not even with full trust in the NGO
    mean, _ = model.trust_rule.opinion(model.network, company.unique_id, ask.ngo, t)
    worth = company.willingness * mean * concreteness
    if worth < cfg.acceptance or worth <= 0:
        return False, 0.0
    return True, 1.0 - cfg.acceptance / worth


def own_search(model, ask: Ask, t: int, vetted: bool = False) -> bool:
    """The NGO asks the companies it trusts most among its ties, as far as its time allows. True if matched."""
    cfg, net = model.cfg.requests, model.network
    known = net.neighbours[ask.ngo][BUSINESS]
    if not known or cfg.ngo_asks == 0:
        return False
    ngo = model.by_id[ask.ngo]
    if len(known) == 1:
        order = list(known)
    else:
        order = most_trusted(model, ask.ngo, known, t)
    for c in order:
        if not ngo.spend(cfg.information_cost):
            break
        company = model.by_id[c]
        yes, commitment = agrees(model, ask, company, vetted, t)
        if yes:
            match(model, ask, company, commitment, False, t)
            return True
    return False


def most_trusted(model, ngo: int, known: set[int], t: int) -> list[int]:
    """The ``ngo_asks`` companies among ``known`` (its business contacts) the NGO trusts most, kept for the
    month until its ties or evidence change (its version in the network), for an NGO with several requests in a
    month (in a default run about one in fifteen of these look-ups)."""
    net = model.network
    cache = model.scratch.setdefault("most_trusted", {})
    key = (t, net._ver[ngo])
    hit = cache.get(ngo)
    if hit is not None and hit[0] == key:
        return hit[1]
    order = net.most_trusted(ngo, t, known, model.cfg.requests.ngo_asks)
    cache[ngo] = (key, order)
    return order


def match(model, ask: Ask, company, commitment: float, introduced: bool, t: int) -> Project:
    """The company takes the request on: a company-NGO project starts."""
    cfg = model.cfg.requests
    from sim.submodels.search import knows

    staff = cfg.company_staff_months
    known = float(knows(model.network, ask.ngo, company.unique_id))
    company.budget_left -= ask.value
    company.committed += staff
    project = Project(pid=len(model.projects), lead=ask.ngo, created=ask.created, lead_index=ask.home, programme="",
                      origin="request", seed=ask.seed, concreteness=ask.concreteness, duration=cfg.months,
                      members=[ask.ngo, company.unique_id], scopes=[0.0, 0.0], chunks=[0.0, 0.0], homes=[-1, -1],
                      commitment=[1.0, commitment], private_work=[0.0, staff], embedded=[known, known],
                      companies=1, cost=ask.value, value=ask.value)
    model.add_project(project, t)
    model.network.joint_project(model.network.tie(ask.ngo, company.unique_id,
                                                  "introduction" if introduced else "project", t))
    model.move(project, State.CONSORTIUM, t)
    model.move(project, State.IMPLEMENTATION, t)
    return project


def work(model, project: Project, t: int) -> None:
    """A month of a matched request: the company puts in its time; it may fail to deliver."""
    p, net, book = model.cfg.projects, model.network, model.projects
    project.month += 1
    ngo, company = project.lead, model.agent(project.members[1])
    need = project.private_work[1]
    got = company.work(need)
    pressure = 1.0 - got / need if need > 0 else 0.0
    if delivery.fails(project, 1, company.reliability, pressure, project.duration, p):
        book.defaults[1] += 1
        project.defaulted.add(company.unique_id)
        model.trust_rule.let_down(net, ngo, company.unique_id, t)
        if keyed(project.seed, FATAL, project.month, 1) < p.default_fatality:
            model.move(project, State.FAILED, t)
            return
        got = 0.0
    project.progress += (got / need if need > 0 else 1.0) / project.duration
    if project.progress < 1.0 - 1e-9:
        return
    model.free_partners(project)
    if keyed(project.seed, OUTCOME, 1) < project.concreteness:
        if company.unique_id not in project.defaulted:
            model.trust_rule.delivered(net, ngo, company.unique_id, t)
        model.trust_rule.delivered(net, company.unique_id, ngo, t)
        model.move(project, State.COMPLETED, t)
    else:
        model.trust_rule.let_down(net, company.unique_id, ngo, t)
        model.move(project, State.FAILED, t)
