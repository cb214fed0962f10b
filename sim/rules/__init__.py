"""Decision rules: small classes registered by name, chosen in the config under ``rules``.

Each rule is constructed with the run's :class:`~sim.config.Config` and has one decision method.
"""

from sim.rules.consortium import consortium_rules
from sim.rules.partner_selection import partner_selection_rules

__all__ = ["consortium_rules", "partner_selection_rules"]
