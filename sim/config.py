"""Typed configuration: every parameter declared once, with type, default, unit, bounds and source.

The dataclasses below are registered in Hydra's ConfigStore (see ``sim/cli.py``), so a typo'd key
or a wrong type fails when Hydra composes the config. Hydra does not check ranges, and a
``+newkey=...`` override slips through; :func:`from_container` closes both gaps. It is the one
place that turns a plain mapping into a :class:`Config`, and it raises :class:`UserError` with a
message naming the key, the value and what is allowed.

Units: money in EUR, time in months, staff in staff-months (one person working one month).

No Mesa import here: the config is read by the CLI, the tests and the analysis alike.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin, get_type_hints

from sim.errors import UserError


def param(default: Any, *, unit: str = "", low: float | None = None, high: float | None = None,
          high_open: bool = False, low_open: bool = False, choices: tuple[str, ...] | None = None,
          registry: str | None = None, source: str, help: str) -> Any:
    """Declare a parameter: default, unit, allowed range and where the default comes from.

    ``registry`` names an extension point (``sim.components.EXTENSION_POINTS``): the allowed values are
    then the names registered there when the config is checked, the project's own and any plug-in's."""
    meta = dict(unit=unit, low=low, high=high, low_open=low_open, high_open=high_open,
                choices=choices, registry=registry, source=source, help=help)
    return field(default=default, metadata=meta)


def group(cls: type) -> Any:
    return field(default_factory=cls)


@dataclass
class RegionConfig:
    """Which municipalities take part. See ``sim/data.py`` for the files behind the presets."""

    preset: str = param("emscher", choices=("emscher", "werra_meissner", "saarbruecken", "rvr", "germany", "custom"),
                        source="../shared/data (Zensus 2022, BKG VG5000); see sim/data/SOURCES.md",
                        help="built-in municipality list")
    ags_prefix: str = param("", source="assumption (no filter)",
                            help="keep only municipalities whose 8-digit AGS starts with this, e.g. '05' = NRW")
    csv: str = param("", source="assumption (none)",
                     help="path to your own CSV with columns name, ags, population, lat, lon (area_km2 "
                          "optional); required with preset 'custom', replaces any other preset")


THEMES = ("water", "energy", "services", "supply")   # the kinds of local need (sim/needs.py)


@dataclass
class ActorsConfig:
    """Municipalities' capacity and knowledge; companies and NGOs, their capacity; everyone's reliability."""

    companies_per_100k: float = param(
        20.0, unit="companies per 100,000 inhabitants", low=0, high=10_000,
        source="assumption; order of magnitude from Breda 2017 (140 firms in a mature broker network, "
               "about 76 per 100k inhabitants; notes/literature.md), of which about a quarter is modelled",
        help="expected number of company agents per 100,000 inhabitants (Poisson per municipality)")
    ngos_per_100k: float = param(
        20.0, unit="NGOs per 100,000 inhabitants", low=0, high=10_000,
        source="assumption: the project-capable part of Germany's roughly 600,000 registered associations",
        help="expected number of NGO agents per 100,000 inhabitants (Poisson per municipality)")
    capacity_per_100k: float = param(
        3.0, unit="staff-months per month per 100,000 inhabitants", low=0, high=1_000,
        source="assumption: about 3 full-time posts for cooperation projects in a city of 100,000",
        help="administrative capacity a municipality of 100,000 can spend on projects each month")
    capacity_exponent: float = param(
        0.85, low=0, high=1.5,
        source="Bettencourt et al. 2007 (PNAS 104:7301): infrastructure scales sublinearly (0.8-0.9); "
               "assumption that administration does too",
        help="capacity = capacity_per_100k * (population / 100,000) ** capacity_exponent")
    planning_share: float = param(
        0.2, low=0, high=1, low_open=True,
        source="assumption: a fifth of the project staff's time goes into spotting and scoping new projects",
        help="new ideas arise at full speed while at least this share of a municipality's capacity is free "
             "this month, and proportionally slower below it (sim/needs.py)")
    knowledge_base: float = param(
        0.3, low=0, high=1, low_open=True, high_open=True,
        source="assumption: a city of 100,000 knows the funding programmes and planning methods of "
               "water-sensitive and climate projects only in part (seed 003: the service organisation's "
               "fields 'Finanzen/Foerderung' and 'Forschung/Wissenstransfer' exist because they do not)",
        help="initial knowledge level in [0, 1] of a municipality of 100,000 inhabitants")
    knowledge_size_exponent: float = param(
        0.15, low=0, high=1,
        source="assumption; seed 004: small towns lack specialised staff and gain 'better access to funding "
               "programmes' from cooperating",
        help="initial knowledge = knowledge_base * (population / 100,000) ** this, kept within [0.02, 0.98]")
    learning_by_doing: float = param(
        0.05, low=0, high=1,
        source="assumption (Ansell & Gash 2008: small wins build shared understanding)",
        help="a completed project closes this share of each municipal member's gap to full knowledge")
    knowledge_turnover: float = param(
        0.01, unit="per month", low=0, high=1,
        source="assumption: staff turnover; a gain in knowledge has a half-life of about 69 months",
        help="each month knowledge moves this share of the way back to the municipality's initial level")
    company_willingness: float = param(0.4, low=0, high=1, low_open=True, high_open=True, source="assumption",
                                       help="mean social-engagement propensity of companies (Beta, a + b = 5)")
    ngo_willingness: float = param(0.67, low=0, high=1, low_open=True, high_open=True, source="assumption",
                                   help="mean eagerness of NGOs to take part in projects (Beta, a + b = 6)")
    company_staff_months: float = param(
        0.2, unit="staff-months per month", low=0, high=100,
        source="assumption: about one day a week that a company gives to joint projects and engagement",
        help="a company's time for projects and broker matches each month (its capacity)")
    company_budget_eur_per_year: float = param(
        10_000.0, unit="EUR per year", low=0, high=1e8,
        source="assumption: an engagement budget of a medium-sized company (money and in-kind help)",
        help="what a company can give to NGOs' requests in a year (renewed in months 1, 13, ...)")
    ngo_staff_months: float = param(
        0.3, unit="staff-months per month", low=0, high=100,
        source="assumption: volunteer and staff time of a small association",
        help="an NGO's time for joint projects and its own requests each month (its capacity)")
    reliability_mean: float = param(
        0.9, low=0, high=1, low_open=True,
        source="assumption: most actors deliver their share of most projects",
        help="mean latent reliability (probability of delivering one's share of a project, unstressed and "
             "committed) of every actor; 1 = everyone always delivers")
    reliability_concentration: float = param(
        10.0, low=0, low_open=True, high=1e6, source="assumption",
        help="reliability ~ Beta(mean * c, (1 - mean) * c); larger c = actors more alike")
    kinds: list[str] = field(default_factory=lambda: ["municipality", "company", "ngo"], metadata=dict(
        unit="", low=None, high=None, low_open=False, high_open=False, choices=None, registry="agent kind",
        source="DESIGN.md §3: municipalities, companies and NGOs are the actors of the cases",
        help="agent kinds by name (python -m sim list), municipality first; e.g. [municipality,company] for a "
             "region without NGOs, or a kind of your own added at the end"))


@dataclass
class NetworkConfig:
    """The initial collaboration graph (Berardo & Scholz 2010; distance decay is an assumption), and how
    ties come and go. A tie's existence and its evidence are separate (sim/network.py)."""

    decay_km: float = param(15.0, unit="km", low=0, low_open=True, high=1_000,
                            source="assumption", help="distance at which the tie probability falls to 1/e")
    max_km: float = param(40.0, unit="km", low=0, high=1_000, source="assumption",
                          help="no initial tie between municipalities farther apart than this")
    tie_probability: float = param(0.8, low=0, high=1, source="assumption",
                                   help="probability of a tie between two neighbouring municipalities at distance 0")
    initial_evidence: float = param(
        2.0, unit="experiences", low=0, high=100,
        source="assumption; 60 % of German municipalities already cooperate in general administration "
               "(Rosenfeld et al. 2016, Wirtschaft im Wandel 22(1))",
        help="mean number of earlier joint experiences (Poisson) each municipality has of each neighbour it "
             "is tied to; each was a success with the neighbour's latent reliability, else a failure")
    local_ties: int = param(2, unit="ties per company or NGO", low=0, high=100, source="assumption",
                            help="ties of each company and NGO to others in its own municipality")
    local_evidence: float = param(
        1.0, unit="experiences", low=0, high=100, source="assumption",
        help="mean number of earlier experiences (Poisson) on the local ties of companies and NGOs, each way")
    tie_lifetime_months: int = param(
        60, unit="months", low=1, high=1200, source="assumption",
        help="ties made by projects, introductions and events disappear after this long without contact "
             "(ties of neighbourhood, locality and membership stay); the evidence is kept")
    in_use_months: int = param(24, unit="months", low=1, high=1200,
                               source="issue 15: a tie is in use with a joint project or contact in the last 24 months",
                               help="trust metrics 'in use' cover ties with contact within this many months")


