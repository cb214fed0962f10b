"""Agent kinds. Each is a Mesa agent and a node of the collaboration graph.

Coordinating bodies (service organisation, broker group, project office, ...) are agents and
nodes too; they live beside these modules and register in the same way.
"""

from sim.agents.base import Actor, agent_kinds
from sim.agents.company import Company
from sim.agents.municipality import Municipality
from sim.agents.ngo import NGO

__all__ = ["Actor", "Company", "Municipality", "NGO", "agent_kinds"]
