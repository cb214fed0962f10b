"""``python -m sim``: run the model from the command line, with Hydra.

    python -m sim                                   # default region (emscher), 120 months
    python -m sim region=werra_meissner horizon_months=60 seed=3
    python -m sim --cfg job                         # print the resolved config
    python -m sim -m scenario=baseline,klimawerk seed='range(30)'   # a sweep (sim/sweep.py)
    python -m sim -m +experiment=sensitivity        # an experiment design (configs/experiment/)
    python -m sim list [--verbose]                  # every registered component (files, parameters, hooks)
    python -m sim new rule|body|allocation|metric|kind NAME   # a new component with its test (sim/scaffold.py)

Hydra does everything Hydra does (``-cd``, ``hydra.searchpath``, ``hydra.run.dir``, ``hydra.sweep.*``,
``hydra.mode``, launchers); this module adds three things around it:

- every config Hydra composes is checked before Hydra uses it: no ``_target_`` other than the
  configured launcher, sweeper and sim's own callback, no logging factories, from any file or
  override (``--experimental-rerun``, which unpickles a file, is refused however abbreviated, and so
  is a config search path that imports a module: sim/hydra_guard.py);
- a bad input stops with one line naming the key or file, the value and what is allowed, exit
  status 2, no traceback, nothing written (for a sweep: before any job starts, in the ``sim``
  sweeper, hydra_plugins/sim_sweeper);
- Ctrl-C prints how many runs are done and that the same command completes the rest.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import re
import sys
from pathlib import Path

import hydra
import yaml
from hydra.core.config_store import ConfigStore
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.config import Config, _coerce, from_container, iter_params
from sim.errors import UserError

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
CALLBACK = "hydra_plugins.sim_sweeper.sim_sweeper.SimCallback"
# the only places a composed config may name code: Hydra checks that launcher and sweeper are
# installed plugin classes; callbacks may only be sim's own
SPECIAL_KEYS = {"hydra.launcher._target_", "hydra.sweeper._target_", "hydra.sweeper._recursive_"}
# logging.config resolves 'ext://module.name' by importing the module; only these two are needed
LOGGING_STREAMS = ("ext://sys.stdout", "ext://sys.stderr")


def _load_components() -> None:
    """Components and plug-ins first: their parameters are config groups of the schema Hydra checks."""
    from sim.components import load

    try:
        load()
    except UserError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


_load_components()
ConfigStore.instance().store(name="base_config", node=Config)


def _sweep_name(*, _root_) -> str:
    from sim.sweep import check_name, default_name

    name = str(_root_.output.name or "")
    if name:
        return check_name(name, "output.name")
    task = [str(o) for o in _root_.hydra.overrides.task]
    swept = [o.split("=")[0].lstrip("+~") for o in task if _is_sweep(o)]
    experiment = str(OmegaConf.select(_root_, "hydra.runtime.choices.experiment", default="") or "")
    return default_name(task, swept, experiment)


def _is_sweep(override: str) -> bool:
    value = override.split("=", 1)[1] if "=" in override else ""
    return bool(re.match(r"^\s*(range|choice|glob|interval)\(", value)) or (
        "," in value and not value.strip().startswith(("[", "{", "'", '"')))


if not OmegaConf.has_resolver("sim.sweep_name"):
    OmegaConf.register_new_resolver("sim.sweep_name", _sweep_name)


def main(argv: list[str] | None = None) -> None:
    from sim import sweep as S

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["list"]:
        if set(argv[1:]) - {"--verbose", "-v"}:
            fail(f"python -m sim list takes only --verbose, not {' '.join(argv[1:])}")
        print(list_components(verbose=bool(argv[1:])))
        return
    if argv[:1] == ["new"]:
        from sim.scaffold import main as new

        try:
            for path in new(argv[1:]):
                print(path)
        except UserError as err:
            fail(str(err))
        return
    if "--yes" in argv:
        argv = [a for a in argv if a != "--yes"]
        S.CONFIRMED["yes"] = True
    from sim.hydra_guard import refused_flag

    refused = refused_flag(argv)
    if refused:
        fail(refused)
    argv = [("experiment=" + a[len("+experiment="):]) if a.startswith("+experiment=") else a for a in argv]
    old_argv = sys.argv
    sys.argv = [old_argv[0] if old_argv else "sim", *argv]
    try:
        with guarded_composition():
            hydra_main()
    except KeyboardInterrupt:
        print(S.interrupted_message(), file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    finally:
        sys.argv = old_argv
        S.CURRENT.clear()
        S.CONFIRMED.clear()


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def list_components(verbose: bool = False) -> str:
    """Every registered component, by extension point: name, the first paragraph of its docstring and its
    traits; with ``verbose``, also its file, its whole docstring, its parameters (config group, default,
    unit, range, source) and the hooks it implements, with their signatures."""
    import inspect
    import textwrap

    from sim.components import EXTENSION_POINTS, load, source_file
    from sim.rules.imitation import imitation_rules

    load()
    width = 100
    out = []
    points = [(p.title, p.registry, p.chosen_by, p.hooks) for p in EXTENSION_POINTS]
    points.append(("Imitation rules (checks on lattices)", imitation_rules, "", ("update",)))
    for title, registry, key, hooks in points:
        out.append(f"{title}" + (f"  [{key}]" if key else ""))
        for name, obj in registry.items():
            paragraphs = (inspect.getdoc(obj) or "(no docstring)").split("\n\n")
            first = 1
            while first < len(paragraphs) and paragraphs[first - 1].rstrip().endswith(":"):
                first += 1                              # a paragraph that announces a list goes with it
            doc = " ".join(" ".join(paragraphs[:first]).split())
            paragraphs = [doc, *paragraphs[first:]]
            traits = ", ".join(f"{k}={v}" for k, v in obj.traits.items())
            line = f"{name:<22} {doc}" + (f" ({traits})" if traits else "")
            out.append(textwrap.fill(line, width, initial_indent="  ", subsequent_indent=" " * 25))
            if verbose:
                out.extend(_details(obj, paragraphs[1:], hooks, source_file(obj)))
        out.append("")
    if not verbose:
        out.append("python -m sim list --verbose: files, parameters with ranges and defaults, hooks with signatures")
    return "\n".join(out).rstrip()


def _details(obj, more: list[str], hooks: tuple[str, ...], where: str) -> list[str]:
    """The verbose part of one component's entry in python -m sim list."""
    import dataclasses
    import inspect
    import textwrap

    from sim.components import group_key
    from sim.config import describe_range

    pad = " " * 25
    out = [f"{pad}file: {where}"]
    for paragraph in more:
        out.append(textwrap.fill(" ".join(paragraph.split()), 100, initial_indent=pad, subsequent_indent=pad))
    params = getattr(obj, "Params", None) or getattr(Config(), getattr(obj, "config_key", "") or "\0", None)
    params = type(params) if params is not None and not isinstance(params, type) else params
    if params is not None and dataclasses.is_dataclass(params):
        out.append(f"{pad}parameters [{group_key(obj)}.*]:")
        for f in dataclasses.fields(params):
            m = f.metadata
            bounded = m.get("low") is not None or m.get("high") is not None
            allowed = describe_range(m) if bounded else " / ".join(m.get("choices") or ()) or m.get("unit", "")
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            out.append(f"{pad}  {f.name} = {default!r}  {allowed}  (source: {m.get('source', 'none given')})")
    if inspect.isfunction(obj):
        out.append(f"{pad}hook: {obj.__name__}{inspect.signature(obj)}")
    else:
        own = [h for h in hooks if any(h in vars(k) for k in obj.__mro__[:-1] if k.__module__ == obj.__module__)]
        for h in own:
            out.append(f"{pad}hook: {h}{inspect.signature(getattr(obj, h))}")
    return out