@dataclass
class TrustConfig:
    """Directional beta reputation (Josang & Ismail 2002): i's evidence about j, with forgetting, and the
    discounted opinions of shared partners."""

    prior_positive: float = param(1.0, low=0, high=100, source="Josang & Ismail 2002 (uniform prior, a = 1)",
                                  help="a in trust = (r + a) / (r + s + a + b); 0 gives zero trust without evidence")
    prior_negative: float = param(1.0, low=0, high=100, source="Josang & Ismail 2002 (uniform prior, b = 1)",
                                  help="b in trust = (r + a) / (r + s + a + b)")
    forgetting_positive: float = param(0.99, unit="per month", low=0, high=1, low_open=True,
                                       source="assumption: positive evidence has a half-life of about 69 months",
                                       help="positive evidence r is multiplied by this every month (1 = never forget)")
    forgetting_negative: float = param(
        1.0, unit="per month", low=0, high=1, low_open=True,
        source="assumption: a partner who let one down is not forgotten (Slovic 1993, Risk Analysis 13:675: "
               "the asymmetry principle)",
        help="negative evidence s is multiplied by this every month; 1 = distrust heals only by new evidence")
    success_weight: float = param(1.0, unit="experiences", low=0, high=100, source="Josang & Ismail 2002",
                                  help="positive evidence a member gains about each partner who delivered, "
                                       "when a joint project completes")
    failure_weight: float = param(2.0, unit="experiences", low=0, high=100,
                                  source="assumption: trust is easier to lose than to build (notes/literature.md)",
                                  help="negative evidence each member gains about a partner who failed to deliver")
    third_party: bool = param(True, source="Josang & Ismail 2002 (discounting); issue 15",
                              help="a lead also weighs what shared partners know of a candidate, discounted by "
                                   "its trust in them")


@dataclass
class ProjectsConfig:
    """Projects and the cost of cooperating (Feiock 2007, 2013: institutional collective action; Provan &
    Kenis 2008: the cost of shared governance grows with the pairs of partners)."""

    cost_sigma: float = param(0.5, low=0, high=5, source="assumption",
                              help="sigma of a project's lognormal cost factor (beyond its scope)")
    benefit_sigma: float = param(0.5, low=0, high=5, source="assumption",
                                 help="sigma of a project's lognormal value factor")
    duration_sigma: float = param(0.3, low=0, high=5, source="assumption",
                                  help="sigma of the lognormal implementation time around its theme's median")
    private_work_share: float = param(0.1, low=0, high=1, source="assumption",
                                      help="share of a project's work that each company or NGO partner does "
                                           "from its own capacity")
    stall_months: int = param(12, unit="months", low=1, high=240, source="assumption",
                              help="an implementation that makes no progress for this long fails")
    search_months: int = param(6, unit="months", low=1, high=120, source="assumption",
                               help="partner search ends after this many months with the partners found; a "
                                    "consortium that could not start its application for this long is dropped")
    application_pace: float = param(0.25, unit="staff-months per month", low=0, low_open=True, high=100,
                                    source="assumption: a quarter of a post works on an application",
                                    help="most staff time a lead puts into writing one application each month")
    max_members: int = param(12, low=1, high=200, source="assumption (a bound on the search, rarely reached)",
                             help="most members a consortium can have, the lead included")
    shortlist: int = param(8, unit="candidates per sector", low=1, high=100_000,
                           source="assumption: bounded search; a lead weighs a handful of candidates at a time",
                           help="each month a lead weighs at most this many eligible candidates of each sector, "
                                "a random choice that is the same for the same idea in every scenario")
    introducers: int = param(3, unit="contacts", low=0, high=1_000,
                             source="assumption (Burt 2004: introductions through trusted contacts)",
                             help="a lead with no direct tie worth asking asks its this many most trusted actor "
                                  "contacts to introduce their contacts")
    information_cost: float = param(0.2, unit="staff-months", low=0, high=100,
                                    source="assumption; Feiock 2013 information/coordination costs",
                                    help="the lead's cost of approaching one candidate (doubled via an introduction)")
    negotiation_cost: float = param(0.3, unit="staff-months per partner pair", low=0, high=100,
                                    source="assumption; Feiock 2013 negotiation costs",
                                    help="one-off cost to each side of agreeing terms, per pair of members")
    enforcement_cost: float = param(0.3, unit="staff-months per partner pair", low=0, high=100,
                                    source="assumption; Feiock 2013 enforcement costs: contracts where trust "
                                           "is missing",
                                    help="one-off cost to each side of a written agreement, times (1 - its trust "
                                         "in the other)")
    pair_cost: float = param(
        0.02, unit="staff-months per partner pair and month", low=0, high=100,
        source="assumption (about half a day a month); Provan & Kenis 2008: shared governance",
        help="meeting and coordination time of each side of every pair of members, each month a consortium "
             "is active, unless a coordinating body coordinates it")
    hub_cost: float = param(
        0.01, unit="staff-months per member and month", low=0, high=100,
        source="assumption; Provan & Kenis 2008: a network administrative organisation",
        help="a member's coordination time each month when a body coordinates the consortium (one contact)")
    monitoring_cost: float = param(
        0.03, unit="staff-months per partner pair and month", low=0, high=100,
        source="assumption; Feiock 2013: trust substitutes for monitoring",
        help="monitoring time of each side of every pair of members in implementation, times (1 - its trust "
             "in the other), unless a body monitors")
    agency_cost: float = param(0.05, unit="staff-months per municipal member and month", low=0, high=100,
                               source="assumption; Feiock 2013 agency costs",
                               help="work across a municipality's own departments, each month a project of it is "
                                    "active (a city coordinator takes it over)")
    defection_risk: float = param(
        0.2, low=0, high=1, source="assumption; Feiock 2013 defection risk",
        help="how much a cooperation problem tempts partners to defect: a partner with no commitment fails "
             "to deliver its share with this probability over a project; the lead weighs the spread of its "
             "evidence about a candidate by it")
    default_fatality: float = param(0.3, low=0, high=1, source="assumption",
                                    help="share of failures to deliver that make the project fail; the others "
                                         "delay it and the lead does the missing work")
    pressure_weight: float = param(2.0, low=0, high=100, source="assumption",
                                   help="an actor's chance of failing to deliver is multiplied by (1 + this * "
                                        "the share of its work it lacks the staff for this month)")
    expected_commitment: float = param(
        0.5, low=0, high=1, source="assumption: without knowing a partner's stake, take it to be one half",
        help="the commitment a lead or candidate expects of the other side when judging its temptation to defect "
             "(sim/delivery.py), which embeddedness curbs")
    uncertainty_aversion: float = param(1.0, low=0, high=10,
                                        source="Berardo & Scholz 2010: bonding under defection risk; assumption",
                                        help="standard deviations of the evidence a lead adds to a candidate's "
                                             "expected failure, times defection_risk")
    failure_hazard: float = param(0.002, unit="per month", low=0, high=1,
                                  source="assumption: technical and external causes",
                                  help="monthly hazard that an implementation fails for reasons no member caused")
    quality_per_knowledge: float = param(
        1.0, unit="standard deviations", low=0, high=10, source="assumption",
        help="an application's quality rises by this for each unit of its writer's knowledge above 0.5")
    wage_eur_per_staff_month: float = param(6_000.0, unit="EUR per staff-month", low=0, high=1e6,
                                            source="assumption: employer cost of a TVoeD E11 post",
                                            help="converts staff time into money for the cost-benefit rule")


