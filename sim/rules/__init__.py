"""Decision rules: small classes registered by name, chosen in the config under ``rules``.

Each rule is constructed with the run's :class:`~sim.config.Config` and has one decision method.
Every module in this folder is imported, so a new rule registers itself by being here.
"""

from sim.registry_import import import_all
from sim.rules.consortium import consortium_rules
from sim.rules.partner_selection import partner_selection_rules

import_all(__name__, __path__)

__all__ = ["consortium_rules", "partner_selection_rules"]
