"""Model runs for the calibration: (parameter set x seed) through the sweep runner (sim/sweep.py) and
the content-addressed cache (sim/cache.py). A run is computed once for its resolved config and code
version, so an interrupted or repeated calibration recomputes nothing it already has."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Mapping, Sequence

from sim.errors import UserError


@functools.lru_cache(maxsize=32)
def base_config(scenario: str, region: str, months: int, cache_dir: str):
    """The config ``python -m sim scenario=.. region=.. horizon_months=..`` would compose."""
    from sim.cli import compose

    return compose([f"scenario={scenario}", f"region={region}", f"horizon_months={months}",
                    f"output.cache_dir={cache_dir}"])


def build_config(group: tuple[str, str, int], params: Mapping[str, float], seed: int, cache_dir: str):
    from sim.testing import config_with

    return config_with(base_config(*group, cache_dir), seed=int(seed), **{k: float(v) for k, v in params.items()})


def get_dotted(obj, key: str):
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


class Runner:
    """``summaries(group, candidates, seeds)`` runs every (candidate, seed) of a (scenario, region,
    months) group into results/sweeps/<prefix>-<scenario>-<region>-<months>/ and returns their summaries,
    [candidate][seed] -> dict. Parallel over the runs with joblib (``jobs``); counts the runs asked for."""

    def __init__(self, jobs: int = 1, sweep_dir: str | Path = "results/sweeps", prefix: str = "calibration",
                 cache_dir: str = "results/cache"):
        self.jobs, self.sweep_dir, self.prefix, self.cache_dir = jobs, Path(sweep_dir), prefix, str(cache_dir)
        self.runs = 0
        self.computed = 0

    def folder(self, group: tuple[str, str, int]):
        from sim.sweep import SweepFolder

        return SweepFolder((self.sweep_dir / f"{self.prefix}-{group[0]}-{group[1]}-{group[2]}").resolve())

    def summaries(self, group: tuple[str, str, int], candidates: Sequence[Mapping[str, float]],
                  seeds: Sequence[int]) -> list[list[dict]]:
        """Every candidate with every seed (common random numbers): [candidate][seed] -> summary."""
        flat = self.pairs(group, [(c, s) for c in candidates for s in seeds])
        n = len(seeds)
        return [flat[i * n:(i + 1) * n] for i in range(len(candidates))]

    def pairs(self, group: tuple[str, str, int], runs: Sequence[tuple[Mapping[str, float], int]]) -> list[dict]:
        """The summary of each (parameter set, seed) run, in order."""
        from sim import sweep as S

        members = [S.member_of(build_config(group, c, s, self.cache_dir), {"scenario": group[0], "region": group[1]},
                               [*(f"{k}={v!r}" for k, v in c.items()), f"seed={s}"])
                   for c, s in runs]
        folder = self.folder(group)
        status = S.run_local(members, folder, ["python -m sim.calibrate", *sys.argv[1:]], jobs=self.jobs, quiet=True)
        bad = [k for k, v in status.items() if v == "failed"]
        if bad:
            raise UserError(f"{len(bad)} calibration runs failed; see {folder.root / 'failed'}")
        self.runs += len(members)
        self.computed += sum(1 for v in status.values() if v == "done")
        return [json.loads((folder.run_path(m.key) / "summary.json").read_text(encoding="utf-8")) for m in members]
