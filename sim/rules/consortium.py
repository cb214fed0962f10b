"""The consortium decision: does an actor join a project? (institutional collective action)."""

from __future__ import annotations

from sim.config import Config
from sim.projects import Project
from sim.registry import Registry

consortium_rules = Registry("consortium rule")


@consortium_rules.register("ica", stochastic=False)
class InstitutionalCollectiveAction:
    """Join when the expected share of the joint gain, discounted by the risk of defection, exceeds
    the transaction costs (Feiock 2007, J. Urban Affairs 29:47; Feiock 2013, Policy Studies J. 41:397).

    For an actor with willingness w in a consortium of n members and trust t in the other side:

        share = w * (gain - cofinancing_share * cost) / n     (the share of the project's programme)
        risk  = defection_risk * (1 - t) * share
        TC    = wage * (information [x2 via an introduction] * f_info + negotiation * (n - 1) * f_neg
                        + enforcement + agency * f_agency)
        join  iff share - risk - TC > 0

    Zero trust with ``defection_risk = 1`` leaves nothing to gain, so no consortium with partners forms.
    """

    def __init__(self, cfg: Config):
        self.p = cfg.projects

    def information_cost(self, introduced: bool, project: Project) -> float:
        """Staff-months to approach one candidate (twice as much through an introduction)."""
        return self.p.information_cost * (2.0 if introduced else 1.0) * project.info_factor

    def staff_months(self, n_members: int, introduced: bool, project: Project) -> float:
        """Transaction costs of one member, in staff-months; coordinating bodies may have lowered
        the project's information, negotiation and agency costs (its ``*_factor`` fields)."""
        p = self.p
        return (self.information_cost(introduced, project)
                + p.negotiation_cost * (n_members - 1) * project.negotiation_factor
                + p.enforcement_cost + p.agency_cost * project.agency_factor)

    def net_benefit(self, project: Project, willingness: float, n_members: int, trust: float,
                    introduced: bool) -> float:
        share = willingness * (project.gain - project.cofinancing_share * project.cost) / n_members
        risk = self.p.defection_risk * (1.0 - trust) * share
        return share - risk - self.p.wage_eur_per_staff_month * self.staff_months(n_members, introduced, project)

    def accepts(self, project: Project, willingness: float, n_members: int, trust: float,
                introduced: bool) -> bool:
        return self.net_benefit(project, willingness, n_members, trust, introduced) > 0
