"""The series pages: creating a series, the episode board, members, beats, languages."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from scripts_app.models import Membership, Project

from .base import BaseTestCase


class ProjectPagesTestCase(BaseTestCase):
    def test_it_makes_the_creator_showrunner(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("project_create"),
            {"title": "霸总的契约新娘", "language": "zh", "script_format": "zh", "target_episode_count": 80,
             "target_episode_seconds": 90, "paywall": "10，25"},
        )  # fmt: skip
        project = Project.objects.get(title="霸总的契约新娘")
        self.assertRedirects(response, reverse("project_detail", args=[project.slug]))
        self.assertEqual(Membership.objects.get(project=project, user=self.bob).role, "showrunner")
        self.assertEqual(project.paywall_episodes, [10, 25])

    def test_it_shows_the_series_shape_on_the_board(self) -> None:
        self.project.paywall_episodes = [1]
        self.project.save()
        self.login(self.charlie)
        response = self.client.get(reverse("project_detail", args=[self.project.slug]))
        self.assertContains(response, "开端")
        self.assertContains(response, 'class="badge paywall"')
        self.assertContains(response, "张明")  # the bible got the characters of the scene
        self.assertContains(response, "张家客厅")

    def test_it_invites_members_by_email_and_keeps_one_showrunner(self) -> None:
        # Membership needs consent (tests/test_invites.py has the rest): mallory joins once she accepts,
        # through the link mailed to her address.
        self.login(self.alice)
        slug = self.project.slug
        self.client.post(reverse("member_add", args=[slug]), {"who": "MALLORY@example.org", "role": "viewer"})
        self.assertFalse(Membership.objects.filter(project=self.project, user=self.mallory).exists())
        self.login(self.mallory)
        (sent,) = mail.outbox
        self.assertEqual(sent.to, ["MALLORY@example.org"])
        link = re.search(r"http://testserver(/invites/t/[\w-]+/)", sent.body)[1]
        self.client.post(link, {"action": "accept"})
        self.assertEqual(Membership.objects.get(project=self.project, user=self.mallory).role, "viewer")
        self.login(self.alice)
        response = self.client.post(
            reverse("member_add", args=[slug]), {"who": "nobody", "role": "viewer"}, follow=True
        )
        self.assertNotContains(response, "No user with the username or email")
        mine = Membership.objects.get(project=self.project, user=self.alice)
        response = self.client.post(
            reverse("member_role", args=[slug, mine.pk]), {"role": "viewer"}, follow=True
        )
        self.assertContains(response, "at least one showrunner")
        mine.refresh_from_db()
        self.assertEqual(mine.role, "showrunner")

    def test_it_adds_and_reviews_beats(self) -> None:
        self.login(self.bob)
        slug = self.project.slug
        self.client.post(reverse("beat_add", args=[slug, 1]), {"text": "张明摊牌"}, HTTP_HX_REQUEST="true")
        beat = self.episode.beats.get()
        self.assertEqual((beat.origin, beat.status, beat.author), ("person", "accepted", self.bob))
        response = self.client.post(
            reverse("beat_update", args=[slug, beat.pk]), {"action": "rejected"}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, "张明摊牌")
        beat.refresh_from_db()
        self.assertEqual(beat.status, "rejected")

    def test_it_speaks_chinese_when_the_browser_does(self) -> None:
        self.login(self.bob)
        response = self.client.get(
            reverse("episode_detail", args=[self.project.slug, 1]), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"
        )
        self.assertContains(response, "添加场次")
        response = self.client.get(
            reverse("episode_detail", args=[self.project.slug, 1]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(response, "Add scene")

    def test_it_switches_language_on_request(self) -> None:
        self.login(self.bob)
        self.client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        response = self.client.get(
            reverse("project_detail", args=[self.project.slug]), HTTP_ACCEPT_LANGUAGE="en"
        )
        self.assertContains(response, "分集看板")

    def test_it_renumbers_nothing_when_an_episode_number_is_taken(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("episode_create", args=[self.project.slug]), {"number": 1, "status": "outline"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.project.episodes.count(), 1)


class HostileBibleTestCase(BaseTestCase):
    def test_it_escapes_script_tags_in_every_bible_field(self) -> None:
        self.login(self.bob)
        evil = "<script>alert('x')</script>"
        response = self.client.post(
            reverse("character_new", args=[self.project.slug]),
            {"name": evil, "look": evil, "identity": evil, "age": evil},
        )
        self.assertEqual(response.status_code, 302)
        self.client.post(reverse("location_new", args=[self.project.slug]), {"name": evil, "look": evil})
        self.project.title = evil
        self.project.logline = evil
        self.project.style_guide = evil
        self.project.save()
        for url in (reverse("project_detail", args=[self.project.slug]), reverse("project_list")):
            page = self.client.get(url)
            self.assertNotContains(page, "<script>alert")
            self.assertContains(page, "&lt;script&gt;alert(")

    def test_it_refuses_an_oversized_upload_with_a_message(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login(self.bob)
        big = SimpleUploadedFile("big.txt", "△".encode() * (2 * 1024 * 1024))
        response = self.client.post(
            reverse("import", args=[self.project.slug]), {"file": big, "format": "auto"}
        )
        self.assertContains(response, "too large")
        self.assertEqual(self.project.episodes.count(), 1)
