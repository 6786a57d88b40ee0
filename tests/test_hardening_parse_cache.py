"""A scene is parsed once per revision, not once for every reader, every export and every save; the
cache holds a bounded number of bytes, whatever the texts."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from scripts_app import read_view
from scripts_app.formats import detect
from scripts_app.script_text import clear_parse_cache, parse_cache_bytes, scene_facts
from scripts_app.services.scenes import save_scene_text

from .base import ZH_SCENE, BaseTestCase
from .hostile_text import ordinary_text


class ParseCacheTestCase(BaseTestCase):
    def parses_of(self, text: str):
        """A spy on the parser: how often it was asked to parse `text`."""
        spy = mock.patch.object(detect, "parse", wraps=detect.parse)
        self.addCleanup(spy.stop)
        parse = spy.start()
        return lambda: sum(1 for call in parse.call_args_list if call.args[0] == text)

    def test_it_parses_a_scene_once_however_many_readers_open_it(self) -> None:
        clear_parse_cache()
        parses = self.parses_of(self.scene.text)
        for reader in (self.alice, self.bob, self.charlie, self.charlie):
            self.login(reader)
            self.assertEqual(self.client.get(reverse("episode_read", args=["demo", 1])).status_code, 200)
            self.assertEqual(
                self.client.get(reverse("scene_edit", args=["demo", self.scene.pk])).status_code, 200
            )
        response = self.client.post(reverse("export", args=["demo"]), {"format": "zh", "episodes": "1"})
        self.assertContains(response, "你还知道回来")
        self.assertEqual(parses(), 1)

    def test_a_new_revision_is_parsed_once_and_then_read_from_the_cache(self) -> None:
        text = self.scene.text + "△他坐下。\n"
        parses = self.parses_of(text)
        save_scene_text(scene=self.scene, user=self.bob, text=text)  # derives the heading and runtime
        self.login(self.charlie)
        for _ in range(3):
            self.assertContains(self.client.get(reverse("episode_read", args=["demo", 1])), "他坐下")
        self.assertEqual(parses(), 1)

    def test_readers_share_one_parse_but_cannot_change_it(self) -> None:
        from scripts_app.script_text import scene_elements

        first = scene_elements(self.scene.text, "zh")
        first.clear()  # a caller doing what it likes with its list
        self.assertTrue(scene_elements(self.scene.text, "zh"))


def _held_by(fill) -> int:
    """The bytes of memory still allocated after `fill()` ran (what the caches it filled hold)."""
    gc.collect()
    tracemalloc.start()
    try:
        fill()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def _fresh(text: str) -> str:
    """An equal string that is a new object, made inside the measured region."""
    return "".join(list(text))


# One element per line of `【` is the worst (about 106 bytes per character of text), then short dialogue.
# A quarter of the line cap each: the cost per element is the same, and tracemalloc is slow.
HOSTILE = {
    "brackets": ("zh", "1-1 日 内 客厅\n" + "【\n" * 5_000),
    "short dialogue": ("zh", "1-1 日 内 客厅\n" + "张三：好\n" * 5_000),
    "cues": ("fountain", "INT. A - DAY\n\n" + "BOB (V.O.)\n(beat)\nhi\n\n" * 1_500),
    "paragraphs": ("fountain", "INT. A - DAY\n\n" + "a\n\n" * 5_000),
    "ordinary zh": ("zh", ordinary_text("zh", 50_000)),
    "ordinary fountain": ("fountain", ordinary_text("fountain", 50_000)),
    "one short scene": ("zh", ZH_SCENE),
}


class ParseCacheMemoryTestCase(SimpleTestCase):
    """The caches are bounded in bytes of memory, not in characters of text: a hostile text costs
    a hundred bytes a character once parsed, so counting characters let a process hold gigabytes."""

    def setUp(self) -> None:
        clear_parse_cache()
        read_view.clear_html_cache()
        scene_facts("1-1 日 内 客厅\n【\n", "zh")  # first use: whatever the parsers set up once
        clear_parse_cache()

    def test_it_counts_a_cached_parse_at_no_less_than_the_memory_it_holds(self) -> None:
        for name, (fmt, text) in HOSTILE.items():
            with self.subTest(name):
                # A text of the same shape first, so whatever its parse sets up once (a compiled
                # pattern, a translation catalogue) is not counted against the cache entry.
                scene_facts(_fresh(text) + "\n", fmt)
                clear_parse_cache()
                held = _held_by(lambda fmt=fmt, text=text: scene_facts(_fresh(text), fmt))
                counted = parse_cache_bytes()
                self.assertGreaterEqual(counted, held)
                # ...and not so far above it that the budget is mostly unused.
                self.assertLess(counted, 1.6 * held + 4096)

    def test_hostile_texts_cannot_grow_the_parse_cache_past_its_budget(self) -> None:
        budget = 2 * 1024 * 1024
        texts = [f"1-{i} 日 内 客厅\n" + "【\n" * 5_000 for i in range(6)]  # about 1 MB each once parsed

        def fill() -> None:
            for text in texts:
                scene_facts(_fresh(text), "zh")

        with override_settings(SCENE_PARSE_CACHE_BYTES=budget):
            held = _held_by(fill)
        self.assertLessEqual(held, budget)
        self.assertGreater(held, budget // 2)  # it did fill up: the bound is what stopped it
        self.assertLessEqual(parse_cache_bytes(), budget)

    def test_it_counts_cached_html_at_no_less_than_the_memory_it_holds(self) -> None:
        for name, (fmt, text) in (
            ("brackets", ("zh", "1-1 日 内 客厅\n" + "【\n" * 2_000)),
            ("ordinary zh", ("zh", ordinary_text("zh", 20_000))),
            ("ordinary fountain", ("fountain", ordinary_text("fountain", 20_000))),
        ):
            with self.subTest(name):
                scene_facts(text, fmt)  # the parse is the other cache's: measure only the HTML
                read_view.clear_html_cache()
                held = _held_by(lambda fmt=fmt, text=text: read_view.scene_html(text=_fresh(text), fmt=fmt))
                self.assertGreaterEqual(read_view.html_cache_bytes(), held - sys.getsizeof(text))

    def test_a_process_keeps_at_most_two_hundred_megabytes_of_both_caches_by_default(self) -> None:
        self.assertLessEqual(settings.SCENE_PARSE_CACHE_BYTES + settings.SCENE_HTML_CACHE_BYTES, 200 * 2**20)
