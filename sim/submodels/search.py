"""Partner search: the lead grows its consortium while the next partner is worth it, and the partner agrees.

Every new idea enters PARTNER_SEARCH. Each month the lead

1. lists candidates among its live ties: municipalities with open need of the theme, companies if the
   theme gains from a company partner, NGOs if it gains from one, each with time to spare for the
   project (companies and NGOs: capacity not yet promised); if none is worth asking, the contacts of its
   ``introducers`` most trusted contacts (an introduction, at twice the information cost), and, for a
   project the service organisation supports (``reach``), the organisation's members and their contacts;
2. weighs at most ``shortlist`` of them per sector (a random choice keyed on the project, so that the same
   idea weighs the same candidates in every scenario): it forms its opinion of each (the trust rule: its
   own evidence plus shared partners' discounted reports; formed once in the month) and the consortium
   rule's value of adding it; the partner-selection rule orders them;
3. asks them in that order, paying the information cost for each, while a candidate's value is
   positive and it has staff time left this month; a candidate decides by the consortium rule with its
   own opinion of the lead, and needs free staff to negotiate; both sides of each new pair spend their
   negotiation time and, where they distrust the other side, the time for a written agreement.

When nobody is left worth asking, or after ``search_months``, the lead decides whether to go ahead with
the consortium it has (possibly alone): CONSORTIUM, else DROPPED. So consortium size emerges from the
economics of the theme, transaction costs and trust; nothing fixes it in advance.
"""

from __future__ import annotations

import numpy as np

from sim.network import SECTORS
from sim.projects import Project, State
from sim.rng import TIEBREAK, keyed_many

PUBLIC, BUSINESS, CIVIL = (SECTORS.index(s) for s in ("public", "business", "civil"))


def search_partners(model, t: int) -> None:
    limit = model.cfg.projects.search_months
    for project in model.projects.in_state(State.IDEA):
        if project.origin != "request":               # NGOs' requests wait for a company (sim/submodels/requests.py)
            model.move(project, State.PARTNER_SEARCH, t)
    for project in model.projects.in_state(State.PARTNER_SEARCH):
        done = grow(model, project, t)
        if done or t - project.entered[State.PARTNER_SEARCH] + 1 >= limit:
            finish(model, project, t)


def finish(model, project: Project, t: int) -> None:
    go, commitment = model.consortium.worth_it(model, project)
    if go:
        project.commitment[0] = commitment
        project.embedded = embeddedness(model.network, project.members)
        model.move(project, State.CONSORTIUM, t)
    else:
        model.move(project, State.DROPPED, t)


def grow(model, project: Project, t: int) -> bool:
    """This month's search; True if the lead is done (nobody left worth asking)."""
    lead = model.agent(project.lead)
    max_members = model.cfg.projects.max_members
    cost = model.cfg.projects.information_cost * project.info_factor
    introduced, queue = False, None
    opinions: dict[int, tuple[float, float]] = {}      # formed once this month
    while len(project.members) < max_members:
        if lead.free <= 1e-12:
            return False                               # no staff left this month to ask anyone
        if queue is None:                              # (re)rank when the consortium has changed
            pools = direct(model, project) if not introduced else introductions(model, project, t)
            ranked, values = rank(model, project, shortlist(model, project, pools), t, opinions)
            queue = [c for c in ranked if values[c] > 0]
        if not queue:
            if introduced:
                return True
            introduced, queue = True, None
            continue
        if not lead.spend(cost * (2.0 if introduced else 1.0)):
            return False                               # no staff left this month: go on next month
        best = queue.pop(0)
        project.asked.add(best)
        if ask(model, project, model.agent(best), introduced, t):
            introduced, queue = False, None            # a new member: look among direct ties again
    return True


def shortlist(model, project: Project, pools: list[set[int]]) -> list[int]:
    """The eligible candidates the lead weighs: per sector's pool, at most ``shortlist`` of them, taken in
    the order of keyed draws for this project (the same idea weighs the same candidates in every scenario)."""
    k, seed = model.cfg.projects.shortlist, project.seed
    ok = eligibility(model, project)
    out = []
    for pool in pools:
        if not pool:
            continue
        if len(pool) <= k:
            order = sorted(pool)
        else:                                          # in the order of the project's keyed draws (they differ:
            ids = np.fromiter(pool, np.int64, len(pool))   # _mix is a bijection), all hashed at once in numpy:
            order = ids[np.argsort(keyed_many(seed, TIEBREAK, ids))].tolist()   # a Python hash each cost more
        taken = 0
        for c in order:
            if ok(c):
                out.append(c)
                taken += 1
                if taken == k:
                    break
    return sorted(out)


