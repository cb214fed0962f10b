"""Calibration by ABC-SMC (python -m sim.calibrate, sim/calibration/): the pattern and calibration files,
the distance, parameter recovery, the quick mode, held-out patterns kept out of the fit, the calibrated
scenario files and their provenance, and one-line errors for bad input."""

import math
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import calibrate
from sim.calibration import abc as A
from sim.calibration import scenario_file as SF
from sim.calibration.runner import Runner
from sim.calibration.spec import PATTERN_DIR, Fit, Param, Pattern, load_calibration, load_pattern
from sim.cli import compose, main as sim_main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenario"
MAIN = load_calibration("main")


def test_the_calibration_file_declares_fits_held_out_patterns_and_inputs():
    fitted = {p.name for p in MAIN.fitted}
    held = {p.name for p, _ in MAIN.held_out}
    assert len(held) >= 3 and not fitted & held
    assert all(reason for _, reason in MAIN.held_out)
    # the patterns are all there, each as a pattern or as an input of the model
    names = fitted | held | {p.name for p in MAIN.inputs}
    assert {"klimawerk_ideas", "klimawerk_applications", "klimawerk_funds", "klimawerk_approvals", "kfw432_followup",
            "competitive_call_selectivity", "prima_klima_2023_call", "broker_matches", "municipal_cooperation",
            "leader_region_size"} <= names
    assert {p.kind for p in MAIN.inputs} == {"input"}
    for p in (*MAIN.fitted, *(p for p, _ in MAIN.held_out)):
        assert p.uncertainty > 0 and p.uncertainty_basis and p.source and p.output is not None
    for prm in MAIN.params:
        assert prm.basis and prm.prior in ("uniform", "loguniform") and prm.low < prm.high
        cfg = compose([f"scenario={next(f.base_scenario for f in MAIN.fits if prm in f.params)}"])
        value = cfg
        for part in prm.key.split("."):
            value = getattr(value, part)
        assert prm.low <= value <= prm.high, (prm.key, value)       # the default lies inside the prior


def test_approvals_are_not_a_deterministic_function_of_the_applications(tmp_path):
    """The held-out approvals vary given the applications (noisy review), so fitting the applications does not
    fit them."""
    runner = Runner(1, tmp_path / "sweeps", "t", str(tmp_path / "cache"))
    summaries = runner.pairs(("klimawerk", "emscher", 12), [({}, s) for s in range(2)])
    rates = [s["approval_rate"] for s in summaries if s["applications"]]
    assert rates and min(rates) < 1.0
    assert len({(s["applications"], s["approvals"]) for s in summaries}) > 1 or min(rates) < 1.0


def test_distance_is_zero_at_the_pattern_and_scaled_by_its_uncertainty():
    pats = MAIN.fits[0].patterns
    at = {p.name: p.target for p in pats}
    assert A.distance(at, pats) == 0.0
    p0 = pats[0]
    assert A.distance({**at, p0.name: p0.target + 2 * p0.uncertainty}, pats) == pytest.approx(2.0)
    assert A.distance({**at, p0.name: float("nan")}, pats) == A.PENALTY


