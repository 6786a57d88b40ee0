"""Bridge between stored scene text and the element list (formats/ stays Django-free).

Parsed scenes are kept in a small in-process cache keyed by the text itself, so a scene is parsed
once per revision (per server or worker process), not once for every reader who opens it, every
export that prints it and every save that derives its heading: the same text always parses the same.
The cache is bounded in bytes of memory (SCENE_PARSE_CACHE_BYTES), each entry sized by its elements
and strings, since a parsed scene takes from 6 to over 100 bytes per character of its text.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings

from .formats import detect, fountain, zh
from .formats.elements import Element, HeadingParts, Kind
from .formats.runtime import estimate_seconds
from .text_cache import ENTRY_BYTES, TextCache, str_bytes

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
    return _cache.get((fmt, text), lambda: parse_scene_uncached(text, fmt))


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


# What one parsed element takes besides its strings: the Element object with its six fields and its
# slot in the tuple. Measured with tracemalloc on CPython 3.11, 64-bit: 136 bytes. A parsed scene costs
# from 6 to over 100 bytes per character of its text (one element per line of `【`), so the cache counts
# elements and strings, never characters.
ELEMENT_BYTES = 160


def facts_bytes(text: str, facts: SceneFacts) -> int:
    """What a cached parse holds in memory, its key's text included; linear in the element count."""
    size = ENTRY_BYTES + str_bytes(text, facts.heading) + ELEMENT_BYTES * len(facts.elements)
    for el in facts.elements:
        # An empty string is one shared object; a non-empty one is the element's own.
        size += sum(sys.getsizeof(s) for s in (el.text, el.scene_number, el.extension) if s)
    return size


# Keyed by (format, text): a text that is saved again unchanged, restored, or shared by two scenes is
# one entry, and an edited scene simply misses.
_cache: TextCache[SceneFacts] = TextCache(
    budget=lambda: settings.SCENE_PARSE_CACHE_BYTES, size=lambda key, facts: facts_bytes(key[1], facts)
)


def parse_cache_bytes() -> int:
    """The bytes the parse cache holds now (at most SCENE_PARSE_CACHE_BYTES)."""
    return _cache.size


def clear_parse_cache() -> None:
    _cache.clear()


def parse_count() -> int:
    """How many scene texts this process has parsed (cache misses) since it started."""
    return _cache.misses