# -- every composition is checked -------------------------------------------------------------


@contextlib.contextmanager
def guarded_composition():
    """While Hydra runs, every config it composes (the main one, each sweep job's) goes through
    :func:`check_code_free`, and composition errors become one line (exit 2)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    from sim.hydra_guard import guarded

    original = ConfigLoaderImpl.load_configuration

    def load_configuration(self, *args, **kwargs):
        try:
            cfg = original(self, *args, **kwargs)
            check_code_free(cfg)
        except UserError as err:
            fail(str(err))
        except (HydraException, OmegaConfBaseException, yaml.YAMLError, ValueError) as err:
            fail(explain(err))
        return cfg

    ConfigLoaderImpl.load_configuration = load_configuration
    try:
        with guarded(cli=True):
            yield
    finally:
        ConfigLoaderImpl.load_configuration = original


def check_code_free(cfg: DictConfig) -> None:
    """Refuse a composed config that names code to run anywhere but in the launcher and sweeper slots
    (which Hydra only fills with installed plugin classes) and sim's own callback: no ``_target_``,
    ``_args_`` and the like elsewhere, no logging ``()`` factories, non-``logging`` handler classes or
    ``ext://`` references other than the standard streams."""
    data = OmegaConf.to_container(cfg, resolve=False)

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                p = f"{path}{k}"
                if isinstance(k, str) and (k == "()" or (k.startswith("_") and k.endswith("_") and len(k) > 2)):
                    callback = re.fullmatch(r"hydra\.callbacks\.[^.]+\._target_", p) and v == CALLBACK
                    if p not in SPECIAL_KEYS and not callback:
                        if not p.startswith("hydra."):
                            raise UserError(f"unknown key '{p}'; settings that name code to run are never honoured")
                        raise UserError(f"'{p}' = {v!r} is not allowed: configs and overrides may not name code to "
                                        "run (only sim's own callback, launcher and sweeper plugins)")
                if k == "class" and path.startswith(("hydra.job_logging.", "hydra.hydra_logging.")) \
                        and not str(v).startswith("logging."):
                    raise UserError(f"'{p}' = {v!r} is not allowed: logging handlers and formatters must be "
                                    "classes of Python's logging module")
                if isinstance(v, str) and v.strip().startswith("ext://") and v.strip() not in LOGGING_STREAMS \
                        and path.startswith(("hydra.job_logging.", "hydra.hydra_logging.")):
                    raise UserError(f"'{p}' = {v!r} is not allowed: 'ext://' imports a module; logging may only "
                                    f"name {' or '.join(LOGGING_STREAMS)}")
                walk(v, p + ".")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path.rstrip('.')}[{i}].")

    walk(data, "")


