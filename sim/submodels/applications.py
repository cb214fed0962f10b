"""Applications: consortia write them, bodies may check them, programmes review and decide; a rejected
application may be revised and submitted again.

For each CONSORTIUM project (first in, first out): a project without a programme pays for itself and
starts at once. Otherwise the lead writes the application at up to ``application_pace`` staff-months a
month from its free staff until it has put in the application work (less with advice or a catalogue; a
revision costs ``revision_share`` of it). It submits once the work is done, its programme accepts
applications this month and every body's ``may_apply`` agrees (a routed programme waits for the service
organisation's check); the application's quality is then fixed (``CooperationModel.application_quality``)
and the programme draws its reviewed score. A consortium that could not start the work within
``search_months``, that could not submit it within ``search_months`` of finishing it (a closed window, a
check that did not come), or whose programme's period is over, is dropped.

Each programme decides when it decides (sim/funding.py). A rejected application is revised and
submitted again (a new project record, origin "resubmission", with the same members and claims) if it
has been submitted fewer than ``max_resubmissions`` + 1 times and the lead still finds it worth it; a
rejection for quality raises its quality by ``revision_gain``.
"""

from __future__ import annotations

import dataclasses

from sim.projects import Project, State


def write_applications(model, t: int) -> None:
    pace, limit = model.cfg.projects.application_pace, model.cfg.projects.search_months
    for project in model.projects.in_state(State.CONSORTIUM):
        programme = model.programmes.get(project.programme)
        if programme is None:
            model.move(project, State.IMPLEMENTATION, t)          # pays for itself
            continue
        lead = model.agent(project.lead)
        work = model.application_work(project)
        step = min(pace, work - project.prepared, max(lead.free, 0.0))
        if step > 0:
            lead.free -= step
            project.prepared += step
        done = project.prepared >= work - 1e-9
        if done and not project.ready:
            project.ready = t
        ready = done and programme.accepts(t) and all(b.may_apply(project, t) for b in model.bodies)
        if project.state != State.CONSORTIUM:
            continue                                                # a body's check has just stopped it
        if ready:
            project.quality = model.application_quality(project)
            model.move(project, State.APPLICATION, t)
            programme.submit(project)
        elif (project.prepared == 0 and t - project.entered[State.CONSORTIUM] >= limit) \
                or (project.ready and t - project.ready >= limit) or t > programme.cfg.period_end:
            model.move(project, State.DROPPED, t)      # never started, waited too long to submit, or window closed
    for programme in model.programmes.values():
        for project, approved, reason in programme.decide(t):
            if approved:
                model.move(project, State.APPROVED, t)
                model.move(project, State.IMPLEMENTATION, t)
            else:
                rejected(model, project, programme, reason, t)


def rejected(model, project: Project, programme, reason: str, t: int) -> None:
    again = (project.submission < programme.cfg.max_resubmissions and t < programme.cfg.period_end
             and model.consortium.worth_it(model, project)[0])
    if not again:
        model.move(project, State.REJECTED, t)
        return
    revised = continuation(model, project, "resubmission", t)
    revised.submission = project.submission + 1
    revised.stage = 2 if project.stage == 2 else 0
    revised.advisor = project.advisor
    if reason == "quality":
        revised.quality_gain += programme.cfg.revision_gain
    model.move(project, State.REJECTED, t)
    model.move(revised, State.CONSORTIUM, t)


def continuation(model, project: Project, origin: str, t: int) -> Project:
    """A new project record that carries on ``project`` (same idea, members, claims and luck): a follow-up
    after a concept (a new application: bodies advise it afresh), or a revised application (it keeps the
    advice and the lighter work it had). It starts as an IDEA; the caller moves it on."""
    project.continued = True
    works = list(project.private_work)
    model.free_partners(project)                       # the new record holds the partners' promises
    follow = dataclasses.replace(
        project, pid=len(model.projects), origin=origin, parent=project.pid, state=State.IDEA, entered={},
        members=list(project.members), scopes=list(project.scopes), chunks=list(project.chunks),
        homes=list(project.homes), commitment=list(project.commitment), private_work=works,
        defaulted=set(), asked=set(), prepared=0.0, request=0.0, grant=0.0, spent=0.0, progress=0.0, hazard=0.0,
        stalled=0, month=0, score=0.0, checks=0, cleared=False, continued=False, advisor=0.0, monitor="", ready=0,
        fatality_factor=1.0, created=project.created,
        application_factor=project.application_factor if origin == "resubmission" else 1.0)
    follow.entered[State.IDEA] = t
    for m, work in zip(follow.members, follow.private_work):
        if work:
            model.agent(m).committed += work
    model.add_project(follow, t)
    return follow
