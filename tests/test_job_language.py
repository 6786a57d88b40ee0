"""Background jobs speak their requester's language (issue 9, points 13 and 15): a large import or a
season export queued from a Chinese page says what happened in Chinese, though the worker runs with
no request (and so in the site's default language), and so do the sweeper's messages about it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from scripts_app import tasks
from scripts_app.models import ExportJob, ImportJob
from scripts_app.services import export_jobs, imports, jobs
from scripts_app.services.episodes import create_episode

from .base import BaseTestCase

ZH_EPISODE = "第{n}集 摊牌\n{n}-1 夜 外 天台\n人物：林晚、张明\n△风很大。\n林晚：到此为止。\n"


class JobLanguageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.bob)
        self.client.cookies.load({"django_language": "zh-hans"})

    @override_settings(IMPORT_INLINE_MAX_BYTES=10)
    def queue_import(self, text: str) -> ImportJob:
        upload = SimpleUploadedFile("e.txt", text.encode())
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post(reverse("import", args=["demo"]), {"file": upload, "format": "auto"})
        translation.deactivate()  # the worker has no request: the site's default language
        return ImportJob.objects.get()

    def test_a_big_import_queued_from_a_chinese_page_reports_in_chinese(self) -> None:
        job = self.queue_import(ZH_EPISODE.format(n=2))
        self.assertEqual(job.language, "zh-hans")
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        self.assertTrue(job.message.startswith("已导入 1 集、1 场"), job.message)
        self.assertEqual(translation.get_language(), "en")  # the worker's own language is left alone

    def test_a_big_import_that_fails_says_why_in_chinese(self) -> None:
        job = self.queue_import(ZH_EPISODE.format(n=1))  # episode 1 exists already
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertTrue(job.message.startswith("未导入任何内容"), job.message)
        self.assertNotIn("imported", job.message.lower())

    def test_a_season_export_queued_from_a_chinese_page_fails_in_chinese(self) -> None:
        for number in (2, 3):
            create_episode(project=self.project, number=number)
        with self.captureOnCommitCallbacks(execute=False):
            self.client.post(reverse("export", args=["demo"]), {"format": "pdf", "episodes": "2-3"})
        translation.deactivate()
        job = ExportJob.objects.get()
        self.assertEqual(job.language, "zh-hans")
        export_jobs.run_export(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual((job.status, job.message), ("failed", "这些集还没有写任何内容，没有可打印的内容。"))

    def test_the_sweeper_tells_a_chinese_requester_in_chinese(self) -> None:
        quiet = timezone.now() - timedelta(minutes=9)
        job = ExportJob.objects.create(
            project=self.project, requested_by=self.bob, params={"format": "zh"}, status="running",
            attempts=1, started_at=quiet, heartbeat_at=quiet, language="zh-hans",
        )  # fmt: skip
        waiting = ImportJob.objects.create(project=self.project, requested_by=self.bob, language="zh-hans")
        ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=1))
        with mock.patch.object(tasks.run_export_job, "delay"):
            jobs.sweep()
        job.refresh_from_db()
        waiting.refresh_from_db()
        self.assertIn("已重新排队", job.message)
        self.assertIn("没有工作进程接手此任务", waiting.message)

    def test_an_english_requester_still_reads_english(self) -> None:
        self.client.cookies.load({"django_language": "en"})
        job = self.queue_import(ZH_EPISODE.format(n=2))
        self.assertEqual(job.language, "en")
        with translation.override("zh-hans"):  # whatever language the worker happens to be in
            imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertTrue(job.message.startswith("imported 1 episode"), job.message)
