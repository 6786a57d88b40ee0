"""Column counting and line wrapping for monospaced script layout.

A "column" is one Courier cell (1/10") in screenplay profiles and half a full-width
character in the Chinese profile. Full-width (East Asian W/F) characters take two
columns everywhere, so a Chinese name in an English script still fits its line.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Kinsoku shori: characters that may not start a line (closing punctuation, small marks)
# and characters that may not end one (opening brackets). Latin closers are included so
# mixed text such as "OK，" or "(yes)" does not strand punctuation either.
NO_LINE_START = frozenset("，。！？、；：）」』】》〉〕］｝”’…—～·・ー%),.!?;:]}>\"'‐–")
NO_LINE_END = frozenset("（「『【《〈〔［｛“‘([{<")

# Whitespace and control characters are normalised before wrapping so nothing a writer
# pastes (tabs, U+2028, form feeds) can add a line break the paginator did not count.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]")
_WS_RE = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]")


def clean(text: str) -> str:
    """Text safe to place on one line: no control characters, tabs or line breaks."""
    if text.isascii() and text.isprintable():
        return text
    return _CONTROL_RE.sub("", _WS_RE.sub(" ", text))


@lru_cache(maxsize=8192)
def _char_cols(ch: str, ambiguous_wide: bool) -> int:
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F") or (ambiguous_wide and eaw == "A"):
        return 2
    if unicodedata.combining(ch):
        return 0
    return 1


def columns(text: str, ambiguous_wide: bool = False) -> int:
    """Width of ``text`` in columns (full-width characters count two)."""
    if text.isascii():
        return len(text)
    return sum(_char_cols(ch, ambiguous_wide) for ch in text)


def _units(text: str, ambiguous_wide: bool) -> list[tuple[str, int, bool]]:
    """Split text into unbreakable units: (text, columns, preceded_by_space).

    A break is allowed at a space, or between two characters when either is
    full-width (Chinese wraps per character), unless kinsoku forbids it.
    """
    units: list[tuple[str, int, bool]] = []
    buf: list[str] = []
    width = 0
    space_before = False
    prev = ""
    prev_wide = False
    for ch in text:
        if ch == " ":
            if buf:
                units.append(("".join(buf), width, space_before))
                buf, width = [], 0
            space_before = bool(units) or space_before
            prev, prev_wide = " ", False
            continue
        cw = 1 if ch.isascii() else _char_cols(ch, ambiguous_wide)
        wide = cw == 2
        if buf and (wide or prev_wide) and ch not in NO_LINE_START and prev not in NO_LINE_END:
            units.append(("".join(buf), width, space_before))
            buf, width, space_before = [], 0, False
        buf.append(ch)
        width += cw
        prev, prev_wide = ch, wide
    if buf:
        units.append(("".join(buf), width, space_before))
    return units


def _hard_split(unit: str, first_room: int, width: int, ambiguous_wide: bool) -> list[str]:
    """Cut a unit wider than a line at character boundaries (URLs, long Chinese runs)."""
    parts: list[str] = []
    cur: list[str] = []
    used = 0
    room = first_room
    for ch in unit:
        cw = _char_cols(ch, ambiguous_wide)
        if used + cw > room and cur:
            parts.append("".join(cur))
            cur, used, room = [], 0, width
        cur.append(ch)
        used += cw
    if cur:
        parts.append("".join(cur))
    return parts


def _wrap_ascii(text: str, width: int, hang_width: int) -> list[str]:
    # Fast path: most screenplay text is ASCII, where columns == len().
    lines: list[str] = []
    cur = ""
    limit = width
    for word in text.split():
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= limit:
            cur = cur + " " + word
            continue
        else:
            lines.append(cur)
            limit = hang_width
            cur = word
        while len(cur) > limit:
            lines.append(cur[:limit])
            cur = cur[limit:]
            limit = hang_width
    if cur or not lines:
        lines.append(cur)
    return lines


def wrap(text: str, width: int, hang: int = 0, ambiguous_wide: bool = False) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` columns.

    ``hang`` is the indent (in columns) of the second and later lines; the returned
    strings do not include it, the caller places them ``hang`` columns further right.
    """
    text = clean(text)
    hang_width = max(1, width - hang)
    if text.isascii():
        return _wrap_ascii(text, width, hang_width)
    lines: list[str] = []
    cur: list[str] = []
    used = 0
    limit = width
    for unit, uw, space in _units(text, ambiguous_wide):
        gap = 1 if (space and cur) else 0
        if used + gap + uw <= limit:
            if gap:
                cur.append(" ")
            cur.append(unit)
            used += gap + uw
            continue
        if uw > hang_width:
            # Fill the rest of this line, then continue on fresh lines.
            room = limit - used - gap
            if room < 2 and cur:
                lines.append("".join(cur))
                cur, used, limit, gap = [], 0, hang_width, 0
                room = limit
            parts = _hard_split(unit, room, hang_width, ambiguous_wide)
            if gap and cur:
                cur.append(" ")
            cur.append(parts[0])
            for part in parts[1:]:
                lines.append("".join(cur))
                cur, limit = [part], hang_width
            used = columns("".join(cur), ambiguous_wide)
            continue
        if cur:
            lines.append("".join(cur))
        cur, used, limit = [unit], uw, hang_width
    if cur or not lines:
        lines.append("".join(cur))
    return lines


_SENTENCE_END_RE = re.compile(r"[.!?…。！？]+[\"'”’」』）)\]]*$")
_ABBREVIATIONS = frozenset({"MR.", "MRS.", "MS.", "DR.", "ST.", "JR.", "SR.", "VS.", "NO.", "MT."})


def ends_sentence(line: str) -> bool:
    """True when a wrapped line ends at a sentence end (a legal dialogue break)."""
    line = line.rstrip()
    if not _SENTENCE_END_RE.search(line):
        return False
    last_word = line.rsplit(" ", 1)[-1].upper()
    return last_word not in _ABBREVIATIONS
