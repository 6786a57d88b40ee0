"""Screen-time estimates from an element list: rules of thumb, not measurements.

Screenplay ("fountain"): the industry's "one page is about one minute". We count the
printed lines each element takes in 12-pt Courier (about 55 lines a page) by
wrapping its text at the column width of its margin, plus the blank line before
each block, then convert pages to seconds.

Chinese micro-drama ("zh"): screen time is driven by what is said and done, so we
count characters: dialogue is spoken at about 4 characters a second, action plays
at about 8 characters a second, and each scene heading adds about 2 seconds for the
establishing beat. Every non-space character counts as one (full-width or not).
"""

from __future__ import annotations

import math
import unicodedata

from .elements import Element, Kind

# --- screenplay
LINES_PER_PAGE = 55
SECONDS_PER_PAGE = 60
_COLUMNS = {  # characters per printed line for each margin
    Kind.SCENE_HEADING: 60,
    Kind.ACTION: 60,
    Kind.CENTERED: 60,
    Kind.TRANSITION: 60,
    Kind.CAST: 60,
    Kind.CAPTION: 60,
    Kind.VOICE_OVER: 60,
    Kind.DIALOGUE: 35,
    Kind.PARENTHETICAL: 25,
    Kind.CHARACTER: 35,
    Kind.FLASHBACK_START: 60,
    Kind.FLASHBACK_END: 60,
}
# Cues' dialogue and parentheticals sit directly under the cue; everything else
# printed starts a block with a blank line above it.
_NO_BLANK_BEFORE = {Kind.DIALOGUE, Kind.PARENTHETICAL}

# --- Chinese
DIALOGUE_CHARS_PER_SECOND = 4
ACTION_CHARS_PER_SECOND = 8
SECONDS_PER_SCENE_HEADING = 2
_SPOKEN = {Kind.DIALOGUE, Kind.VOICE_OVER}
_SEEN = {Kind.ACTION, Kind.PARENTHETICAL, Kind.CAPTION, Kind.CENTERED}


def estimate_seconds(elements: list[Element], fmt: str) -> int:
    """Estimated screen time in whole seconds for ``fmt`` "fountain" or "zh"."""
    if fmt == "fountain":
        return _round_half_up(screenplay_lines(elements) / LINES_PER_PAGE * SECONDS_PER_PAGE)
    if fmt == "zh":
        return _round_half_up(_zh_seconds(elements))
    raise ValueError(f"Unknown script format {fmt!r}")


def _round_half_up(seconds: float) -> int:
    # round() rounds halves to even (2.5 -> 2); a runtime reads better rounded up.
    return math.floor(seconds + 0.5)


def screenplay_lines(elements: list[Element]) -> int:
    """Printed lines in Courier, blank separator lines included (notes etc. print nothing)."""
    total = 0
    for el in elements:
        columns = _COLUMNS.get(el.kind)
        if columns is None:  # sections, synopses, notes, page breaks are not printed
            continue
        if el.kind not in _NO_BLANK_BEFORE:
            total += 1
        total += sum(_wrapped_lines(line, columns) for line in (el.text or " ").split("\n"))
    return total


def _wrapped_lines(line: str, columns: int) -> int:
    # A CJK character takes two Courier cells; rounding up stands in for word wrap.
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
    return max(1, math.ceil(width / columns))


def _zh_seconds(elements: list[Element]) -> float:
    seconds = 0.0
    for el in elements:
        if el.kind == Kind.SCENE_HEADING:
            seconds += SECONDS_PER_SCENE_HEADING
        elif el.kind in _SPOKEN:
            seconds += _char_count(el.text) / DIALOGUE_CHARS_PER_SECOND
        elif el.kind in _SEEN:
            seconds += _char_count(el.text) / ACTION_CHARS_PER_SECOND
    return seconds


def _char_count(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())
