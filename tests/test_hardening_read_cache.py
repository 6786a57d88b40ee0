"""A scene's read-view HTML is made once per revision, not once for every reader who opens it."""

from __future__ import annotations

from django.urls import reverse

from scripts_app import read_view
from scripts_app.services.scenes import save_scene_text

from .base import BaseTestCase


class ReadViewCacheTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        read_view.clear_html_cache()

    def test_it_renders_a_scene_once_however_many_readers_open_it(self) -> None:
        before = read_view.render_count()
        pages = []
        for reader in (self.alice, self.bob, self.charlie, self.charlie):
            self.login(reader)
            response = self.client.get(reverse("episode_read", args=["demo", 1]))
            self.assertContains(response, "你还知道回来")
            page = response.content.decode()
            pages.append(page[page.index("<article") : page.index("</article>")])
        self.assertEqual(read_view.render_count() - before, 1)
        self.assertEqual(len(set(pages)), 1)

    def test_a_new_revision_is_rendered_again(self) -> None:
        self.login(self.charlie)
        self.client.get(reverse("episode_read", args=["demo", 1]))
        before = read_view.render_count()
        save_scene_text(scene=self.scene, user=self.bob, text=self.scene.text + "△他转身离开。\n")
        for _ in range(3):
            self.assertContains(self.client.get(reverse("episode_read", args=["demo", 1])), "他转身离开")
        self.assertEqual(read_view.render_count() - before, 1)

    def test_the_cached_html_is_escaped(self) -> None:
        save_scene_text(
            scene=self.scene, user=self.bob, text=self.scene.text + "△<script>alert(1)</script>\n"
        )
        self.login(self.charlie)
        for _ in range(2):
            response = self.client.get(reverse("episode_read", args=["demo", 1]))
            self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
            self.assertNotContains(response, "<script>alert(1)")

    def test_the_heading_shows_the_number_it_prints_with(self) -> None:
        """The same text numbered differently (a move, a lock) is a different entry, never a stale one."""
        fmt = self.project.script_format
        self.assertIn("1-1", read_view.scene_html(text=self.scene.text, fmt=fmt, number="1-1"))
        moved = read_view.scene_html(text=self.scene.text, fmt=fmt, number="1-3")
        self.assertIn("1-3", moved)
        self.assertNotIn("1-1", moved)
