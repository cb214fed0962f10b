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
(sized by population), its companies and NGOs around it and the coordinating bodies in a row above
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
    parser.add_argument("--lang", default=os.environ.get("SIM_DASHBOARD_LANG", "en"),
                        help="language of the page: en or de (default en)")
    args = parser.parse_args(argv)
    if args.lang not in ("en", "de"):
        parser.error(f"--lang {args.lang!r} is not allowed; choose en or de")
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
    env["SIM_DASHBOARD_LANG"] = args.lang
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
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from mesa.visualization import SolaraViz, solara_viz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402
from PIL import Image  # noqa: E402

from PIL import ImageDraw  # noqa: E402

from sim import dashboard_text as T  # noqa: E402
from sim.cli import compose  # noqa: E402
from sim.dashboard_guard import install as guard_server  # noqa: E402
from sim.metrics import consortia, pipeline, trust  # noqa: E402
from sim.model import CooperationModel  # noqa: E402
from sim.report import labels as L  # noqa: E402

LANG = T.language()

logging.getLogger("MESA").setLevel(logging.WARNING)   # Mesa logs every step at INFO

guard_server()          # only this computer's host names and pages, at most N sessions (sim/dashboard_guard.py)

# What the audience sees in the drop-downs -> the config option behind it; the names are the report's.
REGIONS = {L.region(key, LANG): key for key in ("emscher", "werra_meissner", "saarbruecken", "rvr")}
SCENARIOS = {L.scenario(key, LANG): key for key in (
    "baseline", "klimawerk", "herausforderung", "prima_klima", "lebenswert", "service_organisation",
    "city_coordinators", "broker_group", "project_office", "development", "culture_events", "entry", "association")}
BODY_NAMES = {key: T.body(key, LANG) for key in T.BODY_NAMES}

# Okabe-Ito colours (safe for the common colour-vision deficiencies); every kind has its own marker shape too.
KINDS = {  # map kind -> (legend label, colour, marker)
    "municipality": (T.t("municipality", LANG), "#0072B2", "o"),
    "company": (T.t("company", LANG), "#E69F00", "s"),
    "ngo": (T.t("ngo", LANG), "#009E73", "^"),
    "body": (T.t("body", LANG), "#CC79A7", "D"),
    "coordinator": (T.t("coordinator", LANG), "#CC79A7", "d"),
}
KIND_INDEX = {name: i for i, name in enumerate(KINDS)}
TIE_COLOUR = "#333333"
TIE_RGB = to_rgb(TIE_COLOUR)
TIE_RGB8 = tuple(int(round(255 * c)) for c in TIE_RGB)

# The first settings: the default region, Klima.Werk beside the baseline, and the config's defaults for the
# staff (service_organisation.staff, broker_group.coordinator_staff; no scenario file sets them, sim/config.py);
# budget and own share 0 mean "as the scenario's file sets them", so that each scenario brings its own funding.
DEFAULTS = dict(region=next(iter(REGIONS)), arrangement=L.scenario("klimawerk", LANG), so_staff=11,
                broker_staff=1.0, budget=0.0, cofinancing=0.0, seed=0)


def option(value: str, options: dict[str, str], what: str) -> str:
    """The config option for a drop-down label (or the option itself)."""
    if value in options.values():
        return value
    if value in options:
        return options[value]
    raise ValueError(f"unknown {what} {value!r}; available: {', '.join(options.values())}")


