"""Small text scans the parsers share, each one pass over its input.

Parsers read text anyone can paste, so nothing here may backtrack: a regular expression with
two quantifiers that can match the same characters (``\\s*(...)?\\s*``, ``(\\s*\\(...\\))+$`` under
``search``) turns a long line of spaces or brackets into quadratic or cubic time. These helpers
do by hand what such patterns did, visiting every character a bounded number of times.
"""

from __future__ import annotations

# Numbers longer than this are not episode or scene numbers; they are kept as "too large" so the
# importer can say so, and int() never sees thousands of digits (it refuses past 4,300 anyway).
MAX_NUMBER_DIGITS = 18
TOO_LARGE = 10**MAX_NUMBER_DIGITS


def split_bracketed_tail(text: str, opens: str = "(", closes: str = ")") -> tuple[str, list[str]]:
    """The bracketed groups at the end of a line, read from the right.

    'BOB (V.O.) (CONT'D)' -> ('BOB', ["V.O.", "CONT'D"]). A group holds no bracket of its own;
    whitespace between groups and before the first is dropped. Without a group: (text, []).
    """
    groups: list[str] = []
    end = _skip_space_left(text, len(text))
    head = len(text)
    while end > 0 and text[end - 1] in closes:
        close = start = end - 1
        # Left to the nearest bracket of either kind: each character is looked at once.
        start -= 1
        while start >= 0 and text[start] not in opens and text[start] not in closes:
            start -= 1
        if start < 0 or text[start] in closes:
            break  # no opening bracket, or one group inside another: not an extension tail
        groups.append(text[start + 1 : close])
        head = end = _skip_space_left(text, start)
    groups.reverse()
    return (text[:head] if groups else text), groups


def _skip_space_left(text: str, index: int) -> int:
    while index > 0 and text[index - 1].isspace():
        index -= 1
    return index
