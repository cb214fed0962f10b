"""Where components come from: the extension points, the project's own components, plug-ins, and the
config groups that components' parameters become.

An extension point is a :class:`~sim.registry.Registry` (partner selection rules, consortium rules,
trust rules, allocation rules, coordinating bodies, agent kinds, metrics). A component is registered
there by a decorator, in one of three places:

- in the project: a module in ``sim/rules/`` or ``sim/bodies/`` (every module there is imported), or
  beside the registry it extends;
- in an installed package that names a module in the ``sim.plugins`` entry-point group
  (``[project.entry-points."sim.plugins"] my_rules = "my_package.rules"`` in its pyproject.toml);
- in a file or folder of your own, named in the environment variable ``SIM_PLUGINS`` (paths separated
  by ``:``; a folder means every ``*.py`` in it not starting with ``_``; a dotted name is imported as a
  module). An environment variable, not a config key: nothing in a config file or an override ever
  names code to run (sim/cli.py).

A component that has parameters declares them beside itself in a dataclass ``Params`` whose fields
are declared with :func:`sim.config.param` (unit, range, source). :func:`load` makes that dataclass a
config group named by the component's ``config_key`` (default: its registered name), so
``savings_bank.share=0.3`` works on the command line, is range-checked before any run, appears in
``python -m sim --cfg job``, in every result's ``metadata.json`` and in the ODD parameter table
(``scripts/param_table.py``). A component reads its values with :func:`params_of`.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.errors import UserError

PLUGIN_ENV = "SIM_PLUGINS"
ENTRY_POINT_GROUP = "sim.plugins"


@dataclass(frozen=True)
class ExtensionPoint:
    """One kind of component: its registry (``module.attr``), where the config chooses it, the methods the
    model calls (hooks), and the test base class in ``sim.testing`` that every component of it inherits."""

    kind: str                 # the registry's kind, e.g. "partner selection rule"
    title: str                # heading in python -m sim list
    module: str
    attr: str
    chosen_by: str            # the config key that names it
    hooks: tuple[str, ...]
    tests: str                # base class in sim.testing

    @property
    def registry(self):
        return getattr(importlib.import_module(self.module), self.attr)


EXTENSION_POINTS = (
    ExtensionPoint("coordinating body", "Coordinating bodies", "sim.bodies.base", "bodies", "scenario.bodies",
                   ("setup", "start_month", "on_enter", "may_apply", "end_month", "on_join", "coordinates",
                    "monitors", "observe", "take", "monthly_cost", "metrics"), "BodyTests"),
    ExtensionPoint("partner selection rule", "Partner selection rules", "sim.rules.partner_selection",
                   "partner_selection_rules", "rules.partner_selection", ("rank",), "PartnerSelectionRuleTests"),
    ExtensionPoint("consortium rule", "Consortium rules", "sim.rules.consortium", "consortium_rules",
                   "rules.consortium", ("accepts", "worth_it", "value_of", "values", "best_values", "cost"),
                   "ConsortiumRuleTests"),
    ExtensionPoint("trust rule", "Trust rules", "sim.trust", "trust_rules", "rules.trust",
                   ("delivered", "let_down", "opinion"), "TrustRuleTests"),
    ExtensionPoint("allocation rule", "Allocation rules", "sim.funding", "allocation_rules",
                   "funding.allocation, second_programme.allocation", ("decide", "new_year", "granted"),
                   "AllocationRuleTests"),
    ExtensionPoint("agent kind", "Agent kinds", "sim.agents.base", "agent_kinds", "actors.kinds",
                   ("populate", "new_month"), "AgentKindTests"),
    ExtensionPoint("metric", "Metrics (recorded every month; metrics=[] records all)", "sim.metrics", "metrics",
                   "metrics", ("__call__",), "MetricTests"),
)
PROJECT_PACKAGES = ("sim.agents", "sim.bodies", "sim.rules", "sim.trust", "sim.funding", "sim.metrics", "sim.outcomes")

_state: dict[str, Any] = {"imported": False, "plugins": []}


def point(kind: str) -> ExtensionPoint:
    for p in EXTENSION_POINTS:
        if p.kind == kind:
            return p
    raise KeyError(kind)


def registry_of(kind: str):
    """The registry of an extension point, with every component loaded."""
    load()
    return point(kind).registry


def load() -> None:
    """Import the project's components and the plug-ins (once), then make every component's ``Params`` a
    config group (again whenever a component was registered since)."""
    if not _state["imported"]:
        _state["imported"] = True          # first, so that a plug-in importing sim.config does not recurse
        for package in PROJECT_PACKAGES:
            importlib.import_module(package)
        _state["plugins"] = load_plugins()
    sync_groups()


def plugin_files() -> list[Path]:
    """The source files of the plug-ins loaded (their content is part of the code version of a run)."""
    load()
    return list(_state["plugins"])


def load_plugins() -> list[Path]:
    files = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            module = ep.load()
        except Exception as err:
            raise UserError(f"plug-in '{ep.name}' (entry point group {ENTRY_POINT_GROUP}, {ep.value}) cannot be "
                            f"imported: {type(err).__name__}: {err}") from err
        if getattr(module, "__file__", None):
            files.append(Path(module.__file__))
    import sim.plugin_modules

    sim.plugin_modules.__path__[:] = sim.plugin_modules.search_path()
    for item in [s for s in os.environ.get(PLUGIN_ENV, "").split(os.pathsep) if s.strip()]:
        files.extend(_load_plugin_item(item.strip()))
    return files


def _load_plugin_item(item: str) -> list[Path]:
    path = Path(item).expanduser()
    if path.is_dir():
        sources = sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
        if not sources:
            raise UserError(f"{PLUGIN_ENV}: folder '{item}' holds no *.py file to load")
        return [_import_file(p) for p in sources]
    if path.suffix == ".py":
        if not path.is_file():
            raise UserError(f"{PLUGIN_ENV}: file '{item}' does not exist")
        return [_import_file(path)]
    if all(part.isidentifier() for part in item.split(".")):
        try:
            module = importlib.import_module(item)
        except ImportError as err:
            raise UserError(f"{PLUGIN_ENV}: module '{item}' cannot be imported ({err}); give a module name, a "
                            ".py file or a folder") from err
        return [Path(module.__file__)] if getattr(module, "__file__", None) else []
    raise UserError(f"{PLUGIN_ENV}: '{item}' is neither a folder, a .py file nor a module name")


def _import_file(path: Path) -> Path:
    """Import a plug-in file as module ``sim.plugin_modules.<stem>``: the same name in every process, so that
    its components and parameters reach worker processes by reference."""
    if not path.stem.isidentifier():
        raise UserError(f"{PLUGIN_ENV}: plug-in file '{path}' needs a name that is a Python identifier "
                        "(letters, digits, '_')")
    name = f"sim.plugin_modules.{path.stem}"
    try:
        module = importlib.import_module(name)
    except UserError:
        raise
    except Exception as err:
        sys.modules.pop(name, None)
        raise UserError(f"{PLUGIN_ENV}: plug-in file '{path}' cannot be imported: {type(err).__name__}: {err}") \
            from err
    if Path(module.__file__).resolve() != path.resolve():
        raise UserError(f"{PLUGIN_ENV}: two plug-in files are called '{path.name}' ({module.__file__} and {path}); "
                        "rename one")
    return path.resolve()


# -- parameters ---------------------------------------------------------------------------------


def group_key(component) -> str:
    """The config group of a component's parameters: its ``config_key``, else its registered name."""
    return getattr(component, "config_key", "") or component.key


