"""Governance that costs: the monthly time members spend keeping a consortium together.

Each month a consortium is active (CONSORTIUM, APPLICATION, IMPLEMENTATION), every member spends

- coordination: ``pair_cost`` * (n - 1) when the partners coordinate among themselves (shared
  governance: every pair meets), or ``hub_cost`` when a coordinating body coordinates them (one
  contact each; the body spends its own staff on it, and when its capacity is short that month the
  consortium falls back to meeting pairwise; Provan & Kenis 2008);
- agency (municipalities): ``agency_cost`` for work across its own departments, less what its city
  coordinator takes over;
- monitoring (implementation, with partners): ``monitoring_cost`` * (1 - t) for each other member, t its
  trust in that member (trust substitutes for monitoring, Feiock 2013), unless a body monitors. The
  arrangement is set with the trust of the month the work starts and revised after a failure to deliver.

The time is taken from the month's staff (it may overrun into the next), so governance competes with
the work itself, with applications and with new ideas.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.projects import State

ACTIVE = (State.CONSORTIUM, State.APPLICATION, State.IMPLEMENTATION)


@dataclass
class Tally:
    """Staff-months spent on governance so far, by kind (read by the metrics)."""

    coordination: float = 0.0       # pairwise
    hub: float = 0.0                # members' side of body-coordinated consortia
    agency: float = 0.0             # municipalities' own departments
    agency_covered: float = 0.0     # ... taken over by city coordinators
    monitoring: float = 0.0


def coordinate(model, t: int) -> None:
    p, net, tally = model.cfg.projects, model.network, model.tally
    coordinators = model.body("city_coordinators")
    agent = model.by_id
    for state in ACTIVE:
        for project in model.projects.by_state[state].values():
            if project.origin == "request":
                continue
            members, n = project.members, len(project.members)
            hub = n > 1 and bool(project.hub) and model.body(project.hub).coordinates(project)
            watched = bool(project.monitor) and model.body(project.monitor).monitors(project)
            monitoring = state == State.IMPLEMENTATION and n > 1 and not watched
            watch_times = monitoring_time(project, net, t, p.monitoring_cost) \
                if monitoring and p.monitoring_cost > 0 else None        # (asked once per project, not per member)
            for k, m in enumerate(members):
                a = agent[m]
                time = 0.0
                if n > 1:
                    if hub:
                        time += p.hub_cost
                        tally.hub += p.hub_cost
                    else:
                        time += p.pair_cost * (n - 1)
                        tally.coordination += p.pair_cost * (n - 1)
                if a.sector == "public" and p.agency_cost > 0:
                    own = p.agency_cost
                    if coordinators is not None:
                        own = coordinators.take_agency(a.index, own)
                        tally.agency_covered += p.agency_cost - own
                    time += own
                    tally.agency += own
                if watch_times is not None:
                    watch = watch_times[k]
                    time += watch
                    tally.monitoring += watch
                a.free -= time
            if n > 1:
                lead = project.lead
                for m in members[1:]:
                    net.touch(lead, m, t)


def monitoring_time(project, net, t: int, cost: float) -> list[float]:
    """Each member's monthly monitoring time, set when first asked and after each failure to deliver."""
    key = len(project.defaulted)
    cached = project.watch
    if cached is None or cached[0] != key:
        members = project.members
        cached = project.watch = (key, [cost * sum(1.0 - net.trust(m, o, t) for o in members if o != m)
                                        for m in members])
    return cached[1]
