"""What every coordinating body has: a node in the graph, its own parameters, stream and cost, and hooks.

A body is a Mesa agent in the ``coordination`` sector. The model calls its hooks at fixed points
of the month (see ``CooperationModel.step``):

- ``setup()``: once, after all actors exist (ties to members, say);
- ``start_month(t)``: staff time is renewed, queued requests are served, periodic events happen;
- ``on_enter(project, state, t)``: a project has just entered ``state`` (a body may file a request);
- ``may_apply(project, t)``: may this project write its application now? (an eligibility check);
- ``end_month(t)``: after this month's ideas; knowledge transfer, entry reviews;
- ``coordinates(project)`` / ``monitors(project)``: does it coordinate (monitor) this project this month,
  capacity permitting? (for a body named in ``project.hub`` / ``project.monitor``);
- ``observe(project, member, delivered, t)``: a monitored member delivered, or failed to;
- ``take(project, t)``: an NGO's request: does the body take it on? (the broker group).

Every effect a body has comes from a named mechanism with its own switch in the body's config group
(``mechanisms``, e.g. ``service_organisation.advice``), so that ``python -m sim.explain`` can attribute a
scenario's effect to them. A body acts on projects only through their documented fields
(``info_factor``, ``advisor``, ``hub``, ...); it draws random numbers only from its own stream, so
switching it on leaves every other draw as it was. A body with no capacity, or with every mechanism
switched off, is inactive: no ties, no requests, no draws, no cost, so a run equals the baseline.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from sim.agents.base import Actor
from sim.projects import Project, State
from sim.registry import Registry

bodies = Registry("coordinating body")


@dataclass
class Request:
    kind: str
    project: Project | None
    arrived: int
    staff_months: float
    owner: int = -1                # agent id of who asked, when there is no project yet
    done: float = 0.0              # staff-months of work on it so far
    item: object = None            # what was asked for, when it is not a project (an NGO's request)


class ServiceQueue:
    """First come, first served within each priority (lower first; kinds not in ``priority`` come last):
    each month ``capacity`` staff-months work on the oldest requests of the most urgent kind; a request is
    served the month it arrives if staff is free, waits otherwise, and a request bigger than what is left
    this month is worked on now and finished in a later month.

    Counts requests received and served, waiting months, staff time used and offered; metrics read these.
    """

    def __init__(self, capacity: float, priority: dict[str, int] | None = None):
        self.capacity = capacity
        self.priority = priority or {}
        self.waiting: deque[Request] = deque()
        self.received = self.served = 0
        self.wait_total = 0.0
        self.used_total = self.offered_total = 0.0
        self.left = 0.0

    def use(self, staff_months: float) -> bool:
        """Standing work (overheads, coordination, monitoring) before any request: True if it fits."""
        if staff_months > self.left + 1e-12:
            return False
        self.left -= staff_months
        self.used_total += staff_months
        return True

    @property
    def used_now(self) -> float:
        return self.capacity - self.left

    def new_month(self) -> None:
        self.left = self.capacity
        self.offered_total += self.capacity

    def add(self, request: Request) -> None:
        self.received += 1
        self.waiting.append(request)

    def serve(self, step: int, still_needed, below: int | None = None) -> list[Request]:
        """Serve the most urgent, then oldest, requests the staff time left this month allows (with ``below``,
        only those of a priority below it); requests no longer needed (``still_needed(request)`` is false)
        leave the queue at no cost."""
        last = len(self.priority)
        if self.priority and len(self.waiting) > 1:
            self.waiting = deque(sorted(self.waiting, key=lambda r: self.priority.get(r.kind, last)))  # stable
        done = []
        while self.waiting:
            req = self.waiting[0]
            if below is not None and self.priority.get(req.kind, last) >= below:
                break
            if not still_needed(req):
                self.waiting.popleft()
                continue
            work = min(req.staff_months - req.done, self.left)
            req.done += work
            self.left -= work
            self.used_total += work
            if req.done < req.staff_months - 1e-12:
                break                                   # staff time is used up for this month
            self.waiting.popleft()
            self.served += 1
            self.wait_total += step - req.arrived
            done.append(req)
        return done

    def metrics(self, prefix: str) -> dict[str, float]:
        return {f"{prefix}_requests": float(self.received), f"{prefix}_served": float(self.served),
                f"{prefix}_queue": float(len(self.waiting)),
                f"{prefix}_wait_months": self.wait_total / self.served if self.served else float("nan"),
                f"{prefix}_utilisation": self.used_total / self.offered_total if self.offered_total else float("nan")}


class Body(Actor):
    """Base class of coordinating bodies; subclasses set ``config_key`` and ``mechanisms`` (the names of
    their switches, boolean fields of their parameters) and override hooks."""

    sector = "coordination"
    config_key: str = ""
    mechanisms: tuple[str, ...] = ()
    Params = None            # a new body's parameters: a dataclass beside it, made its config group (sim/components.py)

    def __init__(self, model):
        from sim.components import params_of

        super().__init__(model)
        # parameters: its config group (``config_key``, by default its registered name); a body outside
        # sim/config.py declares them in ``Params`` and sim.components makes that dataclass the group
        self.params = params_of(model.cfg, type(self))
        if self.params is None:
            from sim.errors import UserError
            raise UserError(f"coordinating body '{self.key}' has no parameters: declare a Params dataclass beside "
                            f"it (its mechanism switches and capacity), or a config group '{self.config_key}'")
        self.stream: np.random.Generator = model.streams[self.config_key or self.key]
        self.cost_eur = 0.0

    # -- to override ----------------------------------------------------------------------------

    @property
    def has_capacity(self) -> bool:
        """Whether it has staff, budget or whatever its capacity is (subclasses say)."""
        return True

    @property
    def active(self) -> bool:
        return self.has_capacity and (not self.mechanisms or any(getattr(self.params, m) for m in self.mechanisms))

    def uses(self, mechanism: str) -> bool:
        """Is this mechanism at work (the body active and the mechanism switched on)?"""
        return self.active and bool(getattr(self.params, mechanism))

    def monthly_cost(self) -> float:
        """EUR this body costs per month (staff at the model's wage, events, ...)."""
        return 0.0

    def setup(self) -> None:
        pass

    def start_month(self, t: int) -> None:
        pass

    def on_enter(self, project: Project, state: State, t: int) -> None:
        pass

    def may_apply(self, project: Project, t: int) -> bool:
        return True

    def end_month(self, t: int) -> None:
        pass

    def on_join(self, municipality) -> None:
        """A municipality has just joined the initiative."""

    def coordinates(self, project: Project) -> bool:
        return False

    def monitors(self, project: Project) -> bool:
        return False

    def observe(self, project: Project, member: int, delivered: bool, t: int) -> None:
        pass

    def take(self, project: Project, t: int) -> bool:
        return False

    def metrics(self) -> dict[str, float]:
        return {f"{self.key}_cost_eur": self.cost_eur}

    # -- helpers ----------------------------------------------------------------------------------

    @property
    def wage(self) -> float:
        return self.model.cfg.projects.wage_eur_per_staff_month

    def members(self) -> list:
        return [m for m in self.model.municipalities if m.member]

    def is_member_project(self, project: Project) -> bool:
        m = self.model.agent(project.lead)
        return getattr(m, "member", False)

    def meet(self, participants: list[int], evidence: float, t: int) -> None:
        """Everyone meets everyone face to face: each gains positive evidence about each other (ties are made
        where none existed)."""
        for i, u in enumerate(participants):
            for v in participants[i + 1:]:
                self.model.network.meet(u, v, t, evidence)

    def member_ids(self) -> list[int]:
        return [m.unique_id for m in self.members()]
