"""Fault injection (issue 18, checks and item 8): a sweep and a comparison killed with SIGKILL at
seeded random moments, again and again, then completed by the same command, end with the same
tables as an uninterrupted run, byte for byte, with no duplicate and no temporary left; a full disk
while writing a record or a table gives one line, no traceback and no temporary file.

The killed commands run in forked copies of this process (the imports are already done, so each
start costs milliseconds, not seconds); each is reaped before the next starts, as a shell would."""

import errno
import os
import re
import random
import signal
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main as sim_main
from sim.compare import main as compare_main

SWEEP = ["-m", "region=saarbruecken", "horizon_months=6", "seed=range(4)", "hydra/launcher=basic",
         "hydra.sweeper.runs_per_job=2"]
COMPARE = ["region=saarbruecken", "horizon_months=6", "replications=2", "scenarios=[baseline,klimawerk]",
           "explain=0", "robustness=0", "jobs=1", "name=c"]
KILLS = {"sweep": 12, "compare": 8}      # 20 seeded moments in all (a comparison takes longer)


def in_child(cwd: Path, entry, argv: list[str]) -> int:
    """Fork; the child runs ``entry(argv)`` in ``cwd`` with its output discarded. Returns the pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:                                                   # the child: never returns to pytest
        code = 0
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.chdir(cwd)
            entry(argv)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def finish(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def run_through(cwd, entry, argv) -> float:
    t0 = time.perf_counter()
    code = finish(in_child(cwd, entry, argv))
    assert code == 0, f"{argv} exited with {code}"
    return time.perf_counter() - t0


def reference(cwd, entry, argv, monkeypatch, capsys) -> float:
    """The uninterrupted run, in this process: it also loads every module the command needs, so the
    forked copies start warm and the kill moments spread over the command's own work."""
    monkeypatch.chdir(cwd)
    t0 = time.perf_counter()
    entry(argv)
    capsys.readouterr()
    return time.perf_counter() - t0


def kill_chain(cwd, entry, argv, duration: float, rng: random.Random, kills: int) -> list[str]:
    """Start the command ``kills`` times and SIGKILL it at a seeded moment within the time it takes;
    each start resumes what the killed one left. A start that finishes first sets the span of the
    next moments to its own time (less is left to do each time). Returns what happened each time."""
    seen, span = [], duration
    for _ in range(kills):
        delay = rng.uniform(0.02, span)
        pid = in_child(cwd, entry, argv)
        t0 = time.perf_counter()
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            elapsed = time.perf_counter() - t0
            if done:
                code = os.waitstatus_to_exitcode(status)
                assert code == 0, f"{argv} exited with {code} before it was killed"
                seen.append(f"finished after {elapsed:.2f} s, before the kill at {delay:.2f} s")
                span = elapsed
                break
            if elapsed >= delay:
                os.kill(pid, signal.SIGKILL)
                assert finish(pid) == -signal.SIGKILL
                seen.append(f"killed after {delay:.2f} s")
                break
            time.sleep(0.005)
    return seen


