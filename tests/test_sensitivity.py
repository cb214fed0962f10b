"""Sensitivity analysis (experiments/sensitivity/run.py): the analysis helpers compute what the
textbook says (a linear function, the Ishigami function), Morris screening of the model finds
parameters that matter and gives exactly zero to one that cannot, the split (cluster) route gives
the same numbers as one process, and result folders are never overwritten."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.sensitivity import run as sa

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--quick", "--scenario", "baseline", "--region", "saarbruecken", "--horizon", "24"]


def test_ranges_lie_within_the_hard_bounds_and_are_documented():
    base = sa.base_config("klimawerk", "emscher", 12)
    kept, dropped = sa.select_parameters(base)          # raises if a range leaves its hard bounds
    assert [p.key for p in kept] == [p.key for p in sa.PARAMETERS] and dropped == []
    readme = (ROOT / "experiments" / "sensitivity" / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for p in sa.PARAMETERS:
        assert p.key in rows, f"{p.key} missing from the README's parameter table"
        assert f"{p.low:g} - {p.high:g}" in rows[p.key], f"{p.key}: README range differs from run.py"


def test_parameters_of_absent_bodies_are_left_out():
    kept, dropped = sa.select_parameters(sa.base_config("baseline", "saarbruecken", 12))
    assert not any(p.key.startswith("service_organisation.") for p in kept)
    assert len(dropped) == 3 and all("service_organisation" in d for d in dropped)


def test_morris_helper_gives_effects_per_full_range_on_a_linear_function():
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1], [0, 2], [5, 6]]}
    X = sa.morris_sample(problem, 8, 4, seed=3)
    y = 3 * X[:, 0] - 2 * X[:, 1]                        # c does nothing
    idx = sa.morris_analyse(problem, X, pd.DataFrame({"y": y}), levels=4, seed=3).set_index("parameter")
    assert idx.loc["a", "mu_star"] == pytest.approx(3) and idx.loc["a", "mu"] == pytest.approx(3)
    assert idx.loc["b", "mu_star"] == pytest.approx(4) and idx.loc["b", "mu"] == pytest.approx(-4)
    assert idx.loc["c", "mu_star"] == 0 and idx.sigma.abs().max() == pytest.approx(0, abs=1e-9)
    # an undefined output removes its whole trajectory, and the table says so
    y_nan = y.copy()
    y_nan[5] = np.nan
    idx = sa.morris_analyse(problem, X, pd.DataFrame({"y": y_nan}), levels=4, seed=3).set_index("parameter")
    assert (idx.trajectories_used == 7).all() and (idx.trajectories == 8).all()
    assert idx.loc["a", "mu_star"] == pytest.approx(3)


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_helper_reproduces_the_ishigami_indices(second_order):
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sa.sobol_sample(problem, 2048, seed=1, second_order=second_order)
    idx = sa.sobol_analyse(problem, pd.DataFrame({"y": Ishigami.evaluate(X)}), second_order=second_order,
                           seed=1, resamples=200)
    # analytical values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008)
    np.testing.assert_allclose(idx.S1, [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(idx.ST, [0.5576, 0.4424, 0.2437], atol=0.04)
    assert (idx.S1_conf > 0).all() and (idx.S1_conf < 0.1).all()


def test_morris_on_the_model_finds_budget_and_ideas_and_ignores_an_absent_body():
    """Baseline has no service organisation, so its quality bonus cannot change anything: with common
    random numbers its elementary effects are exactly zero, while more ideas and more budget matter."""
    base = sa.base_config("baseline", "saarbruecken", 24)
    table = {p.key: p for p in sa.PARAMETERS}
    params = [table["funding.budget_per_head_year"], table["projects.ideas_per_100k"],
              table["service_organisation.quality_bonus"]]
    problem = sa.problem_of(params)
    X = sa.morris_sample(problem, 6, 4, seed=0)
    out = sa.evaluate(base, sa.samples_table(problem["names"], X, seed=0), problem["names"],
                      ["approvals", "funds_approved_eur"], jobs=1, progress=False)
    assert (out.error == "").all()
    idx = sa.morris_analyse(problem, X, out[["approvals", "funds_approved_eur"]], levels=4, seed=0)
    ms = idx.set_index(["metric", "parameter"])
    for metric in ("approvals", "funds_approved_eur"):
        dummy = ms.loc[(metric, "service_organisation.quality_bonus")]
        assert dummy.mu_star == 0 and dummy.sigma == 0
        for key in ("funding.budget_per_head_year", "projects.ideas_per_100k"):
            assert ms.loc[(metric, key)].mu_star > 0, (metric, key)
            assert ms.loc[(metric, key)].mu > 0, (metric, key)   # more budget or ideas: more approved


def test_split_route_matches_one_process_and_folders_are_never_overwritten(tmp_path, capsys):
    small = [*SMALL, "--params", "funding.budget_per_head_year,projects.ideas_per_100k,actors.capacity_per_100k",
             "--metrics", "approvals,funds_approved_eur", "--top-k", "2", "--sobol-n", "4", "--out", str(tmp_path)]
    whole = sa.main([*small, "--jobs", "2"])
    assert whole.name == "baseline-saarbruecken-h24-seed0-quick"
    meta = sa.read_json(whole / "metadata.json")
    assert meta["runs_total"] == 2 * (3 + 1) + 4 * (2 + 2) and meta["runtime_seconds"] > 0
    for stage, files in {"morris": ["indices.csv", "mu_star.png", "mu_star.svg", "samples.csv"],
                         "sobol": ["indices.csv", "sobol.png", "sobol.svg", "samples.csv"]}.items():
        assert all((whole / stage / f).is_file() for f in files)
    samples = pd.read_csv(whole / "morris" / "samples.csv")
    assert (samples.seed == 0).all()                                  # common random numbers

    split = sa.main([*small, "--sample-only", "--name", "split"])
    assert not (split / "morris" / "outputs.parquet").exists()
    sa.main(["--evaluate-chunk", "0/3", "--folder", str(split), "--stage", "morris", "--jobs", "1"])
    with pytest.raises(SystemExit) as err:                           # chunks 1 and 2 are missing
        sa.main(["--analyse", "--folder", str(split), "--stage", "morris"])
    assert err.value.code == 2 and "not evaluated yet" in capsys.readouterr().err
    for stage in sa.STAGES:
        for i in range(3):
            sa.main(["--evaluate-chunk", f"{i}/3", "--folder", str(split), "--stage", stage, "--jobs", "1"])
        sa.main(["--analyse", "--folder", str(split), "--stage", stage, "--no-plots"])
        for f in ("samples.csv", "indices.csv"):
            pd.testing.assert_frame_equal(pd.read_csv(whole / stage / f), pd.read_csv(split / stage / f))

    again = sa.main([*small, "--sample-only"])                       # default name taken: a suffix
    assert again.name == "baseline-saarbruecken-h24-seed0-quick-2"
    with pytest.raises(SystemExit) as err:                           # a name given by the user: refused
        sa.main([*small, "--sample-only", "--name", "split"])
    assert err.value.code == 2 and "exists already" in capsys.readouterr().err
