"""Outcome metrics of your own, one module each (``python -m sim new metric NAME`` writes one).

Every module in this folder is imported, so a metric registered here with ``@metrics.register`` is
recorded every month like those of ``sim/metrics.py``.
"""

from sim.registry_import import import_all

import_all(__name__, __path__)