def params_of(cfg, component):
    """A component's parameters in this config (its group), or the defaults of its ``Params``."""
    if not isinstance(component, type) and not inspect.isfunction(component):
        component = type(component)              # an instance: its class holds Params and the key
    values = getattr(cfg, group_key(component), None) if cfg is not None else None
    if values is not None:
        return values
    params = getattr(component, "Params", None)
    return params() if params is not None else None


def declared_groups() -> dict[str, tuple[type, Any, str]]:
    """Every component's ``Params`` by config group: key -> (Params, component, kind)."""
    from sim.config import Config, component_groups

    own = {f.name for f in dataclasses.fields(Config)} - set(component_groups())
    out: dict[str, tuple[type, Any, str]] = {}
    for p in EXTENSION_POINTS:
        for name, obj in p.registry.items():
            if p.kind == "coordinating body" and not vars(obj).get("config_key"):
                obj.config_key = name                # its stream and its group are named after it (not a parent's)
            params = getattr(obj, "Params", None)
            if params is None:
                continue
            where = f"{p.kind} '{name}' ({source_file(obj)})"
            if not dataclasses.is_dataclass(params):
                raise UserError(f"{where}: Params must be a @dataclass whose fields are declared with "
                                "sim.config.param(...)")
            key = group_key(obj)
            if key in own:
                if p.kind == "coordinating body" and key == name:
                    continue                         # a shipped body whose group is in sim/config.py
                raise UserError(f"{where}: its config group '{key}' is a group of the model itself; set "
                                "config_key to another name")
            if key in out and out[key][1] is not obj:
                raise UserError(f"{where}: config group '{key}' is also used by {out[key][2]} "
                                f"'{out[key][1].key}'; set config_key to another name")
            out[key] = (params, obj, p.kind)
    return out


def sync_groups() -> None:
    from sim.config import set_groups

    set_groups({key: params for key, (params, _, _) in declared_groups().items()})


def source_file(obj) -> str:
    """Where a component is defined, relative to the working folder if it is inside it."""
    module = sys.modules.get(getattr(obj, "__module__", ""), None)
    path = getattr(module, "__file__", None)
    if not path:
        return getattr(obj, "__module__", "?")
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def describe(kind: str, name: str) -> str:
    """'partner selection rule 'experienced' (sim/rules/experienced.py)': how contract messages name it."""
    reg = point(kind).registry
    where = f" ({source_file(reg.get(name))})" if name in reg else ""
    return f"{kind} '{name}'{where}"
