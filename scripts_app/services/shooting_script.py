"""Assembling a shooting script from the database: locked numbers, asterisks, colours.

The element list, pagination and rendering are pure (formats/, layout/, render/);
this module only decides which text, which numbers and which marks go in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from ..collab import linediff
from ..formats.elements import Element, EpisodeText, Kind, ScriptDocument, has_implicit_episode
from ..formats.fountain import _title_from_title_page
from ..layout import ElementMeta, PaginatedScript, Revision, ShootingScriptOptions, paginate
from ..models import Episode, Project, ScriptRevision
from ..render import RenderOptions, render_pdf
from ..script_text import scene_elements
from ..selectors import episodes_for_print, shooting_numbers
from .production import changed_since
from .title_page import printed_title_page, title_page_entries

WORKING_DRAFT = "current"  # the text as it is now; asterisks against the latest issued revision
LATEST_ISSUED = "issued"  # each episode as last issued; asterisks against the revision before it


class NothingToPrint(ValueError):
    """The request selects nothing to print; the message says why."""


class RevisionNotIssued(ValueError):
    """A print asked for a revision index that an episode in it has not issued."""


@dataclass(frozen=True)
class PrintRequest:
    episode_range: tuple[int, int] | None = None
    profile: str = ""  # "" -> the series' default (zh for Chinese series, letter otherwise)
    revision: str = WORKING_DRAFT  # or LATEST_ISSUED, or an issued revision's index (single episode)
    watermark: str = ""
    revised_only: bool = False
    provenance: bool = False
    title_page: bool = True  # the series' title page first, when it has one
    unwritten_note: bool = False  # an episode with no text prints a line saying so (else nothing)


@dataclass
class _Scene:
    """One scene as it will print."""

    number: str
    text: str
    omitted: bool
    baseline: str | None  # text at the revision the asterisks compare against; None: all new


@dataclass
class PrintedEpisode:
    episode: Episode
    elements: list[Element]
    meta: list[ElementMeta]
    revision: ScriptRevision | None  # the colour this print carries, if any
    # A working draft whose text differs from the latest issued revision (unissued changes).
    changed: bool = False


def default_profile(project: Project) -> str:
    return "zh" if project.script_format == "zh" else "letter"


def layout_options(*, project: Project, doc: ScriptDocument, profile: str = "") -> ShootingScriptOptions:
    """The options that decide where lines and pages fall, as the PDF of `doc` uses them: the
    page counts on the board ask here too, so they count the pages the PDF prints."""
    return ShootingScriptOptions(
        profile=profile or default_profile(project),
        fountain_markup=project.script_format == "fountain",
        # A one-episode script titled as its title page (a feature, a pilot) is just a script: no
        # "EPISODE 1: TITLE" line that the same file printed from Final Draft would not have.
        episode_titles=not has_implicit_episode(doc, _title_from_title_page(title_page_entries(project))),
        omitted_text=omitted_word(profile or default_profile(project)),
    )


def omitted_word(profile: str) -> str:
    """What a deleted scene of a locked episode prints after its number: "OMITTED" on Letter and A4,
    the Chinese word in the Chinese layout (whoever prints), as the episode page names it in Chinese."""
    if profile != "zh":
        return "OMITTED"
    with translation.override("zh-hans"):
        # Translators: printed after a deleted scene's number in a Chinese shooting script ("1-2 已删除").
        return pgettext("printed shooting script", "OMITTED")


def scenes_to_print(*, episode: Episode, mode: str) -> tuple[list[_Scene], ScriptRevision | None]:
    """The scenes to print and the revision whose colour the print carries. Every export format asks
    here, so "latest issued" means the same text in a PDF, an FDX and a Fountain file."""
    revisions = list(episode.revisions.all())  # prefetched with snapshots, by index
    if mode not in (WORKING_DRAFT, LATEST_ISSUED):
        wanted = [r for r in revisions if str(r.index) == mode]
        if not wanted:
            raise RevisionNotIssued(
                _("Episode %(n)d has no issued revision %(i)s.") % {"n": episode.number, "i": mode}
            )
        revisions = revisions[: revisions.index(wanted[0]) + 1]
        mode = LATEST_ISSUED
    if mode == LATEST_ISSUED and not revisions:
        # Printing the working draft under "latest issued" would pass unissued text off as issued.
        raise RevisionNotIssued(
            _(
                "Episode %(n)d is not locked, so it has no issued revision yet; "
                "print its working draft instead."
            )
            % {"n": episode.number}
        )
    if mode == LATEST_ISSUED:
        issued = revisions[-1]
        before = revisions[-2] if len(revisions) > 1 else None
        base = {s.scene_id: s.text for s in before.snapshots.all()} if before else {}
        scenes = [
            _Scene(s.locked_number, s.text, s.omitted, base.get(s.scene_id) if before else s.text)
            for s in issued.snapshots.all()
        ]
        return scenes, issued if issued.index > 0 else None
    live = list(episode.scenes.all())
    numbers = shooting_numbers(episode=episode, scenes=live)
    latest = revisions[-1] if revisions else None
    base = {s.scene_id: s.text for s in latest.snapshots.all()} if latest else {}
    scenes = [_Scene(numbers[s.pk], s.text, s.omitted, base.get(s.pk) if latest else s.text) for s in live]
    # A working draft after a lock is the next colour in preparation.
    return scenes, latest


def _marked_elements(scene: _Scene, fmt: str) -> tuple[list[Element], list[ElementMeta]]:
    if scene.omitted:
        return [Element(Kind.SCENE_HEADING, "", scene_number=scene.number)], [ElementMeta(omitted=True)]
    elements = [
        replace(el, scene_number=scene.number) if el.kind == Kind.SCENE_HEADING else el
        for el in scene_elements(scene.text, fmt)
    ]
    revised = [False] * len(elements)
    if scene.baseline is None:
        revised = [True] * len(elements)  # a new scene: its heading is new too
    elif scene.baseline != scene.text:
        old = [
            replace(el, scene_number=scene.number) if el.kind == Kind.SCENE_HEADING else el
            for el in scene_elements(scene.baseline, fmt)
        ]
        # linediff's bounded diff (difflib is cubic on repeated elements, such as a scene of "△" lines).
        for tag, _i1, _i2, j1, j2 in linediff.opcodes(old, elements):
            if tag in ("replace", "insert"):
                revised[j1:j2] = [True] * (j2 - j1)
    # Fountain's emphasis and [[notes]] stay in the elements: the layout prints them styled / not at all.
    return elements, [ElementMeta(revised=r) for r in revised]


def printed_episodes(*, project: Project, request: PrintRequest) -> list[PrintedEpisode]:
    out = []
    for episode in episodes_for_print(project=project, episode_range=request.episode_range):
        scenes, revision = scenes_to_print(episode=episode, mode=request.revision)
        elements: list[Element] = []
        meta: list[ElementMeta] = []
        for scene in scenes:
            els, marks = _marked_elements(scene, project.script_format)
            elements += els
            meta += marks
        if request.provenance:  # review copy: AI / AI-edited lines from the text's own record
            from ..ai.provenance import mark_elements

            meta = mark_elements(episode=episode, elements=elements, meta=meta)
        changed = (
            request.revision == WORKING_DRAFT
            and revision is not None
            and changed_since(revision=revision, scenes=list(episode.scenes.all()))
        )
        out.append(PrintedEpisode(episode, elements, meta, revision, changed))
    return out


# The industry order's colour names: one translation (the .po's) for the UI and the printed label.
COLOUR_NAMES = {
    "white": gettext_noop("white"),
    "blue": gettext_noop("blue"),
    "pink": gettext_noop("pink"),
    "yellow": gettext_noop("yellow"),
    "green": gettext_noop("green"),
    "goldenrod": gettext_noop("goldenrod"),
    "buff": gettext_noop("buff"),
    "salmon": gettext_noop("salmon"),
    "cherry": gettext_noop("cherry"),
}


def zh_colour_name(colour: str) -> str:
    """A revision colour as a Chinese production office names it (蓝色, 金黄色...), whoever prints."""
    with translation.override("zh-hans"):
        return _(COLOUR_NAMES.get(colour, colour))


def _revision_header(printed: list[PrintedEpisode], mode: str, *, zh: bool = False) -> Revision | None:
    """One colour for the whole print when every episode in it shares one."""
    colours = {(p.revision.index, p.revision.color) if p.revision else None for p in printed}
    if len(colours) != 1 or None in colours:
        return None
    revision = printed[0].revision
    colour = revision.color
    if mode == WORKING_DRAFT and revision.index == 0:
        return None
    if mode == WORKING_DRAFT and any(p.changed for p in printed):
        # Unissued changes on top of the latest issued draft: say so rather than pass as issued.
        date = timezone.localdate().isoformat()
        if zh:
            return Revision(colour, date, label=f"{zh_colour_name(colour)}修订稿 + 未发布修改 - {date}")
        return Revision(colour, date, label=f"{colour.upper()} REVISION + CHANGES - {date}")
    # As issued (a working draft with nothing changed since prints exactly as the issued one).
    date = timezone.localtime(revision.issued_at).date().isoformat()
    return Revision(colour, date, label=f"{zh_colour_name(colour)}修订稿 - {date}" if zh else "")


def _unwritten(episode: Episode, *, zh: bool) -> Element:
    if zh:
        return Element(Kind.CENTERED, f"（第{episode.number}集尚未撰写）")
    return Element(Kind.CENTERED, f"(Episode {episode.number} is not written yet.)")


def build_pdf(
    *, project: Project, request: PrintRequest, progress: Callable[[int], None] | None = None
) -> tuple[bytes, PaginatedScript]:
    """The shooting script as PDF bytes; `progress` hears 0-100 as the work goes on."""
    report = progress or (lambda _pct: None)
    printed = printed_episodes(project=project, request=request)
    report(40)
    profile = request.profile or default_profile(project)
    zh = profile == "zh"
    written = [p for p in printed if p.elements]
    if request.unwritten_note:
        for p in printed:
            if not p.elements:
                p.elements, p.meta = [_unwritten(p.episode, zh=zh)], [ElementMeta()]
        written = printed
    if not written:
        raise NothingToPrint(
            _("Nothing is written in these episodes yet, so there is nothing to print.")
            if len(printed) > 1
            else _("Nothing is written in this episode yet, so there is nothing to print.")
        )
    doc = ScriptDocument(
        title_page=printed_title_page(project) if request.title_page else [],
        episodes=[EpisodeText(p.episode.number, p.episode.title, p.elements) for p in written],
    )
    meta = [m for p in written for m in p.meta]
    today = timezone.localdate().isoformat()
    options = replace(
        layout_options(project=project, doc=doc, profile=profile),
        revised=frozenset(i for i, m in enumerate(meta) if m.revised),
        header=f"{project.title} · {'第{episode}集' if zh else 'EP {episode}'} · {today}",
        revision=_revision_header(written, request.revision, zh=zh),
        show_provenance=request.provenance,
    )
    script = paginate(doc, options, meta)
    report(70)
    if request.revised_only:
        pages = [page for page in script.pages if page.revised]
        if not pages:
            raise NothingToPrint(_("No page has revised lines, so there is nothing to print."))
        script = PaginatedScript(script.profile, pages)
    pdf = render_pdf(script, RenderOptions(watermark=request.watermark, title=project.title))
    report(100)
    return pdf, script
