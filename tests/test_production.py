"""Locking an episode, 12A numbering, OMITTED scenes and coloured revisions, through the views."""

from __future__ import annotations

import io

import pdfplumber
from django.urls import reverse

from scripts_app.models import Scene, ScriptRevision
from scripts_app.services.scenes import create_scene, save_scene_text

from .base import BaseTestCase


def pdf_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


class ProductionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.second = create_scene(episode=self.episode, user=self.bob, text="1-2 夜 外 天台\n△风很大。\n")
        self.slug = self.project.slug

    def lock(self, user=None):
        self.login(user or self.alice)
        return self.client.post(reverse("episode_lock", args=[self.slug, 1]), follow=True)

    def export_pdf(self, **fields) -> bytes:
        data = {"format": "pdf", "episodes": "1", "revision": "current", **fields}
        response = self.client.post(reverse("export", args=[self.slug]), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return response.content

    def test_only_the_showrunner_locks_and_issues_revisions(self) -> None:
        self.login(self.bob)
        self.assertEqual(self.client.post(reverse("episode_lock", args=[self.slug, 1])).status_code, 403)
        self.assertEqual(
            self.client.post(reverse("episode_issue_revision", args=[self.slug, 1])).status_code, 403
        )
        self.episode.refresh_from_db()
        self.assertIsNone(self.episode.locked_at)

    def test_locking_fixes_scene_numbers_and_issues_white(self) -> None:
        response = self.lock()
        self.assertContains(response, "Episode locked")
        self.assertEqual(list(self.episode.scenes.values_list("locked_number", flat=True)), ["1-1", "1-2"])
        self.assertEqual(list(ScriptRevision.objects.values_list("color", flat=True)), ["white"])

    def test_a_scene_inserted_after_lock_prints_as_a_lettered_number(self) -> None:
        self.lock()
        inserted = create_scene(
            episode=self.episode, user=self.bob, text="1-9 日 内 走廊\n△脚步声。\n", position=2
        )
        response = self.client.get(reverse("episode_detail", args=[self.slug, 1]))
        self.assertContains(response, '<span class="scene-number provisional"')
        self.assertContains(response, "1-1A")
        before = create_scene(episode=self.episode, user=self.bob, text="1-0 日 外 门口\n△雨。\n", position=1)
        self.client.post(reverse("episode_issue_revision", args=[self.slug, 1]))
        inserted.refresh_from_db()
        before.refresh_from_db()
        self.assertEqual((before.locked_number, inserted.locked_number), ("A1-1", "1-1A"))
        text = "\n".join(pdf_text(self.export_pdf(revision="issued")))
        self.assertIn("1-1A 日 内 走廊", text)
        self.assertIn("A1-1 日 外 门口", text)

    def test_a_deleted_locked_scene_prints_as_omitted(self) -> None:
        self.lock()
        self.client.post(reverse("scene_delete", args=[self.slug, self.second.pk]))
        self.second.refresh_from_db()
        self.assertTrue(self.second.omitted)
        self.assertContains(self.client.get(reverse("episode_detail", args=[self.slug, 1])), "OMITTED")
        text = "\n".join(pdf_text(self.export_pdf()))  # the series' Chinese layout: the Chinese word
        self.assertIn("1-2 已删除", text)
        self.assertNotIn("OMITTED", text)
        self.assertNotIn("风很大", text)
        for profile in ("letter", "a4"):  # a screenplay page says it as the industry does
            text = "\n".join(pdf_text(self.export_pdf(profile=profile)))
            self.assertIn("OMITTED", text, profile)
            self.assertNotIn("已删除", text, profile)
        # An unlocked scene is really deleted.
        extra = create_scene(episode=self.episode, user=self.bob, text="△临时。\n")
        extra.locked_number = ""
        extra.save()
        self.client.post(reverse("scene_delete", args=[self.slug, extra.pk]))
        self.assertFalse(Scene.objects.filter(pk=extra.pk).exists())

    def test_a_revision_marks_changed_lines_only_and_takes_the_next_colour(self) -> None:
        self.lock()
        save_scene_text(
            scene=self.scene, user=self.bob, text=self.scene.text.replace("你还知道回来？", "你还有脸回来？")
        )
        response = self.client.post(reverse("episode_issue_revision", args=[self.slug, 1]), follow=True)
        self.assertContains(response, "BLUE revision issued")
        pages = pdf_text(self.export_pdf(revision="issued"))
        body = pages[-1]
        self.assertIn("蓝色修订稿 - ", body)  # the Chinese layout says it in Chinese (issue 9.14)
        lines = body.splitlines()
        changed = [line for line in lines if "你还有脸回来" in line]
        self.assertEqual(len(changed), 1)
        self.assertTrue(changed[0].rstrip().endswith("*"), changed[0])
        unchanged = [line for line in lines if "张明推门进来" in line]
        self.assertFalse(unchanged[0].rstrip().endswith("*"))
        self.assertEqual(sum(line.rstrip().endswith("*") for line in lines), 1)
        response = self.client.post(reverse("episode_issue_revision", args=[self.slug, 1]), follow=True)
        self.assertContains(response, "Nothing has changed since the BLUE draft")
        save_scene_text(scene=self.second, user=self.bob, text=self.second.text + "△雷声。\n")
        self.client.post(reverse("episode_issue_revision", args=[self.slug, 1]))
        self.assertEqual(
            list(ScriptRevision.objects.values_list("color", flat=True)), ["white", "blue", "pink"]
        )
        # The white draft still reprints as it was.
        self.assertIn("你还知道回来", "\n".join(pdf_text(self.export_pdf(revision="0"))))

    def test_revised_only_prints_just_the_changed_pages_with_a_watermark(self) -> None:
        self.lock()
        save_scene_text(scene=self.second, user=self.bob, text=self.second.text + "△雷声。\n")
        self.client.post(reverse("episode_issue_revision", args=[self.slug, 1]))
        data = self.export_pdf(revision="issued", revised_only="on", watermark="Director Wang")
        pages = pdf_text(data)
        self.assertEqual(len(pages), 1)
        self.assertIn("雷声", pages[0])
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            slanted = "".join(c["text"] for c in pdf.pages[0].chars if abs(c["matrix"][1]) > 0.01)
        self.assertEqual(sorted(slanted.replace(" ", "")), sorted("DirectorWang"))

    def test_it_says_so_when_no_page_was_revised(self) -> None:
        self.lock()
        response = self.client.post(
            reverse("export", args=[self.slug]),
            {"format": "pdf", "episodes": "1", "revision": "issued", "revised_only": "on"},
        )
        self.assertContains(response, "nothing to print")


class ScreenplayPrintTestCase(BaseTestCase):
    def test_a_screenplay_prints_emphasis_as_words_not_stars(self) -> None:
        self.screenplay(
            "INT. VAULT - NIGHT\n\nThe door is *very* heavy.\n\nMAYA\nWe have **ninety** seconds.\n"
        )
        self.login(self.alice)
        response = self.client.post(
            reverse("export", args=["heist"]), {"format": "pdf", "revision": "current"}
        )
        text = "\n".join(pdf_text(response.content))
        self.assertIn("The door is very heavy.", text)
        self.assertIn("We have ninety seconds.", text)
        self.assertNotIn("*", text)


class LockedExchangeTestCase(BaseTestCase):
    def test_text_exports_of_a_locked_episode_carry_production_numbers(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        from scripts_app.services.production import lock_episode

        second = create_scene(episode=self.episode, user=self.bob, text="1-2 夜 外 天台\n△风很大。\n")
        lock_episode(episode=self.episode, user=self.alice)
        create_scene(episode=self.episode, user=self.bob, text="1-9 日 内 走廊\n△脚步声。\n", position=2)
        self.login(self.bob)
        self.client.post(reverse("scene_delete", args=[self.project.slug, second.pk]))
        out = StringIO()
        call_command("export_script", self.project.slug, "--format", "zh", "-o", "-", stdout=out)
        text = out.getvalue()
        self.assertIn("1-1A 日 内 走廊", text)
        self.assertNotIn("1-9", text)
        self.assertNotIn("天台", text)  # omitted scenes stay out of the text formats


class EditorNumberTestCase(BaseTestCase):
    def test_the_editor_shows_the_production_number_of_an_inserted_scene(self) -> None:
        from scripts_app.services.production import lock_episode

        lock_episode(episode=self.episode, user=self.alice)
        inserted = create_scene(episode=self.episode, user=self.bob, text="1-9 日 内 走廊\n△脚步声。\n")
        self.login(self.bob)
        response = self.client.get(reverse("scene_edit", args=[self.project.slug, inserted.pk]))
        self.assertContains(
            response, '<span class="scene-number" title="Production scene number">1-1A</span>'
        )
