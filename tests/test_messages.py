"""Saves and deletes say what happened (Django messages), and a deleted scene of a locked episode
is announced as OMITTED, not as gone."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from scripts_app.models import Character, Scene
from scripts_app.services import production
from scripts_app.services.bible import save_character
from scripts_app.services.scenes import create_scene

from .base import BaseTestCase


class MessagesTestCase(BaseTestCase):
    def said(self, response) -> list[str]:
        """The messages this request added; shown (and so used up) by the next page."""
        said = [str(m) for m in get_messages(response.wsgi_request)]
        self.client.get(reverse("project_list"))
        return said

    def test_creating_a_series_says_so(self) -> None:
        self.login(self.alice)
        response = self.client.post(
            reverse("project_create"),
            {"title": "Night Shift", "language": "en", "script_format": "fountain",
             "target_episode_count": 60, "target_episode_seconds": 90},
        )  # fmt: skip
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(self.said(response), ["Series “Night Shift” created."])

    def test_creating_and_saving_an_episode_say_so(self) -> None:
        self.login(self.bob)
        fields = {"title": "转机", "summary": "", "hook": "", "cliffhanger": "", "status": "outline"}
        response = self.client.post(reverse("episode_create", args=["demo"]), {"number": 2, **fields})
        self.assertEqual(self.said(response), ["Episode 2 created."])
        response = self.client.post(reverse("episode_edit", args=["demo", 2]), {"number": 2, **fields})
        self.assertEqual(self.said(response), ["Episode 2 saved."])

    def test_saving_and_deleting_a_bible_entry_say_so(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("character_new", args=["demo"]), {"name": "林晚"})
        self.assertEqual(self.said(response), ["“林晚” saved."])
        character = Character.objects.get(project=self.project, name="林晚")
        response = self.client.post(reverse("character_delete", args=["demo", character.pk]))
        self.assertEqual(self.said(response), ["“林晚” deleted from the bible."])

    def test_deleting_a_scene_of_an_unlocked_episode_says_it_is_deleted(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("scene_delete", args=["demo", self.scene.pk]))
        self.assertEqual(self.said(response), ["Scene deleted: 1-1 日 内 张家客厅"])

    def test_deleting_a_scene_of_a_locked_episode_says_it_will_print_as_omitted(self) -> None:
        second = create_scene(episode=self.episode, user=self.alice, text="1-2 夜 外 街道\n△雨。\n")
        production.lock_episode(episode=self.episode, user=self.alice)
        self.login(self.bob)
        page = self.client.get(reverse("scene_edit", args=["demo", second.pk]))
        self.assertContains(page, "it will print as OMITTED")
        self.assertNotContains(page, "its history")
        response = self.client.post(reverse("scene_delete", args=["demo", second.pk]))
        self.assertEqual(
            self.said(response),
            ["Scene 1-2 will print as OMITTED in the shooting script; restore it from the scene list."],
        )
        self.assertTrue(Scene.objects.get(pk=second.pk).omitted)

    def test_saving_a_character_in_chinese_says_so_in_chinese(self) -> None:
        character = save_character(project=self.project, name="顾承泽")
        self.login(self.bob)
        response = self.client.post(
            reverse("character_edit", args=["demo", character.pk]),
            {"name": "顾承泽", "age": ""},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertEqual(self.said(response), ["已保存“顾承泽”。"])
