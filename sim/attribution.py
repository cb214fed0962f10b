"""Attribution of a scenario's effect to its mechanisms: Shapley values with common random numbers.

A scenario differs from its baseline by coordinating bodies, each of whose effects comes from named
mechanisms with a switch (``Body.mechanisms``), and possibly by settings of its own (a programme's
budget, a second programme, ...). Each switched-on mechanism and each group of changed settings is a
*player*. For a coalition S of players, v(S) is an outcome of a run of the scenario with every mechanism
outside S switched off and every setting outside S at the baseline's value, on the same seed: v(all) is
the scenario, v(none) the baseline exactly (a body whose mechanisms are all off is inactive). The Shapley
value of a player is its marginal contribution v(S + i) - v(S) averaged over all orderings of the
players; the contributions add up to v(all) - v(none) seed by seed (efficiency), and a player that changes
nothing has exactly zero (common random numbers).

With up to ``EXACT_PLAYERS`` players every coalition is run (exact values); beyond, a sample of orderings
(each with its reverse: antithetic pairs, Castro et al. 2009) is used, which keeps efficiency exact and
estimates the values without bias.

>>> v = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("b"): 2.0, frozenset("ab"): 4.0}
>>> shapley_exact(v, ["a", "b"])
{'a': 1.5, 'b': 2.5}
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from sim.config import Config, from_container, to_dict

EXACT_PLAYERS = 6
IGNORED = ("scenario", "output", "seed", "replications")     # not settings of a scenario's own


@dataclass(frozen=True)
class Player:
    """A mechanism of a body (``body.mechanism``) or a group of settings the scenario changes (``group``)."""

    name: str
    body: str = ""
    mechanism: str = ""
    group: str = ""


def players(scenario: Config, baseline: Config) -> list[Player]:
    """The scenario's switched-on mechanisms of its bodies, then the config groups it sets differently."""
    from sim.bodies import bodies

    out = []
    for key in scenario.scenario.bodies:
        body = bodies.get(key)
        params = getattr(scenario, body.config_key, None)
        for m in body.mechanisms:
            if params is not None and getattr(params, m):
                out.append(Player(f"{key}.{m}", body=key, mechanism=m))
    ours, theirs = to_dict(scenario), to_dict(baseline)
    bodies_groups = {bodies.get(k).config_key for k in scenario.scenario.bodies}
    for group, value in ours.items():
        if group in IGNORED or group in bodies_groups:
            continue
        if value != theirs[group]:
            out.append(Player(group, group=group))
    return out


def coalition(scenario: Config, baseline: Config, on: frozenset[str], all_players: list[Player]) -> Config:
    """The scenario with the players outside ``on`` switched off (mechanisms) or reset (settings)."""
    data = to_dict(scenario)
    base = to_dict(baseline)
    for p in all_players:
        if p.name in on:
            continue
        if p.mechanism:
            from sim.bodies import bodies
            data[bodies.get(p.body).config_key][p.mechanism] = False
        else:
            data[p.group] = base[p.group]
    return from_container(data)


def subsets(names: list[str]) -> list[frozenset[str]]:
    return [frozenset(c) for k in range(len(names) + 1) for c in combinations(names, k)]


def shapley_exact(values: dict[frozenset, float], names: list[str]) -> dict[str, float]:
    """Shapley values from the value of every coalition."""
    n = len(names)
    out = {}
    for i in names:
        rest = [j for j in names if j != i]
        total = 0.0
        for k in range(n):
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for c in combinations(rest, k):
                s = frozenset(c)
                total += weight * (values[s | {i}] - values[s])
        out[i] = total
    return out


def orderings(names: list[str], pairs: int, seed: int) -> list[list[str]]:
    """``pairs`` random orderings of the players, each followed by its reverse (antithetic sampling)."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(0x5A,)))
    out = []
    for _ in range(pairs):
        order = [names[i] for i in rng.permutation(len(names))]
        out += [order, order[::-1]]
    return out


def coalitions_of(orders: list[list[str]]) -> list[frozenset[str]]:
    """Every coalition the orderings pass through (the prefixes), without repeats."""
    seen = dict.fromkeys(frozenset(o[:k]) for o in orders for k in range(len(o) + 1))
    return list(seen)


def shapley_sampled(values: dict[frozenset, float], orders: list[list[str]]) -> dict[str, float]:
    """Mean marginal contribution of each player over the given orderings."""
    out = dict.fromkeys(orders[0], 0.0)
    for order in orders:
        before = frozenset()
        for name in order:
            after = before | {name}
            out[name] += values[after] - values[before]
            before = after
    return {k: v / len(orders) for k, v in out.items()}


def plan(names: list[str], pairs: int, seed: int) -> tuple[str, list[frozenset[str]], list[list[str]]]:
    """(method, coalitions to run, orderings): every coalition for few players, sampled orderings for more."""
    if len(names) <= EXACT_PLAYERS:
        return "exact", subsets(names), []
    orders = orderings(names, pairs, seed)
    return f"sampled ({len(orders)} orderings)", coalitions_of(orders), orders


def contributions(values: dict[frozenset, float], names: list[str], orders: list[list[str]]) -> dict[str, float]:
    if not names:
        return {}
    return shapley_exact(values, names) if not orders else shapley_sampled(values, orders)


def interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a t-interval over the seeds (NaN bounds with one seed)."""
    from scipy import stats

    x = np.asarray(x, float)
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half


def describe(p: Player) -> dict[str, Any]:
    return dataclasses.asdict(p)
