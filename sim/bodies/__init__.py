"""Coordinating bodies: registered by name, chosen in ``scenario.bodies``, parameters in their own group.

Importing this package registers every body shipped with the model.
"""

from sim.bodies import association, broker, city_coordinators, development, entry, events, project_office  # noqa: F401
from sim.bodies import service_organisation  # noqa: F401
from sim.bodies.base import Body, Request, ServiceQueue, bodies

__all__ = ["Body", "Request", "ServiceQueue", "bodies"]