def rank(model, project: Project, candidates: list[int], t: int, opinions: dict | None = None):
    """Candidates that could be worth asking, in the order the rule asks them, and each one's value (a dict).
    Candidates not worth asking even if fully trusted are left out before any opinion is formed."""
    if not candidates:
        return [], {}
    net, lead, opinion = model.network, project.lead, model.trust_rule.opinion
    by_id = model.by_id
    agents = [by_id[c] for c in candidates]
    best = model.consortium.best_values(model, project, agents)
    if min(best) <= 0:
        keep = [i for i, b in enumerate(best) if b > 0]
        candidates, agents = [candidates[i] for i in keep], [agents[i] for i in keep]
        if not candidates:
            return [], {}
    opinions = {} if opinions is None else opinions
    for c in candidates:
        if c not in opinions:
            opinions[c] = opinion(net, lead, c, t)
    mean = [opinions[c][0] for c in candidates]
    sd = [opinions[c][1] for c in candidates]
    value = model.consortium.values(model, project, agents, mean, sd)
    order = model.partner_selection.rank(model, project, candidates, np.array(value), np.array(mean), np.array(sd),
                                         model.streams["partners"])
    check_ranking(model, candidates, order)
    worth = [c for c, v in zip(candidates, value) if v > 0]
    model.projects.candidates_weighed(sum(knows(net, lead, c) for c in worth), len(worth))
    return order, dict(zip(candidates, value))


def check_ranking(model, candidates: list[int], order) -> None:
    try:
        same = sorted(order) == sorted(candidates)
    except TypeError:
        same, order = False, [order]
    if not same:
        from sim.errors import ContractError
        raise ContractError(f"partner selection rule '{model.cfg.rules.partner_selection}' broke its contract: rank "
                            f"must return each of the {len(candidates)} candidates' ids exactly once, in the order "
                            f"to ask them; it returned {len(order)} items, e.g. {list(order)[:3]!r}")


def wanted_sectors(model, project: Project) -> list[int]:
    theme = model.themes[project.theme]
    out = [PUBLIC]
    if theme.company_effect > 0:
        out.append(BUSINESS)
    if theme.ngo_effect > 0:
        out.append(CIVIL)
    return out


def eligible(model, project: Project, node: int) -> bool:
    """Could this node take part: a municipality with open need of the theme, or a company or NGO with
    monthly time left for the project's share of the work."""
    return eligibility(model, project)(node)


def _eligible(model, project: Project, node: int) -> bool:
    agent = model.by_id[node]
    if agent.sector == "public":
        return model.needs.available(agent.index, project.theme) > 1e-9
    monthly = model.cfg.projects.private_work_share * project.staff_months / project.duration
    return agent.capacity - agent.committed >= monthly


def eligibility(model, project: Project):
    """:func:`eligible` for one project as a function of the node (what it needs looked up once)."""
    by_id, needs, theme = model.by_id, model.needs, project.theme
    if not project.duration:                           # (dividing by it raises, as it always has)
        return lambda node: _eligible(model, project, node)
    monthly = model.cfg.projects.private_work_share * project.staff_months / project.duration

    def ok(node: int) -> bool:
        agent = by_id[node]
        if agent.sector == "public":
            return needs.available(agent.index, theme) > 1e-9
        return agent.capacity - agent.committed >= monthly
    return ok


def direct(model, project: Project) -> list[set[int]]:
    """The lead's live ties in the wanted sectors, not members and not yet asked, one pool per sector."""
    skip = set(project.members) | project.asked
    mine = model.network.neighbours[project.lead]
    return [mine[k] - skip for k in wanted_sectors(model, project)]


def introductions(model, project: Project, t: int) -> list[set[int]]:
    """Contacts of the lead's ``introducers`` most trusted actor contacts (and, with ``reach``, the service
    organisation's members and their contacts) in the wanted sectors, not yet asked; one pool per sector."""
    net, lead = model.network, project.lead
    by_sector = net.neighbours
    hubs = set(introducers(model, lead, t))
    if project.reach:
        so = model.body("service_organisation")
        if so is not None:
            hubs |= by_sector[so.unique_id][PUBLIC]
    skip = set(project.members) | project.asked
    skip.add(lead)
    pools = []
    for sector in wanted_sectors(model, project):
        pool = set().union(*(by_sector[h][sector] for h in hubs))
        if project.reach:
            pool |= {h for h in hubs if net._sector[h] == sector}
        pools.append(pool - skip)
    return pools


