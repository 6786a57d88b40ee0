"""A small in-process cache for what is derived from a scene's text (its parse, its read-view HTML).

Keyed by the text itself (with whatever else the result depends on): a new revision simply misses and
nothing ever needs invalidating. Bounded by a budget of characters, least recently used first out.
Views run in threads, hence the lock; the value is made outside it, so other readers never wait."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TextCache(Generic[V]):
    def __init__(self, *, budget: Callable[[], int], size: Callable[[Hashable, V], int]) -> None:
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._chars = 0
        self._lock = threading.Lock()
        self._budget = budget  # read on every store, so tests can override the setting
        self._size = size
        self.misses = 0  # values made, for tests and the bench

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        size, budget = self._size(key, value), self._budget()
        with self._lock:
            self.misses += 1
            if key not in self._entries and size <= budget:
                self._entries[key] = value
                self._sizes[key] = size
                self._chars += size
                while self._chars > budget:
                    old, _value = self._entries.popitem(last=False)
                    self._chars -= self._sizes.pop(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._chars = 0