@dataclass
class ThemeConfig:
    """One kind of local need: its stock, how ideas arise from it and what projects on it cost and yield.

    Cost of a project of scope X (summed over its municipal members): C = cost_per_scope_eur *
    scope_reference * (X / scope_reference) ** scale_exponent, times its cost factor; value
    V = benefit_ratio * cost_per_scope_eur * X, times its value factor and (1 + the partners' effects)."""

    stock_factor: float = param(1.0, low=0, high=100, source="assumption (1 = the stock from the data)",
                                help="multiplies the initial stock of this need (0 = the need does not exist)")
    idea_rate: float = param(0.0, unit="ideas per unit of need and month", low=0, high=100, source="assumption",
                             help="new ideas per unit of open need and month at full knowledge and free staff")
    chunk_median: float = param(1.0, unit="units of need", low=0, low_open=True, high=1e6, source="assumption",
                                help="need a project takes up for each municipal member (median)")
    chunk_sigma: float = param(0.0, low=0, high=5, source="assumption", help="sigma of the lognormal chunk")
    scope: str = param("need", choices=("need", "population"), source="assumption",
                       help="what drives economies of scale: the need addressed, or the population served")
    scope_reference: float = param(1.0, low=0, low_open=True, high=1e9, source="assumption",
                                   help="scope at which value / cost = benefit_ratio (need units, or thousand "
                                        "inhabitants)")
    cost_per_scope_eur: float = param(1.0, unit="EUR per unit of scope", low=0, low_open=True, high=1e10,
                                      source="assumption", help="cost per unit of scope at the reference scope")
    scale_exponent: float = param(1.0, low=0, low_open=True, high=1.5, source="assumption",
                                  help="cost grows with scope to this power (< 1: economies of scale)")
    benefit_ratio: float = param(1.5, low=0, high=100, source="assumption",
                                 help="value / cost at the reference scope")
    company_effect: float = param(0.0, low=0, high=5, source="assumption",
                                  help="a company partner raises the value by this share (the next one by half as much)")
    ngo_effect: float = param(0.0, low=0, high=5, source="assumption",
                              help="an NGO partner raises the value by this share (the next one by half as much)")
    renewal_per_year: float = param(0.0, unit="share of the initial stock per year", low=0, high=1,
                                    source="assumption", help="new need arising each year, up to the initial stock")
    depletion_exponent: float = param(0.0, low=0, high=10, source="assumption",
                                      help="the easy needs are met first: cost rises as (initial / open need) ** this")
    duration_months: float = param(12.0, unit="months", low=1, high=240, source="assumption",
                                   help="median implementation time at full staffing")
    staff_months_per_100k_eur: float = param(5.0, unit="staff-months per 100,000 EUR", low=0, high=1_000,
                                             source="assumption",
                                             help="administrative work to implement a project, shared by its "
                                                  "municipal members in proportion to their scope")


@dataclass
class WaterConfig(ThemeConfig):
    """Sealed area to disconnect from the sewer (Klima.Werk's KPI, seeds 000 and 003), in hectares."""

    sealed_share: float = param(0.45, low=0, high=1,
                                source="Umweltbundesamt: about 45 % of settlement and transport area is sealed",
                                help="sealed share of the settlement and transport area")
    settlement_half_density: float = param(
        1374.0, unit="inhabitants per km2", low=0, low_open=True, high=1e6,
        source="assumption: settlement share = density / (density + this), fitted to Germany's 14.5 % at "
               "233 inhabitants per km2 (Destatis, Flaechenerhebung 2022); gives 64 % at Bochum's density",
        help="density at which half of a municipality's area is settlement and transport area")
    idea_rate: float = param(1e-4, unit="ideas per ha and month", low=0, high=100,
                             source="assumption: at the initial knowledge level 1-2 ideas a month for the 17 "
                                    "Emscher cities, the order of the model's earlier baseline",
                             help="new ideas per hectare of open need and month at full knowledge and free staff")
    chunk_median: float = param(
        0.22, unit="ha", low=0, low_open=True, high=1e6,
        source="seed 003: 5.2 M EUR for 64 applications, 81 k EUR each; with KRIS funding about 90 % a cost of "
               "90 k EUR, 0.36 ha at cost_per_scope_eur; median = mean / e^(sigma^2 / 2) with sigma 1",
        help="hectares a project disconnects for each municipal member (median)")
    chunk_sigma: float = param(1.0, low=0, high=5, source="assumption", help="sigma of the lognormal chunk")
    cost_per_scope_eur: float = param(
        250_000.0, unit="EUR per ha", low=0, low_open=True, high=1e10,
        source="assumption: 25 EUR per m2, within the 10-50 EUR per m2 of decentralised stormwater measures",
        help="cost per hectare disconnected at the reference scope")
    scale_exponent: float = param(0.9, low=0, low_open=True, high=1.5,
                                  source="assumption: joint planning and procurement; the measures stay local",
                                  help="cost grows with scope to this power")
    company_effect: float = param(0.2, low=0, high=5,
                                  source="assumption: company premises and know-how widen a measure",
                                  help="a company partner raises the value by this share")
    ngo_effect: float = param(0.1, low=0, high=5, source="assumption: schools and associations, acceptance",
                              help="an NGO partner raises the value by this share")
    renewal_per_year: float = param(
        0.002, unit="share of the initial stock per year", low=0, high=1,
        source="assumption: new sealing, about half of the 0.35 % a year by which settlement area grows "
               "(Destatis: about 50 ha a day of 5.2 M ha)",
        help="new need arising each year")
    depletion_exponent: float = param(0.5, low=0, high=10, source="assumption",
                                      help="cost rises as (initial / open need) ** this")


