"""The content-addressed run cache: a run is stored once under the hash of what determines it.

A run's **key** is the SHA-256 of

- its resolved config as typed values (``2`` and ``2.0`` for a float parameter are one value), without
  the ``output.*`` settings (where files go) and ``replications`` (how many seeds a job runs);
- the SHA-256 of every input file the config names (a region CSV), so an edited file is a new run;
- the model's code version (:func:`code_version`: a hash of the sources and data files of ``sim/``
  that produce a run) and the versions of Python and the packages that compute it;
- the result format version.

Nothing in the key is a list of parameter names: a parameter added to or renamed in ``sim/config.py``
is part of the key automatically. A run is reused only when its stored metadata holds the same key
and every file matches the checksum written with it; a damaged entry is moved aside (one line on
stderr) and recomputed. Entries are written under a temporary name and renamed when complete, so
two processes computing the same run at once both succeed and one entry remains.

    results/cache/<key[:2]>/<key>/   timeseries.csv, municipalities.csv, summary.json, metadata.json
                                     (+ nodes.csv, network_start.csv, network_end.csv when asked for)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import shutil
import socket
import sys
import time
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from sim.config import Config, to_dict

FORMAT_VERSION = 2
BASE_FILES = ("timeseries.csv", "municipalities.csv", "summary.json")
NETWORK_FILES = ("nodes.csv", "network_start.csv", "network_end.csv")
# Packages whose version can change a run's numbers (random streams, graph algorithms, tables).
KEY_PACKAGES = ("mesa", "numpy", "networkx", "scipy", "pandas")
# Modules of sim/ that do not take part in computing or writing a run: editing them keeps the cache.
NOT_MODEL = ("cli.py", "sweep.py", "cache.py", "compare.py", "app.py", "bench.py", "plots.py", "calibrate.py",
             "calibration", "report_text.py", "testing.py", "scaffold.py", "__main__.py", "analysis", "report",
             "hydra_plugin.py", "hydra_guard.py", "dashboard_guard.py")
SIM_DIR = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 (first 16 hex digits) over the path and content of every ``.py`` and data file in ``sim/``
    that takes part in a run (everything but :data:`NOT_MODEL`). Works with or without git, and sees
    uncommitted edits."""
    h = hashlib.sha256()
    for path in sorted(SIM_DIR.rglob("*")):
        rel = path.relative_to(SIM_DIR)
        if not path.is_file() or rel.parts[0] in NOT_MODEL or "__pycache__" in rel.parts:
            continue
        if path.suffix not in (".py", ".csv"):
            continue
        h.update(str(rel.as_posix()).encode() + b"\0" + path.read_bytes() + b"\0")
    from sim.components import plugin_files

    for path in sorted(plugin_files()):              # components from outside sim/ (SIM_PLUGINS, entry points)
        h.update(b"plugin:" + path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in KEY_PACKAGES:
        try:
            out[pkg] = importlib_metadata.version(pkg)
        except importlib_metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def run_config(cfg: Config) -> dict:
    """The part of a config that determines a run: everything but ``output`` and ``replications``."""
    data = to_dict(cfg)
    data.pop("output", None)
    data.pop("replications", None)
    return data


def input_files(data: Any, prefix: str = "") -> dict[str, str]:
    """``{dotted key: sha256}`` for every text value of the config that names an existing file
    (e.g. ``region.csv``): the file's content is part of the run, not only its name."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(input_files(v, f"{prefix}{k}."))
    elif isinstance(data, str) and data and os.path.isfile(data):
        out[prefix.rstrip(".")] = file_sha256(data)
    return out


def file_sha256(path: str | Path) -> str:
    st = os.stat(path)
    return _file_sha256(str(Path(path).resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def key_material(cfg: Config) -> dict:
    """Everything the key is the hash of (also stored in the entry's metadata)."""
    data = run_config(cfg)
    return {"format_version": FORMAT_VERSION, "config": data, "inputs": input_files(data),
            "code_version": code_version(), "packages": package_versions()}


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def run_key(cfg: Config) -> str:
    """The run's content address: 32 hex digits (128 bits) of SHA-256 over :func:`key_material`.

    >>> import dataclasses
    >>> from sim.config import Config
    >>> run_key(Config(seed=1)) == run_key(Config(seed=1, output=dataclasses.replace(Config().output, name="x")))
    True
    >>> run_key(Config(seed=1)) == run_key(Config(seed=2))
    False
    """
    return hashlib.sha256(canonical(key_material(cfg)).encode()).hexdigest()[:32]


def host_tag() -> str:
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


def tmp_name(name: str) -> str:
    """A temporary sibling name that says which host and process writes it (see :func:`remove_stale`)."""
    return f".{name}.tmp-{host_tag()}"


def remove_stale(folder: Path) -> int:
    """Remove temporary folders and files left in ``folder`` by processes of this host that are gone
    (kill -9 while writing); returns how many. Those of other hosts are left alone."""
    if not folder.is_dir():
        return 0
    host = socket.gethostname().split(".")[0]
    removed = 0
    for p in folder.iterdir():
        if not p.name.startswith(".") or ".tmp-" not in p.name:
            continue
        tag = p.name.rsplit(".tmp-", 1)[1]
        h, _, pid = tag.rpartition("-")
        if h != host or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def file_record(path: Path) -> dict:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def check_files(folder: Path, files: dict) -> str | None:
    """None if every file listed in ``files`` is there with its size and checksum, else what is wrong."""
    for name, rec in files.items():
        p = folder / name
        if not p.is_file():
            return f"{name} is missing"
        if p.stat().st_size != rec["bytes"]:
            return f"{name} has {p.stat().st_size} bytes, not {rec['bytes']}"
        if hashlib.sha256(p.read_bytes()).hexdigest() != rec["sha256"]:
            return f"{name} does not match its checksum"
    return None


def read_metadata(folder: Path) -> tuple[dict | None, str | None]:
    """(metadata, None) for a whole run folder, or (None, what is wrong)."""
    try:
        meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "metadata.json is missing"
    except (OSError, ValueError) as err:
        return None, f"metadata.json is not readable JSON ({type(err).__name__})"
    if not isinstance(meta, dict):
        return None, "metadata.json does not hold a record"
    if meta.get("format_version") != FORMAT_VERSION:
        return None, (f"result format version {meta.get('format_version')!r}; this version of sim reads "
                      f"{FORMAT_VERSION} (rerun to recompute it)")
    files = meta.get("files")
    if not isinstance(files, dict) or not all(f in files for f in BASE_FILES):
        return None, "metadata.json lists no checksums"
    problem = check_files(folder, files)
    return (None, problem) if problem else (meta, None)


class Store:
    """The cache folder. ``get`` returns a verified entry or None; ``put`` writes one atomically."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str, network: bool = False) -> Path | None:
        entry = self.path(key)
        if not entry.exists():
            return None
        meta, problem = read_metadata(entry)
        if problem is None and meta.get("key") != key:
            problem = f"its metadata holds key {meta.get('key')!r}"
        if problem is not None:
            self.discard(entry, problem)
            return None
        if network and not all(f in meta["files"] for f in NETWORK_FILES):
            return None
        return entry

    def discard(self, entry: Path, problem: str) -> None:
        """Move a damaged entry aside (never delete what someone may want to look at) and say so."""
        aside = self.root / ".damaged" / f"{entry.name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        try:
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.rename(entry, aside)
            where = f"moved to {aside}"
        except OSError:
            where = "left in place"
        print(f"warning: cache entry {entry.name} is damaged ({problem}); {where}, the run is recomputed",
              file=sys.stderr, flush=True)

    def typical_seconds(self, default: float = 1.0) -> float:
        """The median time of the last runs stored here (for time estimates), or ``default``."""
        try:
            with open(self.root / ".timings", "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 2048))
                values = [float(x) for x in fh.read().split()[1:]]
        except (OSError, ValueError):
            return default
        return sorted(values)[len(values) // 2] if values else default

    def put(self, key: str, result, seconds: float) -> Path:
        """Store a RunResult under ``key``. If a verified entry with at least these files exists (another
        process stored it meanwhile), it is kept; an entry without the network tables is replaced by one
        with them."""
        from sim.results import write_files

        entry = self.path(key)
        entry.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(entry.parent)              # what a process killed while storing here left behind
        tmp = entry.with_name(tmp_name(key))
        try:
            tmp.mkdir()
            files = write_files(result, tmp, {"key": key, "key_material": key_material(result.config),
                                              "seconds": round(seconds, 4)})
            old = self.get(key)
            if old is not None:
                if set(files) <= set(read_metadata(old)[0]["files"]):
                    return entry
                aside = entry.with_name(tmp_name(key + "-old"))
                os.rename(entry, aside)
                shutil.rmtree(aside, ignore_errors=True)
            try:
                os.rename(tmp, entry)
            except OSError:
                if self.get(key) is None:               # not a race with an identical entry
                    raise
            with contextlib.suppress(OSError), open(self.root / ".timings", "a") as fh:
                fh.write(f"{seconds:.3f}\n")           # one short append: atomic among processes
            return entry
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def link_run(entry: Path, target: Path) -> Path:
    """Make ``target`` a complete run folder with the files of cache ``entry`` (hard links, or copies
    across file systems), via a temporary folder and a rename. An existing ``target`` is kept."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(tmp_name(target.name))
    try:
        tmp.mkdir()
        for f in entry.iterdir():
            try:
                os.link(f, tmp / f.name)
            except OSError:
                shutil.copy2(f, tmp / f.name)
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.exists():
                raise
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

