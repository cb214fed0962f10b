"""A real scheduler: sweeps through hydra/launcher=slurm on a one-node SLURM 22.05 cluster started
on this machine (scripts/slurm-up; Debian's slurm-wlm and munge), then stopped (scripts/slurm-down).

Checks that a batched sweep (several runs per array task) gives byte-identical runs to joblib, that
submitting it again submits nothing, and that a job killed with scancel is completed by the rerun.
Skipped, with the reason, only where the packages cannot be installed or the daemons need root."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import with_ctrl_c

ROOT = Path(__file__).resolve().parents[1]
BASE = ["region=saarbruecken", "horizon_months=12", "scenario=baseline,klimawerk", "seed=range(2)"]


@pytest.fixture(scope="module")
def slurm():
    up = subprocess.run([str(ROOT / "scripts" / "slurm-up")], capture_output=True, text=True, timeout=600)
    if up.returncode == 3:
        pytest.skip(f"no SLURM here: {up.stderr.strip().splitlines()[-1] if up.stderr.strip() else 'slurm-up'}")
    assert up.returncode == 0, up.stderr
    yield
    subprocess.run([str(ROOT / "scripts" / "slurm-down")], capture_output=True, timeout=60)


def run(tmp, name, *args, launcher="slurm", check=True, cache="cache"):
    cmd = [sys.executable, "-m", "sim", "-m", f"hydra/launcher={launcher}", f"output.sweep_dir={tmp}",
           f"output.name={name}", f"output.cache_dir={tmp / cache}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def files(folder: Path) -> dict:
    return {(p.name, f): (p / f).read_bytes() for p in sorted((folder / "runs").iterdir())
            for f in ("timeseries.csv", "municipalities.csv", "summary.json")}


def array_tasks(folder: Path) -> int:
    return len(list((folder / ".submitit").rglob("*_log.out")))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ref")
    run(tmp, "ref", *BASE, launcher="joblib")
    return tmp / "ref"


def test_batched_slurm_sweep_equals_joblib_and_a_resubmit_submits_nothing(slurm, reference, tmp_path):
    t0 = time.perf_counter()
    out = run(tmp_path, "sl", *BASE, "hydra.sweeper.runs_per_job=2")
    first = time.perf_counter() - t0
    folder = tmp_path / "sl"
    assert "4 to run in 2 job(s) of up to 2 runs" in out.stdout
    assert array_tasks(folder) == 2                                   # two array tasks ran four runs
    assert files(folder) == files(reference)                          # byte-identical to joblib's runs
    assert "#SBATCH --job-name=sim" in next((folder / ".submitit").glob("*/*_submission.sh")).read_text()
    t0 = time.perf_counter()
    again = run(tmp_path, "sl", *BASE, "hydra.sweeper.runs_per_job=2")
    print(f"SLURM sweep of 4 runs in 2 tasks: {first:.1f} s; resubmit: {time.perf_counter() - t0:.1f} s")
    assert "4 runs; 4 complete (cache), 0 to run" in again.stdout and array_tasks(folder) == 2


def test_a_job_killed_with_scancel_is_completed_by_the_rerun(slurm, reference, tmp_path):
    """Without SLURM accounting (no slurmdbd here) submitit cannot tell a cancelled job from a running
    one and keeps waiting, so the submitting process is stopped with Ctrl-C, as a user would; with
    accounting it gets the failure itself, and the sweeper records it. Either way the rerun completes."""
    import signal

    cmd = [sys.executable, "-m", "sim", "-m", "hydra/launcher=slurm", f"output.sweep_dir={tmp_path}",
           "output.name=kill", f"output.cache_dir={tmp_path / 'cache'}", *BASE]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=with_ctrl_c)
    try:
        job = ""
        deadline = time.time() + 120
        while not job and time.time() < deadline:
            job = subprocess.run(["squeue", "-h", "-o", "%A"], capture_output=True, text=True).stdout.split()
            job = job[0] if job else ""
            time.sleep(0.2)
        assert job, "no job appeared in squeue"
        subprocess.run(["scancel", job], check=True)
        while subprocess.run(["squeue", "-h"], capture_output=True, text=True).stdout.strip() and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    folder = tmp_path / "kill"
    done = len([p for p in (folder / "runs").iterdir() if not p.name.startswith(".")])
    assert done < 4, (out[-2000:], err[-2000:])
    assert "Traceback" not in err
    assert f"interrupted: {done} of 4 runs done; the same command completes the rest" in err or "failed" in out
    rerun = run(tmp_path, "kill", *BASE)
    assert f"{4 - done} to run" in rerun.stdout
    assert files(folder) == files(reference)


def test_sbatch_is_on_path_when_slurm_runs(slurm):
    assert shutil.which("sbatch") and "idle" in subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True,
                                                               text=True).stdout
