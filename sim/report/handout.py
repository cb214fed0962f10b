"""A one-page handout (A4 landscape PDF, made with matplotlib, no browser needed): the headline messages, the
funnel, where the effect comes from and who benefits."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt

from sim.report import headline as HL
from sim.report import labels as L
from sim.report import formats as N
from sim.report import wording as W

A4 = (11.69, 8.27)
MARK = {"better": "+", "worse": "−", "none": "○", "cost_up": "€", "cost_down": "+"}


def image(fig: plt.Figure):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    buf.seek(0)
    return mpimg.imread(buf)


def write(path: Path, figs: dict, summary, diffs, final, means, scenarios, baseline, lang, region, years,
          robust=None) -> Path:
    page = plt.figure(figsize=A4)
    page.text(0.03, 0.965, f"{L.t('title', lang)}: {region}", fontsize=16, fontweight="bold", va="top")
    lines = []
    for sc in scenarios:
        if sc == baseline:
            continue
        lines.append(L.t("headline_vs", lang, scenario=W.quoted(L.scenario(sc, lang), lang),
                         baseline=W.quoted(L.scenario(baseline, lang), lang), years=N.duration(years, lang, nominative=True)))
        for verdict, text in HL.messages(diffs, final, means, sc, baseline, lang, years, robust):
            wrapped = textwrap.wrap(f"[{W.word(verdict, lang)}] {text}", 150)
            lines += ["   " + wrapped[0]] + ["      " + x for x in wrapped[1:]]
    y = 0.92
    for line in lines[:14]:
        page.text(0.03, y, line, fontsize=9, va="top", fontweight="bold" if not line.startswith(" ") else "normal")
        y -= 0.024
    second = next((f"attribution_{sc}" for sc in scenarios if f"attribution_{sc}" in figs), None)
    panels = [("funnel", [0.02, 0.05, 0.31, y - 0.07]), (second, [0.345, 0.05, 0.31, y - 0.07]),
              ("benefit_map", [0.67, 0.05, 0.31, y - 0.07])]
    for name, box in panels:
        if name is None or name not in figs:
            continue
        ax = page.add_axes(box)
        ax.imshow(image(figs[name]))
        ax.axis("off")
    page.text(0.97, 0.015, L.t("footer", lang), ha="right", fontsize=7, color="#666666")
    page.savefig(path, format="pdf")
    plt.close(page)
    return path
