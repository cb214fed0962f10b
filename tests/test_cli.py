"""The command line: bad input stops with one line before anything runs; a good run writes its folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.results import FILES, read_run

ROOT = Path(__file__).resolve().parents[1]


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return exit_info.value.code, capsys.readouterr()


BAD = [
    (["horizon_month=5"], "unknown key 'horizon_month' (did you mean 'horizon_months'?)"),
    (["+foo=1"], "unknown key 'foo'"),
    (["horizon_months=abc"], "'horizon_months' must be a whole number, not 'abc'"),
    (["horizon_months=0"], "'horizon_months' = 0 is out of range; allowed: [1, 1200] months"),
    (["funding.cofinancing_share=1"], "'funding.cofinancing_share' = 1.0 is out of range; allowed: [0, 1)"),
    (["actors.capacity_per_100k=-2"], "'actors.capacity_per_100k' = -2.0 is out of range"),
    (["projects.defection_risk=1.5"], "'projects.defection_risk' = 1.5 is out of range; allowed: [0, 1]"),
    (["region=atlantis"], "unknown region 'atlantis'; available: custom, emscher"),
    (["region=custom"], "'region.csv' must name a CSV file"),
    (["region.csv=/no/such.csv"], "region file '/no/such.csv': no such file"),
    (["region.ags_prefix=09"], "'region.ags_prefix' = '09' matches no municipality"),
    (["rules.trust=gut_feeling"], "'rules.trust' = 'gut_feeling' is not a registered trust rule; registered: beta"),
    (["seed=1,2"], "add -m to run them all"),
    (["seed=-1"], "'seed' = -1 is out of range"),
]


@pytest.mark.parametrize("args, message", BAD)
def test_bad_input_one_line_exit_2_nothing_written(args, message, capsys, tmp_path):
    out = tmp_path / "out"
    code, captured = run_main([*args, f"output.dir={out}"], capsys)
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert not out.exists()


def test_bad_region_file_contents(tmp_path, capsys):
    csv = tmp_path / "r.csv"
    csv.write_text("name,ags,population,lat,lon\nA,1,lots,50,8\n", encoding="utf-8")
    code, captured = run_main([f"region.csv={csv}", f"output.dir={tmp_path / 'out'}"], capsys)
    assert code == 2 and "column 'population' is not numeric for A" in captured.err


def test_run_prints_summary_and_last_line_is_the_result_folder(tmp_path, capsys):
    main(["region=saarbruecken", "horizon_months=24", "seed=3", f"output.dir={tmp_path}"])
    out = capsys.readouterr().out.strip().splitlines()
    folder = Path(out[-1])
    assert folder.parent == tmp_path and folder.name.startswith("saarbruecken-seed3-")
    assert any(line.startswith("Pipeline") for line in out) and any("Trust" in line for line in out)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    run = read_run(folder)
    assert set(run["timeseries"].columns) == {"step", "metric", "value"}
    assert run["timeseries"].step.max() == 24 and len(run["municipalities"]) == 10
    assert run["metadata"]["seed"] == 3 and run["metadata"]["config"]["region"]["preset"] == "saarbruecken"
    assert run["metadata"]["versions"]["mesa"] == "3.5.1" and "commit" in run["metadata"]["git"]


def test_existing_result_folder_is_never_overwritten(tmp_path, capsys):
    args = ["region=saarbruecken", "horizon_months=3", f"output.dir={tmp_path}", "output.name=mine"]
    main(args)
    before = (tmp_path / "mine" / "summary.json").read_bytes()
    capsys.readouterr()
    code, captured = run_main([*args, "seed=9"], capsys)
    assert code == 2 and "exists already" in captured.err
    assert (tmp_path / "mine" / "summary.json").read_bytes() == before


def test_unwritable_results_directory(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only directories; covered for normal users only")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, captured = run_main(["horizon_months=1", f"output.dir={locked / 'x'}"], capsys)
    assert code == 2 and "is not writable" in captured.err


def test_real_process_exit_code_and_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim", "horizon_month=5", f"output.dir={tmp_path}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: unknown key 'horizon_month' (did you mean 'horizon_months'?)"
    assert list(tmp_path.iterdir()) == []


def test_summary_keys_are_documented_in_the_readme(tmp_path):
    from sim.bodies import bodies
    from sim.config import Config, ProgrammeConfig, RegionConfig, ScenarioConfig
    from sim.run import simulate
    shipped = [n for n, obj in bodies.items() if obj.__module__.startswith("sim.")]   # not the tutorial's
    everything = Config(horizon_months=1, region=RegionConfig(preset="saarbruecken"),
                        scenario=ScenarioConfig(bodies=shipped),
                        second_programme=ProgrammeConfig(budget_per_head_year=1.0))
    keys = simulate(everything).summary
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = [k for k in keys if f"`{k}`" not in readme]
    assert undocumented == []


def test_scenarios_cross_with_regions_and_bodies_are_checked_before_running(tmp_path, capsys):
    main(["scenario=herausforderung", "region=werra_meissner", "horizon_months=3", f"output.dir={tmp_path}"])
    folder = Path(capsys.readouterr().out.strip().splitlines()[-1])
    meta = read_run(folder)["metadata"]["config"]
    assert meta["scenario"]["bodies"] == ["broker_group"] and meta["region"]["preset"] == "werra_meissner"
    code, captured = run_main(["scenario.bodies=[service_organisation,notary]", f"output.dir={tmp_path / 'x'}"],
                              capsys)
    assert code == 2 and "= 'notary' is not a registered coordinating body; registered:" in captured.err
    code, captured = run_main(["scenario=utopia", f"output.dir={tmp_path / 'x'}"], capsys)
    assert code == 2 and "unknown scenario 'utopia'; available: association, baseline" in captured.err
