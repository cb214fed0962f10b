"""Projects as an explicit state machine, and the book that holds them.

States are numbered so that every allowed transition moves to a higher number: a project's state
can only move forward. ``DROPPED`` ends an idea that found no partners, or a consortium that never
found the staff to write its application.

    IDEA -> PARTNER_SEARCH -> CONSORTIUM -> APPLICATION -> APPROVED -> IMPLEMENTATION -> COMPLETED
      \\___________________/^      |   \\            \\-> REJECTED          ^             \\-> FAILED
         (no partners needed)     |    \\_____________________________/ (self-funded, e.g. broker matches)
                                  \\-> DROPPED (also from PARTNER_SEARCH)

>>> p = Project(pid=0, lead=1, created=1)
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
    """One project on one theme of need. ``members`` starts with the lead; ``scopes`` and ``chunks`` are
    aligned with it: what each municipal member adds to the project's scope and the need it has claimed
    (0 for companies and NGOs, which add capabilities instead; see sim/needs.py ``Theme``).

    The ``*_factor``, ``advisor``, ``hub``, ``monitor`` and ``reach`` fields are how coordinating bodies act
    on a project: they start neutral and bodies change them when they serve it (see ``sim/bodies``). A
    body keeps state of its own per project in a dict keyed by ``pid``, as the tutorial's savings bank
    does. ``seed`` keys the project's own random draws (``sim.rng.keyed``), so that the same idea meets
    the same luck in every scenario (common random numbers)."""

    pid: int
    lead: int                      # agent id of the lead (a municipality; an NGO for its requests)
    created: int                   # month of the idea
    theme: int = 0                 # index into sim.config.THEMES
    lead_index: int = -1           # row of the lead's municipality in the region table
    programme: str = "funding"     # config key of the programme it applies to ("" = pays for itself)
    origin: str = "idea"           # idea, followup, resubmission, request
    stage: int = 0                 # 0 single stage; 1 concept; 2 implementation after a concept
    parent: int = -1               # pid of the project this one continues (concept, rejected application)
    seed: int = 0                  # key of the project's own random draws
    fate: float = 1.0              # Exp(1) draw: fails once its cumulative external hazard exceeds it
    quality_z: float = 0.0         # the idea's own part of application quality, standard normal
    concreteness: float = 1.0      # an NGO's request: the chance that help lands (uniform in [0, 1])
    cost_factor: float = 1.0       # lognormal factors of the idea (sim/model.py)
    value_factor: float = 1.0
    depletion: float = 1.0         # cost factor of the depleted need (sim/needs.py)
    duration: float = 12.0         # months at full staffing
    members: list[int] = field(default_factory=list)
    scopes: list[float] = field(default_factory=list)     # scope each member adds (0 for companies and NGOs)
    chunks: list[float] = field(default_factory=list)     # need each member claimed
    homes: list[int] = field(default_factory=list)        # municipality index of each member (-1 otherwise)
    commitment: list[float] = field(default_factory=list)  # each member's margin when it joined, in [0, 1]
    private_work: list[float] = field(default_factory=list)  # monthly work a company or NGO member promised
    embedded: list[float] = field(default_factory=list)  # each member's embeddedness when the consortium formed
    companies: int = 0
    ngos: int = 0
    scope: float = 0.0             # sum of the members' scopes
    cost: float = 0.0              # EUR, from scope and factors
    value: float = 0.0             # EUR-equivalent joint value
    staff_months: float = 0.0      # work to implement it, shared by municipal members by scope
    survival: float = 1.0          # the lead's expected share of the value left after its partners' risks
    defaulted: set[int] = field(default_factory=set)      # members who failed to deliver
    asked: set[int] = field(default_factory=set)
    state: State = State.IDEA
    entered: dict[State, int] = field(default_factory=dict)
    cofinancing_share: float = 1.0  # share of the cost the members pay (their programme's; 1 if self-funded)
    prepared: float = 0.0          # staff-months of application work done so far
    ready: int = 0                 # month the application work was first done (0: not yet)
    quality: float = 0.0           # application quality at submission (quality_z + knowledge + revisions)
    quality_gain: float = 0.0      # from revisions
    score: float = 0.0             # the reviewers' score of the submitted application
    submission: int = 0            # 0 for a first application, 1 after one rejection, ...
    checks: int = 0                # pre-checks by the service organisation so far
    request: float = 0.0           # grant asked for, EUR
    grant: float = 0.0             # approved funding, EUR
    spent: float = 0.0             # funding paid out so far, EUR
    progress: float = 0.0          # share of the work done, 0..1
    hazard: float = 0.0            # cumulative external failure hazard so far
    stalled: int = 0               # consecutive months without progress
    month: int = 0                 # months of implementation so far
    info_factor: float = 1.0       # multiplies the lead's cost of approaching a candidate
    negotiation_factor: float = 1.0
    application_factor: float = 1.0  # multiplies the staff time to write the application
    advisor: float = 0.0           # expertise of whoever advised the application (0: nobody)
    hub: str = ""                  # config key of the body that coordinates the consortium ("" = pairwise)
    monitor: str = ""              # config key of the body that monitors the implementation
    fatality_factor: float = 1.0   # multiplies the share of failures to deliver that sink it
    reach: bool = False            # partner search may use the service organisation's network
    cleared: bool = False          # passed a required pre-check
    continued: bool = False        # a follow-up or resubmission took over its claims and members
    watch: tuple | None = None     # (failures to deliver so far, members' monthly monitoring time)

    def __post_init__(self):
        if not self.members:
            self.members = [self.lead]
        self.entered.setdefault(State.IDEA, self.created)

    @property
    def kind(self) -> str:
        """solo, inter_municipal (partners are municipalities only), cross_sector (with a company or NGO),
        or company_ngo (a request of an NGO met by a company, no municipality)."""
        if len(self.members) == 1:
            return "solo"
        if self.origin == "request":
            return "company_ngo"
        return "cross_sector" if self.companies or self.ngos else "inter_municipal"


SIZE_BINS = 5                      # consortium sizes 1, 2, 3, 4 and 5 or more


class ProjectBook:
    """All projects, grouped by state; the only code that changes a project's state, and the tallies
    the metrics read. Municipalities' projects (the pipeline, funded or paying for themselves) and NGOs'
    requests met by companies (``origin`` "request") are counted apart."""

    def __init__(self, n_themes: int = 4):
        self.all: list[Project] = []
        self.by_state: dict[State, dict[int, Project]] = {s: {} for s in State}
        self.reached = [0] * len(State)            # municipal projects that ever entered each state
        self.reached_funded = [0] * len(State)     # ... of them, with a programme
        self.reached_requests = [0] * len(State)   # NGOs' requests taken on by a company, by state
        self.requests = 0                          # NGOs' requests made (sim/submodels/requests.py)
        self.ideas = 0                             # new ideas (not follow-ups or resubmissions)
        self.ideas_by_theme = [0] * n_themes
        self.completed_by_theme = [0] * n_themes
        self.sizes = [0] * SIZE_BINS               # consortia formed from new ideas, by size 1..5+
        self.consortia = {"inter_municipal": 0, "cross_sector": 0, "company_ngo": 0}
        self.partnerships = [0, 0, 0]              # partners joining: all, closing a triangle, repeating
        self.weighed = [0, 0, 0]                   # candidates worth asking: all, known (either), joined known
        self.cooperating: list[set[int]] = [set() for _ in range(n_themes)]   # per theme: municipalities (index)
        #   that took part in a consortium with another municipality
        self.defaults = [0, 0]                     # failures to deliver (sim/delivery.py): municipal, requests
        self.failures_by = {"default": 0, "stalled": 0, "external": 0}   # why municipal projects failed
        self.completed_by: dict[int, int] = {}     # agent id -> projects it completed as a member
        self.lead_time_sum = {State.APPROVED: 0, State.COMPLETED: 0}   # months from idea, summed
        self.lead_time_n = {State.APPROVED: 0, State.COMPLETED: 0}     # ... over this many funded projects
        self.stage_reached: dict[tuple[int, State], int] = {}  # (stage, state) -> projects that entered it
        self.resubmissions = 0                     # revised applications (origin "resubmission") added
        self.formed = [0, 0]                       # new ideas that formed a consortium: count, their members

    def add(self, project: Project) -> None:
        self.all.append(project)
        self.by_state[State.IDEA][project.pid] = project
        self._count(project, State.IDEA)
        if project.origin == "idea":
            self.ideas += 1
            self.ideas_by_theme[project.theme] += 1
        elif project.origin == "resubmission":
            self.resubmissions += 1

    def move(self, project: Project, new: State, step: int) -> None:
        if new not in TRANSITIONS.get(project.state, ()):
            raise ValueError(f"project {project.pid}: {project.state.name} -> {new.name} is not an allowed transition")
        del self.by_state[project.state][project.pid]
        self.by_state[new][project.pid] = project
        project.state = new
        first = new not in project.entered
        project.entered[new] = step
        self._count(project, new)
        if project.stage:
            key = (project.stage, new)
            self.stage_reached[key] = self.stage_reached.get(key, 0) + 1
        if new in self.lead_time_n and project.programme:
            self.lead_time_sum[new] += step - project.created
            self.lead_time_n[new] += 1
        if new == State.COMPLETED:
            for m in project.members:
                self.completed_by[m] = self.completed_by.get(m, 0) + 1
            if project.origin != "request":
                self.completed_by_theme[project.theme] += 1
        if new == State.CONSORTIUM and project.origin != "request":
            towns = [h for h in project.homes if h >= 0]
            if len(towns) > 1:
                self.cooperating[project.theme].update(towns)
        if new == State.CONSORTIUM and project.origin in ("idea", "request"):
            if project.origin == "idea":
                self.sizes[min(len(project.members), SIZE_BINS) - 1] += 1
                if first:                          # (members join only while the partner search lasts)
                    self.formed[0] += 1
                    self.formed[1] += len(project.members)
            if len(project.members) > 1:
                self.consortia[project.kind] += 1

    def partner_joined(self, closes_triangle: bool, repeats: bool) -> None:
        """A partner joined a consortium: did the pair share a partner already, had they worked together?"""
        self.partnerships[0] += 1
        self.partnerships[1] += closes_triangle
        self.partnerships[2] += repeats
        self.weighed[2] += closes_triangle or repeats

    def candidates_weighed(self, known: int, total: int) -> None:
        """A lead weighed ``total`` candidates worth asking, ``known`` of them from earlier projects."""
        self.weighed[0] += total
        self.weighed[1] += known

    def _count(self, project: Project, state: State) -> None:
        if project.origin == "request":
            self.reached_requests[state] += 1
        else:
            self.reached[state] += 1
            if project.programme:
                self.reached_funded[state] += 1

    def lead_time(self, state: State) -> float:
        """Mean months from idea to ``state`` (APPROVED or COMPLETED) of funded projects; NaN before any."""
        n = self.lead_time_n[state]
        return self.lead_time_sum[state] / n if n else float("nan")

    def in_state(self, state: State) -> list[Project]:
        """A snapshot (safe to move projects while iterating), in the order they entered the state."""
        return list(self.by_state[state].values())

    def count(self, state: State) -> int:
        return len(self.by_state[state])

    def __len__(self) -> int:
        return len(self.all)
