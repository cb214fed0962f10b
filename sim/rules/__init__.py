"""Decision rules: small classes registered by name, chosen in the config under ``rules``.

Each rule is constructed with the run's :class:`~sim.config.Config` and has one decision method.
Every module in this folder is imported, so a new rule registers itself by being here (allocation rules
too: they register in ``sim.funding.allocation_rules``). A rule with parameters declares them in a
``Params`` dataclass beside it, with :func:`sim.config.param` fields; they become the config group named
after the rule (``python -m sim new rule NAME`` writes an example), read with
``sim.components.params_of(cfg, type(self))``.
"""

from sim.registry_import import import_all
from sim.rules.consortium import consortium_rules
from sim.rules.partner_selection import partner_selection_rules

import_all(__name__, __path__)

__all__ = ["consortium_rules", "partner_selection_rules"]
