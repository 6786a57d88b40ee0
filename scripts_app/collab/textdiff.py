"""The smallest practical set of edits that turns one text into another (pure Python).

Used by the one door for text changes: applying these edits to the shared document makes a restore,
an import or an accepted proposal arrive in open editors as ordinary typing, so cursors and other
writers' concurrent words elsewhere in the episode stay where they are.
Time is linear in the text outside the changed region; inside it, lines are diffed by linediff
(bounded work, so no text can hold the document's row lock for long). Each changed run of lines has
its common ends trimmed off, and a short one (CHAR_REGION) is diffed by character with work linear in
its length. Past linediff's budget a changed region is one bigger edit: still exact, only coarser.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import linediff

# A changed region of at most this many characters (old and new together, a line or two) is diffed
# again by character; a longer one stays one edit. Bounded work either way (see _region).
CHAR_REGION = 400
CHAR_EDITS = 4  # at most this many edits out of one region (a few words replaced in a line)


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets into the old text
    end: int
    insert: str


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    # Binary search on slices: comparisons run in C, so this is fast even for long texts.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, min(len(a), len(b)) - limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _region(old: str, new: str, offset: int) -> list[Edit]:
    """The edits of one changed region: its common ends trimmed off and, when what is left is short, a
    character diff inside it, so that two words replaced in one line are two edits and the words
    between keep their author (provenance). A longer region stays one edit."""
    p = _common_prefix(old, new)
    s = _common_suffix(old, new, p)
    a, b = old[p : len(old) - s], new[p : len(new) - s]
    start = offset + p
    if not a and not b:
        return []
    if not a or not b or len(a) + len(b) > CHAR_REGION:
        return [Edit(start, start + len(a), b)]
    # Work linear in the region: a line rewritten beyond Myers' reach falls back to one edit.
    changes = _folded(linediff.opcodes(a, b, work=8 * (len(a) + len(b))))
    if len(changes) > CHAR_EDITS:
        # Many scattered changes are one edit: each edit costs the shared document an operation, and
        # a region full of them is a rewrite anyway.
        return [Edit(start, start + len(a), b)]
    return [Edit(start + i1, start + i2, b[j1:j2]) for i1, i2, j1, j2 in changes]


def _folded(ops: list[linediff.Opcode]) -> list[tuple[int, int, int, int]]:
    """The changes of a character diff, with each equal run that is no longer than the changes on both
    sides of it folded into them: a rewritten sentence that happens to share a "的" with the old one
    is one edit, not three (the rule of diff-match-patch's semantic clean-up)."""
    changes: list[tuple[int, int, int, int]] = []
    gap = 0  # length of the equal run since the last change
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            gap = i2 - i1
            continue
        if changes:
            li1, li2, lj1, lj2 = changes[-1]
            if gap <= max(li2 - li1, lj2 - lj1) and gap <= max(i2 - i1, j2 - j1):
                changes[-1] = (li1, i2, lj1, j2)
                continue
        changes.append((i1, i2, j1, j2))
    return changes


def diff(old: str, new: str) -> list[Edit]:
    """Edits in increasing order, non-overlapping, each against the old text."""
    if old == new:
        return []
    p = _common_prefix(old, new)
    s = _common_suffix(old, new, p)
    old_mid, new_mid = old[p : len(old) - s], new[p : len(new) - s]
    if not old_mid or not new_mid or ("\n" not in old_mid and "\n" not in new_mid):
        return _region(old_mid, new_mid, p)
    old_lines = old_mid.splitlines(keepends=True)
    new_lines = new_mid.splitlines(keepends=True)
    edits: list[Edit] = []
    old_pos = [0]
    for line in old_lines:
        old_pos.append(old_pos[-1] + len(line))
    new_pos = [0]
    for line in new_lines:
        new_pos.append(new_pos[-1] + len(line))
    for tag, i1, i2, j1, j2 in linediff.opcodes(old_lines, new_lines):
        if tag == "equal":
            continue
        a = old_mid[old_pos[i1] : old_pos[i2]]
        b = new_mid[new_pos[j1] : new_pos[j2]]
        edits += _region(a, b, p + old_pos[i1])
    return edits


def apply(old: str, edits: list[Edit]) -> str:
    """The new text (for tests and checks)."""
    out, pos = [], 0
    for e in edits:
        out.append(old[pos : e.start])
        out.append(e.insert)
        pos = e.end
    out.append(old[pos:])
    return "".join(out)
