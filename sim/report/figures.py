"""Report figures: each takes DataFrames, the scenarios' display names and a language and returns a matplotlib
Figure.

Made for a projector and for slides: 16:9 at 1280 x 720 pixels, fonts of 15 px and more, a colour-blind-safe
palette (Okabe & Ito), legends above the plot and inside the figure, long names wrapped, German number
formats on every axis (sim.report.numbers). ``sim.report.layout.problems`` checks that no two texts overlap.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots import PALETTE
from sim.report import labels as L
from sim.report import formats as N
from sim.report import wording as W
from sim.report.tables import payers

SIZE = (12.8, 7.2)                 # inches at 100 dpi: 1280 x 720, a projector's 16:9
DPI = 100
plt.rcParams.update({"font.size": 15, "axes.titlesize": 18, "axes.titleweight": "bold", "axes.labelsize": 15,
                     "xtick.labelsize": 14, "ytick.labelsize": 14, "legend.fontsize": 14, "figure.titlesize": 20,
                     "figure.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
                     "legend.frameon": False, "svg.fonttype": "none"})

STAGES = ["ideas", "applications", "approvals", "completions"]


def new(nrows: int = 1, ncols: int = 1, **kw):
    return plt.subplots(nrows, ncols, figsize=SIZE, dpi=DPI, layout="constrained", **kw)


def wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def axis_numbers(ax, lang: str, axis: str = "y", digits: int | None = None) -> None:
    """Tick labels in the language's format (never a decimal point in German, a true minus sign)."""
    def show(v, _):
        d = digits if digits is not None else (0 if abs(v) >= 10 or float(v).is_integer() else 1)
        return N.num(v, lang, d)
    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(show))
    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(6, integer=digits == 0))


