"""Jobs whose worker dies are taken over, requeued or failed, and the page says which."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from scripts_app import tasks
from scripts_app.models import ExportJob, ImportJob
from scripts_app.services import export_jobs, exports, imports, jobs
from scripts_app.services.projects import create_project
from writersroom.celery import app

from .base import PASSWORD, BaseTestCase

ROOT = Path(__file__).resolve().parent.parent


class JobSettingsTestCase(BaseTestCase):
    def test_a_killed_child_hands_its_message_back_and_redis_redelivers_within_the_job_limits(self) -> None:
        self.assertTrue(app.conf.task_acks_late)
        self.assertTrue(app.conf.task_reject_on_worker_lost)
        for task in (tasks.run_export_job, tasks.run_import_job):
            self.assertTrue(task.acks_late and task.reject_on_worker_lost, task.name)
            self.assertLess(task.soft_time_limit, task.time_limit)
        visibility = app.conf.broker_transport_options["visibility_timeout"]
        # Longer than any task may run (a live run is never delivered twice), not an hour more.
        self.assertGreater(visibility, max(settings.JOB_TIME_LIMIT_SECONDS, settings.AI_TASK_TIME_LIMIT))
        self.assertLessEqual(
            visibility,
            max(settings.JOB_TIME_LIMIT_SECONDS, settings.AI_TASK_TIME_LIMIT)
            + settings.JOB_STALE_AFTER_SECONDS,
        )

    def test_make_run_and_docker_compose_start_the_sweeper(self) -> None:
        schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
        self.assertIn("scripts_app.tasks.sweep_stalled_jobs", schedule)
        self.assertIn(" -B ", (ROOT / "ops" / "run.sh").read_text())
        self.assertIn('"beat"', (ROOT / "docker-compose.yml").read_text())


class SweeperTestCase(BaseTestCase):
    def job(
        self, *, status: str = "running", beat_ago: timedelta | None = None, attempts: int = 1
    ) -> ExportJob:
        now = timezone.now()
        return ExportJob.objects.create(
            project=self.project, requested_by=self.bob, params={"format": "zh"}, status=status,
            started_at=now - (beat_ago or timedelta()), attempts=attempts,
            heartbeat_at=None if beat_ago is None else now - beat_ago,
        )  # fmt: skip

    def sweep(self) -> mock.MagicMock:
        with mock.patch.object(tasks.run_export_job, "delay") as delay:
            jobs.sweep()
        return delay

    def test_a_job_whose_worker_went_quiet_is_requeued_with_a_new_message(self) -> None:
        job = self.job(beat_ago=timedelta(minutes=10))
        delay = self.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, "queued")
        self.assertIn("attempt 2 of 3", job.message)
        delay.assert_called_once_with(job.pk, 1)

    def test_after_the_last_attempt_the_job_fails_with_a_reason(self) -> None:
        job = self.job(beat_ago=timedelta(minutes=10), attempts=settings.JOB_MAX_ATTEMPTS)
        delay = self.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("stopped 3 times", job.message)
        delay.assert_not_called()

    def test_a_job_whose_worker_is_alive_is_left_alone(self) -> None:
        job = self.job(beat_ago=timedelta(seconds=3))
        self.sweep().assert_not_called()
        job.refresh_from_db()
        self.assertEqual(job.status, "running")

    def test_a_job_no_worker_took_fails_after_an_hour(self) -> None:
        job = self.job(status="queued", attempts=0)
        ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
        self.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("Is the Celery worker running?", job.message)

    def test_the_job_page_shows_why_a_job_was_requeued_or_failed(self) -> None:
        job = self.job(beat_ago=timedelta(minutes=10))
        self.sweep()
        self.login(self.bob)
        page = self.client.get(reverse("export_job", args=["demo", job.pk]), HTTP_HX_REQUEST="true")
        self.assertContains(page, "attempt 2 of 3")
        self.assertContains(page, 'hx-trigger="every 1s"')  # still polling: it will run again
        ExportJob.objects.filter(pk=job.pk).update(
            status="running", attempts=3, heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        self.sweep()
        page = self.client.get(reverse("export_job", args=["demo", job.pk]), HTTP_HX_REQUEST="true")
        self.assertContains(page, "stopped 3 times")
        self.assertNotContains(page, "hx-trigger")  # and the polling stops

    def test_the_sweeper_runs_import_jobs_too(self) -> None:
        quiet = timezone.now() - timedelta(minutes=9)
        job = ImportJob.objects.create(
            project=self.project, requested_by=self.bob, data=b"x", status="running", attempts=1,
            started_at=quiet, heartbeat_at=quiet,
        )  # fmt: skip
        with mock.patch.object(tasks.run_import_job, "delay") as delay:
            jobs.sweep()
        job.refresh_from_db()
        self.assertEqual(job.status, "queued")
        delay.assert_called_once_with(job.pk, 1)


class DeliveryTestCase(BaseTestCase):
    def running(self, attempts: int = 1) -> ExportJob:
        return ExportJob.objects.create(
            project=self.project, requested_by=self.bob, params={"format": "zh"}, status="running",
            started_at=timezone.now(), heartbeat_at=timezone.now(), attempts=attempts,
        )  # fmt: skip

    def test_the_message_of_a_killed_child_takes_its_run_over_at_once(self) -> None:
        job = self.running()
        export_jobs.run_export(job_id=job.pk, generation=0, redelivered=True)
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), ("done", 2))
        self.assertIn("你还知道回来".encode(), bytes(job.result))

    def test_a_duplicate_or_outdated_message_never_runs_a_job_twice(self) -> None:
        job = self.running(attempts=2)
        export_jobs.run_export(job_id=job.pk, generation=1)  # a second delivery, not a redelivery
        export_jobs.run_export(job_id=job.pk, generation=0, redelivered=True)  # an older run's message
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), ("running", 2))

    def test_a_job_that_keeps_killing_its_worker_fails_instead_of_looping(self) -> None:
        job = self.running(attempts=settings.JOB_MAX_ATTEMPTS)
        export_jobs.run_export(job_id=job.pk, generation=settings.JOB_MAX_ATTEMPTS - 1, redelivered=True)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("Try exporting fewer episodes", job.message)

    def test_an_import_job_is_claimed_once_too(self) -> None:
        job = ImportJob.objects.create(
            project=self.project, requested_by=self.bob, data="第5集\n5-1 日 内 客厅\n△来了。\n".encode()
        )
        imports.run_import(job_id=job.pk, generation=0)
        imports.run_import(job_id=job.pk, generation=0)  # redelivered after it finished
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), ("done", 1))
        self.assertEqual(self.project.episodes.filter(number=5).count(), 1)


class HeartbeatTestCase(TransactionTestCase):
    """Committed rows: the heartbeat thread writes through its own connection, as in a worker."""

    @override_settings(JOB_HEARTBEAT_SECONDS=0.05)
    def test_a_running_job_beats_while_a_long_step_runs_without_progress(self) -> None:
        user = get_user_model().objects.create_user("sr", password=PASSWORD)
        project = create_project(user=user, title="S", slug="s", script_format="zh")
        job = ExportJob.objects.create(project=project, requested_by=user, params={"format": "zh"})

        def a_long_render(**_kwargs):
            time.sleep(0.5)  # a Typst render calls no progress callback
            return exports.ExportedFile(b"x", "s.txt", "text/plain")

        with mock.patch.object(export_jobs, "export_file", a_long_render):
            export_jobs.run_export(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        self.assertGreater(job.heartbeat_at - job.started_at, timedelta(seconds=0.3))
