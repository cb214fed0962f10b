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
    region = cfg.region.csv or cfg.region.preset + (f" (AGS {cfg.region.ags_prefix}*)" if cfg.region.ags_prefix else "")
    lines = [
        f"Region      {region}: {_n(s['municipalities'])} municipalities, {_n(s['companies'])} companies, "
        f"{_n(s['ngos'])} NGOs; {_n(s['months'])} months, seed {cfg.seed}",
        f"Pipeline    ideas {_n(s['ideas'])} -> applications {_n(s['applications'])} -> approvals "
        f"{_n(s['approvals'])} -> completions {_n(s['completions'])} (rejected {_n(s['rejections'])}, "
        f"failed {_n(s['failures'])}, dropped {_n(s['dropped'])})",
        f"Conversion  application rate {_pct(s['application_rate'])}, approval rate {_pct(s['approval_rate'])}, "
        f"completion rate {_pct(s['completion_rate'])}",
        f"Lead time   idea to approval {_n(s['lead_time_approval_months'], 1)} months, idea to completion "
        f"{_n(s['lead_time_completion_months'], 1)} months",
        f"Funds       budget {_meur(s['budget_per_year_eur'])} a year; requested {_meur(s['funds_requested_eur'])}, "
        f"approved {_meur(s['funds_approved_eur'])}, spent {_meur(s['funds_spent_eur'])}, "
        f"unspent {_meur(s['funds_unspent_eur'])}",
        f"Trust       mean {_n(s['trust_mean'], 3)} (10th percentile {_n(s['trust_p10'], 3)}, "
        f"90th {_n(s['trust_p90'], 3)})",
        f"Network     {_n(s['ties'])} ties, density {_n(s['density'], 4)}, clustering {_n(s['clustering'], 2)}, "
        f"cross-sector share {_pct(s['cross_sector_share'])}",
        f"Equity      Gini of approved funds per head across municipalities {_n(s['gini_funds_per_head'], 2)}",
    ]
    return "\n".join(lines)
