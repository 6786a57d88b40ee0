"""Provenance: where each character of the script comes from, kept as Yjs text attributes.

The episode's shared text (collab/) carries, on every character a model wrote, the attribute
{"ai": "<suggestion id>"}; when a person then types inside such a range, their characters carry
{"ai": "<id>", "edited": 1}. A character without "ai" is a person's. Attributes are CRDT formatting,
so they follow their characters through concurrent edits, moves of surrounding text and reconnects.

Written in two places: the server, when an accepted proposal's text goes through the one door for
text changes (`insert_attrs`, used by collab/documents.py), and the browser's editor for what a
person types (frontend/src/provenance.js). Read here for the editor's shares, the episode page, the
series' AI page and the review copy's margin marks.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from django.core.cache import cache

from ..collab import store
from ..models import Episode, EpisodeDocument, Project

PERSON_ATTRS = {"ai": None, "edited": None}  # set explicitly: Yjs copies the attributes on the left
HUMAN, AI, AI_EDITED = "human", "ai", "ai_edited"


def insert_attrs(*, text, old: str, edits: list, attrs: dict | None) -> list[dict]:
    """The attributes of each edit's inserted text: `attrs` for an accepted proposal ({"ai": id});
    for a person's change, "edited" when it lands strictly inside one AI range, else a person's."""
    if attrs:
        return [{**PERSON_ATTRS, **attrs}] * len(edits)
    owner: list[str | None] = [None] * (len(old) + 1)  # AI suggestion id of each character
    pos = 0
    for chunk, chunk_attrs in text.diff():
        n = len(chunk) if isinstance(chunk, str) else 0
        ai = (chunk_attrs or {}).get("ai")
        if ai:
            owner[pos : pos + n] = [ai] * n
        pos += n
    out = []
    for e in edits:
        left = owner[e.start - 1] if e.start > 0 else None
        right = owner[e.end] if e.end < len(old) else None
        out.append({"ai": left, "edited": 1} if left and left == right else dict(PERSON_ATTRS))
    return out


def ai_attrs(*, suggestion_id: int) -> dict:
    return {"ai": str(suggestion_id), "edited": None}


def origin_of(attrs: dict | None) -> str:
    attrs = attrs or {}
    if not attrs.get("ai"):
        return HUMAN
    return AI_EDITED if attrs.get("edited") else AI


@dataclass(frozen=True)
class Run:
    text: str
    origin: str  # HUMAN, AI or AI_EDITED
    suggestion: str | None  # the AI suggestion's id


def runs(*, episode: Episode) -> list[Run]:
    """The episode's text as runs of one origin (an episode without a shared document: a person's)."""
    document = EpisodeDocument.objects.filter(episode=episode).first()
    if document is None:
        from ..collab.documents import episode_text_now

        return [Run(episode_text_now(episode=episode), HUMAN, None)]
    doc = store.load(document=document).doc
    text = doc.get(store.TEXT, type=store.pycrdt.Text)
    return [
        Run(chunk, origin_of(attrs), (attrs or {}).get("ai"))
        for chunk, attrs in text.diff()
        if isinstance(chunk, str) and chunk
    ]


@dataclass(frozen=True)
class Shares:
    """Characters (not counting whitespace) by origin."""

    human: int = 0
    ai: int = 0
    ai_edited: int = 0

    @property
    def total(self) -> int:
        return self.human + self.ai + self.ai_edited

    def percent(self, origin: str) -> int:
        return round(100 * getattr(self, origin) / self.total) if self.total else 0

    @property
    def human_percent(self) -> int:
        return self.percent(HUMAN)

    @property
    def ai_percent(self) -> int:
        return self.percent(AI)

    @property
    def ai_edited_percent(self) -> int:
        return self.percent(AI_EDITED)

    def __add__(self, other: Shares) -> Shares:
        return Shares(self.human + other.human, self.ai + other.ai, self.ai_edited + other.ai_edited)

    def as_dict(self) -> dict:
        return {
            "human": self.human,
            "ai": self.ai,
            "ai_edited": self.ai_edited,
            "percent": {o: self.percent(o) for o in (HUMAN, AI, AI_EDITED)},
        }


def _count(text: str) -> int:
    return len(text) - sum(text.count(c) for c in " \t\r\n\u3000")


def shares(*, episode: Episode) -> Shares:
    """The episode's characters by origin; remembered per document version (a series page reads
    every episode's, and loading a document is the slow part)."""
    state = EpisodeDocument.objects.filter(episode=episode).values("pk", "last_seq").first()
    key = f"ai-provenance:{episode.pk}:{state['pk']}:{state['last_seq']}" if state else None
    if key and (found := cache.get(key)) is not None:
        return Shares(*found)
    counts = {HUMAN: 0, AI: 0, AI_EDITED: 0}
    for run in runs(episode=episode):
        counts[run.origin] += _count(run.text)
    result = Shares(counts[HUMAN], counts[AI], counts[AI_EDITED])
    if key:
        cache.set(key, (result.human, result.ai, result.ai_edited), 7 * 24 * 3600)
    return result


def series_shares(*, project: Project) -> tuple[Shares, list[tuple[Episode, Shares]]]:
    """The series' shares and each episode's (episodes without text are left out)."""
    per_episode = []
    total = Shares()
    for episode in project.episodes.select_related("project").order_by("number"):
        s = shares(episode=episode)
        if s.total:
            per_episode.append((episode, s))
            total = total + s
    return total, per_episode


