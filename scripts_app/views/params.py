"""Ids as forms and the drag-and-drop order send them, read without trusting them.

`str.isdigit()` alone accepts "²" and other digits `int()` refuses, and `int()` refuses a string of
over 4,300 digits: both were 500s. An id here is ASCII digits, at most 18 of them (within a 64-bit
integer, so no database ever sees a number it cannot hold); anything else is refused with a 400.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponseBadRequest

ID_MAX_DIGITS = 18


def parse_id(value: str | None) -> int | None:
    """The id `value` spells, or None when it is not one."""
    if value and value.isascii() and value.isdigit() and len(value) <= ID_MAX_DIGITS:
        return int(value)
    return None


def parse_ids(values: Iterable[str]) -> list[int] | None:
    """Every value as an id, in order; None when any of them is not one."""
    ids = [parse_id(v) for v in values]
    return None if None in ids else ids  # type: ignore[return-value]


def bad_request(message: str) -> HttpResponseBadRequest:
    """A 400 that says what was wrong (plain text: HTMX requests and forms alike show it as is)."""
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
