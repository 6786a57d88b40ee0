"""Importing a script file into a series: all of it or nothing, in time linear in its size.

An import first works out every row it will write (checking episode numbers, each scene against the
scene limit and the whole file against the import limit), then writes them in one transaction with
bulk inserts, computing each episode's runtime once. Files whose script is over IMPORT_INLINE_MAX_BYTES
once unpacked (a Word file is a zip: a small upload can hold megabytes of script) are imported by a
Celery worker (`start_import`), with progress the import page polls; see jobs.py for workers that die
mid-import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import history_notes
from ..collab.live_pages import announce
from ..formats import convert, detect, zh, zh_preamble
from ..formats.elements import Kind, ScriptDocument, speaking_characters
from ..models import Episode, ImportJob, Location, Project, Scene, SceneVersion
from ..script_text import SceneFacts, scene_facts
from . import bible_import, import_report, jobs
from .bible import ensure_characters
from .title_page import TitlePageMerge, fill_from_import

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
_BATCH = 1000
# A Word file stays in the request while all its parts together are within this many times
# IMPORT_INLINE_MAX_BYTES (python-docx's own template unpacks to 0.8 MB of styles).
DOCX_PARTS_ALLOWANCE = 8


class ImportFailed(ValueError):
    """The file can't be imported; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class ImportResult:
    episodes: int
    scenes: int
    characters: int  # added to the bible
    found: int | None = None  # the characters the file names (script and preamble); None: as added
    bible: bible_import.BibleReport | None = None
    converted: tuple[str, str] | None = None  # (the file's format, the series') when it was rewritten
    title_page: TitlePageMerge | None = None  # what the file's title page filled in, and what differed

    def summary(self) -> str:
        """ "imported 2 episodes, 3 scenes, 4 characters" (what was added, and what was found)."""
        return import_report.summary(self)

    def notes(self) -> list[str]:
        """What the import did to the bible, and any conversion, one sentence each."""
        return import_report.notes(self)

    def message(self) -> str:
        return " ".join([self.summary(), *self.notes()])


def failure_message(exc: Exception) -> str:
    """Why nothing was imported, saying "Nothing was imported" once."""
    return import_report.failure(str(exc))


def read_document(
    *, data: bytes, filename: str = "", fmt: str = "auto", progress: Progress | None = None
) -> tuple[ScriptDocument, str]:
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
            doc, fmt = _parse_text(data, name, fmt, progress)
    except detect.ScriptFormatError as exc:
        raise ImportFailed(import_report.unreadable(exc)) from exc
    if not any(ep.elements for ep in doc.episodes):
        raise ImportFailed(_("The file holds no script: no scenes, action or dialogue were found."))
    return doc, fmt


def _parse_text(data: bytes, name: str, fmt: str, progress: Progress | None) -> tuple[ScriptDocument, str]:
    """Text formats, and DOCX read as the text of its paragraphs."""
    if fmt == "docx" or (fmt == "auto" and (name.endswith(".docx") or data[:2] == b"PK")):
        from ..formats import docx

        text, fmt = docx.read_text(data), "auto"
    else:
        text = detect.decode_bytes(data)
    _check_total(len(text))  # before parsing, which costs time in proportion
    if progress:
        progress(10)
    if fmt == "auto":
        fmt = detect.format_from_filename(name) or detect.detect_format(text)
    if fmt not in ("zh", "fountain"):
        raise ImportFailed(_("Unknown script format “%(fmt)s”.") % {"fmt": fmt})
    if fmt == "zh":  # a whole file: the bible before its first episode is read too
        return zh.parse(text, preamble=True), fmt
    return detect.parse(text, fmt), fmt


def _check_total(chars: int) -> None:
    if chars > settings.IMPORT_MAX_CHARS:
        message = ngettext(
            "The file holds %(n)s character of script; one import may hold at most %(max)s.",
            "The file holds %(n)s characters of script; one import may hold at most %(max)s.",
            chars,
        )
        raise ImportFailed(message % {"n": f"{chars:,}", "max": f"{settings.IMPORT_MAX_CHARS:,}"})


def split_scenes(elements: list) -> list[list]:
    """Cut an episode's elements at each scene heading.

    Notes, sections or action before the first heading belong to the first scene
    (a "cold open" section or a synopsis is not a scene of its own)."""
    scenes: list[list] = [[]]
    has_heading = False  # whether the scene being collected has its heading yet
    for el in elements:
        if el.kind == Kind.SCENE_HEADING:
            if has_heading:
                scenes.append([])
            has_heading = True
        scenes[-1].append(el)
    return [chunk for chunk in scenes if chunk]


@dataclass
class _PlannedEpisode:
    number: int
    title: str
    scenes: list[tuple[str, SceneFacts]]


