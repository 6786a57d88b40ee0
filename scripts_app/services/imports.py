"""Importing a script file into a series: all of it or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ..formats import detect
from ..formats.elements import Kind, ScriptDocument, speaking_characters
from ..models import Project
from .episodes import create_episode
from .scenes import create_scene


class ImportFailed(ValueError):
    """The file can't be imported; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class ImportResult:
    episodes: int
    scenes: int
    characters: int

    def summary(self) -> str:
        return f"imported {self.episodes} episodes, {self.scenes} scenes, {self.characters} characters"


def read_document(*, data: bytes, filename: str = "", fmt: str = "auto") -> tuple[ScriptDocument, str]:
    """Decode and parse a file; returns the document and the format it was read as."""
    limit = settings.SCRIPT_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportFailed(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": len(data) / 1e6, "limit": limit / 1e6}
        )
    name = filename.lower()
    try:
        if fmt == "fdx" or (fmt == "auto" and (name.endswith(".fdx") or b"<FinalDraft" in data[:2000])):
            from ..formats import fdx

            doc, fmt = fdx.parse(data), "fountain"
        else:
            doc, fmt = _parse_text(data, name, fmt)
    except detect.ScriptFormatError as exc:
        raise ImportFailed(str(exc)) from exc
    if not any(ep.elements for ep in doc.episodes):
        raise ImportFailed(_("The file holds no script: no scenes, action or dialogue were found."))
    return doc, fmt


def _parse_text(data: bytes, name: str, fmt: str) -> tuple[ScriptDocument, str]:
    """Text formats, and DOCX read as the text of its paragraphs."""
    if fmt == "docx" or (fmt == "auto" and (name.endswith(".docx") or data[:2] == b"PK")):
        from ..formats import docx

        text, fmt = docx.read_text(data), "auto"
    else:
        text = detect.decode_bytes(data)
    if fmt == "auto":
        fmt = detect.detect_format(text)
    if fmt not in ("zh", "fountain"):
        raise ImportFailed(_("Unknown script format “%(fmt)s”.") % {"fmt": fmt})
    return detect.parse(text, fmt), fmt


def split_scenes(elements: list) -> list[list]:
    """Cut an episode's elements at each scene heading.

    Notes, sections or action before the first heading belong to the first scene
    (a "cold open" section or a synopsis is not a scene of its own)."""
    scenes: list[list] = [[]]
    for el in elements:
        if el.kind == Kind.SCENE_HEADING and any(e.kind == Kind.SCENE_HEADING for e in scenes[-1]):
            scenes.append([])
        scenes[-1].append(el)
    return [chunk for chunk in scenes if chunk]


@transaction.atomic
def import_document(*, project: Project, doc: ScriptDocument, user) -> ImportResult:
    fmt = project.script_format
    taken = set(project.episodes.values_list("number", flat=True))
    next_number = max(taken, default=0) + 1
    n_scenes = 0
    for ep_text in doc.episodes:
        number = ep_text.number or next_number
        if number in taken:
            raise ImportFailed(
                _("Episode %(n)d already exists in this series; nothing was imported.") % {"n": number}
            )
        taken.add(number)
        next_number = max(taken) + 1
        episode = create_episode(project=project, number=number, title=ep_text.title[:200], status="draft")
        for chunk in split_scenes(ep_text.elements):
            text = detect.serialise_elements(chunk, fmt)
            create_scene(episode=episode, user=user, text=text)
            n_scenes += 1
    # create_scene already added them to the bible; the count is of the characters the file names.
    characters = speaking_characters([el for ep in doc.episodes for el in ep.elements])
    return ImportResult(len(doc.episodes), n_scenes, len(characters))


def import_script(
    *, project: Project, data: bytes, user, filename: str = "", fmt: str = "auto"
) -> ImportResult:
    doc, _fmt = read_document(data=data, filename=filename, fmt=fmt)
    return import_document(project=project, doc=doc, user=user)
