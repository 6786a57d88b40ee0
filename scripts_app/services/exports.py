"""Exporting a series' script text (Fountain or the Chinese format)."""

from __future__ import annotations

from ..formats import detect
from ..formats.elements import EpisodeText, ScriptDocument
from ..models import Project
from ..script_text import scene_elements
from ..selectors import episodes_with_scenes


def parse_episode_range(value: str) -> tuple[int, int] | None:
    """'1-5' -> (1, 5); '3' -> (3, 3); '' -> None. Raises ValueError on anything else."""
    value = (value or "").strip()
    if not value:
        return None
    first, _, last = value.partition("-")
    lo, hi = int(first), int(last or first)
    if lo < 1 or hi < lo:
        raise ValueError(value)
    return lo, hi


def build_document(*, project: Project, episode_range: tuple[int, int] | None = None) -> ScriptDocument:
    doc = ScriptDocument(title_page=[("Title", project.title)] if project.title else [])
    for episode in episodes_with_scenes(project=project, episode_range=episode_range):
        elements = []
        for scene in episode.scenes.all():
            elements.extend(scene_elements(scene.text, project.script_format))
        doc.episodes.append(EpisodeText(number=episode.number, title=episode.title, elements=elements))
    return doc


def export_text(*, project: Project, fmt: str, episode_range: tuple[int, int] | None = None) -> str:
    return detect.serialise(build_document(project=project, episode_range=episode_range), fmt)
