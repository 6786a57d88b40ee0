"""The read view's HTML of a scene, made once per scene text and number, not once per reader.

Rendering a long scene costs more than parsing it (a scene at the size limit makes megabytes of HTML
in seconds), so the finished HTML is kept in a small in-process cache beside the parse cache
(script_text.py), bounded in bytes of memory (SCENE_HTML_CACHE_BYTES). It is keyed by the text itself
and the number the heading prints with: a new revision, a renumbering or another format simply misses,
and nothing ever needs invalidating.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.utils.safestring import SafeString

from .formats.elements import Kind
from .script_text import scene_elements
from .templatetags.script_tags import render_elements
from .text_cache import ENTRY_BYTES, TextCache, str_bytes


def _render(text: str, fmt: str, number: str | None) -> SafeString:
    if number is None:
        return render_elements(scene_elements(text, fmt), fmt)
    # The heading shows the number the scene prints with (its order, or its locked number).
    elements = [
        replace(el, scene_number=number) if el.kind == Kind.SCENE_HEADING else el
        for el in scene_elements(text, fmt)
    ]
    return render_elements(elements, fmt)


# Sized in bytes of memory: the HTML and the text of its key (a character of Chinese HTML takes two).
_cache: TextCache[SafeString] = TextCache(
    budget=lambda: settings.SCENE_HTML_CACHE_BYTES,
    size=lambda key, html: ENTRY_BYTES + str_bytes(key[2], html, key[1] or ""),
)


def scene_html(*, text: str, fmt: str, number: str | None = None) -> SafeString:
    """The scene as the read view shows it: escaped HTML, its heading numbered `number` (None: the
    number written in the text)."""
    return _cache.get((fmt, number, text), lambda: _render(text, fmt, number))


def render_count() -> int:
    """How many scenes this process has rendered to HTML (cache misses), for tests."""
    return _cache.misses


def html_cache_bytes() -> int:
    """The bytes the HTML cache holds now (at most SCENE_HTML_CACHE_BYTES)."""
    return _cache.size


def clear_html_cache() -> None:
    _cache.clear()
