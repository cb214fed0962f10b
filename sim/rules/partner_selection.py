"""Partner selection: in which order a lead asks candidate partners.

A rule gets, for each candidate, the consortium rule's estimate of what adding it is worth to the lead
(``value``, EUR; only candidates with a positive value are ever asked, whatever the order) and the lead's
opinion of it (``trust``, the mean of its Beta evidence including shared partners' discounted reports,
and ``spread``, its standard deviation).
"""

from __future__ import annotations

import numpy as np

from sim.config import Config
from sim.registry import Registry

partner_selection_rules = Registry("partner selection rule")


@partner_selection_rules.register("expected_value", stochastic=True)
class ExpectedValue:
    """Ask the candidate worth most first: its expected contribution to the lead's share after the risk
    that it fails to deliver, where the lead counts the spread of its evidence against it in proportion to
    the defection risk (Berardo & Scholz 2010: under risk, partners one knows, directly or through shared
    partners, are preferred; Klos & Nooteboom 2001: trust-based partner choice). Ties broken at random."""

    def __init__(self, cfg: Config):
        pass

    def rank(self, model, project, candidates: list[int], value: np.ndarray, trust: np.ndarray,
             spread: np.ndarray, rng: np.random.Generator) -> list[int]:
        order = np.lexsort((rng.random(len(candidates)), -value))
        return [candidates[i] for i in order.tolist()]


@partner_selection_rules.register("trust", stochastic=True)
class MostTrusted:
    """Ask the most trusted candidates first, whatever they add; equal trust is broken at random
    (Klos & Nooteboom 2001)."""

    def __init__(self, cfg: Config):
        pass

    def rank(self, model, project, candidates, value, trust, spread, rng):
        order = np.lexsort((rng.random(len(candidates)), -trust))
        return [candidates[i] for i in order.tolist()]
