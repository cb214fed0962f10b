"""The tutorial works as written: its code blocks are the files in docs/tutorial/, and its steps, run in
order in a fresh copy of the project (never in this tree, never in this process's registries), give what
it says: the components register, are chosen from the command line, have their parameters as config
groups, pass their inherited checks and own tests, and compare."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial"
SOURCES = sorted([*TUTORIAL.glob("*.py"), *TUTORIAL.glob("*.yaml")])


def destination(source: Path) -> str:
    """Where the tutorial puts a file: its '# file: PATH' line, among the first two."""
    for line in source.read_text(encoding="utf-8").splitlines()[:2]:
        if line.startswith("# file: "):
            return line[len("# file: "):].strip()
    raise AssertionError(f"{source.name}: no '# file: PATH' line at the top")


def fresh_copy(target: Path) -> Path:
    """The project as a student clones it: no .venv, results, git data or caches."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(
        ".venv", "results", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis"))
    (target / "results").mkdir()
    return target


def test_tutorial_code_blocks_are_the_tested_files():
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:python|yaml)\n(.*?)```", text, flags=re.S)
    files = {p.read_text(encoding="utf-8").strip() for p in SOURCES}
    assert len(blocks) == len(SOURCES) == 7 and {b.strip() for b in blocks} == files
    assert all(destination(p) for p in SOURCES)


def test_the_tutorial_runs_end_to_end_in_a_fresh_copy(tmp_path):
    copy = fresh_copy(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if k != "SIM_PLUGINS"} | {"PYTHONPATH": str(copy)}
    out = tmp_path / "runs"

    def sim(*args: str, code: int = 0) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == code, f"{' '.join(args)}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        return proc

    def install(name: str) -> None:
        source = TUTORIAL / name
        (copy / destination(source)).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

    def metadata(proc) -> str:
        return (Path(proc.stdout.strip().splitlines()[-1]) / "metadata.json").read_text(encoding="utf-8")

    # 0: look around
    assert "expected_value" in sim("-m", "sim", "list").stdout
    # 1: a partner-selection rule
    install("experienced.py")
    assert "  experienced " in sim("-m", "sim", "list").stdout
    run = sim("-m", "sim", "rules.partner_selection=experienced", "region=saarbruecken", "horizon_months=12",
              f"output.dir={out}")
    assert '"partner_selection": "experienced"' in metadata(run)
    typo = sim("-m", "sim", "rules.partner_selection=experiencd", f"output.dir={out}", code=2)
    assert typo.stderr.count("\n") == 1 and "registered: expected_value, experienced, trust" in typo.stderr
    # 2: a body and its scenario, run and compared
    install("savings_bank.py")
    install("savings_bank.yaml")
    sim("-m", "sim", "scenario=savings_bank", "region=werra_meissner", "funding.cofinancing_share=0.5",
        "horizon_months=12", f"output.dir={out}")
    sim("-m", "sim.compare", "scenarios=[baseline,savings_bank]", "region=saarbruecken", "funding.cofinancing_share=0.5",
        "replications=2", "explain=0", "horizon_months=12", "jobs=1", "name=bank")
    summary = pd.read_csv(copy / "results" / "compare" / "bank" / "en" / "summary.csv")
    assert set(summary.scenario) == {"baseline", "savings_bank"}
    # 3: its parameters are a config group
    run = sim("-m", "sim", "scenario=savings_bank", "savings_bank.share=0.3", "region=werra_meissner",
              "horizon_months=6", f"output.dir={out}")
    assert '"share": 0.3' in metadata(run)
    bad = sim("-m", "sim", "savings_bank.share=2", f"output.dir={out}", code=2)
    assert bad.stderr.strip() == "error: 'savings_bank.share' = 2.0 is out of range; allowed: [0, 1]"
    sim("scripts/param_table.py", "--write", "docs/ODD.md")
    # 4: tests; 5: a funding rule and a metric
    install("test_student.py")
    for name in ("need_first.py", "small_towns.py", "test_student_funding.py"):
        install(name)
    run = sim("-m", "sim", "funding.allocation=need_first", "region=werra_meissner", "horizon_months=12",
              f"output.dir={out}")
    assert '"allocation": "need_first"' in metadata(run)
    assert "small_town_funds_share" in (Path(run.stdout.strip().splitlines()[-1]) / "summary.json").read_text()
    tests = sim("-m", "pytest", "-p", "no:cacheprovider", "tests/test_student.py", "tests/test_student_funding.py",
                "tests/test_docs.py", "tests/test_extension_points.py::test_every_registered_component_has_a_test_class")
    assert re.search(r"\b\d+ passed", tests.stdout) and "failed" not in tests.stdout, tests.stdout[-500:]


def test_a_component_from_a_folder_of_ones_own_is_chosen_from_the_command_line(tmp_path):
    """Step 6: SIM_PLUGINS loads files from outside the project; their parameters are config groups too."""
    folder = tmp_path / "components"
    folder.mkdir()
    shutil.copy(TUTORIAL / "savings_bank.py", folder / "savings_bank.py")
    env = {**os.environ, "SIM_PLUGINS": str(folder), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "sim", "scenario.bodies=[savings_bank]", "savings_bank.share=0.25",
                           "region=saarbruecken", "horizon_months=6", f"output.dir={tmp_path / 'runs'}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '"share": 0.25' in (Path(proc.stdout.strip().splitlines()[-1]) / "metadata.json").read_text()
    listing = subprocess.run([sys.executable, "-m", "sim", "list", "--verbose"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300).stdout
    assert f"file: {folder / 'savings_bank.py'}" in listing and "share = 0.5  [0, 1]" in listing
    sweep = subprocess.run([sys.executable, "-m", "sim", "-m", "scenario.bodies=[savings_bank]", "seed=range(2)",
                            "savings_bank.share=0.25", "region=saarbruecken", "horizon_months=3", "output.quiet=true",
                            f"output.sweep_dir={tmp_path / 'sweeps'}", "output.name=bank", "hydra.launcher.n_jobs=2"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "2 of 2 runs complete" in sweep.stdout + sweep.stderr, sweep.stdout + sweep.stderr   # worker processes too
    env["SIM_PLUGINS"] = str(tmp_path / "nowhere.py")
    bad = subprocess.run([sys.executable, "-m", "sim", "list"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip() == f"error: SIM_PLUGINS: file '{tmp_path / 'nowhere.py'}' does not exist"


def test_a_component_from_an_installed_package_is_loaded_by_its_entry_point(tmp_path):
    """Step 6: a distribution that names a module in the entry-point group sim.plugins (as pip installs it)."""
    site = tmp_path / "site"
    info = site / "student_components-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: student-components\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sim.plugins]\nbank = student_bank\n")
    shutil.copy(TUTORIAL / "savings_bank.py", site / "student_bank.py")
    env = {k: v for k, v in os.environ.items() if k != "SIM_PLUGINS"} | {"PYTHONPATH": f"{ROOT}{os.pathsep}{site}"}
    listing = subprocess.run([sys.executable, "-m", "sim", "list", "--verbose"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert listing.returncode == 0, listing.stderr
    assert "  savings_bank " in listing.stdout and "file: site/student_bank.py" in listing.stdout
    (site / "student_bank.py").write_text("import no_such_module\n")
    broken = subprocess.run([sys.executable, "-m", "sim", "list"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert broken.returncode == 2 and broken.stderr.startswith(
        "error: plug-in 'bank' (entry point group sim.plugins, student_bank) cannot be imported: ModuleNotFoundError")
