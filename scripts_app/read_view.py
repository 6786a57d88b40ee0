"""The read view's HTML of a scene, made once per scene text and number, not once per reader.

Rendering a long scene costs more than parsing it (a scene at the size limit makes megabytes of HTML
in seconds), so the finished HTML is kept in a small in-process cache beside the parse cache
(script_text.py). It is keyed by the text itself and the number the heading prints with: a new
revision, a renumbering or another format simply misses, and nothing ever needs invalidating.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from django.conf import settings
from django.utils.safestring import SafeString

from .formats.elements import Kind
from .script_text import scene_elements
from .templatetags.script_tags import render_elements


class _HtmlCache:
    """Least recently used HTML, bounded by its characters. Views run in threads, hence the lock."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str, str | None], SafeString] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, text: str, fmt: str, number: str | None) -> SafeString:
        key = (fmt, number, text)
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                return html
        html = _render(text, fmt, number)  # outside the lock: other readers don't wait
        budget = settings.SCENE_HTML_CACHE_CHARS
        with self._lock:
            self.misses += 1
            if key not in self._entries and len(html) <= budget:
                self._entries[key] = html
                self._chars += len(html)
                while self._chars > budget:
                    _key, old = self._entries.popitem(last=False)
                    self._chars -= len(old)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0


def _render(text: str, fmt: str, number: str | None) -> SafeString:
    if number is None:
        return render_elements(scene_elements(text, fmt), fmt)
    # The heading shows the number the scene prints with (its order, or its locked number).
    elements = [
        replace(el, scene_number=number) if el.kind == Kind.SCENE_HEADING else el
        for el in scene_elements(text, fmt)
    ]
    return render_elements(elements, fmt)


_cache = _HtmlCache()


def scene_html(*, text: str, fmt: str, number: str | None = None) -> SafeString:
    """The scene as the read view shows it: escaped HTML, its heading numbered `number` (None: the
    number written in the text)."""
    return _cache.get(text, fmt, number)


def render_count() -> int:
    """How many scenes this process has rendered to HTML (cache misses), for tests."""
    return _cache.misses


def clear_html_cache() -> None:
    _cache.clear()
