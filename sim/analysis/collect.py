"""Gather a sweep folder's complete runs into tidy tables.

Writes ``timeseries.parquet`` (run_id, swept settings, seed, step, metric, value), ``final.csv``
(the same for the last month) and ``runs.csv`` (one row per run: settings, seed, status, error).
Only complete run folders are read; temporary folders of interrupted runs are counted and skipped,
and failed runs are listed with their error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.errors import UserError


@dataclass
class Collected:
    folder: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    incomplete: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    total: int | None = None

    def report(self) -> str:
        done = int((self.runs.status == "complete").sum()) if len(self.runs) else 0
        lines = [f"Sweep {self.folder.name}: {done} complete runs"
                 + (f" of {self.total}" if self.total else "")
                 + f", {len(self.failed)} failed, {len(self.incomplete)} incomplete (skipped)"]
        for f in self.failed[:5]:
            lines.append(f"  failed {f['run_id']}: {f['error']}")
        if self.incomplete:
            lines.append("  run the same command again to complete the missing runs")
        return "\n".join(lines)


def collect(folder: str | Path, write: bool = True) -> Collected:
    folder = Path(folder)
    runs_dir = folder / "runs"
    if not folder.is_dir():
        raise UserError(f"{folder}: no such sweep folder")
    rows, frames, incomplete = [], [], []
    for path in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        if path.name.startswith("."):
            incomplete.append(path.name)
            continue
        meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        run = meta.get("run", {"run_id": path.name, "params": {}, "seed": meta["seed"]})
        settings = {k: str(v) for k, v in run["params"].items()}
        rows.append({"run_id": run["run_id"], **settings, "seed": run["seed"], "status": "complete", "error": ""})
        ts = pd.read_csv(path / "timeseries.csv")
        frames.append(ts.assign(run_id=run["run_id"], seed=run["seed"], **settings))
    failed = []
    for path in sorted((folder / "failed").glob("*.json")) if (folder / "failed").is_dir() else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        failed.append(data)
        rows.append({"run_id": data["run_id"], **{k: str(v) for k, v in data["params"].items()},
                     "seed": data["seed"], "status": "failed", "error": data["error"]})
    runs = pd.DataFrame(rows, columns=None if rows else ["run_id", "seed", "status", "error"])
    settings = [c for c in runs.columns if c not in ("run_id", "seed", "status", "error")]
    columns = ["run_id", *settings, "seed", "step", "metric", "value"]
    timeseries = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    total = None
    if (folder / "sweep.json").is_file():
        total = json.loads((folder / "sweep.json").read_text(encoding="utf-8")).get("total_runs")
    result = Collected(folder, runs, timeseries, incomplete, failed, total)
    if write:
        write_tables(result)
    return result


def write_tables(c: Collected) -> None:
    """Write the tables next to the runs, each via a temporary file and a rename."""
    ts = c.timeseries
    final = ts[ts.step == ts.groupby("run_id").step.transform("max")] if len(ts) else ts
    for name, frame, writer in [("timeseries.parquet", c.timeseries, "parquet"), ("final.csv", final, "csv"),
                                ("runs.csv", c.runs, "csv")]:
        tmp = c.folder / f".{name}.tmp-{os.getpid()}"
        if writer == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, c.folder / name)


def load(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The collected (timeseries, runs) of a sweep folder, collecting first if needed."""
    folder = Path(folder)
    if not (folder / "timeseries.parquet").is_file():
        collect(folder)
    return pd.read_parquet(folder / "timeseries.parquet"), pd.read_csv(folder / "runs.csv")
