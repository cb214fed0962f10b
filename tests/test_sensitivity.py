"""Sensitivity analysis: the experiment file's ranges lie within the hard bounds and say why; the
analysis helpers compute what the textbook says (a linear function, the Ishigami function); a Morris
design of 4 parameters gives the same indices through the sweep runner as through SALib directly,
exactly zero for a parameter that cannot act; and experiments/sensitivity/run.py chains both stages."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis import sensitivity as SA
from sim.cli import main
from sim.config import iter_params

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "configs" / "experiment" / "sensitivity.yaml"
FOUR = ["funding.budget_per_head_year", "needs.water.idea_rate", "actors.capacity_per_100k",
        "service_organisation.expertise"]


def uncertainties() -> dict:
    return yaml.safe_load(EXPERIMENT.read_text())["hydra"]["sweeper"]["uncertainties"]


def test_ranges_lie_within_the_hard_bounds_and_each_says_why():
    params = dict(iter_params())
    assert len(uncertainties()) == 16
    for key, spec in uncertainties().items():
        meta = params[key].metadata
        assert spec["low"] < spec["high"] and spec["basis"], key
        low, high = meta["low"], meta["high"]
        assert low is None or (spec["low"] > low if meta["low_open"] else spec["low"] >= low), key
        assert high is None or (spec["high"] < high if meta["high_open"] else spec["high"] <= high), key


def test_a_range_outside_the_hard_bounds_stops_the_sweep_before_any_run(tmp_path, capsys):
    (tmp_path / "x" / "experiment").mkdir(parents=True)
    (tmp_path / "x" / "experiment" / "wide.yaml").write_text(
        "# @package _global_\nhydra:\n  mode: MULTIRUN\n  sweeper:\n    design: {kind: lhs, samples: 5}\n"
        "    uncertainties:\n      trust.forgetting_positive: {low: 0.9, high: 1.5}\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["+experiment=wide", f"hydra.searchpath=[file://{tmp_path / 'x'}]", f"output.sweep_dir={tmp_path / 's'}",
              f"output.cache_dir={tmp_path / 'c'}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'trust.forgetting_positive' = " in err[0] and "is out of range; allowed: (0, 1]" in err[0]
    assert not (tmp_path / 's').exists() and not (tmp_path / 'c').exists()


def test_morris_helper_gives_effects_per_full_range_on_a_linear_function():
    from SALib.sample import morris

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1], [0, 2], [5, 6]]}
    X = morris.sample(problem, 8, num_levels=4, seed=3)
    y = 3 * X[:, 0] - 2 * X[:, 1]                        # c does nothing
    idx = SA.morris_indices(problem, X, pd.DataFrame({"y": y}), levels=4, seed=3).set_index("parameter")
    assert idx.loc["a", "mu_star"] == pytest.approx(3) and idx.loc["b", "mu"] == pytest.approx(-4)
    assert idx.loc["c", "mu_star"] == 0 and idx.sigma.abs().max() == pytest.approx(0, abs=1e-9)
    y[5] = np.nan                                        # an undefined output removes its trajectory
    idx = SA.morris_indices(problem, X, pd.DataFrame({"y": y}), levels=4, seed=3).set_index("parameter")
    assert (idx.trajectories_used == 7).all() and idx.loc["a", "mu_star"] == pytest.approx(3)


def test_sobol_helper_reproduces_the_ishigami_indices():
    from SALib.sample import sobol
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    X = sobol.sample(problem, 2048, calc_second_order=False, scramble=True, seed=1)
    idx = SA.sobol_indices(problem, pd.DataFrame({"y": Ishigami.evaluate(X)}), seed=1, resamples=200)
    # analytical values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008)
    np.testing.assert_allclose(idx.S1, [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(idx.ST, [0.5576, 0.4424, 0.2437], atol=0.04)


def test_a_morris_design_through_the_sweep_equals_salib_directly(tmp_path, capsys):
    """Baseline has no service organisation, so its quality bonus cannot change anything: with common
    random numbers its elementary effects are exactly zero, while more ideas and more budget matter."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    from sim.analysis.__main__ import design
    from sim.run import simulate
    from sim.testing import config_with
    from sim.config import Config

    main(["+experiment=sensitivity", "scenario=baseline", "region=saarbruecken", "horizon_months=24",
          "hydra/launcher=basic", f"hydra.sweeper.only=[{','.join(FOUR)}]", "hydra.sweeper.design.trajectories=3",
          f"output.sweep_dir={tmp_path}", "output.name=m", f"output.cache_dir={tmp_path / 'c'}"])
    design(tmp_path / "m", "approvals,funds_approved_eur", 100)
    swept = pd.read_csv(tmp_path / "m" / "analysis" / "design" / "indices.csv").set_index(["metric", "parameter"])

    spec = uncertainties()
    problem = {"num_vars": 4, "names": FOUR, "bounds": [[spec[k]["low"], spec[k]["high"]] for k in FOUR]}
    X = sample.sample(problem, 3, num_levels=4, seed=0)
    base = config_with(Config(), **{"region.preset": "saarbruecken", "horizon_months": 24})
    runs = [simulate(config_with(base, **dict(zip(FOUR, map(float, x))))).summary for x in X]
    for metric in ("approvals", "funds_approved_eur"):
        si = analyze.analyze(problem, X, np.array([r[metric] for r in runs]), num_resamples=100, num_levels=4, seed=0)
        np.testing.assert_allclose([swept.loc[(metric, k), "mu_star"] for k in FOUR], si["mu_star"], rtol=1e-12)
        np.testing.assert_allclose([swept.loc[(metric, k), "sigma"] for k in FOUR], si["sigma"], rtol=1e-12, atol=1e-12)
        assert swept.loc[(metric, "service_organisation.expertise"), "mu_star"] == 0
        for key in ("funding.budget_per_head_year", "needs.water.idea_rate"):
            assert swept.loc[(metric, key), "mu"] > 0, (metric, key)       # more budget or ideas: more approved


def test_the_two_stage_script_chains_morris_and_sobol(tmp_path, capsys):
    from experiments.sensitivity import run as sa

    morris, sobol = sa.main(["quick=true", "scenario=baseline", "region=saarbruecken", "horizon_months=12",
                             "hydra/launcher=basic", "top_k=2", f"params=[{','.join(FOUR[:3])}]", "sobol_n=4",
                             f"output.sweep_dir={tmp_path}", f"output.cache_dir={tmp_path / 'c'}", "name=q"])
    out = capsys.readouterr().out
    assert morris.name == "q-morris" and sobol.name == "q-sobol" and "Sobol over the top 2" in out
    idx = pd.read_csv(sobol / "analysis" / "design" / "indices.csv")
    assert {"S1", "ST", "S1_conf"} <= set(idx.columns) and idx.parameter.nunique() == 2
    assert len(pd.read_csv(sobol / "runs.csv")) == 4 * (2 + 2)
    with pytest.raises(SystemExit) as exit_info:
        sa.main(["top_k=0"])
    assert exit_info.value.code == 2 and "'top_k' = 0 is out of range" in capsys.readouterr().err