def overrides(region: str, arrangement: str, so_staff: float, broker_staff: float, budget: float,
              cofinancing: float, seed: int) -> list[str]:
    """The command-line overrides (``python -m sim ...``) the dashboard's settings amount to; a budget or own share
    of 0 leaves the scenario's own setting."""
    out = [f"region={option(region, REGIONS, 'region')}", f"scenario={option(arrangement, SCENARIOS, 'scenario')}",
           f"service_organisation.staff={float(so_staff):g}", f"broker_group.coordinator_staff={float(broker_staff):g}",
           f"seed={int(seed)}"]
    if float(budget) > 0:
        out.append(f"funding.budget_per_head_year={float(budget):g}")
    if float(cofinancing) > 0:
        out.append(f"funding.cofinancing_share={float(cofinancing):g}")
    return out


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
            "Consortia formed": self.consortia_formed, "Trust between municipalities": self.mean_trust})
        self.map = MapLayout(self)
        # the baseline beside it: the same region, seed and levers, no coordinating body
        self.twin = None
        if self.cfg.scenario.name != "baseline":
            self.twin = CooperationModel(compose([o if not o.startswith("scenario=") else "scenario=baseline"
                                                  for o in self.overrides]))
            self.twin.map = MapLayout(self.twin)
        self.history: dict[str, list[list[float]]] = {"scenario": [], "baseline": []}
        self.record()
        self.figures: dict[str, MapFigure] = {}

    def figure(self, name: str) -> bytes:
        """The map of the scenario ("map") or of the baseline beside it ("baseline_map") for this month, as PNG
        (built on first use)."""
        if name not in self.figures:
            self.figures[name] = MapFigure(self.twin if name == "baseline_map" else self,
                                           L.scenario("baseline" if name == "baseline_map" else self.cfg.scenario.name,
                                                      LANG))
        return self.figures[name].render()

    def _wrapped_step(self) -> None:
        """Mesa's step (it counts the month, then calls step()): nothing past the horizon, whatever the play
        button asks."""
        if self.steps >= self.cfg.horizon_months:
            self.running = False
            return
        super()._wrapped_step()

    def step(self) -> None:
        """One month of the scenario and of the baseline beside it."""
        super().step()
        if self.twin is not None:
            self.twin.step()
        self.record()
        if self.steps >= self.cfg.horizon_months:
            self.running = False

    def record(self) -> None:
        self.latest = {**pipeline(self), **consortia(self), **trust(self)}
        self.datacollector.collect(self)
        self.history["scenario"].append([self.latest["approvals"], self.latest["trust_municipalities"]])
        if self.twin is not None:
            t = {**pipeline(self.twin), **trust(self.twin)}
            self.twin.latest = t
            self.history["baseline"].append([t["approvals"], t["trust_municipalities"]])

    # model reporters (named methods: Mesa's DataCollector calls them without arguments)
    def approvals(self) -> float:
        return self.latest["approvals"]

    def completions(self) -> float:
        return self.latest["completions"]

    def consortia_formed(self) -> float:
        return self.latest["consortia"]

    def mean_trust(self) -> float:
        return self.latest["trust_municipalities"]


class MapLayout:
    """Fixed map positions: municipalities at their longitude and latitude (x scaled by cos(latitude),
    so distances look right), companies, NGOs and city coordinators scattered around their home
    municipality within about its radius (the same place every run: drawn from the node id), and
    coordinating bodies in a row above the region, off the towns. No force-directed layout: places stay put."""

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
            else:                          # a coordinating body: in a row above the region, off the towns
                i = bodies.index(node) if node in bodies else len(bodies)
                self.angle[node] = np.pi / 2
                spread = (float(self.mx.max()) - float(self.mx.min())) / max(len(bodies) - 1, 1)
                xy.append((float(self.mx.min()) + spread * i, float(self.my.max()) + 0.12 * self.span))
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
    sector = attrs.get("sector")                  # a further agent kind is drawn as its sector's
    if sector in ("business", "civil"):
        return "company" if sector == "business" else "ngo"
    return "coordinator" if kind == "city_coordinator" else "body"