def explain(err: BaseException) -> str:
    """Hydra's and OmegaConf's composition errors as one line naming the key, the value and what is allowed."""
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(err, yaml.YAMLError):
        mark = getattr(err, "problem_mark", None)
        where = f"{mark.name}, line {mark.line + 1}" if mark else "a config file"
        return f"{where} is not valid YAML: {getattr(err, 'problem', None) or first_line(err)}"
    text = str(err)
    if isinstance(err, MissingConfigException) and err.missing_cfg_file and err.options is not None:
        group, _, name = err.missing_cfg_file.rpartition("/")
        if group:
            return f"unknown {group} '{name}'; available: {', '.join(sorted(err.options))}"
    if isinstance(err, OverrideParseException) or "LexerNoViableAlt" in text or "mismatched input" in text:
        return (f"cannot read the override(s): {first_line(err)}; put a value with spaces, umlauts or other special "
                "characters in quotes, e.g. region.csv='Mülheim an der Ruhr.csv'")
    m = re.search(r"Ambiguous value for argument '([^']*)'", text)
    if m:
        return f"'{m.group(1)}' lists several values; add -m to run them all (a sweep)"
    m = re.search(r"Could not override '([^']*)'", text)
    if m:
        return unknown_key(m.group(1))
    m = re.search(r"Error merging override (\S+?)=(.*)", text)
    if m:
        key, raw = m.group(1).lstrip("+~"), m.group(2).strip()
        kind = field_type(key)
        if kind is not None:
            from hydra.core.override_parser.overrides_parser import OverridesParser
            try:
                value = OverridesParser.create().parse_override(f"{key}={raw}").value()
                _coerce(key, value, kind)
            except UserError as user:
                return str(user)
            except Exception:
                pass
            if kind is int:
                return f"'{key}' must be a whole number, not {raw} (write it without a decimal point)"
            return f"'{key}' = {raw} cannot be used: {first_line(err.__cause__ or err)}"
        return unknown_key(key)
    m = re.search(r"In '([^']*)': ConfigKeyError.*?Key '[^']*' not in.*?full_key: (\S+)", text, re.S)
    if m:                                   # a config file sets a key the schema does not have
        return f"{m.group(1)}.yaml: {unknown_key(m.group(2))}"
    cause = err.__cause__
    if cause is not None and "not in" in str(cause):
        km = re.search(r"Key '([^']*)'", str(cause))
        if km:
            return unknown_key(km.group(1))
    return first_line(err)


