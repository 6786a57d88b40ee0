"""A base test case with a series and a fixture user of each role (and one outsider)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import TestCase

from scripts_app.models import Character, Location, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

PASSWORD = "password-for-tests"

ZH_SCENE = "1-1 日 内 张家客厅\n人物：张明、张父\n△张明推门进来。\n张父：（放下酒杯）你还知道回来？\n"


class BaseTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        users = get_user_model().objects
        self.alice = users.create_user("alice", "alice@example.org", PASSWORD)  # showrunner
        self.bob = users.create_user("bob", "bob@example.org", PASSWORD)  # writer
        self.charlie = users.create_user("charlie", "charlie@example.org", PASSWORD)  # viewer
        self.mallory = users.create_user("mallory", "mallory@example.org", PASSWORD)  # not a member

        self.project = create_project(user=self.alice, title="Demo", slug="demo", script_format="zh")
        Membership.objects.create(project=self.project, user=self.bob, role=Role.WRITER)
        Membership.objects.create(project=self.project, user=self.charlie, role=Role.VIEWER)
        self.episode = create_episode(project=self.project, number=1, title="开端")
        # The bible holds what people created: saving a scene never adds to it (tests/test_bible_clean.py).
        for name in ("张明", "张父"):
            Character.objects.create(project=self.project, name=name)
        Location.objects.create(project=self.project, name="张家客厅", int_ext="内")
        self.scene = create_scene(episode=self.episode, user=self.alice, text=ZH_SCENE)

    def login(self, user) -> None:
        self.client.force_login(user)

    def screenplay(self, text: str, *, user=None, slug: str = "heist"):
        """A Fountain series with one episode holding one scene of `text`."""
        user = user or self.alice
        project = create_project(user=user, title="Heist", slug=slug, script_format="fountain")
        create_scene(episode=create_episode(project=project, number=1), user=user, text=text)
        return project
