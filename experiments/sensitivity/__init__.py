"""Global sensitivity analysis (Morris, Sobol) of the model; see README.md and run.py."""