def unknown_key(key: str) -> str:
    names = [k for k, _ in iter_params()] + sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir())
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else "; see python -m sim --cfg job for all keys"
    group = key.split(".")[0]
    if not close and "." in key and group not in {k.split(".")[0] for k in names}:
        hint += (f" (if '{group}' is a component of your own, its plug-in is not loaded: name its file or folder in "
                 "SIM_PLUGINS, or install its package, see sim/components.py)")
    return f"unknown key '{key}'{hint}"


def field_type(key: str):
    """The declared type of a dotted parameter, or None if there is no such parameter."""
    return _field_types().get(key)


@functools.lru_cache(maxsize=1)
def _field_types() -> dict:
    return {k: f.type if not isinstance(f.type, str) else _resolved_type(k) for k, f in iter_params()}


def _resolved_type(key: str):
    from typing import get_type_hints

    cls = Config
    *path, name = key.split(".")
    for part in path:
        cls = get_type_hints(cls)[part]
    return get_type_hints(cls)[name]


def first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.splitlines()[0].split())


def to_config(cfg: DictConfig) -> Config:
    """The job's typed Config from a composed config (interpolations resolved, hydra node dropped)."""
    try:
        container = OmegaConf.to_container(cfg, resolve=True)
    except OmegaConfBaseException as err:
        raise UserError(explain(err)) from None
    container.pop("hydra", None)
    container.pop("sim_batch", None)
    if OmegaConf.is_interpolation(cfg.output, "name") if "output" in cfg else False:
        raise UserError("'output.name' must be a plain folder name, not an interpolation")
    return from_container(container)


def check_config(cfg: Config, regions: set | None = None, tool: str = "") -> None:
    """What a run needs besides valid values: registered components, a readable region, a usable name; and for
    a ``tool`` that reads every outcome (compare, explain), every metric recorded."""
    from sim.data import load_region
    from sim.run import check_components
    from sim.sweep import check_name

    check_components(cfg)
    if tool and cfg.metrics:
        raise UserError(f"'metrics' = {cfg.metrics}: {tool} reads every metric; leave 'metrics' out (it chooses "
                        "what python -m sim and its sweeps record)")
    for key in ("funding", "second_programme"):
        programme = getattr(cfg, key)
        if programme.period_start > programme.period_end:
            raise UserError(f"'{key}.period_start' = {programme.period_start} is after '{key}.period_end' = "
                            f"{programme.period_end}; the programme would never accept an application "
                            "(allowed: period_start <= period_end)")
    if cfg.output.name:
        check_name(cfg.output.name, "output.name")
    region = repr(cfg.region)
    if regions is None or region not in regions:
        load_region(cfg.region)
        if regions is not None:
            regions.add(region)


