"""``python -m sim``: run the model from the command line, with Hydra.

Before Hydra starts a job, :func:`preflight` checks every override (keys, group options, types,
ranges, sweep values) and the region data, and stops at the first problem with one line naming
the key, the value and what is allowed, exit status 2 and no traceback. Nothing is written then.

    python -m sim                                   # default region (emscher), 120 months
    python -m sim region=werra_meissner horizon_months=60 seed=3
    python -m sim region=germany region.ags_prefix=05      # all of North Rhine-Westphalia
    python -m sim --cfg job                         # print the resolved config
    python -m sim -m scenario=baseline,klimawerk seed='range(30)'   # a sweep (sim/sweep.py)
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import hydra
import yaml
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import Config, _check_range, _coerce, from_container, iter_params
from sim.errors import UserError

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
HYDRA_FLAGS = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "--resolve", "--package", "-p",
               "--version", "--shell-completion", "-sc", "--config-path", "-cp", "--config-name", "-cn",
               "--config-dir", "-cd", "--experimental-rerun")

ConfigStore.instance().store(name="base_config", node=Config)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["list"]:
        print(list_components())
        return
    multirun = "-m" in argv or "--multirun" in argv
    sweep_folder = None
    try:
        if not any(a.split("=")[0] in HYDRA_FLAGS for a in argv):
            overrides = [a for a in argv if not a.startswith("-")]
            plan = preflight(overrides, multirun)
            if multirun or plan.cfg.replications > 1:
                sweep_folder = prepare_sweep(plan, overrides, argv)
                argv = argv + [f"hydra.{'sweep' if multirun else 'run'}.dir={sweep_folder}"]
    except UserError as err:
        fail(str(err))
    sys.argv = [sys.argv[0], *argv]
    hydra_main()
    if sweep_folder is not None:
        from sim.analysis.collect import collect

        print(collect(sweep_folder).report())
        print(sweep_folder)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def list_components() -> str:
    """Every registered component, by extension point: name, traits and the first line of its docstring."""
    import inspect

    from sim.agents import agent_kinds
    from sim.bodies import bodies
    from sim.funding import allocation_rules
    from sim.metrics import metrics
    from sim.rules import consortium_rules, partner_selection_rules
    from sim.rules.imitation import imitation_rules
    from sim.trust import trust_rules

    out = []
    for title, registry, key in [
            ("Agent kinds", agent_kinds, None), ("Coordinating bodies", bodies, "scenario.bodies"),
            ("Partner selection rules", partner_selection_rules, "rules.partner_selection"),
            ("Consortium rules", consortium_rules, "rules.consortium"), ("Trust rules", trust_rules, "rules.trust"),
            ("Allocation rules", allocation_rules, "funding.allocation"),
            ("Imitation rules (checks on lattices)", imitation_rules, None), ("Metrics", metrics, None)]:
        out.append(f"{title}" + (f"  [{key}]" if key else ""))
        for name, obj in registry.items():
            doc = " ".join((inspect.getdoc(obj) or "").split("\n\n")[0].split())
            traits = ", ".join(f"{k}={v}" for k, v in obj.traits.items())
            out.append(f"  {name:<22} {doc}" + (f" ({traits})" if traits else ""))
        out.append("")
    return "\n".join(out).rstrip()


# -- checks before any run ------------------------------------------------------------------


def config_groups() -> dict[str, list[str]]:
    """Config groups (sub-folders of configs/) and their options."""
    return {d.name: sorted(p.stem for p in d.glob("*.yaml")) for d in sorted(CONFIG_DIR.iterdir()) if d.is_dir()}


@dataclass
class Plan:
    """What the command line asks for: the first configuration, the swept keys, how many jobs."""

    cfg: Config
    swept: list[str]
    jobs: int


def prepare_sweep(plan: Plan, overrides: list[str], argv: list[str]) -> Path:
    """The sweep's folder (created, with sweep.json); fails if it cannot be written."""
    from sim.sweep import sweep_name, write_info

    from sim.results import check_writable

    folder = Path(plan.cfg.output.sweep_dir) / sweep_name(overrides, plan.swept, plan.cfg.output.name)
    check_writable(folder, "output.sweep_dir")
    folder = folder.resolve()           # jobs may run in other processes, other directories, other machines
    write_info(folder, argv, plan.jobs * plan.cfg.replications)
    return folder


