"""Agent kinds. Each is a Mesa agent and a node of the collaboration graph.

Every module in this folder is imported, so a kind registered here with ``@agent_kinds.register`` can be
chosen in ``actors.kinds`` (``python -m sim new kind NAME`` writes one). Coordinating bodies (service
organisation, broker group, project office, ...) are agents and nodes too; they live in ``sim/bodies``.
"""

from sim.agents.base import Actor, agent_kinds
from sim.agents.company import Company
from sim.agents.municipality import Municipality
from sim.agents.ngo import NGO
from sim.registry_import import import_all

import_all(__name__, __path__)

__all__ = ["Actor", "Company", "Municipality", "NGO", "agent_kinds"]
