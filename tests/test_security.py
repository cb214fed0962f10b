"""Nothing named in a config file, an override or a file given on the command line is ever run
(issue 18, item 2): ``_target_`` and logging factories anywhere, ``--experimental-rerun`` however
abbreviated, config search paths that import modules. Each case plants a module or pickle that
would write a sentinel file if it ran, then checks the one-line refusal and that the sentinel is
absent."""

import pickle
import sys
from pathlib import Path

import pytest

from sim.cli import CONFIG_DIR, main
from sim.errors import UserError


class Touch:
    """Unpickling this writes the sentinel file: proof that a pickle was loaded."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.write_text, (Path(self.path), "ran"))


@pytest.fixture
def bait(tmp_path, monkeypatch):
    """A sentinel path, a module 'sim_bait_mod' on sys.path that writes it when imported, a pickle that
    writes it when loaded, and a config folder whose scenario file names code."""
    sentinel = tmp_path / "ran.txt"
    (tmp_path / "sim_bait_mod.py").write_text(f"open({str(sentinel)!r}, 'w').write('ran')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("sim_bait_mod", None)
    (tmp_path / "rerun.pickle").write_bytes(pickle.dumps(Touch(sentinel)))
    scenario = tmp_path / "cfg" / "scenario"
    scenario.mkdir(parents=True)
    (scenario / "evil.yaml").write_text("# @package _global_\nscenario:\n  name: evil\nhydra:\n  callbacks:\n    x:\n"
                                        f"      _target_: pathlib.Path.write_text\n      self: {sentinel}\n"
                                        "      data: ran\n")
    (scenario / "factory.yaml").write_text("# @package _global_\nhydra:\n  job_logging:\n    filters:\n      f:\n"
                                           "        '()': os.getcwd\n")
    (scenario / "nested.yaml").write_text("# @package _global_\nfunding:\n  deep:\n    _target_: os.system\n")
    return tmp_path, sentinel


def refused(args, capsys, fragment):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    assert fragment in err[0], err


RUN = ["region=saarbruecken", "horizon_months=1", "output.write=false", "output.quiet=true"]
CASES = [
    # (command line with {d} = the bait folder, fragment of the one-line refusal)
    (["--experimental-rerun", "{d}/rerun.pickle"], "--experimental-rerun is not supported"),
    (["--experimental-re", "{d}/rerun.pickle"], "--experimental-rerun is not supported"),    # argparse abbreviation
    (["--e={d}/rerun.pickle"], "--experimental-rerun is not supported"),
    (["hydra.searchpath=[pkg://sim_bait_mod]", *RUN], "config search path 'pkg://sim_bait_mod'"),
    (["hydra.searchpath=[structured://sim_bait_mod]", *RUN], "imports a Python module"),
    (["-m", "hydra.searchpath=[pkg://sim_bait_mod]", "seed=0,1", *RUN], "config search path 'pkg://sim_bait_mod'"),
    (["--config-path", "pkg://sim_bait_mod", *RUN], "config search path 'pkg://sim_bait_mod' (main)"),
    (["-cd", "{d}/cfg", "scenario=evil", *RUN], "'hydra.callbacks.x._target_' = 'pathlib.Path.write_text'"),
    (["-m", "-cd", "{d}/cfg", "scenario=evil", "seed=0,1", *RUN], "'hydra.callbacks.x._target_'"),
    (["-cd", "{d}/cfg", "scenario=nested", *RUN], "scenario/nested.yaml: unknown key 'funding.deep'"),
    (["hydra.searchpath=[file://{d}/cfg]", "scenario=evil", *RUN], "'hydra.callbacks.x._target_'"),
    (["+hydra.callbacks.x._target_=pathlib.Path.write_text", "+hydra.callbacks.x.self={d}/ran.txt",
      "+hydra.callbacks.x.data=ran", *RUN], "'hydra.callbacks.x._target_' = 'pathlib.Path.write_text'"),
    (["+hydra.callbacks.sim.extra._target_=os.getcwd", *RUN], "'hydra.callbacks.sim.extra._target_'"),
    (["-cd", "{d}/cfg", "scenario=factory", *RUN], "'hydra.job_logging.filters.f.()' = 'os.getcwd'"),
    (["hydra.job_logging.handlers.console.class=subprocess.Popen", *RUN], "must be classes of Python's logging"),
    (["hydra.job_logging.handlers.console.stream=ext://sim_bait_mod.x", *RUN], "'ext://' imports a module"),
    (["hydra.hydra_logging.handlers.console.stream=ext://sim_bait_mod.x", *RUN], "'ext://' imports a module"),
    (["-m", "+hydra.sweeper.design._target_=os.getcwd", "seed=0,1", *RUN], "'hydra.sweeper.design._target_'"),
    (["+funding._target_=os.system", *RUN], "unknown key 'funding._target_'"),
]


@pytest.mark.parametrize("args, fragment", CASES, ids=[" ".join(a[:2]) for a, _ in CASES])
def test_code_named_in_an_override_or_a_config_file_never_runs(args, fragment, bait, capsys):
    folder, sentinel = bait
    refused([a.replace("{d}", str(folder)) for a in args] + [f"output.sweep_dir={folder / 'sweeps'}"], capsys, fragment)
    assert not sentinel.exists()
    assert "sim_bait_mod" not in sys.modules
    assert not (folder / "sweeps").exists()


def test_compare_refuses_code_in_a_scenario_file_before_any_run(tmp_path, capsys, monkeypatch):
    from sim.compare import main as compare

    sentinel = tmp_path / "ran.txt"
    evil = CONFIG_DIR / "scenario" / "zz_test_evil_compare.yaml"
    evil.write_text("# @package _global_\nscenario:\n  name: evil\nhydra:\n  callbacks:\n    x:\n"
                    f"      _target_: pathlib.Path.write_text\n      self: {sentinel}\n      data: ran\n")
    monkeypatch.chdir(tmp_path)
    try:
        with pytest.raises(SystemExit) as exit_info:
            compare(["scenarios=[baseline,zz_test_evil_compare]", "region=saarbruecken", "horizon_months=1"])
    finally:
        evil.unlink()
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and "'hydra.callbacks.x._target_'" in err[0], err
    assert not sentinel.exists() and not (tmp_path / "results").exists()


def test_the_guard_itself_refuses_a_rerun_file_and_module_search_paths(tmp_path):
    """Behind the command-line check: the function Hydra would unpickle with is replaced, and a search
    path that imports a module is refused wherever Hydra builds its sources (also in sim.cli.compose)."""
    import importlib

    from sim.cli import compose
    from sim.hydra_guard import check_source, guarded

    hydra_main = importlib.import_module("hydra.main")
    original = hydra_main._get_rerun_conf
    with guarded():
        with pytest.raises(UserError, match="unpickles a file"):
            hydra_main._get_rerun_conf(str(tmp_path / "x.pickle"), [])
    assert hydra_main._get_rerun_conf is original                  # restored afterwards
    for path in ("pkg://os", "structured://os", "pkg://hydra_plugins.anything"):
        with pytest.raises(UserError, match="imports a Python module"):
            check_source("hydra.searchpath in main", path)
    check_source("main", str(CONFIG_DIR))
    check_source("hydra.searchpath in command-line", f"file://{CONFIG_DIR}")
    with pytest.raises(UserError, match="config search path 'pkg://os'"):
        compose(["hydra.searchpath=[pkg://os]"])
