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

from sim.config import THEMES
from sim.needs import ENERGY, SERVICES, SUPPLY, WATER
from sim.network import NOT_TALLIED, SECTORS, pair_code
from sim.projects import SIZE_BINS, State
from sim.registry import Registry

metrics = Registry("metric")


def ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def may_be_undefined(name: str) -> bool:
    """Ratios and means are NaN while there is nothing to divide by (e.g. no application yet);
    every other metric is always a finite number."""
    return name.startswith("trust") or name.endswith(
        ("_rate", "_share", "_months", "_utilisation", "_per_completion_eur", "_mean", "_small", "_large", "_lift"))


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

PIPELINE = {"applications": State.APPLICATION, "approvals": State.APPROVED, "rejections": State.REJECTED,
            "completions": State.COMPLETED, "failures": State.FAILED, "dropped": State.DROPPED}


@metrics.register("pipeline", unit="projects, cumulative")
def pipeline(model) -> dict[str, float]:
    """Municipalities' projects: ideas (new ideas, not follow-ups or revised applications), applications
    (submissions, revised ones included), approvals, rejections, completions, failures and dropped
    (no consortium worth it, no staff to apply, stopped by a check), funded or paying for themselves;
    funded_completions, self_funded_completions, resubmissions; NGOs' requests met by companies apart:
    requests, request_matches, request_completions."""
    book = model.projects
    reached, funded, req = book.reached, book.reached_funded, book.reached_requests
    out = {"ideas": float(book.ideas)}
    out.update({name: float(reached[state]) for name, state in PIPELINE.items()})
    out["funded_completions"] = float(funded[State.COMPLETED])
    out["self_funded_completions"] = float(reached[State.COMPLETED] - funded[State.COMPLETED])
    out["resubmissions"] = float(book.resubmissions)
    out["requests"] = float(book.requests)
    out["request_matches"] = float(req[State.IMPLEMENTATION])
    out["request_completions"] = float(req[State.COMPLETED])
    return out


@metrics.register("themes", unit="ideas and completions, cumulative")
def themes(model) -> dict[str, float]:
    """New ideas and completed projects per theme of need: ideas_<theme>, completions_<theme>."""
    book, out = model.projects, {}
    for k, theme in enumerate(THEMES):
        out[f"ideas_{theme}"] = float(book.ideas_by_theme[k])
        out[f"completions_{theme}"] = float(book.completed_by_theme[k])
    return out


@metrics.register("needs", unit="see docstring")
def needs(model) -> dict[str, float]:
    """The KPIs of the needs met: water_disconnected_ha and water_disconnected_share (of the initial sealed
    area; Klima.Werk's target is 25 %), energy_districts_renovated, services_shared (service fields),
    supply_localities_served; and <theme>_open_share, the share of the initial need still open."""
    stock = model.needs
    used, initial = stock.used.sum(axis=0), stock.initial.sum(axis=0)
    out = {"water_disconnected_ha": float(used[WATER]),
           "water_disconnected_share": ratio(float(used[WATER]), float(initial[WATER])),
           "energy_districts_renovated": float(used[ENERGY]), "services_shared": float(used[SERVICES]),
           "supply_localities_served": float(used[SUPPLY])}
    open_need = stock.open.sum(axis=0)
    for k, theme in enumerate(THEMES):
        out[f"{theme}_open_share"] = ratio(float(open_need[k]), float(initial[k]))
    return out


@metrics.register("consortia", unit="consortia, cumulative; shares")
def consortia(model) -> dict[str, float]:
    """Consortia formed from new ideas: consortia (with partners), inter_municipal_consortia (partners are
    municipalities only), cross_sector_consortia (with a company or NGO); company_ngo_consortia (NGOs'
    requests met by a company); consortium_size_1 .. consortium_size_4, consortium_size_5plus (counts,
    the lead included) and consortium_size_mean; of the partners who joined, triangle_share (lead and
    partner already shared a project partner) and repeat_share (they had been in a project together before);
    known_partner_lift: the share of such known partners among those who joined over their share among the
    candidates worth asking (1 = no preference; Berardo & Scholz 2010 expect it to grow with risk);
    cooperating_municipalities_share: share of the municipalities that took part in a consortium with another
    municipality so far, and cooperating_services_share the same for shared services (cf. Rosenfeld et al.
    2016: 60 % of German municipalities cooperate in general administration)."""
    book = model.projects
    c = book.consortia
    sizes = book.sizes
    out = {"consortia": float(c["inter_municipal"] + c["cross_sector"]),
           "inter_municipal_consortia": float(c["inter_municipal"]),
           "cross_sector_consortia": float(c["cross_sector"]), "company_ngo_consortia": float(c["company_ngo"])}
    for size in range(1, SIZE_BINS):
        out[f"consortium_size_{size}"] = float(sizes[size - 1])
    out["consortium_size_5plus"] = float(sizes[-1])
    formed, members = book.formed             # (exact integers: their mean is the same as numpy's)
    out["consortium_size_mean"] = members / formed if formed else float("nan")
    joined, triangles, repeats = book.partnerships
    out["triangle_share"] = ratio(triangles, joined)
    out["repeat_share"] = ratio(repeats, joined)
    weighed, known, chosen = book.weighed
    out["known_partner_lift"] = ratio(ratio(chosen, joined), ratio(known, weighed)) if known else float("nan")
    n = len(model.municipalities)
    out["cooperating_municipalities_share"] = ratio(len(set().union(*book.cooperating)), n)
    out["cooperating_services_share"] = ratio(len(book.cooperating[SERVICES]), n)
    return out


