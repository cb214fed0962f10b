"""Partner selection: in which order a lead municipality asks candidate partners."""

from __future__ import annotations

import numpy as np

from sim.config import Config
from sim.registry import Registry

partner_selection_rules = Registry("partner selection rule")


@partner_selection_rules.register("trust", stochastic=True)
class MostTrusted:
    """Ask the most trusted candidates first; equal trust is broken at random.

    Trust-based partner choice after Klos & Nooteboom (2001, J. Econ. Dyn. Control 25:503);
    candidates reached only through an introduction are strangers and get the prior trust.
    """

    def __init__(self, cfg: Config):
        pass

    def rank(self, model, lead: int, candidates: list[int], trust: np.ndarray,
             rng: np.random.Generator) -> list[int]:
        """Candidates (agent ids) in the order to ask them; ``trust[i]`` is the lead's trust in candidate i.
        ``model`` gives access to everything else (e.g. ``model.projects.completed_by``)."""
        order = np.lexsort((rng.random(len(candidates)), -trust))
        return [candidates[i] for i in order.tolist()]
