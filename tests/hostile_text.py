"""Scene texts built to hurt a parser: long runs of one mark, in the places each format looks at.

Shared by tests/test_hardening_parsers.py (a chosen few, with a time bound) and bench/parsers.py (all
of them, timed against ordinary script of the same size). Every text is exactly `size` characters,
the scene limit by default, so what is measured is the worst a writer can save in one scene.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

SCENE_LIMIT = 200_000  # settings.SCENE_TEXT_MAX_CHARS, without importing Django here
SAMPLES = Path(__file__).parent / "samples"

# One mark repeated, and the short pieces the attacks were made of.
RUNS = (
    " ", "\t", "\u3000", "*", "_", "(", ")", "（", "）", "【", "】", "[", "]", "#", "@", "!", ">", "<",
    "=", ":", "：", "-", ".", "。", "^", "\\", "/", "a", "A", "1", "一", "张", "△", "~",
)  # fmt: skip
PIECES = (
    '"*_a', " (a)", "(a) ", "（a）", "【闪回】", "[闪回]", "【 ", "#a", "#1# ", "(a", "a)", "*a", "_a", "**_",
    "\\*", "/*", "*/", "[[", "]]", "1-", "第1集", "第一", "A (", "张三：", "张（", " - ", "INT. ",
    "\\_", "a_b ", "*a* ", "_a_ ", "[[\n>", "BOB\n(a)",
)  # fmt: skip
# Where the line sits: alone, between letters (so no strip() removes it), as a cue with a line under
# it, as a heading, as a Chinese speaker, inside a bracket, after an episode marker.
CONTEXTS = {
    "alone": ("", ""),
    "inside": ("x", "x"),
    "cue": ("\nBOB", "\nhello\n"),
    "heading": ("INT. ", " - NIGHT"),
    "speaker": ("张三", "：你好"),
    "bracket": ("【", ""),
    "paren": ("张三（", "）：好"),
    "episode": ("第1集 ", ""),
    "scene": ("1-1 ", " 日 内"),
}


def fill(unit: str, prefix: str, suffix: str, size: int = SCENE_LIMIT) -> str:
    """prefix + unit repeated + suffix, exactly `size` characters."""
    room = size - len(prefix) - len(suffix)
    body = (unit * (room // len(unit) + 1))[:room]
    return prefix + body + suffix


def hostile_texts(size: int = SCENE_LIMIT) -> Iterator[tuple[str, str]]:
    """(name, text) for every mark in every context, plus the same marks one per line."""
    for unit in RUNS + PIECES:
        for context, (prefix, suffix) in CONTEXTS.items():
            yield f"{unit!r} {context}", fill(unit, prefix, suffix, size)
        # Many short lines: what costs per line (or per pair of lines) shows up here.
        yield f"{unit!r} lines", fill(unit + "\n", "", "", size)
        yield f"{unit!r} paragraphs", fill(unit + "\n\n", "", "", size)


def ordinary_text(fmt: str, size: int = SCENE_LIMIT) -> str:
    """Real script of the same size: the sample file repeated."""
    name = "rebirth_revenge_zh.txt" if fmt == "zh" else "contract_heiress.fountain"
    sample = (SAMPLES / name).read_text(encoding="utf-8")
    return fill(sample + "\n", "", "", size)
