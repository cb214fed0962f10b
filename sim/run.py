"""The model as a function: ``simulate(config) -> RunResult``, with no file I/O beyond reading the region.

Hydra (``python -m sim``), the experiment scripts, the dashboard and the tests all go through here.

>>> from sim.config import Config, RegionConfig
>>> result = simulate(Config(horizon_months=12, region=RegionConfig(preset="saarbruecken")))
>>> result.summary["ideas"] > 0 and len(result.municipalities) == 10
True
"""

from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from sim.config import Config
from sim.errors import UserError
from sim.metrics import Recorder, metrics, municipality_table

logging.getLogger("MESA").setLevel(logging.WARNING)   # Mesa logs every step at INFO (notes/stack.md)


@dataclass
class RunResult:
    """What one run produced: tidy time series, a per-municipality table and the final summary."""

    config: Config
    timeseries: pd.DataFrame          # columns step, metric, value (long format)
    municipalities: pd.DataFrame      # one row per municipality
    summary: dict[str, float]         # final value of every metric, plus sizes and yearly rates
    model: object | None = None       # the model itself, only if asked for (keep_model=True)
    network: dict[str, pd.DataFrame] | None = None   # nodes, start and end ties (output.network=true)


def check_components(cfg: Config) -> None:
    """Every component named in the config exists (raises UserError naming the registered ones)."""
    from sim.agents.base import check_kinds
    from sim.bodies import bodies
    from sim.components import load
    from sim.funding import allocation_rules
    from sim.rules import consortium_rules, partner_selection_rules
    from sim.trust import trust_rules

    load()
    partner_selection_rules.get(cfg.rules.partner_selection)
    consortium_rules.get(cfg.rules.consortium)
    trust_rules.get(cfg.rules.trust)
    allocation_rules.get(cfg.funding.allocation)
    allocation_rules.get(cfg.second_programme.allocation)
    for name in cfg.scenario.bodies:
        bodies.get(name)
    for key, names in (("scenario.bodies", cfg.scenario.bodies), ("actors.kinds", cfg.actors.kinds),
                       ("metrics", cfg.metrics)):
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise UserError(f"'{key}' = {names} names {', '.join(twice)} twice")
    check_kinds(cfg.actors.kinds)
    for name in cfg.metrics:
        metrics.get(name)


def simulate(cfg: Config, *, keep_model: bool = False,
             progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Build the model from ``cfg``, run ``cfg.horizon_months`` months and collect the outcomes."""
    from sim.components import load
    from sim.model import CooperationModel   # Mesa is imported only when a model is built

    load()                                   # plug-ins, and their config groups
    with garbage_collector_paused():
        model = CooperationModel(cfg)
        recorder = Recorder(cfg.metrics)
        start = tie_table(model) if cfg.output.network else None
        for month in range(cfg.horizon_months):
            model.step()
            recorder.collect(model)
            if progress:
                progress(month + 1, cfg.horizon_months)
        summary = summarise(model, recorder)
        network = {"nodes": node_table(model), "network_start": start, "network_end": tie_table(model)} \
            if cfg.output.network else None
        result = RunResult(cfg, recorder.table(), municipality_table(model), summary, model if keep_model else None,
                           network)
        if not keep_model:
            model.dispose()
        return result


@contextmanager
def garbage_collector_paused():
    """No cyclic garbage collection while a run builds and steps its model. A model is tens of
    thousands of small objects (agents, neighbour sets, projects) made in bursts; each collection
    that the allocations trigger walks them all again, and that walk misses the cache: 23 % of the
    wall time of back-to-back default runs (146 vs 190 ms per run, collections after each run
    included). ``simulate`` then disposes of the model before the collector is back (another 8 %):
    reference counting frees it at once, so no collection ever walks it. A run makes little cyclic
    garbage itself, so memory does not grow while paused (Germany-wide: 535 MB peak)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def node_table(model) -> pd.DataFrame:
    """Every node: id, kind, sector, home municipality and its coordinates (bodies: the region's centre)."""
    munis = model.municipalities
    rows = []
    for a in model.agents:
        home = getattr(a, "home", -1)
        m = munis[home] if home >= 0 else None
        rows.append({"id": a.unique_id, "kind": a.key, "sector": a.sector, "home": home,
                     "lat": m.lat if m else float(model.region.lat.mean()),
                     "lon": m.lon if m else float(model.region.lon.mean()),
                     "population": m.population if m and a.sector == "public" else 0})
    return pd.DataFrame(rows).sort_values("id").reset_index(drop=True)


def tie_table(model) -> pd.DataFrame:
    from sim.network import SECTORS, TIE_KINDS

    e = model.network.edge_table(model.steps)
    return pd.DataFrame({"u": e["u"], "v": e["v"], "kind": [TIE_KINDS[k] for k in e["kind"]],
                         "trust": e["trust"], "trust_uv": e["trust_uv"], "trust_vu": e["trust_vu"],
                         "contact": e["contact"], "sector_u": [SECTORS[s] for s in e["su"]],
                         "sector_v": [SECTORS[s] for s in e["sv"]]})


def summarise(model, recorder: Recorder) -> dict[str, float]:
    years = model.steps / 12
    final = recorder.final()
    summary = {
        "months": float(model.steps),
        "municipalities": float(len(model.municipalities)),
        "companies": float(len(model.companies)),
        "ngos": float(len(model.ngos)),
        **{f"agents_{kind.key}": float(sum(1 for a in model.agents if a.key == kind.key))  # kinds of one's own,
           for kind in model.kinds[1:] if kind.key not in ("company", "ngo")},           # counted in their sector too
        **final,
        **{f"{name}_per_year": final[name] / years       # recorded unless metrics=[...] leaves out 'pipeline'
           for name in ("approvals", "completions") if name in final},
        "budget_per_year_eur": sum(p.annual_budget for p in model.programmes.values()),
    }
    return summary
