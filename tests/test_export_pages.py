"""Printed exports that read as finished (issue 9.14): unwritten episodes, Chinese labels, no false issue."""

from __future__ import annotations

import io
import tempfile
from io import StringIO
from pathlib import Path

import pdfplumber
from django.core.management import CommandError, call_command
from django.urls import reverse

from scripts_app.services.episodes import create_episode
from scripts_app.services.production import issue_revision, lock_episode
from scripts_app.services.scenes import save_scene_text

from .base import BaseTestCase


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


class ExportPagesTestCase(BaseTestCase):
    def export(self, slug: str, *extra: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.pdf"
            call_command("export_script", slug, "--format", "pdf", *extra, "-o", str(out), stderr=StringIO())
            return out.read_bytes()

    def test_an_empty_episode_prints_nothing_or_a_line_saying_so(self) -> None:
        create_episode(project=self.project, number=2, title="空白")
        pages = pdf_pages(self.export("demo"))
        self.assertEqual(len(pages), 1)
        self.assertNotIn("第2集", "\n".join(pages))
        noted = "\n".join(pdf_pages(self.export("demo", "--unwritten-note")))
        self.assertIn("第2集 空白", noted)
        self.assertIn("（第2集尚未撰写）", noted)
        with self.assertRaisesMessage(CommandError, "Nothing is written in this episode yet"):
            self.export("demo", "--episodes", "2")

    def test_a_screenplay_says_an_episode_is_unwritten_in_english(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n")
        create_episode(project=project, number=2)
        self.assertIn(
            "(Episode 2 is not written yet.)", "\n".join(pdf_pages(self.export("heist", "--unwritten-note")))
        )

    def test_the_browser_says_why_an_empty_episode_prints_nothing(self) -> None:
        create_episode(project=self.project, number=2)
        self.login(self.bob)
        response = self.client.post(
            reverse("export", args=["demo"]), {"format": "pdf", "episodes": "2", "revision": "current"}
        )
        self.assertContains(response, "Nothing is written in this episode yet")

    def test_the_chinese_layout_prints_its_header_and_revision_label_in_chinese(self) -> None:
        first = pdf_pages(self.export("demo"))[0]
        self.assertIn("Demo · 第1集 · ", first)
        self.assertNotIn("EP 1", first)
        lock_episode(episode=self.episode, user=self.alice)
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + "△雷声。\n")
        issue_revision(episode=self.episode, user=self.alice)
        self.assertIn("蓝色修订稿 - ", pdf_pages(self.export("demo", "--revision", "issued"))[0])
        self.scene.refresh_from_db()
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + "△雨停。\n")
        working = pdf_pages(self.export("demo"))[0]
        self.assertIn("蓝色修订稿 + 未发布修改 - ", working)
        self.assertNotIn("REVISION", working)

    def test_latest_issued_of_an_unlocked_episode_says_there_is_none(self) -> None:
        with self.assertRaisesMessage(
            CommandError, "Episode 1 is not locked, so it has no issued revision yet"
        ):
            self.export("demo", "--revision", "issued")
        self.login(self.bob)
        response = self.client.post(
            reverse("export", args=["demo"]), {"format": "pdf", "episodes": "1", "revision": "issued"}
        )
        self.assertContains(response, "has no issued revision yet")

    def test_every_format_refuses_latest_issued_of_an_unlocked_episode(self) -> None:
        self.login(self.bob)
        for fmt in ("fountain", "zh", "fdx", "docx", "shotlist"):
            response = self.client.post(
                reverse("export", args=["demo"]), {"format": fmt, "episodes": "1", "revision": "issued"}
            )
            self.assertNotIn("attachment", response.get("Content-Disposition", ""), fmt)
            self.assertContains(response, "has no issued revision yet", msg_prefix=fmt)

    def test_text_formats_give_the_issued_text_not_the_working_draft(self) -> None:
        lock_episode(episode=self.episode, user=self.alice)
        self.scene.refresh_from_db()
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + "△雷声。\n")
        self.login(self.bob)
        for revision, present in (("issued", False), ("0", False), ("current", True)):
            for fmt in ("zh", "fountain", "fdx"):
                response = self.client.post(
                    reverse("export", args=["demo"]), {"format": fmt, "episodes": "1", "revision": revision}
                )
                body = response.content.decode("utf-8")
                self.assertIn("张父", body, (fmt, revision))
                self.assertEqual("雷声" in body, present, (fmt, revision))

    def test_the_export_form_can_print_a_line_for_an_unwritten_episode(self) -> None:
        create_episode(project=self.project, number=2, title="空白")
        self.login(self.bob)
        form = self.client.get(reverse("export", args=["demo"]))
        self.assertContains(form, 'name="unwritten_note"')
        response = self.client.post(
            reverse("export", args=["demo"]), {"format": "pdf", "episodes": "2", "unwritten_note": "on"}
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("（第2集尚未撰写）", "\n".join(pdf_pages(response.content)))

    def test_a_season_export_in_the_worker_prints_the_unwritten_line_when_asked(self) -> None:
        from scripts_app.services import export_jobs

        create_episode(project=self.project, number=2, title="空白")
        self.login(self.bob)
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post(
                reverse("export", args=["demo"]), {"format": "pdf", "episodes": "1-2", "unwritten_note": "on"}
            )
        job = self.project.export_jobs.get()
        self.assertTrue(job.params["unwritten_note"])
        export_jobs.run_export(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "done", job.message)
        self.assertIn("（第2集尚未撰写）", "\n".join(pdf_pages(bytes(job.result))))

    def issue_blue(self) -> None:
        lock_episode(episode=self.episode, user=self.alice)
        self.scene.refresh_from_db()
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + "△雷声。\n")
        issue_revision(episode=self.episode, user=self.alice)
        self.scene.refresh_from_db()

    def test_a_working_draft_says_unissued_changes_only_when_there_are_some(self) -> None:
        self.issue_blue()
        unchanged = pdf_pages(self.export("demo"))[0]
        self.assertIn("蓝色修订稿 - ", unchanged)
        self.assertNotIn("未发布修改", unchanged)
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + "△雨停。\n")
        self.assertIn("蓝色修订稿 + 未发布修改 - ", pdf_pages(self.export("demo"))[0])

    def test_a_screenplay_working_draft_says_changes_only_when_there_are_some(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n")
        episode = project.episodes.get()
        lock_episode(episode=episode, user=self.alice)
        scene = episode.scenes.get()
        save_scene_text(scene=scene, user=self.alice, text=scene.text + "\nA door slams.\n")
        issue_revision(episode=episode, user=self.alice)
        unchanged = pdf_pages(self.export("heist"))[0]
        self.assertIn("BLUE REVISION", unchanged)
        self.assertNotIn("CHANGES", unchanged)
        scene.refresh_from_db()
        save_scene_text(scene=scene, user=self.alice, text=scene.text + "\nRain.\n")
        self.assertIn("BLUE REVISION + CHANGES", pdf_pages(self.export("heist"))[0])

    def test_the_printed_colour_name_is_the_one_the_interface_shows(self) -> None:
        import re

        self.login(self.alice)
        page = self.client.get(
            reverse("episode_detail", args=["demo", 1]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
        shown = dict(re.findall(r'data-color-([a-z]+)="([^"]+)"', page))
        self.assertEqual(len(set(shown.values())), 9, shown)  # nine colours, nine names
        lock_episode(episode=self.episode, user=self.alice)
        for n in range(1, 8):  # blue ... salmon
            self.scene.refresh_from_db()
            save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + f"△第{n}次修改。\n")
            revision = issue_revision(episode=self.episode, user=self.alice)
            if revision.color in ("goldenrod", "buff", "salmon"):
                label = pdf_pages(self.export("demo", "--revision", "issued"))[0]
                self.assertIn(f"{shown[revision.color]}修订稿 - ", label, revision.color)
        self.assertEqual(
            (shown["goldenrod"], shown["buff"], shown["salmon"]), ("金黄色", "浅黄褐色", "橙红色")
        )

    def test_a_person_has_two_season_exports_waiting_at_most(self) -> None:
        from scripts_app.models import ExportJob

        create_episode(project=self.project, number=2, title="二")
        self.login(self.charlie)  # a viewer may export, so the limit holds for every role
        season = {"format": "pdf", "episodes": "", "revision": "current"}
        for _n in range(2):
            self.assertEqual(self.client.post(reverse("export", args=["demo"]), season).status_code, 302)
        refused = self.client.post(reverse("export", args=["demo"]), season)
        self.assertContains(refused, "You already have 2 exports waiting or running")
        self.assertEqual(ExportJob.objects.filter(requested_by=self.charlie).count(), 2)
        ExportJob.objects.update(status=ExportJob.Status.DONE)
        self.assertEqual(self.client.post(reverse("export", args=["demo"]), season).status_code, 302)

    def test_only_the_newest_finished_files_are_kept(self) -> None:
        from scripts_app.models import ExportJob
        from scripts_app.services import export_jobs
        from scripts_app.services.shooting_script import PrintRequest

        done = [
            ExportJob.objects.create(
                project=self.project, requested_by=self.bob, status="done", result=b"%PDF"
            )
            for _n in range(12)
        ]
        export_jobs.start_export(project=self.project, user=self.bob, fmt="pdf", request=PrintRequest())
        kept = set(ExportJob.objects.filter(result__isnull=False).values_list("pk", flat=True))
        self.assertEqual(kept, {job.pk for job in done[-10:]})
