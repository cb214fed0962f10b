"""Figures: each function takes a DataFrame and returns a matplotlib Figure (no model, no files)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# Colour-blind-safe palette that survives a projector (Okabe & Ito 2008).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def group_label(row, by: list[str]) -> str:
    return ", ".join(f"{row[c]}" for c in by) if by else "all runs"


def series_with_bands(b: pd.DataFrame, metric: str, by: list[str], title: str = "", ylabel: str = "",
                      xlabel: str = "month") -> plt.Figure:
    """Mean over runs with its 95 % CI band, one line per group."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    data = b[b.metric == metric]
    groups = data.groupby(by) if by else [((), data)]
    for i, (keys, g) in enumerate(groups):
        keys = keys if isinstance(keys, tuple) else (keys,)
        label = ", ".join(map(str, keys)) if by else "all runs"
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(g.step, g["mean"], color=colour, lw=2, label=label)
        ax.fill_between(g.step, g.ci_low, g.ci_high, color=colour, alpha=0.2, lw=0)
    ax.set_title(title or metric)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or metric)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def final_distribution(final: pd.DataFrame, metric: str, by: list[str], title: str = "",
                       ylabel: str = "") -> plt.Figure:
    """Distribution of a metric's final value over runs: a box per group with the runs as dots."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    data = final[final.metric == metric].dropna(subset=["value"])
    groups = list(data.groupby(by)) if by else [((), data)]
    labels = []
    for i, (keys, g) in enumerate(groups):
        keys = keys if isinstance(keys, tuple) else (keys,)
        labels.append(", ".join(map(str, keys)) if by else "all runs")
        ax.boxplot(g.value, positions=[i], widths=0.5, showfliers=False,
                   medianprops={"color": PALETTE[i % len(PALETTE)], "lw": 2})
        jitter = (pd.Series(range(len(g))) % 7 - 3) * 0.03
        ax.scatter(i + jitter, g.value, s=12, color=PALETTE[i % len(PALETTE)], alpha=0.7, zorder=3)
    ax.set_xticks(range(len(labels)), labels, rotation=15 if len(labels) > 3 else 0)
    ax.set_title(title or f"{metric} at the end of the run")
    ax.set_ylabel(ylabel or metric)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig
