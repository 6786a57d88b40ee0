"""Find and replace across a series.

Finding reads each episode's text as it is now (the shared document, else the Scene rows).
Replacing goes through the one door for text (collab.documents.change_text), once per episode:
open editors receive the change as ordinary edits, and every touched scene gets one new version
in its history, credited to the person who replaced.

The pattern is the query escaped (never a user regex), so matching is linear in the text.
"Whole words" keeps a match from being part of a longer Latin word or number ("Lin" is not found
in "Linda"); Chinese has no spaces between words, so a Chinese edge of the query is never held to
a word boundary (林晚 is found in 林晚说).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import history_notes
from ..collab import documents, episode_text
from ..history_notes import HistoryNote
from ..models import Episode, Project

MAX_QUERY = 200
MAX_HITS = 500
CONTEXT = 30  # characters of the line shown either side of a hit

# A word character that is not CJK: what a whole-word match may not touch.
_LATIN_WORD = r"[^\W\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"


class FindError(ValueError):
    """A query or replacement that cannot be used; the message is for the user."""


class StaleHit(FindError):
    """The text at a hit changed since it was found."""


@dataclass(frozen=True)
class Hit:
    episode: int  # the episode's number
    start: int  # character offsets in the episode's text
    end: int
    line: int  # 1-based line in the episode's text
    scene: str  # the heading of the scene the hit is in ("" before any heading)
    before: str  # the line's text around the hit, for the preview
    match: str
    after: str


def pattern(*, query: str, whole_words: bool = False, case_sensitive: bool = False) -> re.Pattern:
    query = query or ""
    if not query.strip():
        raise FindError(_("Type what to find."))
    if len(query) > MAX_QUERY:
        raise FindError(_("Search for at most %(n)d characters.") % {"n": MAX_QUERY})
    if "\n" in query or "\r" in query:
        raise FindError(_("Search within one line: the text to find cannot hold a line break."))
    body = re.escape(query)
    if whole_words:
        if re.match(_LATIN_WORD, query[0]):
            body = rf"(?<!{_LATIN_WORD})" + body
        if re.match(_LATIN_WORD, query[-1]):
            body = body + rf"(?!{_LATIN_WORD})"
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE)


def _check_replacement(replacement: str) -> str:
    replacement = replacement or ""
    if len(replacement) > MAX_QUERY:
        raise FindError(_("Replace with at most %(n)d characters.") % {"n": MAX_QUERY})
    if "\n" in replacement or "\r" in replacement:
        raise FindError(_("The replacement cannot hold a line break."))
    return replacement


def _hits_in(text: str, episode: Episode, regex: re.Pattern, limit: int) -> list[Hit]:
    fmt = episode.project.script_format
    chunks = episode_text.split(text, fmt)
    headings = [
        (c.start, text[c.start : c.end].split("\n", 1)[0].strip() if c.has_heading else "") for c in chunks
    ]
    hits: list[Hit] = []
    line_no, line_start, scan = 1, 0, 0
    h = 0
    for m in regex.finditer(text):
        if len(hits) >= limit:
            break
        # Lines and scenes are counted forward only: linear in the text.
        while True:
            nl = text.find("\n", scan, m.start())
            if nl < 0:
                break
            line_no += 1
            line_start = scan = nl + 1
        scan = max(scan, m.start())
        while h + 1 < len(headings) and headings[h + 1][0] <= m.start():
            h += 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        before = text[max(line_start, m.start() - CONTEXT) : m.start()]
        after = text[m.end() : min(line_end, m.end() + CONTEXT)]
        if m.start() - CONTEXT > line_start:
            before = "…" + before
        if m.end() + CONTEXT < line_end:
            after += "…"
        scene = headings[h][1] if headings else ""
        hits.append(Hit(episode.number, m.start(), m.end(), line_no, scene, before, m.group(0), after))
    return hits


def find_in_series(
    *, project: Project, query: str, whole_words: bool = False, case_sensitive: bool = False
) -> tuple[list[Hit], bool]:
    """Every hit in the series, in episode order; and whether there were more than MAX_HITS."""
    regex = pattern(query=query, whole_words=whole_words, case_sensitive=case_sensitive)
    hits: list[Hit] = []
    for episode in project.episodes.order_by("number").select_related("project"):
        text = documents.episode_text_now(episode=episode)
        hits += _hits_in(text, episode, regex, MAX_HITS + 1 - len(hits))
        if len(hits) > MAX_HITS:
            return hits[:MAX_HITS], True
    return hits, False


def _note(query: str, replacement: str) -> HistoryNote:
    return history_notes.replaced(old=query, new=replacement)


def replace_one(
    *,
    project: Project,
    episode_number: int,
    start: int,
    query: str,
    replacement: str,
    user,
    whole_words: bool = False,
    case_sensitive: bool = False,
) -> None:
    """Replace the hit found at `start` of the episode, if it is still there (else StaleHit)."""
    regex = pattern(query=query, whole_words=whole_words, case_sensitive=case_sensitive)
    replacement = _check_replacement(replacement)
    episode = Episode.objects.select_related("project").filter(project=project, number=episode_number).first()
    if episode is None:
        raise StaleHit(_("That episode is gone."))

    def change(old: str) -> str:
        m = regex.match(old, start) if 0 <= start <= len(old) else None
        if m is None:
            raise StaleHit(_("The text changed since you searched; search again."))
        return old[: m.start()] + replacement + old[m.end() :]

    documents.change_text(episode=episode, change=change, user=user, note=_note(query, replacement))


def replace_all(
    *,
    project: Project,
    query: str,
    replacement: str,
    user,
    whole_words: bool = False,
    case_sensitive: bool = False,
) -> tuple[int, int]:
    """Replace every hit in the series; returns (hits replaced, episodes changed).

    Each episode is one change through the door, so each touched scene gets one version."""
    regex = pattern(query=query, whole_words=whole_words, case_sensitive=case_sensitive)
    replacement = _check_replacement(replacement)
    total = episodes = 0
    for episode in project.episodes.order_by("number").select_related("project"):
        if not regex.search(documents.episode_text_now(episode=episode)):
            continue
        count = 0

        def change(old: str) -> str:
            nonlocal count
            new, count = regex.subn(lambda _m: replacement, old)
            return new

        documents.change_text(episode=episode, change=change, user=user, note=_note(query, replacement))
        if count:
            total += count
            episodes += 1
    return total, episodes
