"""Trust updating from project outcomes. Rules registered by name; ``beta`` is the default.

The evidence store itself (decay by forgetting, expectation (r + a) / (r + s + a + b)) is in
``sim/network.py``; a trust rule decides what evidence an outcome adds.
"""

from __future__ import annotations

from itertools import combinations

from sim.config import Config
from sim.network import CollabNetwork
from sim.registry import Registry

trust_rules = Registry("trust rule")


@trust_rules.register("beta", stochastic=False)
class BetaReputation:
    """Beta reputation (Josang & Ismail 2002): a completed joint project adds ``success_weight``
    positive evidence to every pair of its members, a failed one ``failure_weight`` negative
    evidence. Members who were not yet tied become tied ("project" ties)."""

    def __init__(self, cfg: Config):
        self.success = cfg.trust.success_weight
        self.failure = cfg.trust.failure_weight

    def project_outcome(self, network: CollabNetwork, members: list[int], success: bool, step: int) -> None:
        pos, neg = (self.success, 0.0) if success else (0.0, self.failure)
        for u, v in combinations(members, 2):
            network.record(u, v, step, positive=pos, negative=neg, joint_project=True)
