"""The ways Hydra itself could load code named on the command line or in a config file, closed.

:func:`sim.cli.check_code_free` refuses ``_target_`` and logging factories in every composed config.
Two more paths run code before any config is composed, so they are closed here:

- ``--experimental-rerun FILE`` unpickles FILE (and argparse accepts any unique abbreviation, e.g.
  ``--experimental-re`` or ``--e``): :func:`refused_flag` reads the command line with Hydra's own
  parser, and :func:`guarded` replaces the function that would unpickle;
- a config search path (``hydra.searchpath=[pkg://module]``, the same key in a primary config,
  ``--config-path pkg://module``) with the ``pkg://`` or ``structured://`` scheme imports that module,
  i.e. runs it: only folders (``file://`` or a plain path) are honoured, besides Hydra's own
  ``pkg://hydra.conf`` and the schema store.
"""

from __future__ import annotations

import contextlib
import threading

from sim.errors import UserError

RERUN = "--experimental-rerun is not supported: it unpickles a file, and nothing here loads code from files; " \
        "run the same command again instead"
# search-path entries that import a module of an installed package Hydra imports anyway
ALLOWED_SOURCES = {("hydra", "pkg://hydra.conf"), ("schema", "structured://")}
_STATE = threading.local()


def refused_flag(argv: list[str]) -> str | None:
    """The message for a command line that asks Hydra to unpickle a file, however it is spelled."""
    from hydra._internal.utils import get_args_parser

    try:
        args, _ = get_args_parser().parse_known_args(argv)
    except SystemExit:                  # argparse's own error; Hydra reports it the same way
        return None
    return RERUN if getattr(args, "experimental_rerun", None) is not None else None


def check_source(provider: str, path: str) -> None:
    """Refuse a config search-path entry whose loading imports a module (``pkg://``, ``structured://``)."""
    scheme = path.split("://", 1)[0] if "://" in path else "file"
    if scheme == "file" or (provider, path) in ALLOWED_SOURCES:
        return
    raise UserError(f"config search path '{path}' ({provider}) is not allowed: loading it imports a Python module; "
                    "give a folder instead (hydra.searchpath=[file:///path/to/configs] or -cd /path/to/configs)")


def _refuse(message: str) -> None:
    """In the command line: print one line and exit 2 (Hydra would turn an exception into a traceback);
    elsewhere: raise UserError."""
    if getattr(_STATE, "cli", False):
        import sys

        print(f"error: {message}", file=sys.stderr, flush=True)
        raise SystemExit(2)
    raise UserError(message)


def _checked_initialize_sources(original):
    def initialize_sources(self, config_search_path):
        for entry in config_search_path.get_path():
            try:
                check_source(str(entry.provider), str(entry.path))
            except UserError as err:
                _refuse(str(err))
        return original(self, config_search_path)

    return initialize_sources


def _no_rerun(*args, **kwargs):
    _refuse(RERUN)


@contextlib.contextmanager
def guarded(cli: bool = False):
    """While active, Hydra cannot import modules named in a search path or unpickle a rerun file.
    ``cli=True``: a refusal prints one line and exits 2 (inside Hydra's own error handler, which would
    otherwise print a traceback)."""
    import importlib

    from hydra._internal.config_repository import ConfigRepository

    hydra_main_module = importlib.import_module("hydra.main")     # the module, not the function hydra.main

    original_sources = ConfigRepository.initialize_sources
    original_rerun = hydra_main_module._get_rerun_conf
    previous = getattr(_STATE, "cli", False)
    ConfigRepository.initialize_sources = _checked_initialize_sources(original_sources)
    hydra_main_module._get_rerun_conf = _no_rerun
    _STATE.cli = cli or previous
    try:
        yield
    finally:
        ConfigRepository.initialize_sources = original_sources
        hydra_main_module._get_rerun_conf = original_rerun
        _STATE.cli = previous
