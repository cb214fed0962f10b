"""The workshop dashboard: choose a region and an arrangement, move the levers, watch the network.

Start it with one command (inside the environment, or prefix with ``.venv/bin/``)::

    python -m sim.app                    # serves http://127.0.0.1:8765 on this computer only
    python -m sim.app --port 9000        # another port
    python -m sim.app --host 0.0.0.0     # also reachable from other computers in the room (no password!)

and open the printed address in a browser. Stop it with Ctrl+C.

In the page: pick the region and the scenario and set the levers (staff of the service
organisation and of the broker group, the funding budget, the applicants' own share) in the left
column, then press **Reset** to build the region with these settings (sliders take effect on Reset),
**Step** for one month or **▶** to run. The map shows every municipality at its real position
(sized by population), its companies and NGOs around it and the coordinating bodies in the middle
of the region; a line is a tie between two actors, the thicker and darker, the more they trust each
other. The charts show approvals, completions, consortia and mean trust month by month.

This module is also the Solara app that ``python -m sim.app`` starts (``solara run sim.app``); Mesa's
visualisation (SolaraViz) stays inside it. Mesa, Solara and matplotlib are imported only when the
app itself is loaded, so ``python -m sim.app`` starts the server without loading them twice.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def solara_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, python: str | None = None) -> list[str]:
    """The command that serves this app: ``solara run sim.app`` on ``host``:``port`` (this computer only
    by default), in production mode, without opening a browser or asking PyPI for a newer Solara."""
    return [python or sys.executable, "-m", "solara", "run", "sim.app", "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


def solara_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: Solara's usage telemetry off (a workshop room may be offline, and
    nothing about the session should leave the computer)."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("MPLBACKEND", "Agg")
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"   # Solara, once per plain-http start
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS", ""), quiet) if w)
    return env


def url(host: str, port: int) -> str:
    """The address to open in a browser for a server bound to ``host``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sim.app", description="Serve the workshop dashboard (a Mesa/Solara web page).")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this computer only; "
                             "0.0.0.0 makes the dashboard reachable, and controllable, by anyone on the network)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port {args.port} is out of range; allowed: 1-65535")
    return args


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.app``: become the Solara server (exec, so Ctrl+C and kill reach it directly and no
    orphaned server is left behind); where exec is not available, run it as a child process."""
    args = parse_args(argv)
    print(f"Dashboard: {url(args.host, args.port)}   (ready in about 10 s; stop with Ctrl+C)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach this computer can open and control the "
              "dashboard; there is no password", file=sys.stderr, flush=True)
    command, env = solara_command(args.host, args.port), solara_env()
    if os.name == "posix":
        os.execve(command[0], command, env)                           # does not return
        return 0
    child = subprocess.Popen(command, env=env)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        return 0


if __name__ == "__main__":
    # `python -m sim.app` only starts the server; everything below is the app the server loads.
    raise SystemExit(main())


# -- the app (loaded by `solara run sim.app`) ------------------------------------------------------

import functools  # noqa: E402
import html  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402

import mesa  # noqa: E402
import numpy as np  # noqa: E402
import solara  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from mesa.visualization import SolaraViz, solara_viz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402
from PIL import Image  # noqa: E402

from sim.cli import compose  # noqa: E402
from sim.dashboard_guard import install as guard_server  # noqa: E402
from sim.metrics import consortia, pipeline, trust  # noqa: E402
from sim.model import CooperationModel  # noqa: E402

logging.getLogger("MESA").setLevel(logging.WARNING)   # Mesa logs every step at INFO

guard_server()          # only this computer's host names and pages, at most N sessions (sim/dashboard_guard.py)

# What the audience sees in the drop-downs -> the config option behind it.
REGIONS = {
    "Emscher: 17 Klima.Werk cities": "emscher",
    "Werra-Meißner: 16 towns": "werra_meissner",
    "Saarbrücken: 10 towns": "saarbruecken",
    "Ruhr (RVR): 53 towns": "rvr",
}
SCENARIOS = {
    "No coordination (baseline)": "baseline",
    "Klima.Werk (Emscher)": "klimawerk",
    "Die Herausforderung (Saarbrücken)": "herausforderung",
    "Prima.Klima (Ruhr)": "prima_klima",
    "LebensWert (Werra-Meißner)": "lebenswert",
    "Only: service organisation": "service_organisation",
    "Only: city coordinators": "city_coordinators",
    "Only: broker group": "broker_group",
    "Only: project office with a yearly call": "project_office",
    "Only: regional development management": "development",
    "Only: culture events and workshops": "culture_events",
    "Only: entry of further towns": "entry",
    "Only: association of the towns": "association",
}
BODY_NAMES = {
    "service_organisation": "Service organisation", "city_coordinators": "City coordinators",
    "broker_group": "Broker group", "project_office": "Project office", "development": "Development management",
    "culture_events": "Culture events", "entry": "Entry of towns", "association": "Association",
}

# Okabe-Ito colours (safe for the common colour-vision deficiencies); every kind has its own marker shape too.
KINDS = {  # map kind -> (legend label, colour, marker)
    "municipality": ("Municipality (size: population)", "#0072B2", "o"),
    "company": ("Company", "#E69F00", "s"),
    "ngo": ("NGO / civil society", "#009E73", "^"),
    "body": ("Coordinating body", "#CC79A7", "D"),
    "coordinator": ("City coordinator", "#CC79A7", "d"),
}
KIND_INDEX = {name: i for i, name in enumerate(KINDS)}
TIE_COLOUR = "#333333"
TIE_RGB = to_rgb(TIE_COLOUR)

# The first settings: the default region, no coordination, and the config's defaults for the levers
# (service_organisation.staff, broker_group.coordinator_staff, funding.*; see sim/config.py).
DEFAULTS = dict(region=next(iter(REGIONS)), arrangement=next(iter(SCENARIOS)), so_staff=11, broker_staff=1.0,
                budget=1.42, cofinancing=0.2, seed=0)


def option(value: str, options: dict[str, str], what: str) -> str:
    """The config option for a drop-down label (or the option itself)."""
    if value in options.values():
        return value
    if value in options:
        return options[value]
    raise ValueError(f"unknown {what} {value!r}; available: {', '.join(options.values())}")


def overrides(region: str, arrangement: str, so_staff: float, broker_staff: float, budget: float,
              cofinancing: float, seed: int) -> list[str]:
    """The command-line overrides (``python -m sim ...``) the dashboard's settings amount to."""
    return [f"region={option(region, REGIONS, 'region')}", f"scenario={option(arrangement, SCENARIOS, 'scenario')}",
            f"service_organisation.staff={float(so_staff):g}",
            f"broker_group.coordinator_staff={float(broker_staff):g}",
            f"funding.budget_per_head_year={float(budget):g}", f"funding.cofinancing_share={float(cofinancing):g}",
            f"seed={int(seed)}"]


