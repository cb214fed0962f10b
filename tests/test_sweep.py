"""Sweeps: one tidy table, resumable after kill -9, failures recorded, seeds from the config,
replications equal separate jobs, launchers agree, bad values stop before any run."""

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
from sim.sweep import run_sweep_job
from tests.helpers import config

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["region=saarbruecken", "horizon_months=12"]


def sweep(tmp_path, *args, name="s", launcher="basic", timeout=600):
    cmd = [sys.executable, "-m", "sim", "-m", *SMALL, f"output.sweep_dir={tmp_path}", f"output.name={name}",
           f"hydra/launcher={launcher}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return tmp_path / name, proc


def run_files(folder):
    return {p.name: (p / "timeseries.csv").read_bytes() for p in sorted((folder / "runs").iterdir())}


def test_sweep_writes_one_tidy_table_with_progress(tmp_path):
    folder, proc = sweep(tmp_path, "scenario=baseline,culture_events", "seed=range(2)")
    assert "[4/4]" in proc.stdout and "Sweep s: 4 complete runs of 4" in proc.stdout
    ts = pd.read_parquet(folder / "timeseries.parquet")
    assert ts.columns[0] == "run_id" and {"scenario", "seed", "step", "metric", "value"} <= set(ts.columns)
    assert ts.run_id.nunique() == 4 and set(ts.scenario) == {"baseline", "culture_events"}
    assert not ts.duplicated(["run_id", "step", "metric"]).any()
    assert (ts.groupby("run_id").step.max() == 12).all()


def test_killed_sweep_resumes_with_no_duplicate_and_no_lost_rows(tmp_path):
    reference, _ = sweep(tmp_path / "ref", "seed=range(6)", name="ref")
    cmd = [sys.executable, "-m", "sim", "-m", *SMALL, "seed=range(6)", f"output.sweep_dir={tmp_path}",
           "output.name=k", "hydra/launcher=basic"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    runs = tmp_path / "k" / "runs"
    deadline = time.time() + 300
    while time.time() < deadline and (not runs.is_dir() or len([p for p in runs.iterdir()
                                                                if not p.name.startswith(".")]) < 2):
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {p.name for p in runs.iterdir() if not p.name.startswith(".")}
    assert 2 <= len(done_before) < 6
    folder, out = sweep(tmp_path, "seed=range(6)", name="k")
    assert out.stdout.count("already done, skipped") == len(done_before)
    assert run_files(folder) == run_files(reference)                  # same runs, byte for byte
    ts = pd.read_parquet(folder / "timeseries.parquet")
    ref = pd.read_parquet(reference / "timeseries.parquet")
    assert len(ts) == len(ref) and not ts.duplicated(["run_id", "step", "metric"]).any()


def test_extending_a_sweep_changes_no_existing_run(tmp_path):
    folder, _ = sweep(tmp_path, "seed=1,0", name="e")
    before = run_files(folder)
    folder, out = sweep(tmp_path, "seed=range(3)", name="e")
    after = run_files(folder)
    assert {k: after[k] for k in before} == before and len(after) == 3
    assert out.stdout.count("already done, skipped") == 2


def test_replications_in_one_job_equal_separate_jobs(tmp_path):
    one_job = tmp_path / "one"
    run_sweep_job(config(seed=4, replications=3, horizon_months=12, **{"region.preset": "saarbruecken"}),
                  one_job, ["seed=4", "replications=3"])
    separate = tmp_path / "sep"
    for s in (4, 5, 6):
        run_sweep_job(config(seed=s, horizon_months=12, **{"region.preset": "saarbruecken"}), separate, [f"seed={s}"])
    assert run_files(one_job) == run_files(separate)


def test_a_crashing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    import sim.run

    real = sim.run.simulate

    def flaky(cfg, **kw):
        if cfg.seed == 1:
            raise RuntimeError("injected fault")
        return real(cfg, **kw)

    monkeypatch.setattr(sim.run, "simulate", flaky)
    run_sweep_job(config(seed=0, replications=3, horizon_months=6, **{"region.preset": "saarbruecken"}),
                  tmp_path, ["replications=3"])
    c = collect(tmp_path)
    assert sorted(c.runs.status) == ["complete", "complete", "failed"]
    assert "injected fault" in c.failed[0]["error"] and "Traceback" in c.failed[0]["traceback"]
    assert set(c.timeseries.seed) == {0, 2}
    monkeypatch.setattr(sim.run, "simulate", real)                    # the fault is gone: rerun completes it
    run_sweep_job(config(seed=0, replications=3, horizon_months=6, **{"region.preset": "saarbruecken"}),
                  tmp_path, ["replications=3"])
    c = collect(tmp_path)
    assert sorted(c.runs.status) == ["complete"] * 3 and not c.failed


def test_an_invalid_value_anywhere_in_a_sweep_stops_it_before_any_run(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["-m", "seed=range(3)", "horizon_months=12,0", f"output.sweep_dir={tmp_path}"])
    assert exit_info.value.code == 2
    assert "'horizon_months' = 0 is out of range" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_basic_and_joblib_launchers_give_byte_identical_runs(tmp_path):
    basic, _ = sweep(tmp_path, "seed=range(3)", "scenario=baseline,broker_group", name="b", launcher="basic")
    joblib, _ = sweep(tmp_path, "seed=range(3)", "scenario=baseline,broker_group", name="j", launcher="joblib")
    assert run_files(basic) == run_files(joblib)


def test_submitit_local_launcher_runs_the_same_sweep(tmp_path):
    basic, _ = sweep(tmp_path, "seed=range(2)", name="b", launcher="basic")
    sub, _ = sweep(tmp_path, "seed=range(2)", name="sub", launcher="submitit_local")
    assert run_files(sub) == run_files(basic)


def test_summary_statistics_match_a_hand_computation(tmp_path):
    folder, _ = sweep(tmp_path, "seed=range(5)", name="a")
    final = pd.read_csv(folder / "final.csv")
    row = summarise(final, []).set_index("metric").loc["ideas"]
    values = final[final.metric == "ideas"].value
    assert row.n == 5 and row["mean"] == pytest.approx(values.mean())
    from scipy import stats
    hw = stats.t.ppf(0.975, 4) * values.std(ddof=1) / 5 ** 0.5
    assert row.ci_high - row["mean"] == pytest.approx(hw)
    assert json.loads((folder / "sweep.json").read_text())["total_runs"] == 5
