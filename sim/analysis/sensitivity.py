"""Sensitivity indices of an experiment design from its saved runs (SALib), and their figures.

Morris (1991) elementary effects with mu* (Campolongo et al. 2007); Sobol indices with the
Saltelli (2002) / Jansen estimators as in SALib. For ABMs see ten Broeke, van Voorn & Ligtenberg
2016 (JASSS 19(1)5). Every row of the design is run with the same seeds (common random numbers), and
a row's output is its mean over those seeds. A row whose output is undefined (NaN) removes its whole
Morris trajectory, or its whole Sobol block, from that metric's indices; the ``*_used`` columns say
how many remain. ``*_conf`` columns are half-widths of the bootstrap confidence interval.

>>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 2]]}
>>> from SALib.sample import morris as ms
>>> X = ms.sample(problem, 4, num_levels=4, seed=1)
>>> idx = morris_indices(problem, X, pd.DataFrame({"y": 3 * X[:, 0]}), levels=4).set_index("parameter")
>>> round(float(idx.loc["a", "mu_star"]), 6), float(idx.loc["b", "mu_star"])
(3.0, 0.0)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

MORRIS_COLUMNS = ("mu_star", "mu", "sigma", "mu_star_conf")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def morris_indices(problem: dict, X: np.ndarray, Y: pd.DataFrame, levels: int, seed: int = 0,
                   resamples: int = 1000, conf_level: float = 0.95) -> pd.DataFrame:
    """Tidy Morris indices for every column of ``Y`` (rows in the sample's order)."""
    from SALib.analyze import morris

    X = np.asarray(X, float)
    k = problem["num_vars"]
    frames = []
    for metric, y, keep, used, n_traj in blocks(Y, k + 1, "trajectories"):
        vals = {c: np.full(k, np.nan) for c in MORRIS_COLUMNS}
        if used >= 2:
            si = morris.analyze(problem, X[keep], y[keep], num_resamples=resamples, conf_level=conf_level,
                                num_levels=levels, seed=seed)
            vals = {c: np.asarray(si[c], float) for c in MORRIS_COLUMNS}
        top = np.nanmax(vals["mu_star"]) if np.isfinite(vals["mu_star"]).any() else np.nan
        rel = vals["mu_star"] / top if np.isfinite(top) and top > 0 else np.full(k, np.nan)
        frames.append(pd.DataFrame({"metric": metric, "parameter": problem["names"], **vals, "mu_star_rel": rel,
                                    "trajectories_used": used, "trajectories": n_traj}))
    return pd.concat(frames, ignore_index=True)


def sobol_indices(problem: dict, Y: pd.DataFrame, second_order: bool = False, seed: int = 0,
                  resamples: int = 1000, conf_level: float = 0.95) -> pd.DataFrame:
    """Tidy first-order and total Sobol indices for every column of ``Y`` (a SALib Sobol sample's order)."""
    from SALib.analyze import sobol

    k = problem["num_vars"]
    frames = []
    for metric, y, keep, used, n in blocks(Y, 2 * k + 2 if second_order else k + 2, "Sobol blocks"):
        vals = {c: np.full(k, np.nan) for c in SOBOL_COLUMNS}
        if used >= 2 and np.nanstd(y[keep]) > 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                # a Generator, not the int: SALib 1.6 ignores seed=0 ("if seed:") and would bootstrap from
                # numpy's global state
                si = sobol.analyze(problem, y[keep], calc_second_order=second_order,
                                   num_resamples=resamples, conf_level=conf_level, seed=np.random.default_rng(seed))
            vals = {c: np.asarray(si[c], float) for c in SOBOL_COLUMNS}
        frames.append(pd.DataFrame({"metric": metric, "parameter": problem["names"], **vals,
                                    "base_rows_used": used, "base_rows": n}))
    return pd.concat(frames, ignore_index=True)


def blocks(Y: pd.DataFrame, size: int, what: str):
    """Per metric of ``Y``: (metric, values, mask of the rows in whole blocks of ``size`` without NaN,
    blocks used, blocks): a design's trajectories or Sobol blocks, each used whole or not at all."""
    n = len(Y) // size
    if n * size != len(Y):
        raise ValueError(f"{len(Y)} rows is not a whole number of {what} of {size}")
    for metric in Y.columns:
        y = Y[metric].to_numpy(float)
        ok = np.isfinite(y.reshape(n, size)).all(axis=1)
        yield metric, y, np.repeat(ok, size), int(ok.sum()), n


def row_outputs(final: pd.DataFrame, rows: int, metrics: list[str]) -> pd.DataFrame:
    """One row per design row (0..rows-1): the mean over its runs (seeds) of each metric; NaN if none."""
    data = final[final.metric.isin(metrics)]
    wide = data.pivot_table(index="design.row", columns="metric", values="value", aggfunc="mean")
    return wide.reindex(index=range(rows), columns=metrics)


def _grid(n: int, width: float, height: float, ncols: int = 3):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def plot_morris(indices: pd.DataFrame, title: str = ""):
    """mu* with its confidence half-width, one panel per metric, parameters sorted by mu*."""
    metrics = list(dict.fromkeys(indices.metric))
    k = indices.parameter.nunique()
    fig, axes = _grid(len(metrics), 6.0, 0.3 * k + 1.5)
    for ax, metric in zip(axes, metrics):
        d = indices[indices.metric == metric].sort_values("mu_star", na_position="first")
        ax.barh(d.parameter, d.mu_star.fillna(0), xerr=d.mu_star_conf.fillna(0), color="#0072B2", capsize=2)
        used, total = int(d.trajectories_used.iloc[0]), int(d.trajectories.iloc[0])
        ax.set_title(metric + ("" if used == total else f" ({used} of {total} trajectories)"), fontsize=9)
        ax.set_xlabel("mu* (metric units per full range)", fontsize=8)
        ax.set_xlim(left=0)
        ax.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_sobol(indices: pd.DataFrame, title: str = ""):
    """S1 and ST with confidence half-widths, one panel per metric."""
    metrics = list(dict.fromkeys(indices.metric))
    k = indices.parameter.nunique()
    fig, axes = _grid(len(metrics), 5.5, 0.5 * k + 1.6)
    for n, (ax, metric) in enumerate(zip(axes, metrics)):
        d = indices[indices.metric == metric].reset_index(drop=True)
        y = np.arange(len(d))
        ax.barh(y + 0.2, d.S1.fillna(0), height=0.4, xerr=d.S1_conf.fillna(0), color="#0072B2", label="S1", capsize=2)
        ax.barh(y - 0.2, d.ST.fillna(0), height=0.4, xerr=d.ST_conf.fillna(0), color="#D55E00", label="ST", capsize=2)
        ax.set_yticks(y, d.parameter, fontsize=7)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(metric, fontsize=9)
        if n == 0:
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_outcomes(points: pd.DataFrame, params: list[str], metric: str, colour_by: str | None = None):
    """A metric's final value against each varied parameter, one panel per parameter (one dot per run)."""
    from sim.plots import PALETTE

    fig, axes = _grid(len(params), 3.6, 3.0, ncols=4)
    groups = list(points.groupby(colour_by)) if colour_by else [("all runs", points)]
    for ax, p in zip(axes, params):
        for i, (label, g) in enumerate(groups):
            ax.scatter(g[p], g[metric], s=10, alpha=0.6, color=PALETTE[i % len(PALETTE)], label=str(label))
        ax.set_xlabel(p, fontsize=8)
        ax.set_ylabel(metric, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    if colour_by and axes:
        axes[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig
