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
          source: str, help: str) -> Any:
    """Declare a parameter: default, unit, allowed range and where the default comes from."""
    meta = dict(unit=unit, low=low, high=high, low_open=low_open, high_open=high_open,
                choices=choices, source=source, help=help)
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


@dataclass
class ActorsConfig:
    """How many companies and NGOs each municipality brings, and its administrative capacity."""

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
    company_willingness: float = param(0.4, low=0, high=1, low_open=True, high_open=True, source="assumption",
                                       help="mean social-engagement propensity of companies (Beta, a + b = 5)")
    ngo_willingness: float = param(0.67, low=0, high=1, low_open=True, high_open=True, source="assumption",
                                   help="mean eagerness of NGOs to take part in projects (Beta, a + b = 6)")
    capacity_exponent: float = param(
        0.85, low=0, high=1.5,
        source="Bettencourt et al. 2007 (PNAS 104:7301): infrastructure scales sublinearly (0.8-0.9); "
               "assumption that administration does too",
        help="capacity = capacity_per_100k * (population / 100,000) ** capacity_exponent")


@dataclass
class NetworkConfig:
    """The initial collaboration graph (Berardo & Scholz 2010; distance decay is an assumption)."""

    decay_km: float = param(15.0, unit="km", low=0, low_open=True, high=1_000,
                            source="assumption", help="distance at which the tie probability falls to 1/e")
    max_km: float = param(40.0, unit="km", low=0, high=1_000, source="assumption",
                          help="no initial tie between municipalities farther apart than this")
    tie_probability: float = param(0.8, low=0, high=1, source="assumption",
                                   help="probability of a tie between two neighbouring municipalities at distance 0")
    initial_evidence: float = param(
        2.0, unit="positive experiences", low=0, high=100,
        source="assumption; 60 % of German municipalities already cooperate in general administration "
               "(Rosenfeld et al. 2016, Wirtschaft im Wandel 22(1))",
        help="positive evidence r on every initial tie (prior cooperation)")
    local_ties: int = param(2, unit="ties per company or NGO", low=0, high=100, source="assumption",
                            help="ties of each company and NGO to others in its own municipality")
    prune_evidence: float = param(0.05, unit="experiences", low=0, high=100, source="assumption",
                                  help="once a year, ties unused for a year whose decayed evidence r+s is below this are dropped")


@dataclass
class TrustConfig:
    """Beta reputation with forgetting (Josang & Ismail 2002)."""

    prior_positive: float = param(1.0, low=0, high=100, source="Josang & Ismail 2002 (uniform prior, a = 1)",
                                  help="a in trust = (r + a) / (r + s + a + b); 0 gives zero trust without evidence")
    prior_negative: float = param(1.0, low=0, high=100, source="Josang & Ismail 2002 (uniform prior, b = 1)",
                                  help="b in trust = (r + a) / (r + s + a + b)")
    forgetting: float = param(0.99, unit="per month", low=0, high=1, low_open=True,
                              source="assumption: evidence half-life of about 69 months",
                              help="evidence is multiplied by this every month (1 = never forget)")
    success_weight: float = param(1.0, unit="experiences", low=0, high=100, source="Josang & Ismail 2002",
                                  help="positive evidence a completed joint project adds to each pair")
    failure_weight: float = param(2.0, unit="experiences", low=0, high=100,
                                  source="assumption: trust is easier to lose than to build (notes/literature.md)",
                                  help="negative evidence a failed joint project adds to each pair")


