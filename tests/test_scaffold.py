"""``python -m sim new``: in a fresh copy of the project, a new rule, body, allocation rule, metric and agent kind each
pass their tests, the completeness and ODD checks untouched, and are chosen from the command line; a name
that is taken or malformed stops with one line and writes nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import UserError
from sim.scaffold import main as new
from tests.test_tutorial import fresh_copy


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    copy = fresh_copy(tmp_path_factory.mktemp("scaffold") / "project")
    env = {k: v for k, v in os.environ.items() if k != "SIM_PLUGINS"} | {"PYTHONPATH": str(copy)}
    for kind, name in [("rule", "bonding"), ("body", "klimaschutz"), ("allocation", "smallest_first"),
                       ("metric", "completion"), ("kind", "stadtwerke")]:
        proc = subprocess.run([sys.executable, "-m", "sim", "new", kind, name], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    return copy, env


def test_what_it_writes_passes_the_tests_untouched(project):
    copy, env = project
    for path in ("sim/rules/bonding.py", "sim/bodies/klimaschutz.py", "sim/rules/smallest_first.py",
                 "sim/outcomes/completion.py", "configs/scenario/klimaschutz.yaml", "tests/test_klimaschutz.py",
                 "sim/agents/stadtwerke.py", "tests/test_stadtwerke.py", "configs/scenario/stadtwerke.yaml"):
        assert (copy / path).is_file(), path
    odd = (copy / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert "| `klimaschutz.interval_months` | 3 |" in odd and "- `smallest_first` (allocation rule)" in odd
    assert "| `stadtwerke.min_population` | 20000 |" in odd and "- `stadtwerke` (agent kind)" in odd
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_bonding.py",
                           "tests/test_klimaschutz.py", "tests/test_smallest_first.py", "tests/test_completion.py",
                           "tests/test_stadtwerke.py", "tests/test_docs.py",
                           "tests/test_extension_points.py::test_every_registered_component_has_a_test_class"],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and " passed" in proc.stdout, proc.stdout[-3000:]


def test_what_it_writes_is_chosen_from_the_command_line(project, tmp_path):
    copy, env = project
    proc = subprocess.run([sys.executable, "-m", "sim", "scenario=klimaschutz", "rules.partner_selection=bonding",
                           "bonding.trust_weight=0.8", "funding.allocation=smallest_first", "region=saarbruecken",
                           "actors.kinds=[municipality,company,ngo,stadtwerke]", "stadtwerke.min_population=10000",
                           "output.network=true",
                           "horizon_months=6", f"output.dir={tmp_path}"], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip().splitlines()[-1])
    assert '"completion"' in (folder / "summary.json").read_text()
    assert '"trust_weight": 0.8' in (folder / "metadata.json").read_text()
    assert '"min_population": 10000' in (folder / "metadata.json").read_text()
    assert ",stadtwerke," in (folder / "nodes.csv").read_text()        # its agents are nodes of the network


def test_a_taken_or_malformed_name_writes_nothing(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_fresh.py").write_text("# mine\n")
    for argv, message in [(["rule", "trust"], "partner selection rule 'trust' is registered already"),
                          (["body", "funding"], "'funding' is a config group of the model already"),
                          (["rule", "Bonding-2"], "NAME 'Bonding-2' must be snake_case"),
                          (["widget", "x"], "usage: python -m sim new rule|body|allocation|metric|kind NAME"),
                          (["metric", "fresh"], "tests/test_fresh.py exists already; nothing was written")]:
        with pytest.raises(UserError, match=message):
            new(argv, root=tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["tests", "tests/test_fresh.py"]
    assert (tmp_path / "tests" / "test_fresh.py").read_text() == "# mine\n"
