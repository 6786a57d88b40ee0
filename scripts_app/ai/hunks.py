"""Hunks of a text proposal, and applying some of them to a text that may have moved on (pure Python).

A proposal is diffed line by line against the text it was made against (its base). A person accepts
hunks by index; if the text changed since, each accepted hunk is carried over to the current text
when the lines it replaces are still there untouched, and refused otherwise: a colleague's edit is
never overwritten. Insertions next to a colleague's change are fine; a hunk whose lines a colleague
changed, or that inserts exactly where a colleague inserted, conflicts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..collab import linediff


@dataclass(frozen=True)
class Hunk:
    index: int
    base_start: int  # line indexes into the base: lines [base_start, base_end) are replaced
    base_end: int
    lines: tuple[str, ...]  # the proposed lines, with their line ends
    base_from: int  # character offsets of the same range, for editors
    base_to: int
    new_from: int  # character offsets of the proposed lines in the proposal
    new_to: int
    removed: str
    added: str

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("lines")
        return data


class Conflict(ValueError):
    """Accepted hunks that no longer apply cleanly to the current text (their indexes in `hunks`)."""

    def __init__(self, hunks: list[int]) -> None:
        super().__init__(f"hunks {hunks} conflict with changes made since")
        self.hunks = hunks


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _offsets(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def diff(base: str, proposed: str) -> list[Hunk]:
    a, b = _lines(base), _lines(proposed)
    oa, ob = _offsets(a), _offsets(b)
    hunks = []
    for tag, i1, i2, j1, j2 in linediff.opcodes(a, b):
        if tag == "equal":
            continue
        hunks.append(
            Hunk(
                index=len(hunks),
                base_start=i1,
                base_end=i2,
                lines=tuple(b[j1:j2]),
                base_from=oa[i1],
                base_to=oa[i2],
                new_from=ob[j1],
                new_to=ob[j2],
                removed="".join(a[i1:i2]),
                added="".join(b[j1:j2]),
            )
        )
    return hunks


def _changes(base: list[str], current: list[str]) -> list[tuple[str, int, int, int, int]]:
    # Bounded (linediff): difflib is cubic on repeated lines, and a proposal's text is anyone's.
    return linediff.opcodes(base, current)


def _conflicts(hunk: Hunk, ops) -> bool:
    s, e = hunk.base_start, hunk.base_end
    for tag, i1, i2, _j1, _j2 in ops:
        if tag == "equal":
            continue
        if i1 == i2:  # a colleague inserted at i1
            if s < i1 < e or (s == e == i1):
                return True
        elif s == e:  # we insert at s
            if i1 < s < i2:
                return True
        elif i1 < e and s < i2:  # both replace overlapping lines
            return True
    return False


def _map(i: int, ops, *, insert_before_change: bool) -> int:
    """A line boundary of the base as a line boundary of the current text."""
    for tag, i1, i2, j1, _j2 in ops:
        if tag == "equal" and i1 <= i < i2:
            return j1 + (i - i1)
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" and i == i2:
            return j2
        if tag != "equal" and i == i1 and insert_before_change:
            return j1
        if tag != "equal" and i == i2:
            return j2
        if tag != "equal" and i == i1:
            return j1
    return 0


def conflicting(*, base: str, current: str, hunks: list[Hunk]) -> list[int]:
    """Indexes of the hunks that would not apply to `current`."""
    if base == current:
        return []
    ops = _changes(_lines(base), _lines(current))
    return [h.index for h in hunks if _conflicts(h, ops)]


def apply(*, base: str, current: str, hunks: list[Hunk], accept: set[int]) -> str:
    """`current` with the accepted hunks applied; Conflict if any of them no longer applies."""
    chosen = [h for h in hunks if h.index in accept]
    cur = _lines(current)
    if not chosen:
        return current
    ops = _changes(_lines(base), cur)
    bad = [h.index for h in chosen if _conflicts(h, ops)] if base != current else []
    if bad:
        raise Conflict(bad)
    placed = []
    for h in chosen:
        start = _map(h.base_start, ops, insert_before_change=True)
        placed.append((start, start + (h.base_end - h.base_start), h))
    # From the end, so earlier positions stay valid.
    for start, end, h in sorted(placed, key=lambda p: p[0], reverse=True):
        lines = list(h.lines)
        if end < len(cur) and lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"  # the proposal's last line now has a line after it
        if start > 0 and not cur[start - 1].endswith("\n"):
            cur[start - 1] += "\n"
        cur[start:end] = lines
    return "".join(cur)


def placed(*, base: str, current: str, hunks: list[Hunk]) -> dict[int, tuple[int, int]]:
    """Where each hunk that still applies sits in `current`: (from, to) character offsets of the lines
    it replaces (from == to for an insertion), for an editor to show the proposal in place."""
    cur = _lines(current)
    offsets = _offsets(cur)
    ops = _changes(_lines(base), cur)
    out = {}
    for h in hunks:
        if base != current and _conflicts(h, ops):
            continue
        start = _map(h.base_start, ops, insert_before_change=True) if base != current else h.base_start
        end = min(len(cur), start + (h.base_end - h.base_start))
        out[h.index] = (offsets[start], offsets[end])
    return out