@dataclass
class ProjectsConfig:
    """Project ideas and the cost of cooperating (Feiock 2007, 2013: institutional collective action)."""

    ideas_per_100k: float = param(
        0.08, unit="ideas per month per 100,000 inhabitants", low=0, high=100,
        source="assumption, set so that baseline Emscher stays below the 91 ideas in about 24 months "
               "that Klima.Werk reported with its service organisation (seed 003)",
        help="rate of new project ideas, scaled like capacity (same exponent)")
    partner_share: float = param(0.5, low=0, high=1, source="assumption",
                                 help="share of ideas that need partners")
    cross_sector_share: float = param(0.4, low=0, high=1, source="assumption",
                                      help="share of partnered ideas that need a company or NGO, not a municipality")
    max_partners: int = param(3, low=1, high=20, source="assumption",
                              help="a partnered idea needs 1..max_partners partners")
    cost_median_eur: float = param(
        61_500.0, unit="EUR", low=0, low_open=True, high=1e9,
        source="seed 003: 64 Klima.Werk applications requested 5.2 M EUR, a mean grant of 81 k EUR; with 20 % "
               "co-financing a mean cost of 102 k EUR, and with cost_sigma = 1 a median of 102 k / e^0.5 = 61.5 k",
        help="median project cost (lognormal)")
    cost_sigma: float = param(1.0, low=0, high=5, source="assumption",
                              help="sigma of the lognormal project cost")
    benefit_ratio: float = param(1.5, low=0, high=100, source="assumption",
                                 help="median value of a project's joint gain relative to its cost (lognormal)")
    benefit_sigma: float = param(0.5, low=0, high=5, source="assumption",
                                 help="sigma of the lognormal gain-to-cost ratio")
    staff_months_per_100k_eur: float = param(5.0, unit="staff-months per 100,000 EUR", low=0, high=1_000,
                                             source="assumption",
                                             help="administrative work to implement a project")
    duration_months: float = param(12.0, unit="months", low=1, high=240,
                                   source="KfW 432: a concept takes about a year (notes/literature.md)",
                                   help="median implementation time at full staffing (lognormal)")
    duration_sigma: float = param(0.3, low=0, high=5, source="assumption",
                                  help="sigma of the lognormal implementation time")
    stall_months: int = param(12, unit="months", low=1, high=240, source="assumption",
                              help="an implementation that gets no staff for this long fails")
    search_months: int = param(6, unit="months", low=1, high=120, source="assumption",
                               help="an idea that has not found its partners after this many months of search is "
                                    "dropped; so is a consortium that could not start its application for this long")
    application_pace: float = param(0.25, unit="staff-months per month", low=0, low_open=True, high=100,
                                    source="assumption: a quarter of a post works on an application",
                                    help="most staff time a lead puts into writing one application each month")
    information_cost: float = param(0.3, unit="staff-months", low=0, high=100,
                                    source="assumption; Feiock 2013 information/coordination costs",
                                    help="cost of approaching one candidate partner (doubled via an introduction)")
    negotiation_cost: float = param(0.3, unit="staff-months per other partner", low=0, high=100,
                                    source="assumption; Feiock 2013 negotiation costs",
                                    help="cost of agreeing terms, per other consortium member")
    enforcement_cost: float = param(0.2, unit="staff-months", low=0, high=100,
                                    source="assumption; Feiock 2013 enforcement costs", help="cost of monitoring partners")
    agency_cost: float = param(0.1, unit="staff-months", low=0, high=100,
                               source="assumption; Feiock 2013 agency costs",
                               help="cost of making one's own departments act on the agreement")
    defection_risk: float = param(0.5, low=0, high=1,
                                  source="assumption; Feiock 2013 defection risk, lowered by trust",
                                  help="expected share of the gain lost to a partner with zero trust")
    failure_hazard: float = param(0.005, unit="per month", low=0, high=1, source="assumption",
                                  help="monthly hazard that an implementation fails, at full trust")
    distrust_hazard: float = param(0.02, unit="per month", low=0, high=1, source="assumption",
                                   help="extra monthly failure hazard per unit of distrust (1 - the lowest trust "
                                        "of the lead in a partner, when that partner joined)")
    wage_eur_per_staff_month: float = param(6_000.0, unit="EUR per staff-month", low=0, high=1e6,
                                            source="assumption: employer cost of a TVoeD E11 post",
                                            help="converts staff time into money for the cost-benefit rule")


