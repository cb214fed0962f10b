"""Trust updating: what a partner's delivery or failure to deliver tells whom. Rules registered by name;
``beta`` is the default.

The evidence store (directional, with forgetting, and the discounting of shared partners' opinions) is
in ``sim/network.py``; a trust rule decides what evidence an observed behaviour adds, and how a lead
forms its opinion of a candidate.
"""

from __future__ import annotations

from sim.config import Config
from sim.network import CollabNetwork
from sim.registry import Registry

trust_rules = Registry("trust rule")


@trust_rules.register("beta", stochastic=False)
class BetaReputation:
    """Directional beta reputation (Josang & Ismail 2002). When a project completes, every member gains
    ``success_weight`` positive evidence about each other member who delivered its share throughout;
    when a member fails to deliver, each member it let down gains ``failure_weight`` negative evidence
    about it, and nobody else learns anything (no blame is shared). A lead's opinion of a candidate adds
    what their shared partners have seen, discounted by the lead's evidence about them (``third_party``)."""

    def __init__(self, cfg: Config):
        self.success = cfg.trust.success_weight
        self.failure = cfg.trust.failure_weight
        self.third_party = cfg.trust.third_party

    def delivered(self, network: CollabNetwork, observer: int, target: int, step: int) -> None:
        """``observer`` saw ``target`` deliver its share of a completed joint project."""
        network.record(observer, target, step, positive=self.success)

    def let_down(self, network: CollabNetwork, observer: int, target: int, step: int) -> None:
        """``target`` failed to deliver its share, and ``observer`` depended on it."""
        network.record(observer, target, step, negative=self.failure)

    def opinion(self, network: CollabNetwork, observer: int, target: int, step: int) -> tuple[float, float]:
        """(expected trust, its standard deviation) of ``observer`` in ``target``."""
        return network.opinion(observer, target, step, self.third_party)
