"""Real municipality data: the presets shipped in ``sim/data/`` and user CSV files.

Sources and licence (dl-de/by-2-0) are in ``sim/data/SOURCES.md``. Every region is a table with
one row per municipality and the columns of :data:`COLUMNS`. A bad file raises :class:`UserError`
naming the file, the problem and what is expected, before any simulation starts; files as German
users write them (semicolons, decimal commas, AGS without the leading zero) are read as meant
(``sim/region_file.py``).

>>> region = load_region(RegionConfig(preset="werra_meissner"))
>>> len(region), int(region.population.sum())
(16, 98421)
>>> len(load_region(RegionConfig(preset="germany", ags_prefix="05")))   # North Rhine-Westphalia
396
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.config import RegionConfig
from sim.errors import UserError
from sim.region_file import COLUMNS, REQUIRED, read_region_csv  # noqa: F401  (COLUMNS: the table's columns)

DATA_DIR = Path(__file__).parent / "data"
PRESET_FILES = {"emscher": "emscher.csv", "werra_meissner": "werra_meissner.csv",
                "saarbruecken": "saarbruecken.csv", "rvr": "rvr.csv", "germany": "germany.csv"}


def load_region(cfg: RegionConfig) -> pd.DataFrame:
    """The municipalities of a region, validated, sorted by AGS, index 0..n-1."""
    if cfg.preset == "custom" and not cfg.csv:
        raise UserError("'region.csv' must name a CSV file when region=custom "
                        f"(columns {', '.join(REQUIRED)}, optionally area_km2)")
    path = Path(cfg.csv) if cfg.csv else DATA_DIR / PRESET_FILES[cfg.preset]
    where = f"region file '{cfg.csv}'" if cfg.csv else f"region preset '{cfg.preset}'"
    table = read_table(path, where)
    if cfg.ags_prefix:
        prefix = str(cfg.ags_prefix)
        if not prefix.isdigit() or len(prefix) > 8:
            raise UserError(f"'region.ags_prefix' = {prefix!r} is not allowed; give 1 to 8 digits, e.g. '05'")
        table = table[table.ags.str.startswith(prefix)].reset_index(drop=True)
        if table.empty:
            raise UserError(f"'region.ags_prefix' = {prefix!r} matches no municipality in {where}")
    return table


def read_table(path: Path, where: str) -> pd.DataFrame:
    """The validated table of a region file, sorted by AGS; a file read before in this process (and
    not changed since) comes from memory, since sweeps and comparisons load the same region many times."""
    if not path.is_file():
        raise UserError(f"{where}: no such file; give a CSV with columns {', '.join(REQUIRED)}")
    stat = path.stat()
    return _read_table(str(path.resolve()), stat.st_mtime_ns, stat.st_size, where).copy()


@lru_cache(maxsize=8)
def _read_table(path: str, mtime_ns: int, size: int, where: str) -> pd.DataFrame:
    return read_region_csv(path, where)