def introducers(model, lead: int, t: int) -> list[int]:
    """The lead's ``introducers`` most trusted actor contacts this month (kept for the month)."""
    cache = model.scratch.setdefault("introducers", {})
    hit = cache.get(lead)
    if hit is not None and hit[0] == t:
        return hit[1]
    net, k = model.network, model.cfg.projects.introducers
    contacts = net.actor_neighbours[lead]
    if len(contacts) <= k:
        chosen = sorted(contacts)
    else:
        chosen = net.most_trusted(lead, t, contacts, k)
    cache[lead] = (t, chosen)
    return chosen


def ask(model, project: Project, candidate, introduced: bool, t: int) -> bool:
    """The candidate decides with its own opinion of the lead; one that says yes must also have free staff
    to negotiate now. Then each side of every new pair (the candidate with each member) puts in its
    negotiation time and, where it does not trust the other side, the time for a written agreement
    (``enforcement_cost`` * (1 - its trust in the other))."""
    net = model.network
    mean, sd = model.trust_rule.opinion(net, candidate.unique_id, project.lead, t)
    yes, commitment = model.consortium.accepts(model, project, candidate, mean, sd)
    if not yes:
        return False
    p, c = model.cfg.projects, candidate.unique_id
    negotiation = p.negotiation_cost * project.negotiation_factor
    own = sum(negotiation + p.enforcement_cost * (1.0 - net.trust(c, m, t)) for m in project.members)
    if not candidate.spend(own):
        return False                                   # willing, but no staff to negotiate
    for m in project.members:
        model.by_id[m].free -= negotiation + p.enforcement_cost * (1.0 - net.trust(m, c, t))
    lead_mean, lead_sd = model.trust_rule.opinion(net, project.lead, candidate.unique_id, t)
    keeps = model.consortium.keeps(lead_mean, lead_sd, model.embedded(project, candidate))
    add_member(model, project, candidate, commitment, introduced, keeps, t)
    return True


def add_member(model, project: Project, candidate, commitment: float, introduced: bool, keeps: float,
               t: int) -> None:
    net, lead, c = model.network, project.lead, candidate.unique_id
    model.projects.partner_joined(*project_history(net, lead, c))
    chunk = model.candidate_chunk(project, candidate) if candidate.sector == "public" else 0.0
    scope = model.candidate_scope(project, candidate)
    work = 0.0
    if candidate.sector == "public":
        model.needs.claim(candidate.index, project.theme, chunk)
    else:
        work = model.cfg.projects.private_work_share * project.staff_months / project.duration
        candidate.committed += work
        if candidate.sector == "business":
            project.companies += 1
        else:
            project.ngos += 1
    for m in project.members:                          # members of a consortium all meet (shared governance)
        net.joint_project(net.tie(m, c, "introduction" if introduced and m == lead else "project", t))
    project.members.append(c)
    project.scopes.append(scope)
    project.chunks.append(chunk)
    project.homes.append(candidate.index if candidate.sector == "public" else -1)
    project.commitment.append(commitment)
    project.private_work.append(work)
    project.scope += scope
    project.survival *= keeps
    model.update_economics(project)


def embeddedness(net, members: list[int]) -> list[float]:
    """For each member, the share of the other members it had been in a project with, or shares a project
    partner with (sim/delivery.py: embeddedness curbs the temptation to defect)."""
    if len(members) < 2:
        return [0.0] * len(members)
    out = []
    for m in members:
        known = sum(knows(net, m, o) for o in members if o != m)
        out.append(known / (len(members) - 1))
    return out


def project_history(net, a: int, b: int) -> tuple[bool, bool]:
    """(closes a triangle, repeats): had a and b a shared partner, each of them a partner of a joint project
    with it before (the ties to it live); had a and b themselves been partners in a project before."""
    mine, theirs = net.partners[a], net.partners[b]
    return _triangle(net, a, b, mine, theirs), b in mine


def knows(net, a: int, b: int) -> bool:
    """``any(project_history(net, a, b))``, looking for a triangle only if a and b are not partners already."""
    mine = net.partners[a]
    return b in mine or _triangle(net, a, b, mine, net.partners[b])


def _triangle(net, a: int, b: int, mine: set[int], theirs: set[int]) -> bool:
    if not mine or not theirs:
        return False
    if len(mine) > len(theirs):
        mine, theirs = theirs, mine
    live_a, live_b = net.eid_of[a], net.eid_of[b]
    for k in mine:
        if k in theirs and k in live_a and k in live_b:
            return True
    return False