class DashboardModel(CooperationModel):
    """CooperationModel built from the dashboard's controls, recording its key series every month.

    SolaraViz rebuilds the model on Reset from these keyword arguments. (The scenario argument is
    called ``arrangement``: Mesa's own ``scenario`` keyword means something else.)
    """

    def __init__(self, region: str = DEFAULTS["region"], arrangement: str = DEFAULTS["arrangement"],
                 so_staff: float = DEFAULTS["so_staff"], broker_staff: float = DEFAULTS["broker_staff"],
                 budget: float = DEFAULTS["budget"], cofinancing: float = DEFAULTS["cofinancing"],
                 seed: int = DEFAULTS["seed"]):
        self.overrides = overrides(region, arrangement, so_staff, broker_staff, budget, cofinancing, seed)
        super().__init__(compose(self.overrides))
        self.latest: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(model_reporters={
            "Approved applications": self.approvals, "Completed projects": self.completions,
            "Consortia formed": self.consortia_formed, "Mean trust": self.mean_trust})
        self.map = MapLayout(self)
        self.record()
        self.figures: dict[str, MapFigure | SeriesFigure] = {}

    def figure(self, name: str) -> bytes:
        """The map or the charts for this month, as PNG (the figures are built on first use)."""
        if name not in self.figures:
            self.figures[name] = MapFigure(self) if name == "map" else SeriesFigure(self)
        return self.figures[name].render()

    def step(self) -> None:
        super().step()
        self.record()
        if self.steps >= self.cfg.horizon_months:
            self.running = False

    def record(self) -> None:
        self.latest = {**pipeline(self), **consortia(self), **trust(self)}
        self.datacollector.collect(self)

    # model reporters (named methods: Mesa's DataCollector calls them without arguments)
    def approvals(self) -> float:
        return self.latest["approvals"]

    def completions(self) -> float:
        return self.latest["completions"]

    def consortia_formed(self) -> float:
        return self.latest["consortia"]

    def mean_trust(self) -> float:
        return self.latest["trust_mean"]


