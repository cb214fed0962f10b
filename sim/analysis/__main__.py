"""``python -m sim.analysis <sweep folder> [--metrics a,b] [--precision 0.05]``

Collects the sweep's complete runs, writes ``analysis/summary.csv`` (per scenario and metric: n,
mean, sd, 95 % CI, relative half-width, adequate, n_needed), ``analysis/series.csv`` (CI bands by
month) and figures (PNG and SVG) of the main metrics, and prints which metrics need more runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib.pyplot as plt

from sim.analysis.aggregate import bands, group_columns, summarise
from sim.analysis.collect import collect
from sim.errors import UserError

MAIN_METRICS = ["approvals", "completions", "trust_mean", "funds_approved_eur", "consortia",
                "lead_time_approval_months", "gini_funds_per_head"]


def analyse(folder: Path, metrics: list[str], precision: float) -> Path:
    c = collect(folder)
    if c.timeseries.empty:
        raise UserError(f"{folder}: no complete runs to analyse")
    by = group_columns(c.runs)
    ts = c.timeseries
    final = ts[ts.step == ts.groupby("run_id").step.transform("max")]
    out = folder / "analysis"
    out.mkdir(exist_ok=True)
    summary = summarise(final, by, precision)
    summary.to_csv(out / "summary.csv", index=False)
    series = bands(ts, by, metrics)
    series.to_csv(out / "series.csv", index=False)
    from sim import plots

    for metric in metrics:
        if metric not in set(final.metric):
            continue
        for name, fig in [(f"series_{metric}", plots.series_with_bands(series, metric, by)),
                          (f"final_{metric}", plots.final_distribution(final, metric, by))]:
            fig.savefig(out / f"{name}.png")
            fig.savefig(out / f"{name}.svg")
            plt.close(fig)
    print(c.report())
    weak = summary[(~summary.adequate) & summary.metric.isin(metrics)]
    for row in weak.itertuples():
        print(f"  {row.metric} ({', '.join(str(getattr(row, b)) for b in by) or 'all'}): CI half-width "
              f"{100 * row.rel_halfwidth:.0f} % of the mean with n = {row.n}; about {row.n_needed} runs "
              f"would give {100 * precision:.0f} %")
    if weak.empty:
        print(f"  every main metric's 95 % CI half-width is within {100 * precision:.0f} % of its mean")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.analysis", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metrics", default=",".join(MAIN_METRICS))
    parser.add_argument("--precision", type=float, default=0.05)
    args = parser.parse_args(argv)
    try:
        print(analyse(args.folder, args.metrics.split(","), args.precision))
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