@dataclass
class ProgrammeConfig:
    """A funding programme: budget, co-financing, allocation rule, windows and stages.

    ``funding`` is the main programme (KRIS-like); ``second_programme`` runs beside it when its budget
    is above zero (a competitive call, a LEADER-like window). Rules: ``python -m sim list``.
    """

    label: str = param("main programme", source="assumption", help="name shown in reports")
    budget_per_head_year: float = param(
        1.42, unit="EUR per inhabitant and year", low=0, high=10_000,
        source="KRIS predecessor programme: 5 M EUR per year (notes/literature.md) over the 3.52 M "
               "inhabitants of the 17 Emscher cities",
        help="annual budget divided by the region's population (0 switches a second programme off)")
    cofinancing_share: float = param(0.2, low=0, high=1, high_open=True,
                                     source="KRIS predecessor: up to 80 % of costs funded (notes/literature.md)",
                                     help="share of a project's cost that the applicants pay themselves")
    approval_threshold: float = param(0.25, low=0, high=1, source="assumption",
                                      help="minimum application quality (in [0, 1]) for approval")
    allocation: str = param("fcfs", choices=("fcfs", "competition", "formula", "lottery"), source="assumption",
                            help="how applications are chosen: first come first served, ranked competition, "
                                 "formula shares per municipality, or lottery")
    application_staff_months: float = param(0.5, unit="staff-months", low=0, high=100, source="assumption",
                                            help="work to write one application (the application cost)")
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
    theme_share: float = param(0.3, low=0, high=1, source="assumption",
                               help="second programme: share of ideas that fit its theme (they apply only there)")
    two_stage: bool = param(False, source="Prima.Klima / KfW 432: concept first, then implementation (seed 002)",
                            help="winners get a concept first; implementation funding needs a second application")
    concept_share: float = param(0.1, low=0, high=1, low_open=True, source="assumption",
                                 help="two stages: cost of the concept as a share of the project's cost")
    concept_months: float = param(12.0, unit="months", low=1, high=120,
                                  source="KfW 432: a concept takes about a year (notes/literature.md)",
                                  help="two stages: median time to write the concept")
    reveal_sigma: float = param(0.6, low=0, high=5, source="assumption (to calibrate on KfW 432's 16 %)",
                                help="two stages: the concept reveals the true gain, lognormal with this sigma "
                                     "around the first estimate")
    hurdle_ratio: float = param(1.0, low=0, high=100,
                                source="assumption: benefits must at least cover costs (to calibrate on KfW 432's 16 %)",
                                help="two stages: members go ahead with implementation only if the revealed gain is "
                                     "at least this multiple of the project's cost")
    formula_basis: str = param("population", choices=("population", "equal"), source="assumption",
                               help="formula allocation: each municipality's share of the budget")
    routed: bool = param(False, source="KRIS: applications go through the service organisation (seed 003)",
                         help="applications need the service organisation's eligibility check first")


@dataclass
class ScenarioConfig:
    """Which coordinating bodies exist and which municipalities belong to the initiative (configs/scenario/)."""

    name: str = param("baseline", source="assumption", help="scenario label shown in reports")
    bodies: list[str] = field(default_factory=list, metadata=dict(
        unit="", low=None, high=None, low_open=False, high_open=False, choices=None, source="assumption",
        help="coordinating bodies by name (python -m sim list), e.g. [service_organisation,culture_events]"))
    members: str = param("all", choices=("all", "emscher", "werra_meissner", "saarbruecken", "rvr"),
                         source="sim/data/SOURCES.md (memberships)",
                         help="initial members of the initiative: all municipalities, or those of a preset "
                              "(e.g. emscher = the 17 Klima.Werk cities within region=rvr)")


