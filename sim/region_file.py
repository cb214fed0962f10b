"""Region CSV files as German users write them: read, normalise and check, one clear line per problem.

What is accepted (the presets in ``sim/data/`` are written in the first form):

- a comma-, semicolon- or tab-separated file (found from the header line): an Excel export with
  German settings ("CSV (Trennzeichen-getrennt)") uses semicolons and decimal commas;
- UTF-8 with or without byte-order mark (Excel's "CSV UTF-8"), else Windows-1252 (Excel's default
  on German Windows);
- numbers with a decimal point (``51.47``) or a decimal comma (``51,47``); a point is a thousands
  separator only before a decimal comma (``1.234,5``), a comma only before a decimal point
  (``1,234.5``). ``population`` counts people, so ``170.632``, ``170,632`` and ``170 632`` are all
  170,632 inhabitants, and a fraction such as ``170.6`` is refused rather than rounded;
- the AGS (Amtlicher Gemeindeschlüssel) with 1 to 8 digits, zero-padded to 8: a spreadsheet drops
  the leading zero, so ``5117000`` and ``05117000`` are one municipality (Mülheim an der Ruhr).

Everything else gets one line naming the file, the row and municipality, the value and what is
allowed, before any simulation: an AGS that is not digits, a population below 1 or above
:data:`MAX_POPULATION`, coordinates outside Germany (:data:`GERMANY`; swapped lat/lon are named as
such), a negative or zero area.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "k.csv")
>>> _ = open(path, "w", encoding="cp1252").write(
...     "name;ags;population;area_km2;lat;lon\\nMülheim an der Ruhr;5117000;170.632;91,28;51,4186;6,8844\\n")
>>> row = read_region_csv(path, "region file 'k.csv'").iloc[0]
>>> row["name"], row["ags"], int(row["population"]), float(row["area_km2"]), float(row["lat"])
('Mülheim an der Ruhr', '05117000', 170632, 91.28, 51.4186)
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from sim.errors import UserError

COLUMNS = ["name", "ags", "population", "area_km2", "lat", "lon"]
REQUIRED = ["name", "ags", "population", "lat", "lon"]      # area_km2 may be missing or blank
DELIMITERS = (",", ";", "\t")
# Germany's extent with a margin of about 0.1 degrees; the municipality centroids in sim/data/germany.csv
# (BKG VG5000) span lat 47.37-55.02 and lon 5.92-14.99.
GERMANY = {"lat": (47.2, 55.1), "lon": (5.8, 15.1)}
# Berlin, the largest German municipality, has 3,596,999 inhabitants (Zensus 2022, sim/data/germany.csv);
# the limit keeps a typing error (1e15) from allocating terabytes of agents.
MAX_POPULATION = 10_000_000

_PLAIN = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_GERMAN = re.compile(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?|[-+]?\d+,\d+")         # 1.234,5  51,47
_ENGLISH = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")                        # 1,234.5
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")                                  # 170.632  170,632


def read_region_csv(path: str, where: str) -> pd.DataFrame:
    """The validated table of a region file (columns :data:`COLUMNS`, sorted by AGS)."""
    text = decode(path, where)
    if not text.strip():
        raise UserError(f"{where}: not a readable UTF-8 CSV (the file is empty); give a CSV with columns {', '.join(REQUIRED)}")
    sep = delimiter(text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise UserError(f"{where}: not a readable CSV ({str(err).splitlines()[0]})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise UserError(f"{where}: missing column(s) {', '.join(missing)} (read as {_SEP_NAMES[sep]}-separated); "
                        f"required: {', '.join(REQUIRED)}")
    if "area_km2" not in table.columns:
        table["area_km2"] = ""
    if table.empty:
        raise UserError(f"{where}: has no rows; at least one municipality is needed")
    table = table[COLUMNS].fillna("").map(lambda v: str(v).strip())          # a short row: blanks
    rows = [f"{name or '(no name)'} (row {i + 2})" for i, name in enumerate(table["name"])]
    out = pd.DataFrame({"name": table["name"]})
    for i, name in enumerate(table["name"]):
        if not name:
            raise UserError(f"{where}: the name is empty in row {i + 2}")
    out["ags"] = [ags(v, where, rows[i]) for i, v in enumerate(table["ags"])]
    out["population"] = np.array([population(v, where, rows[i]) for i, v in enumerate(table["population"])],
                                 dtype=np.int64)
    for col in ("area_km2", "lat", "lon"):
        out[col] = [number(v, col, where, rows[i], optional=col == "area_km2") for i, v in enumerate(table[col])]
    check_values(out, where, rows)
    dup = out.ags[out.ags.duplicated()]
    if len(dup):
        raise UserError(f"{where}: duplicate AGS {', '.join(dup.unique()[:3])}; each municipality once "
                        "(a spreadsheet may have dropped a leading zero: 5117000 is 05117000)")
    return out.sort_values("ags").reset_index(drop=True)


_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def decode(path: str, where: str) -> str:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise UserError(f"{where}: not a readable CSV (neither UTF-8 nor Windows-1252 text); save it as "
                        "'CSV UTF-8'") from None


def delimiter(text: str) -> str:
    """The separator that makes the most required column names out of the header line (ties: comma)."""
    header = text.lstrip().splitlines()[0]
    scores = [(sum(c in [h.strip().strip('"').lower() for h in header.split(sep)] for c in REQUIRED),
               header.count(sep), -k, sep) for k, sep in enumerate(DELIMITERS)]
    return max(scores)[3]


def ags(value: str, where: str, row: str) -> str:
    text = value[:-2] if value.endswith(".0") else value                # a spreadsheet's number 5117000.0
    if not (text.isdigit() and text.isascii() and 1 <= len(text) <= 8):
        raise UserError(f"{where}: AGS {value!r} of {row} is not allowed; give the Amtlicher Gemeindeschlüssel, "
                        "8 digits (e.g. 05117000; a dropped leading zero is restored)")
    return text.zfill(8)


def number(value: str, col: str, where: str, row: str, optional: bool = False, example: str = "51.47 or 51,47") -> float:
    """A number written with a decimal point or a decimal comma (see the module docstring)."""
    text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        if optional:
            return float("nan")
        raise UserError(f"{where}: column '{col}' is empty for {row}; give a number")
    if _PLAIN.fullmatch(text):
        result = float(text)
    elif _GERMAN.fullmatch(text):
        result = float(text.replace(".", "").replace(",", "."))
    elif _ENGLISH.fullmatch(text):
        result = float(text.replace(",", ""))
    else:
        raise UserError(f"{where}: column '{col}' is not numeric for {row}: {value!r}; write a number such as "
                        f"{example}")
    if not np.isfinite(result):
        raise UserError(f"{where}: column '{col}' is not a finite number for {row}: {value!r}")
    return result


def population(value: str, where: str, row: str) -> int:
    """Inhabitants: a whole number; thousands separators (point, comma, space) are read as such."""
    text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace("'", "")
    if _GROUPED.fullmatch(text) and len(set(re.sub(r"\d", "", text))) == 1:
        text = re.sub(r"[.,]", "", text)
    count = number(text or value, "population", where, row, example="170632 or 170.632")
    if count != int(count):
        raise UserError(f"{where}: population {value!r} of {row} is not a whole number of inhabitants")
    if count < 1:
        raise UserError(f"{where}: population must be positive (at least 1) for {row}, not {value!r}")
    if count > MAX_POPULATION:
        raise UserError(f"{where}: population {value!r} of {row} is out of range; allowed: 1 to {MAX_POPULATION:,} "
                        "(Berlin, the largest municipality, has 3.6 million)")
    return int(count)


def check_values(table: pd.DataFrame, where: str, rows: list[str]) -> None:
    (lat_lo, lat_hi), (lon_lo, lon_hi) = GERMANY["lat"], GERMANY["lon"]
    for i, (lat, lon, area) in enumerate(zip(table.lat, table.lon, table.area_km2)):
        if not (lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi):
            swapped = lat_lo <= lon <= lat_hi and lon_lo <= lat <= lon_hi
            raise UserError(f"{where}: lat {lat:g}, lon {lon:g} of {rows[i]} lie outside Germany (lat {lat_lo}-{lat_hi}, "
                            f"lon {lon_lo}-{lon_hi}, WGS84 degrees)"
                            + ("; lat and lon look swapped" if swapped else ""))
        if area == area and area <= 0:
            raise UserError(f"{where}: area_km2 must be positive (or blank) for {rows[i]}, not {area:g}")
