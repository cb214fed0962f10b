# `make run` and `make test` work on a fresh clone with only Python >= 3.12 and make installed.
# The virtual environment (.venv) is built from requirements.lock, the versions this project is tested with.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run test dashboard baseline clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	  echo "Setting up $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The main job: baseline vs Klima.Werk on the default region, 20 runs each, with a report.
run: setup
	$(PY) -m sim.compare

# The dashboard's browser test drives Debian's Chromium (Playwright cannot download browsers here).
test: setup
	scripts/install-browser
	$(PY) -m pytest

# The workshop dashboard on http://127.0.0.1:8765 (python -m sim.app --host 0.0.0.0 to expose it).
dashboard: setup
	$(PY) -m sim.app

# Re-pin the golden baseline after an intended change of the model (say why in the commit).
baseline: setup
	$(PY) -m tests.golden --update

clean:
	rm -rf $(VENV) *.egg-info
