"""How many companies and NGOs each municipality has, and what they are like: one joint draw.

The shipped ``company`` and ``ngo`` kinds are drawn together from the ``actors`` stream, in the order
the golden baseline was made with (counts of both, then willingness of both, then reliability of both).
The draw happens once per model, whichever of the two kinds is chosen: a run without NGOs has the same
companies as a run with them (common random numbers across ``actors.kinds``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.base import reliabilities


def drawn(model) -> dict[str, dict[str, list]]:
    """{"company": {...}, "ngo": {...}}: home, willingness and reliability lists of each, drawn on first use."""
    memo = model.__dict__.get("_private_draws")
    if memo is not None:
        return memo
    rng, a = model.streams["actors"], model.cfg.actors
    pop = model.population / 1e5
    comp_home = np.repeat(np.arange(len(pop)), rng.poisson(a.companies_per_100k * pop))
    ngo_home = np.repeat(np.arange(len(pop)), rng.poisson(a.ngos_per_100k * pop))
    # willingness ~ Beta with the configured means, concentration a + b = 5 (companies), 6 (NGOs): assumptions
    cw, nw = a.company_willingness, a.ngo_willingness
    comp_will = rng.beta(5 * cw, 5 * (1 - cw), len(comp_home)).tolist()
    ngo_will = rng.beta(6 * nw, 6 * (1 - nw), len(ngo_home)).tolist()
    comp_rel = reliabilities(a, rng, len(comp_home)).tolist()
    ngo_rel = reliabilities(a, rng, len(ngo_home)).tolist()
    memo = model._private_draws = {
        "company": {"home": comp_home.tolist(), "willingness": comp_will, "reliability": comp_rel},
        "ngo": {"home": ngo_home.tolist(), "willingness": ngo_will, "reliability": ngo_rel}}
    return memo
