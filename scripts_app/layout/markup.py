"""Fountain's inline markup as printed: styled runs for emphasis, nothing for notes.

The paginator wraps plain text (marks removed, so they take no columns) and then finds each
wrapped line's characters again in that text to give them their styles. Everything here is a
single left-to-right pass: text a writer types never costs more than linear time.
"""

from __future__ import annotations

from scripts_app.formats.fountain import emphasis_tokens, strip_notes

from .model import STYLE_BOLD, STYLE_ITALIC, STYLE_UNDERLINE

_MARK_STYLES = {"*": STYLE_ITALIC, "**": STYLE_BOLD, "***": STYLE_BOLD | STYLE_ITALIC, "_": STYLE_UNDERLINE}

Runs = tuple[tuple[str, int], ...]

__all__ = ["RunFinder", "Runs", "strip_notes", "styled_text"]  # strip_notes: formats.fountain's


def styled_text(text: str) -> tuple[str, list[int]] | None:
    """(plain text, a style per character) for text with emphasis, None when it has none."""
    if "*" not in text and "_" not in text and "\\" not in text:
        return None
    plain: list[str] = []
    styles: list[int] = []
    open_marks = dict.fromkeys(_MARK_STYLES, 0)
    current = 0
    styled = False
    for kind, value in emphasis_tokens(text):
        if kind == "text":
            plain.append(value)
            styles.extend([current] * len(value))
            continue
        open_marks[value] += 1 if kind == "open" else -1
        current = 0
        for mark, count in open_marks.items():
            if count > 0:
                current |= _MARK_STYLES[mark]
        styled = True
    joined = "".join(plain)
    if not styled:
        return (joined, [0] * len(joined)) if joined != text else None  # "\*" still loses its "\"
    return joined, styles


class RunFinder:
    """Finds each wrapped line of one element in its styled plain text, in order."""

    def __init__(self, plain: str, styles: list[int]) -> None:
        self.plain = plain
        self.styles = styles
        self.pos = 0

    def runs(self, line: str) -> Runs | None:
        plain, styles, n = self.plain, self.styles, len(self.plain)
        pos = self.pos
        if line[:1] and not line[0].isspace():
            while pos < n and plain[pos].isspace():  # the break the wrapper made
                pos += 1
        flags: list[int] = []
        for ch in line:
            if ch.isspace():
                flags.append(styles[pos] if pos < n else 0)
                while pos < n and plain[pos].isspace():
                    pos += 1
            elif pos < n and plain[pos] == ch:
                flags.append(styles[pos])
                pos += 1
            else:
                flags.append(0)  # a character the layout added, such as a parenthetical's "("
        self.pos = pos
        if not any(flags):
            return None
        out: list[tuple[str, int]] = []
        start = 0
        for i in range(1, len(line) + 1):
            if i == len(line) or flags[i] != flags[start]:
                out.append((line[start:i], flags[start]))
                start = i
        return tuple(out)
