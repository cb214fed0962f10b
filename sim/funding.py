"""Funding programmes: themes, budgets, co-financing, noisy review, windows, calls, stages and allocation rules.

Money is kept in four accounts, and every euro a programme ever received is in exactly one:

    inflow == available + committed + spent + lapsed

``available`` is budget not yet granted; ``committed`` is granted but not yet paid out; ``spent`` is
paid out to implementations; ``lapsed`` is budget left at the end of a year (without carry-over) or
released by a failed project. Allocation rules decide which applications are funded; they never
grant more than is available.

Review: at submission an application gets a reviewed score, its quality plus normal noise of size
``review_noise`` drawn from the project's own key (so the same application meets the same reviewers in
every scenario); it is eligible if the score reaches ``approval_threshold``. A rejection is counted as
for quality (not eligible) or for budget (eligible, but the budget, the winners' cap or the formula
entitlement ran out).

>>> import pandas as pd
>>> from sim.config import ProgrammeConfig
>>> region = pd.DataFrame({"population": [600, 400]})
>>> prog = Programme("funding", ProgrammeConfig(budget_per_head_year=1.0), region, seed=0)
>>> prog.start_month(1); prog.available
1000.0
>>> prog.commit(600.0); prog.spend(200.0); prog.release(400.0)
>>> prog.start_month(13); (prog.inflow, prog.available, prog.committed, prog.spent, prog.lapsed)
(2000.0, 1000.0, 0.0, 200.0, 800.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from sim.config import THEMES, ProgrammeConfig
from sim.projects import Project
from sim.registry import Registry
from sim.rng import REVIEW, Streams, keyed_normal

allocation_rules = Registry("allocation rule")


class Programme:
    """One funding programme with yearly budgets. Amounts in EUR; ``key`` is its config key."""

    def __init__(self, key: str, cfg: ProgrammeConfig, region: pd.DataFrame, seed: int,
                 need: np.ndarray | None = None, root=None):
        self.key, self.cfg = key, cfg
        self.root = root                                  # the run's whole Config, for rules' own parameters
        self.population = region.population.to_numpy(dtype=float)
        self.themes = frozenset(THEMES.index(t) for t in (cfg.themes or THEMES))
        # initial need per municipality in the programme's themes (for a formula by need), each theme's
        # stock relative to its regional total so that hectares and service fields weigh alike
        need = np.ones((len(self.population), len(THEMES))) if need is None else need
        totals = need.sum(axis=0)
        self.need = sum((need[:, k] / totals[k] for k in self.themes if totals[k] > 0), np.zeros(len(self.population)))
        self.annual_budget = cfg.budget_per_head_year * float(self.population.sum())
        self.rng = Streams(seed)[f"funding:{key}"]        # only lotteries draw from it (other luck is keyed on the project)
        self.rule = allocation_rules.get(cfg.allocation)(self)
        self.inflow = self.available = self.committed = self.spent = self.lapsed = 0.0
        self.requested = self.approved = 0.0
        self.decided = self.approvals = self.rejected_quality = self.rejected_budget = 0
        self.submitted, self.quality_sum = 0, 0.0
        self.granted_to = np.zeros(len(self.population))       # approved EUR per lead municipality
        self.queue: list[Project] = []

    def funds(self, theme: int) -> bool:
        return theme in self.themes

    # -- calendar -----------------------------------------------------------------------------

    def accepts(self, step: int) -> bool:
        """Whether applications can be submitted this month (period and open months of the year)."""
        cfg = self.cfg
        month_of_year = (step - 1) % 12 + 1
        return cfg.period_start <= step <= cfg.period_end and (not cfg.open_months or month_of_year in cfg.open_months)

    def decides(self, step: int) -> bool:
        return step % self.cfg.call_interval_months == 0

    def start_month(self, step: int) -> None:
        """Month 1, 13, 25, ... opens a budget year; what was left lapses unless it carries over."""
        if (step - 1) % 12 == 0:
            if not self.cfg.carry_over:
                self.lapsed += self.available
                self.available = 0.0
            self.available += self.annual_budget
            self.inflow += self.annual_budget
            self.rule.new_year()

    # -- applications ---------------------------------------------------------------------------

    def grant_request(self, project: Project) -> float:
        share = self.cfg.concept_share if project.stage == 1 else 1.0
        return share * project.cost * (1.0 - self.cfg.cofinancing_share)

    def submit(self, project: Project) -> None:
        """Queue an application; its reviewed score is drawn now (quality plus the reviewers' noise)."""
        if self.cfg.two_stage and project.stage == 0:
            project.stage = 1                               # first a concept
        project.request = self.grant_request(project)
        project.score = project.quality + self.cfg.review_noise * keyed_normal(
            project.seed, REVIEW, project.stage, project.submission)
        self.requested += project.request
        self.submitted += 1
        self.quality_sum += project.quality
        self.queue.append(project)

    def quality(self, project: Project) -> float:
        """The reviewed score of a submitted application (standard deviations of quality)."""
        return project.score

    def eligible(self, project: Project) -> bool:
        return project.score >= self.cfg.approval_threshold

    def pass_share(self, project: Project) -> float:
        """Chance that the reviewers find this application eligible, given its quality (for reports)."""
        noise = self.cfg.review_noise
        gap = project.quality - self.cfg.approval_threshold
        return float(ndtr(gap / noise)) if noise > 0 else float(gap >= 0)

    def decide(self, step: int) -> list[tuple[Project, bool, str]]:
        """Decide the applications queued so far if this is a decision month; returns (project, approved,
        reason), the reason of a rejection being "quality" (not eligible) or "budget".

        Second-stage applications (implementation after a funded concept) are decided every month on
        eligibility and budget; the rule decides everything else."""
        decisions = []
        for p in [p for p in self.queue if p.stage == 2]:
            ok = self.eligible(p) and p.request <= self.available
            if ok:
                self.grant(p)
            decisions.append((p, ok))
        waiting = [p for p in self.queue if p.stage != 2]
        self.queue = []
        if waiting and not self.decides(step):
            self.queue = waiting
        elif waiting:
            for project, approved in checked_decisions(self.cfg.allocation, waiting, self.rule.decide(waiting, step)):
                if approved:
                    self.grant(project)
                decisions.append((project, approved))
        out = []
        for project, approved in decisions:
            reason = "" if approved else ("budget" if self.eligible(project) else "quality")
            self.decided += 1
            self.approvals += approved
            self.rejected_quality += reason == "quality"
            self.rejected_budget += reason == "budget"
            out.append((project, approved, reason))
        return out

    def grant(self, project: Project) -> None:
        project.grant = project.request
        self.commit(project.grant)
        self.granted_to[project.lead_index] += project.grant
        self.rule.granted(project)

    # -- money ----------------------------------------------------------------------------------

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
        """A failed project's unspent grant goes back; it lapses."""
        self.committed -= amount
        self.lapsed += amount


def checked_decisions(rule: str, waiting: list[Project], decisions) -> list[tuple[Project, bool]]:
    """An allocation rule's answer, checked: a (project, approved) pair for every waiting application,
    exactly once (an application left out would wait forever)."""
    from sim.errors import ContractError

    where = f"allocation rule '{rule}' broke its contract: decide(queue, step)"
    try:
        pairs = [(p, ok) for p, ok in decisions]
    except (TypeError, ValueError):
        raise ContractError(f"{where} must return a list of (project, approved) pairs, not {decisions!r:.80}") from None
    wanted = {id(p) for p in waiting}
    seen = [id(p) for p, _ in pairs]
    if sorted(seen) != sorted(wanted):
        missing, extra = len(wanted - set(seen)), len(seen) - len(set(seen)) + len(set(seen) - wanted)
        raise ContractError(f"{where} must answer each of the {len(waiting)} applications exactly once; it answered "
                            f"{len(pairs)} ({missing} left out, {extra} twice or not asked)")
    for p, ok in pairs:
        if not isinstance(ok, (bool, np.bool_)):
            raise ContractError(f"{where} must say True or False for each application, not {ok!r}")
    return [(p, bool(ok)) for p, ok in pairs]


# -- allocation rules -------------------------------------------------------------------------


class AllocationRule:
    """Base: decide a list of applications; may keep state per budget year. A rule with parameters declares
    them in a ``Params`` dataclass beside it (its config group, sim/components.py) and reads ``self.params``."""

    Params = None

    def __init__(self, programme: Programme):
        from sim.components import params_of

        self.programme = programme
        self.params = params_of(programme.root, type(self))

    def new_year(self) -> None:
        pass

    def granted(self, project: Project) -> None:
        pass

    def decide(self, queue: list[Project], step: int) -> list[tuple[Project, bool]]:
        raise NotImplementedError

    def _in_order(self, ordered: list[Project], cap: int = 0) -> dict[int, bool]:
        """Approve eligible applications in the given order while budget (and the winners cap) lasts."""
        prog, budget, approved, out = self.programme, self.programme.available, 0, {}
        for project in ordered:
            ok = prog.eligible(project) and project.request <= budget and (cap == 0 or approved < cap)
            if ok:
                budget -= project.request
                approved += 1
            out[project.pid] = ok
        return out


@allocation_rules.register("fcfs", competitive=False)
class FirstComeFirstServed(AllocationRule):
    """In order of arrival, approve every application whose quality reaches the threshold while the
    budget lasts (KRIS-like)."""

    def decide(self, queue, step):
        ok = self._in_order(queue, self.programme.cfg.winners_per_call)
        return [(p, ok[p.pid]) for p in queue]


@allocation_rules.register("competition", competitive=True)
class Competition(AllocationRule):
    """A call: rank the applications by quality, approve the best eligible ones within the budget and
    the number of winners (Prima.Klima.Ruhrmetropole; Ahrweiler et al. 2015)."""

    def decide(self, queue, step):
        ranked = sorted(queue, key=lambda p: -self.programme.quality(p))
        ok = self._in_order(ranked, self.programme.cfg.winners_per_call)
        return [(p, ok[p.pid]) for p in queue]


@allocation_rules.register("lottery", competitive=False, stochastic=True)
class Lottery(AllocationRule):
    """Eligible applications are approved in random order while the budget lasts."""

    def decide(self, queue, step):
        order = self.programme.rng.permutation(len(queue))
        ok = self._in_order([queue[i] for i in order], self.programme.cfg.winners_per_call)
        return [(p, ok[p.pid]) for p in queue]


@allocation_rules.register("formula", competitive=False)
class Formula(AllocationRule):
    """Each municipality is entitled to a share of each year's budget (by population, by its initial need
    in the programme's themes, or equal shares); unused entitlement accumulates, so a small town can save up for a project (use it with
    ``carry_over``, or the savings lapse with the budget). An eligible application is approved while
    its lead's entitlement and the budget last."""

    def __init__(self, programme: Programme):
        super().__init__(programme)
        pop, basis = programme.population, programme.cfg.formula_basis
        if basis == "population":
            shares = pop / pop.sum()
        elif basis == "need" and programme.need.sum() > 0:
            shares = programme.need / programme.need.sum()
        else:
            shares = np.full(len(pop), 1 / len(pop))
        self.shares = shares
        self.entitled = np.zeros(len(pop))

    def new_year(self) -> None:
        self.entitled += self.shares * self.programme.annual_budget

    def granted(self, project: Project) -> None:
        self.entitled[project.lead_index] -= project.grant

    def decide(self, queue, step):
        prog, budget, out = self.programme, self.programme.available, []
        left = self.entitled.copy()
        for project in queue:
            i = project.lead_index
            ok = prog.eligible(project) and project.request <= min(left[i], budget)
            if ok:
                left[i] -= project.request
                budget -= project.request
            out.append((project, bool(ok)))
        return out
