"""History notes are stored in no language and read in the reader's (issue 9, point 15): a note made
by a Chinese writer reads in English to an English reader and the other way round, and versions saved
before notes had codes stay readable (the migration gives the app's own notes their code)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse
from django.utils import translation

from scripts_app.models import SceneVersion
from scripts_app.services import find_replace
from scripts_app.services.scenes import restore_version

from .base import BaseTestCase

migration = importlib.import_module("scripts_app.migrations.0011_history_note_codes")


class HistoryNotesTestCase(BaseTestCase):
    def history(self, language: str) -> str:
        self.login(self.charlie)
        url = reverse("scene_history", args=["demo", self.scene.pk])
        return self.client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    def test_a_created_scene_is_noted_in_each_readers_language(self) -> None:
        (version,) = self.scene.versions.all()
        self.assertEqual((version.note_code, version.note), ("created", ""))
        self.assertIn("<td>创建</td>", self.history("zh-hans"))
        self.assertIn("<td>created</td>", self.history("en"))

    def test_a_replace_made_in_chinese_reads_in_english_and_the_other_way_round(self) -> None:
        with translation.override("zh-hans"):
            find_replace.replace_all(project=self.project, query="张明", replacement="张晨", user=self.bob)
        version = self.scene.versions.first()
        self.assertEqual(version.note_params, {"old": "张明", "new": "张晨"})
        self.assertIn("Replaced “张明” with “张晨”", self.history("en"))
        self.assertIn("已将“张明”替换为“张晨”", self.history("zh-hans"))
        with translation.override("en"):
            find_replace.replace_all(project=self.project, query="张晨", replacement="张明", user=self.bob)
        self.assertIn("已将“张晨”替换为“张明”", self.history("zh-hans"))

    def test_a_restore_is_noted_with_the_restored_versions_time_in_the_readers_language(self) -> None:
        first = self.scene.versions.get()
        with translation.override("zh-hans"):
            find_replace.replace_all(project=self.project, query="张明", replacement="张晨", user=self.bob)
            self.scene.refresh_from_db()
            restore_version(scene=self.scene, version=first, user=self.bob)
        latest = self.scene.versions.first()
        self.assertEqual(latest.note_code, "restored")
        with translation.override("en"):
            self.assertRegex(latest.display_note, r"^restored from \d{4}-\d\d-\d\d \d\d:\d\d$")
        self.login(self.charlie)
        page = self.client.get(
            reverse("scene_version", args=["demo", self.scene.pk, latest.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        self.assertContains(page, "备注：从 ")

    def test_versions_saved_before_notes_had_codes_stay_readable(self) -> None:
        legacy = {
            "创建": ("created", {}),
            "created": ("created", {}),
            "AI 提议 #12": ("ai_proposal", {"n": 12}),
            "Replaced “a” with “b”": ("replaced", {"old": "a", "new": "b"}),
            "已将“甲”替换为“乙”": ("replaced", {"old": "甲", "new": "乙"}),
            "restored from 2026-01-02 03:04": ("restored", {"when": "2026-01-02 03:04"}),
            "从 2026-01-02 03:04 的版本恢复": ("restored", {"when": "2026-01-02 03:04"}),
            "a note someone typed": None,
        }
        rows = {note: SceneVersion.objects.create(scene=self.scene, text="x", note=note) for note in legacy}
        with translation.override("zh-hans"):
            self.assertEqual(rows["a note someone typed"].display_note, "a note someone typed")
            self.assertEqual(rows["created"].display_note, "创建")  # read as before: translated if known
        migration.add_codes(apps, None)
        for note, expected in legacy.items():
            row = SceneVersion.objects.get(pk=rows[note].pk)
            self.assertEqual((row.note_code, row.note_params) if row.note_code else None, expected, note)
            self.assertEqual(row.note, note)  # the old text stays: nothing is lost going back
        with translation.override("en"):
            self.assertEqual(SceneVersion.objects.get(pk=rows["已将“甲”替换为“乙”"].pk).display_note,
                             "Replaced “甲” with “乙”")  # fmt: skip
            self.assertEqual(
                SceneVersion.objects.get(pk=rows["从 2026-01-02 03:04 的版本恢复"].pk).display_note,
                "restored from 2026-01-02 03:04",
            )
