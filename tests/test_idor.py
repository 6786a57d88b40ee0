"""No id reaches across series: every URL that names an object by id, asked with the caller's own
series and another series' object, answers 404 (or refuses the method) and changes nothing.

The routes are read from the URL configuration itself, so a view added later is covered the day it is
added (or this test says which id it cannot fill)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from scripts_app.models import (
    Beat,
    Character,
    Comment,
    Episode,
    ExportJob,
    ImportJob,
    Invite,
    Location,
    Membership,
    Role,
    Scene,
    SceneVersion,
    Suggestion,
)
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .base import ZH_SCENE, BaseTestCase

# Which model an id in a route names: by the id's name, else by the route's name.
BY_KWARG = {"version_id": SceneVersion, "membership_id": Membership}
BY_ROUTE = [
    ("character_", Character),
    ("location_", Location),
    ("beat_", Beat),
    ("comment_", Comment),
    ("import_job", ImportJob),
    ("export_job", ExportJob),
    ("invite_", Invite),
    ("ai_scene", Scene),
    ("ai_request_rewrite", Scene),
    ("ai_", Suggestion),
    ("scene_", Scene),
]
WATCHED = [Character, Location, Beat, Comment, Episode, Scene, SceneVersion, Suggestion, Membership]
WATCHED += [ImportJob, ExportJob, Invite]
# Status codes that read nothing and change nothing (a POST may be refused for its empty body first).
GET_OK = {404, 405}
POST_OK = {400, 404, 405, 409}


def _routes(patterns=None, prefix: str = ""):
    """(route string, name) of every URL pattern, includes followed."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def _model_for(kwarg: str, name: str):
    if kwarg in BY_KWARG:
        return BY_KWARG[kwarg]
    return next((model for start, model in BY_ROUTE if name.startswith(start)), None)


class CrossSeriesIdTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mine = self._objects(self.project, self.alice, number=1, episode=self.episode, scene=self.scene)
        other = create_project(user=self.mallory, title="Other", slug="other", script_format="zh")
        episode = create_episode(project=other, number=1, title="别人的")
        scene = create_scene(episode=episode, user=self.mallory, text=ZH_SCENE)
        self.theirs = self._objects(other, self.mallory, number=1, episode=episode, scene=scene)

    def _objects(self, project, user, *, number, episode, scene) -> dict:
        return {
            Character: Character.objects.create(project=project, name=f"角色{project.pk}"),
            Location: Location.objects.create(project=project, name=f"地点{project.pk}"),
            Beat: Beat.objects.create(episode=episode, text="一个情节点", position=1),
            Comment: Comment.objects.create(episode=episode, author=user, body="批注"),
            Scene: scene,
            SceneVersion: SceneVersion.objects.filter(scene=scene).first(),
            Suggestion: Suggestion.objects.create(
                project=project,
                kind=Suggestion.Kind.REWRITE,
                episode=episode,
                scene=scene,
                status=Suggestion.Status.PENDING,
                text=scene.text + "△新的一行。\n",
                base_text=scene.text,
                requested_by=user,
            ),  # fmt: skip
            Membership: Membership.objects.get(project=project, user=user),
            ImportJob: ImportJob.objects.create(project=project, requested_by=user, filename="a.txt"),
            ExportJob: ExportJob.objects.create(project=project, requested_by=user),
            Invite: Invite.objects.create(
                project=project,
                role=Role.WRITER,
                invitee="someone",
                token_hash=f"hash-{project.pk}",
                expires_at=timezone.now() + timedelta(days=7),
                invited_by=user,
            ),  # fmt: skip
        }

    def _state(self) -> list:
        return [sorted(map(repr, model.objects.order_by("pk").values())) for model in WATCHED]

    def test_no_route_reads_or_changes_another_series_object_by_its_id(self) -> None:
        self.login(self.alice)  # the showrunner: the most a member may do in their own series
        checked, unknown = 0, []
        for route, name in _routes():
            if not route.startswith("p/<slug:slug>/"):
                continue
            kwargs = re.findall(r"<int:(\w+)>", route)
            ids = [k for k in kwargs if k != "number"]  # an episode is named by its series and number
            if not ids:
                continue
            models = [_model_for(k, name or "") for k in ids]
            if None in models:
                unknown.append(route)
                continue
            for owners in itertools.product((self.mine, self.theirs), repeat=len(ids)):
                if all(owner is self.mine for owner in owners):
                    continue
                path = route.replace("<slug:slug>", self.project.slug).replace("<int:number>", "1")
                for kwarg, model, owner in zip(ids, models, owners, strict=True):
                    path = path.replace(f"<int:{kwarg}>", str(owner[model].pk))
                before = self._state()
                got = self.client.get("/" + path)
                self.assertIn(got.status_code, GET_OK, f"GET /{path} ({name})")
                posted = self.client.post("/" + path)
                self.assertIn(posted.status_code, POST_OK, f"POST /{path} ({name})")
                self.assertEqual(before, self._state(), f"/{path} ({name}) changed something")
                checked += 1
        self.assertEqual(unknown, [], "routes whose ids this test cannot fill: add them to BY_ROUTE")
        self.assertGreater(checked, 25)

    def test_the_same_routes_work_with_the_series_own_ids(self) -> None:
        """The check above is only worth something if the routes it asks answer for the right ids."""
        self.login(self.alice)
        for name, model in (
            ("character_edit", Character),
            ("scene_history", Scene),
            ("ai_suggestion", Suggestion),
        ):
            route = next(r for r, n in _routes() if n == name)
            path = route.replace("<slug:slug>", self.project.slug).replace(
                "<int:pk>", str(self.mine[model].pk)
            )
            self.assertEqual(self.client.get("/" + path).status_code, 200, path)