def legend_top(fig, ax, n: int, title: str) -> None:
    """The figure's title with the legend under it, above the plot (constrained layout keeps both inside the
    figure; a suptitle beside an outside legend would overlap it)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, [wrap(x, 40 if n < 3 else 24) for x in labels], loc="outside upper center", ncols=min(n, 4),
               title=title,
               title_fontproperties={"weight": "bold", "size": 20})


def colours(scenarios: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(scenarios)}


def funnel(summary: pd.DataFrame, scenarios: list[str], names: dict, lang: str) -> plt.Figure:
    """Ideas -> applications -> approvals -> completions of the municipalities' projects per scenario: bars with
    their 95 % range; the number above each bar, clear of its whisker."""
    fig, ax = new()
    width = 0.8 / len(scenarios)
    col = colours(scenarios)
    top = 0.0
    for i, sc in enumerate(scenarios):
        rows = summary[(summary.scenario == sc)].set_index("metric").reindex(STAGES)
        x = np.arange(len(STAGES)) + (i - (len(scenarios) - 1) / 2) * width
        mean = rows["mean"].to_numpy(float)
        high = np.fmax(rows.ci_high.to_numpy(float), mean)
        err = np.nan_to_num([mean - rows.ci_low.to_numpy(float), high - mean])
        ax.bar(x, np.nan_to_num(mean), width * 0.92, color=col[sc], label=names[sc], yerr=err, capsize=4,
               ecolor="#333333")
        for xi, v, h in zip(x, mean, high):
            ax.annotate(N.count(v, lang), (xi, np.nan_to_num(h)), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=15 if len(scenarios) < 3 else 13)
        top = max(top, np.nanmax(high))
    ax.set_ylim(0, top * 1.12 if top > 0 else 1)
    ax.set_xticks(range(len(STAGES)), [wrap(W.label(s, lang) if s in W.FIGURES else L.metric(s, lang), 22)
                                       for s in STAGES])
    axis_numbers(ax, lang)
    ax.set_ylabel(f"{'projects in' if lang == 'en' else 'Projekte in'} {N.duration(_years(summary), lang)}")
    legend_top(fig, ax, len(scenarios), L.t("funnel", lang))
    ax.grid(axis="y", alpha=0.3)
    return fig


def _years(summary: pd.DataFrame) -> float:
    months = summary[summary.metric == "months"]["mean"]
    return float(months.iloc[0]) / 12 if len(months) else 10.0


def over_time(bands: pd.DataFrame, metric: str, scenarios: list[str], names: dict, lang: str) -> plt.Figure:
    """A metric month by month: mean over runs and its 95 % band, one colour per scenario."""
    fig, ax = new()
    col = colours(scenarios)
    for sc in scenarios:
        g = bands[(bands.scenario == sc) & (bands.metric == metric)]
        ax.plot(g.step, g["mean"], color=col[sc], lw=3, label=names[sc])
        ax.fill_between(g.step, g.ci_low, g.ci_high, color=col[sc], alpha=0.2, lw=0)
    title = L.metric(metric, lang)
    ax.set_xlabel(L.t("month", lang))
    big = bands[bands.metric == metric]["mean"].abs().max() > 10
    axis_numbers(ax, lang, digits=0 if big else 2)
    axis_numbers(ax, lang, "x", digits=0)
    legend_top(fig, ax, len(scenarios), title[0].upper() + title[1:])
    ax.grid(alpha=0.3)
    return fig


def trust_distribution(ties: pd.DataFrame, scenarios: list[str], names: dict, lang: str) -> plt.Figure:
    """Share of ties by trust level at the end, one outline per scenario (ties of all runs pooled)."""
    fig, ax = new()
    col = colours(scenarios)
    bins = np.linspace(0, 1, 26)
    for sc in scenarios:
        t = ties[ties.scenario == sc].trust
        if len(t):
            ax.hist(t, bins=bins, weights=np.full(len(t), 1 / len(t)), histtype="step", lw=3, color=col[sc],
                    label=names[sc])
    ax.set_xlabel(L.t("trust", lang))
    ax.set_ylabel(L.t("share_of_ties", lang))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: N.pct(v, lang)))
    axis_numbers(ax, lang, "x", digits=1)
    legend_top(fig, ax, len(scenarios), L.t("trust_dist", lang))
    ax.grid(alpha=0.3)
    return fig


def equity(munis: pd.DataFrame, scenarios: list[str], names: dict, lang: str) -> plt.Figure:
    """Approved funds per inhabitant of the smaller and the larger half of the municipalities (mean over runs)."""
    fig, ax = new()
    col = colours(scenarios)
    mean = munis.groupby(["scenario", "name", "population"]).funds_per_head_eur.mean().reset_index()
    cut = mean.drop_duplicates("name").population.median()
    halves = [L.t("small", lang), L.t("large", lang)]
    mean["half"] = np.where(mean.population <= cut, halves[0], halves[1])
    table = mean.groupby(["scenario", "half"]).funds_per_head_eur.mean().unstack().reindex(columns=halves)
    width = 0.8 / len(scenarios)
    top = float(np.nanmax(table.to_numpy(float))) if table.size else 1.0
    for i, sc in enumerate(scenarios):
        if sc not in table.index:
            continue
        x = np.arange(len(halves)) + (i - (len(scenarios) - 1) / 2) * width
        v = table.loc[sc].to_numpy(float)
        ax.bar(x, np.nan_to_num(v), width * 0.92, color=col[sc], label=names[sc])
        for xi, vi in zip(x, v):
            ax.annotate(N.num(vi, lang, 1), (xi, np.nan_to_num(vi)), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=14)
    ax.set_ylim(0, top * 1.15 if top > 0 else 1)
    ax.set_xticks(range(len(halves)), halves)
    ax.set_ylabel(wrap(L.t("per_head", lang), 30))
    axis_numbers(ax, lang)
    legend_top(fig, ax, len(scenarios), L.t("equity", lang))
    ax.grid(axis="y", alpha=0.3)
    return fig


PAYERS = {"municipalities": (("municipalities", "Kommunen"), "#0072B2"),
          "other_public": (("state and other public bodies", "Land und andere öffentliche Stellen"), "#56B4E9"),
          "companies": (("companies", "Unternehmen"), "#E69F00")}


def money_unit(top: float, lang: str) -> tuple[float, str]:
    """Mio. EUR from 100,000 EUR up, else thousand EUR, so that an axis never reads 0,01 0,03 0,04."""
    if top >= 1e5:
        return 1e6, "Mio. EUR" if lang == "de" else "M EUR"
    return 1e3, "Tsd. EUR" if lang == "de" else "thousand EUR"


def costs(summary: pd.DataFrame, means: dict, scenarios: list[str], names: dict, lang: str, years: float) -> plt.Figure:
    """Left: what coordination costs a year, by who pays it. Right: grants and coordination per completed project
    (all completed projects, the municipalities' and those of companies with associations), with 95 % ranges."""
    fig, (ax, ax2) = new(1, 2)
    k = 0 if lang == "en" else 1
    x = np.arange(len(scenarios))
    shares = np.array([[payers(means[sc])[key] / years for sc in scenarios] for key in PAYERS])
    scale, unit = money_unit(shares.sum(axis=0).max(), lang)
    bottom = np.zeros(len(scenarios))
    for (key, (label, colour)), v in zip(PAYERS.items(), shares / scale):
        ax.bar(x, v, 0.6, bottom=bottom, color=colour, label=label[k])
        bottom += v
    for xi, v in zip(x, bottom):
        ax.annotate(N.money(v * scale, lang), (xi, v), xytext=(0, 4), textcoords="offset points", ha="center",
                    va="bottom", fontsize=14)
    ax.set_ylim(0, max(bottom.max() * 1.35, 1))
    ax.set_title(wrap(W.label("coordination_cost_per_year", lang), 34))
    ax.set_ylabel(unit)
    axis_numbers(ax, lang)
    ax.legend(loc="upper left", fontsize=13)
    rows = summary[summary.metric == "cost_per_completion_eur"].set_index("scenario").reindex(scenarios)
    scale, unit = money_unit(np.nanmax(np.append(rows.ci_high.to_numpy(float), 1)), lang)
    m = rows["mean"].to_numpy(float) / scale
    high = np.fmax(rows.ci_high.to_numpy(float) / scale, m)
    ax2.bar(x, np.nan_to_num(m), 0.6, color=[colours(scenarios)[s] for s in scenarios],
            yerr=np.nan_to_num([m - rows.ci_low.to_numpy(float) / scale, high - m]), capsize=5)
    for xi, v, h in zip(x, m, high):
        ax2.annotate(N.money(v * scale, lang), (xi, np.nan_to_num(h)), xytext=(0, 4), textcoords="offset points",
                     ha="center", va="bottom", fontsize=14)
    ax2.set_ylim(0, np.nanmax(np.append(high, 1)) * 1.2)
    ax2.set_title(wrap(W.label("cost_per_completion_eur", lang), 34))
    ax2.set_ylabel(unit)
    axis_numbers(ax2, lang)
    for a in (ax, ax2):
        a.set_xticks(x, [wrap(names[s], 16 if len(scenarios) > 2 else 24) for s in scenarios],
                     fontsize=12 if len(scenarios) > 2 else 13)
        a.grid(axis="y", alpha=0.3)
    fig.suptitle(L.t("cost", lang))
    return fig


def attribution(summary: pd.DataFrame, outcomes: list[str], scenario_name: str, lang: str,
                years: float) -> plt.Figure:
    """Each building block's part of the difference in each outcome (one panel each, 2 x 2), with its 95 % range;
    the whole difference against the baseline as a grey bar on top."""
    outcomes = [m for m in outcomes if m in set(summary.outcome)][:4]
    mechanisms = [m for m in dict.fromkeys(summary.mechanism) if m != "(total)"]
    many = len(mechanisms) > 5                 # then two panels side by side, so that every label has its line:
    if many:                                   # the outcomes whose total is clear first
        total = summary[summary.mechanism == "(total)"].set_index("outcome")
        clear = [m for m in outcomes if m in total.index and (total.loc[m, "ci_low"] > 0 or total.loc[m, "ci_high"] < 0)]
        outcomes = (clear + [m for m in outcomes if m not in clear])[:2]
    ncols = len(outcomes) if many else (2 if len(outcomes) > 1 else 1)
    nrows = int(np.ceil(len(outcomes) / ncols))
    fig, axes = new(nrows, ncols, sharey=True, squeeze=False)
    rows = ["(total)"] + mechanisms
    y = np.arange(len(rows))[::-1]
    for ax, m in zip(axes.flat, outcomes):
        g = summary[summary.outcome == m].set_index("mechanism").reindex(rows)
        mean, low, high = (g[c].to_numpy(float) for c in ("mean", "ci_low", "ci_high"))
        colour = ["#999999"] + [PALETTE[1]] * len(mechanisms)
        ax.barh(y, np.nan_to_num(mean), color=colour, xerr=np.nan_to_num([mean - low, high - mean]), capsize=3,
                ecolor="#333333")
        ax.axvline(0, color="#666666", lw=0.8)
        name = L.metric(m, lang)
        ax.set_title(wrap(name[0].upper() + name[1:], 30 if ncols > 1 else 45), fontsize=15)
        axis_numbers(ax, lang, "x", digits=0)
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.tick_params(labelsize=12 if many else 13)
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    labels = ["total" if lang == "en" else "gesamt"] + [wrap(L.mechanism(x, lang), 45 if many else 30)
                                                        for x in mechanisms]
    axes[0][0].set_yticks(y, labels)
    title = (f"{W.quoted(scenario_name, lang)}: {'what each part adds in' if lang == 'en' else 'Beitrag der Bausteine in'}"
             f" {N.duration(years, lang)}")
    fig.suptitle(wrap(title, 70))
    return fig
