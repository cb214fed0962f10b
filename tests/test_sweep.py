"""Sweeps: one tidy table, resumable after kill -9, failures recorded, seeds from the config,
replications equal separate runs, launchers agree, bad values stop before any run, and every run
comes from the content-addressed cache (issue 16, item 1)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.aggregate import summarise
from sim.analysis.collect import collect
from sim.cli import main
from tests.helpers import sweep_in_process

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["region=saarbruecken", "horizon_months=12"]


def sweep(tmp_path, *args, name="s", launcher="basic", timeout=600):
    """A sweep in a separate process (as a user runs it); the cache is tmp_path/cache."""
    cmd = [sys.executable, "-m", "sim", "-m", *SMALL, f"output.sweep_dir={tmp_path}", f"output.name={name}",
           f"output.cache_dir={tmp_path / 'cache'}", f"hydra/launcher={launcher}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp_path / name, proc


def sweep_here(tmp_path, capsys, *args, name="s", code=0):
    """The same in this process (faster, basic launcher); returns the folder and the printed text."""
    folder, out, err = sweep_in_process(tmp_path, capsys, [*SMALL, "hydra/launcher=basic"], *args, name=name, code=code)
    return folder, out + err


def workers_of(pid: int) -> list[int]:
    """Live processes started by sweeping process ``pid`` (they carry SIM_SWEEP_PARENT=pid)."""
    found = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"SIM_SWEEP_PARENT={pid}".encode() in env.read_bytes().split(b"\0"):
                found.append(int(env.parent.name))
        except OSError:
            pass
    return found


def run_files(folder):
    return {p.name: (p / "timeseries.csv").read_bytes() for p in sorted((folder / "runs").iterdir())}


def test_sweep_writes_one_tidy_table_with_progress(tmp_path, capsys):
    folder, out = sweep_here(tmp_path, capsys, "scenario=baseline,culture_events", "seed=range(2)")
    assert "[4/4]" in out and "Sweep s: 4 of 4 runs complete" in out
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert ts.columns[0] == "run_id" and {"scenario", "seed", "step", "metric", "value"} <= set(ts.columns)
    assert ts.run_id.nunique() == 4 and set(ts.scenario) == {"baseline", "culture_events"}
    assert not ts.duplicated(["run_id", "step", "metric"]).any()
    assert (ts.groupby("run_id").step.max() == 12).all()


def test_killed_sweep_resumes_with_no_duplicate_and_no_lost_rows(tmp_path):
    reference, _ = sweep(tmp_path / "ref", "seed=range(6)", name="ref")
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "sim", "-m", *SMALL, "seed=range(6)", f"output.sweep_dir={tmp_path}",
           "output.name=k", f"output.cache_dir={cache}", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    runs = tmp_path / "k" / "runs"
    deadline = time.time() + 300
    while time.time() < deadline and (not runs.is_dir() or len([p for p in runs.iterdir()
                                                                if not p.name.startswith(".")]) < 2):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)                 # the parent only: its joblib workers must not live on
    proc.wait()
    done_before = {p.name for p in runs.iterdir() if not p.name.startswith(".")}
    assert 2 <= len(done_before) < 6
    time.sleep(3)                                     # workers notice within a second that their parent is gone
    assert workers_of(proc.pid) == []
    folder, out = sweep(tmp_path, "seed=range(6)", name="k")
    assert f"{len(done_before)} complete (cache)" in out.stdout or "complete (cache)" in out.stdout
    assert run_files(folder) == run_files(reference)                  # same runs, byte for byte
    ts = pd.read_parquet(folder / "timeseries.parquet")
    ref = pd.read_parquet(reference / "timeseries.parquet")
    assert len(ts) == len(ref) and not ts.duplicated(["run_id", "step", "metric"]).any()
    assert not [p for p in runs.iterdir() if p.name.startswith(".")]   # no temporary folder left


def test_extending_a_sweep_changes_no_existing_run_and_records_both_commands(tmp_path, capsys):
    folder, _ = sweep_here(tmp_path, capsys, "seed=1,0", name="e")
    before = run_files(folder)
    folder, out = sweep_here(tmp_path, capsys, "seed=range(3)", name="e")
    after = run_files(folder)
    assert {k: after[k] for k in before} == before and len(after) == 3
    assert "3 runs; 2 complete (cache), 1 to run" in out
    info = json.loads((folder / "sweep.json").read_text())
    assert [i["runs"] for i in info["invocations"]] == [2, 3]
    assert any("seed=range(3)" in " ".join(i["command"]) for i in info["invocations"])


def test_other_seeds_into_the_same_folder_are_counted_right(tmp_path, capsys):
    sweep_here(tmp_path, capsys, "seed=0,1", name="two")
    folder, out = sweep_here(tmp_path, capsys, "seed=5,6", name="two")
    assert "Sweep two: 4 of 4 runs complete, 0 failed, 0 missing (from 2 commands)" in out


def test_replications_in_one_job_equal_separate_runs_and_come_from_the_cache(tmp_path, capsys):
    separate, _ = sweep_here(tmp_path, capsys, "seed=4,5,6", name="sep")
    one_job, out = sweep_here(tmp_path, capsys, "seed=4", "replications=3", name="one")
    assert run_files(one_job) == run_files(separate)
    assert "3 runs; 3 complete (cache), 0 to run" in out         # computed once, in another folder


def test_overlapping_replications_run_once(tmp_path, capsys):
    folder, out = sweep_here(tmp_path, capsys, "seed=range(5)", "replications=3", name="ov")
    assert "Sweep ov: 7 runs (8 asked twice, run once)" in out and len(run_files(folder)) == 7


def test_a_rerun_with_nothing_to_do_launches_no_job(tmp_path, capsys):
    sweep_here(tmp_path, capsys, "seed=0,1", name="r")
    _, out = sweep_here(tmp_path, capsys, "seed=0,1", name="r")
    assert "2 runs; 2 complete (cache), 0 to run" in out and "Launching" not in out


def test_a_crashing_run_is_recorded_and_the_sweep_goes_on(tmp_path, capsys, monkeypatch):
    import sim.run

    real = sim.run.simulate

    def flaky(cfg, **kw):
        if cfg.seed == 1:
            raise RuntimeError("injected fault")
        return real(cfg, **kw)

    monkeypatch.setattr(sim.run, "simulate", flaky)
    folder, out = sweep_here(tmp_path, capsys, "seed=range(3)", name="f")
    c = collect(folder)
    assert sorted(c.runs.status) == ["complete", "complete", "failed"]
    assert "injected fault" in c.failed.error.iloc[0] and "1 failed" in out
    assert set(c.timeseries.seed) == {0, 2}
    monkeypatch.setattr(sim.run, "simulate", real)                    # the fault is gone: rerun completes it
    sweep_here(tmp_path, capsys, "seed=range(3)", name="f")
    c = collect(folder)
    assert sorted(c.runs.status) == ["complete"] * 3 and c.failed.empty


def test_an_invalid_value_anywhere_in_a_sweep_stops_it_before_any_run(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["-m", "seed=range(3)", "horizon_months=12,0", f"output.sweep_dir={tmp_path}",
              f"output.cache_dir={tmp_path / 'cache'}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: 'horizon_months' = 0 is out of range; allowed: [1, 1200] months"]
    assert list(tmp_path.iterdir()) == []


def test_basic_and_joblib_launchers_give_byte_identical_runs(tmp_path):
    basic, _ = sweep(tmp_path / "a", "seed=range(3)", "scenario=baseline,broker_group", name="b", launcher="basic")
    joblib, _ = sweep(tmp_path / "b", "seed=range(3)", "scenario=baseline,broker_group", name="j", launcher="joblib")
    assert run_files(basic) == run_files(joblib)


def test_submitit_local_launcher_runs_the_same_sweep(tmp_path):
    basic, _ = sweep(tmp_path / "a", "seed=range(2)", name="b", launcher="basic")
    sub, _ = sweep(tmp_path / "b", "seed=range(2)", name="sub", launcher="submitit_local")
    assert run_files(sub) == run_files(basic)


def test_summary_statistics_match_a_hand_computation(tmp_path, capsys):
    folder, _ = sweep_here(tmp_path, capsys, "seed=range(5)", name="a")
    final = pd.read_csv(folder / "final.csv")
    row = summarise(final, []).set_index("metric").loc["ideas"]
    values = final[final.metric == "ideas"].value
    assert row.n == 5 and row["mean"] == pytest.approx(values.mean())
    from scipy import stats
    hw = stats.t.ppf(0.975, 4) * values.std(ddof=1) / 5 ** 0.5
    assert row.ci_high - row["mean"] == pytest.approx(hw)
    assert json.loads((folder / "sweep.json").read_text())["invocations"][0]["runs"] == 5
