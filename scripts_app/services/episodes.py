"""Episodes and their beats."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from ..models import Beat, Episode, Project, Scene
from .projects import set_paywall


class EpisodeExists(ValueError):
    pass


def next_episode_number(*, project: Project) -> int:
    return (project.episodes.aggregate(m=Max("number"))["m"] or 0) + 1


@transaction.atomic
def create_episode(
    *, project: Project, number: int | None = None, is_paywall: bool = False, **fields
) -> Episode:
    number = number or next_episode_number(project=project)
    if project.episodes.filter(number=number).exists():
        raise EpisodeExists(number)
    episode = Episode.objects.create(project=project, number=number, **fields)
    if is_paywall:
        set_paywall(project=project, episode_number=number, on=True)
    return episode


@transaction.atomic
def update_episode(*, episode: Episode, is_paywall: bool | None = None, **fields) -> Episode:
    old_number = episode.number
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.save()
    if episode.number != old_number and old_number in (episode.project.paywall_episodes or []):
        # The paywall belongs to the episode, not to the number it used to have.
        set_paywall(project=episode.project, episode_number=old_number, on=False)
        if is_paywall is None:
            is_paywall = True
    if is_paywall is not None:
        set_paywall(project=episode.project, episode_number=episode.number, on=is_paywall)
    return episode


def add_beat(*, episode: Episode, user, text: str, scene: Scene | None = None, **fields) -> Beat:
    position = (episode.beats.aggregate(m=Max("position"))["m"] or 0) + 1
    return Beat.objects.create(
        episode=episode, scene=scene, position=position, text=text, author=user, **fields
    )


def update_beat(*, beat: Beat, **fields) -> Beat:
    for name, value in fields.items():
        setattr(beat, name, value)
    beat.save()
    return beat
