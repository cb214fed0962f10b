"""Coordinating bodies: registered by name, chosen in ``scenario.bodies``, parameters in their own group.

Every module in this folder is imported, so a new body registers itself by being here.
"""

from sim.bodies.base import Body, Request, ServiceQueue, bodies
from sim.registry_import import import_all

import_all(__name__, __path__)

__all__ = ["Body", "Request", "ServiceQueue", "bodies"]
