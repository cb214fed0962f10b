"""Experiment designs: samples of uncertainties (futures), crossed with levers (policies).

An experiment file (``configs/experiment/*.yaml``) declares, under ``hydra.sweeper``:

    design:        {kind: morris, trajectories: 10, levels: 4, seed: 0}
    uncertainties: {needs.water.idea_rate: {low: 5.0e-05, high: 0.0002, basis: "..."},
                    rules.partner_selection: {choices: [trust, random]}}
    levers:        {scenario: [baseline, klimawerk]}

``kind`` is one of :data:`KINDS`. Uncertainties are sampled by the design (SALib for Latin
hypercube, Morris and Sobol; a seeded numpy generator for Monte Carlo); levers are crossed with
every sample row (full factorial over their values), as EMA Workbench combines policies and
scenarios; command-line sweeps (``seed='range(5)'``) are crossed with both. Every sample value is
passed to the model as an ordinary override, so it is validated like one.

>>> rows = sample({"kind": "full_factorial"}, {"a": {"choices": [1, 2]}, "b": {"choices": ["x", "y"]}})
>>> [r["a"] for r in rows.rows], rows.kind
([1, 1, 2, 2], 'full_factorial')
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.errors import UserError

KINDS = ("full_factorial", "lhs", "monte_carlo", "morris", "sobol")
SPEC_KEYS = {"low", "high", "choices", "levels", "basis", "unit", "integer", "decimals"}


@dataclass
class Design:
    kind: str
    names: list[str]
    bounds: list[list[float]]                 # numeric uncertainties: [low, high]; choices: [0, n)
    choices: dict[str, list]                  # categorical uncertainties
    rows: list[dict[str, Any]]                # one dict of values per sample row
    matrix: list[list[float]] = field(default_factory=list)   # the raw sample (SALib's X), for analysis
    settings: dict = field(default_factory=dict)

    def problem(self) -> dict:
        return {"num_vars": len(self.names), "names": self.names, "bounds": self.bounds}

    def record(self) -> dict:
        return {"kind": self.kind, "names": self.names, "bounds": self.bounds, "choices": self.choices,
                "settings": self.settings, "rows": len(self.rows)}


def check_spec(name: str, spec: Any) -> dict:
    if isinstance(spec, (list, tuple)):
        spec = {"choices": list(spec)}
    if not isinstance(spec, dict):
        raise UserError(f"uncertainty '{name}' = {spec!r}: give {{low: .., high: ..}} or {{choices: [..]}}")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise UserError(f"uncertainty '{name}': unknown setting(s) {', '.join(sorted(unknown))}; allowed: "
                        f"{', '.join(sorted(SPEC_KEYS))}")
    if "choices" in spec:
        if not isinstance(spec["choices"], (list, tuple)) or len(spec["choices"]) < 1:
            raise UserError(f"uncertainty '{name}': 'choices' must be a non-empty list")
        if len(set(map(repr, spec["choices"]))) != len(spec["choices"]):
            raise UserError(f"uncertainty '{name}': 'choices' lists a value twice")
        return spec
    try:
        low, high = float(spec["low"]), float(spec["high"])
    except (KeyError, TypeError, ValueError):
        raise UserError(f"uncertainty '{name}': give numbers 'low' and 'high' (or 'choices')") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise UserError(f"uncertainty '{name}': low = {low:g} must be below high = {high:g}")
    return {**spec, "low": low, "high": high}


def sample(design: dict, uncertainties: dict, only: list[str] | None = None) -> Design:
    """The sample rows of a design (values per uncertainty), reproducible from ``design.seed``."""
    kind = str(design.get("kind", ""))
    if kind not in KINDS:
        raise UserError(f"'hydra.sweeper.design.kind' = {kind!r} is not allowed; choose one of: {', '.join(KINDS)}")
    specs = {str(k): check_spec(str(k), v) for k, v in uncertainties.items()}
    if only:
        missing = [k for k in only if k not in specs]
        if missing:
            raise UserError(f"'hydra.sweeper.only' names {', '.join(missing)}, not among the uncertainties: "
                            f"{', '.join(specs)}")
        specs = {k: specs[k] for k in only}
    if not specs:
        raise UserError("the experiment declares no uncertainties (hydra.sweeper.uncertainties)")
    names = list(specs)
    choices = {k: list(s["choices"]) for k, s in specs.items() if "choices" in s}
    bounds = [[0.0, float(len(choices[k]))] if k in choices else [specs[k]["low"], specs[k]["high"]] for k in names]
    seed = int(design.get("seed", 0))
    settings = {k: v for k, v in design.items()}
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    if kind == "full_factorial":
        axes = []
        for k in names:
            s = specs[k]
            if k in choices:
                axes.append(choices[k])
            elif "levels" in s:
                n = int(s["levels"])
                if n < 2:
                    raise UserError(f"uncertainty '{k}': 'levels' must be at least 2")
                axes.append(list(np.linspace(s["low"], s["high"], n)))
            else:
                raise UserError(f"uncertainty '{k}': a full factorial design needs 'choices' or 'levels'")
        rows = [dict(zip(names, combo)) for combo in itertools.product(*axes)]
        return Design(kind, names, bounds, choices, [_typed(r, specs) for r in rows], [], settings)
    if kind in ("morris", "sobol") and choices:
        raise UserError(f"a {kind} design needs numeric uncertainties; {', '.join(choices)} have choices "
                        "(make them levers instead)")
    X = _matrix(kind, problem, design, seed)
    rows = []
    for x in X:
        row = {}
        for k, v in zip(names, x):
            row[k] = choices[k][min(int(v), len(choices[k]) - 1)] if k in choices else float(v)
        rows.append(_typed(row, specs))
    return Design(kind, names, bounds, choices, rows, np.asarray(X, float).tolist(), settings)


def _matrix(kind: str, problem: dict, design: dict, seed: int) -> np.ndarray:
    def positive(key: str, default: int, low: int = 1) -> int:
        value = design.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise UserError(f"'hydra.sweeper.design.{key}' = {value!r} must be a whole number of at least {low}")
        return value

    if kind == "lhs":
        from SALib.sample import latin
        return latin.sample(problem, positive("samples", 100), seed=seed)
    if kind == "monte_carlo":
        n = positive("samples", 100)
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        lows, highs = np.array(problem["bounds"]).T
        return lows + rng.random((n, problem["num_vars"])) * (highs - lows)
    if kind == "morris":
        from SALib.sample import morris
        return morris.sample(problem, positive("trajectories", 10, 2), num_levels=positive("levels", 4, 2), seed=seed)
    from SALib.sample import sobol
    n = positive("n", 64, 2)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*power of 2.*")
        return sobol.sample(problem, n, calc_second_order=bool(design.get("second_order", False)), scramble=True,
                            seed=seed)


def _typed(row: dict, specs: dict) -> dict:
    """Whole numbers for uncertainties marked ``integer: true`` (rounded), floats otherwise."""
    out = {}
    for k, v in row.items():
        if specs[k].get("integer"):
            out[k] = int(round(float(v)))
        elif isinstance(v, (np.floating, np.integer)):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def lever_rows(levers: dict) -> list[dict]:
    """Full factorial over the levers' values: ``{scenario: [a, b], x: [1, 2]}`` -> 4 dicts."""
    if not levers:
        return [{}]
    names, axes = [], []
    for k, v in levers.items():
        values = list(v) if isinstance(v, (list, tuple)) else [v]
        if not values:
            raise UserError(f"lever '{k}' lists no values")
        if len(set(map(repr, values))) != len(values):
            raise UserError(f"lever '{k}' lists a value twice: {values}")
        names.append(str(k))
        axes.append(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*axes)]


def override(key: str, value: Any) -> str:
    """``key=value`` as Hydra reads it back exactly (floats by repr, text quoted).

    >>> override("a.b", 0.1 + 0.2), override("scenario", "klimawerk"), override("x", True)
    ('a.b=0.30000000000000004', "scenario='klimawerk'", 'x=true')
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif value is None:
        text = "null"
    elif isinstance(value, (list, tuple)):
        text = "[" + ",".join(override("_", v).split("=", 1)[1] for v in value) + "]"
    else:
        text = "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"{key}={text}"