def test_abc_recovers_a_parameter_from_data_the_model_made(tmp_path):
    truth = 8e-4
    pattern = Pattern("ideas_test", "pattern", "water ideas", "test", "baseline", "saarbruecken", 24,
                      load_pattern("klimawerk_ideas").output, "ideas", observed=0.0, uncertainty=3.0,
                      uncertainty_basis="test")
    runner = Runner(1, tmp_path / "sweeps", "t", str(tmp_path / "cache"))
    seeds = [0]
    data = runner.summaries(pattern.group, [{"needs.water.idea_rate": truth}], seeds)[0]
    observed = float(np.mean([pattern.output.value(s) for s in data]))
    assert observed > 5                                       # the output responds to the parameter
    pattern = Pattern(**{**pattern.__dict__, "observed": observed})
    param = Param("needs.water.idea_rate", "loguniform", 1e-4, 4e-3, "test", 7)
    fit = Fit("recovery", "none", "baseline", (pattern,), (param,))
    settings = dict(population_size=8, generations=2, minimum_epsilon=0.0, seeds=seeds, seed=7)
    res = A.run_fit(fit, [pattern], settings, runner, log=lambda m: None)
    x, w = res.posterior[param.key].to_numpy(float), res.posterior["weight"].to_numpy(float)
    lo, hi = A.weighted_quantile(x, w, 0.05), A.weighted_quantile(x, w, 0.95)
    assert lo <= truth <= hi, (lo, hi)
    assert math.log(hi / lo) < 0.6 * math.log(param.high / param.low)   # narrower than the prior


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One quick calibration (its runs cached for the other tests of this module)."""
    tmp = tmp_path_factory.mktemp("quick")
    before = {p: p.stat().st_mtime_ns for p in SCENARIOS.glob("*_calibrated.yaml")}
    t0 = time.perf_counter()
    folder = calibrate.main(["quick=true", f"out={tmp / 'out'}", f"output.cache_dir={tmp / 'cache'}",
                             f"output.sweep_dir={tmp / 'sweeps'}"])
    seconds = time.perf_counter() - t0
    assert before == {p: p.stat().st_mtime_ns for p in SCENARIOS.glob("*_calibrated.yaml")}  # quick never writes configs/
    return tmp, folder, seconds


def test_quick_mode_runs_within_a_minute_and_writes_its_folder(quick):
    tmp, folder, seconds = quick
    assert seconds < 60
    for name in ("posterior.csv", "populations.csv", "marginals.png", "pairs.png", "predictive.csv", "held_out.csv",
                 "report.md", "meta.json", "klimawerk_calibrated.yaml", "prima_klima_calibrated.yaml"):
        assert (folder / name).is_file(), name
    post = pd.read_csv(folder / "posterior.csv")
    assert set(post.fit) == {f.name for f in MAIN.fits}
    assert post.groupby("fit").weight.sum().round(6).eq(1).all()
    held = pd.read_csv(folder / "held_out.csv")
    assert set(held.pattern) == {p.name for p, _ in MAIN.held_out} and set(held.reproduced) <= {"yes", "no"}
    assert (held.low <= held.high).all() or held.low.isna().any()
    meta = (folder / "meta.json").read_text()
    from sim.cache import code_version

    assert code_version() in meta
    assert (folder / "report.md").read_text().startswith("# Calibration report: quick")


def test_a_repeated_calibration_recomputes_nothing_and_gives_the_same_particles(quick, capsys):
    tmp, folder, _ = quick
    again = calibrate.main(["quick=true", "name=again", f"out={tmp / 'out'}", f"output.cache_dir={tmp / 'cache'}",
                            f"output.sweep_dir={tmp / 'sweeps'}"])
    assert "(0 computed)" in capsys.readouterr().out.splitlines()[-1]
    pd.testing.assert_frame_equal(pd.read_csv(again / "posterior.csv"), pd.read_csv(folder / "posterior.csv"))


def test_a_held_out_prediction_does_not_change_with_its_observed_value(quick):
    tmp, folder, _ = quick
    patterns = tmp / "patterns"
    shutil.copytree(PATTERN_DIR, patterns)
    path = patterns / "klimawerk_approvals.yaml"
    path.write_text(path.read_text().replace("observed: 60", "observed: 6000"))
    changed = calibrate.main(["quick=true", "name=changed", f"patterns={patterns}", f"out={tmp / 'out'}",
                              f"output.cache_dir={tmp / 'cache'}", f"output.sweep_dir={tmp / 'sweeps'}"])
    a, b = (pd.read_csv(f / "held_out.csv").set_index("pattern") for f in (folder, changed))
    assert b.loc["klimawerk_approvals", "observed"] == 6000 != a.loc["klimawerk_approvals", "observed"]
    cols = ["mean", "median", "low", "high"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(pd.read_csv(changed / "posterior.csv"), pd.read_csv(folder / "posterior.csv"))


def test_the_validation_page_is_regenerated_from_a_result_folder(quick, tmp_path):
    _, folder, _ = quick
    doc = calibrate.main([f"report={folder}", f"doc={tmp_path / 'validation.md'}"])
    text = doc.read_text()
    assert "| pattern | source | observed |" in text and "klimawerk_approvals" in text and "held out" in text
    assert (tmp_path / "validation" / "marginals.png").is_file()


def test_scenario_file_keeps_the_base_sets_the_values_and_carries_its_provenance(tmp_path):
    fit = MAIN.fits[1]
    text = SF.render_scenario(SF.base_text(fit.base_scenario), fit.base_scenario, "x_calibrated",
                              {"second_programme.hurdle_ratio": 2.5}, fit.params, ["header"], {},
                              {"run": "r", "fitted": ["kfw432_followup"], "held_out": {"broker_matches": "yes"}})
    got, base = yaml.safe_load(text), yaml.safe_load(SF.base_text(fit.base_scenario))
    assert got["scenario"]["name"] == "x_calibrated"
    assert got["second_programme"] == {**base["second_programme"], "hurdle_ratio": 2.5}
    path = tmp_path / "x.yaml"
    path.write_text(text)
    prov = SF.provenance(path)
    assert prov["run"] == "r"
    assert "broker_matches reproduced within its range" in SF.summary_sentence(prov)
    assert SF.provenance(SCENARIOS / "klimawerk.yaml") is None


@pytest.mark.parametrize("fit", MAIN.fits, ids=lambda f: f.name)
def test_saved_calibrated_scenario_loads_runs_and_lies_in_its_prior(fit, capsys):
    path = SCENARIOS / f"{fit.scenario_file}.yaml"
    if not path.exists():
        pytest.skip(f"{path} not written yet (python -m sim.calibrate)")
    prov = SF.provenance(path)
    assert prov and prov["fitted"] == [p.name for p in fit.patterns]
    cfg = compose([f"scenario={fit.scenario_file}"])
    for p in fit.params:
        value = cfg
        for part in p.key.split("."):
            value = getattr(value, part)
        assert p.low <= value <= p.high and math.isclose(value, prov["values"][p.key])
    sim_main([f"scenario={fit.scenario_file}", f"region={fit.patterns[0].region}", "horizon_months=2",
              "output.write=false"])
    assert "ideas" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["nonsense=1"], "'nonsense=1' is not a setting"),
    (["jobs=zero"], "'jobs' = 'zero' must be a whole number"),
    (["quick=maybe"], "'quick' = 'maybe' must be true or false"),
    (["calibration=nowhere"], "does not exist"),
    (["name=../x"], "'name' = '../x' is not allowed"),
    (["report=/nonexistent"], "meta.json is missing"),
])
def test_bad_input_gives_one_line(args, words, capsys):
    with pytest.raises(SystemExit) as info:
        calibrate.main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2 and words in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("edit, words", [
    (("prior: loguniform", "prior: normal"), "'fits.klimawerk.parameters.needs.water.idea_rate.prior' = 'normal'"),
    (("needs.water.idea_rate:", "needs.water.idea_rat:"), "is not a parameter of the model"),
    (("population_size: 30", "population_size: -3"), "'abc.population_size' = -3 must be"),
    (("  broker_matches: >-", "  klimawerk_ideas: >-"), "which a fit uses"),
])
def test_a_bad_calibration_file_gives_one_line_before_any_run(edit, words, tmp_path, capsys):
    text = (ROOT / "configs" / "calibration" / "main.yaml").read_text()
    assert edit[0] in text
    (tmp_path / "bad.yaml").write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(SystemExit):
        calibrate.main([f"calibration={tmp_path / 'bad.yaml'}", f"out={tmp_path / 'out'}"])
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_a_bad_pattern_file_gives_one_line(tmp_path, capsys):
    patterns = tmp_path / "patterns"
    shutil.copytree(PATTERN_DIR, patterns)
    (patterns / "klimawerk_funds.yaml").write_text((PATTERN_DIR / "klimawerk_funds.yaml").read_text()
                                                   .replace("observed: 5200000", "observed: 5.2e6"))
    with pytest.raises(SystemExit):
        calibrate.main(["quick=true", f"patterns={patterns}", f"out={tmp_path / 'out'}"])
    err = capsys.readouterr().err
    assert "klimawerk_funds.yaml: 'observed' = '5.2e6' must be a finite number" in err and len(err.splitlines()) == 1


def test_a_full_run_refuses_to_overwrite_a_calibrated_scenario(tmp_path, capsys):
    if not (SCENARIOS / "klimawerk_calibrated.yaml").exists():
        pytest.skip("no calibrated scenario yet")
    with pytest.raises(SystemExit) as info:
        calibrate.main([f"out={tmp_path}"])
    assert info.value.code == 2 and "refuses to overwrite" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_the_experiment_files_still_run_the_calibrations_ranges_as_sweeps(tmp_path, capsys):
    sim_main(["+experiment=calibration_prima_klima", "region=saarbruecken", "horizon_months=6", "hydra/launcher=basic",
              "hydra.sweeper.levers.seed=[0]", f"output.sweep_dir={tmp_path}", "output.name=p3",
              f"output.cache_dir={tmp_path / 'c'}"])
    assert "Sweep p3: 13 of 13 runs complete" in capsys.readouterr().out
    sweeper = yaml.safe_load((ROOT / "configs" / "experiment" / "calibration_klimawerk.yaml").read_text())["hydra"]["sweeper"]
    bounds = {k: (v["low"], v["high"]) for k, v in sweeper["uncertainties"].items()}
    assert bounds == {p.key: (p.low, p.high) for p in MAIN.fits[0].params}     # one set of ranges, not two
