"""Calibration (experiments/calibration/run.py): the distance, what is held out, a quick optimiser run,
and the calibrated scenario files it wrote (configs/scenario/*_calibrated.yaml)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.calibration import run as cal
from sim.cli import compose, main
from sim.config import iter_params

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenario"


def at_pattern(targets, factor=1.0):
    return {t.metric: t.observed * factor for t in targets}


def test_distance_is_zero_at_the_pattern_and_grows_away_from_it():
    targets = cal.P1.fitted
    assert cal.distance(at_pattern(targets), targets) == 0.0
    for direction in (1, -1):
        ds = [cal.distance(at_pattern(targets, 1 + direction * e), targets) for e in (0.01, 0.05, 0.2, 0.5)]
        assert all(0 < a < b for a, b in zip(ds, ds[1:])), ds
    one_off = {**at_pattern(targets), "ideas": 91 * 1.1}
    assert cal.distance(one_off, targets) == pytest.approx(0.01)
    assert cal.distance({**at_pattern(targets), "ideas": float("nan")}, targets) >= 1e6   # undefined = bad fit


def test_held_out_patterns_are_in_no_objective():
    held_out = cal.held_out_metrics()
    assert ("P1", "approvals") in held_out and ("P2", "broker_matches_last_year") in held_out
    assert all(f.pattern is not cal.P2 for f in cal.FITS)
    for fit in cal.FITS:
        objective_metrics = {(fit.pattern.name, t.metric) for t in fit.pattern.fitted}
        assert objective_metrics and not objective_metrics & held_out

    class FakeRunner:          # returns the observed pattern exactly, records what the objective asked for
        runs, asked = 0, []

        def values(self, pattern, candidates, seeds, keys):
            self.asked.append(list(keys))
            row = [next(t.observed for t in pattern.targets if t.metric == k) for k in keys]
            return np.tile(row, (len(candidates), len(seeds), 1)).astype(float)

    runner = FakeRunner()
    obj = cal.Objective(cal.FIT_KLIMAWERK, [0, 1], runner, log=lambda msg: None)
    assert obj(np.array([0.3, 0.8, 61_500.0])) == 0.0
    assert runner.asked == [["ideas", "applications", "funds_requested_eur"]]      # no 'approvals'


def hard_bounds(key):
    meta = dict(iter_params())[key].metadata
    return meta["low"], meta["high"], meta["low_open"], meta["high_open"]


@pytest.mark.parametrize("fit", cal.FITS, ids=lambda f: f.name)
def test_plausible_ranges_lie_inside_the_hard_bounds_and_contain_the_defaults(fit):
    defaults = cal.default_values(fit)
    for p in fit.params:
        low, high, low_open, high_open = hard_bounds(p.key)
        assert p.low < p.high and p.why
        assert low is None or (p.low > low if low_open else p.low >= low), p.key
        assert high is None or (p.high < high if high_open else p.high <= high), p.key
        assert p.low <= defaults[p.key] <= p.high, p.key


def test_quick_run_improves_on_the_starting_point_and_writes_its_folder(tmp_path, capsys):
    installed = SCENARIOS / "klimawerk_calibrated.yaml"
    before = installed.stat().st_mtime_ns if installed.exists() else None
    folder = cal.main(["quick=true", "only=klimawerk", "seeds=2", "jobs=2", f"out={tmp_path}",
                       f"output.cache_dir={tmp_path / 'cache'}", f"output.sweep_dir={tmp_path / 'sweeps'}"])
    assert "runtime" in capsys.readouterr().out
    params = pd.read_csv(folder / "params.csv")
    assert (params.distance_fitted < params.distance_default).all(), params
    trace = pd.read_csv(folder / "trace.csv")
    assert trace.distance.min() == pytest.approx(params.distance_fitted.iloc[0])
    fit = pd.read_csv(folder / "fit.csv")
    roles = {(r.pattern, r.metric): r.role for r in fit.itertuples()}
    assert roles[("P1", "ideas")] == "fitted" and roles[("P1", "approvals")] == "held out"
    assert roles[("P2", "broker_matches_last_year")] == "held out"
    assert {"observed_in_ci", "observed_in_pi", "ci_low", "pi_high"} <= set(fit.columns)
    assert (folder / "report.md").read_text().startswith("# Calibration report")
    copy = yaml.safe_load((folder / "klimawerk_calibrated.yaml").read_text())
    for p in cal.FIT_KLIMAWERK.params:
        node = copy
        for part in p.key.split("."):
            node = node[part]
        assert node == params.set_index("parameter").fitted[p.key]
    # the runs are cached: the same quick run again computes nothing
    again = cal.main(["quick=true", "only=klimawerk", "seeds=2", "jobs=2", f"out={tmp_path}",
                      f"output.cache_dir={tmp_path / 'cache'}", f"output.sweep_dir={tmp_path / 'sweeps'}"])
    assert pd.read_csv(again / "params.csv").fitted.tolist() == params.fitted.tolist()
    # quick mode never touches configs/scenario, and a second run gets a new folder
    after = installed.stat().st_mtime_ns if installed.exists() else None
    assert before == after
    assert cal.unique_folder(tmp_path, folder.name) == tmp_path / f"{folder.name}-3"


def test_rendered_scenario_keeps_the_base_and_sets_the_fitted_values():
    params = cal.FIT_PRIMA.params + (cal.Param("funding.cofinancing_share", 0, 0.5, "test"),)
    base_text = (SCENARIOS / "prima_klima.yaml").read_text()
    text = cal.render_scenario(base_text, "prima_klima", "prima_klima_calibrated",
                               {"second_programme.hurdle_ratio": 2.5, "funding.cofinancing_share": 0.3},
                               params, ["header"], {"second_programme.hurdle_ratio": "fitted"})
    assert text.startswith("# @package _global_\n# header\n")
    got, base = yaml.safe_load(text), yaml.safe_load(base_text)
    assert got["scenario"]["name"] == "prima_klima_calibrated"
    assert got["second_programme"] == {**base["second_programme"], "hurdle_ratio": 2.5}
    assert got["funding"] == {"cofinancing_share": 0.3}
    replaced = cal.render_scenario(text, "prima_klima_calibrated", "x", {"second_programme.hurdle_ratio": 3.0},
                                   params, [], {})
    assert replaced.count("hurdle_ratio:") == 1 and yaml.safe_load(replaced)["second_programme"]["hurdle_ratio"] == 3.0


@pytest.mark.parametrize("fit", cal.FITS, ids=lambda f: f.name)
def test_saved_calibrated_scenario_repeats_its_base_loads_runs_and_is_in_range(fit, capsys):
    path = SCENARIOS / f"{fit.out_scenario}.yaml"
    assert path.exists(), f"run experiments/calibration/run.py to write {path}"
    saved, base = yaml.safe_load(path.read_text()), cal.scenario_container(fit.base_scenario)
    assert path.read_text().startswith("# @package _global_\n")
    fitted = {}
    for p in fit.params:
        *groups, name = p.key.split(".")
        node = saved
        for g in groups:
            node = node[g]
        fitted[p.key] = node.pop(name)
        assert p.low <= fitted[p.key] <= p.high, (p.key, fitted[p.key])

    def prune(d):                                          # groups that only held fitted keys
        return {k: prune(v) if isinstance(v, dict) else v for k, v in d.items()
                if not isinstance(v, dict) or any(prune(v).values())}

    saved = prune(saved)
    assert saved["scenario"].pop("name") == f"{fit.out_scenario}"
    base["scenario"].pop("name")
    assert saved == base                                   # everything else exactly as in the base scenario

    cfg = compose([f"scenario={fit.out_scenario}", f"region={fit.pattern.region}"])
    for key, value in fitted.items():
        assert math.isclose(cal.get_dotted(cfg, key), value)
    main([f"scenario={fit.out_scenario}", f"region={fit.pattern.region}", "horizon_months=2",
          "output.write=false"])
    assert "ideas" in capsys.readouterr().out


def test_a_full_run_refuses_to_overwrite_the_installed_scenario_files(tmp_path, capsys):
    assert (SCENARIOS / "klimawerk_calibrated.yaml").exists()
    with pytest.raises(SystemExit) as exit_info:
        cal.main(["only=klimawerk", f"out={tmp_path}"])
    assert exit_info.value.code == 2 and "refusing to overwrite" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_the_patterns_and_ranges_come_from_the_experiment_files_which_also_run_as_sweeps(tmp_path, capsys):
    assert cal.P1.fitted[0].metric == "ideas" and cal.P1.fitted[0].observed == 91
    assert [p.key for p in cal.FIT_PRIMA.params] == ["second_programme.hurdle_ratio"]
    text = (ROOT / "experiments" / "calibration" / "run.py").read_text()
    assert "Target(\"" not in text and "Param(\"" not in text                 # no table left in the script
    main(["+experiment=calibration_prima_klima", "region=saarbruecken", "horizon_months=6", "hydra/launcher=basic",
          "hydra.sweeper.levers.seed=[0]",
          f"output.sweep_dir={tmp_path}", "output.name=p3", f"output.cache_dir={tmp_path / 'c'}"])
    assert "Sweep p3: 13 of 13 runs complete" in capsys.readouterr().out
