"""An episode's text as scenes: where each scene starts, and which stored scene each one is.

Pure Python (no Django): the episode document holds one flowing script; Scene rows are derived
from it. A scene starts at a heading line; text before the first heading belongs to the first
scene. Identity across edits: a locked scene's number travels in its heading line (Fountain's
`#12A#`, the Chinese format's `1-3`); otherwise order and similarity decide.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice

from ..formats import fountain, zh
from . import linediff

# Below this similarity an edited chunk is a new scene rather than an old one rewritten.
SIMILAR_ENOUGH = 0.45
# Lines match() may compare by similarity before it stops searching: every leftover chunk against
# every leftover scene is quadratic in the scene count (500 scenes all edited at once: 250,000
# comparisons, 2.5 s under the episode's row lock). About 0.1 s; an episode of 50 scenes of 30 lines,
# every one rewritten at once, takes a third of it.
IDENTITY_WORK = 500_000


@dataclass(frozen=True)
class Chunk:
    start: int  # character offsets into the episode text
    end: int
    text: str  # the scene's text as stored: trailing blank lines trimmed, one newline kept
    number: str  # the scene number written in its heading ("" when none)
    has_heading: bool


@dataclass(frozen=True)
class StoredScene:
    id: int
    text: str
    locked_number: str = ""
    omitted: bool = False


def scene_text(raw: str) -> str:
    """How a scene's slice of the episode is stored: without the blank lines that separate scenes."""
    body = raw.rstrip()
    return body + "\n" if body else ""


def _heading_number(line: str, fmt: str, prev_blank: bool) -> tuple[bool, str]:
    if fmt == "fountain":
        el = fountain.scene_heading(line, prev_blank=prev_blank)
    else:
        el = zh.scene_heading(line)
    return (el is not None, el.scene_number if el is not None else "")


def split(text: str, fmt: str) -> list[Chunk]:
    """Cut an episode's text at its scene headings. Joining the slices gives the text back."""
    starts: list[tuple[int, str]] = []  # (offset, number) of each heading line
    offset, prev_blank = 0, True
    for line in text.splitlines(keepends=True):
        is_heading, number = _heading_number(line, fmt, prev_blank)
        if is_heading:
            starts.append((offset, number))
        prev_blank = not line.strip()
        offset += len(line)
    if not text.strip():
        return []
    if not starts:
        return [Chunk(0, len(text), scene_text(text), "", False)]
    # Whatever precedes the first heading (blank lines, a cold open's action) is part of the first scene.
    starts[0] = (0, starts[0][1])
    chunks = []
    for i, (start, number) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        chunks.append(Chunk(start, end, scene_text(text[start:end]), number, True))
    return chunks


def join(texts: list[str], fmt: str) -> str:
    """The episode text of scenes in order: a blank line between scenes, as a script reads."""
    parts = [scene_text(t) for t in texts]
    return "\n".join(p for p in parts if p)


def _similarity(a: str, b: str) -> float:
    """How alike two scene texts are, 0..1. By lines (cheap, the row sync runs while people type);
    by characters only for short scenes, where one edited line is most of the scene. Both go through
    linediff, whose work is bounded: this runs under the episode's row lock, on text anyone typed."""
    if a == b:
        return 1.0
    lines_a, lines_b = a.splitlines(), b.splitlines()
    if len(lines_a) + len(lines_b) > 1200:
        # Scenes of very different lengths cannot be alike: the length bound says so in time linear in
        # the text, where the row sync may compare every new chunk with a 20,000-line scene. Below
        # SIMILAR_ENOUGH the value only orders the claimants of one locked number; a bound does that.
        bound = 2 * min(len(lines_a), len(lines_b)) / (len(lines_a) + len(lines_b))
        if bound < SIMILAR_ENOUGH:
            return bound
    by_lines = linediff.ratio(lines_a, lines_b)
    if by_lines >= SIMILAR_ENOUGH or len(a) + len(b) > 1200:
        return by_lines
    # Upper bounds first, as difflib's quick ratios did: the lengths, then the characters in common.
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < SIMILAR_ENOUGH:
        return 0.0
    if 2 * (Counter(a) & Counter(b)).total() / (len(a) + len(b)) < SIMILAR_ENOUGH:
        return 0.0
    return linediff.ratio(a, b)