def leftovers(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*") if ".tmp-" in p.name]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_sweep_killed_at_seeded_moments_ends_with_the_uninterrupted_tables(tmp_path, monkeypatch, capsys):
    rng = random.Random(18)
    ref = tmp_path / "ref"
    duration = reference(tmp_path, sim_main, [*SWEEP, f"output.sweep_dir={tmp_path}", "output.name=ref",
                                               f"output.cache_dir={tmp_path / 'cache_ref'}"], monkeypatch, capsys)
    argv = [*SWEEP, f"output.sweep_dir={tmp_path}", "output.name=k", f"output.cache_dir={tmp_path / 'cache_k'}"]
    moments = kill_chain(tmp_path, sim_main, argv, duration, rng, KILLS["sweep"])
    print(f"reference {duration:.2f} s;", moments)
    assert sum(m.startswith("killed") for m in moments) >= KILLS["sweep"] // 2, moments
    run_through(tmp_path, sim_main, argv)
    folder = tmp_path / "k"
    for table in ("final.csv", "runs.csv"):
        ours, theirs = pd.read_csv(folder / table), pd.read_csv(ref / table)
        same = [c for c in theirs.columns if c not in ("seconds", "created_utc", "label")]   # label: output.* given
        pd.testing.assert_frame_equal(ours[same], theirs[same])
    assert (folder / "final.csv").read_bytes() == (ref / "final.csv").read_bytes()
    assert len(list((folder / "runs").iterdir())) == 4 and leftovers(folder) == []
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert not ts.duplicated(["run_id", "step", "metric"]).any()
    pd.testing.assert_frame_equal(ts, pd.read_parquet(ref / "timeseries.parquet"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_comparison_killed_at_seeded_moments_ends_with_the_uninterrupted_report(tmp_path, monkeypatch, capsys):
    rng = random.Random(1818)
    (tmp_path / "ref").mkdir()
    (tmp_path / "k").mkdir()
    duration = reference(tmp_path / "ref", compare_main, [*COMPARE, f"output.cache_dir={tmp_path / 'cache_ref'}"],
                         monkeypatch, capsys)
    argv = [*COMPARE, f"output.cache_dir={tmp_path / 'cache_k'}"]
    moments = kill_chain(tmp_path / "k", compare_main, argv, duration, rng, KILLS["compare"])
    print(f"reference {duration:.2f} s;", moments)
    assert sum(m.startswith("killed") for m in moments) >= KILLS["compare"] // 2, moments
    run_through(tmp_path / "k", compare_main, argv)
    ours, ref = tmp_path / "k" / "results" / "compare" / "c", tmp_path / "ref" / "results" / "compare" / "c"
    for table in ("en/summary.csv", "en/differences.csv", "final.csv"):
        assert (ours / table).read_bytes() == (ref / table).read_bytes(), table
    assert len(list((ours / "runs").iterdir())) == 4 and leftovers(ours) == []
    report = (ours / "en" / "report.html").read_text(encoding="utf-8")
    assert "6 months simulated" in report and not re.search(r"\b0 years", report)          # a 6-month run, not "0 years"


# -- a full disk while writing records and tables (item 8) ------------------------------------------


def full_disk_for(monkeypatch, name: str):
    """Writing a file called ``name`` (or its temporary) fails with ENOSPC, everything else works."""
    import sim.sweep

    real = sim.sweep.write_json

    def write_json(data, path):
        if path.name == name:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(data, path)

    monkeypatch.setattr(sim.sweep, "write_json", write_json)


def one_line(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("error: ") and fragment in lines[-1] and "Traceback" not in err, err
    assert not [line for line in lines if line.startswith(("error", "warning", "Traceback"))][:-1], err


def test_a_full_disk_while_writing_the_sweep_record_gives_one_line(tmp_path, capsys, monkeypatch):
    full_disk_for(monkeypatch, "sweep.json")
    with pytest.raises(SystemExit) as exit_info:
        sim_main([*SWEEP[:3], "seed=0,1", "hydra/launcher=basic", f"output.sweep_dir={tmp_path}", "output.name=f",
                  f"output.cache_dir={tmp_path / 'cache'}"])
    assert exit_info.value.code == 2
    one_line(capsys.readouterr().err, "could not write the sweep folder: No space left on device")
    assert leftovers(tmp_path) == []


def test_a_full_disk_while_writing_the_tables_gives_one_line(tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(SystemExit) as exit_info:
        sim_main([*SWEEP[:3], "seed=0,1", "hydra/launcher=basic", f"output.sweep_dir={tmp_path}", "output.name=t",
                  f"output.cache_dir={tmp_path / 'cache'}"])
    assert exit_info.value.code == 2
    one_line(capsys.readouterr().err, "could not write timeseries.parquet")
    assert len(list((tmp_path / "t" / "runs").iterdir())) == 2 and leftovers(tmp_path) == []


def test_a_full_disk_and_a_crashing_run_inside_a_comparison_give_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    full_disk_for(monkeypatch, "comparison.json")
    with pytest.raises(SystemExit) as exit_info:
        compare_main([*COMPARE[:2], "replications=2", "explain=0", "jobs=1", f"output.cache_dir={tmp_path / 'c'}"])
    assert exit_info.value.code == 2
    one_line(capsys.readouterr().err, "could not write the comparison: No space left on device")
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    import sim.run

    def crash(cfg, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "results/cache/xx")

    monkeypatch.setattr(sim.run, "simulate", crash)
    with pytest.raises(SystemExit) as exit_info:
        compare_main([*COMPARE[:2], "replications=2", "explain=0", "robustness=0", "jobs=1", "name=crash",
                      f"output.cache_dir={tmp_path / 'c2'}"])
    assert exit_info.value.code == 2
    one_line(capsys.readouterr().err, "4 of 4 runs failed (PermissionError: [Errno 13] Permission denied")
    assert leftovers(tmp_path) == []
