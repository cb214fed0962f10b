"""``python -m sim.analysis``: analyse a sweep folder's saved runs (files only, never the model).

    python -m sim.analysis FOLDER [--metrics a,b] [--precision 0.05]
        per group and metric: n, mean, sd, 95 % CI, relative half-width, whether n suffices
        (analysis/summary.csv, series.csv, figures)
    python -m sim.analysis collect FOLDER
        the tidy tables runs.csv, final.csv, timeseries.parquet (also written when a sweep ends)
    python -m sim.analysis differences FOLDER --factor scenario [--baseline baseline] [--metrics a,b]
        paired (same-seed) differences against one level (analysis/differences.csv)
    python -m sim.analysis design FOLDER [--metrics a,b] [--resamples 1000]
        an experiment design: Morris or Sobol indices (SALib), outcome-vs-parameter figures and
        feature scores (analysis/design/)
    python -m sim.analysis prim FOLDER --metric approvals (--above X | --below X) [--density 0.8]
        scenario discovery: the box of settings where the condition holds (analysis/prim/)

Every command writes its files under FOLDER/analysis/ (each via a temporary file and a rename) and
prints what it found. Bad input gives one line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import pandas as pd

from sim.errors import UserError

MAIN_METRICS = ["approvals", "completions", "trust_mean", "funds_approved_eur", "consortia",
                "lead_time_approval_months", "gini_funds_per_head"]
COMMANDS = ("collect", "differences", "design", "prim", "summary")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:          # one line, exit 2 (argparse prints usage too)
        raise UserError(f"{message} (python -m sim.analysis --help)")


def save(frame_or_fig, path: Path) -> None:
    """A table (.csv) or a figure (.png and .svg) written via a temporary file and a rename."""
    from sim.cache import tmp_name

    path.parent.mkdir(parents=True, exist_ok=True)
    targets = [path] if isinstance(frame_or_fig, pd.DataFrame) else [path.with_suffix(".png"), path.with_suffix(".svg")]
    for target in targets:
        tmp = target.with_name(tmp_name(target.name) + target.suffix)
        try:
            if isinstance(frame_or_fig, pd.DataFrame):
                frame_or_fig.to_csv(tmp, index=False)
            else:
                frame_or_fig.savefig(tmp, format=target.suffix[1:])
            os.replace(tmp, target)
        except OSError as err:
            raise UserError(f"could not write {target}: {err.strerror or err}") from None
        finally:
            tmp.unlink(missing_ok=True)
    if not isinstance(frame_or_fig, pd.DataFrame):
        import matplotlib.pyplot as plt
        plt.close(frame_or_fig)


def pick_metrics(available: set, text: str | None, default: list[str]) -> list[str]:
    metrics = [m for m in (text.split(",") if text else default) if m]
    unknown = [m for m in metrics if m not in available]
    if unknown and text:
        import difflib

        close = {m: difflib.get_close_matches(m, sorted(available), n=1) for m in unknown}
        hint = "; ".join(f"did you mean '{c[0]}' for '{m}'?" for m, c in close.items() if c)
        names = sorted(available)
        listed = ", ".join(names[:15]) + (f" ... ({len(names)} in all: the metric column of final.csv)"
                                          if len(names) > 15 else "")
        raise UserError(f"--metrics: unknown metric(s) {', '.join(unknown)}" + (f" ({hint})" if hint else "")
                        + f"; available: {listed}")
    return [m for m in metrics if m in available]


def summary(folder: Path, metrics_text: str | None, precision: float) -> Path:
    from sim import plots
    from sim.analysis.aggregate import bands, summarise
    from sim.analysis.collect import collect

    if not (math.isfinite(precision) and 0 < precision < 1):
        raise UserError(f"--precision = {precision} is out of range; allowed: (0, 1), e.g. 0.05 for 5 %")
    c = collect(folder)
    if c.final.empty:
        raise UserError(f"{folder}: no complete runs to analyse ({c.report().splitlines()[0]})")
    metrics = pick_metrics(set(c.final.metric), metrics_text, MAIN_METRICS)
    by = c.groups
    out = folder / "analysis"
    table = summarise(c.final, by, precision)
    save(table, out / "summary.csv")
    series = bands(c.timeseries, by, metrics)
    save(series, out / "series.csv")
    for metric in metrics:
        if metric in set(series.metric):
            save(plots.series_with_bands(series, metric, by), out / f"series_{metric}")
        save(plots.final_distribution(c.final, metric, by), out / f"final_{metric}")
    print(c.report())
    weak = table[(~table.adequate) & table.metric.isin(metrics)]
    for row in weak.to_dict("records"):
        group = ", ".join(f"{b}={row[b]}" for b in by) or "all runs"
        print(f"  {row['metric']} ({group}): CI half-width {100 * row['rel_halfwidth']:.0f} % of the mean with "
              f"n = {row['n']}; about {row['n_needed']} runs would give {100 * precision:.0f} %")
    if weak.empty:
        print(f"  every chosen metric's 95 % CI half-width is within {100 * precision:.0f} % of its mean")
    if (folder / "design" / "design.json").is_file():
        print(f"  this folder holds an experiment design: python -m sim.analysis design {folder}")
    return out


def differences(folder: Path, factor: str, baseline: str | None, metrics_text: str | None) -> Path:
    from sim.analysis.collect import collect
    from sim.analysis.paired import paired_differences

    c = collect(folder)
    if c.final.empty:
        raise UserError(f"{folder}: no complete runs to analyse")
    metrics = pick_metrics(set(c.final.metric), metrics_text, MAIN_METRICS)
    if factor not in c.final.columns:
        raise UserError(f"--factor '{factor}' is not a setting that tells these runs apart; choose one of: "
                        f"{', '.join(c.groups) or '(none: all runs have the same settings)'}")
    levels = list(dict.fromkeys(c.final[factor].astype(str)))
    base = baseline if baseline is not None else ("baseline" if "baseline" in levels else levels[0])
    strata = [g for g in c.groups if g != factor and not c.final.groupby(factor)[g].nunique().eq(1).all()]
    table = paired_differences(c.final, factor, base, strata, metrics)
    out = folder / "analysis" / "differences.csv"
    save(table, out)
    for r in table.to_dict("records"):
        where = ", ".join(f"{s}={r[s]}" for s in strata)
        print(f"{r['level']} vs {base}{' (' + where + ')' if where else ''}, {r['metric']}: {r['diff_mean']:+.4g} "
              f"(95 % CI {r['diff_low']:+.4g} to {r['diff_high']:+.4g}; {r['n']} paired seeds)")
    return out


def design(folder: Path, metrics_text: str | None, resamples: int) -> Path:
    from sim.analysis import sensitivity as SA
    from sim.analysis.collect import collect

    spec_path = folder / "design" / "design.json"
    if not spec_path.is_file():
        raise UserError(f"{folder} holds no experiment design (design/design.json); run one with "
                        "python -m sim -m +experiment=NAME")
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        samples = pd.read_csv(folder / "design" / "samples.csv")
    except (OSError, ValueError) as err:
        raise UserError(f"{folder}/design is damaged ({type(err).__name__}); rerun the experiment into a new folder") from None
    c = collect(folder)
    if c.final.empty:
        raise UserError(f"{folder}: no complete runs to analyse ({c.report().splitlines()[0]})")
    metrics = pick_metrics(set(c.final.metric), metrics_text, MAIN_METRICS)
    out = folder / "analysis" / "design"
    kind, names = spec["kind"], spec["names"]
    problem = {"num_vars": len(names), "names": names, "bounds": spec["bounds"]}
    levers = spec.get("levers") or [{}]
    seed = int(spec.get("settings", {}).get("seed", 0))
    frames = []
    for j, lever in enumerate(levers):
        final = c.final[c.final["design.levers"] == j] if "design.levers" in c.final.columns else c.final
        label = ", ".join(f"{k}={v}" for k, v in lever.items())
        Y = SA.row_outputs(final, len(samples), metrics)
        missing = int(Y.isna().all(axis=1).sum())
        if missing:
            print(f"  {label or 'design'}: {missing} of {len(samples)} rows have no complete run yet; "
                  "rerun the command to complete them")
        if kind == "morris":
            X = samples[[f"x:{n}" for n in names]].to_numpy(float)
            idx = SA.morris_indices(problem, X, Y, int(spec["settings"].get("levels", 4)), seed, resamples)
            fig = SA.plot_morris(idx, label)
        elif kind == "sobol":
            idx = SA.sobol_indices(problem, Y, bool(spec["settings"].get("second_order", False)), seed, resamples)
            fig = SA.plot_sobol(idx, label)
        else:
            idx, fig = None, None
        if idx is not None:
            frames.append(idx.assign(**{k: v for k, v in lever.items()}))
            save(fig, out / (f"{kind}_{j}" if len(levers) > 1 else kind))
            for metric in metrics:
                d = idx[idx.metric == metric]
                col = "mu_star" if kind == "morris" else "ST"
                top = d.sort_values(col, ascending=False).head(5)
                print(f"{kind}{' (' + label + ')' if label else ''}, {metric}: "
                      + "; ".join(f"{r['parameter']} {col}={r[col]:.3g}" for r in top.to_dict("records")))
    if frames:
        save(pd.concat(frames, ignore_index=True), out / "indices.csv")
    points = design_points(c, samples, names)
    numeric = [n for n in names if pd.api.types.is_numeric_dtype(points[n])]
    colour = "design.levers" if len(levers) > 1 else None
    for metric in metrics:
        if numeric:
            save(SA.plot_outcomes(points.dropna(subset=[metric]), numeric, metric, colour), out / f"outcomes_{metric}")
    if len(points) >= 10:
        from sim.analysis.discovery import feature_scores

        x = points[names].apply(lambda s: s if pd.api.types.is_numeric_dtype(s) else s.astype("category").cat.codes)
        scores = feature_scores(x, {m: points[m].to_numpy() for m in metrics}, seed)
        save(scores.rename_axis("parameter").reset_index(), out / "feature_scores.csv")
        print("feature scores (extra trees): " + "; ".join(
            f"{m}: {scores[m].idxmax()} {scores[m].max():.2f}" for m in scores.columns))
    return out


def design_points(c, samples: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per complete run: its design values and its final metrics (wide)."""
    wide = c.final.pivot_table(index="run_id", columns="metric", values="value", aggfunc="first")
    info = c.final.drop_duplicates("run_id").set_index("run_id")
    rows = info[[k for k in ("design.row", "design.levers") if k in info.columns]].join(wide)
    return rows.join(samples.set_index("row")[names], on="design.row").reset_index()