def import_document(
    *, project: Project, doc: ScriptDocument, user, progress: Progress | None = None, source_format: str = ""
) -> ImportResult:
    """Write the document's episodes into the series: every one of them, or (with a message) none.

    `source_format` is the format the file was read as; a file in another format than the series'
    is rewritten in the series' format, and the result says so."""
    if source_format in ("zh", "fountain") and source_format != project.script_format:
        doc = convert.convert(doc, source_format, project.script_format)  # headings in the series' form
    plan = _plan(project, doc, progress)
    if progress:
        progress(85)
    try:
        with transaction.atomic():
            # The preamble's bios first, so a character it describes is created with them.
            bible = bible_import.fill_bible(project=project, doc=doc)
            n_scenes, n_new = _write(project, plan, user)
            numbers = [ep.number for ep in plan]
            bible_import.fill_outline(project=project, doc=doc, numbers=numbers, report=bible)
            # The file's title page fills the series' empty title-page fields (issue 8.7), never
            # overwrites one. The bible preamble rides in title_page too (zh_preamble); it went to the
            # bible above, not to the title page.
            title_page = fill_from_import(
                project=project,
                entries=[
                    (key, value) for key, value in doc.title_page if key not in zh_preamble.PREAMBLE_KEYS
                ],
            )
    except IntegrityError as exc:  # another import or a writer took one of the numbers meanwhile
        raise ImportFailed(
            _("Someone created one of these episode numbers meanwhile; nothing was imported. Try again.")
        ) from exc
    characters = speaking_characters([el for ep in doc.episodes for el in ep.elements])
    found = len(set(characters) | set(bible_import.character_names(doc)))
    announce(project_id=project.pk, topics=["board", "bible"])
    if progress:
        progress(100)
    converted = None
    if source_format in ("zh", "fountain") and source_format != project.script_format:
        converted = (source_format, project.script_format)
    added = n_new + len(bible.added_characters)
    return ImportResult(len(plan), n_scenes, added, found, bible, converted, title_page)


def _plan(project: Project, doc: ScriptDocument, progress: Progress | None) -> list[_PlannedEpisode]:
    """Every episode and scene to write, checked before anything is written."""
    fmt = project.script_format
    taken = set(project.episodes.values_list("number", flat=True))
    in_file: set[int] = set()
    next_number = max(taken, default=0) + 1
    plan: list[_PlannedEpisode] = []
    total = 0
    for index, ep_text in enumerate(doc.episodes):
        number = ep_text.number or next_number
        if not 1 <= number <= settings.EPISODE_NUMBER_MAX:
            raise ImportFailed(_episode_out_of_range(number))
        if number in in_file:
            raise ImportFailed(_("The file has episode %(n)d twice; nothing was imported.") % {"n": number})
        if number in taken:
            raise ImportFailed(
                _("Episode %(n)d already exists in this series; nothing was imported.") % {"n": number}
            )
        in_file.add(number)
        next_number = max(next_number, number + 1)
        scenes = []
        for chunk in split_scenes(ep_text.elements):
            text = detect.serialise_elements(chunk, fmt)
            _check_scene(number, text)
            total += len(text)
            _check_total(total)
            scenes.append((text, scene_facts(text, fmt)))
        plan.append(_PlannedEpisode(number, ep_text.title[:200], scenes))
        pct = 10 + 75 * (index + 1) // len(doc.episodes)
        if progress and pct != 10 + 75 * index // len(doc.episodes):  # at most 75 updates of the job row
            progress(pct)
    return plan


def _check_scene(episode: int, text: str) -> None:
    """The scene limits of a save hold for an import too (a pasted novel is not one scene)."""

    def characters(n: int) -> str:
        return ngettext("%(n)s character", "%(n)s characters", n) % {"n": f"{n:,}"}

    def lines(n: int) -> str:
        return ngettext("%(n)s line", "%(n)s lines", n) % {"n": f"{n:,}"}

    measures = (
        (len(text), settings.SCENE_TEXT_MAX_CHARS, characters),
        (text.count("\n") + 1, settings.SCENE_TEXT_MAX_LINES, lines),
    )
    for count, limit, unit in measures:
        if count > limit:
            message = _("Episode %(e)d has a scene of %(size)s; a scene may hold at most %(max)s.")
            raise ImportFailed(message % {"e": episode, "size": unit(count), "max": unit(limit)})


def _episode_out_of_range(number: int) -> str:
    shown = f"{number:,}" if number < 10**18 else _("a number of more than 18 digits")
    message = _(
        "The file numbers an episode %(n)s; episodes are numbered 1 to %(max)s. Nothing was imported."
    )
    return message % {"n": shown, "max": f"{settings.EPISODE_NUMBER_MAX:,}"}