@dataclass
class EnergyConfig(ThemeConfig):
    """Districts for energy-efficient renovation (Prima.Klima.Ruhrmetropole, seed 002; KfW 432)."""

    inhabitants_per_district: float = param(5_000.0, unit="inhabitants", low=1, high=1e7,
                                            source="assumption: a quarter (Quartier) in KfW 432's sense",
                                            help="inhabitants of one district")
    old_stock_share: float = param(0.64, low=0, high=1,
                                   source="assumption: about two thirds of residential buildings predate the "
                                          "first insulation ordinance (1977)",
                                   help="share of districts in need of energy-efficient renovation")
    idea_rate: float = param(
        0.0074, unit="ideas per district and month", low=0, high=100,
        source="KfW 432: about 1,000 funded applications in 2011-2017 across Germany (notes/literature.md), "
               "0.14 per million inhabitants and month; assuming half of all ideas are funded, 0.29 ideas per "
               "million and month over 128 districts per million, at the initial knowledge level 0.3: "
               "0.29 / 128 / 0.3 = 0.0074",
        help="new ideas per open district and month at full knowledge and free staff")
    cost_per_scope_eur: float = param(1_250_000.0, unit="EUR per district", low=0, low_open=True, high=1e10,
                                      source="seed 002: 10 M EUR for the 2023 call's 6 winners and 2 recognitions",
                                      help="cost of a district's concept and renovation management")
    scale_exponent: float = param(0.95, low=0, low_open=True, high=1.5, source="assumption",
                                  help="cost grows with scope to this power")
    benefit_ratio: float = param(1.1, low=0, high=100,
                                 source="assumption: without a grant a district's concept and renovation management "
                                        "barely pay (KfW 432 funds 65-75 %, notes/literature.md)",
                                 help="value / cost at the reference scope")
    company_effect: float = param(0.3, low=0, high=5,
                                  source="assumption: housing companies and utilities invest in the district",
                                  help="a company partner raises the value by this share")
    ngo_effect: float = param(0.1, low=0, high=5, source="assumption: tenants' and neighbourhood associations",
                              help="an NGO partner raises the value by this share")
    duration_months: float = param(36.0, unit="months", low=1, high=240,
                                   source="KfW 432: renovation management takes 3 years (notes/literature.md)",
                                   help="median implementation time at full staffing")
    staff_months_per_100k_eur: float = param(1.0, unit="staff-months per 100,000 EUR", low=0, high=1_000,
                                             source="assumption: renovation management is contracted out",
                                             help="the municipalities' own administrative work per 100,000 EUR")


@dataclass
class ServicesConfig(ThemeConfig):
    """Services to share between municipalities (LebensWert, seed 004: shared services, building yards)."""

    fields: float = param(8.0, unit="service fields", low=0, high=1_000,
                          source="assumption (Rosenfeld et al. 2016: general administration, building yards and "
                                 "further fields of inter-municipal cooperation)",
                          help="service fields each municipality could share")
    idea_rate: float = param(0.005, unit="ideas per service field and month", low=0, high=100,
                             source="assumption", help="new ideas per open service field and month")
    scope: str = param("population", choices=("need", "population"),
                       source="seed 004: relief and efficiency come from serving more people together",
                       help="what drives economies of scale")
    scope_reference: float = param(20.0, low=0, low_open=True, high=1e9,
                                   source="assumption: a town of 20,000 runs a service efficiently",
                                   help="thousand inhabitants at which value / cost = benefit_ratio")
    cost_per_scope_eur: float = param(10_000.0, unit="EUR per thousand inhabitants", low=0, low_open=True,
                                      high=1e10, source="assumption: setting up a shared service",
                                      help="cost per thousand inhabitants served at the reference scope")
    scale_exponent: float = param(0.7, low=0, low_open=True, high=1.5,
                                  source="assumption: strong economies of scale in administrative services",
                                  help="cost grows with scope to this power")
    benefit_ratio: float = param(2.0, low=0, high=100, source="assumption: savings over the years of operation",
                                 help="value / cost at the reference scope")
    renewal_per_year: float = param(0.01, unit="share of the initial stock per year", low=0, high=1,
                                    source="assumption (seed 004: new guidelines and laws)",
                                    help="new need arising each year")


@dataclass
class SupplyConfig(ThemeConfig):
    """Localities without local supply (LebensWert, seed 004: 'Nahversorgung', a regional online shop)."""

    inhabitants_per_locality: float = param(1_000.0, unit="inhabitants", low=1, high=1e7, source="assumption",
                                            help="inhabitants of one locality (village or district)")
    supply_half_density: float = param(
        300.0, unit="inhabitants per km2", low=0, low_open=True, high=1e6, source="assumption",
        help="share of localities with local supply = density / (density + this)")
    idea_rate: float = param(0.005, unit="ideas per locality and month", low=0, high=100, source="assumption",
                             help="new ideas per unserved locality and month")
    scope: str = param("population", choices=("need", "population"), source="assumption",
                       help="what drives economies of scale")
    scope_reference: float = param(5.0, low=0, low_open=True, high=1e9, source="assumption",
                                   help="thousand inhabitants at which value / cost = benefit_ratio")
    cost_per_scope_eur: float = param(8_000.0, unit="EUR per thousand inhabitants", low=0, low_open=True,
                                      high=1e10, source="assumption", help="cost per thousand inhabitants served")
    scale_exponent: float = param(0.75, low=0, low_open=True, high=1.5, source="assumption",
                                  help="cost grows with scope to this power")
    company_effect: float = param(0.4, low=0, high=5, source="assumption: a retailer runs the shop or delivery",
                                  help="a company partner raises the value by this share")
    ngo_effect: float = param(0.3, low=0, high=5, source="assumption: volunteer-run village shops",
                              help="an NGO partner raises the value by this share")
    renewal_per_year: float = param(0.02, unit="share of the initial stock per year", low=0, high=1,
                                    source="assumption: shops close", help="new need arising each year")
    staff_months_per_100k_eur: float = param(3.0, unit="staff-months per 100,000 EUR", low=0, high=1_000,
                                             source="assumption: partners run the shop or the delivery",
                                             help="the municipalities' own administrative work per 100,000 EUR")


@dataclass
class NeedsConfig:
    """The stock of local needs by theme (sim/needs.py); ideas arise only from open needs."""

    water: WaterConfig = group(WaterConfig)
    energy: EnergyConfig = group(EnergyConfig)
    services: ServicesConfig = group(ServicesConfig)
    supply: SupplyConfig = group(SupplyConfig)


@dataclass
class RequestsConfig:
    """NGOs' requests for support from companies (seed 001). They exist with or without a broker group: an
    NGO asks the companies it knows itself; a broker group vets requests and asks the companies it knows."""

    rate: float = param(0.2, unit="requests per NGO and month", low=0, high=100,
                        source="assumption (mature broker groups: 100-150 matches a year, notes/literature.md)",
                        help="NGOs seek support from companies at this rate")
    value_eur: float = param(5_000.0, unit="EUR", low=0, high=1e7, source="assumption",
                             help="median value of the help asked for (money, expertise, volunteer time), from "
                                  "the company's engagement budget")
    value_sigma: float = param(0.5, low=0, high=5, source="assumption", help="sigma of the lognormal value")
    months: float = param(3.0, unit="months", low=1, high=120, source="assumption",
                          help="how long a matched request runs")
    company_staff_months: float = param(0.1, unit="staff-months per month", low=0, high=100, source="assumption",
                                        help="company time a matched request takes each month")
    ngo_asks: int = param(2, unit="companies", low=0, high=1_000, source="assumption",
                          help="companies an NGO approaches by itself for one request (those it trusts most)")
    information_cost: float = param(0.05, unit="staff-months", low=0, high=100, source="assumption",
                                    help="the asker's time to approach one company")
    acceptance: float = param(0.15, low=0, high=1, source="assumption",
                              help="a company helps if its willingness times the request's expected success "
                                   "(its trust in the NGO times the expected concreteness) reaches this")


