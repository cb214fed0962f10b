"""Global sensitivity analysis of the model: Morris screening, then Sobol indices for the top few.

    python experiments/sensitivity/run.py                        # klimawerk on emscher, 120 months
    python experiments/sensitivity/run.py --quick                # smoke test: tiny samples, 24 months
    python experiments/sensitivity/run.py --scenario baseline --region saarbruecken --horizon 60

Steps (all runs go through ``sim.run.simulate``; the model does no I/O):

1. Morris (1991) screening over the continuous parameters in :data:`PARAMETERS` (uniform over the
   ranges documented there and in README.md; parameters of coordinating bodies the scenario does not
   have are left out, as they cannot matter). ``--trajectories`` r, ``--levels`` p: r * (k + 1) runs.
2. Sobol indices (Saltelli 2002; SALib's Sobol-sequence sample) over the ``--top-k`` parameters with
   the largest Morris mu* for ``--sobol-metric``; the other parameters stay at the scenario's values.
   ``--sobol-n`` N: N * (k + 2) runs (N * (2k + 2) with ``--second-order``).

Seed policy (common random numbers): every sample row is run with the same model seed(s), ``--seed``,
``--seed + 1``, ... ``--seed + replicates - 1`` (their mean is the row's output). So two rows differ
only by their parameter values, never by their random draws, and an elementary effect is a paired
difference. ``--seed`` also seeds the Morris and Sobol sampling and the bootstrap confidence intervals,
so the same command gives the same numbers. The seed used for each row is the ``seed`` column of
``samples.csv``.

Output: ``results/sensitivity/<name>/`` (never overwritten: an existing default name gets a suffix
-2, -3, ...; an existing ``--name`` is refused):

    settings.json               what was asked (scenario, region, base config, parameter ranges, sizes)
    metadata.json               command(s), package versions, git revision, runs and runtime per stage
    morris/samples.csv          one row per run: row, seed, one column per parameter (the overrides)
    morris/outputs.parquet      the same rows with the metrics, seconds per run and any error
    morris/indices.csv          tidy: metric, parameter, mu_star, mu, sigma, mu_star_conf, ...
    morris/mu_star.png|svg      mu* with confidence bars, one panel per metric
    morris/mu_sigma.png|svg     sigma against mu* (ten Broeke et al. 2016)
    sobol/...                   samples.csv, outputs.parquet, indices.csv (S1, S1_conf, ST, ST_conf), sobol.png|svg

On a cluster the evaluation can be split (see README.md): ``--sample-only`` writes the folder and
the Morris sample; ``--evaluate-chunk i/n --folder F --stage morris`` runs one chunk into
``F/morris/chunks/``; ``--analyse --folder F --stage morris`` merges the chunks, analyses them and
writes the Sobol sample; then the same for ``--stage sobol``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import platform
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import yaml

from sim.config import Config, from_container, iter_params, to_dict
from sim.errors import UserError
from sim.results import clean, git_revision

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
RESULTS = ROOT / "results" / "sensitivity"
FORMAT_VERSION = 1
DEFAULT_METRICS = ("approvals", "completions", "trust_mean", "gini_funds_per_head", "lead_time_approval_months")
STAGES = ("morris", "sobol")
VERSION_PACKAGES = ("sim", "mesa", "numpy", "scipy", "pandas", "SALib", "joblib", "networkx", "matplotlib")


@dataclass(frozen=True)
class Param:
    """A parameter varied in the analysis: dotted config key and its plausible range (uniform)."""

    key: str
    low: float
    high: float
    basis: str   # why this range (source, or "assumption")


# The plausible ranges, narrower than the hard bounds in sim/config.py. README.md has the same table
# with the scenario values; tests/test_sensitivity.py checks that each range lies within the hard bounds.
PARAMETERS: tuple[Param, ...] = (
    Param("projects.ideas_per_100k", 0.04, 0.16,
          "assumption: half to twice the default 0.08, which was set so that baseline Emscher stays below "
          "Klima.Werk's 91 ideas in about 24 months (seed 003)"),
    Param("projects.benefit_ratio", 1.0, 2.5,
          "assumption: from a median project that just pays for itself (1.0) to 2.5 times its cost"),
    Param("projects.information_cost", 0.1, 0.6,
          "assumption: a third to twice the default 0.3 staff-months (Feiock 2013 names the cost, not its size)"),
    Param("projects.negotiation_cost", 0.1, 0.6,
          "assumption: a third to twice the default 0.3 staff-months per other partner (Feiock 2013)"),
    Param("projects.defection_risk", 0.2, 0.8,
          "assumption: around the default 0.5; the ends 0 and 1 (no risk, no gain with strangers) left out"),
    Param("projects.failure_hazard", 0.002, 0.01,
          "assumption: 2-11 % of 12-month implementations fail at full trust (default 0.005: about 6 %)"),
    Param("actors.capacity_per_100k", 1.5, 6.0,
          "assumption: 1.5 to 6 posts for cooperation projects per 100,000 inhabitants (default 3)"),
    Param("trust.forgetting", 0.98, 0.995,
          "assumption: evidence half-life 34 to 138 months (default 0.99: 69 months)"),
    Param("trust.failure_weight", 1.0, 4.0,
          "assumption: from symmetric (a failure weighs as a success) to strong negativity bias (default 2)"),
    Param("network.decay_km", 7.5, 30.0,
          "assumption: half to twice the default 15 km"),
    Param("funding.budget_per_head_year", 1.0, 6.0,
          "covers the KRIS predecessor (1.42 EUR per inhabitant and year) and KRIS (4.91; notes/literature.md)"),
    Param("funding.cofinancing_share", 0.0, 0.3,
          "KRIS funds 80-100 % (own share 0-0.2), its predecessor up to 80 % (0.2); 0.3 for a less "
          "generous programme (assumption)"),
    Param("funding.approval_threshold", 0.1, 0.5,
          "assumption (default 0.25; Klima.Werk: 60 approvals of 64 applications, seed 003)"),
    Param("service_organisation.staff", 5.0, 20.0,
          "seed 003: it started with 11 staff; half to nearly twice that (assumption)"),
    Param("service_organisation.quality_bonus", 0.2, 1.5,
          "assumption (default 0.8, to calibrate on 60 approvals of 64 applications, seed 003)"),
    Param("service_organisation.knowledge_ideas", 0.1, 0.6,
          "assumption (default 0.3, to calibrate on 91 ideas in the first period, seed 003)"),
)


# ----------------------------------------------------------------------------------------------
# Configuration: scenario, region, base config, parameters


def read_yaml(kind: str, name: str) -> dict:
    """configs/<kind>/<name>.yaml as a dict (the '# @package' line is a comment to YAML)."""
    path = CONFIGS / kind / f"{name}.yaml"
    if not path.is_file():
        available = sorted(p.stem for p in (CONFIGS / kind).glob("*.yaml"))
        raise UserError(f"unknown {kind} '{name}'; available: {', '.join(available)}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise UserError(f"{path} does not hold a mapping of config keys")
    return data


def deep_merge(base: dict, update: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def get_dotted(data: dict, key: str) -> Any:
    node = data
    for part in key.split("."):
        node = node[part]
    return node


def set_dotted(data: dict, key: str, value: Any) -> None:
    *path, last = key.split(".")
    node = data
    for part in path:
        node = node[part]
    if last not in node:
        raise UserError(f"unknown config key '{key}'")
    node[last] = value


def base_config(scenario: str = "klimawerk", region: str = "emscher", horizon: int = 120,
                extra: dict | None = None) -> dict:
    """The nested config of every run before the sample's values: defaults, then the scenario file,
    then the region file, the horizon and ``extra`` (nested). Checked by ``from_container``."""
    data = to_dict(Config())
    data = deep_merge(data, read_yaml("scenario", scenario))
    data["region"] = deep_merge(data["region"], read_yaml("region", region))
    data["horizon_months"] = int(horizon)
    data["output"]["write"] = False
    if extra:
        data = deep_merge(data, extra)
    from_container(data)
    return data


def body_groups() -> dict[str, str]:
    """Config group of each coordinating body -> its registered name."""
    from sim.bodies import bodies
    return {cls.config_key: name for name, cls in bodies.items()}


def select_parameters(base: dict, keys: Sequence[str] | None = None,
                      table: Sequence[Param] = PARAMETERS) -> tuple[list[Param], list[str]]:
    """The parameters to vary (all of ``table``, or those named in ``keys``), minus those of bodies the
    scenario lacks; returns (kept, left out with the reason). Each range is checked against the hard
    bounds of sim/config.py (UserError if it leaves them)."""
    by_key = {p.key: p for p in table}
    if keys:
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise UserError(f"--params: {', '.join(unknown)} not in the parameter table; choose from "
                            f"{', '.join(by_key)}")
        chosen = [by_key[k] for k in keys]
    else:
        chosen = list(table)
    groups, present = body_groups(), set(base["scenario"]["bodies"])
    kept, dropped = [], []
    fields = dict(iter_params())
    for p in chosen:
        group = p.key.split(".")[0]
        if group in groups and groups[group] not in present:
            dropped.append(f"{p.key} (scenario has no {groups[group]})")
            continue
        if p.key not in fields or fields[p.key].type not in (float, "float"):
            raise UserError(f"{p.key} is not a continuous (float) parameter")
        if not p.low < p.high:
            raise UserError(f"{p.key}: empty range [{p.low}, {p.high}]")
        for value in (p.low, p.high):
            trial = copy.deepcopy(base)
            set_dotted(trial, p.key, float(value))
            from_container(trial)          # raises UserError naming the key and the allowed range
        kept.append(p)
    return kept, dropped


def problem_of(params: Sequence[Param]) -> dict:
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[float(p.low), float(p.high)] for p in params]}


# ----------------------------------------------------------------------------------------------
# Samples


def morris_sample(problem: dict, trajectories: int, levels: int, seed: int) -> np.ndarray:
    from SALib.sample import morris
    return morris.sample(problem, trajectories, num_levels=levels, seed=seed)


def sobol_sample(problem: dict, n: int, seed: int, second_order: bool = False) -> np.ndarray:
    from SALib.sample import sobol
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*power of 2.*")   # checked (and warned about) in main
        return sobol.sample(problem, n, calc_second_order=second_order, scramble=True, seed=seed)


def samples_table(names: Sequence[str], X: np.ndarray, seed: int) -> pd.DataFrame:
    """The sample as overrides: row, seed (the same for every row: common random numbers), one column
    per parameter."""
    df = pd.DataFrame(np.asarray(X, float), columns=list(names))
    df.insert(0, "seed", int(seed))
    df.insert(0, "row", np.arange(len(df)))
    return df


# ----------------------------------------------------------------------------------------------
# Evaluation


def evaluate_row(base: dict, names: Sequence[str], values: Sequence[float], seeds: Sequence[int],
                 metrics: Sequence[str]) -> dict:
    """One sample row: run the model once per seed and return the mean of each metric (NaN where
    it is undefined in every replicate), the run time and any error."""
    from sim.run import simulate

    t0 = time.perf_counter()
    data = copy.deepcopy(base)
    for key, value in zip(names, values):
        set_dotted(data, key, float(value))
    out: dict[str, Any] = {}
    try:
        per_seed = []
        for seed in seeds:
            data["seed"] = int(seed)
            summary = simulate(from_container(data)).summary
            per_seed.append([summary.get(m, float("nan")) for m in metrics])
        arr = np.asarray(per_seed, float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN column: NaN is the honest answer
            means = np.nanmean(arr, axis=0)
        out.update(dict(zip(metrics, means.tolist())))
        out["error"] = ""
    except Exception as err:   # recorded, the analysis leaves the row out and says so
        out.update({m: float("nan") for m in metrics})
        out["error"] = f"{type(err).__name__}: {err}"
    out["seconds"] = time.perf_counter() - t0
    return out


class Progress:
    """tqdm over completed runs on a terminal; elsewhere (a batch job's log) a line every ~5 %."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done, self.t0 = total, label, 0, time.perf_counter()
        self.bar = None
        self.step = max(1, total // 20)
        if sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=label, unit="run", smoothing=0.1)

    def update(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done % self.step == 0 or self.done == self.total:
            elapsed = time.perf_counter() - self.t0
            left = elapsed / self.done * (self.total - self.done)
            print(f"[{self.label}] {self.done}/{self.total} runs, elapsed {fmt_s(elapsed)}, "
                  f"about {fmt_s(left)} left", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def fmt_s(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


def evaluate(base: dict, samples: pd.DataFrame, names: Sequence[str], metrics: Sequence[str],
             replicates: int = 1, jobs: int = -1, label: str = "runs", progress: bool = True) -> pd.DataFrame:
    """Evaluate every row of ``samples`` (columns row, seed, names...) in parallel (joblib, ``jobs``
    processes; 1 = in this process). Returns one row per sample row: row, metrics, seconds, error."""
    from joblib import Parallel, delayed

    rows = samples["row"].to_numpy()
    X = samples[list(names)].to_numpy(float)
    seeds = [[int(s) + j for j in range(replicates)] for s in samples["seed"]]
    bar = Progress(len(rows), label) if progress else None

    def tagged(i):
        return i, evaluate_row(base, names, X[i], seeds[i], metrics)

    results: dict[int, dict] = {}
    if jobs == 1:
        gen = (tagged(i) for i in range(len(rows)))
    else:
        gen = Parallel(n_jobs=jobs, return_as="generator_unordered")(
            delayed(_eval_tagged)(i, base, names, X[i], seeds[i], metrics) for i in range(len(rows)))
    for i, res in gen:
        results[i] = res
        if bar:
            bar.update()
    if bar:
        bar.close()
    out = pd.DataFrame([results[i] for i in range(len(rows))])
    out.insert(0, "row", rows)
    return out


def _eval_tagged(i, base, names, values, seeds, metrics):
    return i, evaluate_row(base, names, values, seeds, metrics)


# ----------------------------------------------------------------------------------------------
# Analysis


def morris_analyse(problem: dict, X: np.ndarray, Y: pd.DataFrame, levels: int, seed: int = 0,
                   resamples: int = 1000, conf_level: float = 0.95) -> pd.DataFrame:
    """Morris indices for every metric (column) of ``Y``: a tidy table with metric, parameter,
    mu_star, mu, sigma, mu_star_conf (half-width of the bootstrap interval), mu_star_rel (mu* over
    the largest mu* of that metric) and trajectories used / total. A trajectory with any undefined
    (NaN) output of a metric is left out of that metric's indices."""
    from SALib.analyze import morris

    X = np.asarray(X, float)
    k = problem["num_vars"]
    size = k + 1
    n_traj = len(X) // size
    if n_traj * size != len(X):
        raise ValueError(f"{len(X)} rows is not a whole number of trajectories of {size}")
    frames = []
    for metric in Y.columns:
        y = Y[metric].to_numpy(float)
        ok = np.isfinite(y.reshape(n_traj, size)).all(axis=1)
        used = int(ok.sum())
        if used >= 2:
            keep = np.repeat(ok, size)
            si = morris.analyze(problem, X[keep], y[keep], num_resamples=resamples, conf_level=conf_level,
                                num_levels=levels, seed=seed)
            vals = {c: np.asarray(si[c], float) for c in ("mu_star", "mu", "sigma", "mu_star_conf")}
        else:
            vals = {c: np.full(k, np.nan) for c in ("mu_star", "mu", "sigma", "mu_star_conf")}
        top = np.nanmax(vals["mu_star"]) if np.isfinite(vals["mu_star"]).any() else np.nan
        frames.append(pd.DataFrame({
            "metric": metric, "parameter": problem["names"], **vals,
            "mu_star_rel": vals["mu_star"] / top if top and np.isfinite(top) and top > 0 else np.zeros(k) * np.nan,
            "trajectories_used": used, "trajectories": n_traj}))
    return pd.concat(frames, ignore_index=True)


def sobol_analyse(problem: dict, Y: pd.DataFrame, second_order: bool = False, seed: int = 0,
                  resamples: int = 1000, conf_level: float = 0.95) -> pd.DataFrame:
    """Sobol indices (Saltelli 2002 / Jansen estimators as in SALib) for every metric of ``Y``, whose
    rows are a SALib Sobol sample in its order: tidy metric, parameter, S1, S1_conf, ST, ST_conf
    (half-widths of the bootstrap intervals), base rows used / total. A block of rows sharing one base
    row with any undefined output is left out."""
    from SALib.analyze import sobol

    k = problem["num_vars"]
    size = 2 * k + 2 if second_order else k + 2
    n = len(Y) // size
    if n * size != len(Y):
        raise ValueError(f"{len(Y)} rows is not a whole number of Sobol blocks of {size}")
    frames = []
    for metric in Y.columns:
        y = Y[metric].to_numpy(float)
        ok = np.isfinite(y.reshape(n, size)).all(axis=1)
        used = int(ok.sum())
        cols = ("S1", "S1_conf", "ST", "ST_conf")
        vals = {c: np.full(k, np.nan) for c in cols}
        if used >= 2 and np.nanstd(y[np.repeat(ok, size)]) > 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                # a Generator, not the int: SALib 1.6 ignores seed=0 ("if seed:") and then bootstraps
                # from numpy's global state, so the intervals would change from call to call
                si = sobol.analyze(problem, y[np.repeat(ok, size)], calc_second_order=second_order,
                                   num_resamples=resamples, conf_level=conf_level,
                                   seed=np.random.default_rng(seed))
            vals = {c: np.asarray(si[c], float) for c in cols}
        frames.append(pd.DataFrame({"metric": metric, "parameter": problem["names"], **vals,
                                    "base_rows_used": used, "base_rows": n}))
    return pd.concat(frames, ignore_index=True)


def top_parameters(indices: pd.DataFrame, metric: str, k: int) -> list[str]:
    """The k parameters with the largest Morris mu* for ``metric``."""
    rows = indices[indices.metric == metric].dropna(subset=["mu_star"])
    if rows.empty:
        raise UserError(f"no Morris indices for metric '{metric}' (all its outputs undefined?)")
    return rows.sort_values("mu_star", ascending=False).parameter.head(k).tolist()


# ----------------------------------------------------------------------------------------------
# Plots


def _save(fig, stem: Path) -> None:
    fig.savefig(stem.with_suffix(".png"), dpi=150, bbox_inches="tight")
    fig.savefig(stem.with_suffix(".svg"), bbox_inches="tight")


def _grid(n: int, width: float, height: float, ncols: int = 3):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return plt, fig, list(axes.flat[:n])


def plot_morris(indices: pd.DataFrame, stem: Path, title: str = "") -> None:
    """mu* with its confidence half-width, one panel per metric, parameters sorted by mu* in each."""
    metrics = list(dict.fromkeys(indices.metric))
    k = indices.parameter.nunique()
    plt, fig, axes = _grid(len(metrics), 6.0, 0.3 * k + 1.5)
    for ax, metric in zip(axes, metrics):
        d = indices[indices.metric == metric].sort_values("mu_star", na_position="first")
        ax.barh(d.parameter, d.mu_star.fillna(0), xerr=d.mu_star_conf.fillna(0), color="#4477aa",
                ecolor="#222222", capsize=2)
        used, total = int(d.trajectories_used.iloc[0]), int(d.trajectories.iloc[0])
        ax.set_title(metric + ("" if used == total else f" ({used} of {total} trajectories)"), fontsize=9)
        ax.set_xlabel("mu* (metric units per full range)", fontsize=8)
        ax.set_xlim(left=0)
        ax.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, stem)
    plt.close(fig)


def plot_mu_sigma(indices: pd.DataFrame, stem: Path, title: str = "") -> None:
    """sigma against mu*, one panel per metric (ten Broeke et al. 2016, Fig. 3 style)."""
    metrics = list(dict.fromkeys(indices.metric))
    plt, fig, axes = _grid(len(metrics), 4.0, 3.8)
    for ax, metric in zip(axes, metrics):
        d = indices[indices.metric == metric]
        ax.scatter(d.mu_star, d.sigma, s=14, color="#4477aa")
        top = d.sort_values("mu_star", ascending=False).head(5)
        for _, r in top.iterrows():
            if np.isfinite(r.mu_star) and np.isfinite(r.sigma):
                ax.annotate(r.parameter.split(".")[-1], (r.mu_star, r.sigma), fontsize=6,
                            xytext=(3, 2), textcoords="offset points")
        lim = np.nanmax([d.mu_star.max(), d.sigma.max(), 0]) * 1.1 or 1.0
        ax.plot([0, lim], [0, lim], ls=":", color="grey", lw=0.8)   # sigma = mu*: strongly non-linear
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_title(metric, fontsize=9)
        ax.set_xlabel("mu*", fontsize=8)
        ax.set_ylabel("sigma", fontsize=8)
        ax.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, stem)
    plt.close(fig)


def plot_sobol(indices: pd.DataFrame, stem: Path, title: str = "") -> None:
    """S1 and ST with confidence half-widths, one panel per metric (same parameter order in each)."""
    metrics = list(dict.fromkeys(indices.metric))
    k = indices.parameter.nunique()
    plt, fig, axes = _grid(len(metrics), 5.5, 0.5 * k + 1.6)
    for n, (ax, metric) in enumerate(zip(axes, metrics)):
        d = indices[indices.metric == metric].reset_index(drop=True)
        y = np.arange(len(d))
        ax.barh(y + 0.2, d.S1.fillna(0), height=0.4, xerr=d.S1_conf.fillna(0), color="#4477aa",
                label="S1 (first order)", capsize=2)
        ax.barh(y - 0.2, d.ST.fillna(0), height=0.4, xerr=d.ST_conf.fillna(0), color="#ee6677",
                label="ST (total)", capsize=2)
        ax.set_yticks(y, d.parameter, fontsize=7)
        ax.axvline(0, color="black", lw=0.6)
        ax.axvline(1, color="grey", lw=0.6, ls=":")
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
        if n == 0:
            ax.legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, stem)
    plt.close(fig)


# ----------------------------------------------------------------------------------------------
# Folders, files, metadata


def new_folder(out: Path, name: str, explicit: bool) -> Path:
    """A result folder that does not exist yet: ``out/name``; with a default name, a suffix -2, -3, ...
    is added if it exists; a name given by the user that exists is refused."""
    folder = out / name
    if folder.exists():
        if explicit:
            raise UserError(f"--name {name!r}: {folder} exists already; results are never overwritten, "
                            "choose another name (or continue it with --folder for --evaluate-chunk/--analyse)")
        k = 2
        while (out / f"{name}-{k}").exists():
            k += 1
        folder = out / f"{name}-{k}"
    folder.mkdir(parents=True)
    return folder


def write_json(data: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(clean(data), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in VERSION_PACKAGES:
        try:
            out[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def update_metadata(folder: Path, command: list[str] | None = None, **stage_info) -> dict:
    """Add a command and stage records to ``metadata.json`` (read, update, atomic write)."""
    path = folder / "metadata.json"
    meta = read_json(path) if path.is_file() else {
        "format_version": FORMAT_VERSION, "versions": versions(), "git": git_revision(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "node": platform.node()},
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commands": [], "stages": {}}
    if command:
        meta["commands"].append({"command": command, "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    for stage, info in stage_info.items():
        meta["stages"][stage] = {**meta["stages"].get(stage, {}), **info}
    meta["runs_total"] = sum(s.get("runs", 0) for s in meta["stages"].values() if isinstance(s, dict))
    write_json(meta, path)
    return meta


def stage_dir(folder: Path, stage: str) -> Path:
    return folder / stage


def write_samples(folder: Path, stage: str, names: Sequence[str], X: np.ndarray, seed: int) -> pd.DataFrame:
    d = stage_dir(folder, stage)
    d.mkdir(parents=True, exist_ok=True)
    table = samples_table(names, X, seed)
    tmp = d / f".samples.csv.tmp-{os.getpid()}"
    table.to_csv(tmp, index=False)
    os.replace(tmp, d / "samples.csv")
    write_json({"names": list(names), "rows": len(table)}, d / "problem.json")
    return table


def read_samples(folder: Path, stage: str) -> tuple[pd.DataFrame, list[str]]:
    d = stage_dir(folder, stage)
    if not (d / "samples.csv").is_file():
        hint = " (run --analyse --stage morris first: it writes the Sobol sample)" if stage == "sobol" else ""
        raise UserError(f"{d / 'samples.csv'} does not exist{hint}")
    names = read_json(d / "problem.json")["names"]
    return pd.read_csv(d / "samples.csv", dtype={n: float for n in names}), names


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def parse_chunk(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UserError(f"--evaluate-chunk {text!r}: expected i/n, e.g. 0/20") from None
    if not (n >= 1 and 0 <= i < n):
        raise UserError(f"--evaluate-chunk {text!r}: need 0 <= i < n")
    return i, n


def chunk_path(folder: Path, stage: str, i: int, n: int) -> Path:
    return stage_dir(folder, stage) / "chunks" / f"chunk-{i:04d}-of-{n:04d}.parquet"


def evaluate_chunk(folder: Path, stage: str, i: int, n: int, jobs: int = -1) -> Path:
    """Evaluate chunk i of n (a contiguous slice of the rows) into its own parquet file; a chunk whose
    file exists is skipped (so a re-submitted array job redoes only what is missing)."""
    settings = read_json(folder / "settings.json")
    samples, names = read_samples(folder, stage)
    target = chunk_path(folder, stage, i, n)
    if target.exists():
        print(f"{target} exists, skipped")
        return target
    part = np.array_split(np.arange(len(samples)), n)[i]
    t0 = time.perf_counter()
    out = evaluate(settings["base_config"], samples.iloc[part], names, settings["metrics"],
                   settings["replicates"], jobs, label=f"{stage} chunk {i}/{n}")
    out["host"] = platform.node()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(out, target)
    print(f"{stage} chunk {i}/{n}: {len(part)} runs in {fmt_s(time.perf_counter() - t0)} -> {target}")
    return target


def load_outputs(folder: Path, stage: str) -> pd.DataFrame:
    """The stage's outputs: outputs.parquet, or the chunk files merged (and then saved as
    outputs.parquet). Every sample row must be there exactly once."""
    d = stage_dir(folder, stage)
    samples, _ = read_samples(folder, stage)
    if (d / "outputs.parquet").is_file():
        out = pd.read_parquet(d / "outputs.parquet")
    else:
        files = sorted((d / "chunks").glob("chunk-*.parquet")) if (d / "chunks").is_dir() else []
        if not files:
            raise UserError(f"no outputs in {d}: run --evaluate-chunk i/n --stage {stage} first")
        out = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        dup = out.row[out.row.duplicated()].unique()
        if len(dup):
            raise UserError(f"{d / 'chunks'}: rows evaluated twice ({len(dup)}, e.g. {dup[:5].tolist()}); "
                            "chunk files from different splits (i/n with different n) are mixed")
    missing = sorted(set(samples.row) - set(out.row))
    if missing:
        raise UserError(f"{d}: {len(missing)} of {len(samples)} rows not evaluated yet (e.g. rows "
                        f"{missing[:5]}); run the missing --evaluate-chunk jobs")
    out = out.sort_values("row").reset_index(drop=True)
    if not (d / "outputs.parquet").is_file():
        write_parquet(out, d / "outputs.parquet")
    return out


# ----------------------------------------------------------------------------------------------
# Stages


def make_settings(args: argparse.Namespace) -> dict:
    base = base_config(args.scenario, args.region, args.horizon)
    params, dropped = select_parameters(base, args.params.split(",") if args.params else None)
    if len(params) < 2:
        raise UserError(f"only {len(params)} parameter(s) to vary; need at least 2")
    known = _known_metrics(base)
    unknown = [m for m in args.metrics if m not in known]
    if unknown:
        raise UserError(f"unknown metric(s) {', '.join(unknown)}; see the summary keys of a run "
                        "(python -m sim, summary.json)")
    if args.sobol_metric not in args.metrics:
        raise UserError(f"--sobol-metric {args.sobol_metric!r} must be one of --metrics ({', '.join(args.metrics)})")
    return {
        "format_version": FORMAT_VERSION, "scenario": args.scenario, "region": args.region,
        "horizon_months": args.horizon, "seed": args.seed, "replicates": args.replicates,
        "metrics": list(args.metrics), "trajectories": args.trajectories, "levels": args.levels,
        "sobol_n": args.sobol_n, "top_k": args.top_k, "sobol_metric": args.sobol_metric,
        "second_order": args.second_order, "resamples": args.resamples, "conf_level": args.conf_level,
        "quick": args.quick,
        "parameters": [{**asdict(p), "value_in_scenario": get_dotted(base, p.key)} for p in params],
        "left_out": dropped, "base_config": base,
    }


def _known_metrics(base: dict) -> set[str]:
    """Summary keys of a one-month run of the base config (cheap; metric names do not depend on time)."""
    from sim.run import simulate
    data = copy.deepcopy(base)
    data["horizon_months"] = 1
    return set(simulate(from_container(data)).summary)


def settings_problem(settings: dict, names: Sequence[str] | None = None) -> dict:
    params = [Param(p["key"], p["low"], p["high"], p["basis"]) for p in settings["parameters"]]
    if names is not None:
        by_key = {p.key: p for p in params}
        params = [by_key[n] for n in names]
    return problem_of(params)


def title_of(settings: dict) -> str:
    return (f"{settings['scenario']} on {settings['region']}, {settings['horizon_months']} months, "
            f"seed {settings['seed']}" + (f" (x{settings['replicates']})" if settings['replicates'] > 1 else ""))


def sample_morris(folder: Path, settings: dict) -> pd.DataFrame:
    problem = settings_problem(settings)
    X = morris_sample(problem, settings["trajectories"], settings["levels"], settings["seed"])
    return write_samples(folder, "morris", problem["names"], X, settings["seed"])


def analyse_morris(folder: Path, settings: dict, plots: bool = True) -> pd.DataFrame:
    """Morris indices, CSV and plots; then the Sobol sample for the top-k parameters."""
    samples, names = read_samples(folder, "morris")
    out = load_outputs(folder, "morris")
    _report_errors(out, "morris")
    problem = settings_problem(settings, names)
    idx = morris_analyse(problem, samples[names].to_numpy(float), out[settings["metrics"]], settings["levels"],
                         seed=settings["seed"], resamples=settings["resamples"], conf_level=settings["conf_level"])
    d = stage_dir(folder, "morris")
    idx.to_csv(d / "indices.csv", index=False)
    if plots:
        plot_morris(idx, d / "mu_star", title_of(settings))
        plot_mu_sigma(idx, d / "mu_sigma", title_of(settings))
    top = top_parameters(idx, settings["sobol_metric"], settings["top_k"])
    sproblem = settings_problem(settings, top)
    X = sobol_sample(sproblem, settings["sobol_n"], settings["seed"], settings["second_order"])
    write_samples(folder, "sobol", top, X, settings["seed"])
    return idx


def analyse_sobol(folder: Path, settings: dict, plots: bool = True) -> pd.DataFrame:
    samples, names = read_samples(folder, "sobol")
    out = load_outputs(folder, "sobol")
    _report_errors(out, "sobol")
    problem = settings_problem(settings, names)
    idx = sobol_analyse(problem, out[settings["metrics"]], settings["second_order"], seed=settings["seed"],
                        resamples=settings["resamples"], conf_level=settings["conf_level"])
    d = stage_dir(folder, "sobol")
    idx.to_csv(d / "indices.csv", index=False)
    if plots:
        plot_sobol(idx, d / "sobol", title_of(settings) + f"; top {len(names)} by mu* of {settings['sobol_metric']}")
    return idx


def _report_errors(out: pd.DataFrame, stage: str) -> None:
    bad = out[out.error.fillna("") != ""]
    if len(bad):
        print(f"warning: {len(bad)} {stage} run(s) raised an error and are left out of the analysis, "
              f"e.g. row {int(bad.row.iloc[0])}: {bad.error.iloc[0]}", file=sys.stderr)


def stage_record(out: pd.DataFrame, settings: dict, wall: float | None = None, jobs: int | None = None) -> dict:
    rec = {"runs": int(len(out)) * settings["replicates"], "rows": int(len(out)),
           "cpu_seconds": float(out.seconds.sum()), "errors": int((out.error.fillna("") != "").sum())}
    for m in settings["metrics"]:
        rec.setdefault("undefined_outputs", {})[m] = int(out[m].isna().sum())
    if wall is not None:
        rec["wall_seconds"] = wall
    if jobs is not None:
        rec["jobs"] = jobs
    return rec


def run_stage(folder: Path, settings: dict, stage: str, jobs: int, plots: bool = True) -> tuple[pd.DataFrame, dict]:
    """Evaluate every row of a stage in this process (joblib) and analyse it."""
    samples, names = read_samples(folder, stage)
    t0 = time.perf_counter()
    out = evaluate(settings["base_config"], samples, names, settings["metrics"], settings["replicates"], jobs,
                   label=stage)
    wall = time.perf_counter() - t0
    write_parquet(out, stage_dir(folder, stage) / "outputs.parquet")
    idx = (analyse_morris if stage == "morris" else analyse_sobol)(folder, settings, plots)
    return idx, stage_record(out, settings, wall, effective_jobs(jobs))


def effective_jobs(jobs: int) -> int:
    from joblib import cpu_count
    return cpu_count() + 1 + jobs if jobs < 0 else jobs


def print_top(idx: pd.DataFrame, stage: str, metric: str, n: int = 6) -> None:
    d = idx[idx.metric == metric]
    if stage == "morris":
        d = d.sort_values("mu_star", ascending=False).head(n)
        print(f"Morris, {metric}: " + "; ".join(f"{r.parameter} mu*={r.mu_star:.3g}±{r.mu_star_conf:.2g} "
                                               f"sigma={r.sigma:.3g}" for r in d.itertuples()))
    else:
        print(f"Sobol, {metric}: " + "; ".join(f"{r.parameter} S1={r.S1:.2f}±{r.S1_conf:.2f} "
                                              f"ST={r.ST:.2f}±{r.ST_conf:.2f}" for r in d.itertuples()))


# ----------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="klimawerk", help="configs/scenario/NAME.yaml (default klimawerk)")
    ap.add_argument("--region", default="emscher", help="configs/region/NAME.yaml (default emscher)")
    ap.add_argument("--horizon", type=int, default=None, help="months per run (default 120; 24 with --quick)")
    ap.add_argument("--seed", type=int, default=0,
                    help="model seed of every sample row (common random numbers) and seed of the sampling "
                         "and bootstrap (default 0)")
    ap.add_argument("--replicates", type=int, default=1,
                    help="seeds per row (seed, seed+1, ...); the row's output is their mean (default 1)")
    ap.add_argument("--metrics", default=",".join(DEFAULT_METRICS), help="comma-separated summary metrics")
    ap.add_argument("--params", default="", help="comma-separated subset of the parameter table (default all)")
    ap.add_argument("--trajectories", type=int, default=None, help="Morris trajectories r (default 10; 2 with --quick)")
    ap.add_argument("--levels", type=int, default=4, help="Morris grid levels p (default 4)")
    ap.add_argument("--top-k", type=int, default=4, help="parameters carried into Sobol (default 4)")
    ap.add_argument("--sobol-metric", default="approvals", help="metric whose mu* ranks the parameters for Sobol")
    ap.add_argument("--sobol-n", type=int, default=None, help="Sobol base sample N, a power of 2 (default 64; 8 with --quick)")
    ap.add_argument("--second-order", action="store_true", help="also second-order Sobol indices (N*(2k+2) runs)")
    ap.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples for the confidence intervals")
    ap.add_argument("--conf-level", type=float, default=0.95, help="confidence level (default 0.95)")
    ap.add_argument("--jobs", type=int, default=-1, help="parallel processes (joblib; -1 = all cores, 1 = serial)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes for a smoke test")
    ap.add_argument("--name", default="", help="result folder name (default <scenario>-<region>-h<horizon>-seed<seed>)")
    ap.add_argument("--out", default=str(RESULTS), help="parent folder of result folders (default results/sensitivity)")
    ap.add_argument("--no-plots", action="store_true", help="write the CSV files only")
    ap.add_argument("--list-params", action="store_true", help="print the parameter table (markdown) and exit")
    split = ap.add_argument_group("splitting the evaluation (cluster)")
    split.add_argument("--sample-only", action="store_true", help="write the folder and the Morris sample, run nothing")
    split.add_argument("--evaluate-chunk", metavar="I/N", default="", help="evaluate chunk I of N of --stage")
    split.add_argument("--analyse", action="store_true",
                       help="merge the chunks of --stage and analyse (morris: also writes the Sobol sample)")
    split.add_argument("--folder", default="", help="the result folder for --evaluate-chunk and --analyse")
    split.add_argument("--stage", choices=STAGES, default="morris", help="stage for --evaluate-chunk/--analyse")
    args = ap.parse_args(argv)
    if args.horizon is None:
        args.horizon = 24 if args.quick else 120
    if args.trajectories is None:
        args.trajectories = 2 if args.quick else 10
    if args.sobol_n is None:
        args.sobol_n = 8 if args.quick else 64
    if args.quick:
        args.resamples = min(args.resamples, 100)
    args.metrics = [m for m in args.metrics.split(",") if m]
    for name, low in (("horizon", 1), ("trajectories", 2), ("levels", 2), ("top_k", 1), ("sobol_n", 2),
                      ("replicates", 1), ("resamples", 1)):
        if getattr(args, name) < low:
            ap.error(f"--{name.replace('_', '-')} must be at least {low}")
    if args.sobol_n & (args.sobol_n - 1):
        print(f"warning: --sobol-n {args.sobol_n} is not a power of 2; the Sobol sequence's convergence "
              "properties need one", file=sys.stderr)
    if args.jobs == 0:
        ap.error("--jobs 0 is not allowed (-1 = all cores, 1 = serial)")
    if (args.evaluate_chunk or args.analyse) and not args.folder:
        ap.error("--evaluate-chunk and --analyse need --folder (the folder --sample-only wrote)")
    return args


def parameter_table(base: dict | None = None) -> str:
    base = base or base_config()
    fields = dict(iter_params())
    lines = ["| parameter | unit | hard bounds | default (klimawerk) | range | basis |", "|---|---|---|---|---|---|"]
    from sim.config import describe_range
    for p in PARAMETERS:
        meta = fields[p.key].metadata
        lines.append(f"| `{p.key}` | {meta['unit'] or '-'} | {describe_range({**meta, 'unit': ''})} | "
                     f"{fields[p.key].default:g} ({get_dotted(base, p.key):g}) | {p.low:g} - {p.high:g} | {p.basis} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> Path | None:
    args = parse_args(argv)
    command = [sys.executable, *(sys.argv if argv is None else [__file__, *argv])]
    t_start = time.perf_counter()
    try:
        if args.list_params:
            print(parameter_table())
            return None
        if args.evaluate_chunk:
            i, n = parse_chunk(args.evaluate_chunk)
            evaluate_chunk(Path(args.folder), args.stage, i, n, args.jobs)
            return Path(args.folder)
        if args.analyse:
            return analyse_command(Path(args.folder), args.stage, command, t_start, not args.no_plots)
        settings = make_settings(args)
        name = args.name or (f"{args.scenario}-{args.region}-h{args.horizon}-seed{args.seed}"
                             + ("-quick" if args.quick else ""))
        folder = new_folder(Path(args.out), name, explicit=bool(args.name))
        write_json(settings, folder / "settings.json")
        samples = sample_morris(folder, settings)
        update_metadata(folder, as_strings(command))
        k = len(settings["parameters"])
        sobol_rows = settings["sobol_n"] * ((2 if settings["second_order"] else 1) * min(settings["top_k"], k) + 2)
        print(f"{folder}: {k} parameters" + (f" (left out: {'; '.join(settings['left_out'])})"
                                            if settings["left_out"] else "")
              + f"; Morris {len(samples)} rows, then Sobol {sobol_rows} rows; x{settings['replicates']} seed(s)")
        if args.sample_only:
            print(f"Morris sample written to {folder / 'morris' / 'samples.csv'}; next: "
                  f"--evaluate-chunk i/n --folder {folder} --stage morris")
            return folder
        jobs = args.jobs
        idx, rec = run_stage(folder, settings, "morris", jobs, not args.no_plots)
        update_metadata(folder, morris=rec)
        print_top(idx, "morris", settings["sobol_metric"])
        idx, rec = run_stage(folder, settings, "sobol", jobs, not args.no_plots)
        print_top(idx, "sobol", settings["sobol_metric"])
        runtime = time.perf_counter() - t_start
        meta = update_metadata(folder, sobol=rec)
        meta["runtime_seconds"] = runtime
        write_json(meta, folder / "metadata.json")
        print(f"{meta['runs_total']} runs in {fmt_s(runtime)} ({runtime:.1f} s, {rec['jobs']} processes) -> {folder}")
        return folder
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2)


def analyse_command(folder: Path, stage: str, command: list[str], t_start: float, plots: bool = True) -> Path:
    if not (folder / "settings.json").is_file():
        raise UserError(f"{folder} is not a sensitivity folder (no settings.json); --sample-only writes one")
    settings = read_json(folder / "settings.json")
    idx = (analyse_morris if stage == "morris" else analyse_sobol)(folder, settings, plots)
    out = pd.read_parquet(stage_dir(folder, stage) / "outputs.parquet")
    rec = stage_record(out, settings)
    rec["analysis_wall_seconds"] = time.perf_counter() - t_start
    rec["chunks"] = len(list((stage_dir(folder, stage) / "chunks").glob("chunk-*.parquet"))) \
        if (stage_dir(folder, stage) / "chunks").is_dir() else 0
    update_metadata(folder, as_strings(command), **{stage: rec})
    print_top(idx, stage, settings["sobol_metric"])
    if stage == "morris":
        print(f"Sobol sample written to {folder / 'sobol' / 'samples.csv'}; next: "
              f"--evaluate-chunk i/n --folder {folder} --stage sobol")
    print(f"{stage} analysed in {fmt_s(time.perf_counter() - t_start)} -> {stage_dir(folder, stage)}")
    return folder


def as_strings(command: Iterable[str]) -> list[str]:
    return [str(c) for c in command]


if __name__ == "__main__":
    main()
