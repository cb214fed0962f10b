# file: sim/rules/experienced.py
"""Partner selection by track record: ask the candidates with the most completed projects first."""

import numpy as np

from sim.config import Config
from sim.rules.partner_selection import partner_selection_rules


@partner_selection_rules.register("experienced", stochastic=True)
class Experienced:
    """Ask candidates with more completed projects first; among equal records, those worth more to the
    lead, then at random (a reputation for delivering, cf. Klos & Nooteboom 2001)."""

    def __init__(self, cfg: Config):
        pass

    def rank(self, model, project, candidates, value, trust, spread, rng):
        record = np.array([model.projects.completed_by.get(c, 0) for c in candidates])
        order = np.lexsort((rng.random(len(candidates)), -value, -record))
        return [candidates[i] for i in order]
