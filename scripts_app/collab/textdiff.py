"""The smallest practical set of edits that turns one text into another (pure Python).

Used by the one door for text changes: applying these edits to the shared document makes a restore,
an import or an accepted proposal arrive in open editors as ordinary typing, so cursors and other
writers' concurrent words elsewhere in the episode stay where they are.
Time is linear in the text outside the changed region; inside it, lines are diffed by linediff
(bounded work, so no text can hold the document's row lock for long), and each changed run of lines
becomes one edit with its common ends trimmed off, which is linear too. Past linediff's budget a
changed region is one bigger edit: still exact, only less fine-grained.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import linediff


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


def _trimmed(old: str, new: str, offset: int) -> list[Edit]:
    """One edit for a changed region, with its common ends trimmed off."""
    p = _common_prefix(old, new)
    s = _common_suffix(old, new, p)
    if p == len(old) and p == len(new):
        return []
    return [Edit(offset + p, offset + len(old) - s, new[p : len(new) - s])]


def diff(old: str, new: str) -> list[Edit]:
    """Edits in increasing order, non-overlapping, each against the old text."""
    if old == new:
        return []
    p = _common_prefix(old, new)
    s = _common_suffix(old, new, p)
    old_mid, new_mid = old[p : len(old) - s], new[p : len(new) - s]
    if not old_mid or not new_mid or ("\n" not in old_mid and "\n" not in new_mid):
        return [Edit(p, p + len(old_mid), new_mid)]
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
        edits += _trimmed(a, b, p + old_pos[i1])
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
