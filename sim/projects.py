"""Projects as an explicit state machine, and the book that holds them.

States are numbered so that every allowed transition moves to a higher number: a project's state
can only move forward. ``DROPPED`` ends an idea that found no partners, or a consortium that never
found the staff to write its application.

    IDEA -> PARTNER_SEARCH -> CONSORTIUM -> APPLICATION -> APPROVED -> IMPLEMENTATION -> COMPLETED
      \\___________________/^      |   \\            \\-> REJECTED          ^             \\-> FAILED
         (no partners needed)     |    \\_____________________________/ (self-funded, e.g. broker matches)
                                  \\-> DROPPED (also from PARTNER_SEARCH)

>>> p = Project(pid=0, lead=1, created=1, needs=(), cost=1.0, gain=2.0, staff_months=1.0,
...             duration=12.0, quality=0.0, fate=1.0)
>>> book = ProjectBook(); book.add(p)
>>> book.move(p, State.CONSORTIUM, step=2)
>>> book.move(p, State.PARTNER_SEARCH, step=3)
Traceback (most recent call last):
...
ValueError: project 0: CONSORTIUM -> PARTNER_SEARCH is not an allowed transition
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class State(IntEnum):
    IDEA = 0
    PARTNER_SEARCH = 1
    CONSORTIUM = 2
    APPLICATION = 3
    REJECTED = 4
    APPROVED = 5
    IMPLEMENTATION = 6
    COMPLETED = 7
    FAILED = 8
    DROPPED = 9


TRANSITIONS: dict[State, frozenset[State]] = {
    State.IDEA: frozenset({State.PARTNER_SEARCH, State.CONSORTIUM, State.DROPPED}),
    State.PARTNER_SEARCH: frozenset({State.CONSORTIUM, State.DROPPED}),
    State.CONSORTIUM: frozenset({State.APPLICATION, State.IMPLEMENTATION, State.DROPPED}),
    State.APPLICATION: frozenset({State.APPROVED, State.REJECTED}),
    State.APPROVED: frozenset({State.IMPLEMENTATION}),
    State.IMPLEMENTATION: frozenset({State.COMPLETED, State.FAILED}),
}
TERMINAL = frozenset({State.REJECTED, State.COMPLETED, State.FAILED, State.DROPPED})
assert all(new > old for old, news in TRANSITIONS.items() for new in news)  # forward only, by construction


@dataclass(eq=False, slots=True)
class Project:
    """One project. ``members`` starts with the lead; ``needs`` lists the sectors ("public", or
    "private" for a company or NGO) of the partners the idea needs.

    The ``*_factor`` and ``quality_bonus`` fields are how coordinating bodies act on a project: they
    start neutral and bodies change them when they serve it (see ``sim/bodies``). The fields are fixed
    (``slots``: a few hundred projects are read and written every month, and slots make that and
    creating them cheaper); a body keeps state of its own per project in a dict keyed by ``pid``, as
    the tutorial's savings bank does."""

    pid: int
    lead: int                      # agent id of the lead (a municipality; an NGO for broker matches)
    created: int                   # month of the idea
    needs: tuple[str, ...]         # sectors of the partners the idea needs
    cost: float                    # EUR
    gain: float                    # joint gain, EUR-equivalent
    staff_months: float            # administrative work to implement it
    duration: float                # months at full staffing
    quality: float                 # latent application quality, standard normal
    fate: float                    # Exp(1) draw: the project fails once its cumulative hazard exceeds it
    lead_index: int = -1           # row of the lead's municipality in the region table
    programme: str = "funding"     # config key of the programme it applies to ("" = self-funded)
    origin: str = "idea"           # idea, knowledge, event, broker, followup
    stage: int = 0                 # 0 single stage; 1 concept; 2 implementation after a concept
    parent: int = -1               # pid of the concept a stage-2 project follows
    members: list[int] = field(default_factory=list)
    asked: set[int] = field(default_factory=set)
    state: State = State.IDEA
    entered: dict[State, int] = field(default_factory=dict)
    cofinancing_share: float = 0.0  # share of the cost the members pay (their programme's; 1 if self-funded)
    prepared: float = 0.0          # staff-months of application work done so far
    request: float = 0.0           # grant asked for, EUR
    grant: float = 0.0             # approved funding, EUR
    spent: float = 0.0             # funding paid out so far, EUR
    progress: float = 0.0          # share of the work done, 0..1
    hazard: float = 0.0            # cumulative failure hazard so far
    stalled: int = 0               # consecutive months without progress
    min_trust: float = 1.0         # lowest trust of the lead in a partner, each taken when that partner joined
    info_factor: float = 1.0       # multiplies information costs
    negotiation_factor: float = 1.0
    agency_factor: float = 1.0
    application_factor: float = 1.0  # multiplies the staff time to write the application
    quality_bonus: float = 0.0     # added to the latent quality
    hazard_factor: float = 1.0     # multiplies the failure hazard
    reach: bool = False            # partner search may use the service organisation's network
    cleared: bool = False          # passed a required eligibility check

    def __post_init__(self):
        if not self.members:
            self.members = [self.lead]
        self.entered.setdefault(State.IDEA, self.created)

    @property
    def kind(self) -> str:
        if not self.needs:
            return "solo"
        return "cross_sector" if "private" in self.needs else "inter_municipal"



