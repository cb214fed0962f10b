"""Pattern-oriented calibration (Grimm et al. 2005) of the Klima.Werk and Prima.Klima scenarios.

Three real-case patterns (notes/literature.md, "Figures for calibration"; docs/scenarios.md):

  P1  Klima.Werk, first 24 months of the service organisation (scenario klimawerk, region emscher):
      91 ideas, 64 applications, 5.2 M EUR requested  -> FITTED;  60 approvals -> HELD OUT
  P2  broker group, mature groups 100-150 matches a year (herausforderung, saarbruecken, month 120)
                                                       -> HELD OUT entirely
  P3  KfW 432, about 16 % of funded concepts lead to funded implementation (prima_klima, rvr,
      month 120)                                       -> FITTED (second_programme.hurdle_ratio)

Fit 1 (P1): scipy differential_evolution over three parameters within documented plausible ranges;
objective = sum of squared relative errors of the mean over a fixed set of seeds (common random
numbers: every candidate is run with the same seeds). Fit 2 (P3): scipy minimize_scalar (bounded)
over one parameter, same kind of objective. Then every pattern, fitted or held out, is evaluated at
the default and the calibrated parameters on fresh seeds (not those used for fitting), with 95 %
confidence intervals of the mean and 95 % prediction intervals of a single run.

    .venv/bin/python experiments/calibration/run.py                  # the real run (13 min on a busy 2-core VM)
    .venv/bin/python experiments/calibration/run.py quick=true       # tiny budget, for tests
    settings (key=value): seeds=N (evaluation seeds, >= 20 for the report) fit_seeds=N jobs=N name=NAME
             maxiter=N popsize=N only=FIT out=DIR overwrite_scenario=true output.cache_dir=DIR output.sweep_dir=DIR

The patterns (observed figures, sources, what is fitted and what held out) and the fitted parameters
with their plausible ranges are the experiment files configs/experiment/calibration_*.yaml (read here as
data); every model run goes through the sweep runner and the content-addressed cache (results/sweeps/
calibration-P1, -P2, -P3), so a repeated or interrupted calibration recomputes nothing it already has.

Writes results/calibration/<name>/ (report.md, fit.csv, params.csv, trace.csv, per_seed.csv and
copies of the calibrated scenario files; an existing folder is never overwritten, a suffix is added)
and, unless quick=true, configs/scenario/klimawerk_calibrated.yaml and prima_klima_calibrated.yaml
(refused if they exist, unless --overwrite-scenario).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import platform
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, stats

from sim.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "configs" / "scenario"
DEFAULT_OUT = ROOT / "results" / "calibration"
FIT_SEED0 = 0           # fitting seeds: 0 .. fit_seeds-1
EVAL_SEED0 = 1000       # evaluation seeds: 1000 .. 1000+seeds-1 (disjoint from the fitting seeds)
DE_RNG = 20251122       # the optimiser's own random numbers


# -- patterns, parameters, fits ---------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An observed figure: a summary key at the pattern's horizon, a point value or a range."""

    metric: str
    observed: float
    low: float | None = None      # a range (P2: 100-150) instead of a point
    high: float | None = None
    source: str = ""

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Pattern:
    name: str
    title: str
    scenario: str
    region: str
    horizon: int
    fitted: tuple[Target, ...]
    held_out: tuple[Target, ...]
    extras: tuple[str, ...] = ()   # reported for context, never fitted

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.fitted + self.held_out

    @property
    def keys(self) -> list[str]:
        return [t.metric for t in self.targets] + list(self.extras)


@dataclass(frozen=True)
class Param:
    """A fitted parameter and its documented plausible range (inside the hard bounds of sim/config.py)."""

    key: str
    low: float
    high: float
    why: str
    decimals: int = 3           # the value written to the scenario file (and evaluated) is rounded to this


@dataclass(frozen=True)
class Fit:
    name: str
    pattern: Pattern
    params: tuple[Param, ...]
    method: str                 # "de" (differential_evolution) or "bounded" (minimize_scalar)
    base_scenario: str
    out_scenario: str


EXPERIMENTS = ROOT / "configs" / "experiment"


def experiment(name: str) -> dict:
    """configs/experiment/<name>.yaml as data (YAML only: nothing in it is run)."""
    path = EXPERIMENTS / f"{name}.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    defaults = {k.split("/")[-1]: v for d in data.get("defaults", []) if isinstance(d, dict)
                for k, v in d.items()}
    data["_choices"] = {k.replace("override ", ""): v for k, v in defaults.items()}
    return data


