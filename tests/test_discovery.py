"""Scenario discovery and design analysis: PRIM finds a known box with its coverage and density, and
finds the budget threshold in a Latin-hypercube sweep of the model; feature scores rank the parameter
that drives an outcome first."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import describe_box, feature_scores, prim_box
from sim.cli import main


def test_prim_finds_a_known_box_with_its_coverage_and_density():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((600, 3)), columns=["a", "b", "c"])
    y = ((x.a > 0.6) & (x.b < 0.3)).to_numpy()               # 12 % of the unit cube; c is irrelevant
    result = prim_box(x, y, min_density=0.9)
    lims = result["limits"].set_index("parameter")
    assert lims.loc["a", "low"] == pytest.approx(0.6, abs=0.05) and lims.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert not lims.loc["c", "restricted"] and lims.loc["a", "restricted"] and lims.loc["b", "restricted"]
    assert result["stats"]["density"] >= 0.9 and result["stats"]["coverage"] >= 0.8
    text = describe_box(result, "y")
    assert text.startswith("y when a in [0.") and "coverage" in text and "density" in text


def test_feature_scores_rank_the_driving_parameter_first():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((200, 3)), columns=["a", "b", "c"])
    scores = feature_scores(x, {"y": (5 * x.a + 0.5 * x.b).to_numpy()}, seed=0)
    assert scores.y.idxmax() == "a" and scores.y.sum() == pytest.approx(1)


def test_prim_on_a_latin_hypercube_sweep_of_the_model(tmp_path, capsys):
    from sim.analysis.__main__ import main as analysis

    user = tmp_path / "user" / "experiment"
    user.mkdir(parents=True)
    (user / "budget.yaml").write_text(
        "# @package _global_\nhydra:\n  mode: MULTIRUN\n  sweeper:\n    design: {kind: lhs, samples: 30, seed: 1}\n"
        "    uncertainties:\n      funding.budget_per_head_year: {low: 0.0, high: 3.0}\n"
        "      trust.forgetting_positive: {low: 0.98, high: 0.995}\n")
    main(["+experiment=budget", f"hydra.searchpath=[file://{tmp_path / 'user'}]", "region=saarbruecken",
          "horizon_months=24", "hydra/launcher=basic", f"output.sweep_dir={tmp_path}", "output.name=lhs",
          f"output.cache_dir={tmp_path / 'c'}"])
    capsys.readouterr()
    folder = tmp_path / "lhs"
    analysis(["prim", str(folder), "--metric", "funds_approved_eur", "--below", "1", "--density", "0.9"])
    out = capsys.readouterr().out
    box = pd.read_csv(folder / "analysis" / "prim" / "box.csv").set_index("parameter")
    # no approved funds only where the budget is (near) zero; the forgetting rate does not matter
    assert box.loc["funding.budget_per_head_year", "restricted"] and box.loc["funding.budget_per_head_year", "high"] < 1
    assert not box.loc["trust.forgetting_positive", "restricted"]
    assert "funds_approved_eur < 1 when funding.budget_per_head_year in [" in out
    assert (folder / "analysis" / "prim" / "trajectory.png").is_file()
    analysis(["design", str(folder), "--metrics", "approvals"])
    scores = pd.read_csv(folder / "analysis" / "design" / "feature_scores.csv").set_index("parameter")
    assert scores.approvals.idxmax() == "funding.budget_per_head_year"
    assert (folder / "analysis" / "design" / "outcomes_approvals.png").is_file()
