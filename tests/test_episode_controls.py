"""Issue 9, point 11: delete an episode (showrunner, confirmed, never a locked one), edit a beat's
text, a whitespace-only beat gets a message, and "Issue next revision" names its colour and asks."""

from __future__ import annotations

from django.urls import reverse

from scripts_app.models import Beat, Episode, Scene
from scripts_app.services import production
from scripts_app.services.episodes import add_beat, create_episode
from scripts_app.services.projects import set_paywall

from .base import BaseTestCase


class EpisodeControlsTestCase(BaseTestCase):
    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.project.slug, *args])

    def test_a_showrunner_deletes_an_unlocked_episode_after_confirming(self) -> None:
        set_paywall(project=self.project, episode_number=1, on=True)
        self.login(self.alice)
        page = self.client.get(self.url("episode_detail", 1)).content.decode()
        self.assertIn('id="delete-episode"', page)
        self.assertIn('data-confirm="Delete episode 1 with its scenes', page)
        response = self.client.post(self.url("episode_delete", 1), follow=True)
        self.assertRedirects(response, self.url("project_detail"))
        self.assertContains(response, "Episode 1 deleted.")
        self.assertFalse(Episode.objects.filter(pk=self.episode.pk).exists())
        self.assertFalse(Scene.objects.filter(pk=self.scene.pk).exists())
        self.project.refresh_from_db()
        self.assertEqual(self.project.paywall_episodes, [])

    def test_writers_and_viewers_cannot_delete_an_episode(self) -> None:
        for user in (self.bob, self.charlie):
            self.login(user)
            self.assertNotIn(
                'id="delete-episode"', self.client.get(self.url("episode_detail", 1)).content.decode()
            )
            self.assertEqual(self.client.post(self.url("episode_delete", 1)).status_code, 403)
        self.assertTrue(Episode.objects.filter(pk=self.episode.pk).exists())

    def test_a_locked_episode_is_not_deleted(self) -> None:
        production.lock_episode(episode=self.episode, user=self.alice)
        self.login(self.alice)
        self.assertNotIn(
            'id="delete-episode"', self.client.get(self.url("episode_detail", 1)).content.decode()
        )
        response = self.client.post(self.url("episode_delete", 1), follow=True)
        self.assertContains(response, "A locked episode cannot be deleted")
        self.assertTrue(Episode.objects.filter(pk=self.episode.pk).exists())

    def test_a_writer_edits_a_beat_s_text(self) -> None:
        beat = add_beat(episode=self.episode, user=self.bob, text="张明回家")
        self.login(self.bob)
        page = self.client.get(self.url("episode_detail", 1)).content.decode()
        self.assertIn(f'id="beat-edit-{beat.pk}"', page)
        response = self.client.post(
            self.url("beat_update", beat.pk),
            {"action": "edit", "text": "  张明深夜回家  "},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "张明深夜回家")
        beat.refresh_from_db()
        self.assertEqual(beat.text, "张明深夜回家")
        self.login(self.charlie)
        self.assertEqual(
            self.client.post(self.url("beat_update", beat.pk), {"action": "edit", "text": "x"}).status_code,
            403,
        )

    def test_a_whitespace_only_beat_gets_a_message_and_loses_nothing(self) -> None:
        beat = add_beat(episode=self.episode, user=self.bob, text="张明回家")
        self.login(self.bob)
        response = self.client.post(self.url("beat_add", 1), {"text": "  \n\u3000 "}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "only spaces were typed")
        self.assertEqual(Beat.objects.filter(episode=self.episode).count(), 1)
        response = self.client.post(
            self.url("beat_update", beat.pk), {"action": "edit", "text": "   "}, follow=True
        )
        self.assertContains(response, "only spaces were typed")
        beat.refresh_from_db()
        self.assertEqual(beat.text, "张明回家")

    def test_issue_next_revision_names_the_next_colour_and_asks_first(self) -> None:
        production.lock_episode(episode=self.episode, user=self.alice)  # the white draft
        self.login(self.alice)
        page = self.client.get(self.url("episode_detail", 1)).content.decode()
        self.assertIn("Issue next revision (BLUE)", page)
        self.assertIn('data-confirm="Issue the BLUE revision?', page)
        self.scene.text += "△新的一行。\n"
        self.scene.save()
        production.issue_revision(episode=self.episode, user=self.alice)
        page = self.client.get(self.url("episode_detail", 1)).content.decode()
        self.assertIn("Issue next revision (PINK)", page)
        self.client.cookies.load({"django_language": "zh-hans"})
        page = self.client.get(self.url("episode_detail", 1), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        self.assertIn('id="issue-revision"', page)

    def test_deleting_another_series_episode_is_not_found(self) -> None:
        other = self.screenplay("INT. BANK - DAY\n")
        create_episode(project=other, number=2)
        self.login(self.alice)
        response = self.client.post(reverse("episode_delete", args=[other.slug, 3]))
        self.assertEqual(response.status_code, 404)
