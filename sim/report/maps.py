"""Maps for the report: the collaboration network and who benefits, on a schematic outline of the region.

The shipped data have a centroid for each municipality, no boundaries. The outline is therefore drawn
as the municipalities' Voronoi cells clipped to their convex hull widened by a buffer, and labelled as
schematic. Coordinates are kilometres (an equirectangular projection at the region's mean latitude,
good to a few per cent over a region), so the scale bar is exact at that latitude. Town names are placed
where they do not cover another name; ties are drawn light enough that the towns stay visible.
"""

from __future__ import annotations

import zlib

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from scipy.spatial import ConvexHull, Voronoi

from sim.report import labels as L
from sim.report import formats as N
from sim.report.figures import DPI, SIZE, wrap

KM_PER_DEGREE = 111.32
KIND_COLOURS = {"municipality": "#0072B2", "company": "#E69F00", "ngo": "#009E73", "coordination": "#D55E00"}
SCHEMATIC = ("Outline and areas schematic (from the town centres), not the real boundaries",
             "Umriss und Flächen schematisch (aus den Ortsmittelpunkten), nicht die tatsächlichen Grenzen")


def project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    return np.column_stack([np.asarray(lon) * np.cos(np.radians(lat0)) * KM_PER_DEGREE,
                            np.asarray(lat) * KM_PER_DEGREE])


def buffered_hull(points: np.ndarray, buffer: float) -> np.ndarray:
    """The convex hull of discs of radius ``buffer`` around the points, counter-clockwise."""
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * buffer
    cloud = (points[:, None, :] + ring[None, :, :]).reshape(-1, 2)
    hull = ConvexHull(cloud)
    return cloud[hull.vertices]


