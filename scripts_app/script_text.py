"""Bridge between stored scene text and the element list (formats/ stays Django-free).

Parsed scenes are kept in a small in-process cache keyed by the text itself, so a scene is parsed
once per revision (per server or worker process), not once for every reader who opens it, every
export that prints it and every save that derives its heading: the same text always parses the same.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings

from .formats import detect, fountain, zh
from .formats.elements import Element, HeadingParts, Kind
from .formats.runtime import estimate_seconds

HEADING_PARSERS = {"zh": zh.heading_parts, "fountain": fountain.heading_parts}


@dataclass(frozen=True)
class SceneFacts:
    """What a scene's text says about the scene: derived, never edited directly."""

    elements: tuple[Element, ...]  # a tuple: the cached copy is shared by every reader
    heading: str
    parts: HeadingParts
    runtime_seconds: int


def scene_elements(text: str, fmt: str) -> list[Element]:
    return list(scene_facts(text, fmt).elements)


def scene_facts(text: str, fmt: str) -> SceneFacts:
    return _cache.get(text, fmt)


def parse_scene_uncached(text: str, fmt: str) -> SceneFacts:
    doc = detect.parse(text, fmt)
    elements = tuple(el for episode in doc.episodes for el in episode.elements)
    runtime = estimate_seconds(list(elements), fmt)
    heading_el = next((el for el in elements if el.kind == Kind.SCENE_HEADING), None)
    if heading_el is None:
        return SceneFacts(elements, "", HeadingParts(), runtime)
    parts = HEADING_PARSERS[fmt](heading_el)
    heading = f"{heading_el.scene_number} {heading_el.text}".strip() if fmt == "zh" else heading_el.text
    return SceneFacts(elements, heading, parts, runtime)


class _ParseCache:
    """Least recently used parses, bounded by the characters of text they were made from.

    Keyed by (format, text): a text that is saved again unchanged, restored, or shared by two scenes
    is one entry, and an edited scene simply misses. Views run in threads, hence the lock."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], SceneFacts] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.misses = 0  # parses done, for tests and the bench

    def get(self, text: str, fmt: str) -> SceneFacts:
        key = (fmt, text)
        with self._lock:
            facts = self._entries.get(key)
            if facts is not None:
                self._entries.move_to_end(key)
                return facts
        facts = parse_scene_uncached(text, fmt)  # outside the lock: other readers don't wait
        budget = settings.SCENE_PARSE_CACHE_CHARS
        with self._lock:
            self.misses += 1
            if key not in self._entries and len(text) <= budget:
                self._entries[key] = facts
                self._chars += len(text)
                while self._chars > budget:
                    (_fmt, old), _facts = self._entries.popitem(last=False)
                    self._chars -= len(old)
        return facts

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0


_cache = _ParseCache()


def clear_parse_cache() -> None:
    _cache.clear()


def parse_count() -> int:
    """How many scene texts this process has parsed (cache misses) since it started."""
    return _cache.misses
