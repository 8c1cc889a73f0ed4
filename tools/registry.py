"""Named declarations in the order they were made (strategies, guard rails), and what is derived from them.

A registry is read on every request (which strategies exist, which rails scan) and changed rarely (a
module declaring itself, a test adding a toy), so what is derived from it (sorted lists, lookups) is built
once per change: :meth:`Registry.view`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")


class Registry(Generic[T]):
    """Declarations by name; ``kind`` names them in errors ("strategy", "rail")."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._views: dict[str, Any] = {}
        self._lock = threading.RLock()  # re-entrant: one view may be built from another

    def add(self, name: str, item: T) -> T:
        with self._lock:
            if name in self._items:
                raise ValueError(f"a {self.kind} named {name!r} is already declared")
            self._items[name] = item
            self._views.clear()
        return item

    def remove(self, name: str) -> None:
        with self._lock:
            self._items.pop(name, None)
            self._views.clear()

    @contextmanager
    def added(self, name: str, item: T) -> Iterator[T]:
        """``item`` declared for the duration of a ``with`` block (tests, experiments)."""
        self.add(name, item)
        try:
            yield item
        finally:
            self.remove(name)

    def items(self) -> dict[str, T]:
        """Every declaration by name, in the order they were made."""
        with self._lock:
            return dict(self._items)

    def view(self, key: str, build: Callable[[], V]) -> V:
        """What ``build`` derives from the declarations, built once until they change."""
        with self._lock:
            if key not in self._views:
                self._views[key] = build()
            value: V = self._views[key]
            return value
