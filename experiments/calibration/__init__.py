"""Pattern-oriented calibration (see README.md and run.py)."""
