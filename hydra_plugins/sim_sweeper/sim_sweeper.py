"""Hydra sweeper ``sim`` and callback for ``python -m sim -m ...`` (see sim/sweep.py for the folder).

The sweeper, before any job starts:

1. expands the command line's sweeps (choices, ``range``, ``glob``; every value checked, a value
   listed twice refused) and an experiment design (``hydra.sweeper.design``, sim/design.py) crossed
   with its levers, and refuses more than ``max_runs`` runs unless ``--yes`` was given;
2. composes the config of every run through Hydra itself (once per combination of config-group
   choices, then the run's own values applied as Hydra applies overrides) and validates it with
   the typed schema (``sim.config.from_container``), the registries and the region data;
3. writes the folder's record, takes finished runs from the content-addressed cache, and launches
   only the rest, ``runs_per_job`` runs per Hydra job (one SLURM array task runs many runs).

The callback prints progress after each job (in the job's process, on any launcher) and collects
the tables when the sweep ends (``python -m sim.analysis collect`` does the same later).
"""

import copy
import itertools
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobStatus
from hydra.errors import HydraException
from hydra.experimental.callback import Callback
from hydra.plugins.sweeper import Sweeper
from omegaconf import DictConfig, OmegaConf

TARGET = "hydra_plugins.sim_sweeper.sim_sweeper.SimSweeper"
CALLBACK = "hydra_plugins.sim_sweeper.sim_sweeper.SimCallback"


@dataclass
class DesignConf:
    kind: str = ""              # "" = the command line's sweeps only; else one of sim.design.KINDS
    samples: int = 100          # lhs, monte_carlo
    trajectories: int = 10      # morris: r
    levels: int = 4             # morris: p
    n: int = 64                 # sobol: base sample N (a power of 2)
    second_order: bool = False  # sobol
    seed: int = 0               # seed of the sampling (the model's seeds are the runs' own)


@dataclass
class SimSweeperConf:
    _target_: str = TARGET
    _recursive_: bool = False
    design: DesignConf = field(default_factory=DesignConf)
    uncertainties: Dict[str, Any] = field(default_factory=dict)
    levers: Dict[str, Any] = field(default_factory=dict)
    only: List[str] = field(default_factory=list)       # vary only these uncertainties
    targets: Dict[str, Any] = field(default_factory=dict)   # observed patterns (calibration); not used here
    runs_per_job: int = 0       # runs per Hydra job (array task); 0 = automatic (about 20 jobs locally,
                                # at most array_parallelism tasks on SLURM)
    max_runs: int = 20000       # a sweep with more runs needs --yes
    max_batch_size: Optional[int] = None   # jobs per launcher call (None = all at once)


ConfigStore.instance().store(group="hydra/sweeper", name="sim", node=SimSweeperConf, provider="sim")


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(2)


