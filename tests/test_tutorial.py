"""The tutorial's code is the code that runs: its blocks equal docs/tutorial/*.py, the components
register, their inherited checks and own tests pass, and the rule works from the command line."""

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"tutorial_{name}", TUTORIAL / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


load("experienced")
load("savings_bank")
student = load("test_student")
TestExperienced = student.TestExperienced      # the student's tests run here too
TestSavingsBank = student.TestSavingsBank


def test_tutorial_code_blocks_are_the_tested_files():
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    files = {p.read_text(encoding="utf-8").strip() for p in TUTORIAL.glob("*.py")}
    assert len(blocks) == 3 and {b.strip() for b in blocks} == files


def test_the_rule_works_from_the_command_line_once_saved_in_sim_rules(tmp_path):
    target = ROOT / "sim" / "rules" / "experienced.py"
    assert not target.exists()
    shutil.copy(TUTORIAL / "experienced.py", target)
    try:
        proc = subprocess.run([sys.executable, "-m", "sim", "rules.partner_selection=experienced",
                               "region=saarbruecken", "horizon_months=12", f"output.dir={tmp_path}"],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        listing = subprocess.run([sys.executable, "-m", "sim", "list"], cwd=ROOT, capture_output=True, text=True)
    finally:
        target.unlink()
    assert proc.returncode == 0, proc.stderr
    assert "experienced" in listing.stdout
    meta = (Path(proc.stdout.strip().splitlines()[-1]) / "metadata.json").read_text()
    assert '"partner_selection": "experienced"' in meta