def clip(polygon: np.ndarray, convex: np.ndarray) -> np.ndarray:
    """Sutherland-Hodgman: ``polygon`` clipped to the counter-clockwise convex polygon ``convex``."""
    out = list(polygon)
    for a, b in zip(convex, np.roll(convex, -1, axis=0)):
        if not out:
            break
        inside = lambda p: (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0   # noqa: E731
        src, out = out, []
        for p, q in zip(src, src[1:] + src[:1]):
            if inside(q):
                if not inside(p):
                    out.append(_cross(p, q, a, b))
                out.append(q)
            elif inside(p):
                out.append(_cross(p, q, a, b))
    return np.array(out)


def _cross(p, q, a, b):
    d1, d2 = np.subtract(q, p), np.subtract(b, a)
    t = ((a[0] - p[0]) * d2[1] - (a[1] - p[1]) * d2[0]) / (d1[0] * d2[1] - d1[1] * d2[0])
    return np.add(p, t * d1)


def cells(points: np.ndarray, outline: np.ndarray) -> list[np.ndarray]:
    """Each point's Voronoi cell clipped to the outline (the whole outline for a single point)."""
    if len(points) < 3:
        return [outline] * len(points) if len(points) < 2 else [
            clip(outline, _half(points[i], points[1 - i], outline)) for i in range(2)]
    span = np.ptp(outline, axis=0).max() * 10
    c = outline.mean(axis=0)
    far = c + span * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    vor = Voronoi(np.vstack([points, far]))
    out = []
    for i in range(len(points)):
        region = vor.regions[vor.point_region[i]]
        poly = vor.vertices[region]
        centre = poly.mean(axis=0)
        order = np.argsort(np.arctan2(poly[:, 1] - centre[1], poly[:, 0] - centre[0]))
        out.append(clip(poly[order], outline))
    return out


def _half(p, q, outline):
    """The half-plane nearer p than q, as a large counter-clockwise square clipped by the bisector."""
    mid, d = (p + q) / 2, q - p
    n = np.array([-d[1], d[0]]) / np.hypot(*d) * 1e4
    back = -d / np.hypot(*d) * 1e4
    return np.array([mid - n, mid + n, mid + n + back, mid - n + back])


def layout(nodes: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, float]:
    """Positions in km (municipalities at their centroid, companies and associations around their home town at a
    fixed offset from their id, coordinating bodies beside the region), the outline, and the buffer."""
    pos = nodes.copy()
    lat0 = float(pos.lat.mean())
    xy = project(pos.lat, pos.lon, lat0)
    pos["x"], pos["y"] = xy[:, 0], xy[:, 1]
    towns = pos[pos.kind == "municipality"]
    pts = towns[["x", "y"]].to_numpy()
    if len(pts) > 1:
        d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
        np.fill_diagonal(d, np.inf)
        buffer = max(3.0, 0.5 * float(np.median(d.min(axis=1))))
    else:
        buffer = 5.0
    outline = buffered_hull(pts, buffer)
    actor = (pos.sector.isin(["business", "civil"]) | ((pos.sector == "coordination") & (pos.home >= 0))).to_numpy()
    h = np.array([zlib.crc32(str(i).encode()) for i in pos.id[actor]], dtype=np.uint64)
    angle = (h % np.uint64(3600)).astype(float) / 3600 * 2 * np.pi
    radius = buffer * (0.25 + 0.45 * (h // np.uint64(3600) % np.uint64(1000)).astype(float) / 1000)
    pos.loc[actor, "x"] += radius * np.cos(angle)
    pos.loc[actor, "y"] += radius * np.sin(angle)
    body = ((pos.sector == "coordination") & (pos.home < 0)).to_numpy()      # city coordinators stay at home
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    step = min(buffer * 1.5, (hi[0] - lo[0]) / max(int(body.sum()) - 1, 1))
    pos.loc[body, "x"] = lo[0] + np.arange(body.sum()) * step
    pos.loc[body, "y"] = hi[1] + buffer * 0.6
    return pos.set_index("id"), outline, buffer


def nice(length: float) -> float:
    """A round length for the scale bar: about a fifth of the map's width."""
    target = length / 5
    return max(v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if v <= max(target, 1))


def scale_bar(ax, outline: np.ndarray, lang: str):
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    km = nice(hi[0] - lo[0])
    x0, y0 = lo[0], lo[1] - (hi[1] - lo[1]) * 0.04
    ax.plot([x0, x0 + km], [y0, y0], color="#222222", lw=4, solid_capstyle="butt", zorder=6)
    return ax.annotate(f"{N.num(km, lang)} km", (x0 + km / 2, y0), xytext=(0, -6), textcoords="offset points",
                       ha="center", va="top", fontsize=13, zorder=6,
                       path_effects=[pe.withStroke(linewidth=3, foreground="white")])


def place_names(ax, pos: pd.DataFrame, names: list[str], populations: np.ndarray, taken: list, limit: int) -> list:
    """Town names beside their dot, largest first, moved around the dot and left out where they would cover a
    name already placed; returns the names shown."""
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in taken]
    shown = []
    order = np.argsort(-populations)[:limit]
    axbox = ax.get_window_extent(renderer)
    for i in order:
        x, y = pos.iloc[i][["x", "y"]]
        for dx, dy, ha, va in ((0, 9, "center", "bottom"), (0, -9, "center", "top"), (9, 0, "left", "center"),
                               (-9, 0, "right", "center")):
            t = ax.annotate(names[i], (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=12, zorder=7, path_effects=[pe.withStroke(linewidth=3, foreground="white")])
            box = t.get_window_extent(renderer)
            inside = axbox.x0 <= box.x0 and box.x1 <= axbox.x1 and axbox.y0 <= box.y0 and box.y1 <= axbox.y1
            if inside and not any(box.overlaps(b) for b in boxes):
                boxes.append(box)
                shown.append(t)
                break
            t.remove()
    return shown


def base_map(ax, towns: pd.DataFrame, outline: np.ndarray, values=None, cmap="Blues", norm=None) -> None:
    polys = cells(towns[["x", "y"]].to_numpy(), outline)
    face = plt.get_cmap(cmap)(norm(values)) if values is not None else "#f0f0f0"
    ax.add_collection(PolyCollection(polys, facecolors=face, edgecolors="white", linewidths=1.2, zorder=0))
    ax.add_patch(plt.Polygon(outline, closed=True, fill=False, edgecolor="#555555", lw=1.5, zorder=1))
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    pad = (hi - lo) * 0.06
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1] * 2, hi[1] + pad[1] * 2.5)
    ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def network_map(nodes: pd.DataFrame, ties: pd.DataFrame, names: list[str], lang: str, title: str, ax) -> None:
    """The collaboration network: node colour by kind, town size by population, tie opacity by trust and
    thinned with the number of ties, so that a dense region stays readable."""
    pos, outline, _ = layout(nodes)
    towns = pos[pos.kind == "municipality"]
    base_map(ax, towns, outline)
    u, v = pos.loc[ties.u, ["x", "y"]].to_numpy(), pos.loc[ties.v, ["x", "y"]].to_numpy()
    trust = ties.trust.to_numpy()
    public = ((ties.sector_u == "public") & (ties.sector_v == "public")).to_numpy()
    # fainter the more ties there are, so that a dense region (the RVR after 10 years) is no solid mass
    density = np.where(public, min(1.0, 60 / max(int(public.sum()), 1)), min(1.0, 150 / max(int((~public).sum()), 1)))
    rgba = np.zeros((len(ties), 4))
    rgba[:, :3] = np.where(public[:, None], [0.0, 0.45, 0.7], [0.5, 0.5, 0.5])
    rgba[:, 3] = (0.05 + 0.5 * trust ** 2) * density
    ax.add_collection(LineCollection(np.stack([u, v], axis=1), colors=rgba, linewidths=0.4 + 2 * trust ** 2 * density,
                                     zorder=2))
    kind = pos.kind.mask(pos.sector == "business", "company").mask(pos.sector == "civil", "ngo")  # kinds by sector
    kind = kind.where(pos.sector != "coordination", "coordination")
    kind = kind.where(~((pos.sector == "coordination") & (pos.home >= 0)), "city_coordinator")
    for k in ("company", "ngo", "city_coordinator", "coordination", "municipality"):
        p = pos[kind == k]
        if p.empty:
            continue
        size = 40 + 500 * np.sqrt(p.population / pos.population.max()) if k == "municipality" else (
            {"coordination": 140, "city_coordinator": 30}.get(k, 10))
        ax.scatter(p.x, p.y, s=size, c=KIND_COLOURS.get(k, KIND_COLOURS["coordination"]), edgecolors="white",
                   linewidths=0.8, label=L.t(k, lang), zorder=5 if k == "municipality" else 4,
                   marker="D" if k in ("coordination", "city_coordinator") else "o")
    ax.set_title(wrap(title, 42), fontsize=15)
    bar = scale_bar(ax, outline, lang)
    place_names(ax, towns, names, towns.population.to_numpy(float), [ax.title, bar], 12)


def town_names(munis: pd.DataFrame) -> list[str]:
    return munis.drop_duplicates("ags").name.tolist()


def network_pair(nodes_start, ties_start, nodes_end, ties_end, lang: str, title_start: str, title_end: str,
                 munis: pd.DataFrame | None = None) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=SIZE, dpi=DPI)     # a fixed layout: names are placed in pixels
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.13, wspace=0.04)
    names = town_names(munis) if munis is not None else [""] * int((nodes_start.kind == "municipality").sum())
    network_map(nodes_start, ties_start, names, lang, title_start, axes[0])
    network_map(nodes_end, ties_end, names, lang, title_end, axes[1])
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.035), ncols=5, markerscale=1.0)
    fig.text(0.5, 0.008, SCHEMATIC[0 if lang == "en" else 1], ha="center", va="bottom", fontsize=11, color="#555555")
    return fig


