"""Scene texts built to hurt a parser: long runs of one mark, in the places each format looks at.

Shared by tests/test_hardening_parsers.py (a chosen few, with a time bound) and bench/parsers.py (all
of them, timed against ordinary script of the same size). Every text is exactly `size` characters,
the scene limit by default, so what is measured is the worst a writer can save in one scene.
The pairs further down are two versions of one scene built to hurt a diff (repeated lines), for
tests/test_hardening_diffs.py and bench/diffs.py.
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


# ------------------------------------------------------------------ pairs of texts built to hurt a diff

MAX_LINES = 20_000  # settings.SCENE_TEXT_MAX_LINES: a scene holds fewer newlines than this
HEADING = "1-1 日 内 客厅\n"


def hostile_diff_pairs() -> Iterator[tuple[str, str, str]]:
    """(name, old, new): two versions of one scene at the scene limit (each under 200,000 characters
    and 20,000 lines) made of repeated lines, where difflib's longest-match search is cubic."""
    n = MAX_LINES - 10
    # The audit's pair: a scene of "△" lines retyped with every other line edited (difflib: 80 s at 2,000).
    yield "△ lines, every other edited", HEADING + "△\n" * n, HEADING + "△\n△x\n" * (n // 2)
    # The same at the character limit: lines of nine marks.
    yield (
        "long △ lines, every other edited",
        HEADING + ("△" * 9 + "\n") * n,
        HEADING + ("△" * 9 + "\n" + "△" * 8 + "x\n") * (n // 2),
    )
    # Two repeated lines alternating, shifted by one: every line equal to half the other side.
    yield "alternating lines, shifted", HEADING + "△a\n△b\n" * (n // 2), HEADING + "△b\n△a\n" * (n // 2)
    # Blank lines everywhere (Fountain's paragraphs), the words between them all changed.
    yield "paragraphs, every word changed", "a\n\n" * (n // 2), "b\n\n" * (n // 2)
    # Unique lines every 40 lines with repeated runs between: patience diff finds anchors, every gap is
    # the pathological case again, and the gaps share one budget.
    yield (
        "anchored runs, every other edited",
        "".join(f"{k}-1 日 内 客厅\n" + "△\n" * 39 for k in range(n // 40)),
        "".join(f"{k}-1 日 内 客厅\n" + "△\n△x\n" * 19 + "△\n" for k in range(n // 40)),
    )
    # Every line unique, in reverse order: the longest edit script there is, and patience's worst order.
    yield (
        "unique lines reversed",
        "".join(f"△{k}\n" for k in range(n)),
        "".join(f"△{k}\n" for k in reversed(range(n))),
    )
    # Half the scene deleted from the middle of repeated lines, and a line typed where it was.
    yield "repeated lines, half deleted", "△\n" * n, "△\n" * (n // 4) + "x\n" + "△\n" * (n // 4)
    # One line of 200,000 characters against its edit: no line structure to use at all.
    yield "one long line", "a" * (SCENE_LIMIT - 1), ("ab" * SCENE_LIMIT)[: SCENE_LIMIT - 1]
    # Lines drawn at random from four, on both sides: long equal runs nowhere, short ones everywhere.
    yield "random repeated lines", _random_lines(n, seed=1), _random_lines(n, seed=2)


def _random_lines(count: int, *, seed: int) -> str:
    import random

    pick = random.Random(seed).choice
    return "".join(pick(("△\n", "△x\n", "\n", "张三：好\n")) for _ in range(count))


def hostile_short_pairs() -> Iterator[tuple[str, str, str]]:
    """(name, old, new): short one-line scenes (1,200 characters together) unlike by lines, which
    are compared character by character (difflib took 2 s for the first)."""
    yield "a, against ab", "a" * 600, "ab" * 300
    yield "△a, against △b△a", "△a" * 300, "△b△a" * 150
    yield "a line said again, edited", "张三：好。" * 120, "张三：不好。" * 100


def ordinary_revision(text: str, *, every: int = 50) -> str:
    """An ordinary writer's pass over a long scene: every `every`th line rewritten in its middle, a
    line cut a little after it and a new one added a little before, so about 2 lines in 50 change."""
    lines = text.splitlines(keepends=True)
    out = []
    for k, line in enumerate(lines):
        if k % every == every // 2:
            out.append("△她回头看了一眼。\n")
        if k % every == every - 3:
            continue
        out.append(line[: len(line) // 2] + "（改）" + line[len(line) // 2 :] if k % every == 0 else line)
    return "".join(out)


def ordinary_scene(fmt: str, size: int = SCENE_LIMIT) -> str:
    """Ordinary script of the same size for a diff: the sample file repeated, each copy's heading
    numbered, as scenes are (a diff anchors on the lines that occur once; the plain repetition of
    ordinary_text has none, which no real script is like)."""
    name = "rebirth_revenge_zh.txt" if fmt == "zh" else "contract_heiress.fountain"
    sample = (SAMPLES / name).read_text(encoding="utf-8") + "\n"
    copies, k = [], 0
    while sum(map(len, copies)) < size:
        k += 1
        heading = f"{k}-1 日 内 客厅\n" if fmt == "zh" else f"INT. ROOM {k} - DAY\n\n"
        copies.append(heading + sample)
    return "".join(copies)[:size]
