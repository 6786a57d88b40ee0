"""Writing scenes: saving text (with its history), restoring, ordering."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..formats.elements import speaking_characters
from ..models import Episode, Scene, SceneVersion
from ..script_text import scene_facts
from .bible import ensure_characters, ensure_location

# Autosaves by the same writer within this window of a version's first save refresh that version;
# after it a new version starts, so history keeps at least one state per writer per window.
VERSION_COALESCE_WINDOW = timedelta(minutes=2)


class SceneConflict(Exception):
    """Someone saved the scene since this writer loaded it; nothing was overwritten."""

    def __init__(self, scene: Scene):
        super().__init__(_("Someone else saved this scene meanwhile. Your text is kept; reload to merge."))
        self.scene = scene


class SceneTooLong(ValueError):
    pass


def _apply_text(scene: Scene, text: str) -> None:
    """Set the text and everything derived from it (heading fields, location, runtime)."""
    project = scene.episode.project
    facts = scene_facts(text, project.script_format)
    scene.text = text
    scene.heading = facts.heading[:300]
    scene.number = facts.parts.number[:20]
    scene.time_of_day = facts.parts.time_of_day[:30]
    scene.int_ext = facts.parts.int_ext[:10]
    scene.location = ensure_location(project=project, name=facts.parts.location, int_ext=facts.parts.int_ext)
    scene.runtime_seconds = facts.runtime_seconds
    ensure_characters(project=project, names=speaking_characters(facts.elements))


def refresh_episode_runtime(*, episode: Episode) -> None:
    total = episode.scenes.filter(omitted=False).aggregate(s=Sum("runtime_seconds"))["s"] or 0
    Episode.objects.filter(pk=episode.pk).update(runtime_seconds=total)
    episode.runtime_seconds = total


@transaction.atomic
def create_scene(*, episode: Episode, user, text: str = "", position: int | None = None) -> Scene:
    if position is None:
        position = (episode.scenes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    else:
        episode.scenes.filter(position__gte=position).update(position=F("position") + 1)
    scene = Scene(episode=episode, position=position, updated_by=user)
    _apply_text(scene, text)
    scene.save()
    if text:
        SceneVersion.objects.create(scene=scene, text=text, author=user, note=_("created"))
    refresh_episode_runtime(episode=episode)
    return scene


@transaction.atomic
def save_scene_text(*, scene: Scene, user, text: str, base_revision: int | None = None) -> Scene:
    """Save a writer's text. `base_revision` is the revision the writer's editor started from."""
    if len(text) > settings.SCENE_TEXT_MAX_CHARS:
        raise SceneTooLong(
            _("A scene may hold at most %(n)d characters.") % {"n": settings.SCENE_TEXT_MAX_CHARS}
        )
    scene = Scene.objects.select_for_update().select_related("episode__project").get(pk=scene.pk)
    if base_revision is not None and base_revision != scene.revision:
        raise SceneConflict(scene)
    if text == scene.text:
        return scene
    return _commit_text(scene=scene, user=user, text=text)


def _commit_text(*, scene: Scene, user, text: str, note: str = "") -> Scene:
    """A new revision of a locked scene row: text and derived fields, history, episode runtime."""
    _apply_text(scene, text)
    scene.revision += 1
    scene.updated_by = user
    scene.save()
    _record_version(scene=scene, user=user, note=note)
    refresh_episode_runtime(episode=scene.episode)
    return scene


def _record_version(*, scene: Scene, user, note: str = "") -> SceneVersion:
    latest = scene.versions.order_by("-created_at", "-id").first()
    now = timezone.now()
    coalesce = (
        latest is not None
        and not note
        and not latest.note
        and latest.author_id == user.pk
        and now - latest.created_at < VERSION_COALESCE_WINDOW
    )
    if coalesce:
        latest.text = scene.text
        latest.save(update_fields=["text", "updated_at"])
        return latest
    return SceneVersion.objects.create(scene=scene, text=scene.text, author=user, note=note)


@transaction.atomic
def restore_version(*, scene: Scene, version: SceneVersion, user) -> Scene:
    """Restoring is itself a new version, so a restore can be undone too."""
    scene = Scene.objects.select_for_update().select_related("episode__project").get(pk=scene.pk)
    when = timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M")
    note = _("restored from %(when)s") % {"when": when}
    return _commit_text(scene=scene, user=user, text=version.text, note=note)


@transaction.atomic
def delete_scene(*, scene: Scene) -> None:
    """A scene with a locked number is omitted, not deleted: its number must never be reused."""
    episode = scene.episode
    if scene.locked_number:
        scene.omitted = True
        scene.runtime_seconds = 0
        scene.save(update_fields=["omitted", "runtime_seconds", "updated_at"])
    else:
        scene.delete()
    refresh_episode_runtime(episode=episode)


@transaction.atomic
def restore_omitted(*, scene: Scene, user) -> Scene:
    scene.omitted = False
    scene.runtime_seconds = scene_facts(scene.text, scene.episode.project.script_format).runtime_seconds
    scene.save(update_fields=["omitted", "runtime_seconds", "updated_at"])
    refresh_episode_runtime(episode=scene.episode)
    return scene