class SimSweeper(Sweeper):
    def __init__(self, design: Any = None, uncertainties: Any = None, levers: Any = None, only: Any = None,
                 targets: Any = None, runs_per_job: int = 0, max_runs: int = 20000, max_batch_size: Optional[int] = None) -> None:
        super().__init__()
        as_py = (lambda x: OmegaConf.to_container(x, resolve=True) if OmegaConf.is_config(x) else (x or {}))
        self.design = as_py(design) or {}
        self.uncertainties = as_py(uncertainties) or {}
        self.levers = as_py(levers) or {}
        self.only = list(as_py(only) or [])
        self.runs_per_job = runs_per_job
        self.max_runs = max_runs
        self.max_batch_size = max_batch_size
        self.config: Optional[DictConfig] = None
        self.launcher = None
        self.hydra_context = None

    def setup(self, *, hydra_context, task_function, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.config_loader = hydra_context.config_loader
        self.launcher = Plugins.instance().instantiate_launcher(hydra_context=hydra_context,
                                                                task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> Any:
        from sim.errors import UserError, os_error_line

        try:
            return self._sweep(arguments)
        except UserError as err:
            _fail(str(err))
        except OSError as err:                  # a full disk or an unwritable folder while writing records
            _fail(os_error_line(err, "write the sweep folder"))

    # -- planning -------------------------------------------------------------------------------

    def _sweep(self, arguments: List[str]) -> Any:
        from sim import sweep as S
        from sim.results import check_writable

        plan = Planner(self.config_loader, self.config, self.design, self.uncertainties, self.levers, self.only,
                       self.max_runs).plan(arguments)
        folder = S.SweepFolder(Path(str(self.config.hydra.sweep.dir)).resolve())
        check_writable(folder.root, "hydra.sweep.dir")
        cache_dir = Path(plan.members[0].config["output"]["cache_dir"]).resolve()
        if plan.design is not None:
            write_design(folder.root, plan.design, plan.lever_rows)
        members = plan.members
        command = ["python -m sim", *sys.argv[1:]]
        inv = folder.start(command, members, cache_dir, {"launcher": self._launcher_name(),
                                                          "experiment": plan.experiment})
        S.CURRENT.update(folder=folder.root, keys=[m.key for m in members], note="")
        store = folder.cache()
        todo = []
        for m in members:
            if folder.complete(m.key):
                continue
            if store.get(m.key) is not None:
                S.execute(m, folder, store)
            else:
                todo.append(m)
        rpj = self._runs_per_job(len(todo))
        batches = [todo[i:i + rpj] for i in range(0, len(todo), rpj)]
        done = len(members) - len(todo)
        print(f"Sweep {folder.root.name}: {len(members)} runs" + (f" ({plan.duplicates} asked twice, run once)"
                                                                   if plan.duplicates else "")
              + f"; {done} complete (cache), {len(todo)} to run"
              + (f" in {len(batches)} job(s) of up to {rpj} runs" if todo else "") + f" -> {folder.root}",
              flush=True)
        if not batches:
            return []
        S.CURRENT["note"] = "submitted cluster jobs keep running" if "slurm" in self._launcher_name() else ""
        os.environ["SIM_SWEEP_PARENT"] = str(os.getpid())
        jobs = [[*b[0].overrides, f"+sim_batch={{inv:{inv},keys:[{','.join(m.key for m in b)}]}}",
                 f"hydra.sweep.dir={quote(str(folder.root))}"] for b in batches]
        size = self.max_batch_size or len(jobs)
        returns, idx = [], 0
        for start in range(0, len(jobs), size):
            chunk = jobs[start:start + size]
            try:
                results = self.launcher.launch(chunk, initial_job_idx=idx)
            except Exception as err:        # e.g. a SLURM job cancelled with scancel: the others are kept
                text = first_line(err)
                print(f"warning: the launcher reported a failed job ({type(err).__name__}: {text}); runs that "
                      "did not finish are recorded as failed, and the same command completes them", file=sys.stderr,
                      flush=True)
                for batch in batches[start:start + size]:
                    for m in batch:
                        if not folder.run_path(m.key).is_dir():
                            folder.record_failure(m, f"the job did not finish: {type(err).__name__}: {text}")
                results = []
            for batch, r in zip(batches[start:start + size], results):
                if r.status != JobStatus.COMPLETED:
                    for m in batch:
                        if not folder.run_path(m.key).is_dir():
                            folder.record_failure(m, f"the job failed: {type(r._return_value).__name__}: "
                                                     f"{r._return_value}")
            idx += len(chunk)
            returns.append(results)
        return returns

    def _launcher_name(self) -> str:
        return str(OmegaConf.select(self.config, "hydra.launcher._target_", default="") or "").rsplit(".", 1)[-1]

    def _runs_per_job(self, todo: int) -> int:
        if self.runs_per_job and self.runs_per_job > 0:
            return self.runs_per_job
        if "SlurmLauncher" in self._launcher_name():
            parallel = int(OmegaConf.select(self.config, "hydra.launcher.array_parallelism", default=100) or 100)
            return max(1, math.ceil(todo / max(parallel, 1)))
        # locally: about 20 jobs (each Hydra job costs a composition, ~0.1 s), at least 4 per worker
        return max(1, math.ceil(todo / max(20, 4 * (os.cpu_count() or 1))))


def quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class Plan:
    members: list
    duplicates: int = 0
    design: Any = None
    lever_rows: list = field(default_factory=list)
    experiment: str = ""


class Planner:
    """Turns the command line (and an experiment design) into validated runs (sim.sweep.Member)."""

    def __init__(self, config_loader, master: DictConfig, design: dict, uncertainties: dict, levers: dict,
                 only: list, max_runs: int):
        self.loader, self.master = config_loader, master
        self.design_spec, self.uncertainties, self.levers, self.only = design, uncertainties, levers, only
        self.max_runs = max_runs
        self.groups = self._groups("")
        self.bases: dict = {}
        self.regions: set = set()

    def _groups(self, parent: str) -> set:
        out = set()
        for g in self.loader.list_groups(parent):
            name = f"{parent}/{g}" if parent else g
            out.add(name)
            out |= self._groups(name)
        return out

    def plan(self, arguments: List[str]) -> Plan:
        from sim import design as D
        from sim.errors import UserError
        from sim.sweep import check_name

        parser = OverridesParser.create(config_loader=self.loader)
        try:
            parsed = parser.parse_overrides(arguments)
        except HydraException as err:
            raise UserError(f"cannot read the overrides: {first_line(err)}") from None
        dims: list = []
        for o in parsed:
            key = o.key_or_group
            if key.startswith("hydra"):
                if o.is_sweep_override():
                    raise UserError(f"'{o.input_line}': hydra.* settings cannot be swept; sweep model settings")
                continue
            if o.is_sweep_override():
                dims.append([([f"{o.get_key_element()}={v}"], {}) for v in self._values(o)])
            else:
                dims.append([([f"{o.get_key_element()}={o.get_value_element_as_str()}"], {})])
        design = None
        rows: list = [{}]
        if self.design_spec.get("kind"):
            design = D.sample(self.design_spec, self.uncertainties, self.only)
            rows = design.rows
        elif self.uncertainties and not self.design_spec.get("kind"):
            raise UserError("the experiment declares uncertainties but no 'hydra.sweeper.design.kind'; "
                            f"choose one of: {', '.join(D.KINDS)}")
        levers = D.lever_rows(self.levers)
        if len(levers) > 1 or levers[0]:
            dims.append([([D.override(k, v) for k, v in lv.items()], {"levers": j}) for j, lv in enumerate(levers)])
        if design is not None:
            dims.append([([D.override(k, v) for k, v in row.items()], {"row": i}) for i, row in enumerate(rows)])
        total = math.prod(len(d) for d in dims) if dims else 1
        if total == 0:
            raise UserError("this sweep has no runs (a sweep list is empty)")
        self._check_size(total)
        experiment = str(OmegaConf.select(self.master, "hydra.runtime.choices.experiment", default="") or "")
        members, seen, duplicates = [], {}, 0
        t0, shown = time.perf_counter(), False
        for n, combo in enumerate(itertools.product(*dims) if dims else [()]):
            overrides = [s for part in combo for s in part[0]]
            info = {k: v for part in combo for k, v in part[1].items()}
            for m in self._members(overrides, info or None):
                if m.key in seen:
                    duplicates += 1
                    continue
                seen[m.key] = m
                members.append(m)
            if not shown and time.perf_counter() - t0 > 3 and total > 100:
                print(f"checking the configs of {total} runs ...", file=sys.stderr, flush=True)
                shown = True
        name = OmegaConf.select(self.master, "output.name", default="")
        if name:
            check_name(str(name), "output.name")
        return Plan(members, duplicates, design, levers, experiment)

    def _values(self, o) -> list:
        from sim.errors import UserError

        if not o.is_discrete_sweep():
            raise UserError(f"'{o.input_line}': an interval sweep has no list of values; use an experiment "
                            "design (configs/experiment/) for continuous ranges")
        if o.is_range_sweep():
            r = o.value()
            count = max(0, math.ceil((r.stop - r.start) / r.step)) if r.step else 0
            if count == 0:
                raise UserError(f"'{o.input_line}' gives no values")
            self._check_size(count, o.input_line)
        values = list(o.sweep_string_iterator())
        if not values:
            raise UserError(f"'{o.input_line}' gives no values")
        typed = [self._typed(o.key_or_group, v) for v in o.sweep_iterator()]
        seen = {}
        for text, t in zip(values, typed):
            if t in seen:
                raise UserError(f"'{o.input_line}' lists {o.key_or_group} = {seen[t]} twice"
                                + (f" (as {seen[t]} and {text})" if text != seen[t] else "")
                                + "; list each value once")
            seen[t] = text
        return values

    def _typed(self, key: str, value: Any) -> Any:
        from sim.cli import field_type
        from sim.config import _coerce

        kind = field_type(key.lstrip("+~"))
        if kind is None or isinstance(value, str) and value.startswith("${"):
            return repr(value)
        try:
            return repr(_coerce(key, value, kind))
        except Exception:
            return repr(value)

    def _check_size(self, total: int, what: str = "") -> None:
        from sim import sweep as S
        from sim.errors import UserError

        if total <= self.max_runs or S.CONFIRMED.get("yes"):
            return
        from sim.cache import Store

        per_run = Store(OmegaConf.select(self.master, "output.cache_dir", default="results/cache")).typical_seconds()
        workers = os.cpu_count() or 1
        raise UserError(f"{what + ': ' if what else ''}this sweep has {total:,} runs; at about {per_run:.2g} s a run "
                        f"on {workers} cores that is about {S.fmt(total * per_run / workers)}. Add --yes to run it "
                        f"(hydra.sweeper.max_runs = {self.max_runs:,})")

    def _members(self, overrides: list[str], info: dict | None) -> list:
        """The validated runs of one job's overrides (several with replications > 1)."""
        from sim.cli import check_config
        from sim.config import from_container
        from sim.sweep import member_of, replicate

        structural = [o for o in overrides if o.split("=")[0].lstrip("+~").split("@")[0] in self.groups]
        leaf = [o for o in overrides if o not in structural]
        base = self._base(tuple(structural))
        parsed = OverridesParser.create(config_loader=self.loader).parse_overrides(leaf) if leaf else []
        plain = base["plain"] is not None and all(self._plain(o) for o in parsed)
        if plain:                        # no interpolation anywhere: set the typed values directly (fast)
            data = copy.deepcopy(base["plain"])
            for o in parsed:
                node = data
                *path, last = o.key_or_group.split(".")
                for part in path:
                    node = node[part]
                node[last] = o.value()
            config = from_container(data)
        else:                            # Hydra applies the overrides, then everything is resolved
            config = self._resolved(base, parsed)
        check_config(config, self.regions)
        runs = replicate(config) if config.replications > 1 else [config]
        return [member_of(c, base["choices"], overrides + ([f"seed={c.seed}"] if config.replications > 1 else []),
                          info) for c in runs]

    def _base(self, structural: tuple) -> dict:
        """The config of one combination of group choices, composed by Hydra once."""
        if structural not in self.bases:
            base = self.loader.load_sweep_config(self.master, list(structural))
            choices = {k: v for k, v in OmegaConf.to_container(base.hydra.runtime.choices).items()
                       if not k.startswith("hydra") and v is not None}
            template = copy.deepcopy(base)
            with open_dict_rw(template):
                del template["hydra"]
            raw = OmegaConf.to_container(template, resolve=False)
            plain = None if "${" in json.dumps(raw, default=str) else raw
            self.bases[structural] = {"base": base, "template": template, "choices": choices, "plain": plain}
        return self.bases[structural]

    def _plain(self, o) -> bool:
        """A plain assignment of a number, flag or text (or a list of them) to a declared parameter."""
        from sim.cli import field_type

        if o.is_add() or o.is_delete() or o.is_force_add() or o.is_sweep_override():
            return False
        kind, value = field_type(o.key_or_group), o.value()
        items = value if isinstance(value, list) else [value]
        if kind is None or any(isinstance(v, (dict, list)) for v in items):
            return False
        if any(isinstance(v, str) and ("${" in v or kind is not str and getattr(kind, "__origin__", None) is not list)
               for v in items):
            return False
        return True

    def _resolved(self, base: dict, parsed: list):
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
        from hydra.core.hydra_config import HydraConfig

        from sim.cli import to_config

        cfg = copy.deepcopy(base["template"])
        if parsed:
            ConfigLoaderImpl._apply_overrides_to_config(parsed, cfg)
        previous = HydraConfig.instance().cfg
        HydraConfig.instance().set_config(base["base"])       # for ${hydra:...} interpolations
        try:
            return to_config(cfg)
        finally:
            HydraConfig.instance().cfg = previous


def open_dict_rw(cfg):
    from omegaconf import open_dict, read_write

    class Both:
        def __enter__(self):
            self.a, self.b = read_write(cfg), open_dict(cfg)
            self.a.__enter__()
            self.b.__enter__()

        def __exit__(self, *exc):
            self.b.__exit__(*exc)
            self.a.__exit__(*exc)

    return Both()


def first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.splitlines()[0].split())


def write_design(folder: Path, design, levers: list) -> None:
    """design/design.json (kind, names, bounds, choices, levers) and design/samples.csv (row, values);
    a folder that holds another design is refused."""
    import json

    import pandas as pd

    from sim.errors import UserError
    from sim.sweep import write_json

    d = folder / "design"
    record = {**design.record(), "levers": levers}
    if (d / "design.json").is_file():
        try:
            old = json.loads((d / "design.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
        if old != json.loads(json.dumps(record)):
            raise UserError(f"{folder} holds another experiment design; give another output.name (or "
                            "hydra.sweep.dir) for this one")
        return
    d.mkdir(parents=True, exist_ok=True)
    samples = pd.DataFrame(design.rows)
    samples.insert(0, "row", range(len(samples)))
    if design.matrix:
        for j, name in enumerate(design.names):
            samples[f"x:{name}"] = [x[j] for x in design.matrix]
    samples.to_csv(d / "samples.csv", index=False)
    write_json(record, d / "design.json")


class SimCallback(Callback):
    """Progress after every job (printed where the job runs) and the tables when the sweep ends."""

    def on_job_end(self, config: DictConfig, job_return, **kwargs: Any) -> None:
        from sim.sweep import SweepFolder, progress_line

        batch = OmegaConf.select(config, "sim_batch", default=None)
        if batch is None:
            return
        value = job_return._return_value if job_return.status == JobStatus.COMPLETED else None
        counts = {}
        for status in (value or {}).values() if isinstance(value, dict) else []:
            counts[status] = counts.get(status, 0) + 1
        what = (f"job {OmegaConf.select(config, 'hydra.job.num', default='?')}: "
                + (", ".join(f"{v} {k}" for k, v in counts.items()) if counts else f"FAILED: {job_return._return_value}"))
        print(progress_line(SweepFolder(str(config.hydra.sweep.dir)), int(batch.inv), what), flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.analysis.collect import collect
        from sim.errors import UserError, os_error_line
        from sim.sweep import CURRENT

        folder = CURRENT.get("folder")
        if folder is None:
            return
        try:
            print(collect(folder).report())
        except (UserError, OSError) as err:     # Hydra would turn this into a warning with its own prefix
            text = str(err) if isinstance(err, UserError) else os_error_line(err, "write the tables")
            _fail(f"{text}; the runs are complete: python -m sim.analysis collect {folder} writes the tables")
        print(folder)
