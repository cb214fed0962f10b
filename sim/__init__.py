"""Agent-based simulation of inter-municipal and cross-sector cooperation.

Start with :func:`sim.run.simulate` (the model as a function) or ``python -m sim`` (Hydra).
"""

__version__ = "0.1.0"
