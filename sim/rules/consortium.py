"""The consortium decisions: is the next partner worth adding, and does a candidate agree to join?
(institutional collective action: Feiock 2007, J. Urban Affairs 29:47; Feiock 2013, Policy Studies J. 41:397)."""

from __future__ import annotations

from sim.config import Config
from sim.projects import Project
from sim.registry import Registry

consortium_rules = Registry("consortium rule")


@consortium_rules.register("ica", stochastic=False)
class InstitutionalCollectiveAction:
    """Joint gains against transaction costs and the risk of defection, weighed by each side.

    With the project's theme economics (sim/needs.py ``Theme``), scope X, c company and g NGO partners
    and co-financing share phi (1 if it pays for itself), the members' joint surplus is

        W = V(X, c, g) - phi * C(X) - wage * S(X),      S = C / 100,000 EUR * the theme's staff_months_per_100k_eur

    and a municipal member's share is its part of the scope, x_i / X. One side of a pair of members costs,
    in staff-months over the expected months M (application and implementation) and duration D,

        pair = negotiation * f_neg + pair_cost * M [0 if a body coordinates] + (enforcement +
               monitoring * D [0 if a body monitors]) * (1 - t)

    where t is that side's trust in the other (trust substitutes for contracts and monitoring, Feiock
    2013); each member also pays hub_cost * M if a body coordinates and, if a municipality, agency * M.
    A partner j fails to deliver (from the observer's view) with probability

        p = min(1, 1 - mean + defection_risk * (uncertainty_aversion * sd + (1 - e) * (1 - expected_commitment)))

    with mean and sd of the observer's Beta opinion and e the share of the other side's partners it has
    worked with before or shares a project partner with: the evidence-based expectation, the spread of the
    evidence, which costs more when the risk of defection is high, and the temptation to defect that
    embeddedness curbs, as sim/delivery.py makes it (Berardo & Scholz 2010: under risk, partners are chosen
    for credible commitment; Raub & Weesie 1990). A failure sinks the project with probability
    default_fatality, so the project keeps q_j = 1 - default_fatality * p of its value per partner.

    - The lead adds the candidate that raises its own expected share most, while that rise,
      share(S + j) * Q(S + j) - share(S) * Q(S) - wage * pair(lead, j), is positive (Q the product of the
      q's): economies of scale of the need (municipal partners) and capabilities of other sectors
      (companies, NGOs) against transaction costs and risk.
    - A municipal candidate joins if x_j / X' * W' * q(lead) exceeds its own costs (n pairs plus its
      fixed costs); a company or NGO if willingness * (the value it adds) * q(lead) exceeds its costs plus
      its own work (private_work_share * S). Its trust is its own trust in the lead.
    - The lead goes ahead if its share of W times Q exceeds its own fixed costs and the application work.
    """

    def __init__(self, cfg: Config):
        p = cfg.projects
        self.p = p
        self.wage = p.wage_eur_per_staff_month
        self.pace = p.application_pace
        self.risk = p.defection_risk * p.uncertainty_aversion
        self.temptation = p.defection_risk * (1.0 - p.expected_commitment)
        self.fatality = p.default_fatality

    # -- the economics --------------------------------------------------------------------------

    def cost(self, theme, project: Project, scope: float) -> float:
        return theme.cost(scope) * project.cost_factor * project.depletion

    def surplus(self, theme, project: Project, scope: float, companies: int, ngos: int) -> float:
        """W: the members' joint surplus for the given make-up of the consortium, EUR."""
        cost = self.cost(theme, project, scope)
        value = theme.value(scope, companies, ngos) * project.value_factor
        return value - project.cofinancing_share * cost - self.wage * theme.staff_per_eur * cost

    def months(self, project: Project, application_work: float) -> float:
        """Expected months a member is involved: writing the application (``application_work``, the lead's
        staff-months, advice and catalogue already counted) and its decision, then the work."""
        before = application_work / self.pace + 1.0 if project.programme else 0.0
        return before + project.duration

    def pair(self, project: Project, months: float, trust: float) -> float:
        """One side's staff-months for one pair of members (see the class docstring)."""
        p = self.p
        meet = 0.0 if project.hub else p.pair_cost * months
        watch = 0.0 if project.monitor else p.monitoring_cost * project.duration
        return p.negotiation_cost * project.negotiation_factor + meet + (p.enforcement_cost + watch) * (1.0 - trust)

    def fixed(self, project: Project, months: float, municipal: bool) -> float:
        """A member's staff-months that do not depend on the number of partners."""
        hub = self.p.hub_cost * months if project.hub else 0.0
        return hub + (self.p.agency_cost * months if municipal else 0.0)

    def keeps(self, mean: float, sd: float, embedded: float = 0.0) -> float:
        """q: the share of the project's expected value left after a partner's risk of failing to deliver."""
        fail = min(1.0, 1.0 - mean + self.risk * sd + self.temptation * (1.0 - embedded))
        return 1.0 - self.fatality * max(fail, 0.0)

    # -- the decisions --------------------------------------------------------------------------

    def lead_share(self, theme, project: Project, scope: float, companies: int, ngos: int) -> float:
        lead = project.scopes[0]
        if scope <= 0:
            return 0.0
        return lead / scope * self.surplus(theme, project, scope, companies, ngos)

    def value_of(self, model, project: Project, candidate, mean: float, sd: float) -> float:
        """The rise in the lead's expected share from adding ``candidate`` (whose trustworthiness the lead
        puts at ``mean`` with spread ``sd``), less the lead's side of the new pair. Positive: worth asking."""
        theme = model.themes[project.theme]
        scope, companies, ngos = model.with_candidate(project, candidate)
        now = self.lead_share(theme, project, project.scope, project.companies, project.ngos) * project.survival
        then = (self.lead_share(theme, project, scope, companies, ngos) * project.survival
                * self.keeps(mean, sd, model.embedded(project, candidate)))
        months = self.months(project, model.application_work(project))
        return then - now - self.wage * self.pair(project, months, mean)

    def best_values(self, model, project: Project, candidates: list) -> list[float]:
        """The most each candidate could be worth (its value if the lead trusted it fully and without doubt,
        and it were embedded): a candidate whose best value is not positive is never worth asking."""
        n = len(candidates)
        return self.values(model, project, candidates, [1.0] * n, [0.0] * n, [1.0] * n)

    def values(self, model, project: Project, candidates: list, mean, sd, embedded=None) -> list[float]:
        """:meth:`value_of` for many candidates at once (the same numbers): companies and NGOs differ only in
        the lead's opinion of them, municipalities also in the scope they bring. (Plain floats: a lead weighs
        a handful of candidates, where numpy's overhead per call would dominate.)"""
        theme = model.themes[project.theme]
        p = self.p
        months = self.months(project, model.application_work(project))
        survival = project.survival
        now = self.lead_share(theme, project, project.scope, project.companies, project.ngos) * survival
        meet = 0.0 if project.hub else p.pair_cost * months
        watch = 0.0 if project.monitor else p.monitoring_cost * project.duration
        fixed = p.negotiation_cost * project.negotiation_factor + meet
        varying = p.enforcement_cost + watch
        risk, temptation, fatality, wage = self.risk, self.temptation, self.fatality, self.wage
        if embedded is None:
            embedded = [model.embedded(project, c) for c in candidates]
        by_sector: dict[str, float] = {}
        by_make_up: dict[tuple, float] = {}          # municipalities that bring the same scope (often the lead's
        out = []                                     # chunk of need) give the same share: computed once
        for c, m, s, e in zip(candidates, mean, sd, embedded):
            if c.sector == "public":
                make_up = model.with_candidate(project, c)
                then = by_make_up.get(make_up)
                if then is None:
                    then = by_make_up[make_up] = self.lead_share(theme, project, *make_up)
            else:
                then = by_sector.get(c.sector)
                if then is None:
                    then = by_sector[c.sector] = self.lead_share(theme, project, *model.with_candidate(project, c))
            fail = 1.0 - m + risk * s + temptation * (1.0 - e)
            keeps = 1.0 - fatality * (0.0 if fail < 0 else 1.0 if fail > 1 else fail)
            out.append(then * survival * keeps - now - wage * (fixed + varying * (1.0 - m)))
        return out

    def accepts(self, model, project: Project, candidate, mean: float, sd: float) -> tuple[bool, float]:
        """Does ``candidate`` join, trusting the lead at ``mean`` with spread ``sd``? Returns (yes,
        commitment), the commitment being its net gain as a share of its gain (0 if it declines)."""
        theme = model.themes[project.theme]
        scope, companies, ngos = model.with_candidate(project, candidate)
        months = self.months(project, model.application_work(project))
        n = len(project.members)
        municipal = candidate.sector == "public"
        costs = n * self.pair(project, months, mean) + self.fixed(project, months, municipal)
        keeps = self.keeps(mean, sd, model.embedded(project, candidate))
        if municipal:
            share = model.candidate_scope(project, candidate) / scope if scope > 0 else 0.0
            gain = share * self.surplus(theme, project, scope, companies, ngos) * keeps
        else:
            added = (theme.value(project.scope, companies, ngos)
                     - theme.value(project.scope, project.companies, project.ngos)) * project.value_factor
            gain = candidate.willingness * added * keeps
            costs += self.p.private_work_share * theme.staff_per_eur * self.cost(theme, project, scope)
        net = gain - self.wage * costs
        return (net > 0, net / gain) if net > 0 else (False, 0.0)

    def worth_it(self, model, project: Project) -> tuple[bool, float]:
        """Does the lead go ahead with the consortium it has? Returns (yes, its commitment)."""
        theme = model.themes[project.theme]
        work = model.application_work(project)
        months = self.months(project, work)
        gain = (self.lead_share(theme, project, project.scope, project.companies, project.ngos)
                * project.survival)
        costs = self.fixed(project, months, True) + (work if project.programme else 0.0)
        net = gain - self.wage * costs
        return (net > 0, net / gain) if net > 0 else (False, 0.0)
