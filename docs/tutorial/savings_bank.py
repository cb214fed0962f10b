# file: sim/bodies/savings_bank.py
"""The regional savings bank co-finances member towns' projects (LebensWert, seed 004)."""

from dataclasses import dataclass

from sim.bodies.base import Body, bodies
from sim.config import param
from sim.projects import State


@dataclass
class SavingsBankParams:
    budget_eur_per_year: float = param(100_000.0, unit="EUR per year", low=0, high=1e9, source="assumption",
                                       help="what the bank can pledge each year")
    share: float = param(0.5, low=0, high=1, source="assumption",
                         help="share of the applicants' own contribution the bank pays")


@bodies.register("savings_bank", capacity="budget", serves="members")
class SavingsBank(Body):
    """Pledges ``share`` of a member town's own contribution to a new project idea while this year's
    budget lasts, which makes joining the project more worthwhile; it pays when the project is
    implemented and takes the pledge back if the project is dropped or rejected for good (a revised
    application keeps it)."""

    config_key = "savings_bank"
    Params = SavingsBankParams

    def __init__(self, model):
        super().__init__(model)
        self.left, self.pledged = 0.0, {}

    @property
    def active(self) -> bool:
        return self.params.budget_eur_per_year > 0

    def start_month(self, t):
        if self.active and (t - 1) % 12 == 0:
            self.left = self.params.budget_eur_per_year

    def on_enter(self, project, state, t):
        if not self.active or not project.programme:
            return
        if state == State.IDEA and project.parent in self.pledged:     # a revised application: the pledge moves on
            self.pledged[project.pid] = self.pledged.pop(project.parent)
        elif state == State.IDEA and project.origin == "idea" and self.is_member_project(project):
            pledge = project.cofinancing_share * self.params.share * project.cost
            if pledge <= self.left:
                self.left -= pledge
                self.pledged[project.pid] = pledge
                project.cofinancing_share *= 1 - self.params.share
        elif state == State.IMPLEMENTATION and project.pid in self.pledged:
            self.cost_eur += self.pledged.pop(project.pid)       # paid out
        elif state in (State.DROPPED, State.REJECTED) and project.pid in self.pledged:
            self.left += self.pledged.pop(project.pid)           # back into this year's budget

    def metrics(self):
        return {**super().metrics(), "savings_bank_pledges_open": float(len(self.pledged))}
