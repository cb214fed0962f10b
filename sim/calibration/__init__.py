"""Pattern-oriented calibration by ABC-SMC (pyabc) with held-out patterns: ``python -m sim.calibrate``.

spec.py (the pattern and calibration files as data), runner.py (runs through the sweep runner and cache),
abc.py (the ABC-SMC of one fit), check.py (predictive checks, held-out predictions), scenario_file.py
(the calibrated scenario files and their provenance), figures.py, report.py (report.md, docs/validation.md),
study.py (all of it, from the file to the result folder)."""
