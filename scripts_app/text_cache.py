"""A small in-process cache for what is derived from a scene's text (its parse, its read-view HTML).

Keyed by the text itself (with whatever else the result depends on): a new revision simply misses and
nothing ever needs invalidating. Bounded by a budget of bytes, least recently used first out: each
entry is sized by what it holds in memory (`size`, an estimate that never falls below what the entry
takes, tested in tests/test_hardening_parse_cache.py), so no text, however hostile, makes a process's
cache grow past its budget. Views run in threads, hence the lock; the value is made outside it, so
other readers never wait."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

# What an entry costs besides what its size function counts: the key's tuple, the dictionaries' slots,
# the value's own object (a SceneFacts with its HeadingParts). Measured at about 1 KB on CPython 3.11,
# up to 1.2 KB in a long-running process (a short scene held 3,012 bytes against 2,814 counted with
# 1 KB); counted at 2 KB so the budget is never an underestimate.
ENTRY_BYTES = 2048


def str_bytes(*texts: str) -> int:
    """The memory of these strings (sys.getsizeof: header plus 1, 2 or 4 bytes a character)."""
    return sum(sys.getsizeof(t) for t in texts)


class TextCache(Generic[V]):
    def __init__(self, *, budget: Callable[[], int], size: Callable[[Hashable, V], int]) -> None:
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._budget = budget  # bytes; read on every store, so tests can override the setting
        self._size = size  # an entry's bytes in memory, key included
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
                self._bytes += size
                while self._bytes > budget:
                    old, _value = self._entries.popitem(last=False)
                    self._bytes -= self._sizes.pop(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0

    @property
    def size(self) -> int:
        """The bytes the cache holds now, by its entries' estimates (at most the budget)."""
        return self._bytes