def pattern_of(name: str) -> Pattern:
    """A calibration pattern from its experiment file: scenario, region, month, targets, extras."""
    data = experiment(name)
    t = data["hydra"]["sweeper"]["targets"]
    target = lambda m, spec: Target(m, float(spec["observed"]), spec.get("low"), spec.get("high"),  # noqa: E731
                                    " ".join(str(spec.get("source", "")).split()))
    return Pattern(t["pattern"], t["title"], data["_choices"]["scenario"], data["_choices"]["region"],
                   int(data["horizon_months"]),
                   fitted=tuple(target(m, v) for m, v in (t.get("fitted") or {}).items()),
                   held_out=tuple(target(m, v) for m, v in (t.get("held_out") or {}).items()),
                   extras=tuple(t.get("extras") or ()))


def fit_of(name: str, fit: str) -> Fit:
    """A fit from its experiment file: the fitted parameters with their plausible ranges and why."""
    data = experiment(name)
    sweeper = data["hydra"]["sweeper"]
    params = tuple(Param(k, float(v["low"]), float(v["high"]), " ".join(str(v.get("basis", "")).split()),
                         int(v.get("decimals", 3))) for k, v in sweeper["uncertainties"].items())
    targets = sweeper["targets"]
    return Fit(fit, pattern_of(name), params, targets["method"], data["_choices"]["scenario"], targets["out_scenario"])


P1 = pattern_of("calibration_klimawerk")
P2 = pattern_of("calibration_broker")
P3 = pattern_of("calibration_prima_klima")
PATTERNS = (P1, P2, P3)
FIT_KLIMAWERK = fit_of("calibration_klimawerk", "klimawerk")
FIT_PRIMA = fit_of("calibration_prima_klima", "prima_klima")
FITS = (FIT_KLIMAWERK, FIT_PRIMA)


def held_out_metrics() -> set[tuple[str, str]]:
    """(pattern, metric) pairs that no objective uses."""
    return {(p.name, t.metric) for p in PATTERNS for t in p.held_out}


# -- running the model ------------------------------------------------------------------------


