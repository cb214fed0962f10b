"""Reliability: bad inputs fail cleanly before anything is written; faults lose nothing; nothing
executes code named in a config or a result file; results hold no absolute paths unless asked."""

import errno
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import CONFIG_DIR, main

ROOT = Path(__file__).resolve().parents[1]


def fails_cleanly(args, capsys, fragment, out_dir):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert exit_info.value.code == 2
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], captured.err
    assert "Traceback" not in captured.err
    leftovers = [p for p in Path(out_dir).rglob("*")] if Path(out_dir).exists() else []
    assert leftovers == [], leftovers


# The catalogue beyond tests/test_cli.py (key typos, +unknown, types, ranges, names, region files, ...)
MORE_BAD = [
    (["service_organisation.staff=-1", "scenario=klimawerk"], "'service_organisation.staff' = -1.0 is out of range"),
    (["broker_group.vet_threshold=1.2"], "'broker_group.vet_threshold' = 1.2 is out of range; allowed: [0, 1]"),
    (["funding.open_months=[0,13]"], "'funding.open_months[0]' = 0 is out of range"),
    (["funding.allocation=bribery"], "'funding.allocation' = 'bribery' is not a registered allocation rule; registered: competition, fcfs"),
    (["scenario.members=narnia"], "'scenario.members' = 'narnia' is not allowed"),
    (["+_target_=os.system"], "unknown key '_target_'"),
    (["replications=0"], "'replications' = 0 is out of range"),
    (["trust.forgetting_negative=0"], "'trust.forgetting_negative' = 0.0 is out of range; allowed: (0, 1]"),
    (["horizon_months=12.5"], "'horizon_months' must be a whole number, not 12.5"),
    (["network.local_ties=two"], "'network.local_ties' must be a whole number, not 'two'"),
]


@pytest.mark.parametrize("args, fragment", MORE_BAD)
def test_more_bad_inputs(args, fragment, capsys, tmp_path):
    fails_cleanly([*args, f"output.dir={tmp_path / 'out'}"], capsys, fragment, tmp_path / "out")


def test_a_config_file_that_is_not_valid_yaml(capsys, tmp_path):
    broken = CONFIG_DIR / "scenario" / "zz_test_broken.yaml"
    broken.write_text("# @package _global_\nscenario: [unclosed\n", encoding="utf-8")
    try:
        fails_cleanly(["scenario=zz_test_broken", f"output.dir={tmp_path / 'out'}"], capsys,
                      "zz_test_broken.yaml, line 3 is not valid YAML", tmp_path / "out")
    finally:
        broken.unlink()


def test_results_folder_below_a_file(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    fails_cleanly(["horizon_months=1", f"output.dir={tmp_path / 'file' / 'sub'}"], capsys,
                  "is a file, not a folder", tmp_path / "file" / "sub")


def test_read_only_results_directory_simulated(capsys, tmp_path, monkeypatch):
    """Root may write anywhere, so the read-only directory is simulated at the permission check."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    fails_cleanly(["horizon_months=1", f"output.dir={locked}"], capsys, "is not writable", locked)
    fails_cleanly(["-m", "seed=0,1", "horizon_months=1", f"output.sweep_dir={locked}"], capsys,
                  "is not writable", locked)


def test_full_disk_while_writing_leaves_nothing_half_written(capsys, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(SystemExit) as exit_info:
        main(["region=saarbruecken", "horizon_months=2", f"output.dir={tmp_path}", "output.name=r"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and "No space left on device" in err[-1] and len(err) == 1
    assert list(tmp_path.iterdir()) == []                          # no folder, no temporary left behind


def test_a_failed_write_never_touches_an_existing_run(capsys, tmp_path, monkeypatch):
    main(["region=saarbruecken", "horizon_months=2", f"output.dir={tmp_path}", "output.name=keep"])
    before = {p.name: p.read_bytes() for p in (tmp_path / "keep").iterdir()}
    monkeypatch.setattr(pd.DataFrame, "to_csv", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(SystemExit):
        main(["region=saarbruecken", "horizon_months=2", f"output.dir={tmp_path}"])
    assert {p.name: p.read_bytes() for p in (tmp_path / "keep").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]


def test_nothing_executes_code_named_in_configs_or_results():
    """No pickle, eval/exec or Hydra instantiate anywhere in the package: configs and result files are data."""
    pattern = re.compile(r"\b(pickle|marshal|shelve)\b|\beval\(|\bexec\(|instantiate\(|read_pickle|allow_pickle=True")
    # sim/testing.py round-trips in-memory components through pickle to check they can go to worker
    # processes; it never reads a file
    sources = [p for p in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "hydra_plugins").rglob("*.py")]
               if p.name != "testing.py"]
    offenders = [f"{p}:{i}" for p in sources
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
    # the one target in the shipped configs is sim's own callback (checked again at run time, like any file)
    targets = [line.strip() for p in CONFIG_DIR.rglob("*.yaml") for line in p.read_text(encoding="utf-8").splitlines()
               if "_target_" in line]
    assert targets == ["_target_: hydra_plugins.sim_sweeper.sim_sweeper.SimCallback"]


def test_metadata_holds_no_absolute_paths_by_default(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    main(["region=saarbruecken", "horizon_months=2", "output.name=m"])
    text = (tmp_path / "results" / "runs" / "m" / "metadata.json").read_text(encoding="utf-8")
    strings = [s for s in re.findall(r'"([^"]*)"', text)]
    assert not [s for s in strings if s.startswith("/") or str(Path.home()) in s or str(tmp_path) in s]
    assert json.loads(text)["config"]["output"]["dir"] == "results/runs"


def test_deprecation_warnings_from_our_code_are_errors(pytestconfig):
    assert "error::DeprecationWarning:sim.*" in pytestconfig.getini("filterwarnings")


# -- issue 18, low items: problems found before the run, not after it ------------------------------


def test_a_dangling_symbolic_link_is_named_before_the_run(capsys, tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    fails_cleanly(["region=saarbruecken", "horizon_months=1", f"output.dir={tmp_path / 'link'}"], capsys,
                  "is a symbolic link to", tmp_path / "nowhere")
    fails_cleanly(["region=saarbruecken", "horizon_months=1", f"output.dir={tmp_path}", "output.name=link"], capsys,
                  "exists already; results are never overwritten", tmp_path / "nowhere")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]


@pytest.mark.parametrize("args", [[], ["-m", "seed=0,1"]])
def test_a_funding_period_that_ends_before_it_starts_is_refused(args, capsys, tmp_path):
    fails_cleanly([*args, "region=saarbruecken", "horizon_months=1", "funding.period_start=10",
                   "funding.period_end=5", f"output.dir={tmp_path / 'o'}", f"output.sweep_dir={tmp_path / 'o'}"], capsys,
                  "'funding.period_start' = 10 is after 'funding.period_end' = 5", tmp_path / "o")


def test_a_folder_name_over_255_bytes_and_an_interpolated_comparison_name_stop_before_the_run(capsys, tmp_path,
                                                                                               monkeypatch):
    fails_cleanly(["region=saarbruecken", "horizon_months=1", f"output.dir='{tmp_path / ('ü' * 130)}'"], capsys,
                  "has 260 bytes; file systems allow at most 255", tmp_path / "x")
    assert list(tmp_path.iterdir()) == []
    from sim.compare import main as compare

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        compare(["name=${oc.env:HOME}", "region=saarbruecken"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and "'name' = '${oc.env:HOME}' is not allowed" in err[0], err
    assert list(tmp_path.iterdir()) == []
