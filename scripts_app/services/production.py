"""Locking episodes for production and issuing coloured revisions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..layout import revision_color
from ..models import Episode, Scene, SceneSnapshot, ScriptRevision
from ..numbering import sequential_numbers
from ..selectors import shooting_numbers


class ProductionError(ValueError):
    """A lock or revision the episode's state doesn't allow; the message is for the user."""


def _first_numbers(episode: Episode, scenes: list[Scene]) -> list[str]:
    """At first lock: keep the numbers the writers typed if they are all there and distinct."""
    typed = [s.number for s in scenes]
    if all(typed) and len(set(typed)) == len(typed):
        return typed
    chinese = episode.project.script_format == "zh"
    return sequential_numbers(len(scenes), episode=episode.number if chinese else None)


def _snapshot(episode: Episode, user, index: int) -> ScriptRevision:
    revision = ScriptRevision.objects.create(
        episode=episode, index=index, color=revision_color(index), issued_by=user
    )
    SceneSnapshot.objects.bulk_create(
        SceneSnapshot(
            revision=revision,
            scene=s,
            position=s.position,
            locked_number=s.locked_number,
            omitted=s.omitted,
            text=s.text,
        )  # fmt: skip
        for s in episode.scenes.all()
    )
    return revision


@transaction.atomic
def lock_episode(*, episode: Episode, user) -> ScriptRevision:
    """Fix every scene's number and issue the white draft."""
    episode = Episode.objects.select_for_update().select_related("project").get(pk=episode.pk)
    if episode.locked_at:
        raise ProductionError(_("This episode is already locked."))
    scenes = list(episode.scenes.all())
    for scene, number in zip(scenes, _first_numbers(episode, scenes), strict=True):
        scene.locked_number = number
    Scene.objects.bulk_update(scenes, ["locked_number"])
    episode.locked_at = timezone.now()
    episode.status = Episode.Status.LOCKED
    episode.save(update_fields=["locked_at", "status", "updated_at"])
    _write_numbers(episode, scenes, user)
    _announce(episode)
    return _snapshot(episode, user, 0)


def _announce(episode: Episode) -> None:
    from ..collab.live_pages import announce

    announce(project_id=episode.project_id, topics=["episode", "scenes", "board"], episode=episode.number)


def _write_numbers(episode: Episode, scenes: list[Scene], user) -> None:
    """The shared text carries each locked number in its heading, so a scene keeps its identity
    (and its number) however the text around it is edited."""
    from ..collab import documents

    numbers = {s.pk: s.locked_number for s in scenes if s.locked_number}
    documents.write_numbers(episode=episode, numbers=numbers, user=user)
    # Writing the numbers may have changed the text: the snapshot takes the rows as they now are.
    for scene in scenes:
        scene.refresh_from_db()


def changed_since(*, revision: ScriptRevision, scenes: list[Scene]) -> bool:
    """Whether the scenes (text, omissions, order) differ from what `revision` issued."""
    issued = {(s.scene_id, s.text, s.omitted, s.position) for s in revision.snapshots.all()}
    return issued != {(s.pk, s.text, s.omitted, s.position) for s in scenes}


@transaction.atomic
def issue_revision(*, episode: Episode, user) -> ScriptRevision:
    """Issue the next colour: scenes added since get their letters for good."""
    episode = Episode.objects.select_for_update().select_related("project").get(pk=episode.pk)
    if not episode.locked_at:
        raise ProductionError(_("Lock the episode before issuing revisions."))
    scenes = list(episode.scenes.all())
    last = episode.revisions.order_by("-index").first()
    if not changed_since(revision=last, scenes=scenes):
        raise ProductionError(
            _("Nothing has changed since the %(colour)s draft; there is no revision to issue.")
            % {"colour": _(last.color).upper()}
        )
    numbers = shooting_numbers(episode=episode, scenes=scenes)
    for scene in scenes:
        scene.locked_number = numbers[scene.pk]
    Scene.objects.bulk_update(scenes, ["locked_number"])
    _write_numbers(episode, [s for s in scenes if not s.omitted], user)
    _announce(episode)
    return _snapshot(episode, user, last.index + 1)
