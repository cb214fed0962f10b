"""Report figures: each takes DataFrames and a language and returns a matplotlib Figure.

Designed for a projector: large fonts, a colour-blind-safe palette (Okabe & Ito), direct labels
where legends would be far from the data, and no jargon in titles.
"""

from __future__ import annotations

import zlib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.ticker import FuncFormatter

from sim.plots import PALETTE
from sim.report import labels as L

plt.rcParams.update({"font.size": 12, "axes.titlesize": 14, "axes.titleweight": "bold", "axes.spines.top": False,
                     "axes.spines.right": False, "legend.frameon": False})

KIND_COLOURS = {"municipality": "#0072B2", "company": "#E69F00", "ngo": "#009E73", "coordination": "#D55E00"}
STAGES = ["ideas", "applications", "approvals", "completions"]


def thousands(ax, lang: str, axis: str = "y") -> None:
    """Tick labels with the language's thousands separator instead of scientific notation."""
    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: L.fmt(v, lang)))


def legend_above(ax, n: int) -> None:
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=min(n, 3), frameon=False, borderaxespad=0)


def colours(scenarios: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(scenarios)}


def funnel(summary: pd.DataFrame, scenarios: list[str], lang: str) -> plt.Figure:
    """Ideas -> applications -> approvals -> completions per scenario: bars with 95 % CI whiskers."""
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    width = 0.8 / len(scenarios)
    col = colours(scenarios)
    for i, sc in enumerate(scenarios):
        rows = summary[(summary.scenario == sc)].set_index("metric").reindex(STAGES)
        x = np.arange(len(STAGES)) + (i - (len(scenarios) - 1) / 2) * width
        err = [rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]]
        ax.bar(x, rows["mean"], width * 0.95, color=col[sc], label=L.scenario(sc, lang),
               yerr=np.nan_to_num(np.array(err, float)), capsize=3, ecolor="#333333")
        for xi, v in zip(x, rows["mean"]):          # the number inside the bar, clear of the whisker
            ax.text(xi, v * 0.5, L.fmt(v, lang), ha="center", va="center", fontsize=11, color="white",
                    fontweight="bold", rotation=90 if len(scenarios) > 3 else 0)
    ax.set_xticks(range(len(STAGES)), [L.metric(s, lang) for s in STAGES])
    ax.set_title(L.t("funnel", lang), pad=40)
    thousands(ax, lang)
    legend_above(ax, len(scenarios))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def over_time(bands: pd.DataFrame, metric: str, scenarios: list[str], lang: str) -> plt.Figure:
    """A metric month by month: mean over runs and its 95 % CI band, one colour per scenario."""
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    col = colours(scenarios)
    for sc in scenarios:
        g = bands[(bands.scenario == sc) & (bands.metric == metric)]
        ax.plot(g.step, g["mean"], color=col[sc], lw=2.5, label=L.scenario(sc, lang))
        ax.fill_between(g.step, g.ci_low, g.ci_high, color=col[sc], alpha=0.2, lw=0)
    ax.set_title(L.metric(metric, lang)[0].upper() + L.metric(metric, lang)[1:], pad=40)
    ax.set_xlabel(L.t("month", lang))
    big = bands[bands.metric == metric]["mean"].abs().max() > 100
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: L.fmt(v, lang, 0 if big else 2)))
    legend_above(ax, len(scenarios))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _positions(nodes: pd.DataFrame) -> pd.DataFrame:
    """Map positions: municipalities at their centroid; companies and NGOs scattered around their home
    (a fixed offset from the node id, so the same node is always in the same place)."""
    pos = nodes.copy()
    lat0 = np.radians(pos.lat.mean())
    pos["x"] = pos.lon * np.cos(lat0)
    pos["y"] = pos.lat
    actor = pos.kind.isin(["company", "ngo"])
    h = np.array([zlib.crc32(str(i).encode()) for i in pos.id[actor]], dtype=np.uint64)
    angle = (h % np.uint64(3600)).astype(float) / 3600 * 2 * np.pi
    radius = 0.012 + (h // np.uint64(3600) % np.uint64(1000)).astype(float) / 1000 * 0.03
    pos.loc[actor, "x"] += radius * np.cos(angle)
    pos.loc[actor, "y"] += radius * np.sin(angle)
    return pos.set_index("id")


def network_map(nodes: pd.DataFrame, ties: pd.DataFrame, lang: str, title: str, ax=None) -> plt.Figure:
    """The collaboration network on the map: node colour by kind, municipality size by population,
    tie width and opacity by trust."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    pos = _positions(nodes)
    u, v = pos.loc[ties.u, ["x", "y"]].to_numpy(), pos.loc[ties.v, ["x", "y"]].to_numpy()
    trust = ties.trust.to_numpy()
    public = (ties.sector_u == "public") & (ties.sector_v == "public")
    rgba = np.zeros((len(ties), 4))
    rgba[:, :3] = np.where(public.to_numpy()[:, None], [0.0, 0.45, 0.7], [0.45, 0.45, 0.45])
    rgba[:, 3] = 0.08 + 0.6 * trust ** 2
    ax.add_collection(LineCollection(np.stack([u, v], axis=1), colors=rgba, linewidths=0.3 + 3 * trust ** 2,
                                     zorder=1))
    kind = pos.kind.where(pos.sector != "coordination", "coordination")
    for k, label in [("company", "company"), ("ngo", "ngo"), ("coordination", "coordination"),
                     ("municipality", "municipality")]:
        p = pos[kind == k]
        if p.empty:
            continue
        size = 20 + 400 * np.sqrt(p.population / pos.population.max()) if k == "municipality" else (
            120 if k == "coordination" else 8)
        ax.scatter(p.x, p.y, s=size, c=KIND_COLOURS[k], edgecolors="white", linewidths=0.5,
                   label=L.t(label, lang), zorder=3 if k != "municipality" else 4,
                   marker="D" if k == "coordination" else "o")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=4, fontsize=10, frameon=False)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax.figure


def network_pair(nodes_start, ties_start, nodes_end, ties_end, lang: str, title_start: str,
                 title_end: str) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(13, 6), dpi=110)
    network_map(nodes_start, ties_start, lang, title_start, ax=axes[0])
    network_map(nodes_end, ties_end, lang, title_end, ax=axes[1])
    fig.tight_layout()
    return fig


def trust_distribution(ties: pd.DataFrame, scenarios: list[str], lang: str) -> plt.Figure:
    """Share of ties by trust level at the end, one outline per scenario (ties of all runs pooled)."""
    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    col = colours(scenarios)
    bins = np.linspace(0, 1, 26)
    for sc in scenarios:
        t = ties[ties.scenario == sc].trust
        if len(t):
            ax.hist(t, bins=bins, weights=np.full(len(t), 1 / len(t)), histtype="step", lw=2.5, color=col[sc],
                    label=L.scenario(sc, lang))
    ax.set_xlabel(L.t("trust", lang))
    ax.set_ylabel(L.t("share_of_ties", lang))
    ax.set_title(L.t("trust_dist", lang), pad=40)
    legend_above(ax, len(scenarios))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def equity(munis: pd.DataFrame, scenarios: list[str], lang: str) -> plt.Figure:
    """Approved funds per inhabitant by municipality (mean over runs), smallest to largest town, and the
    mean of the smaller and larger half."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 5), dpi=110, gridspec_kw={"width_ratios": [3, 1]})
    col = colours(scenarios)
    mean = munis.groupby(["scenario", "name", "population"]).funds_per_head_eur.mean().reset_index()
    order = mean.drop_duplicates("name").sort_values("population").name.tolist()
    width = 0.8 / len(scenarios)
    for i, sc in enumerate(scenarios):
        g = mean[mean.scenario == sc].set_index("name").reindex(order)
        x = np.arange(len(order)) + (i - (len(scenarios) - 1) / 2) * width
        ax.bar(x, g.funds_per_head_eur, width * 0.95, color=col[sc], label=L.scenario(sc, lang))
    ax.set_xticks(range(len(order)), order, rotation=60, ha="right", fontsize=9 if len(order) < 25 else 6)
    ax.set_ylabel(L.t("per_head", lang))
    ax.set_title(L.t("equity", lang), pad=40)
    legend_above(ax, len(scenarios))
    ax.grid(axis="y", alpha=0.3)
    cut = mean.drop_duplicates("name").population.median()
    halves = mean.assign(half=np.where(mean.population <= cut, L.t("small", lang), L.t("large", lang)))
    summary = halves.groupby(["scenario", "half"]).funds_per_head_eur.mean().unstack()
    summary = summary[[c for c in (L.t("small", lang), L.t("large", lang)) if c in summary.columns]]
    for i, sc in enumerate(scenarios):
        if sc in summary.index:
            row = summary.loc[sc]
            x = np.arange(len(row)) + (i - (len(scenarios) - 1) / 2) * width
            ax2.bar(x, row.to_numpy(), width * 0.95, color=col[sc])
    ax2.set_xticks(range(len(summary.columns)), [c.replace(" ", "\n", 2) for c in summary.columns], fontsize=9)
    ax2.set_ylabel(L.t("per_head", lang), fontsize=10)
    ax2.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def costs(summary: pd.DataFrame, scenarios: list[str], lang: str, years: float) -> plt.Figure:
    """Coordination cost per year and public money per completed project, per scenario, with 95 % CIs."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), dpi=110)
    col = colours(scenarios)
    for ax, metric, scale in [(axes[0], "coordination_cost_eur", 1 / years), (axes[1], "cost_per_completion_eur", 1)]:
        rows = summary[summary.metric == metric].set_index("scenario").reindex(scenarios)
        m = rows["mean"].to_numpy(float) * scale
        err = np.nan_to_num(np.array([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]], float) * scale)
        ax.bar(range(len(scenarios)), np.nan_to_num(m), color=[col[s] for s in scenarios], yerr=err, capsize=4)
        for i, v in enumerate(m):
            ax.text(i, np.nan_to_num(v), L.fmt(v, lang) + " EUR", ha="center", va="bottom", fontsize=10)
        ax.set_xticks(range(len(scenarios)), [L.scenario(s, lang).replace(" (", "\n(") for s in scenarios],
                      fontsize=9)
        name = L.metric(metric, lang) + (" / " + ("year" if lang == "en" else "Jahr") if scale != 1 else "")
        ax.set_title(name[0].upper() + name[1:], fontsize=12)
        thousands(ax, lang)
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def attribution(summary: pd.DataFrame, outcomes: list[str], lang: str) -> plt.Figure:
    """Each mechanism's contribution to the difference in each outcome (one panel each), with its 95 % range;
    the baseline-to-scenario total as a grey bar on top."""
    outcomes = [m for m in outcomes if m in set(summary.outcome)]
    mechanisms = [m for m in dict.fromkeys(summary.mechanism) if m != "(total)"]
    height = 1.0 + 0.42 * (len(mechanisms) + 1)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.6 * len(outcomes) + 3.2, height), dpi=110,
                             sharey=True, squeeze=False)
    for ax, m in zip(axes[0], outcomes):
        g = summary[summary.outcome == m].set_index("mechanism")
        rows = ["(total)"] + mechanisms
        y = np.arange(len(rows))[::-1]
        mean = g.reindex(rows)["mean"].to_numpy(float)
        low, high = g.reindex(rows).ci_low.to_numpy(float), g.reindex(rows).ci_high.to_numpy(float)
        colour = ["#999999"] + [PALETTE[1]] * len(mechanisms)
        ax.barh(y, np.nan_to_num(mean), color=colour, xerr=np.nan_to_num([mean - low, high - mean]), capsize=2,
                ecolor="#333333")
        ax.axvline(0, color="#666666", lw=0.8)
        ax.set_title(L.metric(m, lang), fontsize=12)
        thousands(ax, lang, "x")
        ax.tick_params(labelsize=10)
    labels = ["total" if lang == "en" else "gesamt"] + [L.mechanism(x, lang) for x in mechanisms]
    axes[0][0].set_yticks(np.arange(len(labels))[::-1], labels)
    fig.tight_layout()
    return fig
