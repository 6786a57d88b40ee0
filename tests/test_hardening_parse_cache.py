"""A scene is parsed once per revision, not once for every reader, every export and every save."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from scripts_app.formats import detect
from scripts_app.script_text import clear_parse_cache
from scripts_app.services.scenes import save_scene_text

from .base import BaseTestCase


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