def scenario_container(name: str, directory: Path = SCENARIO_DIR) -> dict:
    with open(directory / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def get_dotted(obj, key: str):
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


@functools.lru_cache(maxsize=16)
def base_config(scenario: str, region: str, horizon: int, cache_dir: str = "results/cache"):
    """The pattern's config composed as ``python -m sim scenario=.. region=.. horizon_months=..`` would."""
    from sim.cli import compose

    return compose([f"scenario={scenario}", f"region={region}", f"horizon_months={horizon}",
                    f"output.cache_dir={cache_dir}"])


def build_config(pattern: Pattern, overrides: Mapping[str, float], seed: int, cache_dir: str = "results/cache"):
    from sim.testing import config_with

    return config_with(base_config(pattern.scenario, pattern.region, pattern.horizon, cache_dir),
                       seed=int(seed), **{k: float(v) for k, v in overrides.items()})


def default_values(fit: Fit) -> dict[str, float]:
    cfg = build_config(fit.pattern, {}, 0)
    return {q.key: float(get_dotted(cfg, q.key)) for q in fit.params}


class Runner:
    """Runs (candidate, seed) pairs of a pattern through the sweep runner: every run is cached under its
    content key (sim/cache.py), so a repeated or interrupted calibration recomputes nothing it has;
    values[c, s, k]. The runs of pattern P go to results/sweeps/<prefix>-P."""

    def __init__(self, jobs: int, sweep_dir: Path = ROOT / "results" / "sweeps", prefix: str = "calibration",
                 cache_dir: str = "results/cache"):
        self.jobs, self.sweep_dir, self.prefix, self.cache_dir = jobs, Path(sweep_dir), prefix, cache_dir
        self.runs = 0

    def values(self, pattern: Pattern, candidates: Sequence[Mapping[str, float]], seeds: Sequence[int],
               keys: Sequence[str] | None = None) -> np.ndarray:
        from sim import sweep as S

        keys = list(keys or pattern.keys)
        members = [S.member_of(build_config(pattern, c, s, self.cache_dir), {"scenario": pattern.scenario,
                                                                            "region": pattern.region},
                               [*(f"{k}={v!r}" for k, v in c.items()), f"seed={s}"])
                   for c in candidates for s in seeds]
        folder = S.SweepFolder((self.sweep_dir / f"{self.prefix}-{pattern.name}").resolve())
        status = S.run_local(members, folder, ["experiments/calibration/run.py", *sys.argv[1:]], jobs=self.jobs,
                             quiet=True)
        bad = [k for k, v in status.items() if v == "failed"]
        if bad:
            raise UserError(f"{len(bad)} calibration runs failed; see {folder.root / 'failed'}")
        self.runs += len(members)
        out = []
        for m in members:
            summary = json.loads((folder.run_path(m.key) / "summary.json").read_text(encoding="utf-8"))
            out.append([float("nan") if summary.get(k) is None else float(summary[k]) for k in keys])
        return np.asarray(out, float).reshape(len(candidates), len(seeds), len(keys))


# -- distance ---------------------------------------------------------------------------------


def distance(simulated: Mapping[str, float], targets: Sequence[Target]) -> float:
    """Sum over the targets of ((simulated - observed) / observed)^2: 0 at the pattern, growing
    quadratically away from it; a missing or undefined value counts as a very bad fit (1e6).
    Only the targets passed in count; held-out figures are never passed in."""
    total = 0.0
    for t in targets:
        value = simulated.get(t.metric, float("nan"))
        if value is None or not math.isfinite(value):
            return 1e6
        total += ((value - t.observed) / t.observed) ** 2
    return total


def seed_means(values: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
    """Means over seeds of [seeds, keys] values (NaN seeds ignored; all NaN -> NaN)."""
    out = {}
    for j, k in enumerate(keys):
        col = values[:, j]
        col = col[np.isfinite(col)]
        out[k] = float(col.mean()) if len(col) else float("nan")
    return out


class Objective:
    """Mean-over-seeds distance of a pattern's fitted targets, with common random numbers (the same
    fixed seeds for every candidate), memoised, and every evaluation kept in ``trace``."""

    def __init__(self, fit: Fit, seeds: Sequence[int], runner: Runner, log: Callable[[str], None]):
        self.fit, self.seeds, self.runner, self.log = fit, list(seeds), runner, log
        self.keys = [t.metric for t in fit.pattern.fitted]
        self.cache: dict[tuple, float] = {}
        self.trace: list[dict] = []
        self.batches = 0
        self.t0 = time.perf_counter()

    def point(self, x: Sequence[float]) -> dict[str, float]:
        return {p.key: round(float(v), p.decimals) for p, v in zip(self.fit.params, x)}

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """X: one point (n,) or a population (n, S) as differential_evolution(vectorized=True) passes it."""
        X = np.asarray(X, float)
        single = X.ndim == 1
        pts = [X] if single else list(X.T)
        cands = [self.point(x) for x in pts]
        todo = [c for c in dict.fromkeys(tuple(c.items()) for c in cands) if c not in self.cache]
        if todo:
            vals = self.runner.values(self.fit.pattern, [dict(c) for c in todo], self.seeds, self.keys)
            for c, v in zip(todo, vals):
                means = seed_means(v, self.keys)
                d = distance(means, self.fit.pattern.fitted)
                self.cache[c] = d
                self.trace.append({"fit": self.fit.name, "evaluation": len(self.trace), "batch": self.batches,
                                   **dict(c), **{f"mean_{k}": means[k] for k in self.keys}, "distance": d})
            self.batches += 1
            best = min(self.trace, key=lambda r: r["distance"])
            self.log(f"  [{self.fit.name}] batch {self.batches}: {len(todo)} new candidate(s) x {len(self.seeds)} "
                     f"seeds, {len(self.trace)} evaluated, best distance {best['distance']:.4g}, "
                     f"{time.perf_counter() - self.t0:.0f} s")
        d = np.array([self.cache[tuple(c.items())] for c in cands])
        return float(d[0]) if single else d

    def best(self) -> dict:
        return min(self.trace, key=lambda r: r["distance"])


@dataclass
class FitResult:
    fit: Fit
    start: dict[str, float]
    start_distance: float
    fitted: dict[str, float]
    fitted_distance: float
    evaluations: int
    runs: int
    seconds: float
    message: str
    trace: list[dict] = field(default_factory=list)


def run_fit(fit: Fit, seeds: Sequence[int], runner: Runner, budget: dict, log: Callable[[str], None]) -> FitResult:
    obj = Objective(fit, seeds, runner, log)
    start = default_values(fit)
    for p in fit.params:
        if not p.low <= start[p.key] <= p.high:
            raise ValueError(f"default {p.key} = {start[p.key]} lies outside its plausible range")
    x0 = np.array([start[p.key] for p in fit.params])
    runs0, t0 = runner.runs, time.perf_counter()
    start_distance = obj(x0)                       # the starting point, with the same seeds
    bounds = [(p.low, p.high) for p in fit.params]
    if fit.method == "de":
        res = optimize.differential_evolution(
            obj, bounds, x0=x0, popsize=budget["popsize"], maxiter=budget["maxiter"], polish=False,
            init="latinhypercube", updating="deferred", vectorized=True, rng=DE_RNG, tol=0.01,
            callback=lambda intermediate_result: log(
                f"  [{fit.name}] generation done: best distance {intermediate_result.fun:.4g}"))
        message = f"differential_evolution: {res.message.strip()} ({res.nit} generations)"
    elif fit.method == "bounded":
        (p,) = fit.params
        res = optimize.minimize_scalar(lambda v: obj(np.array([v])), bounds=(p.low, p.high), method="bounded",
                                       options={"xatol": budget["xatol"], "maxiter": budget["scalar_maxiter"]})
        message = f"minimize_scalar(bounded): {str(res.message).strip()} ({res.nfev} evaluations)"
    else:
        raise ValueError(fit.method)
    best = obj.best()                              # best evaluated point (memoised, rounded)
    fitted = {p.key: best[p.key] for p in fit.params}
    return FitResult(fit, start, start_distance, fitted, best["distance"], len(obj.trace), runner.runs - runs0,
                     time.perf_counter() - t0, message, obj.trace)


# -- evaluation with confidence and prediction intervals ---------------------------------------


def interval_stats(x: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean, t confidence interval of the mean and t prediction interval of one more run."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    mean = float(x.mean()) if n else float("nan")
    if n < 2:
        return dict(n=n, mean=mean, sd=float("nan"), ci_low=float("nan"), ci_high=float("nan"),
                    pi_low=float("nan"), pi_high=float("nan"))
    sd = float(x.std(ddof=1))
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    return dict(n=n, mean=mean, sd=sd, ci_low=mean - t * sd / math.sqrt(n), ci_high=mean + t * sd / math.sqrt(n),
                pi_low=mean - t * sd * math.sqrt(1 + 1 / n), pi_high=mean + t * sd * math.sqrt(1 + 1 / n))


def covers(low: float, high: float, target: Target) -> bool:
    """Whether [low, high] contains the observed point, or overlaps the observed range."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return False
    if target.is_range:
        return low <= target.high and high >= target.low
    return low <= target.observed <= high


def evaluate(runner: Runner, seeds: Sequence[int], fitted: Mapping[str, dict[str, float]],
             log: Callable[[str], None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every pattern of the fits in ``fitted`` (by fit name) and every pattern without fitted targets,
    at the default and at the calibrated parameters, on the evaluation seeds.
    Returns the fit table (one row per pattern and metric) and the per-seed values (tidy)."""
    rows, per_seed = [], []
    fit_of = {f.pattern.name: f for f in FITS if f.name in fitted}
    for pattern in PATTERNS:
        if pattern.fitted and pattern.name not in fit_of:
            continue
        fit = fit_of.get(pattern.name)
        variants = {"default": {}}
        if fit is not None:
            variants["calibrated"] = fitted[fit.name]
        t0 = time.perf_counter()
        vals = runner.values(pattern, list(variants.values()), seeds)
        log(f"  [evaluate {pattern.name}] {pattern.scenario} on {pattern.region}, {len(variants)} variant(s) x "
            f"{len(seeds)} seeds in {time.perf_counter() - t0:.0f} s")
        for vi, variant in enumerate(variants):
            for si, s in enumerate(seeds):
                for ki, k in enumerate(pattern.keys):
                    per_seed.append(dict(pattern=pattern.name, variant=variant, seed=s, metric=k,
                                         value=vals[vi, si, ki]))
        by_variant = {v: vals[i] for i, v in enumerate(variants)}
        # a pattern no fitted parameter acts on (P2) is 'calibrated' as it is
        cal = by_variant.get("calibrated", by_variant["default"])
        for ki, key in enumerate(pattern.keys):
            target = next((t for t in pattern.targets if t.metric == key), None)
            role = "fitted" if target in pattern.fitted else "held out" if target else "context"
            d, c = interval_stats(by_variant["default"][:, ki]), interval_stats(cal[:, ki])
            row = dict(pattern=pattern.name, scenario=pattern.scenario, region=pattern.region, month=pattern.horizon,
                       metric=key, role=role, calibrated_params="yes" if fit else "none act here",
                       observed=target.observed if target else float("nan"),
                       observed_low=target.low if target and target.is_range else float("nan"),
                       observed_high=target.high if target and target.is_range else float("nan"),
                       n_seeds=c["n"], default_mean=d["mean"], default_ci_low=d["ci_low"],
                       default_ci_high=d["ci_high"], calibrated_mean=c["mean"], calibrated_sd=c["sd"],
                       ci_low=c["ci_low"], ci_high=c["ci_high"], pi_low=c["pi_low"], pi_high=c["pi_high"])
            if target:
                row.update(rel_error=(c["mean"] - target.observed) / target.observed,
                           observed_in_ci=covers(c["ci_low"], c["ci_high"], target),
                           observed_in_pi=covers(c["pi_low"], c["pi_high"], target),
                           default_observed_in_ci=covers(d["ci_low"], d["ci_high"], target))
            rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(per_seed)


# -- scenario files ---------------------------------------------------------------------------


def format_value(value: float, decimals: int) -> str:
    """A YAML number without exponent (PyYAML would read '5e+04' as text), rounded to ``decimals``."""
    v = round(float(value), decimals)
    if decimals <= 0:
        return f"{v:.1f}"
    text = f"{v:.{decimals}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def render_scenario(base_text: str, base_name: str, new_name: str, fitted: Mapping[str, float],
                    params: Sequence[Param], header: Sequence[str], comments: Mapping[str, str]) -> str:
    """The base scenario file with the fitted values set: its keys and comments kept verbatim, a header
    comment after '# @package _global_', scenario.name renamed, each fitted key inserted into its group
    (or replacing the same key there) with a comment."""
    lines = base_text.rstrip("\n").split("\n")
    if not lines or lines[0].strip() != "# @package _global_":
        raise ValueError("a scenario file must start with '# @package _global_'")
    lines = [lines[0], *[f"# {h}" if h else "#" for h in header], *lines[1:]]
    text = "\n".join(lines)
    text, n = re.subn(rf"(?m)^(scenario:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*){re.escape(base_name)}\b",
                      rf"\g<1>{new_name}", text + "\n")
    if n != 1:
        raise ValueError(f"could not find 'scenario.name: {base_name}' in the base scenario")
    lines = text.rstrip("\n").split("\n")
    decimals = {p.key: p.decimals for p in params}
    for key, value in fitted.items():
        *groups, name = key.split(".")
        entry = f"{'  ' * len(groups)}{name}: {format_value(value, decimals.get(key, 6))}"
        entry = f"{entry:<31}# {comments[key]}" if comments.get(key) else entry
        set_line(lines, groups, name, entry)
    return "\n".join(lines) + "\n"


def set_line(lines: list[str], groups: Sequence[str], name: str, entry: str) -> None:
    """Put ``entry`` (the line ``name: value``) into the nested block ``groups`` of a YAML file's lines,
    replacing ``name`` there, or adding the block and the line where they are missing."""
    start, end = 0, len(lines)
    for depth, group in enumerate(groups):
        head = f"{'  ' * depth}{group}:"
        found = next((i for i in range(start, end) if lines[i].rstrip() == head), None)
        if found is None:
            lines[end:end] = [f"{'  ' * d}{g}:" for d, g in enumerate(groups[depth:], start=depth)] + [entry]
            return
        start = found + 1
        end = start
        inner = "  " * (depth + 1)
        while end < len(lines) and (lines[end].startswith(inner) or not lines[end].strip()):
            end += 1
    indent = "  " * len(groups)
    for i in range(start, end):
        if re.match(rf"{indent}{re.escape(name)}:", lines[i]):
            lines[i] = entry
            return
    lines.insert(end, entry)


def scenario_text(fit: Fit, result: FitResult, run_label: str) -> str:
    header = [
        f"CALIBRATED version of scenario '{fit.base_scenario}': its settings, copied from {fit.base_scenario}.yaml, "
        "plus the",
        f"fitted values below (pattern {fit.pattern.name}: {fit.pattern.title}).",
        f"Written by experiments/calibration/run.py, run '{run_label}'; see experiments/calibration/README.md",
        f"and results/calibration/{run_label}/report.md. Do not edit by hand; rerun the calibration.",
    ]
    comments = {}
    for p in fit.params:
        comments[p.key] = (f"calibrated on {fit.pattern.name} (run {run_label}; default {result.start[p.key]:g}, "
                           f"plausible range {p.low:g}-{p.high:g})")
    return render_scenario((SCENARIO_DIR / f"{fit.base_scenario}.yaml").read_text(encoding="utf-8"),
                           fit.base_scenario, fit.out_scenario, result.fitted, fit.params, header, comments)


# -- output -----------------------------------------------------------------------------------


def unique_folder(parent: Path, name: str) -> Path:
    """parent/name, or parent/name-2, -3, ... if it exists: never overwrite a result folder."""
    folder, k = parent / name, 2
    while folder.exists():
        folder, k = parent / f"{name}-{k}", k + 1
    return folder


def fmt(x: float, metric: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if metric.endswith("_eur") or abs(x) >= 1e5:
        return f"{x / 1e6:.2f} M"
    if abs(x) < 2:
        return f"{x:.3f}"
    return f"{x:.1f}"


def report_markdown(name: str, args: argparse.Namespace, results: Sequence[FitResult], table: pd.DataFrame,
                    timings: Mapping[str, float], fit_seeds: Sequence[int], eval_seeds: Sequence[int],
                    scenario_paths: Sequence[str], runs: int) -> str:
    out = [f"# Calibration report: {name}", ""]
    out += [f"Command: `{' '.join(['python experiments/calibration/run.py', *args.argv])}`  ",
            f"Mode: {'QUICK (tiny budget, for tests; not a calibration)' if args.quick else 'full'}; "
            f"jobs {args.jobs}; {platform.node()} ({_cores()} cores); Python {platform.python_version()}  ",
            f"Runtime: {timings['total']:.0f} s in total, {runs} model runs (" + ", ".join(
                f"{k} {v:.0f} s" for k, v in timings.items() if k != "total") + f"); load average at the end "
            f"{_load()}  ",
            f"Fitting seeds: {fit_seeds[0]}..{fit_seeds[-1]} (common random numbers: every candidate runs "
            f"with these); evaluation seeds: {eval_seeds[0]}..{eval_seeds[-1]} ({len(eval_seeds)} seeds, "
            "disjoint from the fitting seeds).", ""]
    out += ["## Fitted parameters", "",
            "| fit | parameter | plausible range | default | fitted | distance at default | distance fitted "
            "| evaluations (runs) | optimiser |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for i, p in enumerate(r.fit.params):
            first = i == 0
            out.append(f"| {r.fit.name if first else ''} | `{p.key}` | {p.low:g} - {p.high:g} | {r.start[p.key]:g} "
                       f"| {r.fitted[p.key]:g} | {f'{r.start_distance:.4g}' if first else ''} "
                       f"| {f'{r.fitted_distance:.4g}' if first else ''} "
                       f"| {f'{r.evaluations} ({r.runs})' if first else ''} | {r.message if first else ''} |")
    out += ["", "Distance: sum over the fitted targets of ((mean over fitting seeds - observed) / observed)^2.", ""]
    out += ["## Fit per pattern", "",
            "Calibrated mean with 95 % confidence interval (CI) of the mean and 95 % prediction interval (PI) "
            "of a single run, over the evaluation seeds; the default parameters' mean for comparison.", "",
            "| pattern | metric | role | observed | default mean | calibrated mean | 95 % CI | 95 % PI "
            "| obs. in CI | obs. in PI |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in table.itertuples():
        if row.role == "context":
            continue
        obs = (f"{fmt(row.observed_low, row.metric)}-{fmt(row.observed_high, row.metric)}"
               if math.isfinite(row.observed_low) else fmt(row.observed, row.metric))
        out.append(f"| {row.pattern} | `{row.metric}` | {row.role} | {obs} | {fmt(row.default_mean, row.metric)} "
                   f"| {fmt(row.calibrated_mean, row.metric)} | {fmt(row.ci_low, row.metric)} - "
                   f"{fmt(row.ci_high, row.metric)} | {fmt(row.pi_low, row.metric)} - {fmt(row.pi_high, row.metric)} "
                   f"| {'yes' if row.observed_in_ci else 'no'} | {'yes' if row.observed_in_pi else 'no'} |")
    out += ["", "Context (not fitted, no observed value):", "",
            "| pattern | metric | default mean | calibrated mean | 95 % CI |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        if row.role == "context":
            out.append(f"| {row.pattern} | `{row.metric}` | {fmt(row.default_mean, row.metric)} "
                       f"| {fmt(row.calibrated_mean, row.metric)} | {fmt(row.ci_low, row.metric)} - "
                       f"{fmt(row.ci_high, row.metric)} |")
    out += ["", "P2 (herausforderung) has no calibrated parameter: none of the fitted ones acts in that scenario, "
            "so it is the default model, held out entirely. For a range (100-150) 'in CI/PI' means the "
            "intervals overlap.", "", "## Files", "",
            "fit.csv (the table above, all columns), params.csv, trace.csv (every optimiser evaluation), "
            "per_seed.csv (every evaluation run), run.json, and the calibrated scenario file(s) "
            + ", ".join(f"{r.fit.out_scenario}.yaml" for r in results) + ".", ""]
    if scenario_paths:
        out += ["Scenario files written: " + ", ".join(f"`{p}`" for p in scenario_paths), ""]
    return "\n".join(out)


def _load() -> str:
    import os

    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "n/a"


def _cores() -> int:
    import os

    return os.cpu_count() or 1


# -- main -------------------------------------------------------------------------------------


OPTIONS = {"quick": "false", "seeds": "", "fit_seeds": "", "jobs": "-1", "maxiter": "", "popsize": "", "only": "",
           "name": "", "out": str(DEFAULT_OUT), "overwrite_scenario": "false", "output.cache_dir": "results/cache",
           "output.sweep_dir": str(ROOT / "results" / "sweeps")}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """key=value settings, like every other command (see the module docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = dict(OPTIONS)
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq or key not in OPTIONS:
            raise UserError(f"'{arg}' is not one of the settings {', '.join(f'{k}=...' for k in OPTIONS)} "
                            "(experiments/calibration/run.py --help)")
        opts[key] = value
    args = argparse.Namespace(argv=argv)

    def flag(key):
        if opts[key] not in ("true", "false"):
            raise UserError(f"'{key}' must be true or false, not {opts[key]!r}")
        return opts[key] == "true"

    def whole(key, default, low=1):
        try:
            value = int(opts[key]) if opts[key] != "" else default
        except ValueError:
            raise UserError(f"'{key}' must be a whole number, not {opts[key]!r}") from None
        if value < low or (key == "jobs" and value == 0):
            raise UserError(f"'{key}' = {value} is out of range; allowed: at least {low}" + (", not 0" if key == "jobs" else ""))
        return value

    args.quick = q = flag("quick")
    args.overwrite_scenario = flag("overwrite_scenario")
    args.seeds = whole("seeds", 3 if q else 30)
    args.fit_seeds = whole("fit_seeds", 2 if q else 6)
    args.maxiter = whole("maxiter", 1 if q else 4)
    args.popsize = whole("popsize", 2 if q else 5)
    args.jobs = whole("jobs", -1, low=-1)
    args.name = opts["name"] or ("quick" if q else "main")
    args.out = Path(opts["out"])
    args.cache_dir = opts["output.cache_dir"]
    args.sweep_dir = Path(opts["output.sweep_dir"])
    only = [o for o in opts["only"].strip("[]").split(",") if o]
    unknown = [o for o in only if o not in {f.name for f in FITS}]
    if unknown:
        raise UserError(f"'only' = {unknown[0]!r} is not a fit; choose from {', '.join(f.name for f in FITS)}")
    args.only = only
    args.fits = [f for f in FITS if not only or f.name in only]
    if not q and args.seeds < 20:
        raise UserError("'seeds' must be at least 20 for a full run (CIs over >= 20 seeds); use quick=true for less")
    return args


def main(argv: Sequence[str] | None = None) -> Path:
    if argv is None and any(a in ("-h", "--help") for a in sys.argv[1:]) or argv and any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        raise SystemExit(0)
    try:
        args = parse_args(argv)
        return run(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def run(args: argparse.Namespace) -> Path:
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(msg, flush=True)

    install = not args.quick
    targets = {f: SCENARIO_DIR / f"{f.out_scenario}.yaml" for f in args.fits}
    if install and not args.overwrite_scenario:
        existing = [str(p.relative_to(ROOT)) for p in targets.values() if p.exists()]
        if existing:
            raise UserError(f"{', '.join(existing)} exist(s); refusing to overwrite "
                            "(give overwrite_scenario=true, or run with quick=true)")
    folder = unique_folder(args.out, args.name)
    label = folder.name
    fit_seeds = list(range(FIT_SEED0, FIT_SEED0 + args.fit_seeds))
    eval_seeds = list(range(EVAL_SEED0, EVAL_SEED0 + args.seeds))
    budget = dict(popsize=args.popsize, maxiter=args.maxiter, xatol=0.2 if args.quick else 0.02,
                  scalar_maxiter=3 if args.quick else 10)
    log(f"calibration '{label}' ({'quick' if args.quick else 'full'}): {len(fit_seeds)} fitting seeds, "
        f"{len(eval_seeds)} evaluation seeds, jobs={args.jobs}, DE popsize {args.popsize} x {args.maxiter} generations")
    runner = Runner(args.jobs, args.sweep_dir, "calibration-quick" if args.quick else "calibration", args.cache_dir)
    timings: dict[str, float] = {}
    results: list[FitResult] = []
    if True:
        for fit in args.fits:
            log(f"fit '{fit.name}' on {fit.pattern.name} ({fit.pattern.scenario}, {fit.pattern.region}, month "
                f"{fit.pattern.horizon}): " + ", ".join(f"{p.key} in [{p.low:g}, {p.high:g}]" for p in fit.params))
            res = run_fit(fit, fit_seeds, runner, budget, log)
            timings[f"fit {fit.name}"] = res.seconds
            log(f"  -> {res.message}; distance {res.start_distance:.4g} at the default, {res.fitted_distance:.4g} "
                f"fitted: " + ", ".join(f"{k} = {v:g}" for k, v in res.fitted.items()) + f" ({res.seconds:.0f} s)")
            results.append(res)
        log(f"evaluation on {len(eval_seeds)} seeds")
        t0 = time.perf_counter()
        table, per_seed = evaluate(runner, eval_seeds, {r.fit.name: r.fitted for r in results}, log)
        timings["evaluation"] = time.perf_counter() - t0

    folder.mkdir(parents=True)
    written = []
    for r in results:
        text = scenario_text(r.fit, r, label)
        (folder / f"{r.fit.out_scenario}.yaml").write_text(text, encoding="utf-8")
        if install:
            targets[r.fit].write_text(text, encoding="utf-8")
            written.append(str(targets[r.fit].relative_to(ROOT)))
    timings["total"] = time.perf_counter() - t_start
    table.to_csv(folder / "fit.csv", index=False)
    per_seed.to_csv(folder / "per_seed.csv", index=False)
    pd.DataFrame([r for res in results for r in res.trace]).to_csv(folder / "trace.csv", index=False)
    pd.DataFrame([dict(fit=r.fit.name, pattern=r.fit.pattern.name, parameter=p.key, plausible_low=p.low,
                       plausible_high=p.high, default=r.start[p.key], fitted=r.fitted[p.key],
                       distance_default=r.start_distance, distance_fitted=r.fitted_distance,
                       evaluations=r.evaluations, runs=r.runs, seconds=r.seconds, optimiser=r.message, why=p.why)
                  for r in results for p in r.fit.params]).to_csv(folder / "params.csv", index=False)
    (folder / "report.md").write_text(report_markdown(label, args, results, table, timings, fit_seeds, eval_seeds,
                                                      written, runner.runs), encoding="utf-8")
    (folder / "run.json").write_text(json.dumps(dict(argv=args.argv, quick=args.quick, jobs=args.jobs,
                                                     fits=[f.name for f in args.fits],
                                                     fit_seeds=fit_seeds, eval_seeds=eval_seeds, budget=budget,
                                                     runs=runner.runs, timings=timings), indent=2), encoding="utf-8")
    log("")
    log((folder / "report.md").read_text(encoding="utf-8"))
    log(f"runtime {timings['total']:.0f} s ({runner.runs} model runs); results in {folder}")
    return folder


if __name__ == "__main__":
    main()
