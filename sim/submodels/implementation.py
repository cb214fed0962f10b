"""Implementation: members put in their work, may fail to deliver it, and the project completes or fails.

Each month, first in first out, a project of staff work S and duration D (a concept: its reduced S and
D) needs from each municipal member its share of S / D by scope, and from each company or NGO the
monthly work it promised. A member puts in what its free staff allows (the shortfall is its pressure)
and may fail to deliver (sim/delivery.py). A failure to deliver is seen by every other member, who gains
negative evidence about it (and only about it); with probability ``default_fatality`` (times the
monitoring body's ``fatality_factor`` in months it has the staff to monitor) it sinks the project, otherwise the lead covers the missing work
as far as its staff allows, and what it cannot cover delays the project. Then

    progress += (work delivered / work needed this month) / D

and the grant is paid in proportion. The project **completes** at progress 1 (every member gains
positive evidence about each other member who delivered; the need is met; members learn), or **fails**
when sunk by a failure to deliver, when it made no progress for ``stall_months`` (the lead let its
partners down), or when its cumulative external hazard ``failure_hazard`` * months exceeds its fate.
"""

from __future__ import annotations

import math

from sim import delivery
from sim.projects import Project, State
from sim.rng import FATAL, OUTCOME, keyed, keyed_normal


def implement(model, t: int) -> None:
    from sim.submodels import requests

    for project in model.projects.in_state(State.IMPLEMENTATION):
        if project.origin == "request":
            requests.work(model, project, t)
        else:
            work_on(model, project, t)


def workload(model, project: Project) -> tuple[float, float]:
    """Staff-months and duration of the work now under way (a concept is a share of the project)."""
    if project.stage == 1:
        programme = model.programmes[project.programme]
        scale = programme.cfg.concept_months / model.themes[project.theme].cfg.duration_months
        return project.staff_months * programme.cfg.concept_share, project.duration * scale
    return project.staff_months, project.duration


def work_on(model, project: Project, t: int) -> None:
    p, net, book = model.cfg.projects, model.network, model.projects
    staff, duration = workload(model, project)
    project.month += 1
    members = project.members
    lead = model.agent(project.lead)
    watched = bool(project.monitor) and model.body(project.monitor).monitors(project)
    fatality_factor = project.fatality_factor if watched else 1.0      # early warning, capacity permitting
    needed = delivered = 0.0
    sunk = False
    for k, m in enumerate(members):
        a = model.agent(m)
        if a.sector == "public":
            share = project.scopes[k] / project.scope if project.scope > 0 else 1.0 / len(members)
            need = staff / duration * share
        else:
            need = project.private_work[k]
        got = a.work(need) if need > 0 else 0.0
        pressure = 1.0 - got / need if need > 0 else 0.0
        needed += need
        if delivery.fails(project, k, a.reliability, pressure, duration, p):
            book.defaults[0] += 1
            project.defaulted.add(m)
            for other in members:
                if other != m:
                    model.trust_rule.let_down(net, other, m, t)
            if project.monitor:
                model.body(project.monitor).observe(project, m, False, t)
            if keyed(project.seed, FATAL, project.stage, project.month, k) < p.default_fatality * fatality_factor:
                sunk = True
                break
            if k > 0 and need > 0:
                delivered += lead.work(need)               # the lead covers what it can of the missing work
            continue
        delivered += got
    done = 0.0
    if not sunk:
        done = (delivered / needed if needed > 0 else 1.0) / duration
        done = min(done, 1.0 - project.progress)
        project.progress += done
        pay(model, project, project.grant * done)
    project.stalled = 0 if done > 0 else project.stalled + 1
    project.hazard += p.failure_hazard
    if sunk:
        fail(model, project, "default", t)
    elif project.progress >= 1.0 - 1e-9:
        complete(model, project, t)
    elif project.stalled >= p.stall_months:
        for m in members[1:]:                              # the lead could not staff it: its partners were let down
            model.trust_rule.let_down(net, m, project.lead, t)
        fail(model, project, "stalled", t)
    elif project.hazard >= project.fate:
        fail(model, project, "external", t)


def pay(model, project: Project, amount: float) -> None:
    programme = model.programmes.get(project.programme)
    if programme is not None and project.grant > 0:
        programme.spend(amount)
        project.spent += amount


def fail(model, project: Project, cause: str, t: int) -> None:
    model.projects.failures_by[cause] += 1
    programme = model.programmes.get(project.programme)
    if programme is not None:
        programme.release(project.grant - project.spent)
    model.move(project, State.FAILED, t)


def complete(model, project: Project, t: int) -> None:
    programme = model.programmes.get(project.programme)
    if programme is not None and project.grant > 0:
        programme.spend(project.grant - project.spent)
    project.spent = project.grant
    net, rule = model.network, model.trust_rule
    members = project.members
    for i, a in enumerate(members):                        # each saw who delivered
        for b in members[i + 1:]:
            if b not in project.defaulted:
                rule.delivered(net, a, b, t)
            if a not in project.defaulted:
                rule.delivered(net, b, a, t)
    if project.monitor:
        body = model.body(project.monitor)
        for m in members:
            if m not in project.defaulted:
                body.observe(project, m, True, t)
    if project.stage == 1:
        model.move(project, State.COMPLETED, t)
        follow_up(model, project, programme, t)        # the follow-up holds the claims and promises now
        return
    model.free_partners(project)
    learning = model.cfg.actors.learning_by_doing
    for i, chunk in zip(project.homes, project.chunks):
        if i >= 0:
            model.needs.use(i, project.theme, chunk)
            model.municipalities[i].learn(1.0, learning)
    model.move(project, State.COMPLETED, t)


def follow_up(model, concept: Project, programme, t: int) -> None:
    """After a concept: the true value is revealed (lognormal, ``reveal_sigma``); the implementation goes
    ahead only if the revealed value clears ``hurdle_ratio`` x cost and the lead still finds it worth it.
    Then it applies for implementation funding (stage 2). Drop-out between the stages comes from this
    decision, from staff, from the window and from the review and the budget."""
    from sim.submodels.applications import continuation

    follow = continuation(model, concept, "followup", t)
    follow.stage = 2
    follow.value_factor = concept.value_factor * math.exp(programme.cfg.reveal_sigma
                                                          * keyed_normal(concept.seed, OUTCOME, 2))
    model.update_economics(follow)
    go = follow.value >= programme.cfg.hurdle_ratio * follow.cost and model.consortium.worth_it(model, follow)[0]
    model.move(follow, State.CONSORTIUM if go else State.DROPPED, t)
