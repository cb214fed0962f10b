"""Does a conclusion hold when the main assumptions change? Every scenario is run again with each of three
main assumptions at the low and at the high end of its plausible range (the ranges of the sensitivity
analysis, configs/experiment/sensitivity.yaml, which gives the reasons), on a few seeds each, and for each
headline message the report says in how many of these variants the change points the same way
("holds in 5 of 6 variants").

The three: how many ideas a town's open need gives (the strongest lever of the model, notes/model-review.md),
how much staff municipalities have for cooperation, and how reliably partners deliver.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.report.tables import derive, differences

VARIANTS = {
    "ideas_low": "needs.water.idea_rate=5e-05", "ideas_high": "needs.water.idea_rate=0.0002",
    "staff_low": "actors.capacity_per_100k=1.5", "staff_high": "actors.capacity_per_100k=6.0",
    "reliability_low": "actors.reliability_mean=0.8", "reliability_high": "actors.reliability_mean=0.97",
}
WORDS = {
    "ideas_low": ("half as many ideas per hectare of need", "halb so viele Projektideen je Hektar Bedarf"),
    "ideas_high": ("twice as many ideas per hectare of need", "doppelt so viele Projektideen je Hektar Bedarf"),
    "staff_low": ("half the municipal staff for cooperation", "halb so viel Personal der Kommunen für Kooperation"),
    "staff_high": ("twice the municipal staff for cooperation", "doppelt so viel Personal der Kommunen für Kooperation"),
    "reliability_low": ("less reliable partners (0.8)", "weniger verlässliche Partner (0,8)"),
    "reliability_high": ("more reliable partners (0.97)", "verlässlichere Partner (0,97)"),
}


def read(folder: Path, scenarios: list[str], years: float) -> dict[str, pd.DataFrame]:
    """{variant: final values (scenario, seed, metric, value)} of the robustness runs, where they exist."""
    keys = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))["runs"]
    out: dict[str, list] = {}
    for key, run in keys.items():
        parts = key.split(",")
        if len(parts) != 3 or parts[0] not in scenarios:
            continue
        summary = folder / "runs" / run / "summary.json"
        if not summary.is_file():
            continue
        values = json.loads(summary.read_text(encoding="utf-8"))
        out.setdefault(parts[2], []).append(pd.DataFrame(
            {"scenario": parts[0], "seed": int(parts[1]), "metric": list(values),
             "value": [float("nan") if v is None else v for v in values.values()]}))
    return {v: derive(pd.concat(frames, ignore_index=True), years) for v, frames in out.items()}


def holds(main: pd.DataFrame, variants: dict[str, pd.DataFrame], baseline: str, metrics: list[str]) -> pd.DataFrame:
    """Per scenario and metric: in how many variants the mean change has the sign of the main run's change
    (n_same), out of how many (n_variants), and which variants differ."""
    rows = []
    per = {v: differences(f, baseline, metrics) for v, f in variants.items()}
    for r in main.itertuples():
        if r.metric not in metrics:
            continue
        same, other = 0, []
        for v, d in per.items():
            x = d[(d.scenario == r.scenario) & (d.metric == r.metric)]
            if x.empty:
                continue
            agree = (x.diff_mean.iloc[0] > 0) == (r.diff_mean > 0) if r.diff_mean != 0 else x.diff_mean.iloc[0] == 0
            same += bool(agree)
            if not agree:
                other.append(v)
        rows.append({"scenario": r.scenario, "metric": r.metric, "n_same": same,
                     "n_variants": sum(1 for d in per.values() if not d[(d.scenario == r.scenario)
                                                                      & (d.metric == r.metric)].empty),
                     "differ": ",".join(other)})
    return pd.DataFrame(rows)


def sentence(row, lang: str) -> str:
    """'holds in 5 of 6 variants (not with: ...)' / 'gilt in 5 von 6 Varianten (nicht bei: ...)'."""
    k = 0 if lang == "en" else 1
    text = (f"the direction holds in {row.n_same} of {row.n_variants} variants of the assumptions" if k == 0 else
            f"die Richtung gilt in {row.n_same} von {row.n_variants} Varianten der Annahmen")
    if row.differ:
        names = "; ".join(WORDS[v][k] for v in row.differ.split(",") if v in WORDS)
        text += f" ({'not with' if k == 0 else 'nicht bei'}: {names})"
    return text
