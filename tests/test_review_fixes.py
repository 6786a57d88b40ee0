"""Edge cases found in review: each once lost data, showed nothing, or let the wrong person act."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from scripts_app import selectors
from scripts_app.models import ExportJob, SceneVersion
from scripts_app.services import bible, export_jobs
from scripts_app.services.episodes import update_episode
from scripts_app.services.scenes import save_scene_text

from .base import BaseTestCase


class ReviewFixesTestCase(BaseTestCase):
    def test_a_scene_naming_a_very_long_character_saves_again_and_again(self) -> None:
        cast = "人物：" + "长" * 130 + "\n"
        scene = save_scene_text(scene=self.scene, user=self.bob, text=self.scene.text + cast)
        scene = save_scene_text(scene=scene, user=self.bob, text=scene.text + "△又改了。\n")
        # Saves add nothing to the bible (issue 9); the name is listed, cut to the column, once.
        names = [n.name for n in selectors.bible_use(project=self.project).new_characters]
        self.assertEqual(names, ["长" * 100])
        bible.add_script_name(project=self.project, kind="character", name=names[0])
        save_scene_text(scene=scene, user=self.bob, text=scene.text + "△再改。\n")
        self.assertEqual(selectors.bible_use(project=self.project).new_characters, [])
        self.assertEqual(self.project.characters.filter(name="长" * 100).count(), 1)

    def test_history_starts_a_new_version_after_the_window_even_while_typing(self) -> None:
        save_scene_text(scene=self.scene, user=self.bob, text=self.scene.text + "△一。\n")
        first = SceneVersion.objects.filter(scene=self.scene, author=self.bob).get()
        SceneVersion.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=3))
        save_scene_text(scene=self.scene, user=self.bob, text=self.scene.text + "△二。\n")
        self.assertEqual(SceneVersion.objects.filter(scene=self.scene, author=self.bob).count(), 2)

    def test_an_export_of_episodes_that_dont_exist_says_so(self) -> None:
        self.login(self.bob)
        for fmt in ("pdf", "fdx", "docx", "shotlist", "zh"):
            response = self.client.post(
                reverse("export", args=[self.project.slug]), {"format": fmt, "episodes": "99"}
            )
            self.assertContains(response, "nothing to export", msg_prefix=fmt)
        with self.assertRaisesMessage(CommandError, "nothing to export"):
            call_command(
                "export_script", self.project.slug, "--format", "pdf", "--episodes", "9-12", "-o", "-"
            )

    def test_writers_cannot_mark_an_episode_locked_through_the_form(self) -> None:
        self.login(self.bob)
        url = reverse("episode_edit", args=[self.project.slug, 1])
        response = self.client.post(url, {"number": 1, "title": "x", "status": "locked"})
        self.assertEqual(response.status_code, 200)  # the form refuses the choice
        self.episode.refresh_from_db()
        self.assertEqual(self.episode.status, "outline")

    def test_a_renumbered_paywall_episode_takes_its_paywall_along(self) -> None:
        self.project.paywall_episodes = [1]
        self.project.save()
        update_episode(episode=self.episode, number=2)
        self.project.refresh_from_db()
        self.assertEqual(self.project.paywall_episodes, [2])

    def test_a_job_another_worker_is_running_is_left_alone_until_it_goes_stale(self) -> None:
        job = ExportJob.objects.create(
            project=self.project, requested_by=self.bob, params={"format": "zh"},
            status=ExportJob.Status.RUNNING, started_at=timezone.now(),
        )  # fmt: skip
        export_jobs.run_export(job_id=job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, "running")
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
        export_jobs.run_export(job_id=job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        self.assertIn("你还知道回来".encode(), bytes(job.result))

    def test_import_without_any_user_explains_itself(self) -> None:
        get_user_model().objects.all().delete()
        with self.assertRaisesMessage(CommandError, "no users yet"):
            call_command(
                "import_script", "tests/samples/short_pilot.fountain", "--project", "p", "--create", "P",
                stdout=StringIO(),
            )  # fmt: skip