@metrics.register("delivery", unit="failures to deliver and failed projects, cumulative")
def delivery(model) -> dict[str, float]:
    """defaults: failures of members of municipalities' projects to deliver their share in a month;
    request_defaults: the same for companies helping NGOs; why municipalities' projects failed:
    failures_default (sunk by a failure to deliver), failures_stalled (no progress for stall_months: the
    lead lacked the staff), failures_external (the external hazard)."""
    book = model.projects
    return {"defaults": float(book.defaults[0]), "request_defaults": float(book.defaults[1]),
            **{f"failures_{k}": float(v) for k, v in book.failures_by.items()}}


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
    return {"application_rate": ratio(r[State.APPLICATION], model.projects.ideas),
            "approval_rate": ratio(r[State.APPROVED], r[State.APPLICATION]),
            "completion_rate": ratio(r[State.COMPLETED], r[State.COMPLETED] + r[State.FAILED])}


@metrics.register("lead_times", unit="months")
def lead_times(model) -> dict[str, float]:
    """Mean months from idea to approval, and from idea to completion, of the funded projects so far."""
    book = model.projects
    return {"lead_time_approval_months": book.lead_time(State.APPROVED),
            "lead_time_completion_months": book.lead_time(State.COMPLETED)}


@metrics.register("funds", unit="EUR, cumulative; counts; shares")
def funds(model) -> dict[str, float]:
    """Funding requested and approved, paid out (spent), and unspent (lapsed at year ends, released by
    failed projects, or still available this year); per programme (``funding``, ``second_programme``):
    <key>_decisions, <key>_rejected_quality, <key>_rejected_budget and <key>_budget_rejection_share
    (rejections for lack of budget, winners' places or entitlement, over all decisions);
    application_quality_mean: mean quality of the applications submitted so far (standard deviations)."""
    progs = model.programmes
    out = {"funds_requested_eur": sum(p.requested for p in progs.values()),
           "funds_approved_eur": sum(p.approved for p in progs.values()),
           "funds_spent_eur": sum(p.spent for p in progs.values()),
           "funds_unspent_eur": sum(p.lapsed + p.available for p in progs.values()),
           "application_quality_mean": ratio(sum(p.quality_sum for p in progs.values()),
                                             sum(p.submitted for p in progs.values()))}
    for key, p in progs.items():
        out[f"{key}_decisions"] = float(p.decided)
        out[f"{key}_rejected_quality"] = float(p.rejected_quality)
        out[f"{key}_rejected_budget"] = float(p.rejected_budget)
        out[f"{key}_budget_rejection_share"] = ratio(p.rejected_budget, p.decided)
    return out


@metrics.register("coordination", unit="EUR, cumulative; staff-months, cumulative")
def coordination(model) -> dict[str, float]:
    """coordination_cost_eur: what the coordinating bodies cost so far (staff at the wage, events,
    offices); cost_per_completion_eur: grants paid out plus coordination cost, per completed project
    (municipalities' and NGOs' requests); members: municipalities in the initiative; governance time of
    members, in staff-months: pairwise_coordination_staff_months, hub_coordination_staff_months,
    agency_staff_months (what coordinators took over: agency_covered_staff_months) and
    monitoring_staff_months. Each body adds its own metrics, prefixed with its name."""
    cost = float(sum(b.cost_eur for b in model.bodies))
    spent = sum(p.spent for p in model.programmes.values())
    book = model.projects
    done = book.reached[State.COMPLETED] + book.reached_requests[State.COMPLETED]
    tally = model.tally
    out = {"coordination_cost_eur": cost, "cost_per_completion_eur": ratio(spent + cost, done),
           "members": float(sum(m.member for m in model.municipalities)),
           "pairwise_coordination_staff_months": tally.coordination,
           "hub_coordination_staff_months": tally.hub, "agency_staff_months": tally.agency,
           "agency_covered_staff_months": tally.agency_covered, "monitoring_staff_months": tally.monitoring,
           "knowledge_mean": float(np.mean([m.knowledge for m in model.municipalities]))}
    for body in model.bodies:
        out.update(body.metrics())
    return out


