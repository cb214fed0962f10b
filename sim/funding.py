"""Funding programmes: an annual budget, a co-financing share and an allocation rule.

Money is kept in four accounts, and every euro the programme ever received is in exactly one:

    inflow == available + committed + spent + lapsed

``available`` is this year's budget not yet granted; ``committed`` is granted but not yet paid
out; ``spent`` is paid out to implementations; ``lapsed`` is budget left at the end of a year
(no carry-over) or released by a failed project. Allocation rules decide which applications are
funded; they never grant more than is available.

>>> from sim.config import FundingConfig
>>> prog = Programme(FundingConfig(budget_per_head_year=1.0), population=1_000)
>>> prog.start_month(1); prog.available
1000.0
>>> prog.commit(600.0); prog.spend(200.0); prog.release(400.0)
>>> prog.start_month(13); (prog.inflow, prog.available, prog.committed, prog.spent, prog.lapsed)
(2000.0, 1000.0, 0.0, 200.0, 800.0)
"""

from __future__ import annotations

from scipy.special import ndtr

from sim.config import FundingConfig
from sim.projects import Project
from sim.registry import Registry

allocation_rules = Registry("allocation rule")


class Programme:
    """One funding programme with yearly budgets. Amounts in EUR."""

    def __init__(self, cfg: FundingConfig, population: float):
        self.cfg = cfg
        self.annual_budget = cfg.budget_per_head_year * population
        self.rule = allocation_rules.get(cfg.allocation)(cfg)
        self.inflow = self.available = self.committed = self.spent = self.lapsed = 0.0
        self.requested = self.approved = 0.0
        self.queue: list[Project] = []

    def start_month(self, step: int) -> None:
        """Month 1, 13, 25, ... opens a budget year; what was left of the last one lapses."""
        if (step - 1) % 12 == 0:
            self.lapsed += self.available
            self.available = self.annual_budget
            self.inflow += self.annual_budget

    def submit(self, project: Project) -> None:
        project.own_share = self.cfg.cofinancing_share * project.cost
        self.requested += project.grant_request
        self.queue.append(project)

    def decide(self, step: int) -> list[tuple[Project, bool]]:
        """Decide this month's applications, in the order they came in; returns (project, approved)."""
        queue, self.queue = self.queue, []
        decisions = self.rule.decide(queue, self, step)
        for project, approved in decisions:
            if approved:
                project.grant = project.grant_request
                self.commit(project.grant)
        return decisions

    def commit(self, amount: float) -> None:
        if amount > self.available + 1e-6:
            raise ValueError(f"granting {amount:.2f} EUR with only {self.available:.2f} EUR available")
        self.available -= amount
        self.committed += amount
        self.approved += amount

    def spend(self, amount: float) -> None:
        self.committed -= amount
        self.spent += amount

    def release(self, amount: float) -> None:
        """A failed project's unspent grant goes back, and lapses (no carry-over)."""
        self.committed -= amount
        self.lapsed += amount


@allocation_rules.register("threshold", competitive=False, uses_quality=True)
class ThresholdFirstCome:
    """Approve, in order of arrival, every application whose quality reaches the threshold while the
    budget lasts. Quality is the standard normal latent score mapped to [0, 1] (its normal CDF)."""

    def __init__(self, cfg: FundingConfig):
        self.threshold = cfg.approval_threshold

    def decide(self, queue: list[Project], programme: Programme, step: int) -> list[tuple[Project, bool]]:
        decisions = []
        budget = programme.available
        for project in queue:
            ok = ndtr(project.quality) >= self.threshold and project.grant_request <= budget
            if ok:
                budget -= project.grant_request
            decisions.append((project, bool(ok)))
        return decisions