def benefit_map(nodes: pd.DataFrame, munis: pd.DataFrame, scenarios: list[str], names: dict, lang: str,
                years: float) -> plt.Figure:
    """Approved funds per inhabitant by town (mean over runs), one panel per scenario on one colour scale."""
    fig, axes = plt.subplots(1, len(scenarios), figsize=SIZE, dpi=DPI, squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.84, bottom=0.2, wspace=0.04)
    pos, outline, _ = layout(nodes)
    towns = pos[pos.kind == "municipality"]
    per_head = munis.groupby(["scenario", "ags"], sort=False).funds_per_head_eur.mean()
    order = munis.drop_duplicates("ags").ags.tolist()
    top = float(per_head.max()) if len(per_head) else 1.0
    norm = Normalize(0, top if top > 0 else 1)
    for ax, sc in zip(axes[0], scenarios):
        values = per_head.loc[sc].reindex(order).to_numpy(float)
        base_map(ax, towns, outline, np.nan_to_num(values), "Blues", norm)
        ax.scatter(towns.x, towns.y, s=18, c="#222222", zorder=5)
        ax.set_title(wrap(names[sc], 30 if len(scenarios) > 2 else 40), fontsize=15)
        bar = scale_bar(ax, outline, lang)
        place_names(ax, towns, town_names(munis), towns.population.to_numpy(float), [ax.title, bar],
                    10 if len(scenarios) > 2 else 14)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="Blues"), cax=fig.add_axes([0.25, 0.13, 0.5, 0.025]),
                       orientation="horizontal")
    bar.set_label(f"{L.t('per_head', lang)}, {'in' if lang == 'en' else 'in'} {N.duration(years, lang)}")
    digits = 0 if norm.vmax >= 20 else 1
    bar.ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: N.num(v, lang, digits)))
    bar.ax.xaxis.set_major_locator(plt.MaxNLocator(6))
    fig.suptitle(L.t("who_benefits", lang))
    fig.text(0.5, 0.008, SCHEMATIC[0 if lang == "en" else 1], ha="center", va="bottom", fontsize=11, color="#555555")
    return fig