@dataclass
class ServiceOrgConfig:
    """Service organisation (Klima.Werk, seeds 000 and 003): staff serving member municipalities."""

    staff: float = param(11.0, unit="full-time staff", low=0, high=10_000,
                         source="seed 003: the service organisation started with 11 staff",
                         help="staff; each gives one staff-month a month")
    project_share: float = param(0.45, low=0, high=1,
                                 source="seed 003: about 4 of its 9 service fields (controlling and monitoring, "
                                        "finance and funding, integral projects, network) serve projects directly",
                                 help="share of staff time for project services; the rest is communication, "
                                      "digital infrastructure and administration")
    search_staff_months: float = param(0.2, unit="staff-months per request", low=0, low_open=True, high=100,
                                       source="assumption", help="partner search and negotiation support")
    advice_staff_months: float = param(0.3, unit="staff-months per request", low=0, low_open=True, high=100,
                                       source="assumption", help="funding advice and eligibility check")
    monitoring_staff_months: float = param(0.2, unit="staff-months per request", low=0, low_open=True,
                                           high=100, source="assumption", help="monitoring an implementation")
    information_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="information costs of a supported partner search are multiplied by this")
    negotiation_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="negotiation costs of a supported consortium are multiplied by this")
    quality_bonus: float = param(0.8, unit="standard deviations", low=0, high=10,
                                 source="assumption (to calibrate on 60 approvals of 64 applications, seed 003)",
                                 help="funding advice raises an application's latent quality by this")
    application_factor: float = param(0.5, low=0, high=1, source="assumption",
                                      help="funding advice multiplies the applicants' work to write the application by this")
    hazard_factor: float = param(0.5, low=0, high=1, source="assumption",
                                 help="monitoring multiplies an implementation's failure hazard by this")
    knowledge_ideas: float = param(0.3, unit="ideas per spare staff-month", low=0, high=100,
                                   source="assumption (to calibrate on 91 ideas in the first period, seed 003)",
                                   help="knowledge transfer: spare project staff time turns into new ideas of members")


@dataclass
class CityCoordinatorsConfig:
    """One city coordinator per member municipality (Klima.Werk, seed 003)."""

    staff_per_city: float = param(0.5, unit="full-time staff per city", low=0, high=100,
                                  source="assumption: part of a post in each city (seed 003: every city has one)",
                                  help="coordinator time per member city (its cost; 0 = no coordinators)")
    agency_factor: float = param(0.3, low=0, high=1, source="assumption",
                                 help="agency costs (working across the city's own departments) are multiplied by this")
    service_factor: float = param(0.5, low=0, high=1, source="assumption",
                                  help="the service organisation needs this share of its usual staff time for "
                                       "requests a coordinator has prepared")


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
    request_rate: float = param(0.2, unit="requests per NGO and month", low=0, high=100,
                                source="assumption (mature groups: 100-150 matches a year, notes/literature.md)",
                                help="NGOs ask the group for support at this rate")
    patience_months: int = param(6, unit="months", low=1, high=120, source="assumption",
                                 help="an NGO's request still waiting after this long is given up")
    staff_months_per_request: float = param(
        0.08, unit="staff-months", low=0, low_open=True, high=100,
        source="Breda 2017: 36 staff-months for 447 matches (notes/literature.md)",
        help="coordinator time to vet and match one request")
    vet_pass_share: float = param(0.8, low=0, high=1, source="assumption",
                                  help="share of requests the group finds concrete enough to pursue")
    min_willingness: float = param(0.3, low=0, high=1, source="assumption",
                                   help="companies below this engagement propensity are never asked")
    suitability: float = param(0.3, low=0, high=1, source="assumption",
                               help="chance that a willing company suits a given request")
    match_cost_eur: float = param(5_000.0, unit="EUR", low=0, high=1e7, source="assumption",
                                  help="value of the help a company gives (money, expertise, volunteer time)")
    match_months: float = param(3.0, unit="months", low=1, high=120, source="assumption",
                                help="how long a matched project runs")
    municipal_share: float = param(0.5, low=0, high=1,
                                   source="seed 001: municipality and companies fund the coordinator jointly; "
                                          "assumption 50/50",
                                   help="share of the coordinator's cost paid by the municipality")


