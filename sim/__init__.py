"""Agent-based simulation of inter-municipal and cross-sector cooperation.

Start with :func:`sim.run.simulate` (the model as a function) or ``python -m sim`` (Hydra).
"""

# Mesa first, while few modules are loaded and the call stack is short: importing mesa.model makes Mesa's
# module logger call inspect.stack(), which scans every loaded module for each frame of the stack. Imported
# deep inside the package (after pandas, SciPy and Hydra) that took 0.29-0.31 s of every process; first,
# 0.17-0.22 s (python -X importtime -m sim; valgrind: 6 % fewer instructions for a whole `python -m sim`).
import mesa  # noqa: F401  (imported for its side effect on start-up time only)

__version__ = "0.1.0"
