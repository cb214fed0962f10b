"""Checks of a figure's layout that a reader would notice: texts that overlap, a legend or a text that leaves
the figure, and numbers in the wrong language's format. Used by the tests and by anyone who changes a figure.

>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(4, 3))
>>> ax.set_axis_off(); _ = ax.text(0.5, 0.5, "one"), ax.text(0.5, 0.5, "two")
>>> problems(fig)
["texts overlap: 'one' and 'two'"]
>>> plt.close(fig)
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
from matplotlib.text import Text


def _visible_tick_labels(axis) -> list[Text]:
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) or 1.0
    out = []
    for tick in axis.get_major_ticks():
        if lo - 1e-9 * span <= tick.get_loc() <= hi + 1e-9 * span:
            out += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return out


def texts(fig: plt.Figure) -> list[Text]:
    """Every visible, non-empty text drawn on the figure: titles, labels, tick labels, annotations, legends."""
    fig.canvas.draw()
    found = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.axes is not None and not t.axes.get_visible():
            continue
        found.append(t)
    ticks = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            ticks.update(id(t) for t in _visible_tick_labels(axis))
    tick_objects = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                    for tick in axis.get_major_ticks() + axis.get_minor_ticks() for t in (tick.label1, tick.label2)}
    return [t for t in found if id(t) not in tick_objects or id(t) in ticks]


def problems(fig: plt.Figure) -> list[str]:
    """A list of what is wrong: overlapping texts, texts or legends outside the figure."""
    found = texts(fig)
    renderer = fig.canvas.get_renderer()
    boxes = [(t, t.get_window_extent(renderer)) for t in found]
    width, height = fig.bbox.width, fig.bbox.height
    out = []
    for i, (a, ba) in enumerate(boxes):
        if ba.x0 < -1 or ba.y0 < -1 or ba.x1 > width + 1 or ba.y1 > height + 1:
            out.append(f"text outside the figure: {a.get_text()!r}")
        for b, bb in boxes[i + 1:]:
            if ba.overlaps(bb) and ba.width > 0 and bb.width > 0:
                out.append(f"texts overlap: {a.get_text()!r} and {b.get_text()!r}")
    for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]:
        box = legend.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            out.append("a legend leaves the figure")
    return out


HYPHEN_MINUS = re.compile(r"(^|[\s(])-\d")
AFTER_POINT = re.compile(r"(?<=\d)\.(\d+)")


def number_problems(fig: plt.Figure, lang: str) -> list[str]:
    """Numbers in a figure's texts that do not follow the language: a hyphen as a minus sign (both languages);
    in German a decimal point (12.5; a point is only a thousands separator there, 1.234) or a decimal comma
    missing; in English a decimal comma.

    >>> fig = plt.figure(); _ = fig.text(0, 0, "12.5"), fig.text(0.5, 0.5, "1.234 EUR"), fig.text(0.2, 0.8, "-3")
    >>> number_problems(fig, "de")
    ["decimal point in a German figure: '12.5'", "hyphen as a minus sign: '-3'"]
    >>> plt.close(fig)
    """
    out = []
    for t in texts(fig):
        s = t.get_text()
        if lang == "de" and any(len(m.group(1)) != 3 for m in AFTER_POINT.finditer(s)):
            out.append(f"decimal point in a German figure: {s!r}")
        if lang == "en" and re.search(r"(?<=\d),(\d+)", s) and any(
                len(m.group(1)) != 3 for m in re.finditer(r"(?<=\d),(\d+)", s)):
            out.append(f"decimal comma in an English figure: {s!r}")
        if HYPHEN_MINUS.search(s):
            out.append(f"hyphen as a minus sign: {s!r}")
    return out