@dataclass
class ProjectOfficeConfig:
    """Project office running a competition (Prima.Klima.Ruhrmetropole, seed 002)."""

    budget_eur_per_year: float = param(89_000.0, unit="EUR per year", low=0, high=1e9,
                                       source="seed 002: ICM, 580 k EUR for 2023-2029 (about 6.5 years)",
                                       help="cost of the office per year")
    advice_bonus: float = param(0.5, unit="standard deviations", low=0, high=10, source="assumption",
                                help="advice raises the quality of applications to the second programme by this")
    events_per_year: int = param(2, low=0, high=52, source="assumption",
                                 help="knowledge-transfer events for municipalities")
    event_evidence: float = param(0.3, unit="experiences", low=0, high=100, source="assumption",
                                  help="positive evidence between municipalities that meet at an event")
    event_ideas: float = param(0.2, unit="ideas per participant", low=0, high=100, source="assumption",
                               help="new ideas an event gives each participating municipality (expected)")


@dataclass
class DevelopmentConfig:
    """Regional development management (LebensWert, seed 004): forums, a shared pool, a funding catalogue."""

    managers: float = param(2.0, unit="full-time staff", low=0, high=1_000, source="assumption",
                            help="staff of the regional development management (its cost)")
    forum_interval_months: int = param(3, unit="months", low=1, high=120, source="assumption",
                                       help="technical staff of member towns meet this often")
    forum_participation: float = param(0.75, low=0, high=1,
                                       source="seed 004: technical staff from 12 of 16 towns took part",
                                       help="chance that a member town takes part in a forum")
    forum_evidence: float = param(0.3, unit="experiences", low=0, high=100, source="assumption",
                                  help="positive evidence between towns that meet at a forum")
    pool_gain: float = param(0.15, low=0, high=5, source="assumption (seed 004: relief and efficiency)",
                             help="a shared service pool raises members' capacity by this share")
    catalogue_factor: float = param(0.5, low=0, high=1,
                                    source="assumption (seed 004: joint catalogue of funding programmes)",
                                    help="small members' information costs and application work are multiplied by this")
    small_town_population: int = param(20_000, unit="inhabitants", low=0, high=10_000_000, source="assumption",
                                       help="towns below this count as small for the catalogue")


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
                            help="positive evidence between participants")
    cost_eur_per_event: float = param(10_000.0, unit="EUR", low=0, high=1e8, source="assumption",
                                      help="cost of one event")


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


@dataclass
class AssociationConfig:
    """Regional association (RVR, seed 003): climate data and expertise for all municipalities."""

    staff: float = param(2.0, unit="full-time staff", low=0, high=1_000, source="assumption",
                         help="staff providing data and expertise (its cost)")
    application_factor: float = param(0.7, low=0, high=1, source="assumption",
                                      help="application work is multiplied by this for every municipality")
    quality_bonus: float = param(0.2, unit="standard deviations", low=0, high=10, source="assumption",
                                 help="climate data raise every application's latent quality by this")


@dataclass
class RulesConfig:
    """Decision rules, chosen by name from the registry (``python -m sim list``)."""

    partner_selection: str = param("trust", source="Berardo & Scholz 2010; Klos & Nooteboom 2001",
                                   help="how a lead ranks candidate partners")
    consortium: str = param("ica", source="Feiock 2007, 2013", help="when a partner agrees to join")
    trust: str = param("beta", source="Josang & Ismail 2002", help="how trust follows evidence")


@dataclass
class OutputConfig:
    dir: str = param("results/runs", source="assumption", help="where single-run result folders are written")
    sweep_dir: str = param("results/sweeps", source="assumption",
                           help="where sweep folders are written (python -m sim -m ..., or replications > 1)")
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
    region: RegionConfig = group(RegionConfig)
    actors: ActorsConfig = group(ActorsConfig)
    network: NetworkConfig = group(NetworkConfig)
    trust: TrustConfig = group(TrustConfig)
    projects: ProjectsConfig = group(ProjectsConfig)
    funding: ProgrammeConfig = group(ProgrammeConfig)
    second_programme: ProgrammeConfig = field(default_factory=lambda: ProgrammeConfig(
        label="second programme", budget_per_head_year=0.0))
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
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from iter_params(hints[f.name], prefix + f.name + ".")
        else:
            yield prefix + f.name, f