class MapLayout:
    """Fixed map positions: municipalities at their longitude and latitude (x scaled by cos(latitude),
    so distances look right), companies, NGOs and city coordinators scattered around their home
    municipality within about its radius (the same place every run: drawn from the node id), and
    coordinating bodies around the region's centre. No force-directed layout: places stay put."""

    def __init__(self, model: CooperationModel):
        region = model.region
        lat, lon = region.lat.to_numpy(float), region.lon.to_numpy(float)
        self.kx = float(np.cos(np.radians(lat.mean())))
        self.mx, self.my = lon * self.kx, lat
        area = region.area_km2.to_numpy(float)
        area = np.where(np.isfinite(area) & (area > 0), area, region.population.to_numpy(float) / 1000.0)
        self.radius = 0.75 * np.sqrt(area / np.pi) / 111.0            # degrees of latitude
        self.centre = (float(self.mx.mean()), float(self.my.mean()))
        self.span = float(max(np.ptp(self.mx), np.ptp(self.my), 0.05))
        self.ids = np.zeros(0, np.int64)
        self.xy = np.zeros((0, 2))
        self.kind = np.zeros(0, np.int8)                              # index into KINDS
        self.angle: dict[int, float] = {}                            # bodies: direction from the centre
        self.lookup = np.zeros((0, 2))                                # node id -> position

    def update(self, model: CooperationModel) -> bool:
        """Place nodes added since the last call (bodies admit new members during a run); True if any."""
        nodes = model.network.nodes                                  # node -> attributes
        if len(nodes) == len(self.ids):
            return False
        agents = {a.unique_id: a for a in model.agents}
        known = set(self.ids.tolist())
        new = [n for n in nodes if n not in known]
        bodies = [b.unique_id for b in model.bodies]
        ring = 0.09 * self.span if len(bodies) > 1 else 0.0
        xy, kind = [], []
        for node in new:
            k = node_kind(nodes[node])
            home = getattr(agents.get(node), "home", -1)
            if k == "municipality":
                xy.append((self.mx[home], self.my[home]))
            elif home is not None and home >= 0:
                rng = np.random.default_rng([20_260_101, node])
                r = self.radius[home] * np.sqrt(rng.random())
                a = 2 * np.pi * rng.random()
                xy.append((self.mx[home] + r * np.cos(a), self.my[home] + r * np.sin(a)))
            else:                                                     # a coordinating body: around the centre
                i = bodies.index(node) if node in bodies else len(bodies)
                a = np.pi / 2 + 2 * np.pi * i / max(len(bodies), 1)
                self.angle[node] = a
                xy.append((self.centre[0] + ring * np.cos(a), self.centre[1] + ring * np.sin(a)))
            kind.append(KIND_INDEX[k])
        self.ids = np.concatenate([self.ids, np.array(new, np.int64)])
        self.xy = np.vstack([self.xy, np.array(xy, float).reshape(-1, 2)])
        self.kind = np.concatenate([self.kind, np.array(kind, np.int8)])
        self.lookup = np.full((int(self.ids.max()) + 1, 2), np.nan)
        self.lookup[self.ids] = self.xy
        return True


