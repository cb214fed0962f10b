"""Same seed, same result: in one process, across processes; another seed differs."""

import subprocess
import sys
from pathlib import Path

from sim.run import simulate
from tests.helpers import config

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ("timeseries.csv", "municipalities.csv", "summary.json")


def test_same_seed_same_run_in_process():
    a, b = simulate(config(seed=11, horizon_months=36)), simulate(config(seed=11, horizon_months=36))
    assert a.timeseries.equals(b.timeseries) and a.municipalities.equals(b.municipalities)


def run_process(tmp_path, name, seed):
    subprocess.run([sys.executable, "-m", "sim", "region=saarbruecken", "horizon_months=36", f"seed={seed}",
                    f"output.dir={tmp_path}", f"output.name={name}", "output.quiet=true"],
                   check=True, cwd=ROOT, timeout=300, capture_output=True)
    return {f: (tmp_path / name / f).read_bytes() for f in DATA_FILES}


def test_same_seed_identical_files_in_two_processes_other_seed_differs(tmp_path):
    first, second, other = run_process(tmp_path, "a", 5), run_process(tmp_path, "b", 5), run_process(tmp_path, "c", 6)
    assert first == second
    assert first["timeseries.csv"] != other["timeseries.csv"]


def test_global_random_state_is_untouched():
    import random

    import numpy as np
    random.seed(1), np.random.seed(1)
    before = random.random(), np.random.random()
    random.seed(1), np.random.seed(1)
    simulate(config(horizon_months=12))
    assert (random.random(), np.random.random()) == before
