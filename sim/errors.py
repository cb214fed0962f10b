"""The one exception type that means "the user asked for something we cannot do".

The command line prints such errors as a single line, without a traceback, and exits with
status 2. Everything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input: a config key, a value, a region file. The message names what and what is allowed."""


def os_error_line(err: OSError, what: str) -> str:
    """One line for a failed read or write (a full disk, a folder that became unwritable, a file that
    vanished): what was being done, the system's reason and the file.

    >>> import errno
    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device", "out/sweep.json"), "write the sweep")
    'could not write the sweep: No space left on device (out/sweep.json); nothing complete was lost, the same command continues'
    """
    where = f" ({err.filename})" if getattr(err, "filename", None) else ""
    return (f"could not {what}: {err.strerror or err}{where}; nothing complete was lost, the same command continues")


class ContractError(UserError):
    """A component (a rule, a body, a metric) broke the contract of its extension point: the message names
    the component and the contract in one sentence. Shown like bad input: the fix is in that component."""
