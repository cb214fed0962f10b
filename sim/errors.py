"""The one exception type that means "the user asked for something we cannot do".

The command line prints such errors as a single line, without a traceback, and exits with
status 2. Everything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input: a config key, a value, a region file. The message names what and what is allowed."""


class ContractError(UserError):
    """A component (a rule, a body, a metric) broke the contract of its extension point: the message names
    the component and the contract in one sentence. Shown like bad input: the fix is in that component."""