class ProjectBook:
    """All projects, grouped by state; the only code that changes a project's state."""

    def __init__(self):
        self.all: list[Project] = []
        self.by_state: dict[State, dict[int, Project]] = {s: {} for s in State}
        self.reached = [0] * len(State)            # funded-pipeline projects that ever entered each state
        self.reached_self_funded = [0] * len(State)  # the same for self-funded ones (broker matches)
        self.consortia = {"inter_municipal": 0, "cross_sector": 0}   # funded-pipeline consortia, by kind
        self.company_ngo = 0                       # consortia of a company and an NGO (no municipality)
        self.completed_by: dict[int, int] = {}     # agent id -> projects it completed as a member
        self.lead_time_sum = {State.APPROVED: 0, State.COMPLETED: 0}   # months from idea, summed
        self.lead_time_n = {State.APPROVED: 0, State.COMPLETED: 0}     # ... over this many projects
        self.stage_reached: dict[tuple[int, State], int] = {}  # (stage, state) -> projects that entered it

    def add(self, project: Project) -> None:
        self.all.append(project)
        self.by_state[State.IDEA][project.pid] = project
        self._reached(project)[State.IDEA] += 1

    def move(self, project: Project, new: State, step: int) -> None:
        if new not in TRANSITIONS.get(project.state, ()):
            raise ValueError(f"project {project.pid}: {project.state.name} -> {new.name} is not an allowed transition")
        del self.by_state[project.state][project.pid]
        self.by_state[new][project.pid] = project
        project.state = new
        project.entered[new] = step
        self._reached(project)[new] += 1
        if project.stage:
            key = (project.stage, new)
            self.stage_reached[key] = self.stage_reached.get(key, 0) + 1
        if new in self.lead_time_n and project.programme:
            self.lead_time_sum[new] += step - project.created
            self.lead_time_n[new] += 1
        if new == State.COMPLETED:
            for m in project.members:
                self.completed_by[m] = self.completed_by.get(m, 0) + 1
        if new == State.CONSORTIUM and project.needs:
            if project.origin == "broker":
                self.company_ngo += 1
            elif project.origin != "followup":
                self.consortia[project.kind] += 1

    def lead_time(self, state: State) -> float:
        """Mean months from idea to ``state`` (APPROVED or COMPLETED) of funded projects; NaN before any."""
        n = self.lead_time_n[state]
        return self.lead_time_sum[state] / n if n else float("nan")

    def _reached(self, project: Project) -> list[int]:
        return self.reached if project.programme else self.reached_self_funded

    def in_state(self, state: State) -> list[Project]:
        """A snapshot (safe to move projects while iterating), in the order they entered the state."""
        return list(self.by_state[state].values())

    def count(self, state: State) -> int:
        return len(self.by_state[state])

    def __len__(self) -> int:
        return len(self.all)
