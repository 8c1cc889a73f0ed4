"""Process-wide resources built once and shared (models, scorers).

One helper instead of a dict and a lock in every module.

``Resources("chat models")`` is a keyed cache: ``get(key, build)`` builds at most once per key even when
requests arrive together, ``install(key, value)`` is the public hook tests use to put a fake in, and
:func:`clear_all` empties every cache at once (tests call it between cases; nothing reaches into a
module's private state).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_ALL: list[Resources[Any]] = []
_ALL_LOCK = threading.Lock()


class Resources(Generic[T]):
    """A named, thread-safe cache of resources by key, each built at most once."""

    def __init__(self, name: str, close: Callable[[T], None] | None = None) -> None:
        self.name = name
        self.close = close  # how a resource is let go of when it is dropped (a client's connections)
        self._items: dict[Hashable, T] = {}
        self._lock = threading.Lock()
        with _ALL_LOCK:
            _ALL.append(self)

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The resource for ``key``, built by ``build`` the first time (blocking: call it off the event loop)."""
        with self._lock:  # one build per key; loads are rare and heavy, so one lock per cache is enough
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]

    def peek(self, key: Hashable) -> T | None:
        """The resource for ``key`` if it is built already, else None (never builds)."""
        with self._lock:
            return self._items.get(key)

    def install(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._items[key] = value

    def evict(self, which: Callable[[Hashable], bool]) -> None:
        """Drop the resources whose key ``which`` accepts, closing each under the lock (no one gets it meanwhile)."""
        with self._lock:
            for key in [k for k in self._items if which(k)]:
                value = self._items.pop(key)
                if self.close is not None:
                    self.close(value)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def loaded(self) -> dict[Hashable, T]:
        with self._lock:
            return dict(self._items)

    def clear(self) -> None:
        self.evict(lambda key: True)


def listing() -> dict[str, list[str]]:
    """Every cache and the keys it holds, e.g. for a health page or a test's failure message."""
    with _ALL_LOCK:
        caches = list(_ALL)
    return {cache.name: [str(k) for k in cache.loaded()] for cache in caches}


def clear_all() -> None:
    with _ALL_LOCK:
        caches = list(_ALL)
    for cache in caches:
        cache.clear()
