"""Sweeps: many runs in one folder, each computed once into the content-addressed cache.

``python -m sim -m scenario=baseline,klimawerk seed='range(30)'`` writes

    results/sweeps/<name>/
        sweep.json               every command that added to the folder: when, how many runs, how many new
        members/<key>.json       one per run the folder holds: its full typed config, the config-group
                                 choices (scenario, region, ...), its own overrides, its design row
        runs/<key>/              the complete run (hard links to the cache entry; see sim/cache.py)
        failed/<key>.json        the error of a run that failed (the sweep goes on)
        design/                  the sample of an experiment design (sim/design.py), if any
        runs.csv, final.csv, timeseries.parquet   tidy tables (sim/analysis/collect.py)

A run's key is the hash of its resolved config and the model's code version (``sim/cache.py``), so
a run is computed once, whatever folder, command or spelling (``2`` or ``2.0``) asks for it, and an
edited scenario file, region file or model gives new runs instead of stale ones. The folder name is
``output.name`` (or ``hydra.sweep.dir``), else derived from the swept keys and the fixed settings;
the same command again completes only what is missing, and a command that adds seeds adds runs.

The Hydra side (the sweeper that plans, validates and batches, and the callback that reports and
collects) is ``hydra_plugins/sim_sweeper``; compare and ``replications=N`` use :func:`run_local`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sim.cache import Store, link_run, remove_stale, run_key, tmp_name
from sim.config import Config, from_container, to_dict
from sim.errors import UserError

SWEEP_FORMAT = 2
CURRENT: dict = {}          # the sweep this process is running: folder, keys (for the Ctrl-C message)
CONFIRMED: dict = {}        # {"yes": True} after --yes: run a sweep larger than hydra.sweeper.max_runs


@dataclass
class Member:
    """One run of a sweep: its full typed config and what distinguishes it."""

    key: str
    config: dict
    choices: dict = field(default_factory=dict)      # config-group choices, e.g. {"scenario": "klimawerk"}
    overrides: list = field(default_factory=list)    # its own command-line overrides, for people
    design: dict | None = None                       # {"row": i, "levers": j} in an experiment design

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    def to_config(self) -> Config:
        return from_container(self.config)

    def label(self) -> str:
        return ",".join(self.overrides) or f"seed={self.seed}"

    def record(self) -> dict:
        return {"key": self.key, "config": self.config, "choices": self.choices, "overrides": self.overrides,
                "design": self.design}


def member_of(cfg: Config, choices: dict | None = None, overrides: list | None = None,
              design: dict | None = None) -> Member:
    single = cfg if cfg.replications == 1 else from_container({**to_dict(cfg), "replications": 1})
    return Member(run_key(single), to_dict(single), dict(choices or {}), list(overrides or []), design)


def replicate(cfg: Config) -> list[Config]:
    """``replications=N``: the configs of seeds seed .. seed+N-1, each exactly as a run with that seed."""
    data = to_dict(cfg)
    return [from_container({**data, "seed": cfg.seed + k, "replications": 1}) for k in range(cfg.replications)]


def write_json(data: dict, path: Path) -> None:
    """Write JSON via a temporary file and a rename; no temporary is left behind on any error."""
    tmp = path.with_name(tmp_name(path.name))
    try:
        tmp.write_text(json.dumps(data, indent=1, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock on ``path`` (a lock file beside it) for read-modify-write of sweep.json."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class SweepFolder:
    """A sweep folder: its members, runs, failures and the record of every command that added to it."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def info_path(self) -> Path:
        return self.root / "sweep.json"

    def is_sweep(self) -> bool:
        return self.info_path.is_file() or (self.root / "members").is_dir()

    def info(self) -> dict:
        """sweep.json; a damaged one is reported as an empty record (the members still say what is there)."""
        try:
            data = json.loads(self.info_path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("format_version") == SWEEP_FORMAT:
                return data
        except FileNotFoundError:
            return {"format_version": SWEEP_FORMAT, "invocations": []}
        except (OSError, ValueError):
            pass
        print(f"warning: {self.info_path} is damaged or of another format version; its command history is "
              "not shown", file=sys.stderr)
        return {"format_version": SWEEP_FORMAT, "invocations": [], "damaged": True}

    def start(self, command: list[str], members: list[Member], cache_dir: Path, extra: dict | None = None) -> int:
        """Record a command and its runs before any of them starts; returns the command's number."""
        self.root.mkdir(parents=True, exist_ok=True)
        remove_stale(self.root)                 # .sweep.json.tmp-*, .timeseries.parquet.tmp-* of killed processes
        for d in ("members", "runs", "failed"):
            (self.root / d).mkdir(exist_ok=True)
            remove_stale(self.root / d)
        for m in members:
            path = self.root / "members" / f"{m.key}.json"
            if not path.exists():
                write_json(m.record(), path)
        with locked(self.info_path):
            info = self.info()
            info.pop("damaged", None)
            n = len(info["invocations"])
            keys_file = self.root / "invocations" / f"{n:04d}.json"
            keys_file.parent.mkdir(exist_ok=True)
            write_json({"keys": [m.key for m in members]}, keys_file)
            complete = sum(1 for m in members if self.run_path(m.key).is_dir())
            info["invocations"].append({"command": command, "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                       time.gmtime()),
                                        "started_unix": time.time(), "runs": len(members),
                                        "complete_at_start": complete, **(extra or {})})
            info["cache_dir"] = str(cache_dir)
            write_json(info, self.info_path)
        return n

    def cache(self) -> Store:
        return Store(self.info().get("cache_dir") or "results/cache")

    def run_path(self, key: str) -> Path:
        return self.root / "runs" / key

    def member(self, key: str) -> Member:
        data = json.loads((self.root / "members" / f"{key}.json").read_text(encoding="utf-8"))
        return Member(data["key"], data["config"], data.get("choices") or {}, data.get("overrides") or [],
                      data.get("design"))

    def members(self, report: list | None = None) -> dict[str, Member]:
        """Every member; a damaged member file is skipped and named in ``report``."""
        out = {}
        d = self.root / "members"
        for path in sorted(d.glob("*.json")) if d.is_dir() else []:
            try:
                m = self.member(path.stem)
                if m.key != path.stem:
                    raise ValueError("key does not match the file name")
                out[m.key] = m
            except (OSError, ValueError, KeyError, TypeError) as err:
                if report is not None:
                    report.append(f"members/{path.name} is damaged ({type(err).__name__}); skipped")
        return out

    def invocation_keys(self, n: int) -> list[str]:
        try:
            return json.loads((self.root / "invocations" / f"{n:04d}.json").read_text(encoding="utf-8"))["keys"]
        except (OSError, ValueError, KeyError):
            return []

    def record_failure(self, member: Member, err: BaseException | str, tb: str = "") -> None:
        text = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
        write_json({"key": member.key, "label": member.label(), "error": text, "traceback": tb,
                    "time_unix": time.time()}, self.root / "failed" / f"{member.key}.json")

    def complete(self, key: str) -> bool:
        """Whether runs/<key> is a whole run; a damaged copy is removed (the cache holds the data)."""
        from sim.cache import read_metadata

        path = self.run_path(key)
        if not path.is_dir():
            return False
        meta, problem = read_metadata(path)
        if problem is None and meta.get("key") == key:
            return True
        trash = path.with_name(tmp_name(path.name + "-damaged"))
        os.rename(path, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return False

    def done(self, keys: list[str]) -> int:
        return sum(1 for k in keys if (self.root / "runs" / k).is_dir())


def execute(member: Member, folder: SweepFolder, store: Store, network: bool = False) -> str:
    """Make ``member``'s run complete in ``folder``: 'cached' if the cache has it, 'done' if computed
    now, 'failed' if it raised (recorded in failed/, the sweep goes on). The run is computed from the
    member's own typed config; if this machine's code gives another key, nothing is run."""
    from sim.run import simulate

    try:
        entry = store.get(member.key, network=network)
        status = "cached"
        if entry is None:
            cfg = member.to_config()
            if network and not cfg.output.network:
                cfg = from_container({**member.config, "output": {**member.config["output"], "network": True}})
            key = run_key(cfg)
            if key != member.key:
                raise UserError(f"this machine's model code or packages differ from the ones the sweep was planned "
                                f"with (key {key[:12]} instead of {member.key[:12]}); run the sweep from one code version")
            t0 = time.perf_counter()
            result = simulate(cfg)
            entry = store.put(member.key, result, time.perf_counter() - t0)
            status = "done"
        target = folder.run_path(member.key)
        if target.exists() and network and not (target / "network_end.csv").exists():
            os.rename(target, target.with_name(tmp_name(target.name + "-old")))
            remove_stale(target.parent)
        link_run(entry, target)
        (folder.root / "failed" / f"{member.key}.json").unlink(missing_ok=True)
        return status
    except KeyboardInterrupt:
        raise
    except Exception as err:  # a crash is recorded and the sweep goes on
        folder.record_failure(member, err, traceback.format_exc())
        return "failed"


def progress_line(folder: SweepFolder, invocation: int, what: str) -> str:
    """'[done/total] what (elapsed, about remaining)' for one command, from the folder itself, so that
    it is right in any process and on any machine."""
    info = folder.info()
    try:
        inv = info["invocations"][invocation]
    except (IndexError, KeyError, TypeError):
        return what
    keys = folder.invocation_keys(invocation)
    done = folder.done(keys)
    elapsed = time.time() - inv["started_unix"]
    new = done - inv.get("complete_at_start", 0)
    left = (len(keys) - done) * elapsed / new if new > 0 else float("nan")
    eta = f", about {fmt(left)} left" if left == left and done < len(keys) else ""
    return f"[{done}/{len(keys)}] {what} (elapsed {fmt(elapsed)}{eta})"


def fmt(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


def interrupted_message() -> str:
    """The one line printed on Ctrl-C during a sweep or comparison."""
    folder, keys = CURRENT.get("folder"), CURRENT.get("keys") or []
    if folder is None:
        return "interrupted"
    done = SweepFolder(folder).done(keys)
    return (f"interrupted: {done} of {len(keys)} runs done; the same command completes the rest"
            + (f" ({CURRENT['note']})" if CURRENT.get("note") else ""))


def watch_parent() -> None:
    """In a worker process of a sweep (a joblib/loky worker, a submitit_local job), exit when the
    sweeping process is gone, e.g. after kill -9, instead of running on as an orphan."""
    parent = os.environ.get("SIM_SWEEP_PARENT")
    if not parent or str(os.getppid()) != parent or getattr(watch_parent, "started", False):
        return
    watch_parent.started = True

    def loop():
        while True:
            time.sleep(1.0)
            if str(os.getppid()) != parent:
                os._exit(3)

    threading.Thread(target=loop, name="sim-watch-parent", daemon=True).start()


def run_batch(folder: Path, invocation: int, keys: list[str], network: bool = False) -> dict[str, str]:
    """One Hydra job of a sweep: make the runs ``keys`` of ``folder`` complete; returns their status."""
    watch_parent()
    sweep = SweepFolder(folder)
    store = sweep.cache()
    out = {}
    for key in keys:
        try:
            member = sweep.member(key)
        except (OSError, ValueError, KeyError) as err:
            out[key] = f"failed: members/{key}.json unreadable ({type(err).__name__})"
            continue
        out[key] = execute(member, sweep, store, network)
    return out


def run_local(members: list[Member], folder: SweepFolder, command: list[str], jobs: int = -1,
              network: bool = False, label: str = "runs", quiet: bool = False) -> dict[str, str]:
    """Run ``members`` into ``folder`` on this machine (joblib over ``jobs`` processes; 1 = in this
    process), with a progress line per finished run. Used by compare and by ``replications=N``."""
    store = Store(Path(members[0].config["output"]["cache_dir"]).resolve()) if members else folder.cache()
    unique = list({m.key: m for m in members}.values())
    inv = folder.start(command, unique, store.root)
    CURRENT.update(folder=folder.root, keys=[m.key for m in unique], note="")
    todo = [m for m in unique if not folder.complete(m.key) or (network and not (
        folder.run_path(m.key) / "network_end.csv").exists())]
    status = {m.key: "cached" for m in unique if m not in todo}
    cached = [m for m in todo if store.get(m.key, network=network) is not None]
    for m in cached:
        status[m.key] = execute(m, folder, store, network)
    todo = [m for m in todo if m not in cached]
    if not quiet:
        print(f"{label}: {len(unique)} runs, {len(unique) - len(todo)} complete already (cache), {len(todo)} to run",
              flush=True)
    if todo:
        os.environ["SIM_SWEEP_PARENT"] = str(os.getpid())
        if jobs == 1 or len(todo) == 1:
            results = ((m.key, execute(m, folder, store, network)) for m in todo)
        else:
            from joblib import Parallel, delayed
            results = Parallel(n_jobs=jobs, return_as="generator_unordered")(
                delayed(_execute_keyed)(m, folder.root, store.root, network) for m in todo)
        for key, st in results:
            status[key] = st
            if not quiet:
                print(progress_line(folder, inv, f"{key[:12]} {st}"), flush=True)
    return status


def _execute_keyed(member: Member, folder: Path, cache: Path, network: bool) -> tuple[str, str]:
    watch_parent()
    return member.key, execute(member, SweepFolder(folder), Store(cache), network)


def default_name(overrides: list[str], swept: list[str], experiment: str = "") -> str:
    """'<experiment or sweep>-<swept keys>[-<hash of the fixed overrides>]' (stable for the same command)."""
    fixed = sorted(o for o in overrides if o.split("=")[0].lstrip("+~") not in swept
                   and not o.lstrip("+~").startswith(("hydra", "output.", "sim_batch", "experiment")))
    base = (experiment or "sweep") + "-" + ("-".join(k.replace(".", "_").replace("/", "_") for k in swept)
                                              or "single")
    if experiment and not swept:
        base = experiment
    if fixed:
        base += "-" + hashlib.sha1("\n".join(fixed).encode()).hexdigest()[:8]
    return base


def check_name(name: str, key: str) -> str:
    """A folder name is one path component: no '/', no '..', not empty, at most 200 bytes, and no
    interpolation (``${oc.env:HOME}`` is not resolved into a path anywhere)."""
    if (not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name or "${" in name
            or len(name.encode("utf-8")) > 200):
        raise UserError(f"'{key}' = {name!r} is not allowed; give a folder name: one path component without "
                        "'/', '..' or '${', at most 200 bytes")
    return name
