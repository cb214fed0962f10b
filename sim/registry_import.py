"""Import every module of a package so that its components register themselves.

A student adds ``sim/rules/my_rule.py`` with a decorated class and it is registered: no list of
imports to keep by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys


def import_all(package_name: str, package_path) -> None:
    """Import every module of the package not starting with '_'; one that fails to import is a UserError
    naming its file (a student's broken module, not a crash of the model)."""
    from sim.errors import UserError

    for module in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        name = f"{package_name}.{module.name}"
        try:
            importlib.import_module(name)
        except UserError:
            raise
        except Exception as err:
            sys.modules.pop(name, None)
            where = f"{name.replace('.', '/')}.py"
            raise UserError(f"{where} cannot be imported: {type(err).__name__}: {err}") from err
