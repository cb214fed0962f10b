"""docs/notebooks/first_study.ipynb runs from top to bottom in a fresh copy of the project (nbclient), and
its sweep and plots come from the result files it wrote."""

import os

import nbformat
from nbclient import NotebookClient

from tests.test_tutorial import ROOT, fresh_copy


def test_the_first_study_notebook_runs_and_plots_from_its_files(tmp_path, monkeypatch):
    copy = fresh_copy(tmp_path / "project")
    monkeypatch.setenv("PYTHONPATH", str(copy))          # the kernel and its commands use the copy
    monkeypatch.delenv("SIM_PLUGINS", raising=False)
    nb = nbformat.read(ROOT / "docs" / "notebooks" / "first_study.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(copy / "docs" / "notebooks")}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2                                                  # the run's series, the sweep's bars
    runs = sorted(p.name for p in (copy / "results" / "notebook" / "sweeps" / "broker" / "runs").iterdir())
    assert len(runs) == 6 and (copy / "results" / "notebook" / "runs" / "first" / "summary.json").is_file()
    assert os.environ["PYTHONPATH"] == str(copy)