def prim(folder: Path, metric: str, above: float | None, below: float | None, density: float,
         params_text: str | None) -> Path:
    from sim.analysis.collect import collect
    from sim.analysis.discovery import describe_box, plot_trajectory, prim_box

    if (above is None) == (below is None):
        raise UserError("give exactly one of --above X or --below X")
    if not 0 < density <= 1:
        raise UserError(f"--density = {density} is out of range; allowed: (0, 1]")
    c = collect(folder)
    if metric not in set(c.final.metric):
        raise UserError(f"--metric: unknown metric '{metric}'; available: {', '.join(sorted(set(c.final.metric)))}")
    done = c.runs[c.runs.status == "complete"].set_index("run_id")
    candidates = [g for g in c.groups if g != "code_version"]
    if (folder / "design" / "samples.csv").is_file():
        spec = json.loads((folder / "design" / "design.json").read_text(encoding="utf-8"))
        candidates = list(dict.fromkeys([*spec["names"], *[k for lv in spec.get("levers", []) for k in lv],
                                         *candidates]))
    params = [p for p in (params_text.split(",") if params_text else candidates) if p]
    unknown = [p for p in params if p not in done.columns]
    if unknown:
        raise UserError(f"--params: {', '.join(unknown)} are not settings of these runs; varied ones: "
                        f"{', '.join(candidates)}")
    params = [p for p in params if done[p].astype(str).nunique() > 1]
    if not params:
        raise UserError("no setting varies between these runs; PRIM needs a sweep or a design over settings")
    values = c.final[c.final.metric == metric].set_index("run_id").value.reindex(done.index)
    x = done[params].copy()
    for p in params:
        if not pd.api.types.is_numeric_dtype(x[p]):
            x[p] = x[p].astype(str)
    condition = f"{metric} > {above:g}" if above is not None else f"{metric} < {below:g}"
    y = (values > above) if above is not None else (values < below)
    result = prim_box(x[values.notna().to_numpy()], y[values.notna()].to_numpy(), density)
    out = folder / "analysis" / "prim"
    save(result["limits"], out / "box.csv")
    save(result["trajectory"], out / "trajectory.csv")
    save(plot_trajectory(result, condition), out / "trajectory")
    text = describe_box(result, condition)
    if not result["stats"]["reached_min_density"]:
        text += f"; no box reached density {density:g}: this is the densest one"
    (out / "box.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return out


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        raise SystemExit(0)
    command = argv.pop(0) if argv[0] in COMMANDS else "summary"
    parser = Parser(prog=f"python -m sim.analysis {command}", add_help=False)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metrics")
    if command == "summary":
        parser.add_argument("--precision", type=float, default=0.05)
    elif command == "differences":
        parser.add_argument("--factor", required=True)
        parser.add_argument("--baseline")
    elif command == "design":
        parser.add_argument("--resamples", type=int, default=1000)
    elif command == "prim":
        parser.add_argument("--metric", required=True)
        parser.add_argument("--above", type=float)
        parser.add_argument("--below", type=float)
        parser.add_argument("--density", type=float, default=0.8)
        parser.add_argument("--params")
    try:
        args = parser.parse_args(argv)
        if command == "collect":
            from sim.analysis.collect import collect

            c = collect(args.folder)
            print(c.report())
            print(args.folder)
        elif command == "summary":
            print(summary(args.folder, args.metrics, args.precision))
        elif command == "differences":
            print(differences(args.folder, args.factor, args.baseline, args.metrics))
        elif command == "design":
            if args.resamples < 1:
                raise UserError(f"--resamples = {args.resamples} must be at least 1")
            print(design(args.folder, args.metrics, args.resamples))
        elif command == "prim":
            print(prim(args.folder, args.metric, args.above, args.below, args.density, args.params))
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is left (files are written via a rename)", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
