"""Plain-text summary of one run, as printed by ``python -m sim``."""

from __future__ import annotations

import math

from sim.config import Config


def _n(x: float, digits: int = 0) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def _pct(x: float) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{100 * x:.0f} %"


def _meur(x: float) -> str:
    return f"{x / 1e6:,.2f} M EUR"


def summary_text(s: dict, cfg: Config) -> str:
    """One line per family of outcomes; with ``metrics=[...]``, the lines of the families recorded and one
    line naming the recorded families that have none here (their numbers are in timeseries.csv)."""
    chosen = set(cfg.metrics)
    lines = [line(s, cfg) for families, line in LINES if not chosen or set(families) <= chosen]
    rest = [f for f in cfg.metrics if not any(f in fs and set(fs) <= chosen for fs, _ in LINES)]   # no line shows it
    if rest:
        lines.append(f"Not shown   {', '.join(rest)}: recorded in timeseries.csv and summary.json")
    return "\n".join(lines)


def _region(s: dict, cfg: Config) -> str:
    region = cfg.region.csv or cfg.region.preset + (f" (AGS {cfg.region.ags_prefix}*)" if cfg.region.ags_prefix else "")
    return (f"Region      {region}: {_n(s['municipalities'])} municipalities, {_n(s['companies'])} companies, "
            f"{_n(s['ngos'])} NGOs"
            + "".join(f" ({_n(v)} of them {k[len('agents_'):]})" for k, v in s.items() if k.startswith("agents_"))
            + f"; {_n(s['months'])} months, seed {cfg.seed}"
            + (f"; metrics recorded: {', '.join(cfg.metrics)}" if cfg.metrics else ""))


def _pipeline(s: dict, cfg: Config) -> str:
    return (f"Pipeline    ideas {_n(s['ideas'])} -> applications {_n(s['applications'])} -> approvals "
            f"{_n(s['approvals'])} -> completions {_n(s['completions'])} (rejected {_n(s['rejections'])}, "
            f"failed {_n(s['failures'])}, dropped {_n(s['dropped'])})")


def _conversion(s: dict, cfg: Config) -> str:
    return (f"Conversion  application rate {_pct(s['application_rate'])}, approval rate {_pct(s['approval_rate'])}, "
            f"completion rate {_pct(s['completion_rate'])}; failed: {_n(s['failures_default'])} partner did not "
            f"deliver, {_n(s['failures_stalled'])} stalled, {_n(s['failures_external'])} external")


def _needs(s: dict, cfg: Config) -> str:
    return (f"Needs met   water {_n(s['water_disconnected_ha'], 1)} ha disconnected "
            f"({_n(100 * s['water_disconnected_share'], 2)} % of the sealed area), energy "
            f"{_n(s['energy_districts_renovated'])} districts, services {_n(s['services_shared'])} fields, supply "
            f"{_n(s['supply_localities_served'], 1)} localities")


def _consortia(s: dict, cfg: Config) -> str:
    return (f"Consortia   {_n(s['consortia'])} with partners; sizes 1/2/3/4/5+: {_n(s['consortium_size_1'])}/"
            f"{_n(s['consortium_size_2'])}/{_n(s['consortium_size_3'])}/{_n(s['consortium_size_4'])}/"
            f"{_n(s['consortium_size_5plus'])}; partners closing a triangle {_pct(s['triangle_share'])}, repeating "
            f"{_pct(s['repeat_share'])}; NGOs' requests met {_n(s['request_matches'])} of {_n(s['requests'])}")


def _lead_time(s: dict, cfg: Config) -> str:
    return (f"Lead time   idea to approval {_n(s['lead_time_approval_months'], 1)} months, idea to completion "
            f"{_n(s['lead_time_completion_months'], 1)} months")


def _funds(s: dict, cfg: Config) -> str:
    return (f"Funds       budget {_meur(s['budget_per_year_eur'])} a year; requested {_meur(s['funds_requested_eur'])}, "
            f"approved {_meur(s['funds_approved_eur'])}, spent {_meur(s['funds_spent_eur'])}, "
            f"unspent {_meur(s['funds_unspent_eur'])}")


def _trust(s: dict, cfg: Config) -> str:
    return (f"Trust       all ties {_n(s['trust_mean'], 3)} (10th percentile {_n(s['trust_p10'], 3)}, "
            f"90th {_n(s['trust_p90'], 3)}); ties in use {_n(s['trust_in_use_mean'], 3)} "
            f"({_n(s['trust_in_use_p10'], 3)} to {_n(s['trust_in_use_p90'], 3)})")


def _network(s: dict, cfg: Config) -> str:
    return (f"Network     {_n(s['ties'])} ties, density {_n(s['density'], 4)}, clustering {_n(s['clustering'], 2)}, "
            f"cross-sector share {_pct(s['cross_sector_share'])}")


def _equity(s: dict, cfg: Config) -> str:
    return f"Equity      Gini of approved funds per head across municipalities {_n(s['gini_funds_per_head'], 2)}"


LINES = (((), _region), (("pipeline",), _pipeline), (("conversion", "delivery"), _conversion), (("needs",), _needs),
         (("consortia", "pipeline"), _consortia), (("lead_times",), _lead_time), (("funds",), _funds),
         (("trust",), _trust), (("network",), _network), (("equity",), _equity))   # (metric families, line)
