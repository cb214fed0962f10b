"""The calibration as data: the patterns (configs/patterns/<name>.yaml) and the calibration file
(configs/calibration/<name>.yaml), read with yaml.safe_load (nothing in them is run) and checked
before any work starts; every problem is one line that names the file, the key and what is allowed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from sim.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
PATTERN_DIR = ROOT / "configs" / "patterns"
CALIBRATION_DIR = ROOT / "configs" / "calibration"
SCENARIO_DIR = ROOT / "configs" / "scenario"
PRIORS = ("uniform", "loguniform")
KINDS = ("pattern", "input")


@dataclass(frozen=True)
class Output:
    """A summary key of sim/metrics.py, or sum(numerator keys) / denominator key, optionally 1 - that."""

    key: str | None = None
    numerator: tuple[str, ...] = ()
    denominator: str | None = None
    one_minus: bool = False

    @property
    def keys(self) -> list[str]:
        return [self.key] if self.key else [*self.numerator, self.denominator]

    def value(self, summary: dict) -> float:
        def get(k):
            v = summary.get(k)
            return float("nan") if v is None else float(v)

        if self.key:
            x = get(self.key)
        else:
            den = get(self.denominator)
            x = sum(get(k) for k in self.numerator) / den if den and math.isfinite(den) else float("nan")
        return 1.0 - x if self.one_minus else x

    def describe(self) -> str:
        text = f"`{self.key}`" if self.key else (" + ".join(f"`{k}`" for k in self.numerator)
                                                 + f" / `{self.denominator}`")
        if not self.key and len(self.numerator) > 1:
            text = "(" + " + ".join(f"`{k}`" for k in self.numerator) + f") / `{self.denominator}`"
        return f"1 - {text}" if self.one_minus else text


@dataclass(frozen=True)
class Pattern:
    name: str
    kind: str
    title: str
    source: str
    scenario: str
    region: str
    months: int
    output: Output | None
    unit: str
    observed: float | None = None          # a point ...
    low: float | None = None               # ... or a range [low, high]
    high: float | None = None
    uncertainty: float | None = None
    uncertainty_basis: str = ""
    note: str = ""
    input_of: str = ""

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def target(self) -> float:
        """The value the distance aims at: the point, or the middle of the range."""
        return self.observed if not self.is_range else (self.low + self.high) / 2

    @property
    def group(self) -> tuple[str, str, int]:
        return self.scenario, self.region, self.months

    def observed_text(self) -> str:
        return f"{fmt(self.low)}-{fmt(self.high)}" if self.is_range else fmt(self.observed)

    def inside(self, low: float, high: float) -> bool:
        """Whether the interval [low, high] contains the observed point or overlaps the observed range."""
        if not (math.isfinite(low) and math.isfinite(high)):
            return False
        if self.is_range:
            return low <= self.high and high >= self.low
        return low <= self.observed <= high


@dataclass(frozen=True)
class Param:
    key: str
    prior: str
    low: float
    high: float
    basis: str
    decimals: int = 3


@dataclass(frozen=True)
class Fit:
    name: str
    scenario_file: str
    base_scenario: str
    patterns: tuple[Pattern, ...]
    params: tuple[Param, ...]
    abc: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Calibration:
    name: str
    title: str
    path: Path
    fits: tuple[Fit, ...]
    held_out: tuple[tuple[Pattern, str], ...]
    inputs: tuple[Pattern, ...]
    abc: dict
    quick: dict

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(p for f in self.fits for p in f.params)

    @property
    def fitted(self) -> tuple[Pattern, ...]:
        return tuple(p for f in self.fits for p in f.patterns)

    def settings(self, fit: Fit, quick: bool) -> dict:
        """The ABC settings of ``fit``: the file's, then the fit's own, then (quick) the quick variant's."""
        out = {**self.abc, **fit.abc}
        if quick:
            out.update({k: v for k, v in self.quick.items() if k not in ("months", "regions")})
        return out


def fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if abs(x) >= 1e5:
        return f"{x / 1e6:.2f} M"
    if abs(x) >= 100 or x == int(x):
        return f"{x:.0f}"
    return f"{x:.3g}" if abs(x) >= 1 else f"{x:.3f}"