def match(chunks: list[Chunk], scenes: list[StoredScene], *, locked: bool) -> list[int | None]:
    """For each chunk, the id of the stored scene it is (None: a new scene).

    `scenes` are the episode's stored scenes in order, omitted ones included (a locked scene whose
    heading is typed back in comes back). Each stored scene matches at most one chunk."""
    result: list[int | None] = [None] * len(chunks)
    taken: set[int] = set()
    work = [IDENTITY_WORK]

    def take(i: int, scene_id: int) -> None:
        result[i] = scene_id
        taken.add(scene_id)

    def similarity(a: str, b: str) -> float:
        work[0] -= a.count("\n") + b.count("\n") + 2
        return _similarity(a, b)

    if locked:
        # Production numbers identify locked scenes; of two chunks with one number, the closer text wins.
        by_number: dict[str, list[StoredScene]] = {}
        for s in scenes:
            if s.locked_number:
                by_number.setdefault(s.locked_number, []).append(s)
        claims: dict[int, list[int]] = {}
        for i, chunk in enumerate(chunks):
            for s in by_number.get(chunk.number, [])[:1]:
                claims.setdefault(s.id, []).append(i)
        texts = {s.id: s.text for s in scenes}
        for scene_id, idxs in claims.items():
            best = max(idxs, key=lambda i: (similarity(chunks[i].text, texts[scene_id]), -i))
            take(best, scene_id)

    live = [s for s in scenes if not s.omitted and s.id not in taken]
    # Unchanged scenes first, in order: the common case of an edit inside one scene.
    open_chunks = [i for i in range(len(chunks)) if result[i] is None]
    same = linediff.matching_blocks([chunks[i].text for i in open_chunks], [s.text for s in live])
    for a, b, size in same:
        for k in range(size):
            take(open_chunks[a + k], live[b + k].id)

    # Then edited scenes: each leftover chunk takes the most similar leftover scene between its
    # matched neighbours (order first), then anywhere (a scene moved and edited at once).
    order = {s.id: n for n, s in enumerate(scenes)}
    for anywhere in (False, True):
        if anywhere and work[0] <= 0:
            break  # past the work: what is left is new
        # The matched neighbours' positions, kept as the loop goes (not searched for every chunk, which
        # made the row sync quadratic in the number of scenes): only chunk i changes at step i.
        hi_after = [len(scenes)] * (len(chunks) + 1)
        for i in range(len(chunks) - 1, -1, -1):
            hi_after[i] = min(hi_after[i + 1], order[result[i]]) if result[i] is not None else hi_after[i + 1]
        lo = -1
        for i in range(len(chunks)):
            if result[i] is not None:
                lo = max(lo, order[result[i]])
                continue
            hi = hi_after[i + 1]
            pool = scenes if anywhere else scenes[lo + 1 : hi]  # a scene's order is its index
            eligible = (s for s in pool if s.id not in taken and not s.omitted)
            if work[0] > 0:
                candidates = compared = list(eligible)
            else:
                # Past the work, order first: only the next scene in order may still be this chunk
                # (and a second one tells whether it is the only one in the gap).
                candidates = list(islice(eligible, 2))
                compared = candidates[:1]
            scored = [(similarity(chunks[i].text, s.text), -order[s.id], s.id) for s in compared]
            scored = [x for x in scored if x[0] >= SIMILAR_ENOUGH]
            if scored:
                take(i, max(scored)[2])
            elif not anywhere:
                # Between the same neighbours with nothing similar: the one edited scene stays itself
                # (a heading rewritten from scratch) when it is the only chunk and scene in the gap,
                # that is when the chunks on either side are matched.
                alone = (i == 0 or result[i - 1] is not None) and (
                    i + 1 == len(chunks) or result[i + 1] is not None
                )
                if len(candidates) == 1 and alone:
                    take(i, candidates[0].id)
            if result[i] is not None:
                lo = max(lo, order[result[i]])
    return result


def renumbered(text: str, fmt: str, number: str) -> str:
    """A scene's text with `number` written into its heading line (the line stays otherwise as typed)."""
    lines = text.split("\n")
    prev_blank = True
    for i, line in enumerate(lines):
        if _heading_number(line, fmt, prev_blank)[0]:
            if fmt == "fountain":
                lines[i] = fountain.with_scene_number(line, number)
            else:
                lines[i] = zh.with_scene_number(line, number)
            break
        prev_blank = not line.strip()
    return "\n".join(lines)
