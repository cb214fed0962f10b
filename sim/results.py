"""Result folders: write one run's files, read them back. Analysis reads these, never the model.

A run folder holds:

- ``timeseries.csv``: tidy monthly metrics, columns step, metric, value;
- ``municipalities.csv``: one row per municipality (its data, projects by stage, funds, ties);
- ``summary.json``: the final value of every metric (NaN written as null), keys in the README;
- ``metadata.json``: resolved config, seed, package versions, git revision, result-format version
  and the size and SHA-256 of every other file (so a damaged or cut file is noticed when read).

Folders are written under a temporary name and renamed when complete, so a crash never leaves a
folder that looks finished, and an existing folder is never overwritten. Sweeps and comparisons
keep their runs in the content-addressed cache (``sim/cache.py``) in the same format.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import subprocess
import time
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import Config, to_dict
from sim.errors import UserError
from sim.run import RunResult

from sim.cache import FORMAT_VERSION, file_record, read_metadata, tmp_name

PACKAGES = ("sim", "mesa", "numpy", "networkx", "scipy", "pandas", "hydra-core", "omegaconf")
FILES = ("timeseries.csv", "municipalities.csv", "summary.json", "metadata.json")


def default_name(cfg: Config) -> str:
    region = cfg.region.preset if not cfg.region.csv else Path(cfg.region.csv).stem
    if cfg.region.ags_prefix:
        region += f"-{cfg.region.ags_prefix}"
    return f"{region}-seed{cfg.seed}-{time.strftime('%Y%m%d-%H%M%S')}"


def target_folder(cfg: Config) -> Path:
    """Where this run will be written; fails now (before the run) if it exists or cannot be written."""
    out = Path(cfg.output.dir)
    check_writable(out, "output.dir")
    folder = out / (cfg.output.name or default_name(cfg))
    if folder.exists() or folder.is_symlink():          # a dangling symbolic link is taken, too
        if cfg.output.name:
            raise UserError(f"'output.name' = {cfg.output.name!r}: {folder} exists already; results are never "
                            "overwritten, choose another name or leave output.name empty")
        folder = unique(folder)
    return folder


def check_writable(path: Path, key: str) -> None:
    """The nearest existing ancestor of ``path`` must be a folder we may write into (nothing is created)."""
    probe = Path(path)
    long = [part for part in probe.parts if len(part.encode("utf-8")) > 255]
    if long:
        raise UserError(f"'{key}' = '{path}': the folder name {long[0][:40]!r}... has {len(long[0].encode('utf-8'))} "
                        f"bytes; file systems allow at most 255; choose another {key}")
    while not probe.exists():
        if probe.is_symlink():
            raise UserError(f"'{key}' = '{path}': {probe} is a symbolic link to {os.readlink(probe)}, which does not "
                            f"exist; create that folder or choose another {key}")
        probe = probe.parent
    if not probe.is_dir():
        raise UserError(f"'{key}' = '{path}': {probe} is a file, not a folder; choose another {key}")
    if not os.access(probe, os.W_OK):
        raise UserError(f"'{key}' = '{path}': {probe} is not writable; choose another {key}")


def unique(folder: Path) -> Path:
    k = 2
    while os.path.lexists(folder.with_name(f"{folder.name}-{k}")):
        k += 1
    return folder.with_name(f"{folder.name}-{k}")


def write_run(result: RunResult, folder: Path) -> Path:
    """Write the run's files into ``folder`` (which must not exist) via a temporary folder and a rename.
    An unnamed folder (``<region>-seed<seed>-<time>``) taken meanwhile by another run gets a suffix."""
    tmp = folder.with_name(tmp_name(folder.name))
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        write_files(result, tmp)
        while True:
            try:
                os.rename(tmp, folder)              # atomic; fails rather than replace an existing folder
                break
            except OSError:
                if not folder.exists() or result.config.output.name:
                    raise
                folder = unique(folder)             # two unnamed runs in the same second
    except OSError as err:
        raise UserError(f"could not write results to {folder}: {err.strerror or err}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def write_files(result: RunResult, folder: Path, extra: dict | None = None) -> dict:
    """Write the tables, the summary and, last, metadata.json with every other file's size and checksum
    into the existing ``folder``; returns the checksum records."""
    result.timeseries.to_csv(folder / "timeseries.csv", index=False)
    result.municipalities.to_csv(folder / "municipalities.csv", index=False)
    dump_json(result.summary, folder / "summary.json")
    for name, table in (result.network or {}).items():
        table.to_csv(folder / f"{name}.csv", index=False)
    files = {p.name: file_record(p) for p in sorted(folder.iterdir())}
    dump_json({**run_metadata(result.config), **(extra or {}), "files": files}, folder / "metadata.json")
    return files


def dump_json(data: dict, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(clean(data), fh, indent=2, sort_keys=False, allow_nan=False)
        fh.write("\n")


def clean(value):
    """NaN and infinities become null: JSON has no NaN."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        return clean(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_metadata(cfg: Config) -> dict:
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"format_version": FORMAT_VERSION, "seed": cfg.seed, "config": to_dict(cfg),
            "versions": {"python": platform.python_version(), **versions}, "git": git_revision(),
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def git_revision() -> dict:
    """The project's git commit and whether the work tree had uncommitted changes (None outside git)."""
    root = Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip() != ""
        return {"commit": rev, "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def read_run(folder: str | Path) -> dict:
    """Read a run folder back: DataFrames for the tables, dicts for the JSON files. A folder that is not
    whole (a missing, cut or changed file, another format version) raises UserError saying what."""
    folder = Path(folder)
    meta, problem = read_metadata(folder)
    if problem:
        raise UserError(f"{folder} is not a complete run folder: {problem}")
    return {"timeseries": pd.read_csv(folder / "timeseries.csv"),
            "municipalities": pd.read_csv(folder / "municipalities.csv", dtype={"ags": str}),
            "summary": json.loads((folder / "summary.json").read_text(encoding="utf-8")),
            "metadata": meta}
