"""The four real cases and their baselines, 120 months, N seeds: the figures of issue 15's closing note.

    .venv/bin/python experiments/cases/measure.py          # 10 seeds; prints one line per case
    .venv/bin/python experiments/cases/measure.py 3        # 3 seeds

Each case is composed as ``python -m sim scenario=S region=R seed=N`` would compose it; the figures are
means over the seeds of summary keys (docs/ODD.md, README "Summary keys"). Writes results/cases/summary.csv
(case, region, seeds, metric, mean: tidy). Takes about 10 minutes for 10 seeds on an idle 2-core machine.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.cli import compose
from sim.run import simulate

CASES = [("baseline", "emscher"), ("klimawerk", "emscher"), ("baseline", "saarbruecken"),
         ("herausforderung", "saarbruecken"), ("baseline", "rvr"), ("prima_klima", "rvr"),
         ("baseline", "werra_meissner"), ("lebenswert", "werra_meissner")]
KEYS = ["ideas", "applications", "approvals", "completions", "consortium_size_1", "consortium_size_2",
        "consortium_size_3", "consortium_size_4", "consortium_size_5plus", "trust_p10", "trust_p50", "trust_p90",
        "trust_in_use_p10", "trust_in_use_p50", "trust_in_use_p90", "ties_in_use", "ties",
        "funding_decisions", "funding_rejected_quality", "funding_rejected_budget", "funding_budget_rejection_share",
        "second_programme_decisions", "second_programme_rejected_quality", "second_programme_rejected_budget",
        "second_programme_budget_rejection_share", "triangle_share", "repeat_share", "request_matches",
        "cooperating_municipalities_share", "water_disconnected_ha", "concept_followup_share"]


def main(seeds: int) -> None:
    rows = []
    for scenario, region in CASES:
        runs = [simulate(compose([f"scenario={scenario}", f"region={region}", f"seed={s}"])).summary
                for s in range(seeds)]
        means = {k: float(np.mean(vals)) for k in KEYS
                 if (vals := [r[k] for r in runs if k in r and r[k] is not None and np.isfinite(r[k])])}
        print(f"{scenario} on {region}, {seeds} seeds: " + ", ".join(f"{k} {v:.3g}" for k, v in means.items()),
              flush=True)
        rows += [{"case": scenario, "region": region, "seeds": seeds, "metric": k, "mean": v} for k, v in means.items()]
    out = Path("results/cases")
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "summary.csv", index=False)
    print(f"-> {out / 'summary.csv'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