@dataclass
class ProgrammeConfig:
    """A funding programme: themes, budget, co-financing, review, allocation rule, windows and stages.

    ``funding`` is the main programme (KRIS-like); ``second_programme`` runs beside it when its budget
    is above zero (a competitive call, a LEADER-like window). Rules: ``python -m sim list``.
    """

    label: str = param("main programme", source="assumption", help="name shown in reports")
    themes: list[str] = field(default_factory=lambda: ["water"], metadata=dict(
        unit="", low=None, high=None, low_open=False, high_open=False, choices=THEMES,
        source="KRIS funds climate adaptation (seed 003); assumption",
        help="themes of need the programme funds; ideas of other themes look for another programme or pay "
             "for themselves"))
    budget_per_head_year: float = param(
        1.42, unit="EUR per inhabitant and year", low=0, high=10_000,
        source="KRIS predecessor programme: 5 M EUR per year (notes/literature.md) over the 3.52 M "
               "inhabitants of the 17 Emscher cities",
        help="annual budget divided by the region's population (0 switches a second programme off)")
    cofinancing_share: float = param(0.2, low=0, high=1, high_open=True,
                                     source="KRIS predecessor: up to 80 % of costs funded (notes/literature.md)",
                                     help="share of a project's cost that the applicants pay themselves")
    approval_threshold: float = param(
        -0.67, unit="standard deviations of quality", low=-10, high=10,
        source="assumption: a formal check that fails about 30 % of unadvised applications at knowledge 0.5 "
               "(normal quality, review noise 0.8: Phi(-0.67 / sqrt(1.64)))",
        help="an application is eligible if its reviewed score reaches this")
    review_noise: float = param(
        0.8, unit="standard deviations of quality", low=0, high=10,
        source="three reviewers each with inter-rater reliability 0.34 (Bornmann, Mutz & Daniel 2010, PLoS ONE "
               "5(12):e14331): sqrt((1 / 0.34 - 1) / 3) = 0.8",
        help="the reviewed score is the application's quality plus normal noise of this size")
    allocation: str = param("fcfs", registry="allocation rule", source="assumption",
                            help="how applications are chosen, by a registered allocation rule (python -m sim list): "
                                 "first come first served, ranked competition, formula shares per municipality, "
                                 "lottery, or your own")
    application_staff_months: float = param(0.5, unit="staff-months", low=0, high=100, source="assumption",
                                            help="work to write one application (the application cost)")
    max_resubmissions: int = param(1, low=0, high=20, source="assumption; Ahrweiler et al. 2015 (SKIN): resubmission",
                                   help="a rejected application may be revised and submitted again this often")
    revision_share: float = param(0.5, low=0, high=10, source="assumption",
                                  help="revising costs this share of the application work")
    revision_gain: float = param(0.3, unit="standard deviations", low=0, high=10,
                                 source="assumption: the reviewers' comments are used",
                                 help="a revision after a rejection for quality raises the application's quality by this")
    carry_over: bool = param(False, source="assumption (KRIS predecessor: annual budgets)",
                             help="unspent budget carries into the next year instead of lapsing")
    open_months: list[int] = field(default_factory=list, metadata=dict(
        unit="months of the year", low=1, high=12, low_open=False, high_open=False, choices=None,
        source="assumption; KRIS predecessor had spring and autumn deadlines (notes/literature.md)",
        help="months of the year in which applications are accepted, e.g. [3,9]; empty = every month"))
    period_start: int = param(1, unit="month of the run", low=1, high=1200, source="assumption",
                              help="first month of the run in which the programme accepts applications")
    period_end: int = param(1200, unit="month of the run", low=1, high=1200, source="assumption",
                            help="last month of the run in which it accepts applications (a LEADER-like window)")
    call_interval_months: int = param(1, unit="months", low=1, high=120, source="assumption",
                                      help="applications are decided every this many months (a call), 1 = monthly")
    winners_per_call: int = param(0, low=0, high=100_000,
                                  source="Prima.Klima.Ruhrmetropole 2023: 6 winners plus 2 recognitions (seed 002)",
                                  help="most approvals per decision (0 = no cap)")
    two_stage: bool = param(False, source="Prima.Klima / KfW 432: concept first, then implementation (seed 002)",
                            help="winners get a concept first; implementation funding needs a second application")
    concept_share: float = param(0.1, low=0, high=1, low_open=True, source="assumption",
                                 help="two stages: cost of the concept as a share of the project's cost")
    concept_months: float = param(12.0, unit="months", low=1, high=120,
                                  source="KfW 432: a concept takes about a year (notes/literature.md)",
                                  help="two stages: median time to write the concept")
    reveal_sigma: float = param(0.6, low=0, high=5, source="assumption",
                                help="two stages: the concept reveals the true value, lognormal with this sigma "
                                     "around the first estimate")
    hurdle_ratio: float = param(1.0, low=0, high=100, source="assumption: benefits must at least cover costs",
                                help="two stages: members go ahead with implementation only if the revealed value is "
                                     "at least this multiple of the project's cost")
    formula_basis: str = param("population", choices=("population", "equal", "need"), source="assumption",
                               help="formula allocation: each municipality's share of the budget (by population, "
                                    "equal, or by its initial need in the programme's themes)")
    routed: bool = param(False, source="KRIS: applications go through the service organisation (seed 003)",
                         help="member municipalities' applications need the service organisation's check first")


@dataclass
class ScenarioConfig:
    """Which coordinating bodies exist and which municipalities belong to the initiative (configs/scenario/)."""

    name: str = param("baseline", source="assumption", help="scenario label shown in reports")
    bodies: list[str] = field(default_factory=list, metadata=dict(
        unit="", low=None, high=None, low_open=False, high_open=False, choices=None, registry="coordinating body",
        source="assumption",
        help="coordinating bodies by name (python -m sim list), e.g. [service_organisation,culture_events]"))
    members: str = param("all", choices=("all", "emscher", "werra_meissner", "saarbruecken", "rvr"),
                         source="sim/data/SOURCES.md (memberships)",
                         help="initial members of the initiative: all municipalities, or those of a preset "
                              "(e.g. emscher = the 17 Klima.Werk cities within region=rvr)")


def switch(what: str, source: str) -> Any:
    """A mechanism's on/off switch in its body's config group (``python -m sim.explain`` turns them off in turn)."""
    return param(True, source=source, help=f"mechanism switch: {what}")