def node_kind(attrs: dict) -> str:
    """The map's kind of a graph node (KINDS) from its attributes."""
    kind = attrs.get("kind")
    if kind in ("municipality", "company", "ngo"):
        return kind
    return "coordinator" if kind == "city_coordinator" else "body"


def trust_style(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line width (points) and opacity of ties by trust: thin and faint at 0.5 (strangers) and below,
    thick and dark towards 1."""
    s = np.clip((np.asarray(t, float) - 0.5) / 0.45, 0.0, 1.0) ** 2.5
    return 0.15 + 3.0 * s, 0.04 + 0.8 * s


class MapFigure:
    """The collaboration network on the map, as PNG. Two layers of the same size: the ties (redrawn every
    month) and, over them, everything else (nodes, names, legend: drawn once per model and again only
    when nodes are added). Only the ties are drawn each month, which keeps a step quick to show."""

    WIDTH_IN, LEGEND_IN, TITLE_IN = 8.0, 1.35, 0.4                    # the legend goes below the map
    DPI = 100

    def __init__(self, model: DashboardModel):
        self.model = model
        self.build()

    def build(self) -> None:
        model, layout = self.model, self.model.map
        layout.update(model)
        pad = 1.15 * layout.radius.max()
        x0, x1 = layout.xy[:, 0].min() - pad, layout.xy[:, 0].max() + pad
        y0, y1 = layout.xy[:, 1].min() - pad, layout.xy[:, 1].max() + pad
        w = self.WIDTH_IN - 0.2
        h = min(max(w * (y1 - y0) / (x1 - x0), 3.0), 6.0)
        size = (self.WIDTH_IN, h + self.TITLE_IN + self.LEGEND_IN)
        box = (0.1 / size[0], self.LEGEND_IN / size[1], w / size[0], h / size[1])

        def axes(fig: Figure):
            ax = fig.add_axes(box)
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect("equal", adjustable="box", anchor="C")
            ax.set_axis_off()
            return ax

        # layer 1: ties and the title, on white
        self.back = Figure(figsize=size, dpi=self.DPI, facecolor="white")
        FigureCanvasAgg(self.back)
        self.edges = LineCollection([], zorder=1, capstyle="round")
        axes(self.back).add_collection(self.edges)
        self.title = self.back.text(0.1 / size[0], 1 - 0.12 / size[1], "", fontsize=13, va="top", ha="left")

        # layer 2: everything else, on a transparent background
        fig = Figure(figsize=size, dpi=self.DPI)
        fig.patch.set_alpha(0.0)
        FigureCanvasAgg(fig)
        ax = axes(fig)
        region = model.region
        pop = region.population.to_numpy(float)
        counts = np.bincount(layout.kind, minlength=len(KINDS))
        sizes = {"company": 10, "ngo": 12, "body": 110, "coordinator": 28}
        for name, (label, colour, marker) in KINDS.items():
            mask = layout.kind == KIND_INDEX[name]
            if name == "municipality" or not mask.any():
                continue
            ax.scatter(layout.xy[mask, 0], layout.xy[mask, 1], s=sizes[name], c=colour, marker=marker,
                       linewidths=0.5 if sizes[name] < 50 else 1.0, edgecolors="white",
                       zorder=5 if name == "body" else 3)
        label, colour, marker = KINDS["municipality"]
        ax.scatter(layout.mx, layout.my, s=40 + 460 * pop / pop.max(), c=colour, marker=marker, edgecolors="white",
                   linewidths=1.2, zorder=4)
        halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        renderer, placed = fig.canvas.get_renderer(), []
        for body in model.bodies:                                     # bodies' names beside their diamonds
            i = np.flatnonzero(layout.ids == body.unique_id)
            if not len(i):
                continue
            a = layout.angle.get(body.unique_id, 0.0)
            side = "left" if np.cos(a) > 0.01 else ("right" if np.cos(a) < -0.01 else "center")
            place_label(ax, BODY_NAMES.get(body.key, body.key), tuple(layout.xy[i[0]]),
                        [((9 * np.cos(a), 9 * np.sin(a) - 3), side, "baseline"), ((0, 9), "center", "bottom"),
                         ((0, -9), "center", "top"), ((9, -3), "left", "baseline"), ((-9, -3), "right", "baseline")],
                        placed, renderer, fontsize=9.5, color="#6b2550", zorder=7,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="#CC79A7", lw=0.8, alpha=0.9))
        shown = np.argsort(-pop)[: (len(pop) if len(pop) <= 20 else 15)]     # names: all if few, else the largest
        for i in shown:                                               # largest first: they keep the best place
            gap = 4 + 9 * np.sqrt(pop[i] / pop.max())
            place_label(ax, str(region.name.iloc[i]), (layout.mx[i], layout.my[i]),
                        [((0, gap), "center", "bottom"), ((0, -gap), "center", "top"), ((gap, -3), "left", "baseline"),
                         ((-gap, -3), "right", "baseline")], placed, renderer, fontsize=9.5, zorder=6,
                        path_effects=halo)
        scale_bar(ax)
        kinds = [Line2D([], [], ls="", marker=KINDS[k][2], color=KINDS[k][1], markeredgecolor="white",
                        markersize={"municipality": 12, "body": 10}.get(k, 8),
                        label=f"{KINDS[k][0]}: {counts[KIND_INDEX[k]]}")
                 for k in KINDS if counts[KIND_INDEX[k]]]
        ties = []
        for level, words in ((0.5, "new tie, no joint experience"), (0.75, "some good experience"),
                             (0.9, "much good experience")):
            lw, alpha = trust_style(np.array([level]))
            ties.append(Line2D([], [], color=TIE_COLOUR, lw=max(float(lw[0]), 0.6),
                               alpha=max(float(alpha[0]), 0.35), label=f"trust {level:.2f}: {words}"))
        below = (self.LEGEND_IN - 0.02) / size[1]
        fig.legend(handles=kinds, loc="upper left", bbox_to_anchor=(0.1 / size[0], below), fontsize=9.5,
                   frameon=False, title="Who", title_fontsize=10, alignment="left", borderaxespad=0,
                   ncols=2 if len(kinds) > 3 else 1, handletextpad=0.3, columnspacing=1.0, labelspacing=0.35)
        fig.legend(handles=ties, loc="upper right", bbox_to_anchor=(1 - 0.1 / size[0], below), fontsize=9.5,
                   frameon=False, title="A line is a tie between two actors;\nthicker and darker = more trust",
                   title_fontsize=10,
                   alignment="left", borderaxespad=0, handlelength=2.2, labelspacing=0.35)
        fig.canvas.draw()
        front = np.asarray(fig.canvas.buffer_rgba(), dtype=np.float32) / 255.0
        self.front_rgb, self.front_alpha = front[..., :3] * front[..., 3:], front[..., 3:]   # premultiplied
        self.n_nodes = len(layout.ids)

    def render(self) -> bytes:
        """This month's map as PNG bytes."""
        model, layout = self.model, self.model.map
        if layout.update(model):
            self.build()
        e = model.network.edge_table(model.steps)
        order = np.argsort(e["trust"], kind="stable")                 # strongest ties drawn last, on top
        t = e["trust"][order]
        lw, alpha = trust_style(t)
        colours = np.empty((len(t), 4))
        colours[:, :3] = TIE_RGB
        colours[:, 3] = alpha
        self.edges.set_segments(np.stack([layout.lookup[e["u"][order]], layout.lookup[e["v"][order]]], axis=1))
        self.edges.set_linewidths(lw)
        self.edges.set_colors(colours)
        self.title.set_text(f"Month {model.steps}: {len(t):,} ties among {len(layout.ids):,} actors".replace(",", " "))
        self.back.canvas.draw()
        back = np.asarray(self.back.canvas.buffer_rgba())[..., :3].astype(np.float32) / 255.0
        rgb = self.front_rgb + back * (1.0 - self.front_alpha)
        return png_bytes((rgb * 255.0 + 0.5).astype(np.uint8))


def png_bytes(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def place_label(ax, text: str, xy, candidates, placed: list, renderer, **style) -> None:
    """Annotate ``xy`` at the first of ``candidates`` ((offset in points, ha, va), ...) whose box overlaps
    no box in ``placed`` (else at the first), and add its box to ``placed``."""
    label = ax.annotate(text, xy, xytext=candidates[0][0], textcoords="offset points", **style)
    for offset, ha, va in candidates:
        label.set_position(offset)
        label.set_ha(ha)
        label.set_va(va)
        if not any(label.get_window_extent(renderer).overlaps(box) for box in placed):
            break
    else:
        offset, ha, va = candidates[0]
        label.set_position(offset)
        label.set_ha(ha)
        label.set_va(va)
    placed.append(label.get_window_extent(renderer).expanded(1.05, 1.1))


def scale_bar(ax, km: float = 10.0) -> None:
    """A 10 km bar in the lower left corner (x is in degrees of latitude too, see MapLayout)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = km / 111.0
    if length > 0.4 * (x1 - x0):
        length, km = length / 2, km / 2
    x, y = x0 + 0.02 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", lw=2, solid_capstyle="butt", zorder=7)
    ax.annotate(f"{km:g} km", (x + length / 2, y), xytext=(0, 3), textcoords="offset points", ha="center",
                fontsize=9, zorder=7)


SERIES = (("Consortia formed", "Consortia formed (with partners)", "#56B4E9", "-"),
          ("Approved applications", "Applications approved", "#0072B2", "-"),
          ("Completed projects", "Projects completed", "#D55E00", "--"))


class SeriesFigure:
    """Approvals, completions and consortia so far (top) and mean trust (bottom), month by month."""

    def __init__(self, model: DashboardModel, figsize=(4.8, 4.6)):
        self.model = model
        fig = Figure(figsize=figsize, dpi=100, facecolor="white")
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.15, right=0.95, top=0.94, bottom=0.1, hspace=0.36)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        self.lines = {name: top.plot([], [], color=c, ls=ls, lw=2, label=label)[0] for name, label, c, ls in SERIES}
        top.set_ylabel("projects so far", fontsize=11)
        top.yaxis.set_major_locator(MaxNLocator(integer=True))
        top.legend(loc="upper left", fontsize=9.5, frameon=False, handlelength=1.6)
        top.set_title("Projects so far", fontsize=12, loc="left")
        self.trust = bottom.plot([], [], color="#009E73", lw=2)[0]
        bottom.axhline(0.5, color="grey", lw=0.8, ls=":")
        bottom.annotate("0.5: strangers", (0, 0.5), xytext=(3, 2), textcoords="offset points", fontsize=9,
                        color="grey")
        bottom.set_ylim(0.4, 1.0)
        bottom.set_ylabel("trust (0 to 1)", fontsize=11)
        bottom.set_title("Mean trust between tied actors", fontsize=12, loc="left")
        bottom.set_xlabel("month", fontsize=11)
        for ax in (top, bottom):
            ax.tick_params(labelsize=10)
            ax.grid(alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
        self.fig, self.top, self.bottom = fig, top, bottom

    def render(self) -> Figure:
        df = self.model.datacollector.get_model_vars_dataframe()
        months = np.arange(len(df))
        for name, line in self.lines.items():
            line.set_data(months, df[name].to_numpy())
        self.trust.set_data(months, df["Mean trust"].to_numpy())
        self.top.set_ylim(0, max(10.0, 1.1 * float(df[[s[0] for s in SERIES]].to_numpy().max())))
        self.bottom.set_xlim(0, max(12, len(df) - 1))
        self.fig.canvas.draw()
        return png_bytes(np.asarray(self.fig.canvas.buffer_rgba())[..., :3])


@functools.cache
def scenario_funding(scenario: str) -> tuple[float, float]:
    """The main programme's budget per head and co-financing share as the scenario's file sets them."""
    cfg = compose([f"scenario={scenario}"])
    return cfg.funding.budget_per_head_year, cfg.funding.cofinancing_share


def status_html(model: DashboardModel) -> str:
    """Where the run stands and what it is, in words (HTML; plain text would do, Markdown would load KaTeX
    from the internet)."""
    cfg, m = model.cfg, model.latest
    region = next(k for k, v in REGIONS.items() if v == cfg.region.preset)
    scenario = next((k for k, v in SCENARIOS.items() if v == cfg.scenario.name), cfg.scenario.name)
    budget = cfg.funding.budget_per_head_year
    staff, absent = [], []
    for key, name, value in (("service_organisation", "service organisation", cfg.service_organisation.staff),
                             ("broker_group", "broker group", cfg.broker_group.coordinator_staff)):
        if key in cfg.scenario.bodies:
            staff.append(f"{name} {value:g} staff")
        else:
            absent.append(name)
    if absent:
        sliders = "its slider does" if len(absent) == 1 else "their sliders do"
        staff.append(f"no {' and no '.join(absent)} in this scenario, so {sliders} nothing")
    own = scenario_funding(cfg.scenario.name)
    note = (f" (this scenario's own setting is {own[0]:g} EUR and {own[1]:.0%}; the sliders replace it)"
            if own != (budget, cfg.funding.cofinancing_share) else "")
    second = cfg.second_programme
    if second.budget_per_head_year > 0:
        note += (f"; beside it, {second.label}: {second.budget_per_head_year:g} EUR per inhabitant and year, "
                 f"applicants pay {second.cofinancing_share:.0%} (set by the scenario)")
    e = html.escape
    return (
        f'<div class="dash-status"><h3>Month {model.steps} of {cfg.horizon_months}'
        f'{" (finished: press Reset to start again)" if not model.running else ""}</h3>'
        f'<p class="dash-numbers">Approved applications: <b>{m["approvals"]:.0f}</b> &middot; '
        f'completed projects: <b>{m["completions"]:.0f}</b> &middot; consortia formed: '
        f'<b>{m["consortia"]:.0f}</b> &middot; mean trust: <b>{m.get("trust_mean", float("nan")):.2f}</b></p>'
        f'<p><b>Region</b> {e(region)}: {len(model.municipalities)} municipalities, {len(model.companies)} '
        f'companies, {len(model.ngos)} NGOs<br><b>Scenario</b> {e(scenario)}; coordinating bodies: '
        f'{e(", ".join(BODY_NAMES.get(b, b) for b in cfg.scenario.bodies) or "none")}<br>'
        f'<b>Funding</b> {budget:g} EUR per inhabitant and year '
        f'({budget * model.region.population.sum() / 1e6:.1f} million EUR a year); applicants pay '
        f'{cfg.funding.cofinancing_share:.0%} of a project themselves{note}<br>'
        f'<b>Staff</b> {e("; ".join(staff))}<br><b>Random seed</b> {cfg.seed}</p>'
        '<p class="dash-hint">Changed a setting on the left? Press <b>Reset</b> to start again with it. '
        '<b>Step</b> runs one month, <b>&#9654;</b> runs month after month.</p></div>')


@solara.component
def Status(model: DashboardModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model))


@solara.component
def NetworkMap(model: DashboardModel):
    update_counter.get()
    png = solara.use_memo(lambda: model.figure("map"), [id(model), model.steps])
    solara.Image(png, format="png", width="100%", classes=["dash-map"])


@solara.component
def Series(model: DashboardModel):
    update_counter.get()
    png = solara.use_memo(lambda: model.figure("series"), [id(model), model.steps])
    solara.Image(png, format="png", width="100%", classes=["dash-series"])


MODEL_PARAMS = {
    "region": {"type": "Select", "value": DEFAULTS["region"], "values": list(REGIONS), "label": "Region"},
    "arrangement": {"type": "Select", "value": DEFAULTS["arrangement"], "values": list(SCENARIOS),
                    "label": "Scenario (coordinating bodies)"},
    "so_staff": {"type": "SliderInt", "value": DEFAULTS["so_staff"], "min": 0, "max": 30, "step": 1,
                 "label": "Service organisation: staff (full-time)"},
    "broker_staff": {"type": "SliderFloat", "value": DEFAULTS["broker_staff"], "min": 0.0, "max": 3.0,
                     "step": 0.25, "label": "Broker group: coordinator staff (full-time)"},
    "budget": {"type": "SliderFloat", "value": DEFAULTS["budget"], "min": 0.0, "max": 10.0, "step": 0.01,
               "label": "Funding budget (EUR per inhabitant and year)"},
    "cofinancing": {"type": "SliderFloat", "value": DEFAULTS["cofinancing"], "min": 0.0, "max": 0.9,
                    "step": 0.05, "label": "Own share applicants pay (0.2 = 20 %)"},
    "seed": {"type": "SliderInt", "value": DEFAULTS["seed"], "min": 0, "max": 99, "step": 1,
             "label": "Random seed (same seed, same run)"},
}


# Plain words for Mesa's controls, and room for the sliders (Mesa 3.5.1's SolaraViz offers no options for these).
CSS = """
.v-navigation-drawer { width: 400px !important; max-width: 400px !important; }
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-input__slot > .v-label { flex: 1 0 100%; white-space: normal;
  margin-bottom: 30px; }
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-slider__thumb-label { font-size: 11px; }
.v-navigation-drawer .v-input--checkbox { display: none; }
.v-navigation-drawer .v-card:nth-child(3) { display: none; }
.v-navigation-drawer .v-card:first-child .v-card__text > .v-input__slider:nth-child(1) .v-label,
.v-navigation-drawer .v-card:first-child .v-card__text > .v-input__slider:nth-child(2) .v-label,
.v-navigation-drawer .v-card:nth-child(1) > .v-card__title,
.v-navigation-drawer .v-card:nth-child(2) > .v-card__title { font-size: 0 !important; }
.v-navigation-drawer .v-card:first-child .v-card__text > .v-input__slider:nth-child(1) .v-label::after {
  content: "Pause between months when running (milliseconds)"; font-size: 14px; }
.v-navigation-drawer .v-card:first-child .v-card__text > .v-input__slider:nth-child(2) .v-label::after {
  content: "Months per Step (and per picture when running)"; font-size: 14px; }
.v-navigation-drawer .v-card:nth-child(1) > .v-card__title::after { content: "Run"; font-size: 20px; }
.v-navigation-drawer .v-card:nth-child(2) > .v-card__title::after {
  content: "Settings (press Reset to apply)"; font-size: 20px; }
.v-tabs { display: none; }
.dash-status { font-size: 14px; line-height: 1.4; padding: 4px 8px; }
.dash-status h3 { font-size: 22px; margin: 0 0 6px 0; }
.dash-status p { margin: 0 0 8px 0; }
.dash-numbers { font-size: 16px; }
.dash-hint { color: #555; font-style: italic; }
"""

_mesa_grid_layout = solara_viz.make_initial_grid_layout


def dashboard_grid_layout(num_components: int) -> list[dict]:
    """The first arrangement of the page (people can still drag and resize): the map large on the left,
    the status and the charts beside it. Replaces Mesa's two equal columns for this app's three parts."""
    if num_components != 3:
        return _mesa_grid_layout(num_components)
    return [dict(i=0, x=0, y=0, w=8, h=18, moved=False), dict(i=1, x=8, y=0, w=4, h=10, moved=False),
            dict(i=2, x=8, y=10, w=4, h=9, moved=False)]


solara_viz.make_initial_grid_layout = dashboard_grid_layout


@solara.component
def Page():
    solara.Style(CSS)
    model = solara.use_memo(DashboardModel, [])                       # one model per browser tab
    SolaraViz(model, components=[(NetworkMap, 0), (Status, 0), (Series, 0)], model_params=MODEL_PARAMS,
              name="Cooperation in the region: workshop dashboard", play_interval=50)
