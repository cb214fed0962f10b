"""The research layer against issue 16 (items 1-6) and the overlapping items of issue 18: no stale
reuse, Hydra's own settings honoured, nothing launched twice, tidy typed tables, one command-line
dialect, damaged folders reported, code named in configs never run."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.collect import collect
from sim.cli import CONFIG_DIR, main
from tests.helpers import sweep_in_process, with_ctrl_c

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["region=saarbruecken", "horizon_months=6", "hydra/launcher=basic"]


def sweep(tmp_path, capsys, *args, **kw):
    return sweep_in_process(tmp_path, capsys, SMALL, *args, **kw)


def one_line_error(err: str, fragment: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], err
    assert "Traceback" not in err


def values(folder, metric="ideas"):
    final = pd.read_csv(folder / "final.csv")
    return final[final.metric == metric].sort_values("seed").value.tolist()


# -- 1. no stale results ------------------------------------------------------------------------


def test_an_edited_scenario_file_gives_new_runs_not_the_old_numbers(tmp_path, capsys):
    cfg = tmp_path / "cfg" / "scenario"
    cfg.mkdir(parents=True)
    (cfg / "mine.yaml").write_text("# @package _global_\nscenario:\n  name: mine\nfunding:\n  budget_per_head_year: 0\n")
    folder, out, _ = sweep(tmp_path, capsys, "scenario=mine", "seed=0,1", "horizon_months=24",
                           flags=("-cd", str(tmp_path / "cfg")))
    assert values(folder, "approvals") == [0, 0]
    (cfg / "mine.yaml").write_text("# @package _global_\nscenario:\n  name: mine\nfunding:\n  budget_per_head_year: 9\n")
    folder, out, _ = sweep(tmp_path, capsys, "scenario=mine", "seed=0,1", "horizon_months=24",
                           flags=("-cd", str(tmp_path / "cfg")))
    assert "2 runs; 0 complete (cache), 2 to run" in out
    c = collect(folder)
    assert "funding.budget_per_head_year" in c.groups              # old and new runs are never pooled
    new = c.final[(c.final.metric == "approvals") & (c.final["funding.budget_per_head_year"] == 9.0)]
    assert len(new) == 2 and new.value.sum() > 0


def test_the_key_follows_the_model_code_and_the_typed_values(monkeypatch):
    import sim.cache as cache
    from sim.config import Config, from_container, to_dict

    a = cache.run_key(Config(seed=3))
    as_int = to_dict(Config(seed=3))
    as_int["funding"]["budget_per_head_year"] = 2
    as_float = to_dict(Config(seed=3))
    as_float["funding"]["budget_per_head_year"] = 2.0
    assert cache.run_key(from_container(as_int)) == cache.run_key(from_container(as_float)) != a
    monkeypatch.setattr(cache, "code_version", lambda: "edited-model")
    assert cache.run_key(Config(seed=3)) != a


def test_the_code_version_covers_model_files_and_not_the_tools_around_them(tmp_path):
    import sim.cache as cache

    cache.code_version.cache_clear()
    before = cache.code_version()
    rule = ROOT / "sim" / "rules" / "zz_probe_for_code_version.py"
    tool = ROOT / "sim" / "analysis" / "zz_probe_for_code_version.py"
    try:
        tool.write_text("# analysis code does not change runs\n")
        cache.code_version.cache_clear()
        assert cache.code_version() == before
        rule.write_text("# a student's new rule could\n")
        cache.code_version.cache_clear()
        assert cache.code_version() != before
    finally:
        rule.unlink(missing_ok=True)
        tool.unlink(missing_ok=True)
        cache.code_version.cache_clear()
    assert cache.code_version() == before


def test_runs_in_another_folder_are_reused_and_typed_duplicates_refused(tmp_path, capsys):
    sweep(tmp_path, capsys, "seed=0,1", name="a")
    _, out, _ = sweep(tmp_path, capsys, "seed=0", "replications=2", name="b")
    assert "2 runs; 2 complete (cache), 0 to run" in out
    _, _, err = sweep(tmp_path, capsys, "funding.budget_per_head_year=2,2.0", name="d", code=2)
    one_line_error(err, "lists funding.budget_per_head_year = 2 twice (as 2 and 2.0)")
    for args, fragment in [(["seed=0,0"], "lists seed = 0 twice"),
                           (["scenario=baseline,baseline"], "lists scenario = baseline twice"),
                           (["seed=range(0)"], "'seed=range(0)' gives no values")]:
        _, _, err = sweep(tmp_path, capsys, *args, name="d", code=2)
        one_line_error(err, fragment)
    assert not (tmp_path / "d").exists()


def test_float_ranges_give_typed_values_and_keys_not_text_ids(tmp_path, capsys):
    folder, _, _ = sweep(tmp_path, capsys, "funding.budget_per_head_year=range(0.1,0.35,0.1)", name="f")
    runs = pd.read_csv(folder / "runs.csv")
    assert sorted(runs["funding.budget_per_head_year"]) == [0.1, 0.2, 0.30000000000000004]
    assert all(len(r) == 32 and set(r) <= set("0123456789abcdef") for r in runs.run_id)


def test_region_files_are_keyed_by_content_and_path(tmp_path, capsys):
    src = Path(__file__).resolve().parents[1] / "sim" / "data" / "saarbruecken.csv"
    (tmp_path / "a" / "sub").mkdir(parents=True)
    shutil.copy(src, tmp_path / "a" / "sub" / "good.csv")
    text = src.read_text().splitlines()
    (tmp_path / "a" / "sub_good.csv").write_text("\n".join(text[:6]) + "\n")          # another file, same stem
    folder, out, _ = sweep(tmp_path, capsys, "region=custom",
                           f"region.csv={tmp_path}/a/sub/good.csv,{tmp_path}/a/sub_good.csv", name="r")
    assert "2 runs; 0 complete (cache), 2 to run" in out and len(collect(folder).runs) == 2
    # a region file edited before a resume: a new run, kept apart from the old one
    (tmp_path / "a" / "sub_good.csv").write_text("\n".join(text[:4]) + "\n")
    folder, out, _ = sweep(tmp_path, capsys, "region=custom",
                           f"region.csv={tmp_path}/a/sub/good.csv,{tmp_path}/a/sub_good.csv", name="r")
    assert "1 to run" in out
    c = collect(folder)
    assert "input.region.csv" in c.groups and "versions of the file region.csv" in c.report()


def test_a_resume_with_an_override_dropped_does_not_pool_horizons(tmp_path, capsys):
    sweep(tmp_path, capsys, "seed=0,1", name="h")
    argv = ["-m", "region=saarbruecken", "hydra/launcher=basic", "horizon_months=12", f"output.sweep_dir={tmp_path}",
            "output.name=h", f"output.cache_dir={tmp_path / 'cache'}", "seed=0,1"]
    main(argv)
    c = collect(tmp_path / "h")
    assert c.groups == ["horizon_months"]
    assert sorted(c.final.groupby("horizon_months").run_id.nunique().items()) == [(6, 2), (12, 2)]


# -- 2. analysis command line ---------------------------------------------------------------------


def test_analysis_of_a_sweep_over_a_dotted_key_and_its_bad_options(tmp_path, capsys):
    from sim.analysis.__main__ import main as analysis

    folder, _, _ = sweep(tmp_path, capsys, "funding.budget_per_head_year=0,3", "seed=0,1", "horizon_months=24",
                         name="dot")
    analysis([str(folder), "--metrics", "approvals,approvals_per_year", "--precision", "0.05"])
    out = capsys.readouterr().out
    summary = pd.read_csv(folder / "analysis" / "summary.csv")
    assert set(summary["funding.budget_per_head_year"]) == {0.0, 3.0} and "approvals_per_year" in set(summary.metric)
    assert (folder / "analysis" / "final_approvals.png").is_file() and "Sweep dot: 4 of 4 runs complete" in out
    analysis(["differences", str(folder), "--factor", "funding.budget_per_head_year", "--baseline", "0.0",
              "--metrics", "approvals"])
    d = pd.read_csv(folder / "analysis" / "differences.csv")
    assert d.n.iloc[0] == 2 and d.diff_mean.iloc[0] > 0                      # more budget, more approvals
    for args, fragment in [([str(folder), "--metrics", "nope"], "unknown metric(s) nope; available:"),
                           ([str(folder), "--precision", "0"], "--precision = 0.0 is out of range"),
                           ([str(folder), "--precision", "nan"], "--precision = nan is out of range"),
                           ([str(folder / "runs")], "is the runs/ folder of the sweep"),
                           (["prim", str(folder), "--metric", "approvals"], "give exactly one of --above X or --below X")]:
        with pytest.raises(SystemExit) as exit_info:
            analysis(args)
        assert exit_info.value.code == 2
        one_line_error(capsys.readouterr().err, fragment)
    assert not (folder / "runs" / "final.csv").exists()


# -- 3. Hydra's own settings ------------------------------------------------------------------------


def test_hydra_settings_search_path_experiments_dicts_interpolations_and_mode_are_honoured(tmp_path, capsys):
    user = tmp_path / "user"
    (user / "experiment").mkdir(parents=True)
    (user / "experiment" / "mine.yaml").write_text(
        "# @package _global_\nhydra:\n  mode: MULTIRUN\n  sweeper:\n    levers:\n      scenario: [baseline, culture_events]\n")
    main([*SMALL, "+experiment=mine", f"hydra.searchpath=[file://{user}]", f"hydra.sweep.dir={tmp_path / 'x'}",
          "hydra.output_subdir=.hydra", "hydra.sweep.subdir=${hydra.job.num}", f"output.cache_dir={tmp_path / 'c'}"])
    out = capsys.readouterr().out
    assert "Sweep x: 2 of 2 runs complete" in out
    assert (tmp_path / "x" / "0" / ".hydra" / "config.yaml").is_file()         # Hydra's own records, where asked
    folder, _, _ = sweep(tmp_path, capsys, "funding={budget_per_head_year:3}", "horizon_months=${seed}", "seed=3,4",
                         name="d")
    runs = pd.read_csv(folder / "runs.csv").sort_values("seed")
    assert runs["funding.budget_per_head_year"].tolist() == [3.0, 3.0] and runs.horizon_months.tolist() == [3, 4]
    folder, out, _ = sweep(tmp_path, capsys, "hydra.mode=MULTIRUN", "seed=1,2", name="mode", multirun=False)
    assert "Sweep mode: 2 of 2 runs complete" in out
    folder, out, _ = sweep(tmp_path, capsys, "scenario=glob([cu*,ci*])", name="glob")
    assert "Sweep glob: 2 runs;" in out and "[2/2]" in out


def test_the_app_is_called_sim_not_cli(tmp_path, capsys):
    main(["--cfg", "hydra", "--package", "hydra.job"])
    assert "name: sim" in capsys.readouterr().out


# -- 4. launching -----------------------------------------------------------------------------------


def test_two_identical_sweeps_at_once_both_finish(tmp_path):
    cmd = [sys.executable, "-m", "sim", "-m", *SMALL, "seed=range(4)", f"output.sweep_dir={tmp_path}",
           "output.name=twin", f"output.cache_dir={tmp_path / 'cache'}"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1][-1500:] for r in results]
    c = collect(tmp_path / "twin")
    assert (c.runs.status == "complete").sum() == 4 and c.problems == []


def test_ctrl_c_says_how_much_is_done_without_a_traceback(tmp_path):
    cmd = [sys.executable, "-m", "sim", "-m", "region=saarbruecken", "horizon_months=60", "hydra/launcher=basic",
           "seed=range(40)", f"output.sweep_dir={tmp_path}", "output.name=c", f"output.cache_dir={tmp_path / 'cache'}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=with_ctrl_c)
    runs = tmp_path / "c" / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and (not runs.is_dir() or len(list(runs.iterdir())) < 2):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    done = len([p for p in runs.iterdir() if not p.name.startswith(".")])
    assert err.strip().splitlines()[-1] == f"interrupted: {done} of 40 runs done; the same command completes the rest"
    assert "Traceback" not in err


def test_a_huge_sweep_gives_its_size_and_time_and_needs_yes(tmp_path, capsys):
    _, _, err = sweep(tmp_path, capsys, "seed=range(10000000)", name="big", code=2)
    one_line_error(err, "this sweep has 10,000,000 runs; at about")
    assert "Add --yes to run it" in err and not (tmp_path / "big").exists()


def test_runs_per_job_batches_runs_into_fewer_jobs(tmp_path, capsys):
    folder, out, _ = sweep(tmp_path, capsys, "seed=range(5)", "hydra.sweeper.runs_per_job=2", name="b")
    assert "5 to run in 3 job(s) of up to 2 runs" in out and "Sweep b: 5 of 5 runs complete" in out


# -- 5. tidy tables -------------------------------------------------------------------------------


def test_tables_hold_typed_settings_implied_values_provenance_and_summary_keys(tmp_path, capsys):
    folder, _, _ = sweep(tmp_path, capsys, "scenario=baseline,klimawerk", "seed=0,1", name="t")
    runs = pd.read_csv(folder / "runs.csv")
    kw = runs[runs.scenario == "klimawerk"]
    assert set(kw["funding.budget_per_head_year"]) == {4.91}                   # implied by the scenario file
    assert runs["horizon_months"].dtype.kind == "i" and runs["seed"].dtype.kind == "i"
    for col in ("code_version", "git_commit", "version.mesa", "version.numpy", "format_version", "seconds"):
        assert runs[col].notna().all(), col
    final = pd.read_csv(folder / "final.csv")
    assert {"approvals_per_year", "completions_per_year", "budget_per_year_eur"} <= set(final.metric)
    assert collect(folder).groups == ["scenario"]              # the scenario implies its bodies and budget


# -- 6. one dialect ---------------------------------------------------------------------------------


def test_compare_has_help_and_uses_the_cache_so_other_settings_give_other_numbers(tmp_path, monkeypatch, capsys):
    from sim.compare import main as compare

    with pytest.raises(SystemExit) as exit_info:
        compare(["--help"])
    assert exit_info.value.code == 0 and "scenarios=[a,b,...]" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    base = ["region=saarbruecken", "horizon_months=6", "replications=2", "name=ws", "scenarios=[baseline]",
            f"output.cache_dir={tmp_path / 'cache'}"]
    first = compare([*base, "funding.budget_per_head_year=0"])
    s0 = (tmp_path / first).parent.joinpath("summary.csv").read_bytes()
    capsys.readouterr()
    second = compare([*base, "funding.budget_per_head_year=9"])
    out = capsys.readouterr().out
    assert "held runs with other settings (funding.budget_per_head_year: 0.0 -> 9.0)" in out
    assert (tmp_path / second).parent.joinpath("summary.csv").read_bytes() != s0
    folder = (tmp_path / second).parent.parent                # the runs, shared by the languages' reports
    metas = [json.loads((p / "metadata.json").read_text()) for p in (folder / "runs").iterdir()]
    assert {m["config"]["funding"]["budget_per_head_year"] for m in metas} == {9.0}
    for bad, fragment in [(["name=../x"], "'name' = '../x' is not allowed"),
                          (["name=/etc"], "'name' = '/etc' is not allowed")]:
        with pytest.raises(SystemExit):
            compare(bad)
        one_line_error(capsys.readouterr().err, fragment)


# -- issue 18: damaged folders, names, code named in configs ----------------------------------------


def test_damaged_runs_and_records_are_reported_one_line_each_and_skipped(tmp_path, capsys):
    folder, _, _ = sweep(tmp_path, capsys, "seed=range(6)", name="dmg")
    runs = sorted(p for p in (folder / "runs").iterdir())
    (runs[0] / "timeseries.csv").unlink()
    (runs[1] / "timeseries.csv").write_text("garbage\n")
    text = (runs[2] / "timeseries.csv").read_text()
    (runs[2] / "timeseries.csv").write_text(text[: len(text) // 2])          # cut in half
    (runs[3] / "metadata.json").write_text('{"format_version": 2, "fil')     # truncated
    (folder / "runs" / "stray.txt").write_text("x")
    (folder / "failed" / "zz.json").write_text("not json")
    (folder / "sweep.json").write_text("{broken")
    c = collect(folder)
    assert sorted(c.runs.status) == ["complete", "complete", "damaged", "damaged", "damaged", "damaged"]
    assert len([p for p in c.problems if "damaged" in p]) == 4 and any("stray.txt" in p for p in c.problems)
    assert c.final.run_id.nunique() == 2
    _, out, _ = sweep(tmp_path, capsys, "seed=range(6)", name="dmg")                # the same command repairs it
    assert "Sweep dmg: 6 of 6 runs complete" in out


def test_an_old_format_version_is_not_read_as_a_run(tmp_path, capsys):
    from sim.errors import UserError
    from sim.results import read_run

    main(["region=saarbruecken", "horizon_months=2", f"output.dir={tmp_path}", "output.name=old"])
    meta = json.loads((tmp_path / "old" / "metadata.json").read_text())
    meta["format_version"] = 1
    (tmp_path / "old" / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(UserError, match="result format version 1"):
        read_run(tmp_path / "old")


@pytest.mark.parametrize("args, fragment", [
    (["output.name=../../x"], "'output.name' = '../../x' is not allowed"),
    (["output.name=/tmp/abs"], "is not allowed; give a folder name"),
    (["output.name=${oc.env:HOME}"], "'output.name' must be a plain folder name"),
    (["output.name=" + "n" * 300], "at most 200 bytes"),
    (["region.csv=Mülheim.csv"], "put a value with spaces, umlauts or other special characters in quotes"),
    (["horizon_months=12.0"], "'horizon_months' must be a whole number, not 12.0"),
    (["--experimental-rerun", "x.pickle"], "--experimental-rerun is not supported"),
    (["+hydra.callbacks.x._target_=shutil.copyfile"], "'hydra.callbacks.x._target_' = 'shutil.copyfile' is not allowed"),
    (["hydra.job_logging.handlers.console.class=subprocess.Popen"], "must be classes of Python's logging module"),
])
def test_bad_names_and_code_in_overrides_stop_before_anything_runs(args, fragment, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["region=saarbruecken", "horizon_months=2", f"output.dir={tmp_path / 'out'}", *args])
    assert exit_info.value.code == 2
    one_line_error(capsys.readouterr().err, fragment)
    assert not (tmp_path / "out").exists()


def test_a_config_file_that_names_code_is_refused(tmp_path, capsys):
    target = tmp_path / "written.txt"
    evil = CONFIG_DIR / "scenario" / "zz_test_evil.yaml"
    evil.write_text("# @package _global_\nscenario:\n  name: evil\nhydra:\n  callbacks:\n    x:\n"
                    f"      _target_: pathlib.Path.write_text\n      self: {target}\n      data: owned\n")
    factory = CONFIG_DIR / "scenario" / "zz_test_factory.yaml"
    factory.write_text("# @package _global_\nhydra:\n  job_logging:\n    formatters:\n      f:\n"
                       "        '()': os.system\n")
    try:
        with pytest.raises(SystemExit):
            main(["scenario=zz_test_factory", "horizon_months=2", f"output.dir={tmp_path / 'o'}"])
        one_line_error(capsys.readouterr().err, "'hydra.job_logging.formatters.f.()' = 'os.system' is not allowed")
        for multirun in ([], ["-m", "seed=0,1"]):
            with pytest.raises(SystemExit) as exit_info:
                main([*multirun, "scenario=zz_test_evil", "horizon_months=2", f"output.dir={tmp_path / 'o'}",
                      f"output.sweep_dir={tmp_path / 's'}"])
            assert exit_info.value.code == 2
            one_line_error(capsys.readouterr().err, "'hydra.callbacks.x._target_' = 'pathlib.Path.write_text' is not allowed")
    finally:
        evil.unlink()
        factory.unlink()
    assert not target.exists() and not (tmp_path / "s").exists()


def test_two_unnamed_runs_in_the_same_second_both_keep_their_results(tmp_path):
    cmd = [sys.executable, "-m", "sim", "region=saarbruecken", "horizon_months=3", f"output.dir={tmp_path}",
           "output.quiet=true"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    assert len({o[0].strip() for o in outs}) == 3 and len(list(tmp_path.iterdir())) == 3


def test_stale_temporary_folders_of_dead_processes_are_removed(tmp_path):
    from sim.cache import remove_stale, tmp_name

    live = tmp_path / tmp_name("run")
    live.mkdir()
    dead = tmp_path / live.name.replace(f"-{os.getpid()}", "-999999999")
    dead.mkdir()
    assert remove_stale(tmp_path) == 1 and live.exists() and not dead.exists()
