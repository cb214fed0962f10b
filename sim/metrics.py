"""Outcome metrics: named functions of the model, recorded every month.

Each metric is a function ``model -> float`` (or ``model -> dict[str, float]`` for a family of
related numbers) registered with ``@metrics.register(name, unit=...)``. The :class:`Recorder`
calls every registered metric after each month and keeps a tidy table (step, metric, value).
Ratios with a zero denominator (e.g. the approval rate before any application) are NaN:
undefined, not zero.
"""

from __future__ import annotations

import math
import weakref
from itertools import chain, repeat

import numpy as np
import pandas as pd

from sim.network import SECTORS, pair_code
from sim.projects import State
from sim.registry import Registry

metrics = Registry("metric")


def ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def may_be_undefined(name: str) -> bool:
    """Ratios and means are NaN while there is nothing to divide by (e.g. no application yet);
    every other metric is always a finite number."""
    return name.startswith("trust") or name.endswith(
        ("_rate", "_share", "_months", "_utilisation", "_per_completion_eur"))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, towards 1 = concentrated).

    >>> gini(np.array([1.0, 1.0, 1.0])), gini(np.array([0.0, 0.0, 3.0]))
    (0.0, 0.6666666666666666)
    """
    x = np.sort(np.asarray(values, float))
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * total))


# -- pipeline ---------------------------------------------------------------------------------

PIPELINE = {"ideas": State.IDEA, "applications": State.APPLICATION, "approvals": State.APPROVED,
            "rejections": State.REJECTED, "completions": State.COMPLETED, "failures": State.FAILED,
            "dropped": State.DROPPED}


@metrics.register("pipeline", unit="projects, cumulative")
def pipeline(model) -> dict[str, float]:
    """Projects of the funding pipeline that ever reached each stage: ideas, applications, approvals,
    rejections, completions, failures, dropped (ideas given up for lack of partners or staff).
    Self-funded projects (broker matches) are counted apart: self_funded_completions."""
    reached = model.projects.reached
    out = {name: float(reached[state]) for name, state in PIPELINE.items()}
    out["self_funded_completions"] = float(model.projects.reached_self_funded[State.COMPLETED])
    return out


@metrics.register("consortia", unit="consortia, cumulative")
def consortia(model) -> dict[str, float]:
    """Consortia with partners formed so far: consortia (all), inter_municipal_consortia (with other
    municipalities), cross_sector_consortia (with companies or NGOs)."""
    c = model.projects.consortia
    return {"consortia": float(sum(c.values())), "inter_municipal_consortia": float(c["inter_municipal"]),
            "cross_sector_consortia": float(c["cross_sector"]),
            "company_ngo_consortia": float(model.projects.company_ngo)}


@metrics.register("two_stage", unit="projects, cumulative; share")
def two_stage(model) -> dict[str, float]:
    """concepts_completed: funded concepts finished (first of two stages); followups_approved: of
    their implementation applications, approved; concept_followup_share: the second over the first
    (KfW 432: about 16 %)."""
    counts = model.projects.stage_reached
    done, approved = counts.get((1, State.COMPLETED), 0), counts.get((2, State.APPROVED), 0)
    return {"concepts_completed": float(done), "followups_approved": float(approved),
            "concept_followup_share": ratio(approved, done)}


@metrics.register("active", unit="projects")
def active(model) -> dict[str, float]:
    """Projects currently searching partners, in a consortium preparing an application, and in implementation."""
    book = model.projects
    return {"active_partner_search": float(book.count(State.PARTNER_SEARCH)),
            "active_consortium": float(book.count(State.CONSORTIUM)),
            "active_implementation": float(book.count(State.IMPLEMENTATION))}


@metrics.register("conversion", unit="share")
def conversion(model) -> dict[str, float]:
    """application_rate = applications / ideas; approval_rate = approvals / applications;
    completion_rate = completions / (completions + failures)."""
    r = model.projects.reached
    return {"application_rate": ratio(r[State.APPLICATION], r[State.IDEA]),
            "approval_rate": ratio(r[State.APPROVED], r[State.APPLICATION]),
            "completion_rate": ratio(r[State.COMPLETED], r[State.COMPLETED] + r[State.FAILED])}


@metrics.register("lead_times", unit="months")
def lead_times(model) -> dict[str, float]:
    """Mean months from idea to approval, and from idea to completion, of the projects so far."""
    book = model.projects
    return {"lead_time_approval_months": book.lead_time(State.APPROVED),
            "lead_time_completion_months": book.lead_time(State.COMPLETED)}


@metrics.register("funds", unit="EUR, cumulative")
def funds(model) -> dict[str, float]:
    """Funding requested and approved, paid out (spent), and unspent (lapsed at year ends, released by
    failed projects, or still available this year)."""
    progs = model.programmes.values()
    return {"funds_requested_eur": sum(p.requested for p in progs), "funds_approved_eur": sum(p.approved for p in progs),
            "funds_spent_eur": sum(p.spent for p in progs),
            "funds_unspent_eur": sum(p.lapsed + p.available for p in progs)}


@metrics.register("coordination", unit="EUR, cumulative")
def coordination(model) -> dict[str, float]:
    """coordination_cost_eur: what the coordinating bodies cost so far (staff at the wage, events,
    offices); cost_per_completion_eur: grants paid out plus coordination cost, per completed project;
    members: municipalities in the initiative. Each body adds its own metrics (requests, served,
    queue, waiting months, utilisation, cost; broker matches; ...), prefixed with its name."""
    cost = float(sum(b.cost_eur for b in model.bodies))
    spent = sum(p.spent for p in model.programmes.values())
    done = model.projects.reached[State.COMPLETED]
    out = {"coordination_cost_eur": cost, "cost_per_completion_eur": ratio(spent + cost, done),
           "members": float(sum(m.member for m in model.municipalities))}
    for body in model.bodies:
        out.update(body.metrics())
    return out


# -- trust and network ------------------------------------------------------------------------

SECTOR_PAIRS = [(a, b) for i, a in enumerate(SECTORS[:3]) for b in SECTORS[i:3]]
PAIR_CODES = [int(pair_code(SECTORS.index(a), SECTORS.index(b))) for a, b in SECTOR_PAIRS]
SAME_SECTOR = [int(pair_code(k, k)) for k in range(3)]
PAIR_TRUST_KEYS = [f"trust_{a}_{b}" for a, b in SECTOR_PAIRS]


def percentiles(x: np.ndarray, qs=(10, 50, 90), repeated: tuple[float, int] = (0.0, 0)) -> list[float]:
    """Percentiles of ``x`` plus ``repeated = (value, count)``, that is of ``x`` with ``count`` more
    copies of ``value``, exactly as ``np.percentile`` computes them on all values (linear interpolation),
    from one sort of ``x`` and plain float arithmetic: np.percentile's own overhead dominates on a few
    thousand ties. (One sort is also faster than ``np.partition`` at six positions.)

    >>> x = np.random.default_rng(0).random(1001)
    >>> percentiles(x) == np.percentile(x, [10, 50, 90]).tolist()
    True
    >>> percentiles(x, repeated=(0.7, 3000)) == np.percentile(np.r_[x, [0.7] * 3000], [10, 50, 90]).tolist()
    True
    """
    x = np.sort(x)
    value, count = repeated
    start = int(x.searchsorted(value)) if count else len(x)        # where the copies go

    def ranked(k: int) -> float:
        return float(x[k]) if k < start else value if k < start + count else float(x[k - count])

    size = len(x) + count
    out = []
    for q in qs:
        at = (size - 1) * (q / 100)
        lo = math.floor(at)
        gamma = at - lo
        a, b = ranked(lo), ranked(min(lo + 1, size - 1))
        diff = b - a
        out.append(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
    return out


@metrics.register("trust", unit="trust in [0, 1]")
def trust(model) -> dict[str, float]:
    """Trust over all ties between actors (coordinating bodies' own ties left out, so a body that
    does nothing leaves it as it was): mean, 10th/50th/90th percentile, and the mean per sector pair
    (public = municipalities, business = companies, civil = NGOs)."""
    at = model.network.actor_trust(model.steps)
    if at.ties == 0:
        return {"trust_mean": float("nan"), **{f"trust_p{q}": float("nan") for q in (10, 50, 90)},
                **{key: float("nan") for key in PAIR_TRUST_KEYS}}
    quantiles = percentiles(at.trust, repeated=(at.standing, at.n_standing))
    out = {"trust_mean": float(at.sum_by_pair.sum()) / at.ties,
           **dict(zip(("trust_p10", "trust_p50", "trust_p90"), quantiles))}
    counts, sums = at.count_by_pair.tolist(), at.sum_by_pair.tolist()
    for key, c in zip(PAIR_TRUST_KEYS, PAIR_CODES):
        out[key] = sums[c] / counts[c] if counts[c] else float("nan")
    return out


@metrics.register("network", unit="see docstring")
def network(model) -> dict[str, float]:
    """ties (count), density (ties / possible ties), clustering (average local clustering
    coefficient), cross_sector_share (share of ties between different sectors); ties between
    actors only, as for trust."""
    at = model.network.actor_trust(model.steps)
    n, ties = len(model.municipalities) + len(model.companies) + len(model.ngos), at.ties
    same = int(sum(at.count_by_pair[c] for c in SAME_SECTOR))
    return {"ties": float(ties),
            "density": 2.0 * ties / (n * (n - 1)) if n > 1 else 0.0,
            "clustering": model.network.average_clustering(n),
            "cross_sector_share": (ties - same) / ties if ties else float("nan")}


_last_gini: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # model -> (its grants, their Gini)


@metrics.register("equity", unit="Gini in [0, 1]")
def equity(model) -> dict[str, float]:
    """gini_funds_per_head: Gini coefficient of approved funds per inhabitant across municipalities
    (recomputed only in months when the approved funds changed)."""
    grants = b"".join(p.granted_to.tobytes() for p in model.programmes.values())
    try:
        last = _last_gini.get(model)
    except TypeError:                                   # a stand-in that cannot be weakly referenced
        return {"gini_funds_per_head": gini(funds_by_municipality(model) / model.population)}
    if last is None or last[0] != grants:
        last = _last_gini[model] = (grants, gini(funds_by_municipality(model) / model.population))
    return {"gini_funds_per_head": last[1]}


def funds_by_municipality(model) -> np.ndarray:
    """Approved grants per municipality (EUR), credited to the lead."""
    return sum((p.granted_to for p in model.programmes.values()), np.zeros(len(model.municipalities)))


# -- recording --------------------------------------------------------------------------------


class Recorder:
    """Calls every registered metric after each month; ``table()`` gives the tidy (step, metric, value)."""

    def __init__(self, names: list[str] | None = None):
        self.funcs = [metrics.get(n) for n in (names or metrics.names())]
        self.steps: list[int] = []
        self.rows: list[dict[str, float]] = []

    def collect(self, model) -> None:
        row: dict[str, float] = {}
        for func in self.funcs:
            value = func(model)
            row.update(value if isinstance(value, dict) else {func.key: float(value)})
        self.steps.append(model.steps)
        self.rows.append(row)

    def table(self) -> pd.DataFrame:
        """Long format, metric by metric and month by month within each (a metric missing in some
        month is NaN there)."""
        names = list(dict.fromkeys(chain.from_iterable(self.rows)))    # every metric, in order of appearance
        if not names:
            return pd.DataFrame({"step": np.zeros(0, np.int64), "metric": np.zeros(0, object), "value": np.zeros(0)})
        values = np.array([list(map(row.get, names, repeat(float("nan")))) for row in self.rows],
                          dtype=float).reshape(-1, len(names))
        return pd.DataFrame({"step": np.tile(np.array(self.steps, dtype=np.int64), len(names)),
                             "metric": np.repeat(np.array(names, dtype=object), len(self.steps)),
                             "value": values.T.ravel()})

    def final(self) -> dict[str, float]:
        return dict(self.rows[-1]) if self.rows else {}


def municipality_table(model) -> pd.DataFrame:
    """One row per municipality: its data, its projects by stage, its funds and its ties."""
    counts = [[0] * len(PIPELINE) for _ in model.municipalities]
    stages = list(PIPELINE.values())
    for p in model.projects.all:
        if p.origin == "broker":
            continue
        row = counts[p.lead_index]
        for j, state in enumerate(stages):
            if state in p.entered:
                row[j] += 1
    counts = np.array(counts, dtype=int).reshape(-1, len(PIPELINE))
    grants = funds_by_municipality(model)
    ties, step = model.network.eid_of, model.steps          # node -> {neighbour: edge id}
    table = pd.DataFrame({
        "ags": [m.ags for m in model.municipalities], "name": [m.name for m in model.municipalities],
        "population": [m.population for m in model.municipalities],
        "member": [m.member for m in model.municipalities],
        "capacity_staff_months": [m.capacity for m in model.municipalities],
        **{name: counts[:, j] for j, name in enumerate(PIPELINE)},
        "funds_approved_eur": grants, "funds_per_head_eur": grants / model.population,
        "ties": [len(ties[m.unique_id]) for m in model.municipalities],
        "mean_trust": [float(np.mean(model.network.trust_many(m.unique_id, list(ties[m.unique_id]), step)))
                       if ties[m.unique_id] else float("nan") for m in model.municipalities],
    })
    return table
