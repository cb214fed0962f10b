"""report.md of a calibration folder and docs/validation.md, both made from the folder's CSV and JSON
files only (read as data; nothing is unpickled), so either can be regenerated at any time:

    python -m sim.calibrate report=results/calibration/main          # writes docs/validation.md
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pandas as pd

from sim.calibration.spec import ROOT, fmt
from sim.errors import UserError

NEEDED = ("meta.json", "posterior.csv", "generations.csv", "predictive.csv", "held_out.csv")
NOTES = ROOT / "docs" / "validation_notes.md"


def load(folder: Path) -> dict:
    folder = Path(folder)
    missing = [f for f in NEEDED if not (folder / f).is_file()]
    if missing:
        raise UserError(f"report={folder}: {missing[0]} is missing; give a folder written by python -m sim.calibrate")
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except ValueError:
        raise UserError(f"report={folder}: meta.json is not readable JSON") from None
    return {"meta": meta, **{f[:-4]: pd.read_csv(folder / f) for f in NEEDED[1:]}}


def num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def observed(row) -> str:
    if math.isfinite(num(row.observed_low)):
        return f"{fmt(num(row.observed_low))}-{fmt(num(row.observed_high))}"
    return fmt(num(row.observed))


def pattern_table(d: dict) -> list[str]:
    meta = d["meta"]
    level = int(round(100 * float(meta["config"]["abc"]["interval"])))
    out = [f"| pattern | source | observed | simulated: median ({level} % interval) | fitted or held out | "
           "reproduced |", "|---|---|---|---|---|---|"]
    for row in pd.concat([d["predictive"], d["held_out"]]).itertuples():
        out.append(f"| {row.title} (`{row.pattern}`; {row.scenario}, {row.region}, month {row.months}; "
                   f"{row.output}) | {row.source} | {observed(row)} | {fmt(num(row.median))} "
                   f"({fmt(num(row.low))} – {fmt(num(row.high))}) | {row.role} | **{row.reproduced}** |")
    for name, p in meta["patterns"].items():
        if p.get("kind") == "input":
            obs = f"{fmt(num(p['low']))}-{fmt(num(p['high']))}" if p.get("low") is not None else fmt(num(p["observed"]))
            out.append(f"| {p['title']} (`{name}`) | {p['source']} | {obs} | – | **input** of the model | "
                       f"not a check: {p['input_of']} |")
    return out


def posterior_table(d: dict) -> list[str]:
    from sim.calibration.abc import weighted_quantile

    meta = d["meta"]
    out = ["| fit | parameter | prior | posterior median (90 % credible interval) | written to |", "|---|---|---|---|---|"]
    fits = meta["config"]["fits"]
    for fname, f in fits.items():
        post = d["posterior"][d["posterior"].fit == fname]
        if post.empty:
            continue
        w = post["weight"].to_numpy(float)
        for key, spec in f["parameters"].items():
            x = post[key].to_numpy(float)
            q = [weighted_quantile(x, w, a) for a in (0.05, 0.5, 0.95)]
            out.append(f"| {fname} | `{key}` | {spec['prior']} [{spec['low']:g}, {spec['high']:g}] | "
                       f"{q[1]:.4g} ({q[0]:.4g} – {q[2]:.4g}) | `{f['scenario_file']}.yaml`: "
                       f"{meta['fits'][fname]['point'][key]:g} |")
    return out


def generations_table(d: dict) -> list[str]:
    out = ["| fit | generation | epsilon | particles simulated | accepted |", "|---|---|---|---|---|"]
    for row in d["generations"].itertuples():
        out.append(f"| {row.fit} | {row.generation} | {num(row.epsilon):.3g} | {row.samples} | {row.particles} |")
    return out


def runtime_lines(meta: dict) -> list[str]:
    t = meta["timings_s"]
    lines = [f"- total {t['total']:.0f} s ({t['total'] / 60:.1f} min) on {meta['cores']} cores with jobs={meta['jobs']}, "
             f"load average at the end {', '.join(f'{x:.1f}' for x in meta.get('load_average') or [])}; "
             f"{meta['runs']} model runs asked for, {meta['computed']} computed (the rest came from the cache)"]
    for k, v in t.items():
        if k != "total":
            lines.append(f"- {k}: {v:.0f} s")
    for fname, f in meta["fits"].items():
        s = f["settings"]
        lines.append(f"- fit {fname}: {s['population_size']} particles, at most {s['generations']} generations, "
                     f"seeds {s['seeds']}, minimum epsilon {s['minimum_epsilon']}: {f['simulations']} particles "
                     f"simulated, {f['runs']} runs")
    return lines


def report_markdown(folder: Path) -> str:
    d = load(folder)
    meta = d["meta"]
    out = [f"# Calibration report: {meta['name']}{' (quick: a smoke test, not a calibration)' if meta['quick'] else ''}",
           "", f"{meta['config'].get('title', '')}. Calibration file `{meta['calibration_file']}`, code version "
           f"`{meta['code_version']}`, pyabc {meta['pyabc']}, {meta['date']}.", "",
           "## Patterns", "", *pattern_table(d), "", "## Posterior", "", *posterior_table(d), "",
           "![marginals](marginals.png)", "", "![pairs](pairs.png)", "", "## ABC-SMC generations", "",
           *generations_table(d), "", "## Runtime", "", *runtime_lines(meta), "",
           "Files: posterior.csv (the last generation: parameters, weight, distance), populations.csv (every "
           "generation), predictive.csv and held_out.csv (the tables above), draws.csv (every predictive run), "
           "meta.json.", ""]
    return "\n".join(out)


def shown(folder: Path) -> str:
    """The folder as the command line would name it (relative to the checkout where it lies inside)."""
    folder = Path(folder).resolve()
    return str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)


def validation_markdown(folder: Path, figures: str) -> str:
    d = load(folder)
    meta = d["meta"]
    held = d["held_out"]
    notes = NOTES.read_text(encoding="utf-8").strip() if NOTES.is_file() else ""
    out = ["# Validation: what the model reproduces of the real cases", "",
           f"<!-- generated by `python -m sim.calibrate report={shown(folder)}` from the calibration's result folder "
           "and docs/validation_notes.md; do not edit by hand -->", "",
           f"Calibration `{meta['name']}`{' (quick mode: a smoke test, NOT a calibration)' if meta['quick'] else ''}"
           f" of {meta['date']}, code version `{meta['code_version']}`, from `configs/calibration/"
           f"{Path(meta['calibration_file']).name}` and the pattern files in `configs/patterns/`. Method: ABC-SMC "
           f"(pyabc {meta['pyabc']}), see [ODD.md](ODD.md) §7.18.", "",
           f"Held out and reproduced: **{(held.reproduced == 'yes').sum()} of {len(held)}**; fitted patterns "
           f"inside their posterior predictive interval: **{(d['predictive'].reproduced == 'yes').sum()} of "
           f"{len(d['predictive'])}**.", "",
           "## Patterns", "",
           "Simulated: the median and central interval over posterior draws, each draw one run with its own seed "
           "(parameter and run-to-run uncertainty together). Reproduced: the observed value lies in the interval "
           "(a range: the two overlap).", "", *pattern_table(d), "",
           "Why each pattern is held out:", ""]
    for row in held.itertuples():
        out.append(f"- `{row.pattern}`: {row.reason}")
    out += ["", "## Posterior", "", *posterior_table(d), "", f"![marginals]({figures}/marginals.png)", "",
            f"![pairs]({figures}/pairs.png)", "", *generations_table(d), "",
            "## Runtime and size", "", *runtime_lines(meta), "", notes, ""]
    return "\n".join(out)


def write_validation(folder: Path, doc: Path = ROOT / "docs" / "validation.md") -> Path:
    folder = Path(folder)
    load(folder)
    figs = doc.parent / "validation"
    figs.mkdir(parents=True, exist_ok=True)
    for f in ("marginals.png", "pairs.png"):
        if (folder / f).is_file():
            shutil.copyfile(folder / f, figs / f)
    doc.write_text(validation_markdown(folder, figs.name), encoding="utf-8")
    return doc
