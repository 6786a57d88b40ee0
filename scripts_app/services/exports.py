"""Exporting a series: text formats here, the shooting-script PDF via shooting_script.py.

`export_file` is the one entry point for the browser, the command line and the
Celery task, so all three give the same bytes for the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..formats import detect
from ..formats.elements import EpisodeText, Kind, ScriptDocument
from ..models import Project, Scene
from ..script_text import HEADING_PARSERS, scene_elements
from ..selectors import episodes_for_print, shooting_numbers
from .shooting_script import (
    WORKING_DRAFT,
    NothingToPrint,
    PrintRequest,
    build_pdf,
    printed_episodes,
    scenes_to_print,
)
from .title_page import title_page_entries

FORMATS = {
    # name: (file extension, content type)
    "pdf": ("pdf", "application/pdf"),
    "fountain": ("fountain", "text/plain; charset=utf-8"),
    "zh": ("txt", "text/plain; charset=utf-8"),
    "fdx": ("fdx", "application/xml"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "shotlist": ("csv", "text/csv; charset=utf-8"),
    "shotlist-pdf": ("pdf", "application/pdf"),
}


@dataclass(frozen=True)
class ExportedFile:
    data: bytes
    filename: str
    content_type: str


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


def fits_in_request(*, project: Project, episode_range: tuple[int, int] | None) -> bool:
    """Whether the export is small enough to build inside a web request (EXPORT_INLINE_MAX_CHARS)."""
    scenes = Scene.objects.filter(episode__project=project, omitted=False)
    if episode_range:
        scenes = scenes.filter(episode__number__gte=episode_range[0], episode__number__lte=episode_range[1])
    chars = scenes.aggregate(n=Sum(Length("text")))["n"] or 0
    return chars <= settings.EXPORT_INLINE_MAX_CHARS


def build_document(
    *, project: Project, episode_range: tuple[int, int] | None = None, revision: str = WORKING_DRAFT
) -> ScriptDocument:
    """The series as one document under its title page: each scene's text as the writers wrote it, or
    as it was issued when `revision` asks for an issued draft (refused, as the PDF refuses it, for an
    episode that has none)."""
    title_page = title_page_entries(project) or ([("Title", project.title)] if project.title else [])
    doc = ScriptDocument(title_page=title_page)
    for episode in episodes_for_print(project=project, episode_range=episode_range):
        if revision == WORKING_DRAFT:
            live = list(episode.scenes.all())
            # A locked episode travels with its production numbers (12A...), as every printed copy does.
            numbers = shooting_numbers(episode=episode, scenes=live) if episode.locked_at else {}
            scenes = [(numbers.get(s.pk, ""), s.text, s.omitted) for s in live]
        else:
            printed, _revision = scenes_to_print(episode=episode, mode=revision)
            scenes = [(s.number, s.text, s.omitted) for s in printed]
        elements = []
        for number, text, omitted in scenes:
            if omitted:
                continue
            for el in scene_elements(text, project.script_format):
                if el.kind == Kind.SCENE_HEADING and number:
                    el = replace(el, scene_number=number)
                elements.append(el)
        doc.episodes.append(EpisodeText(number=episode.number, title=episode.title, elements=elements))
    return doc


def export_text(
    *, project: Project, fmt: str, episode_range: tuple[int, int] | None = None, revision: str = WORKING_DRAFT
) -> str:
    doc = build_document(project=project, episode_range=episode_range, revision=revision)
    if fmt == "zh":
        # The Chinese format keeps a title page entry on one line (剧名：… 编剧：林墨、周舟).
        pairs = doc.title_page
        doc.title_page = [(key, "、".join(filter(None, map(str.strip, v.split("\n"))))) for key, v in pairs]
    if fmt == "zh":  # the bible before 第1集 (大纲, 人物小传), as Chinese scripts carry it
        from .bible_import import preamble_pairs

        doc.title_page += preamble_pairs(project=project, episode_range=episode_range)
    return detect.serialise(doc, fmt)


def _shot_lists(project: Project, request: PrintRequest) -> list:
    from ..formats import shotlist

    characters = {c.name: c.look for c in project.characters.all() if c.look}
    locations = {loc.name: " ".join(filter(None, [loc.look, loc.props])) for loc in project.locations.all()}
    shots = []
    for printed in printed_episodes(project=project, request=request):
        episode = EpisodeText(printed.episode.number, printed.episode.title, printed.elements)
        shots += shotlist.build_shots(
            episode, character_anchors=characters, location_anchors=locations,
            heading_parts=HEADING_PARSERS[project.script_format],
        )  # fmt: skip
    return shots


def export_file(
    *, project: Project, fmt: str, request: PrintRequest, progress: Callable[[int], None] | None = None
) -> ExportedFile:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    extension, content_type = FORMATS[fmt]
    lo_hi = request.episode_range
    episodes = project.episodes.all()
    if lo_hi:
        episodes = episodes.filter(number__gte=lo_hi[0], number__lte=lo_hi[1])
    if not episodes.exists():
        raise NothingToPrint(_("No episode of this series is in that range, so there is nothing to export."))
    suffix = "" if not lo_hi else (f"-ep{lo_hi[0]}" if lo_hi[0] == lo_hi[1] else f"-ep{lo_hi[0]}-{lo_hi[1]}")
    name = f"{slugify(project.slug) or 'series'}{suffix}"
    if fmt == "pdf":
        data, _script = build_pdf(project=project, request=request, progress=progress)
    elif fmt in ("fountain", "zh"):
        data = export_text(project=project, fmt=fmt, episode_range=lo_hi, revision=request.revision).encode(
            "utf-8"
        )
    elif fmt == "fdx":
        from ..formats import fdx

        doc = build_document(project=project, episode_range=lo_hi, revision=request.revision)
        # One episode is just a script to Final Draft: no "New Act: Episode 1" it never had.
        data = fdx.serialise(doc, episode_acts=len(doc.episodes) > 1).encode("utf-8")
    elif fmt == "docx":
        from ..formats import docx

        doc = build_document(project=project, episode_range=lo_hi, revision=request.revision)
        data = docx.write_zh(doc, title=project.title)
    else:
        from ..formats import shotlist

        shots = _shot_lists(project, request)
        if fmt == "shotlist":
            data = shotlist.to_csv(shots, lang="zh" if project.language == "zh" else "en").encode("utf-8")
        else:
            from ..render import shotlist as shotlist_pdf

            data = shotlist_pdf.render_pdf(
                shots, title=project.title, lang="zh" if project.language == "zh" else "en"
            )
        name += "-shots"
    if progress:
        progress(100)
    return ExportedFile(data, f"{name}.{extension}", content_type)
