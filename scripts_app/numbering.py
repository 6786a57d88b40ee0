"""Production scene numbers: once issued, a number never changes.

A scene inserted after 12 becomes 12A (then 12B...); one inserted before scene 1
becomes A1 (then B1...); a removed scene keeps its number and prints as OMITTED.
Pure Python: the Django side passes the numbers it has and stores what comes back.
"""

from __future__ import annotations

import re
import string

_SUFFIX = re.compile(r"^(?P<base>.*?\d)(?P<letters>[A-Z]*)$")


def _split(number: str) -> tuple[str, str]:
    """'12A' -> ('12', 'A'); '1-12B' -> ('1-12', 'B'); 'A1' -> ('A1', '')."""
    m = _SUFFIX.match(number)
    return (m["base"], m["letters"]) if m else (number, "")


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: more inserts than the alphabet still get a number."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out


def fill_numbers(numbers: list[str | None]) -> list[str]:
    """Give every unnumbered scene (None) a number that fits between its locked neighbours.

    `numbers` is in script order; locked numbers are kept exactly as they are.
    """
    taken = {n for n in numbers if n}
    out: list[str] = []
    first_locked = next((n for n in numbers if n), None)
    prefix_count = 0
    for i, number in enumerate(numbers):
        if number:
            out.append(number)
            continue
        seen_locked = any(numbers[j] for j in range(i))
        if not seen_locked:
            # Before the first locked scene: A1, B1, ... (or A1-1 style for "1-1")
            base = first_locked or "1"
            candidate = _letters(prefix_count) + base
            prefix_count += 1
            while candidate in taken:
                candidate = _letters(prefix_count) + base
                prefix_count += 1
        else:
            base, letters = _split(out[-1])
            k = 0 if not letters else _letter_index(letters) + 1
            candidate = base + _letters(k)
            while candidate in taken:
                k += 1
                candidate = base + _letters(k)
        taken.add(candidate)
        out.append(candidate)
    return out


def _letter_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def sequential_numbers(count: int, *, episode: int | None = None) -> list[str]:
    """First lock of an episode with no numbers of its own: 1, 2, 3... or 5-1, 5-2... (Chinese format)."""
    return [f"{episode}-{i}" if episode is not None else str(i) for i in range(1, count + 1)]
