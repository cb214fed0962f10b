"""Gather a sweep folder's runs into tidy tables (``python -m sim.analysis collect <folder>``).

Writes, next to the runs:

- ``runs.csv``: one row per run of the folder: ``run_id`` (the run's key), ``status`` (complete,
  failed, missing, damaged), ``error``, ``seed``, the config-group choices (``scenario``, ``region``,
  ...), every parameter of the resolved config as a typed column (dotted names, a scenario's
  implied values included), ``code_version``, ``git_commit``, ``git_dirty``, package versions,
  ``format_version``, ``seconds``;
- ``final.csv``: ``run_id``, the group columns, ``seed``, ``metric``, ``value``: every key of each
  run's summary (the final month's metrics and the summary-only ones such as ``approvals_per_year``);
- ``timeseries.parquet``: the same columns with ``step``, every metric every month.

The group columns are the choices plus the settings that differ between complete runs and are
not implied by the others (see :func:`group_columns`), so runs of another horizon, region file or
model version are never pooled with the rest. Only files are read (never the model); a damaged
run folder or record is named in the report, one line each, and left out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.cache import read_metadata, tmp_name
from sim.errors import UserError

EXCLUDED = ("output.", "replications")
RUN_COLUMNS = ("run_id", "status", "error", "seed")


@dataclass
class Collected:
    folder: Path
    runs: pd.DataFrame
    final: pd.DataFrame
    timeseries: pd.DataFrame
    groups: list[str]
    problems: list[str] = field(default_factory=list)
    commands: int = 0

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs.status == "failed"]

    def report(self) -> str:
        counts = self.runs.status.value_counts().to_dict() if len(self.runs) else {}
        total = len(self.runs)
        lines = [f"Sweep {self.folder.name}: {counts.get('complete', 0)} of {total} runs complete, "
                 f"{counts.get('failed', 0)} failed, {counts.get('missing', 0) + counts.get('damaged', 0)} missing"
                 + (f" (from {self.commands} commands)" if self.commands > 1 else "")]
        lines += [f"  {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more")
        for row in self.failed.head(5).itertuples():
            lines.append(f"  failed {row.run_id[:12]}: {row.error}")
        for col in self.groups:
            if col == "code_version" or col.startswith("input."):
                what = "model code versions" if col == "code_version" else f"versions of the file {col[6:]}"
                lines.append(f"  note: runs from {self.runs[col].nunique()} {what}; they are analysed as separate "
                             f"groups (column {col}), never pooled")
        if counts.get("missing", 0) or counts.get("damaged", 0) or counts.get("failed", 0):
            lines.append("  run the same command again to complete the missing runs")
        return "\n".join(lines)


def flatten(data: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = json.dumps(v) if isinstance(v, list) else v
    return out


def sweep_folder(folder: str | Path):
    from sim.sweep import SweepFolder

    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such sweep folder")
    sweep = SweepFolder(folder)
    if not sweep.is_sweep():
        if folder.name == "runs" and SweepFolder(folder.parent).is_sweep():
            raise UserError(f"{folder} is the runs/ folder of the sweep {folder.parent}; give that folder")
        raise UserError(f"{folder} is not a sweep folder (it has no sweep.json or members/)")
    return sweep


def collect(folder: str | Path, write: bool = True) -> Collected:
    sweep = sweep_folder(folder)
    problems: list[str] = []
    members = sweep.members(problems)
    rows, finals, series = [], [], []
    runs_dir = sweep.root / "runs"
    present = {p.name for p in runs_dir.iterdir() if not p.name.startswith(".")} if runs_dir.is_dir() else set()
    for name in sorted(present - set(members)):
        problems.append(f"runs/{name} is not a run of this sweep; ignored")
    for key, m in members.items():
        row = {"run_id": key, "status": "missing", "error": "", "seed": m.seed, "label": m.label(), **m.choices,
               **{f"design.{k}": v for k, v in (m.design or {}).items()},
               **{k: v for k, v in flatten(m.config).items() if not k.startswith(EXCLUDED) and k != "seed"}}
        if key in present:
            meta, problem = read_metadata(runs_dir / key)
            if problem is None and meta.get("key") != key:
                problem = f"it holds run {meta.get('key')!r}"
            if problem is None:
                try:
                    ts = pd.read_csv(runs_dir / key / "timeseries.csv")
                    summary = json.loads((runs_dir / key / "summary.json").read_text(encoding="utf-8"))
                except (OSError, ValueError, pd.errors.ParserError) as err:
                    problem = f"not readable ({type(err).__name__})"
            if problem is not None:
                row.update(status="damaged", error=problem)
                problems.append(f"runs/{key} is damaged ({problem}); left out (rerun the command to recompute it)")
            else:
                row.update(status="complete", code_version=meta["key_material"]["code_version"],
                           git_commit=meta["git"]["commit"], git_dirty=meta["git"]["dirty"],
                           format_version=meta["format_version"], seconds=meta.get("seconds"),
                           created_utc=meta.get("created_utc"),
                           **{f"version.{k}": v for k, v in meta["versions"].items()},
                           **{f"input.{k}": v[:16] for k, v in meta["key_material"]["inputs"].items()})
                series.append(ts.assign(run_id=key))
                finals.append(pd.DataFrame({"run_id": key, "metric": list(summary),
                                            "value": [float("nan") if v is None else v for v in summary.values()]}))
        if row["status"] != "complete":
            failure = sweep.root / "failed" / f"{key}.json"
            if failure.is_file():
                try:
                    row.update(status="failed", error=json.loads(failure.read_text(encoding="utf-8"))["error"])
                except (OSError, ValueError, KeyError, TypeError):
                    problems.append(f"failed/{key}.json is damaged; the run counts as missing")
        rows.append(row)
    runs = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(RUN_COLUMNS))
    groups = group_columns(runs, members)
    choice_cols = sorted({c for m in members.values() for c in m.choices})
    design_cols = sorted({f"design.{k}" for m in members.values() for k in (m.design or {})})
    keep = list(dict.fromkeys([*choice_cols, *groups, *design_cols]))
    order = [c for c in [*keep, "seed"] if c in runs.columns]
    if order and len(runs):
        runs = runs.sort_values(order, key=lambda col: col if col.dtype.kind in "if" else col.astype(str),
                                kind="stable").reset_index(drop=True)
    index = runs.set_index("run_id")[keep + ["seed"]] if len(runs) else pd.DataFrame(columns=keep + ["seed"])
    timeseries = _long(series, index, keep, ["step", "metric", "value"])
    final = _long(finals, index, keep, ["metric", "value"])
    info = sweep.info()
    result = Collected(sweep.root, runs, final, timeseries, groups, problems, len(info.get("invocations", [])))
    if write:
        write_tables(result)
    return result


def _long(frames: list, index: pd.DataFrame, keep: list[str], value_cols: list[str]) -> pd.DataFrame:
    columns = ["run_id", *keep, "seed", *value_cols]
    if not frames:
        return pd.DataFrame(columns=columns)
    data = pd.concat(frames, ignore_index=True)
    data = data.join(index, on="run_id")
    return data[columns]


def group_columns(runs: pd.DataFrame, members: dict) -> list[str]:
    """The settings that tell groups of complete runs apart: the config-group choices and swept
    settings that vary, then any other varying setting that they do not imply (a scenario implies
    its bodies and budget; a dropped override or an edited region file does not)."""
    done = runs[runs.status == "complete"] if len(runs) else runs
    if len(done) < 2:
        return []
    skip = {"run_id", "status", "error", "seed", "label", "seconds", "created_utc", "git_commit", "git_dirty",
            "format_version"}
    varying = [c for c in done.columns if c not in skip and not c.startswith(("version.", "design."))
               and done[c].astype(str).nunique() > 1]
    choices = {c for m in members.values() for c in m.choices}
    swept = {o.split("=")[0].lstrip("+~") for m in members.values() for o in m.overrides}
    base = [c for c in varying if c in choices or c in swept]
    text = done.astype({c: str for c in varying})
    for c in varying:
        if c in base:
            continue
        if not base or (text.groupby(base)[c].nunique() > 1).any():
            base.append(c)
    return base


def write_tables(c: Collected) -> None:
    """Write the tables next to the runs, each via a temporary file and a rename (temporaries of
    killed processes are removed first)."""
    from sim.cache import remove_stale

    remove_stale(c.folder)
    for name, frame in [("timeseries.parquet", c.timeseries), ("final.csv", c.final), ("runs.csv", c.runs)]:
        tmp = c.folder / tmp_name(name)
        try:
            if name.endswith(".parquet"):
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_csv(tmp, index=False)
            os.replace(tmp, c.folder / name)
        except OSError as err:
            raise UserError(f"could not write {name} into {c.folder}: {err.strerror or err}") from None
        finally:
            tmp.unlink(missing_ok=True)


def load(folder: str | Path) -> Collected:
    """The collected tables of a sweep folder (collected afresh: the files are the truth)."""
    return collect(folder)
