"""Projects as an explicit state machine, and the book that holds them.

States are numbered so that every allowed transition moves to a higher number: a project's state
can only move forward. ``DROPPED`` ends an idea that found no partners, or a consortium that never
found the staff to write its application.

    IDEA -> PARTNER_SEARCH -> CONSORTIUM -> APPLICATION -> APPROVED -> IMPLEMENTATION -> COMPLETED
      \\___________________/^      |              \\-> REJECTED                          \\-> FAILED
         (no partners needed)     \\-> DROPPED (also from PARTNER_SEARCH)

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
    State.IDEA: frozenset({State.PARTNER_SEARCH, State.CONSORTIUM}),
    State.PARTNER_SEARCH: frozenset({State.CONSORTIUM, State.DROPPED}),
    State.CONSORTIUM: frozenset({State.APPLICATION, State.DROPPED}),
    State.APPLICATION: frozenset({State.APPROVED, State.REJECTED}),
    State.APPROVED: frozenset({State.IMPLEMENTATION}),
    State.IMPLEMENTATION: frozenset({State.COMPLETED, State.FAILED}),
}
TERMINAL = frozenset({State.REJECTED, State.COMPLETED, State.FAILED, State.DROPPED})
assert all(new > old for old, news in TRANSITIONS.items() for new in news)  # forward only, by construction


@dataclass(eq=False)
class Project:
    """One project. ``members`` starts with the lead municipality; ``needs`` lists the sectors
    ("public", or "private" for a company or NGO) of the partners still to be found."""

    pid: int
    lead: int                      # agent id of the lead municipality
    created: int                   # month of the idea
    needs: tuple[str, ...]         # sectors of the partners the idea needs
    cost: float                    # EUR
    gain: float                    # joint gain, EUR-equivalent
    staff_months: float            # administrative work to implement it
    duration: float                # months at full staffing
    quality: float                 # latent application quality, standard normal
    fate: float                    # Exp(1) draw: the project fails once its cumulative hazard exceeds it
    members: list[int] = field(default_factory=list)
    asked: set[int] = field(default_factory=set)
    state: State = State.IDEA
    entered: dict[State, int] = field(default_factory=dict)
    grant: float = 0.0             # approved funding, EUR
    spent: float = 0.0             # funding paid out so far, EUR
    progress: float = 0.0          # share of the work done, 0..1
    hazard: float = 0.0            # cumulative failure hazard so far
    stalled: int = 0               # consecutive months without progress
    min_trust: float = 1.0         # lowest trust of the lead in a partner, each taken when that partner joined

    def __post_init__(self):
        if not self.members:
            self.members = [self.lead]
        self.entered.setdefault(State.IDEA, self.created)

    @property
    def kind(self) -> str:
        if not self.needs:
            return "solo"
        return "cross_sector" if "private" in self.needs else "inter_municipal"

    @property
    def grant_request(self) -> float:
        return self.cost - self.own_share

    own_share: float = 0.0         # EUR the members pay themselves (set when the application is written)


class ProjectBook:
    """All projects, grouped by state; the only code that changes a project's state."""

    def __init__(self):
        self.all: list[Project] = []
        self.by_state: dict[State, dict[int, Project]] = {s: {} for s in State}
        self.reached = [0] * len(State)            # how many projects ever entered each state
        self.consortia = {"inter_municipal": 0, "cross_sector": 0}   # partnered consortia formed, by kind
        self.lead_times: dict[State, list[int]] = {State.APPROVED: [], State.COMPLETED: []}

    def add(self, project: Project) -> None:
        self.all.append(project)
        self.by_state[State.IDEA][project.pid] = project
        self.reached[State.IDEA] += 1

    def move(self, project: Project, new: State, step: int) -> None:
        if new not in TRANSITIONS.get(project.state, ()):
            raise ValueError(f"project {project.pid}: {project.state.name} -> {new.name} is not an allowed transition")
        del self.by_state[project.state][project.pid]
        self.by_state[new][project.pid] = project
        project.state = new
        project.entered[new] = step
        self.reached[new] += 1
        if new in self.lead_times:
            self.lead_times[new].append(step - project.created)
        if new == State.CONSORTIUM and project.needs:
            self.consortia[project.kind] += 1

    def in_state(self, state: State) -> list[Project]:
        """A snapshot (safe to move projects while iterating), in the order they entered the state."""
        return list(self.by_state[state].values())

    def count(self, state: State) -> int:
        return len(self.by_state[state])

    def __len__(self) -> int:
        return len(self.all)
