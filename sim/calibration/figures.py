"""The posterior's figures: marginal histograms (with the prior's bounds) and the pairwise plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axis(ax, p, which="x"):
    from matplotlib.ticker import NullFormatter

    (ax.set_xlim if which == "x" else ax.set_ylim)(p.low, p.high)
    if p.prior == "loguniform":
        axis = ax.xaxis if which == "x" else ax.yaxis
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        axis.set_minor_formatter(NullFormatter())          # the minor labels of a short log axis overlap


def marginals(results, path: Path) -> None:
    plt = _plt()
    params = [(r, p) for r in results for p in r.fit.params]
    fig, axes = plt.subplots(1, len(params), figsize=(3.2 * len(params), 2.8), squeeze=False)
    for ax, (r, p) in zip(axes[0], params):
        x, w = r.posterior[p.key].to_numpy(float), r.posterior["weight"].to_numpy(float)
        bins = np.geomspace(p.low, p.high, 16) if p.prior == "loguniform" else np.linspace(p.low, p.high, 16)
        ax.hist(x, bins=bins, weights=w / w.sum(), color="#4c72b0", alpha=0.85)
        ax.axvline(r.point[p.key], color="black", lw=1.2, label="median")
        _axis(ax, p)
        ax.set_title(f"{r.fit.name}: {p.key.split('.')[-1]}", fontsize=9)
        ax.set_xlabel(f"{p.key} ({p.prior} prior)", fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("posterior weight", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pairs(results, path: Path) -> None:
    """Pairwise scatter of each fit's parameters (the last generation, point size by weight); a fit with
    one parameter shows its weighted sample against the distance."""
    plt = _plt()
    panels = []
    for r in results:
        ps = r.fit.params
        if len(ps) == 1:
            panels.append((r, ps[0], None))
        for i in range(len(ps)):
            for j in range(i + 1, len(ps)):
                panels.append((r, ps[i], ps[j]))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.0), squeeze=False)
    for ax, (r, px, py) in zip(axes[0], panels):
        w = r.posterior["weight"].to_numpy(float)
        size = 10 + 200 * w / w.max()
        x = r.posterior[px.key].to_numpy(float)
        y = r.posterior[py.key].to_numpy(float) if py else r.posterior["distance"].to_numpy(float)
        ax.scatter(x, y, s=size, alpha=0.6, color="#dd8452", edgecolor="none")
        _axis(ax, px)
        if py:
            _axis(ax, py, "y")
        ax.set_xlabel(px.key, fontsize=7)
        ax.set_ylabel(py.key if py else "distance", fontsize=7)
        ax.set_title(r.fit.name, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
