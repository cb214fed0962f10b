"""Derive the package's region files (sim/data/*.csv) from the project's shared source data.

Run once by the maintainers: ``python scripts/prepare_data.py ../shared/data``. End users never
need it; the derived files are committed. Every file gets the same columns:
name, ags (8 digits, text), population (Zensus 2022), area_km2, lat, lon (polygon centroid), note.
Rows of the Germany-wide file without a Zensus 2022 population or coordinates (uninhabited
unincorporated areas, "gemeindefreie Gebiete") are left out.
"""

import csv
import sys
from pathlib import Path

COLUMNS = ["name", "ags", "population", "area_km2", "lat", "lon", "note"]
PRESETS = {"emscher": "klimawerk_cities.csv", "werra_meissner": "werra_meissner.csv",
           "saarbruecken": "saarbruecken.csv", "rvr": "rvr_53.csv"}


def main(src: Path, dst: Path) -> None:
    for preset, filename in PRESETS.items():
        rows = list(csv.DictReader(open(src / filename, encoding="utf-8")))
        write(dst / f"{preset}.csv", [{k: r.get(k, "") for k in COLUMNS} for r in rows])
    rows = []
    for r in csv.DictReader(open(src / "germany_gemeinden_joined.csv", encoding="utf-8")):
        if not r["population_zensus2022"] or not r["centroid_lat_vg5000"] or int(r["population_zensus2022"]) <= 0:
            continue
        rows.append(dict(name=r["name_vg5000"] or r["name_destatis"], ags=r["ags"],
                         population=r["population_zensus2022"], area_km2=r["area_km2_gv"],
                         lat=r["centroid_lat_vg5000"], lon=r["centroid_lon_vg5000"], note=""))
    write(dst / "germany.csv", rows)


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{path}: {len(rows)} municipalities")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parents[1] / "sim" / "data")
