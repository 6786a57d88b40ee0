"""Episodes and their beats."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..collab.live_pages import announce
from ..models import Beat, Episode, Project, Scene
from .projects import set_paywall


class EpisodeNumberError(ValueError):
    """An episode number the series cannot take; the message says why and is shown to the user."""


class EpisodeExists(EpisodeNumberError):
    def __init__(self, number: int):
        super().__init__(_("This series already has an episode %(n)d.") % {"n": number})
        self.number = number


def check_episode_number(number: int) -> None:
    if not 1 <= number <= settings.EPISODE_NUMBER_MAX:
        raise EpisodeNumberError(
            _("Episode numbers run from 1 to %(max)d.") % {"max": settings.EPISODE_NUMBER_MAX}
        )


def next_episode_number(*, project: Project) -> int:
    return (project.episodes.aggregate(m=Max("number"))["m"] or 0) + 1


@transaction.atomic
def create_episode(
    *, project: Project, number: int | None = None, is_paywall: bool = False, **fields
) -> Episode:
    number = number or next_episode_number(project=project)
    check_episode_number(number)
    if project.episodes.filter(number=number).exists():
        raise EpisodeExists(number)
    try:
        with transaction.atomic():  # a savepoint: the race below leaves the caller's transaction usable
            episode = Episode.objects.create(project=project, number=number, **fields)
    except IntegrityError:
        raise EpisodeExists(number) from None  # created by someone else since the check above
    if is_paywall:
        set_paywall(project=project, episode_number=number, on=True)
    announce(project_id=project.pk, topics=["board"], episode=number)
    return episode


@transaction.atomic
def update_episode(*, episode: Episode, is_paywall: bool | None = None, **fields) -> Episode:
    """Change an episode's outline fields (number, title, summary, hook, cliffhanger, status).

    The caller's instance may be stale (loaded before a showrunner locked the episode), so the row is
    locked and read again before anything is decided: a locked episode keeps its number and its
    "locked" status (locking is production.py's, which fixes the scene numbers with it), and only the
    fields given are written, never locked_at. The caller's instance is brought up to date."""
    current = Episode.objects.select_for_update().select_related("project").get(pk=episode.pk)
    fields = dict(fields)
    if current.locked_at or fields.get("status") == Episode.Status.LOCKED:
        fields.pop("status", None)  # neither unlocked nor locked from here
    old_number = current.number
    if "number" in fields and fields["number"] != old_number:
        if current.locked_at:
            # Printed scene numbers (1-3, 12A) and issued revisions carry the episode's number.
            raise EpisodeNumberError(_("A locked episode keeps its number."))
        check_episode_number(fields["number"])
        if Episode.objects.filter(project_id=current.project_id, number=fields["number"]).exists():
            raise EpisodeExists(fields["number"])
    for name, value in fields.items():
        setattr(current, name, value)
    try:
        with transaction.atomic():
            current.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        raise EpisodeExists(current.number) from None
    if current.number != old_number and old_number in (current.project.paywall_episodes or []):
        # The paywall belongs to the episode, not to the number it used to have.
        set_paywall(project=current.project, episode_number=old_number, on=False)
        if is_paywall is None:
            is_paywall = True
    if is_paywall is not None:
        set_paywall(project=current.project, episode_number=current.number, on=is_paywall)
    for name in (*fields, "status", "locked_at", "updated_at"):
        setattr(episode, name, getattr(current, name))
    announce(project_id=current.project_id, topics=["board", "episode"], episode=current.number)
    return current


def add_beat(*, episode: Episode, user, text: str, scene: Scene | None = None, **fields) -> Beat:
    position = (episode.beats.aggregate(m=Max("position"))["m"] or 0) + 1
    beat = Beat.objects.create(
        episode=episode, scene=scene, position=position, text=text, author=user, **fields
    )
    announce(project_id=episode.project_id, topics=["beats"], episode=episode.number)
    return beat


def update_beat(*, beat: Beat, **fields) -> Beat:
    for name, value in fields.items():
        setattr(beat, name, value)
    beat.save()
    announce(project_id=beat.episode.project_id, topics=["beats"], episode=beat.episode.number)
    return beat


class EpisodeLocked(ValueError):
    """A locked episode has issued drafts that name it; it is not deleted."""


@transaction.atomic
def delete_episode(*, episode: Episode) -> int:
    """Delete an unlocked episode with its scenes, their history, beats and comments; return its number.

    A locked one is refused: its issued revisions went out with its number on them."""
    episode = Episode.objects.select_for_update().select_related("project").get(pk=episode.pk)
    if episode.locked_at:
        raise EpisodeLocked(_("A locked episode cannot be deleted: its issued drafts carry its number."))
    number, project = episode.number, episode.project
    if number in (project.paywall_episodes or []):
        set_paywall(project=project, episode_number=number, on=False)
    episode.delete()
    announce(project_id=project.pk, topics=["board", "episode"], episode=number)
    return number


class BeatTextMissing(ValueError):
    """A beat of only spaces would show as nothing; the message says so instead of dropping it."""


def clean_beat_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise BeatTextMissing(_("A beat needs some words; only spaces were typed, so nothing was saved."))
    return text
