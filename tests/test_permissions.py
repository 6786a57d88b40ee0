"""Role rules on every view: outsiders get 404, viewers read but never write, writers write."""

from __future__ import annotations

from django.urls import reverse

from scripts_app.models import Beat, Character, Location, Membership, SceneVersion

from .base import BaseTestCase


class PermissionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        slug = self.project.slug
        self.character = Character.objects.get(project=self.project, name="张明")
        self.location = Location.objects.get(project=self.project, name="张家客厅")
        self.beat = Beat.objects.create(episode=self.episode, text="beat", position=1)
        self.version = SceneVersion.objects.filter(scene=self.scene).first()
        bob_membership = Membership.objects.get(project=self.project, user=self.bob)
        s, e, v = self.scene.pk, self.episode.number, self.version.pk
        # Every project view: (name, args) -> readable by a viewer?
        self.read_views = [
            ("project_detail", [slug]),
            ("members", [slug]),
            ("character_edit", [slug, self.character.pk]),
            ("location_edit", [slug, self.location.pk]),
            ("episode_detail", [slug, e]),
            ("episode_read", [slug, e]),
            ("scene_edit", [slug, s]),
            ("scene_history", [slug, s]),
            ("scene_version", [slug, s, v]),
            ("export", [slug]),
        ]
        self.write_views = [
            ("project_settings", [slug]),
            ("member_add", [slug]),
            ("member_role", [slug, bob_membership.pk]),
            ("character_new", [slug]),
            ("character_edit", [slug, self.character.pk]),
            ("character_delete", [slug, self.character.pk]),
            ("location_new", [slug]),
            ("location_edit", [slug, self.location.pk]),
            ("location_delete", [slug, self.location.pk]),
            ("episode_create", [slug]),
            ("episode_edit", [slug, e]),
            ("beat_add", [slug, e]),
            ("beats_reorder", [slug, e]),
            ("beat_update", [slug, self.beat.pk]),
            ("scene_create", [slug, e]),
            ("scenes_reorder", [slug, e]),
            ("scene_save", [slug, s]),
            ("scene_move", [slug, s]),
            ("scene_delete", [slug, s]),
            ("scene_restore", [slug, s, v]),
            ("import", [slug]),
        ]

    def test_it_hides_every_view_from_non_members(self) -> None:
        self.login(self.mallory)
        for name, args in self.read_views + self.write_views:
            url = reverse(name, args=args)
            self.assertEqual(self.client.get(url).status_code, 404, url)
            self.assertEqual(self.client.post(url, {"text": "x"}).status_code, 404, url)

    def test_it_sends_anonymous_users_to_login(self) -> None:
        for name, args in self.read_views + self.write_views:
            url = reverse(name, args=args)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn(reverse("login"), response["Location"])

    def test_it_lets_viewers_read(self) -> None:
        self.login(self.charlie)
        for name, args in self.read_views:
            url = reverse(name, args=args)
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_it_rejects_viewer_edits(self) -> None:
        self.login(self.charlie)
        before = self.scene.text
        for name, args in self.write_views:
            url = reverse(name, args=args)
            self.assertEqual(
                self.client.post(url, {"text": "hacked", "role": "showrunner"}).status_code, 403, url
            )
        self.scene.refresh_from_db()
        self.assertEqual(self.scene.text, before)
        self.assertTrue(Character.objects.filter(pk=self.character.pk).exists())
        self.assertEqual(Membership.objects.get(project=self.project, user=self.charlie).role, "viewer")

    def test_it_keeps_series_settings_and_members_to_the_showrunner(self) -> None:
        self.login(self.bob)
        slug = self.project.slug
        self.assertEqual(self.client.get(reverse("project_settings", args=[slug])).status_code, 403)
        response = self.client.post(reverse("member_add", args=[slug]), {"who": "mallory", "role": "writer"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Membership.objects.filter(project=self.project, user=self.mallory).exists())

    def test_it_shows_viewers_a_read_only_scene(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("scene_edit", args=[self.project.slug, self.scene.pk]))
        # The live editor, read-only (the server refuses a viewer's changes), and the text without script.
        self.assertContains(response, 'data-read-only="1"')
        self.assertContains(response, "你还知道回来？")
