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
from typing import Any, get_type_hints

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
                                    "dropped; also the longest a consortium waits for staff to write its application")
    application_staff_months: float = param(0.5, unit="staff-months", low=0, high=100, source="assumption",
                                            help="work to write one funding application")
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
class FundingConfig:
    """One funding programme (KRIS-like). More programmes and allocation rules come with scenarios."""

    budget_per_head_year: float = param(
        1.42, unit="EUR per inhabitant and year", low=0, high=10_000,
        source="KRIS predecessor programme: 5 M EUR per year (notes/literature.md) over the 3.52 M "
               "inhabitants of the 17 Emscher cities",
        help="annual programme budget divided by the region's population")
    cofinancing_share: float = param(0.2, low=0, high=1, high_open=True,
                                     source="KRIS predecessor: up to 80 % of costs funded (notes/literature.md)",
                                     help="share of a project's cost that the applicants pay themselves")
    approval_threshold: float = param(0.25, low=0, high=1, source="assumption",
                                      help="an application is approved if its quality is at least this")
    allocation: str = param("threshold", source="assumption", help="allocation rule, by name (python -m sim list)")


@dataclass
class RulesConfig:
    """Decision rules, chosen by name from the registry (``python -m sim list``)."""

    partner_selection: str = param("trust", source="Berardo & Scholz 2010; Klos & Nooteboom 2001",
                                   help="how a lead ranks candidate partners")
    consortium: str = param("ica", source="Feiock 2007, 2013", help="when a partner agrees to join")
    trust: str = param("beta", source="Josang & Ismail 2002", help="how trust follows evidence")


@dataclass
class OutputConfig:
    dir: str = param("results/runs", source="assumption", help="where result folders are written")
    name: str = param("", source="assumption",
                      help="result folder name; empty = <region>-seed<seed>-<timestamp>; an existing one is an error")
    write: bool = param(True, source="assumption", help="write the result folder")
    quiet: bool = param(False, source="assumption", help="print only the result path")


@dataclass
class Config:
    """Everything one run needs. ``python -m sim --cfg job`` prints the resolved values."""

    seed: int = param(0, low=0, high=2**63 - 1, source="assumption", help="root seed of all random streams")
    horizon_months: int = param(120, unit="months", low=1, high=1200,
                                source="DESIGN.md: default horizon 10 years", help="number of monthly steps")
    region: RegionConfig = group(RegionConfig)
    actors: ActorsConfig = group(ActorsConfig)
    network: NetworkConfig = group(NetworkConfig)
    trust: TrustConfig = group(TrustConfig)
    projects: ProjectsConfig = group(ProjectsConfig)
    funding: FundingConfig = group(FundingConfig)
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