@dataclass
class ServiceOrgConfig:
    """Service organisation (Klima.Werk, seeds 000 and 003): a network administrative organisation whose
    staff serves member municipalities (Provan & Kenis 2008), and can become a bottleneck."""

    staff: float = param(11.0, unit="full-time staff", low=0, high=10_000,
                         source="seed 003: the service organisation started with 11 staff",
                         help="staff; each gives one staff-month a month")
    project_share: float = param(0.45, low=0, high=1,
                                 source="seed 003: about 4 of its 9 service fields (controlling and monitoring, "
                                        "finance and funding, integral projects, network) serve projects directly",
                                 help="share of staff time for project services")
    knowledge_share: float = param(0.11, low=0, high=1,
                                   source="seed 003: 1 of its 9 fields is research and knowledge transfer",
                                   help="share of staff time for knowledge transfer to members")
    member_overhead_staff_months: float = param(
        0.05, unit="staff-months per member and month", low=0, high=100,
        source="assumption: keeping each member city informed and involved (seed 003: coordination formats)",
        help="project staff time each member takes up every month before any request (its cost grows with members)")
    expertise: float = param(0.9, low=0, high=1,
                             source="assumption: specialists for funding and water-sensitive planning (seed 003)",
                             help="knowledge level of the organisation's staff, in [0, 1]")
    search_staff_months: float = param(0.2, unit="staff-months per request", low=0, low_open=True, high=100,
                                       source="assumption", help="partner search and negotiation support")
    advice_staff_months: float = param(0.3, unit="staff-months per request", low=0, low_open=True, high=100,
                                       source="assumption", help="funding advice on one application")
    precheck_staff_months: float = param(0.1, unit="staff-months per check", low=0, low_open=True, high=100,
                                         source="assumption", help="eligibility check of one routed application")
    monitoring_staff_months: float = param(0.02, unit="staff-months per project and month", low=0, low_open=True,
                                           high=100, source="assumption", help="monitoring an implementation")
    coordination_staff_months: float = param(0.01, unit="staff-months per member and month", low=0,
                                             low_open=True, high=100, source="assumption",
                                             help="coordinating a consortium, per member and month")
    information_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="search support: the lead's cost of approaching a candidate is multiplied by this")
    negotiation_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="search support: negotiation costs are multiplied by this")
    application_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="advice: the lead's work to write the application is multiplied by this")
    precheck_noise: float = param(0.5, unit="standard deviations of quality", low=0, high=10,
                                  source="assumption: the organisation knows the programme better than one reviewer",
                                  help="its check sees the application's quality plus normal noise of this size")
    fatality_factor: float = param(0.5, low=0, high=1,
                                   source="assumption: monitoring notices a partner's trouble early (seed 003: "
                                          "controlling, quality management, monitoring)",
                                   help="monitoring multiplies the share of failures to deliver that sink the project by this")
    transfer_rate: float = param(0.05, unit="per month", low=0, high=1, source="assumption",
                                 help="knowledge transfer at full staffing closes this share of a member's gap to "
                                      "the organisation's expertise each month")
    transfer_staff_months: float = param(0.05, unit="staff-months per member and month", low=0, low_open=True,
                                         high=100, source="assumption",
                                         help="knowledge-transfer time per member and month for the full rate")
    fee_share: float = param(0.5, low=0, high=1, source="assumption: members' fees pay half, the water board and "
                                                        "state the rest",
                             help="share of its cost paid by member municipalities (reported as so_fees_eur)")
    search: bool = switch("partner search support (fewer costs, candidates through the members' network)",
                          "seed 003: 'Netzwerk / Stakeholder', SO as 'Vermittler'")
    coordination: bool = switch("coordinates member consortia as a hub instead of pairwise",
                                "seed 003: 'Organisation von Abstimmungsformaten'; Provan & Kenis 2008")
    advice: bool = switch("funding advice (applications written at its expertise, less work for the lead)",
                          "seed 003: 'Finanzen / Foerderung', 'Hilfestellung bei der Nutzung der Foerdermoeglichkeiten'")
    precheck: bool = switch("eligibility check of routed applications (with errors of both kinds)",
                            "seed 003: applications to KRIS go through the service organisation")
    monitoring: bool = switch("monitors implementations (partners' monitoring cost, early warning, evidence)",
                              "seed 003: 'Controlling - Qualitaetsmanagement - Monitoring'")
    knowledge: bool = switch("knowledge transfer to members (bounded by its expertise)",
                             "seed 003: 'Forschung / Wissenstransfer'")


@dataclass
class CityCoordinatorsConfig:
    """One city coordinator per member municipality (Klima.Werk, seed 003)."""

    staff_per_city: float = param(0.5, unit="full-time staff per city", low=0, high=100,
                                  source="assumption: part of a post in each city (seed 003: every city has one)",
                                  help="coordinator time per member city and month (its cost and its capacity)")
    service_factor: float = param(0.5, low=0, high=1, source="assumption",
                                  help="the service organisation needs this share of its usual staff time for "
                                       "requests a coordinator has prepared")
    agency: bool = switch("takes over the work across the city's departments (agency costs)",
                          "seed 003: 'Verbindungsfunktion nach aussen und innen'")
    preparation: bool = switch("prepares the city's requests to the service organisation",
                               "seed 003: coordinators work 'zusammen mit der ZI-Serviceorganisation'")


@dataclass
class BrokerConfig:
    """Broker group of business people ("Die Herausforderung", seed 001; De Uitdaging)."""

    coordinator_staff: float = param(1.0, unit="full-time staff", low=0, high=1_000,
                                     source="Breda 2017: 3 staff for 447 matches a year (notes/literature.md); "
                                            "assumption of one post for a new group",
                                     help="professional coordinator capacity")
    members: int = param(8, unit="companies", low=0, high=1_000,
                         source="seed 001: a small group of experienced entrepreneurs and younger employees; "
                                "assumption",
                         help="companies in the group (the most willing ones), tied to it")
    patience_months: int = param(6, unit="months", low=1, high=120, source="assumption",
                                 help="an NGO's request still waiting after this long is given up")
    staff_months_per_request: float = param(
        0.08, unit="staff-months", low=0, low_open=True, high=100,
        source="Breda 2017: 36 staff-months for 447 matches (notes/literature.md)",
        help="coordinator time to vet and place one request")
    vet_threshold: float = param(0.3, low=0, high=1, source="assumption",
                                 help="requests less concrete than this (concreteness uniform in [0, 1]) are "
                                      "turned back by the group's vetting")
    municipal_share: float = param(0.5, low=0, high=1,
                                   source="seed 001: municipality and companies fund the coordinator jointly; "
                                          "assumption 50/50",
                                   help="share of the coordinator's cost paid by the municipality")
    vetting: bool = switch("vets requests before any company is asked",
                           "seed 001: 'Sie prueft konkrete Vorschlaege fuer Kooperationsprojekte'")
    matching: bool = switch("asks the companies its members know (its network), the most willing first",
                            "seed 001: 'vermittelt Kontakte zu anderen Unternehmen ..., die bereit und geeignet sind'")


@dataclass
class ProjectOfficeConfig:
    """Project office running a competition (Prima.Klima.Ruhrmetropole, seed 002)."""

    budget_eur_per_year: float = param(89_000.0, unit="EUR per year", low=0, high=1e9,
                                       source="seed 002: ICM, 580 k EUR for 2023-2029 (about 6.5 years)",
                                       help="cost of the office per year")
    advice_share: float = param(0.25, low=0, high=1,
                                source="seed 002: advice is one of the office's four services",
                                help="share of the office's staff time (budget / wage) for advising applicants")
    advice_staff_months: float = param(0.3, unit="staff-months per application", low=0, low_open=True, high=100,
                                       source="assumption", help="advice on one application to the call")
    expertise: float = param(0.85, low=0, high=1, source="assumption (seed 002: an experienced renovation office)",
                             help="knowledge level of the office's staff, in [0, 1]")
    events_per_year: int = param(2, low=0, high=52,
                                 source="seed 002: a kick-off, an interim and a closing event, plus knowledge transfer; "
                                        "assumption",
                                 help="knowledge-transfer events for member municipalities")
    event_evidence: float = param(0.3, unit="experiences", low=0, high=100, source="assumption",
                                  help="positive evidence between municipalities that meet at an event, each way")
    event_learning: float = param(0.1, low=0, high=1, source="assumption",
                                  help="an event closes this share of a participant's gap to the office's expertise")
    advice: bool = switch("advises applicants to the call", "seed 002: 'Beratung der Kommunen'")
    events: bool = switch("knowledge-transfer events", "seed 002: 'Organisation des Wissenstransfers'")


