"""Saving scenes from the editor: derived heading fields, history, conflicts, restore."""

from __future__ import annotations

from django.urls import reverse

from scripts_app.models import Character, Location, SceneVersion
from scripts_app.services.scenes import save_scene_text

from .base import BaseTestCase


class SceneEditingTestCase(BaseTestCase):
    def save(self, text: str, revision: int | None = None):
        url = reverse("scene_save", args=[self.project.slug, self.scene.pk])
        data = {"text": text}
        if revision is not None:
            data["revision"] = str(revision)
        return self.client.post(url, data)

    def test_it_derives_heading_fields_from_the_text(self) -> None:
        self.login(self.bob)
        response = self.save(
            "1-2 夜 外 天台\n人物：林晚\n△风很大。\n林晚：（低声）到此为止。\n", self.scene.revision
        )
        self.assertEqual(response.status_code, 200)
        self.scene.refresh_from_db()
        self.assertEqual(self.scene.number, "1-2")
        self.assertEqual(self.scene.time_of_day, "夜")
        self.assertEqual(self.scene.int_ext, "外")
        self.assertEqual(self.scene.heading, "1-2 夜 外 天台")
        self.assertGreater(self.scene.runtime_seconds, 0)
        # A save never adds to the bible (issue 9): the scene points at a location once one is added.
        self.assertIsNone(self.scene.location)
        self.assertFalse(Location.objects.filter(project=self.project, name="天台").exists())
        self.assertFalse(Character.objects.filter(project=self.project, name="林晚").exists())
        Location.objects.create(project=self.project, name="天台")
        self.save(self.scene.text + "△雨停了。\n", self.scene.revision)
        self.scene.refresh_from_db()
        self.assertEqual(self.scene.location.name, "天台")
        self.episode.refresh_from_db()
        self.assertEqual(self.episode.runtime_seconds, self.scene.runtime_seconds)

    def test_it_refuses_a_stale_save_and_keeps_both_texts(self) -> None:
        self.login(self.bob)
        start = self.scene.revision
        self.assertEqual(self.save(self.scene.text + "△第一位作者。\n", start).status_code, 200)
        response = self.save(self.scene.text + "△第二位作者。\n", start)
        self.assertEqual(response.status_code, 409)
        self.assertIn("第一位作者", response.json()["text"])
        self.scene.refresh_from_db()
        self.assertIn("第一位作者", self.scene.text)
        self.assertNotIn("第二位作者", self.scene.text)

    def test_it_keeps_a_version_per_author_and_restores_one(self) -> None:
        original = self.scene.text
        save_scene_text(scene=self.scene, user=self.bob, text=original + "△改一。\n")
        save_scene_text(scene=self.scene, user=self.bob, text=original + "△改二。\n")  # coalesces with 改一
        save_scene_text(scene=self.scene, user=self.alice, text=original + "△改三。\n")
        versions = list(SceneVersion.objects.filter(scene=self.scene).order_by("created_at", "id"))
        self.assertEqual([v.author.username for v in versions], ["alice", "bob", "alice"])
        self.assertIn("改二", versions[1].text)

        self.login(self.bob)
        first = versions[0]
        response = self.client.get(
            reverse("scene_version", args=[self.project.slug, self.scene.pk, first.pk])
        )
        self.assertContains(response, "改三")  # shown as a line added since
        response = self.client.post(
            reverse("scene_restore", args=[self.project.slug, self.scene.pk, first.pk])
        )
        self.assertEqual(response.status_code, 302)
        self.scene.refresh_from_db()
        self.assertEqual(self.scene.text, original)
        self.assertEqual(SceneVersion.objects.filter(scene=self.scene).count(), 4)

    def test_it_refuses_a_pasted_novel_with_a_message(self) -> None:
        self.login(self.bob)
        response = self.save("△" + "字" * 250_000, self.scene.revision)
        self.assertEqual(response.status_code, 413)
        self.assertIn("at most", response.json()["error"])

    def test_it_escapes_hostile_text_everywhere(self) -> None:
        self.login(self.bob)
        hostile = "1-1 日 内 <script>alert(1)</script>\n△<img src=x onerror=alert(2)>\n<b>坏人</b>：你好\n"
        self.assertEqual(self.save(hostile, self.scene.revision).status_code, 200)
        for name in ("episode_detail", "episode_read"):
            response = self.client.get(reverse(name, args=[self.project.slug, 1]))
            self.assertNotContains(response, "<script>alert(1)")
            self.assertNotContains(response, "<img src=x")
            self.assertContains(response, "&lt;script&gt;")
        response = self.client.get(reverse("scene_edit", args=[self.project.slug, self.scene.pk]))
        self.assertNotContains(response, "<script>alert(1)")
        response = self.client.get(reverse("project_detail", args=[self.project.slug]))
        self.assertNotContains(response, "<script>alert(1)")

    def test_it_reorders_scenes_by_drag_and_by_keyboard(self) -> None:
        from scripts_app.services.scenes import create_scene

        second = create_scene(episode=self.episode, user=self.bob, text="1-2 夜 外 天台\n△风。\n")
        self.login(self.bob)
        url = reverse("scenes_reorder", args=[self.project.slug, 1])
        self.client.post(url, {"order": [second.pk, self.scene.pk]}, HTTP_HX_REQUEST="true")
        self.assertEqual(list(self.episode.scenes.values_list("pk", flat=True)), [second.pk, self.scene.pk])
        response = self.client.post(
            reverse("scene_move", args=[self.project.slug, second.pk]),
            {"direction": "down"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, 'id="scene-list"')
        self.assertEqual(list(self.episode.scenes.values_list("pk", flat=True)), [self.scene.pk, second.pk])


class FountainReadViewTestCase(BaseTestCase):
    def test_it_renders_emphasis_and_still_escapes_markup(self) -> None:
        self.screenplay(
            "INT. VAULT - NIGHT\n\nThe door is *very* heavy. <img src=x onerror=alert(1)>\n", user=self.bob
        )
        self.login(self.bob)
        response = self.client.get(reverse("episode_read", args=["heist", 1]))
        self.assertContains(response, "The door is <em>very</em> heavy. &lt;img src=x onerror=alert(1)&gt;")