# -- trust and network ------------------------------------------------------------------------

SECTOR_PAIRS = [(a, b) for i, a in enumerate(SECTORS[:3]) for b in SECTORS[i:3]]
PAIR_CODES = [int(pair_code(SECTORS.index(a), SECTORS.index(b))) for a, b in SECTOR_PAIRS]
SAME_SECTOR = [int(pair_code(k, k)) for k in range(3)]
PAIR_TRUST_KEYS = [f"trust_{a}_{b}" for a, b in SECTOR_PAIRS]
PUBLIC_PAIR = int(pair_code(0, 0))


def spread(x: np.ndarray, prefix: str) -> dict[str, float]:
    """Mean and 10th, 50th and 90th percentile of ``x`` (NaN where it is empty)."""
    if len(x) == 0:
        return {f"{prefix}_mean": float("nan"), **{f"{prefix}_p{q}": float("nan") for q in (10, 50, 90)}}
    p10, p50, p90 = np.percentile(x, [10, 50, 90]).tolist()
    return {f"{prefix}_mean": float(x.mean()), f"{prefix}_p10": p10, f"{prefix}_p50": p50, f"{prefix}_p90": p90}


@metrics.register("trust", unit="trust in [0, 1]")
def trust(model) -> dict[str, float]:
    """Directional trust (each side of a tie in the other) on the live ties between actors (coordinating
    bodies' ties left out): over all ties (trust_mean, trust_p10/p50/p90), over the ties in use, with
    contact within ``network.in_use_months`` (trust_in_use_*), and the mean per sector pair over the ties
    in use (trust_public_public = between municipalities, business = companies, civil = NGOs).
    trust_municipalities is the mean trust over every ordered pair of municipalities of the region, tied
    or not (pairs that never met at the prior), so that ties coming or going alone do not move it."""
    d = model.network.directed_trust(model.steps)
    in_use = d.contact >= model.steps - model.cfg.network.in_use_months
    out = {**spread(d.trust, "trust"), **spread(d.trust[in_use], "trust_in_use")}
    used, pairs = d.trust[in_use], d.pair[in_use]
    sums = np.bincount(pairs, weights=used, minlength=NOT_TALLIED)
    counts = np.bincount(pairs, minlength=NOT_TALLIED)
    for key, c in zip(PAIR_TRUST_KEYS, PAIR_CODES):
        out[key] = float(sums[c] / counts[c]) if counts[c] else float("nan")
    out["trust_municipalities"] = municipal_trust(model)
    return out


def municipal_trust(model) -> float:
    """Mean trust over every ordered pair of the region's municipalities: pairs that ever met (tied now or
    not) by their evidence, the others at the prior."""
    n = len(model.municipalities)
    if n < 2:
        return float("nan")
    net, t = model.network, model.steps
    slots = np.flatnonzero(net.pair[: net._n] == PUBLIC_PAIR)
    d = np.concatenate([2 * slots, 2 * slots + 1])
    fr, fs = net.decay(t, net.last[d])
    known = net.expected(net.r[d] * fr, net.s[d] * fs)
    prior = float(net.expected(0.0, 0.0))
    return float((known.sum() + (n * (n - 1) - len(d)) * prior) / (n * (n - 1)))


@metrics.register("network", unit="see docstring")
def network(model) -> dict[str, float]:
    """ties (count), density (ties / possible ties), clustering (average local clustering coefficient),
    cross_sector_share (share of ties between different sectors), centralisation (Freeman's degree
    centralisation), ties_in_use (with contact within ``network.in_use_months``); live ties between
    actors only, as for trust."""
    net = model.network
    counts = net.ties_by_pair[:NOT_TALLIED]
    ties = int(counts.sum())
    n = len(model.municipalities) + len(model.companies) + len(model.ngos)
    same = int(sum(counts[c] for c in SAME_SECTOR))
    d = net.directed_trust(model.steps)
    in_use = int((d.contact[0::2] >= model.steps - model.cfg.network.in_use_months).sum())
    degree = np.array(net.degree[: max(net.nodes, default=0) + 1])
    actors = degree[actor_ids(model)] if n else degree
    central = float((actors.max() - actors).sum() / ((n - 1) * (n - 2))) if n > 2 else 0.0
    return {"ties": float(ties), "density": 2.0 * ties / (n * (n - 1)) if n > 1 else 0.0,
            "clustering": net.average_clustering(n),
            "cross_sector_share": (ties - same) / ties if ties else float("nan"),
            "centralisation": central, "ties_in_use": float(in_use)}