def _load_yaml(path: Path, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise UserError(f"{what} {path} does not exist") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise UserError(f"{path} is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} must hold a mapping of keys, not {type(data).__name__}")
    return data


def _number(path: Path, key: str, value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UserError(f"{path}: '{key}' = {value!r} must be a finite number")
    if positive and value <= 0:
        raise UserError(f"{path}: '{key}' = {value!r} must be above 0")
    return float(value)


def _output(path: Path, spec: Any) -> Output | None:
    if spec is None:
        return None
    if isinstance(spec, str) and spec:
        return Output(key=spec)
    one_minus = False
    if isinstance(spec, dict) and set(spec) == {"one_minus"}:
        spec, one_minus = spec["one_minus"], True
    if isinstance(spec, dict) and set(spec) == {"ratio"} and isinstance(spec["ratio"], list) and len(spec["ratio"]) == 2:
        num, den = spec["ratio"]
        num = [num] if isinstance(num, str) else num
        if isinstance(den, str) and isinstance(num, list) and num and all(isinstance(k, str) for k in num):
            return Output(numerator=tuple(num), denominator=den, one_minus=one_minus)
    raise UserError(f"{path}: 'output' = {spec!r} is not allowed; give a summary key, {{ratio: [key or [keys], "
                    "key]}} or {one_minus: {ratio: ...}}")


PATTERN_KEYS = {"name", "kind", "title", "observed", "range", "uncertainty", "uncertainty_basis", "source",
                "scenario", "region", "months", "output", "unit", "note", "input_of"}


def load_pattern(name: str, directory: Path = PATTERN_DIR) -> Pattern:
    path = Path(directory) / f"{name}.yaml"
    d = _load_yaml(path, "pattern file")
    unknown = sorted(set(d) - PATTERN_KEYS)
    if unknown:
        raise UserError(f"{path}: unknown key '{unknown[0]}'; allowed: {', '.join(sorted(PATTERN_KEYS))}")
    for key in ("name", "title", "source", "scenario", "region", "months"):
        if d.get(key) in (None, ""):
            raise UserError(f"{path}: '{key}' is missing")
    if d["name"] != name:
        raise UserError(f"{path}: 'name' = {d['name']!r} must be the file's name {name!r}")
    kind = d.get("kind", "pattern")
    if kind not in KINDS:
        raise UserError(f"{path}: 'kind' = {kind!r} is not one of {', '.join(KINDS)}")
    if not (SCENARIO_DIR / f"{d['scenario']}.yaml").is_file():
        raise UserError(f"{path}: 'scenario' = {d['scenario']!r} is not a file in configs/scenario/")
    if not (ROOT / "configs" / "region" / f"{d['region']}.yaml").is_file():
        raise UserError(f"{path}: 'region' = {d['region']!r} is not a file in configs/region/")
    months = d["months"]
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 1200:
        raise UserError(f"{path}: 'months' = {months!r} must be a whole number of months in 1..1200")
    if ("observed" in d) == ("range" in d):
        raise UserError(f"{path}: give either 'observed' (a point) or 'range' ([low, high]), not "
                        f"{'both' if 'observed' in d else 'neither'}")
    observed = low = high = None
    if "observed" in d:
        observed = _number(path, "observed", d["observed"])
    else:
        r = d["range"]
        if not isinstance(r, list) or len(r) != 2:
            raise UserError(f"{path}: 'range' = {r!r} must be [low, high]")
        low, high = _number(path, "range", r[0]), _number(path, "range", r[1])
        if not low < high:
            raise UserError(f"{path}: 'range' = {r!r} must have low < high")
    output = _output(path, d.get("output"))
    uncertainty = None
    if kind == "pattern":
        if output is None:
            raise UserError(f"{path}: 'output' is missing (only kind: input may have none)")
        uncertainty = _number(path, "uncertainty", d.get("uncertainty"), positive=True)
        if not d.get("uncertainty_basis"):
            raise UserError(f"{path}: 'uncertainty_basis' is missing (say where the uncertainty comes from, "
                            "or 'assumption')")
    elif not d.get("input_of"):
        raise UserError(f"{path}: 'input_of' is missing (kind: input must say where the model takes it in)")
    clean = lambda k: " ".join(str(d.get(k) or "").split())  # noqa: E731
    return Pattern(name, kind, clean("title"), clean("source"), d["scenario"], d["region"], months, output,
                   clean("unit"), observed, low, high, uncertainty, clean("uncertainty_basis"), clean("note"),
                   clean("input_of"))


CALIBRATION_KEYS = {"name", "title", "fits", "held_out", "inputs", "abc", "quick"}
FIT_KEYS = {"scenario_file", "base_scenario", "patterns", "parameters", "abc"}
PARAM_KEYS = {"prior", "low", "high", "decimals", "basis"}
ABC_KEYS = {"population_size": int, "generations": int, "minimum_epsilon": float, "seeds": list, "seed": int,
            "predictive_draws": int, "predictive_seed0": int, "interval": float}
QUICK_KEYS = {**ABC_KEYS, "months": int, "regions": dict}


def _abc_settings(path: Path, where: str, data: Any, allowed: dict, required: bool) -> dict:
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: '{where}' must be a mapping of settings")
    for key, value in data.items():
        if key not in allowed:
            raise UserError(f"{path}: '{where}.{key}' is not a setting; allowed: {', '.join(allowed)}")
        kind = allowed[key]
        ok = (isinstance(value, kind) and not isinstance(value, bool)) or (kind is float and isinstance(value, int)
                                                                          and not isinstance(value, bool))
        if key == "seeds":
            ok = ok and value and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value)
        elif kind is int:
            ok = ok and value >= (0 if key in ("seed", "predictive_seed0") else 1)
        elif key == "interval":
            ok = ok and 0 < value < 1
        elif kind is float:
            ok = ok and value >= 0
        if not ok:
            what = {"seeds": "a list of seeds (whole numbers >= 0)", "interval": "a share between 0 and 1",
                    "regions": "a mapping region -> region"}.get(key, f"a {'whole ' if kind is int else ''}number"
                                                                       f"{' >= 1' if kind is int else ' >= 0'}")
            raise UserError(f"{path}: '{where}.{key}' = {value!r} must be {what}")
    if required:
        missing = [k for k in ABC_KEYS if k not in data]
        if missing:
            raise UserError(f"{path}: '{where}.{missing[0]}' is missing")
    return dict(data)


def load_calibration(path: str | Path, pattern_dir: Path = PATTERN_DIR) -> Calibration:
    """The calibration file with its patterns, checked: every problem is a UserError of one line."""
    path = Path(path)
    if path.suffix != ".yaml" and not path.exists():
        path = CALIBRATION_DIR / f"{path}.yaml"
    d = _load_yaml(path, "calibration file")
    unknown = sorted(set(d) - CALIBRATION_KEYS)
    if unknown:
        raise UserError(f"{path}: unknown key '{unknown[0]}'; allowed: {', '.join(sorted(CALIBRATION_KEYS))}")
    from sim.config import iter_params

    known = dict(iter_params())
    cache: dict[str, Pattern] = {}

    def pattern(name, where):
        if not isinstance(name, str):
            raise UserError(f"{path}: '{where}' = {name!r} must be a pattern name (a file in {pattern_dir})")
        if name not in cache:
            cache[name] = load_pattern(name, pattern_dir)
        return cache[name]

    if not isinstance(d.get("fits"), dict) or not d["fits"]:
        raise UserError(f"{path}: 'fits' must be a mapping of at least one fit")
    fits, used = [], {}
    for fname, f in d["fits"].items():
        where = f"fits.{fname}"
        if not isinstance(f, dict):
            raise UserError(f"{path}: '{where}' must be a mapping")
        bad = sorted(set(f) - FIT_KEYS)
        if bad:
            raise UserError(f"{path}: '{where}.{bad[0]}' is not allowed; allowed: {', '.join(sorted(FIT_KEYS))}")
        for key in ("scenario_file", "base_scenario", "patterns", "parameters"):
            if not f.get(key):
                raise UserError(f"{path}: '{where}.{key}' is missing")
        if not (SCENARIO_DIR / f"{f['base_scenario']}.yaml").is_file():
            raise UserError(f"{path}: '{where}.base_scenario' = {f['base_scenario']!r} is not in configs/scenario/")
        pats = tuple(pattern(n, f"{where}.patterns") for n in f["patterns"])
        for p in pats:
            if p.kind != "pattern":
                raise UserError(f"{path}: '{where}.patterns' lists {p.name!r}, which is kind: input (not fitted)")
        params = []
        for key, spec in (f["parameters"] or {}).items():
            pw = f"{where}.parameters.{key}"
            if key not in known:
                raise UserError(f"{path}: '{pw}' is not a parameter of the model (python -m sim list)")
            if key in used:
                raise UserError(f"{path}: '{pw}' is calibrated in two fits ({used[key]} and {fname})")
            used[key] = fname
            if not isinstance(spec, dict) or sorted(set(spec) - PARAM_KEYS):
                raise UserError(f"{path}: '{pw}' must be a mapping of {', '.join(sorted(PARAM_KEYS))}")
            if spec.get("prior") not in PRIORS:
                raise UserError(f"{path}: '{pw}.prior' = {spec.get('prior')!r} is not one of {', '.join(PRIORS)}")
            low, high = _number(path, f"{pw}.low", spec.get("low")), _number(path, f"{pw}.high", spec.get("high"))
            if not low < high or (spec["prior"] == "loguniform" and low <= 0):
                raise UserError(f"{path}: '{pw}' bounds [{low:g}, {high:g}] must have low < high"
                                + (" and low > 0 (log-uniform)" if spec["prior"] == "loguniform" else ""))
            meta = known[key].metadata
            if (meta.get("low") is not None and low < meta["low"]) or (meta.get("high") is not None
                                                                      and high > meta["high"]):
                raise UserError(f"{path}: '{pw}' bounds [{low:g}, {high:g}] leave the parameter's allowed range "
                                f"[{meta.get('low')}, {meta.get('high')}]")
            if not spec.get("basis"):
                raise UserError(f"{path}: '{pw}.basis' is missing (the source or reason of the bounds)")
            decimals = spec.get("decimals", 3)
            if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 12:
                raise UserError(f"{path}: '{pw}.decimals' = {decimals!r} must be a whole number in 0..12")
            params.append(Param(key, spec["prior"], low, high, " ".join(str(spec["basis"]).split()), decimals))
        abc = _abc_settings(path, f"{where}.abc", f.get("abc"), ABC_KEYS, required=False)
        fits.append(Fit(fname, str(f["scenario_file"]), str(f["base_scenario"]), pats, tuple(params), abc))
    fitted = {p.name for f in fits for p in f.patterns}
    held = d.get("held_out") or {}
    if not isinstance(held, dict):
        raise UserError(f"{path}: 'held_out' must map each held-out pattern to its reason")
    held_out = []
    for name, reason in held.items():
        p = pattern(name, "held_out")
        if name in fitted:
            raise UserError(f"{path}: 'held_out' lists {name!r}, which a fit uses; a pattern is fitted or held out")
        if p.kind != "pattern":
            raise UserError(f"{path}: 'held_out' lists {name!r}, which is kind: input; list it under 'inputs'")
        if not reason:
            raise UserError(f"{path}: 'held_out.{name}' needs its reason")
        held_out.append((p, " ".join(str(reason).split())))
    inputs = []
    for name in d.get("inputs") or []:
        p = pattern(name, "inputs")
        if p.kind != "input":
            raise UserError(f"{path}: 'inputs' lists {name!r}, which is kind: pattern")
        inputs.append(p)
    abc = _abc_settings(path, "abc", d.get("abc"), ABC_KEYS, required=True)
    quick = _abc_settings(path, "quick", d.get("quick"), QUICK_KEYS, required=False)
    return Calibration(str(d.get("name") or path.stem), " ".join(str(d.get("title") or "").split()), path,
                       tuple(fits), tuple(held_out), tuple(inputs), abc, quick)


def quick_pattern(p: Pattern, quick: dict) -> Pattern:
    """The pattern as the quick variant runs it: a shorter horizon and a smaller region where declared."""
    months = min(p.months, int(quick.get("months", p.months)))
    return replace(p, months=months, region=(quick.get("regions") or {}).get(p.region, p.region))