def compose(overrides: list[str]) -> Config:
    """Compose the config as ``python -m sim`` would for these overrides, and validate it."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.hydra_guard import guarded

    GlobalHydra.instance().clear()
    try:
        with guarded(), initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = hydra_compose(config_name="config", overrides=overrides, return_hydra_config=True)
            check_code_free(cfg)
            with open_dict(cfg):
                del cfg["hydra"]
    except (HydraException, OmegaConfBaseException, ValueError, yaml.YAMLError) as err:
        raise UserError(explain(err)) from None
    finally:
        GlobalHydra.instance().clear()
    return to_config(cfg)


# -- the Hydra job ----------------------------------------------------------------------------


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_main(cfg: DictConfig):
    """Hydra's task function: one run, ``replications`` runs, or one sweep job's batch of runs."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim import sweep as S

    hc = HydraConfig.get()
    batch = cfg.get("sim_batch") if isinstance(cfg, DictConfig) else None
    if batch is not None:                       # a job of the sim sweeper: its runs are planned and checked
        return S.run_batch(Path(hc.sweep.dir), int(batch.inv), [str(k) for k in batch["keys"]])
    multirun = hc.mode == RunMode.MULTIRUN
    try:
        config = to_config(cfg)
        check_config(config)
        if multirun:                            # another sweeper (e.g. hydra/sweeper=basic): one run per job
            folder = S.SweepFolder(Path(hc.sweep.dir).resolve())
            choices = {k: v for k, v in hc.runtime.choices.items() if not k.startswith("hydra") and v is not None}
            members = [S.member_of(c, choices, list(hc.overrides.task)) for c in S.replicate(config)]
            return S.run_local(members, folder, ["python -m sim", *sys.argv[1:]], jobs=1, quiet=True)
        if config.replications > 1:
            return run_replications(config, Path(hc.sweep.dir), dict(hc.runtime.choices), list(hc.overrides.task))
        return run_job(config)
    except UserError as err:
        if multirun:
            raise
        fail(str(err))
    except OSError as err:                      # a full disk or an unwritable folder while writing records
        from sim.errors import os_error_line

        fail(os_error_line(err, "write the results"))


def run_replications(cfg: Config, folder: Path, choices: dict, overrides: list[str]) -> Path:
    """``replications=N`` without -m: seeds seed .. seed+N-1 as a sweep in this process."""
    from sim import sweep as S
    from sim.analysis.collect import collect
    from sim.results import check_writable

    check_writable(folder, "hydra.sweep.dir")
    sweep = S.SweepFolder(folder.resolve())
    choices = {k: v for k, v in choices.items() if not k.startswith("hydra") and v is not None}
    members = [S.member_of(c, choices, [*overrides, f"seed={c.seed}"]) for c in S.replicate(cfg)]
    S.run_local(members, sweep, ["python -m sim", *sys.argv[1:]], jobs=1, label=f"Sweep {folder.name}")
    print(collect(sweep.root).report())
    print(sweep.root)
    return sweep.root


def run_job(cfg: Config) -> Path | None:
    """Run one simulation, write its folder, print the summary and, last, the folder's path."""
    from tqdm import tqdm

    from sim.report_text import summary_text
    from sim.results import target_folder, write_run
    from sim.run import simulate

    folder = target_folder(cfg) if cfg.output.write else None
    bar = tqdm(total=cfg.horizon_months, unit="month", leave=False, disable=cfg.output.quiet or not sys.stderr.isatty())
    result = simulate(cfg, progress=lambda done, total: bar.update(1))
    bar.close()
    if not cfg.output.quiet:
        print(summary_text(result.summary, cfg))
    if folder is not None:
        folder = write_run(result, folder)
        print(folder)
    return folder
