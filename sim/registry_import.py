"""Import every module of a package so that its components register themselves.

A student adds ``sim/rules/my_rule.py`` with a decorated class and it is registered: no list of
imports to keep by hand.
"""

from __future__ import annotations

import importlib
import pkgutil


def import_all(package_name: str, package_path) -> None:
    for module in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package_name}.{module.name}")