@dataclass
class DevelopmentConfig:
    """Regional development management (LebensWert, seed 004): forums, a shared pool, a funding catalogue,
    and a coordination unit."""

    managers: float = param(2.0, unit="full-time staff", low=0, high=1_000, source="assumption",
                            help="staff of the regional development management (its cost and coordination capacity)")
    forum_interval_months: int = param(6, unit="months", low=1, high=120, source="seed 004: 'Treffen 2x jaehrlich'",
                                       help="technical staff of member towns meet this often")
    forum_participation: float = param(0.75, low=0, high=1,
                                       source="seed 004: technical staff from 12 of 16 towns took part",
                                       help="chance that a member town takes part in a forum")
    forum_evidence: float = param(0.3, unit="experiences", low=0, high=100, source="assumption",
                                  help="positive evidence between towns that meet at a forum, each way")
    forum_learning: float = param(0.1, low=0, high=1,
                                  source="seed 004: exchange of experience on funding programmes",
                                  help="a forum closes this share of a participant's gap to the best-informed participant")
    pool_share: float = param(0.1, low=0, high=1, source="assumption (seed 004: 'Dienstleistungspool')",
                              help="share of members' capacity put into the shared pool, drawn by members short of staff")
    catalogue_factor: float = param(0.5, low=0, high=1,
                                    source="assumption (seed 004: joint catalogue of funding programmes)",
                                    help="small members' application work is multiplied by this")
    catalogue_expertise: float = param(0.6, low=0, high=1, source="assumption",
                                       help="small members write applications at least at this knowledge level")
    small_town_population: int = param(20_000, unit="inhabitants", low=0, high=10_000_000, source="assumption",
                                       help="towns below this count as small for the catalogue")
    coordination_staff_months: float = param(0.01, unit="staff-months per member and month", low=0,
                                             low_open=True, high=100, source="assumption",
                                             help="coordinating a member consortium, per member and month")
    forums: bool = switch("forums of technical staff", "seed 004: forum meetings, 19 people from 12 towns")
    pool: bool = switch("shared service pool", "seed 004: 'Gruendung Dienstleistungspool'")
    catalogue: bool = switch("joint catalogue of funding programmes", "seed 004: 'Gemeinsamer Aufbau eines Katalogs'")
    coordination: bool = switch("coordinates member consortia as a hub",
                                "seed 004: 'Verlaessliche Koordination und Abstimmung durch eine institutionalisierte "
                                "Koordinationseinheit'")


@dataclass
class EventsConfig:
    """Culture events and agility workshops (Klima.Werk 2023 phase, seed 000)."""

    interval_months: int = param(6, unit="months", low=1, high=120, source="assumption",
                                 help="an event takes place this often")
    participation: float = param(0.8, low=0, high=1, source="assumption",
                                 help="chance that a member municipality takes part")
    actors_per_event: int = param(10, unit="companies and NGOs", low=0, high=10_000, source="assumption",
                                  help="companies and NGOs of member towns invited to each event")
    evidence: float = param(0.5, unit="experiences", low=0, high=100, source="assumption",
                            help="positive evidence between participants, each way")
    cost_eur_per_event: float = param(10_000.0, unit="EUR", low=0, high=1e8, source="assumption",
                                      help="cost of one event")
    events: bool = switch("culture events and agility workshops", "seed 000: 'Agilitaetsworkshops und ergaenzende "
                                                                  "Kulturevents'")


@dataclass
class EntryConfig:
    """Non-members join the initiative when members visibly gain (seed 004: benefits must be visible)."""

    review_interval_months: int = param(12, unit="months", low=1, high=120, source="assumption",
                                        help="non-members reconsider this often")
    threshold_eur_per_head: float = param(0.5, unit="EUR per inhabitant and year", low=0, high=10_000,
                                          source="assumption",
                                          help="members' approved funds per head over the last year must exceed "
                                               "the non-member's own by this")
    probability: float = param(0.3, low=0, high=1, source="assumption (seed 004: inertia, old cliques)",
                               help="chance that a non-member who sees the gain joins at a review")
    joining: bool = switch("non-members join when members visibly gain",
                           "seed 000: 'Integration weiterer Kommunen'; seed 004: 'Nutzen muss sehr sichtbare Vorteile haben'")


@dataclass
class AssociationConfig:
    """Regional association (RVR, seed 003): climate data and expertise for all municipalities."""

    staff: float = param(2.0, unit="full-time staff", low=0, high=1_000, source="assumption",
                         help="staff providing data and expertise (its cost and capacity)")
    expertise: float = param(0.8, low=0, high=1, source="assumption (seed 003: 'Expertenpool' for climate and weather)",
                             help="knowledge level its data and experts bring, in [0, 1]")
    transfer_rate: float = param(0.02, unit="per month", low=0, high=1, source="assumption",
                                 help="at full staffing, closes this share of a municipality's gap to its expertise a month")
    transfer_staff_months: float = param(0.02, unit="staff-months per municipality and month", low=0,
                                         low_open=True, high=100, source="assumption",
                                         help="staff time per municipality and month for the full rate")
    knowledge: bool = switch("climate data and expertise for every municipality",
                             "seed 003: 'Bereitstellung von Klima- und Wetterdaten ... Wissenstransfer'")


@dataclass
class RulesConfig:
    """Decision rules, chosen by name from the registry (``python -m sim list``)."""

    partner_selection: str = param("expected_value", registry="partner selection rule",
                                   source="Berardo & Scholz 2010; Klos & Nooteboom 2001",
                                   help="how a lead ranks candidate partners")
    consortium: str = param("ica", registry="consortium rule", source="Feiock 2007, 2013",
                            help="when a partner is worth adding and agrees to join")
    trust: str = param("beta", registry="trust rule", source="Josang & Ismail 2002", help="how trust follows evidence")


@dataclass
class OutputConfig:
    dir: str = param("results/runs", source="assumption", help="where single-run result folders are written")
    sweep_dir: str = param("results/sweeps", source="assumption",
                           help="where sweep folders are written (python -m sim -m ..., or replications > 1)")
    cache_dir: str = param("results/cache", source="assumption",
                           help="the content-addressed run cache shared by sweeps and comparisons (sim/cache.py)")
    name: str = param("", source="assumption",
                      help="result folder name; empty = <region>-seed<seed>-<timestamp> for a run, derived from "
                           "the swept keys for a sweep; an existing run folder is an error, a sweep folder is resumed")
    write: bool = param(True, source="assumption", help="write the result folder")
    network: bool = param(False, source="assumption",
                          help="also write the network at start and end (nodes.csv, network_start.csv, network_end.csv)")
    quiet: bool = param(False, source="assumption", help="print only the result path")