def _write(project: Project, plan: list[_PlannedEpisode], user) -> tuple[int, int]:
    """Bulk inserts: episodes, the locations and characters the scenes name, scenes, first versions."""
    locations = _locations(project, [facts for ep in plan for _text, facts in ep.scenes])
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                project=project,
                number=ep.number,
                title=ep.title,
                status=Episode.Status.DRAFT,
                runtime_seconds=sum(facts.runtime_seconds for _text, facts in ep.scenes),
            )
            for ep in plan
        ],
        batch_size=_BATCH,
    )
    scenes = [
        Scene(
            episode=episode,
            position=position,
            text=text,
            heading=facts.heading[:300],
            number=facts.parts.number[:20],
            time_of_day=facts.parts.time_of_day[:30],
            int_ext=facts.parts.int_ext[:10],
            location=locations.get(facts.parts.location[:200]),
            runtime_seconds=facts.runtime_seconds,
            updated_by=user,
        )
        for episode, ep in zip(episodes, plan, strict=True)
        for position, (text, facts) in enumerate(ep.scenes, start=1)
    ]
    Scene.objects.bulk_create(scenes, batch_size=_BATCH)
    SceneVersion.objects.bulk_create(
        [
            SceneVersion(scene=s, text=s.text, author=user, note_code=history_notes.CREATED)
            for s in scenes
            if s.text
        ],
        batch_size=_BATCH,
    )
    names = speaking_characters([el for ep in plan for _text, facts in ep.scenes for el in facts.elements])
    return len(scenes), ensure_characters(project=project, names=names)


def _locations(project: Project, facts: list[SceneFacts]) -> dict[str, Location]:
    """The series' locations by name, with the ones these scenes name added (as ensure_location does)."""
    wanted: dict[str, str] = {}
    for f in facts:
        if f.parts.location:
            wanted.setdefault(f.parts.location[:200], f.parts.int_ext)
    existing = {loc.name: loc for loc in Location.objects.filter(project=project, name__in=list(wanted))}
    new = [
        Location(project=project, name=name, int_ext=ie)
        for name, ie in wanted.items()
        if name not in existing
    ]
    if new:
        Location.objects.bulk_create(new, batch_size=_BATCH, ignore_conflicts=True)
        existing = {loc.name: loc for loc in Location.objects.filter(project=project, name__in=list(wanted))}
    return existing


def import_script(
    *,
    project: Project,
    data: bytes,
    user,
    filename: str = "",
    fmt: str = "auto",
    progress: Progress | None = None,
) -> ImportResult:
    doc, read_as = read_document(data=data, filename=filename, fmt=fmt, progress=progress)
    return import_document(project=project, doc=doc, user=user, progress=progress, source_format=read_as)


# ---- large files, in the worker ------------------------------------------------------------------


def runs_in_worker(*, data: bytes) -> bool:
    """Whether an upload is imported by the worker: by what it holds once unpacked, not by the size of
    the upload (a 160 KB Word file held 5.85 million characters and took 15 s inside the request).

    A text or FDX file by its own length: decoded text never has more characters than its file has
    bytes (UTF-8, UTF-16 and GB18030 all take at least one byte a character). A Word file, a zip, by
    its text part once unpacked, and by all its parts (styles, images), which it unpacks too, against a
    larger allowance: an ordinary document's styles alone are several hundred KB."""
    limit = settings.IMPORT_INLINE_MAX_BYTES
    if data[:2] == b"PK":
        from ..formats import docx

        text, total = docx.unpacked_sizes(data)
        return max(len(data), text) > limit or total > DOCX_PARTS_ALLOWANCE * limit
    return len(data) > limit


def start_import(*, project: Project, user, data: bytes, filename: str, fmt: str) -> ImportJob:
    if len(data) > settings.SCRIPT_UPLOAD_MAX_BYTES:
        raise ImportFailed(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": len(data) / 1e6, "limit": settings.SCRIPT_UPLOAD_MAX_BYTES / 1e6}
        )
    job = ImportJob.objects.create(
        project=project, requested_by=user, data=data, filename=filename[:255], format=fmt,
        language=jobs.requester_language(),
    )  # fmt: skip
    transaction.on_commit(lambda: dispatch(job))
    return job


def dispatch(job: ImportJob) -> None:
    from ..tasks import run_import_job  # the task module imports this one

    run_import_job.delay(job.pk, job.attempts)


jobs.register(ImportJob, dispatch)


def run_import(*, job_id: int, generation: int | None = None, redelivered: bool = False) -> None:
    if not jobs.claim(ImportJob, job_id, generation=generation, redelivered=redelivered):
        return
    job = ImportJob.objects.select_related("project", "requested_by").get(pk=job_id)
    with jobs.in_language(job.language):  # what it says, in the requester's language
        _run(job)


def _run(job: ImportJob) -> None:
    try:
        with jobs.heartbeat(ImportJob, job.pk):
            result = import_script(
                project=job.project, data=bytes(job.data or b""), user=job.requested_by,
                filename=job.filename, fmt=job.format,
                progress=lambda p: jobs.set_progress(ImportJob, job.pk, min(p, 99)),
            )  # fmt: skip
    except ImportFailed as exc:
        _finish_failed(job, failure_message(exc))
        return
    except SoftTimeLimitExceeded:
        _finish_failed(job, _("The import took too long and was stopped; nothing was imported."))
        return
    except Exception:  # the job must end in a state the browser can show, whatever went wrong
        log.exception("import job %s failed", job.pk)
        _finish_failed(job, _("The import failed unexpectedly; nothing was imported."))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, progress=100, message=result.message(), data=None,
        finished_at=timezone.now(),
    )  # fmt: skip


def _finish_failed(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(data=None)
    jobs.fail(ImportJob, job.pk, message)
