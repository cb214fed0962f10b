"""Registries: every extension point is a name -> component table filled by a decorator.

A component is a small class (or function) with a registered ``key``, a ``traits`` dict and a
docstring. The config picks components by name; ``python -m sim list`` prints every registry.
Collections are derived from what is registered, never kept by hand.

>>> reg = Registry("example")
>>> @reg.register("always")
... class Always:
...     '''Always says yes.'''
...     traits = {"stochastic": False}
>>> reg.get("always").key
'always'
>>> reg.get("never")
Traceback (most recent call last):
...
sim.errors.UserError: unknown example 'never'; registered: always
"""

from __future__ import annotations

from typing import Any, Callable

from sim.errors import UserError


class Registry:
    """A named table of components of one kind (rules, metrics, agent kinds, ...)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, Any] = {}

    def register(self, name: str, **traits: Any) -> Callable[[Any], Any]:
        """Decorator: register a class or function under ``name``; keyword arguments become traits."""

        def add(obj: Any) -> Any:
            old = self._items.get(name)
            if old is not None and old is not obj:
                if (old.__module__, old.__qualname__) == (obj.__module__, obj.__qualname__):
                    pass                         # the same module imported again (a reload): the new one counts
                else:
                    raise ValueError(f"{self.kind} '{name}' is registered twice: in {old.__module__} and in "
                                     f"{obj.__module__}; give one of them another name")
            obj.key = name
            obj.traits = {**getattr(obj, "traits", {}), **traits}
            self._items[name] = obj
            return obj

        return add

    def remove(self, name: str) -> None:
        """Forget a component (``sim.testing.registered`` uses it to try components out in tests)."""
        self._items.pop(name, None)

    def get(self, name: str) -> Any:
        try:
            return self._items[name]
        except KeyError:
            raise UserError(f"unknown {self.kind} '{name}'; registered: {', '.join(sorted(self._items))}") from None

    def names(self) -> list[str]:
        return list(self._items)

    def items(self):
        return self._items.items()

    def __contains__(self, name: str) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)