def actor_ids(model) -> np.ndarray:
    """The ids of the municipalities, companies and NGOs, in that order (kept while the groups stay)."""
    groups = (model.municipalities, model.companies, model.ngos)
    key = tuple((id(g), len(g)) for g in groups)
    try:
        cached = _actor_ids.get(model)
    except TypeError:                                   # a stand-in that cannot be weakly referenced
        cached = None
    if cached is None or cached[0] != key:
        cached = (key, np.array([a.unique_id for g in groups for a in g], dtype=np.intp))
        try:
            _actor_ids[model] = cached
        except TypeError:
            pass
    return cached[1]


_actor_ids: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # model -> (its groups, their ids)
_last_gini: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # model -> (its grants, their Gini)


@metrics.register("equity", unit="Gini in [0, 1]; EUR per inhabitant")
def equity(model) -> dict[str, float]:
    """gini_funds_per_head: Gini coefficient of approved funds per inhabitant across municipalities;
    funds_per_head_small and funds_per_head_large: approved funds per inhabitant of the towns below and
    above 20,000 inhabitants (NaN where there are none)."""
    grants = b"".join(p.granted_to.tobytes() for p in model.programmes.values())
    try:
        last = _last_gini.get(model)
    except TypeError:                                   # a stand-in that cannot be weakly referenced
        last = None
    if last is None or last[0] != grants:
        funds = funds_by_municipality(model)
        small = model.population < SMALL_TOWN
        parts = [funds[m].sum() / model.population[m].sum() if m.any() else float("nan") for m in (small, ~small)]
        last = (grants, gini(funds / model.population), *parts)
        try:
            _last_gini[model] = last
        except TypeError:
            pass
    return {"gini_funds_per_head": last[1], "funds_per_head_small": float(last[2]),
            "funds_per_head_large": float(last[3])}


SMALL_TOWN = 20_000                   # inhabitants: the boundary of small towns in the equity metrics


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
            if isinstance(value, dict):
                row.update(value)
            elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                row[func.key] = float(value)
            else:
                from sim.errors import ContractError
                raise ContractError(f"metric '{func.key}' broke its contract: it must return a number or a dict of "
                                    f"numbers, not {type(value).__name__}")
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
    """One row per municipality: its data, its needs, its projects by stage (as lead), its funds, its
    knowledge and its ties (with the mean trust of others in it and of it in others)."""
    names = ["ideas", *PIPELINE]
    stages = [State.IDEA, *PIPELINE.values()]
    counts = np.zeros((len(model.municipalities), len(stages)), dtype=int)
    for p in model.projects.all:
        if p.origin == "request":
            continue
        row = counts[p.lead_index]
        for j, state in enumerate(stages):
            if state in p.entered and (j > 0 or p.origin == "idea"):
                row[j] += 1
    grants = funds_by_municipality(model)
    net, step = model.network, model.steps
    munis = model.municipalities
    stock = model.needs
    table = pd.DataFrame({
        "ags": [m.ags for m in munis], "name": [m.name for m in munis],
        "population": [m.population for m in munis], "member": [m.member for m in munis],
        "capacity_staff_months": [m.capacity for m in munis], "knowledge": [m.knowledge for m in munis],
        **{f"need_{t}_initial": stock.initial[:, k] for k, t in enumerate(THEMES)},
        **{f"need_{t}_met": stock.used[:, k] for k, t in enumerate(THEMES)},
        **{name: counts[:, j] for j, name in enumerate(names)},
        "funds_approved_eur": grants, "funds_per_head_eur": grants / model.population,
        "ties": [len(net.eid_of[m.unique_id]) for m in munis],
        "trust_in_others": [float(np.mean(list(net.contact_trust(m.unique_id, step).values())))
                            if net.eid_of[m.unique_id] else float("nan") for m in munis],
        "trust_of_others": [float(np.mean(net.contacts_trust(m.unique_id, step)))
                            if net.eid_of[m.unique_id] else float("nan") for m in munis],
    })
    return table