@dataclass
class Config:
    """Everything one run needs. ``python -m sim --cfg job`` prints the resolved values."""

    seed: int = param(0, low=0, high=2**63 - 1, source="assumption", help="root seed of all random streams")
    horizon_months: int = param(120, unit="months", low=1, high=1200,
                                source="DESIGN.md: default horizon 10 years", help="number of monthly steps")
    replications: int = param(1, low=1, high=100_000, source="assumption",
                              help="runs with seeds seed .. seed+replications-1 in one job (written as a sweep)")
    metrics: list[str] = field(default_factory=list, metadata=dict(
        unit="", low=None, high=None, low_open=False, high_open=False, choices=None, registry="metric",
        source="assumption",
        help="metrics recorded every month, by name (python -m sim list); empty = every registered metric. "
             "python -m sim and sweeps only: compare, explain, calibrate and the dashboard need them all"))
    region: RegionConfig = group(RegionConfig)
    actors: ActorsConfig = group(ActorsConfig)
    network: NetworkConfig = group(NetworkConfig)
    trust: TrustConfig = group(TrustConfig)
    projects: ProjectsConfig = group(ProjectsConfig)
    needs: NeedsConfig = group(NeedsConfig)
    requests: RequestsConfig = group(RequestsConfig)
    funding: ProgrammeConfig = group(ProgrammeConfig)
    second_programme: ProgrammeConfig = field(default_factory=lambda: ProgrammeConfig(
        label="second programme", budget_per_head_year=0.0, themes=["energy"]))
    scenario: ScenarioConfig = group(ScenarioConfig)
    service_organisation: ServiceOrgConfig = group(ServiceOrgConfig)
    city_coordinators: CityCoordinatorsConfig = group(CityCoordinatorsConfig)
    broker_group: BrokerConfig = group(BrokerConfig)
    project_office: ProjectOfficeConfig = group(ProjectOfficeConfig)
    development: DevelopmentConfig = group(DevelopmentConfig)
    culture_events: EventsConfig = group(EventsConfig)
    entry: EntryConfig = group(EntryConfig)
    association: AssociationConfig = group(AssociationConfig)
    rules: RulesConfig = group(RulesConfig)
    output: OutputConfig = group(OutputConfig)


# --------------------------------------------------------------------------------------------
# Conversion and validation


def from_container(data: dict[str, Any] | None = None, cls: type = Config, path: str = "") -> Any:
    """Build a dataclass from a nested mapping, rejecting unknown keys, wrong types and out-of-range values.

    >>> from_container({"horizon_months": 12}).horizon_months
    12
    >>> from_container({"horizon_month": 12})
    Traceback (most recent call last):
    ...
    sim.errors.UserError: unknown key 'horizon_month' (did you mean 'horizon_months'?)
    """
    if cls is Config and not path:
        _load_components()
    data = dict(data or {})
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{path}{close[0]}'?)" if close else f"; allowed: {', '.join(names)}"
            raise UserError(f"unknown key '{path}{key}'{hint}")
    values = {}
    for f in dataclasses.fields(cls):
        key = path + f.name
        if f.name not in data:
            continue
        value, kind = data[f.name], hints[f.name]
        if dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise UserError(f"'{key}' must be a group of settings, not {value!r}")
            values[f.name] = from_container(value, kind, key + ".")
        else:
            values[f.name] = _coerce(key, value, kind)
            _check_range(key, values[f.name], f.metadata)
    return cls(**values)


def _coerce(key: str, value: Any, kind: type) -> Any:
    if get_origin(kind) is list:
        if not isinstance(value, (list, tuple)):
            raise UserError(f"'{key}' must be a list such as [1,2], not {value!r}")
        (item,) = get_args(kind)
        return [_coerce(f"{key}[{i}]", v, item) for i, v in enumerate(value)]
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise UserError(f"'{key}' must be true or false, not {value!r}")
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise UserError(f"'{key}' must be a whole number, not {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"'{key}' must be a number, not {value!r}")
        if not math.isfinite(value):
            raise UserError(f"'{key}' must be a finite number, not {value!r}")
        return float(value)
    if kind is str:
        if isinstance(value, (dict, list)):
            raise UserError(f"'{key}' must be text, not {value!r}")
        return str(value)
    raise TypeError(f"unsupported config type {kind} for {key}")  # a bug in this module, not user input


def _check_range(key: str, value: Any, meta: Any) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_range(f"{key}[{i}]", item, meta)
        return
    choices = meta.get("choices")
    if meta.get("registry"):
        from sim.components import registry_of

        registry = registry_of(meta["registry"])
        if value not in registry:
            raise UserError(f"'{key}' = {value!r} is not a registered {registry.kind}; registered: "
                            f"{', '.join(sorted(registry.names()))} (python -m sim list)")
    if choices and value not in choices:
        raise UserError(f"'{key}' = {value!r} is not allowed; choose one of: {', '.join(choices)}")
    low, high = meta.get("low"), meta.get("high")
    if low is None and high is None:
        return
    too_low = low is not None and (value <= low if meta["low_open"] else value < low)
    too_high = high is not None and (value >= high if meta["high_open"] else value > high)
    if too_low or too_high:
        raise UserError(f"'{key}' = {value!r} is out of range; allowed: {describe_range(meta)}")


def describe_range(meta: Any) -> str:
    low, high = meta.get("low"), meta.get("high")
    left = "(" if meta.get("low_open") else "["
    right = ")" if meta.get("high_open") else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    return f"{left}{lo}, {hi}{right}{unit}"


def to_dict(cfg: Any) -> dict[str, Any]:
    """The config as plain nested dicts (for metadata files and Hydra)."""
    return dataclasses.asdict(cfg)


def iter_params(cls: type = Config, prefix: str = ""):
    """Yield (dotted key, dataclass field) for every parameter; used by docs, the dashboard and tests."""
    if cls is Config and not prefix:
        _load_components()
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from iter_params(hints[f.name], prefix + f.name + ".")
        else:
            yield prefix + f.name, f


# --------------------------------------------------------------------------------------------
# Config groups of components (sim/components.py)

_COMPONENT_GROUPS: dict[str, type] = {}      # group key -> the component's Params dataclass, as added


def _load_components() -> None:
    from sim.components import load

    load()


def component_groups() -> dict[str, type]:
    """The config groups that components declared beside themselves (key -> Params dataclass)."""
    return dict(_COMPONENT_GROUPS)


def set_groups(groups: dict[str, type]) -> None:
    """Make each ``Params`` dataclass a config group of :class:`Config` under its key, in place (and drop
    groups of components no longer registered).

    The class object stays the same (every ``from sim.config import Config`` sees the new groups, and
    pickled configs name the same class); its fields, ``__init__``, ``__repr__`` and ``__eq__`` are made
    anew with the groups added at the end. Called by ``sim.components.load`` once components are imported.
    """
    if groups == _COMPONENT_GROUPS:
        return
    static = [f for f in dataclasses.fields(Config) if f.name not in _COMPONENT_GROUPS]
    for key in groups:
        if any(f.name == key for f in static):
            raise UserError(f"a component's config group '{key}' would replace the model's own group '{key}'; "
                            "give the component another config_key")
    _COMPONENT_GROUPS.clear()
    _COMPONENT_GROUPS.update(groups)

    def copy(f: dataclasses.Field) -> dataclasses.Field:
        return field(default=f.default, default_factory=f.default_factory, metadata=f.metadata)

    spec = [(f.name, f.type, copy(f)) for f in static]
    spec += [(key, params, field(default_factory=params)) for key, params in _COMPONENT_GROUPS.items()]
    made = dataclasses.make_dataclass("Config", spec, module=__name__)
    for attr in ("__init__", "__repr__", "__eq__", "__dataclass_fields__", "__dataclass_params__",
                 "__match_args__", "__annotations__"):
        setattr(Config, attr, getattr(made, attr))
    Config.__init__.__qualname__ = "Config.__init__"
