"""Writing scenes: saving text (with its history), restoring, ordering."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import history_notes
from ..history_notes import HistoryNote
from ..models import Episode, EpisodeDocument, Scene, SceneVersion
from ..script_text import scene_facts
from .bible import known_location

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
    """Set the text and everything derived from it (heading fields, location, runtime).

    The bible is only read here, never added to: saves run while a writer types, and would leave
    every prefix of a name behind (医, 医院, 医院走). New names are listed for the room instead."""
    project = scene.episode.project
    facts = scene_facts(text, project.script_format)
    scene.text = text
    scene.heading = facts.heading[:300]
    scene.number = facts.parts.number[:20]
    scene.time_of_day = facts.parts.time_of_day[:30]
    scene.int_ext = facts.parts.int_ext[:10]
    scene.location = known_location(project=project, name=facts.parts.location)
    scene.runtime_seconds = facts.runtime_seconds


def refresh_episode_runtime(*, episode: Episode) -> None:
    total = episode.scenes.filter(omitted=False).aggregate(s=Sum("runtime_seconds"))["s"] or 0
    Episode.objects.filter(pk=episode.pk).update(runtime_seconds=total)
    episode.runtime_seconds = total


def create_scene_row(*, episode: Episode, user, text: str, position: int) -> Scene:
    """A Scene row for text that is already in the episode (the document's rows and imports)."""
    scene = Scene(episode=episode, position=position, updated_by=user)
    _apply_text(scene, text)
    scene.save()
    if text:
        note = history_notes.created()
        SceneVersion.objects.create(scene=scene, text=text, author=user, note_code=note.code)
    return scene


@transaction.atomic
def create_scene(*, episode: Episode, user, text: str = "", position: int | None = None) -> Scene:
    """A new scene. In an episode with a shared document it is added to the text (the one door)."""
    from ..collab import documents

    if _has_document(episode):
        index = None if position is None else max(0, position - 1)
        split = documents.episode_text.split(text, episode.project.script_format)
        # In the shared text a scene starts at its heading: without one it would join the scene before.
        heading = text if split and split[0].has_heading else _blank_heading(episode) + text
        scene = documents.insert_scene(episode=episode, text=heading, user=user, index=index)
        if scene is None:
            raise SceneTooLong(_("The scene could not be added."))
        return scene
    if position is None:
        position = (episode.scenes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    else:
        episode.scenes.filter(position__gte=position).update(position=F("position") + 1)
    scene = create_scene_row(episode=episode, user=user, text=text, position=position)
    refresh_episode_runtime(episode=episode)
    return scene


def _has_document(episode: Episode) -> bool:
    return EpisodeDocument.objects.filter(episode_id=episode.pk).exists()


def _blank_heading(episode: Episode) -> str:
    """A new scene in the shared text needs a heading to be a scene of its own."""
    n = episode.scenes.filter(omitted=False).count() + 1
    if episode.project.script_format == "zh":
        return f"{episode.number}-{n} 日 内 \n"
    return "INT. LOCATION - DAY\n"


def save_scene_text(*, scene: Scene, user, text: str, base_revision: int | None = None) -> Scene:
    """Save a writer's text. `base_revision` is the revision the writer's editor started from."""
    from ..collab import documents

    check_scene_length(text)
    with transaction.atomic():
        scene = Scene.objects.select_for_update().select_related("episode__project").get(pk=scene.pk)
        if base_revision is not None and base_revision != scene.revision:
            raise SceneConflict(scene)
        if text == scene.text:
            return scene
        if not _has_document(scene.episode):
            return commit_scene_text(scene=scene, user=user, text=text)
    return documents.replace_scene_text(scene=scene, text=text, user=user)


def check_scene_length(text: str) -> None:
    """Every path that writes a scene's text (save, restore, the shared text, accepted AI) keeps to this."""
    if len(text) > settings.SCENE_TEXT_MAX_CHARS:
        raise SceneTooLong(
            _("A scene may hold at most %(n)d characters.") % {"n": settings.SCENE_TEXT_MAX_CHARS}
        )
    if text.count("\n") >= settings.SCENE_TEXT_MAX_LINES:
        raise SceneTooLong(_("A scene may hold at most %(n)d lines.") % {"n": settings.SCENE_TEXT_MAX_LINES})


def commit_scene_text(
    *, scene: Scene, user, text: str, note: HistoryNote | None = None, runtime: bool = True
) -> Scene:
    """A new revision of a locked scene row: text and derived fields, history, episode runtime."""
    _apply_text(scene, text)
    scene.revision += 1
    scene.updated_by = user
    scene.save()
    _record_version(scene=scene, user=user, note=note)
    if runtime:
        refresh_episode_runtime(episode=scene.episode)
    return scene


def _record_version(*, scene: Scene, user, note: HistoryNote | None = None) -> SceneVersion:
    latest = scene.versions.order_by("-created_at", "-id").first()
    now = timezone.now()
    coalesce = (
        latest is not None
        and note is None
        and not latest.note
        and not latest.note_code
        and latest.author_id == getattr(user, "pk", None)
        and now - latest.created_at < VERSION_COALESCE_WINDOW
    )
    if coalesce:
        latest.text = scene.text
        latest.save(update_fields=["text", "updated_at"])
        return latest
    return SceneVersion.objects.create(
        scene=scene, text=scene.text, author=user,
        note_code=note.code if note else "", note_params=note.params if note else {},
    )  # fmt: skip


def restore_version(*, scene: Scene, version: SceneVersion, user) -> Scene:
    """Restoring is itself a new version, so a restore can be undone too."""
    from ..collab import documents

    check_scene_length(version.text)
    note = history_notes.restored(when=version.created_at)
    if _has_document(scene.episode):
        return documents.replace_scene_text(scene=scene, text=version.text, user=user, note=note)
    with transaction.atomic():
        scene = Scene.objects.select_for_update().select_related("episode__project").get(pk=scene.pk)
        return commit_scene_text(scene=scene, user=user, text=version.text, note=note)


def delete_scene(*, scene: Scene, user=None) -> None:
    """A scene with a locked number is omitted, not deleted: its number must never be reused."""
    from ..collab import documents

    episode = scene.episode
    if _has_document(episode):
        if not scene.omitted:
            documents.remove_scene(scene=scene, user=user)
        return
    with transaction.atomic():
        if scene.locked_number:
            scene.omitted = True
            scene.runtime_seconds = 0
            scene.save(update_fields=["omitted", "runtime_seconds", "updated_at"])
        else:
            scene.delete()
        refresh_episode_runtime(episode=episode)


def restore_omitted(*, scene: Scene, user) -> Scene:
    """An omitted scene comes back where it was; in the shared text its heading and text return."""
    from ..collab import documents

    episode = scene.episode
    if _has_document(episode):
        index = episode.scenes.filter(omitted=False, position__lt=scene.position).count()
        fmt = episode.project.script_format
        text = documents.episode_text.renumbered(scene.text, fmt, scene.locked_number)
        documents.insert_scene(episode=episode, text=text, user=user, index=index, scene_id=scene.pk)
        return Scene.objects.get(pk=scene.pk)
    with transaction.atomic():
        scene.omitted = False
        scene.runtime_seconds = scene_facts(scene.text, episode.project.script_format).runtime_seconds
        scene.save(update_fields=["omitted", "runtime_seconds", "updated_at"])
        refresh_episode_runtime(episode=episode)
    return scene