def preflight(overrides: list[str], multirun: bool = False) -> Plan:
    """Check every override (every value of a sweep), then compose the first combination and check it whole."""
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise UserError(f"cannot read the override(s) {' '.join(overrides)}: {first_line(err)}") from None
    params = dict(iter_params())
    groups = config_groups()
    first: list[str] = []
    swept: list[str] = []
    jobs = 1
    for o in parsed:
        key = o.key_or_group
        if key == "hydra" or key.startswith(("hydra.", "hydra/")):
            first.append(o.input_line)
            continue
        if o.is_delete():
            raise UserError(f"'{o.input_line}': removing settings is not supported; set a value instead")
        values = sweep_values(o, multirun)
        if o.is_sweep_override():
            swept.append(key)
            jobs *= max(len(values), 1)
        if key in groups:
            for value in values:
                if str(value) not in groups[key]:
                    raise UserError(f"unknown {key} '{value}'; available: {', '.join(groups[key])}")
        elif key in params:
            for value in values:
                checked = _coerce(key, value, _field_type(key))
                _check_range(key, checked, params[key].metadata)
        else:
            names = list(params) + list(groups)
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else "; see python -m sim --cfg job for all keys"
            raise UserError(f"unknown key '{key}'{hint}")
        prefix = "+" if o.is_add() else ""
        if values:
            first.append(f"{prefix}{key}={_encode(values[0])}")
    cfg = compose([f for f in first if not f.lstrip("+").startswith("hydra")])
    from sim.data import load_region
    from sim.results import target_folder

    from sim.run import check_components

    check_components(cfg)
    load_region(cfg.region)
    if cfg.output.write and not multirun and cfg.replications == 1:
        target_folder(cfg)
    return Plan(cfg, swept, jobs)


def sweep_values(o, multirun: bool) -> list:
    if not o.is_sweep_override():
        return [o.value()]
    if not multirun:
        raise UserError(f"'{o.input_line}' lists several values; add -m to run them all (a sweep)")
    try:
        return list(o.sweep_iterator())
    except Exception:  # an interval sweep (for optimisers) has no finite list of values
        return []


def _encode(value) -> str:
    """An override value as Hydra reads it back (strings quoted so '05' stays text)."""
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _field_type(key: str) -> type:
    from typing import get_type_hints

    cls = Config
    *path, name = key.split(".")
    for part in path:
        cls = get_type_hints(cls)[part]
    return get_type_hints(cls)[name]


def compose(overrides: list[str]) -> Config:
    """Compose the config as Hydra would for these overrides, and validate it."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = hydra_compose(config_name="config", overrides=overrides)
    except (HydraException, OmegaConfBaseException, ValueError) as err:
        raise UserError(first_line(err)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{mark.name}, line {mark.line + 1}" if mark else "a config file"
        raise UserError(f"{where} is not valid YAML: {getattr(err, 'problem', None) or first_line(err)}") from None
    finally:
        GlobalHydra.instance().clear()
    return to_config(cfg)


def to_config(cfg: DictConfig) -> Config:
    container = OmegaConf.to_container(cfg, resolve=True)
    container.pop("hydra", None)
    return from_container(container)


def first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.splitlines()[0].split())


# -- the Hydra job ----------------------------------------------------------------------------


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def hydra_main(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from sim.sweep import run_sweep_job

    try:
        config, hc = to_config(cfg), HydraConfig.get()
        if hc.mode == RunMode.MULTIRUN:
            run_sweep_job(config, Path(hc.sweep.dir), list(hc.overrides.task))
        elif config.replications > 1:
            run_sweep_job(config, Path(hc.run.dir), list(hc.overrides.task))
        else:
            run_job(config)
    except UserError as err:
        fail(str(err))


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
        write_run(result, folder)
        print(folder)
    return folder