def line_origins(*, episode: Episode) -> list[tuple[str, str]]:
    """(line, origin) for each line of the episode's text: AI if every written character of it is a
    model's as accepted, AI-edited if a model wrote some of it, else a person's."""
    lines: list[tuple[str, str]] = []
    text, seen = "", set()
    for run in runs(episode=episode):
        parts = run.text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append((text, _line_origin(seen)))
                text, seen = "", set()
            text += part
            if part.strip():
                seen.add(run.origin)
    if text:
        lines.append((text, _line_origin(seen)))
    return lines


def _line_origin(seen: set[str]) -> str:
    if seen == {AI}:
        return AI
    return AI_EDITED if seen & {AI, AI_EDITED} else HUMAN


def mark_elements(*, episode: Episode, elements: list, meta: list) -> list:
    """The review copy's hook (services/shooting_script.py): each printed element's ElementMeta with
    the provenance of the characters it was read from: AI if a model wrote every one of them (as
    accepted), AI-edited if a model wrote some, else unmarked.

    Elements are found in the episode's text by position: in order, each one after the one before,
    line by line of the element (a Fountain action paragraph or a dialogue over several lines is
    several), so a short text (a name) is never taken from an earlier line that mentions it. An
    element the text doesn't have near that place (a printed issued revision that was changed since)
    is left unmarked and moves nothing."""
    from dataclasses import replace

    text, codes = _text_with_origins(episode)
    finder = _Finder(text)
    out = []
    for element, m in zip(elements, meta, strict=True):
        spans = finder.find(_pieces(element))
        origin = _origin_of(text, codes, spans) if spans else HUMAN
        out.append(replace(m, provenance=origin if origin in (AI, AI_EDITED) else ""))
    return out


_CODE = {HUMAN: "h", AI: "a", AI_EDITED: "e"}
_WHITESPACE = frozenset(" \t\r\n\u3000")


def _text_with_origins(episode: Episode) -> tuple[str, str]:
    """The episode's text, and a string as long with each character's origin as one letter."""
    all_runs = runs(episode=episode)
    return "".join(r.text for r in all_runs), "".join(_CODE[r.origin] * len(r.text) for r in all_runs)


def _pieces(element) -> list[str]:
    """What of an element's text stands verbatim in the script, in order: its lines, stripped (the
    parser drops prefixes such as △, "NAME：" and brackets around them); a cast list by its names
    (the parser joins them with 、 whatever the script separated them with)."""
    text = getattr(element, "text", "") or ""
    if getattr(element, "kind", None) == "cast":
        return [name.strip() for name in text.split("、") if name.strip()]
    return [line.strip() for line in text.split("\n") if line.strip()]


def _origin_of(text: str, codes: str, spans: list[tuple[int, int]]) -> str:
    seen = {codes[i] for start, end in spans for i in range(start, end) if text[i] not in _WHITESPACE}
    if seen == {"a"}:
        return AI
    return AI_EDITED if seen & {"a", "e"} else HUMAN


class _Finder:
    """Finds elements' pieces in a text, moving forward only: each search starts where the last
    element ended and looks a bounded number of lines ahead, so the whole is linear in the text."""

    FIRST_LOOKAHEAD = 40  # lines an element may start after the previous one (blank lines, notes…)
    NEXT_LOOKAHEAD = 2  # lines between one line of an element and its next

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def _limit(self, pos: int, lines: int) -> int:
        line = bisect_right(self.line_starts, pos) - 1
        after = line + lines + 1
        return self.line_starts[after] if after < len(self.line_starts) else len(self.text)

    def _one(self, piece: str, pos: int, lookahead: int) -> tuple[int, int] | None:
        limit = self._limit(pos, lookahead)
        at = self.text.find(piece, pos, limit + len(piece))
        if at >= 0:
            return at, at + len(piece)
        return None

    def find(self, pieces: list[str]) -> list[tuple[int, int]]:
        """The spans of all pieces, in order (the cursor then moves past them), or [] if any is
        missing (the cursor stays)."""
        pos, spans = self.pos, []
        for n, piece in enumerate(pieces):
            lookahead = self.FIRST_LOOKAHEAD if n == 0 else self.NEXT_LOOKAHEAD
            span = self._one(piece, pos, lookahead)
            if span is not None:
                spans.append(span)
                pos = span[1]
                continue
            found = self._words(piece, pos, lookahead)
            if not found:
                return []
            spans += found
            pos = max(end for _start, end in found)
        if spans:
            self.pos = pos
        return spans

    def _words(self, piece: str, pos: int, lookahead: int) -> list[tuple[int, int]]:
        """A line the parser normalised ("3 张家书房 日内" is printed "日 内 张家书房"): all its
        words on one line of the text, in any order; found by its longest word."""
        words = piece.split()
        if len(words) < 2:
            return []
        anchor = self._one(max(words, key=len), pos, lookahead)
        if anchor is None:
            return []
        start = max(pos, self.line_starts[bisect_right(self.line_starts, anchor[0]) - 1])
        end = self.text.find("\n", anchor[0])
        end = len(self.text) if end < 0 else end
        spans = []
        for word in words:
            at = self.text.find(word, start, end)
            if at < 0:
                return []
            spans.append((at, at + len(word)))
        return spans