def trust_style(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line width (points) and opacity of ties by trust: thin and faint at 0.5 (strangers) and below,
    thick and dark towards 1."""
    s = np.clip((np.asarray(t, float) - 0.5) / 0.45, 0.0, 1.0) ** 2.5
    return 0.15 + 3.0 * s, 0.04 + 0.8 * s


class MapFigure:
    """The collaboration network on the map, as PNG. Two layers of the same size: the ties, drawn every month
    with PIL straight into pixels (a few milliseconds for thousands of lines, where matplotlib took half a
    second), and over them everything else (nodes, names, title, legend: drawn once per model with matplotlib
    and again only when nodes are added)."""

    WIDTH_IN, LEGEND_IN, TITLE_IN = 5.2, 1.95, 0.35                   # the legend goes below the map
    DPI = 100

    def __init__(self, model: CooperationModel, name: str = ""):
        self.model, self.name = model, name
        self.build()

    def build(self) -> None:
        model, layout = self.model, self.model.map
        layout.update(model)
        pad = 1.15 * layout.radius.max()
        x0, x1 = layout.xy[:, 0].min() - pad, layout.xy[:, 0].max() + pad
        y0, y1 = layout.xy[:, 1].min() - pad, layout.xy[:, 1].max() + pad
        w = self.WIDTH_IN - 0.2
        h = min(max(w * (y1 - y0) / (x1 - x0), 3.0), 5.0)
        size = (self.WIDTH_IN, h + self.TITLE_IN + self.LEGEND_IN)
        box = (0.1 / size[0], self.LEGEND_IN / size[1], w / size[0], h / size[1])
        fig = Figure(figsize=size, dpi=self.DPI)
        fig.patch.set_alpha(0.0)
        FigureCanvasAgg(fig)
        ax = fig.add_axes(box)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box", anchor="C")
        ax.set_axis_off()
        fig.text(0.1 / size[0], 1 - 0.12 / size[1], self.name, fontsize=14, fontweight="bold", va="top", ha="left")
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
        ax.apply_aspect()
        shown = np.argsort(-pop)[: (len(pop) if len(pop) <= 20 else 15)]     # names: all if few, else the largest
        for i in shown:                                               # largest first: they keep the best place
            gap = 4 + 9 * np.sqrt(pop[i] / pop.max())
            place_label(ax, str(region.name.iloc[i]), (layout.mx[i], layout.my[i]),
                        [((0, gap), "center", "bottom"), ((0, -gap), "center", "top"), ((gap, -3), "left", "baseline"),
                         ((-gap, -3), "right", "baseline")], placed, renderer, fontsize=9.5, zorder=6,
                        path_effects=halo)
        towns = [(layout.mx[i], layout.my[i]) for i in range(len(pop))]
        for body in model.bodies:                                     # bodies' names beside their diamonds,
            i = np.flatnonzero(layout.ids == body.unique_id)          # clear of the towns' names and dots
            if not len(i):
                continue
            a = layout.angle.get(body.unique_id, 0.0)
            side = "left" if np.cos(a) > 0.01 else ("right" if np.cos(a) < -0.01 else "center")
            dots = [ax.transData.transform(p) for p in towns]
            boxes = placed + [matplotlib_box(d, 8) for d in dots]
            place_label(ax, BODY_NAMES.get(body.key, body.key), tuple(layout.xy[i[0]]),
                        [((9 * np.cos(a), 9 * np.sin(a) - 3), side, "baseline"), ((0, 9), "center", "bottom"),
                         ((0, -9), "center", "top"), ((9, -3), "left", "baseline"), ((-9, -3), "right", "baseline")],
                        boxes, renderer, fontsize=9.5, color="#6b2550", zorder=7,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="#CC79A7", lw=0.8, alpha=0.9))
            placed.append(boxes[-1])
        scale_bar(ax)
        kinds = [Line2D([], [], ls="", marker=KINDS[k][2], color=KINDS[k][1], markeredgecolor="white",
                        markersize={"municipality": 12, "body": 10}.get(k, 8),
                        label=f"{KINDS[k][0]}: {counts[KIND_INDEX[k]]}")
                 for k in KINDS if counts[KIND_INDEX[k]]]
        ties = []
        for level, key in ((0.5, "tie_new"), (0.75, "tie_some"), (0.9, "tie_much")):
            lw, alpha = trust_style(np.array([level]))
            ties.append(Line2D([], [], color=TIE_COLOUR, lw=max(float(lw[0]), 0.6), alpha=max(float(alpha[0]), 0.35),
                               label=T.t(key, LANG, x=T.number(level, LANG, 2))))
        below = (self.LEGEND_IN - 0.02) / size[1]
        fig.legend(handles=kinds, loc="upper left", bbox_to_anchor=(0.1 / size[0], below), fontsize=9,
                   frameon=False, title=T.t("who", LANG), title_fontsize=10, alignment="left", borderaxespad=0,
                   ncols=2 if len(kinds) > 3 else 1, handletextpad=0.3, columnspacing=1.0, labelspacing=0.35)
        fig.legend(handles=ties, loc="upper left", bbox_to_anchor=(0.1 / size[0], below - 0.82 / size[1]), fontsize=9,
                   frameon=False, title=T.t("tie_title", LANG), title_fontsize=10,
                   alignment="left", borderaxespad=0, handlelength=2.2, labelspacing=0.35)
        fig.canvas.draw()
        self.front = Image.fromarray(np.asarray(fig.canvas.buffer_rgba()).copy(), "RGBA")
        self.height = self.front.height
        self.to_pixels = ax.transData                                 # data -> display (origin bottom left)
        self.n_nodes = len(layout.ids)

    def render(self) -> bytes:
        """This month's map as JPEG bytes."""
        model, layout = self.model, self.model.map
        if layout.update(model):
            self.build()
        e = model.network.edge_table(model.steps)
        order = np.argsort(e["trust"], kind="stable")                 # strongest ties drawn last, on top
        t = e["trust"][order]
        lw, alpha = trust_style(t)
        a = self.to_pixels.transform(layout.lookup[e["u"][order]]) if len(t) else np.zeros((0, 2))
        b = self.to_pixels.transform(layout.lookup[e["v"][order]]) if len(t) else np.zeros((0, 2))
        back = Image.new("RGBA", self.front.size, "white")
        draw = ImageDraw.Draw(back, "RGBA")
        width = np.maximum(1, np.rint(lw * self.DPI / 72)).astype(int)
        coverage = np.minimum(1.0, lw * self.DPI / 72)             # a line thinner than a pixel: fainter
        opacity = np.clip(np.rint(alpha * coverage * 255), 1, 255).astype(int)
        h = self.height
        for (ax_, ay), (bx, by), wd, op in zip(a.tolist(), b.tolist(), width.tolist(), opacity.tolist()):
            draw.line([(ax_, h - ay), (bx, h - by)], fill=(*TIE_RGB8, op), width=wd)
        return jpeg_bytes(Image.alpha_composite(back, self.front).convert("RGB"))


def matplotlib_box(xy, r: float):
    """A square box of half-width ``r`` pixels around a display point (to keep labels off the towns' dots)."""
    from matplotlib.transforms import Bbox

    return Bbox([[xy[0] - r, xy[1] - r], [xy[0] + r, xy[1] + r]])


def jpeg_bytes(image) -> bytes:
    """JPEG: a tenth of the time of PNG to encode and a fifth of its size to send, for a picture that changes
    every month."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
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


def series_svg(model: DashboardModel) -> str:
    """Approvals so far (top) and trust between municipalities (bottom), month by month, scenario against
    baseline, as an inline SVG: drawn in about a millisecond, where a matplotlib figure took half a second."""
    runs = [("scenario", L.scenario(model.cfg.scenario.name, LANG), "#D55E00", "")]
    if model.twin is not None:
        runs.insert(0, ("baseline", L.scenario("baseline", LANG), "#0072B2", "6 4"))
    horizon = model.cfg.horizon_months
    width, left, right = 360, 40, 10
    panels = [(0, T.t("series_projects", LANG), 22, 150), (1, T.t("series_trust", LANG), 232, 110)]
    out = [f'<svg class="dash-series" viewBox="0 0 {width} 410" width="100%" role="img" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">']
    for k, title, top, height in panels:
        values = [np.array(model.history[key], float)[:, k] for key, *_ in runs if model.history[key]]
        if k == 0:                                   # whole, round steps: 0 5 10 15 20, 0 50 100 ...
            need = max(10.0, max(float(v.max()) for v in values)) / 4
            step = min(m * 10 ** e for e in range(0, 6) for m in (1, 2, 2.5, 5) if m * 10 ** e >= need and
                       float(m * 10 ** e).is_integer())
            lo, hi, ticks = 0.0, 4 * step, [i * step for i in range(5)]
        else:
            lo, hi, ticks = 0.4, 1.0, [0.4, 0.6, 0.8, 1.0]
        x = lambda m: left + (width - left - right) * m / max(horizon, 1)          # noqa: E731
        y = lambda v: top + height * (1 - (v - lo) / (hi - lo))                     # noqa: E731
        out.append(f'<text x="4" y="{top - 8}" font-weight="bold" font-size="13">{html.escape(title)}</text>')
        for tick in ticks:
            label = T.number(tick, LANG, 0 if k == 0 else 1)
            out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
                       f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{label}</text>')
        for month in range(0, horizon + 1, 24):
            out.append(f'<text x="{x(month):.1f}" y="{top + height + 16}" text-anchor="middle">{month}</text>')
        for (key, name, colour, dash), v in zip(runs, values):
            pts = " ".join(f"{x(m):.1f},{y(val):.1f}" for m, val in enumerate(v))
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5" '
                       f'stroke-dasharray="{dash}"/>')
    legend_y = 390
    for i, (key, name, colour, dash) in enumerate(runs):
        x0, legend_y = 4, 380 + 16 * i
        out.append(f'<line x1="{x0}" x2="{x0 + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{colour}" '
                   f'stroke-width="3" stroke-dasharray="{dash}"/><text x="{x0 + 30}" y="{legend_y}">'
                   f'{html.escape(name)}</text>')
    out.append(f'<text x="{width - right}" y="{232 + 110 + 30}" text-anchor="end" fill="#555">'
               f'{T.t("month", LANG, t="", h="").split()[0]}</text></svg>')
    return "".join(out)


@functools.cache
def scenario_funding(scenario: str) -> tuple[float, float]:
    """The main programme's budget per head and co-financing share as the scenario's file sets them."""
    cfg = compose([f"scenario={scenario}"])
    return cfg.funding.budget_per_head_year, cfg.funding.cofinancing_share


def status_html(model: DashboardModel) -> str:
    """Where the run stands and what it is, in words, scenario beside baseline (HTML; plain text would do,
    Markdown would load KaTeX from the internet)."""
    cfg, m, lang, e = model.cfg, model.latest, LANG, html.escape
    region = L.region(cfg.region.preset, lang)
    budget = cfg.funding.budget_per_head_year
    own = scenario_funding(cfg.scenario.name) == (budget, cfg.funding.cofinancing_share)
    staff = []
    for key, value in (("service_organisation", cfg.service_organisation.staff),
                       ("broker_group", cfg.broker_group.coordinator_staff)):
        name = BODY_NAMES[key]
        staff.append(f"{name} {T.number(value, lang, 2 if value % 1 else 0)}" if key in cfg.scenario.bodies
                     else T.t("no_body", lang, what=name))
    def numbers(latest: dict) -> str:
        return (f'{T.t("approvals", lang)} <b>{T.number(latest["approvals"], lang)}</b> &middot; '
                f'{T.t("completions", lang)} <b>{T.number(latest["completions"], lang)}</b> &middot; '
                f'{T.t("trust", lang)} <b>{T.number(latest["trust_municipalities"], lang, 2)}</b>')
    rows = [f'<tr><th>{e(L.scenario(cfg.scenario.name, lang))}</th><td>{numbers(m)}</td></tr>']
    if model.twin is not None:
        rows.insert(0, f'<tr><th>{e(L.scenario("baseline", lang))}</th><td>{numbers(model.twin.latest)}</td></tr>')
    funding = T.t("funding_text", lang, b=T.number(budget, lang, 0 if float(budget).is_integer() else 2),
                  total=T.number(budget * model.region.population.sum() / 1e6, lang, 1),
                  own=f"{T.number(100 * cfg.funding.cofinancing_share, lang)} %")
    return (
        f'<div class="dash-status"><h3>{T.t("month", lang, t=model.steps, h=cfg.horizon_months)}'
        f'{T.t("finished", lang) if not model.running else ""}</h3>'
        f'<table class="dash-numbers">{"".join(rows)}</table>'
        f'<p><b>{T.t("region", lang)}</b> {e(region)}: {e(T.t("actors", lang, m=len(model.municipalities), c=len(model.companies), n=len(model.ngos)))}; '
        f'{T.t("bodies", lang)}: {e(", ".join(BODY_NAMES.get(b, b) for b in cfg.scenario.bodies) or T.t("none", lang))}<br>'
        f'<b>{T.t("funding", lang)}</b> {e(funding)}{T.t("own" if own else "slider", lang)}; '
        f'<b>{T.t("staff", lang)}</b> {e("; ".join(staff))}; <b>{T.t("seed_word", lang)}</b> {cfg.seed}</p>'
        f'<p class="dash-hint">{T.t("side", lang) if model.twin is not None else ""} {T.t("hint", lang)}</p></div>')


@solara.component
def Status(model: DashboardModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model))


@solara.component
def NetworkMap(model: DashboardModel):
    update_counter.get()
    png = solara.use_memo(lambda: model.figure("map"), [id(model), model.steps])
    solara.Image(png, format="jpeg", width="100%", classes=["dash-map"])


@solara.component
def BaselineMap(model: DashboardModel):
    update_counter.get()
    if model.twin is None:
        solara.HTML(tag="div", unsafe_innerHTML="")
        return
    png = solara.use_memo(lambda: model.figure("baseline_map"), [id(model), model.steps])  # noqa: SH101
    solara.Image(png, format="jpeg", width="100%", classes=["dash-map-baseline"])


@solara.component
def Series(model: DashboardModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=series_svg(model))


MODEL_PARAMS = {
    "region": {"type": "Select", "value": DEFAULTS["region"], "values": list(REGIONS), "label": T.t("region", LANG)},
    "arrangement": {"type": "Select", "value": DEFAULTS["arrangement"], "values": list(SCENARIOS),
                    "label": T.t("scenario", LANG)},
    "so_staff": {"type": "SliderInt", "value": DEFAULTS["so_staff"], "min": 0, "max": 30, "step": 1,
                 "label": T.t("so_staff", LANG)},
    "broker_staff": {"type": "SliderFloat", "value": DEFAULTS["broker_staff"], "min": 0.0, "max": 3.0,
                     "step": 0.25, "label": T.t("broker_staff", LANG)},
    "budget": {"type": "SliderFloat", "value": DEFAULTS["budget"], "min": 0.0, "max": 10.0, "step": 0.01,
               "label": T.t("budget", LANG)},
    "cofinancing": {"type": "SliderFloat", "value": DEFAULTS["cofinancing"], "min": 0.0, "max": 0.9,
                    "step": 0.05, "label": T.t("cofinancing", LANG)},
    "seed": {"type": "SliderInt", "value": DEFAULTS["seed"], "min": 0, "max": 99, "step": 1,
             "label": T.t("seed", LANG)},
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
  content: "@pause@"; font-size: 14px; }
.v-navigation-drawer .v-card:first-child .v-card__text > .v-input__slider:nth-child(2) .v-label::after {
  content: "@per_step@"; font-size: 14px; }
.v-navigation-drawer .v-card:nth-child(1) > .v-card__title::after { content: "@run@"; font-size: 20px; }
.v-navigation-drawer .v-card:nth-child(2) > .v-card__title::after {
  content: "@settings@"; font-size: 20px; }
.v-tabs { display: none; }
.dash-status { font-size: 12.5px; line-height: 1.3; padding: 0 6px; }
.dash-status h3 { font-size: 19px; margin: 0 0 2px 0; }
.dash-status p { margin: 0 0 2px 0; }
.dash-numbers { font-size: 15px; border-collapse: collapse; margin-bottom: 4px; }
.dash-numbers th { text-align: left; padding-right: 12px; font-weight: bold; }
.dash-hint { color: #555; font-style: italic; }
.v-navigation-drawer { width: 340px !important; min-width: 340px !important; max-width: 340px !important; }
@media (max-width: 1400px) { .v-navigation-drawer { width: 290px !important; min-width: 290px !important;
  max-width: 290px !important; } }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""
for _key in ("pause", "per_step", "run", "settings"):
    CSS = CSS.replace(f"@{_key}@", T.t(_key, LANG).replace('"', "'"))

_mesa_grid_layout = solara_viz.make_initial_grid_layout


def dashboard_grid_layout(num_components: int) -> list[dict]:
    """The first arrangement of the page (people can still drag and resize): the status across the top, below
    it the baseline's map, the scenario's map and the charts side by side, all above the fold at 1280 x 720.
    Replaces Mesa's two equal columns for this app's four parts."""
    if num_components != 4:
        return _mesa_grid_layout(num_components)
    return [dict(i=0, x=0, y=0, w=12, h=5, moved=False), dict(i=1, x=0, y=5, w=4, h=10, moved=False),
            dict(i=2, x=4, y=5, w=4, h=10, moved=False), dict(i=3, x=8, y=5, w=4, h=10, moved=False)]


solara_viz.make_initial_grid_layout = dashboard_grid_layout


@solara.component
def Page():
    solara.Style(CSS)
    model = solara.use_memo(DashboardModel, [])                       # one model per browser tab
    SolaraViz(model, components=[(Status, 0), (BaselineMap, 0), (NetworkMap, 0), (Series, 0)],
              model_params=MODEL_PARAMS, name=T.t("title", LANG), play_interval=50)
