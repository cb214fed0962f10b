"""Ideas arise from open needs, at a rate set by the municipality's knowledge and free planning staff.

For municipality i and theme k the expected number of new ideas in a month is

    lambda_ik = idea_rate_k * A_ik * knowledge_i * phi_i,     phi_i = min(1, free_i / (planning_share * capacity_i))

with A_ik the available need (open, not claimed by projects under way). So a stock that is used up gives
no more ideas, knowledge speeds turning needs into ideas without creating any, and a municipality whose
staff is busy has fewer. Common random numbers: every month the ``ideas`` stream draws candidate ideas
at the ceiling rate idea_rate_k * N0_ik (the same draws in every scenario) and each is taken up with
probability lambda_ik / ceiling_ik (thinning), so two scenarios share every idea that both take up,
with all its traits.
"""

from __future__ import annotations

import numpy as np

from sim.projects import Project

CANDIDATE_DRAWS = 5          # normal draws per candidate idea: cost, value, duration, quality, chunk


def ceiling(model) -> np.ndarray:
    """Most ideas a month per municipality and theme: at full knowledge, free staff and the initial stock."""
    rates = np.array([t.cfg.idea_rate for t in model.themes])
    return model.needs.initial * rates


def take_up(model) -> np.ndarray:
    """lambda / ceiling for every municipality and theme this month (see the module docstring)."""
    needs = model.needs
    initial = needs.initial
    share = np.divide(needs.available_all(), initial, out=np.zeros_like(initial), where=initial > 0)
    planning = model.cfg.actors.planning_share
    munis = model.municipalities
    knowledge = np.array([m.knowledge for m in munis])
    free = np.array([max(m.free, 0.0) for m in munis])
    capacity = np.array([m.capacity for m in munis])
    staff = np.minimum(1.0, np.divide(free, planning * capacity, out=np.zeros_like(free), where=capacity > 0))
    return share * (knowledge * staff)[:, None]


def generate(model, t: int) -> None:
    rng = model.streams["ideas"]
    counts = rng.poisson(model.idea_ceiling)
    total = int(counts.sum())
    if total == 0:
        return
    u = rng.random(total)
    z = rng.standard_normal((total, CANDIDATE_DRAWS))
    fate = rng.exponential(1.0, total)
    seeds = rng.integers(0, 2**63 - 1, total, dtype=np.int64)
    n_themes = counts.shape[1]
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    rows, cols = cells // n_themes, cells % n_themes
    taken = np.flatnonzero(u < take_up(model)[rows, cols])
    for j in taken.tolist():
        create(model, int(rows[j]), int(cols[j]), z[j].tolist(), float(fate[j]), int(seeds[j]), t)


def create(model, i: int, k: int, z: list[float], fate: float, seed: int, t: int) -> Project | None:
    """One new idea of municipality ``i`` on theme ``k``, from its drawn traits; None if no need is left."""
    needs, theme, p = model.needs, model.themes[k], model.cfg.projects
    available = needs.available(i, k)
    if available <= 0:
        return None
    cfg = theme.cfg
    chunk = min(cfg.chunk_median * float(np.exp(cfg.chunk_sigma * z[4])), available)
    lead = model.municipalities[i]
    programme = model.programme_for(k)
    scope = theme.scope_of(chunk, lead.population)
    project = Project(
        pid=len(model.projects), lead=lead.unique_id, created=t, theme=k, lead_index=i,
        programme=programme.key if programme else "", origin="idea", seed=seed, fate=fate, quality_z=z[3],
        cost_factor=float(np.exp(p.cost_sigma * z[0])), value_factor=float(np.exp(p.benefit_sigma * z[1])),
        depletion=theme.depletion_factor(float(needs.initial[i, k]), float(needs.open[i, k])),
        duration=cfg.duration_months * float(np.exp(p.duration_sigma * z[2])),
        members=[lead.unique_id], scopes=[scope], chunks=[chunk], homes=[i], commitment=[1.0],
        private_work=[0.0], scope=scope, cofinancing_share=programme.cfg.cofinancing_share if programme else 1.0)
    needs.claim(i, k, chunk)
    model.update_economics(project)
    model.add_project(project, t)
    return project
