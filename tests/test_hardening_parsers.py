"""Hostile text costs linear time: every parser and the detector, fuzzed and fed the worst marks.

Run without a database (-p no:django works too). Time bounds are CPU seconds of this process, so a
busy machine does not fail them; an interval timer stops a runaway parse instead of hanging the run.
bench/parsers.py measures the same texts against ordinary script (docs/benchmarks.md).
"""

from __future__ import annotations

import html
import io
import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts_app.collab import episode_text
from scripts_app.formats import detect, docx, fdx, fountain, zh
from scripts_app.formats.elements import Kind

from .hostile_text import CONTEXTS, SCENE_LIMIT, fill

# A generous bound: the bench's target for the worst scene is 0.2 s, the old code took 5-40 s.
SECONDS_PER_SCENE = 1.5


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError once this process has used `seconds` of CPU (the regex engine checks signals)."""

    def stop(_signum, _frame) -> None:
        raise TimeoutError(f"over {seconds} s of CPU")

    previous = signal.signal(signal.SIGVTALRM, stop)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def cpu_seconds(function: Callable, text: str | bytes, *, limit: float = SECONDS_PER_SCENE) -> float:
    started = time.process_time()
    with cpu_limit(limit * 3):
        function(text)
    return time.process_time() - started


def detect_quietly(text: str) -> None:
    try:
        detect.detect_format(text)
    except detect.ScriptFormatError:
        pass


def as_fdx(text: str, *, title_page: bool = True) -> bytes:
    """The text's lines as Final Draft paragraphs of the types read differently (and as a title page)."""
    types = ("Action", "Character", "General", "Scene Heading", "Dialogue", "New Act", "Parenthetical")
    body = "".join(
        f'<Paragraph Type="{types[n % len(types)]}"><Text>{escape(line)}</Text></Paragraph>'
        for n, line in enumerate(text.split("\n"))
    )
    title = f"<TitlePage>{body}</TitlePage>" if title_page else ""
    return f"<FinalDraft>{title}<Content>{body}</Content></FinalDraft>".encode()


PARSERS: dict[str, Callable[[str], object]] = {
    "zh": zh.parse,
    "fountain": fountain.parse,
    "detector": detect_quietly,
    "fdx": lambda text: fdx.parse(as_fdx(text)),
    "zh scenes": lambda text: episode_text.split(text, "zh"),
    "fountain scenes": lambda text: episode_text.split(text, "fountain"),
    "emphasis": fountain.strip_emphasis,
}

# ------------------------------------------------------------------------ the attacks


def test_it_reads_a_bracket_followed_by_thousands_of_spaces_at_once() -> None:
    for line in ("【" + " " * 5000 + "x", "[" + " " * 5000 + "x", "张三（" + " " * 5000 + "x"):
        assert cpu_seconds(zh.parse, line + "\n") < 0.2, line[:3]


def test_it_reads_emphasis_marks_that_never_close_in_linear_time() -> None:
    line = '"*_a' * 16_000
    assert cpu_seconds(fountain.strip_emphasis, line) < 0.2
    assert cpu_seconds(fountain.parse, "\n" + line + "\n") < 0.2


def test_nested_emphasis_comes_off_in_one_pass() -> None:
    # One layer per regex pass made this quadratic: 30,000 nested underlines, 30,000 passes.
    line = "_a " * 30_000 + "x" + " a_" * 30_000
    assert cpu_seconds(fountain.strip_emphasis, line) < 0.5
    assert "_" not in fountain.strip_emphasis(line)


def test_emphasis_renders_as_html_with_everything_else_escaped() -> None:
    tags = {
        "*": ("<em>", "</em>"),
        "**": ("<b>", "</b>"),
        "***": ("<b><em>", "</em></b>"),
        "_": ("<u>", "</u>"),
    }
    rendered = fountain.apply_emphasis(
        "The *door* is **_very_** heavy, \\*not\\* <img src=x onerror=alert(1)> ***ok*** snake_case",
        tags=tags,
        plain=html.escape,
    )
    assert rendered == (
        "The <em>door</em> is <b><u>very</u></b> heavy, *not* &lt;img src=x onerror=alert(1)&gt; "
        "<b><em>ok</em></b> snake_case"
    )


def test_it_reads_a_cue_with_ten_thousand_extensions_at_once() -> None:
    for tail in ("", " x", "("):
        text = "\nBOB" + " (a)" * 10_000 + tail + "\nHello.\n"
        assert cpu_seconds(fountain.parse, text) < 0.2, repr(tail)
    cue = fountain.parse("\nBOB" + " (a)" * 10_000 + "\nHello.\n").episodes[0].elements[0]
    assert (cue.kind, cue.text) == (Kind.CHARACTER, "BOB")


def test_the_detector_reads_a_forty_thousand_character_line_at_once() -> None:
    for line in ("A" + " " * 40_000 + "x", "A" + " (a)" * 10_000 + "x", "BOB" + " " * 40_000 + "^x"):
        assert cpu_seconds(detect_quietly, "\n" + line + "\nx\n") < 0.2, line[:5]


def test_a_heading_of_spaces_and_dashes_splits_at_once() -> None:
    heading = fountain.parse("\nINT. A" + " " * 50_000 + "B - NIGHT\n").episodes[0].elements[0]
    assert cpu_seconds(lambda _: fountain.heading_parts(heading), "") < 0.2
    assert fountain.heading_parts(heading).time_of_day == "NIGHT"
    assert cpu_seconds(fountain.parse, "\nINT. HOUSE" + " " * 100_000 + "x #1#\n") < 0.2


def test_a_line_of_fifty_thousand_flashback_markers_neither_recurses_nor_copies() -> None:
    elements = zh.parse("【闪回】" * 50_000 + "张明想起。\n").episodes[0].elements
    assert len(elements) == 50_001
    assert cpu_seconds(zh.parse, "【闪回】" * 50_000 + "x\n") < SECONDS_PER_SCENE


def test_notes_alternating_with_transitions_are_scanned_once() -> None:
    assert cpu_seconds(fountain.parse, fill("[[\n>\n", "", "")) < SECONDS_PER_SCENE


def test_a_title_page_of_a_hundred_thousand_paragraphs_reads_in_linear_time() -> None:
    paragraphs = '<Paragraph Alignment="Center"><Text>x</Text></Paragraph>' * 100_000
    data = f"<FinalDraft><TitlePage>{paragraphs}</TitlePage><Content/></FinalDraft>".encode()
    started = time.process_time()
    with cpu_limit(10):
        fdx.parse(data)
    assert time.process_time() - started < 3


def test_numbers_of_thousands_of_digits_are_too_large_not_an_error() -> None:
    doc = zh.parse("第" + "9" * 5000 + "集 太长\n△x\n")
    assert doc.episodes[0].number >= 10**18
    doc = fountain.parse("# Episode " + "9" * 5000 + "\n\nx\n")
    assert doc.episodes[0].number >= 10**18


# ---------------------------------------------------------------- every mark at the scene limit


SCENE_PARSERS = sorted(set(PARSERS) - {"fdx"})  # an FDX file is an upload, bounded in bytes, not a scene


@pytest.mark.parametrize("mark", [" ", "*", "_", "(", "【"])
@pytest.mark.parametrize("parser", SCENE_PARSERS)
def test_a_scene_of_one_repeated_mark_parses_within_the_bound(mark: str, parser: str) -> None:
    texts = {f"{context} line": fill(mark, prefix, suffix) for context, (prefix, suffix) in CONTEXTS.items()}
    texts["lines"] = fill(mark + "\n", "", "")
    texts["paragraphs"] = fill(mark + "\n\n", "", "")
    for name, text in texts.items():
        assert len(text) == SCENE_LIMIT
        seconds = cpu_seconds(PARSERS[parser], text)
        assert seconds < SECONDS_PER_SCENE, f"{parser} on {mark!r} {name}: {seconds:.2f} s"


def test_an_fdx_file_at_the_upload_limit_of_one_repeated_mark_parses_within_the_bound() -> None:
    limit = 5 * 1024 * 1024  # settings.SCRIPT_UPLOAD_MAX_BYTES
    for mark in (" ", "*", "_", "(", "【"):
        for unit in (mark, mark + "\n"):
            per_char = len(as_fdx(fill(unit, "", "", 1000), title_page=False)) / 1000
            data = as_fdx(fill(unit, "", "", int(limit / per_char) - 100), title_page=False)
            assert len(data) <= limit
            assert cpu_seconds(fdx.parse, data, limit=3) < 3, repr(unit)


# ------------------------------------------------------------------------------------ fuzzing

# The pieces script syntax is made of, so that fuzzing reaches headings, cues, brackets and notes.
TOKENS = [
    "\n", "\n\n", " ", "  ", "\t", "\u3000", "*", "**", "_", "(", ")", "（", "）", "【", "】", "[", "]", "[[",
    "]]", "/*", "*/", "#", "#1#", "@", "!", ">", "<", "=", "===", ":", "：", "^", "~", "\\", "-", ".", "。",
    "INT. ", "EXT. ", "I/E ", "BOB", "MARY (V.O.)", "(CONT'D)", "CUT TO:", "# Episode 2", "第2集 ", "第一集",
    "1-1 ", "日 内 ", "场景：", "人物：", "△", "张明：", "张父（冷笑）：", "（OS）", "【闪回】",
    "【闪回结束】", "【字幕：", "VO：", "备注：", "转场", "Title: ",
    "a", "A", "1", "一", "张", "\r", "\ufeff", "\x0b",
]  # fmt: skip
script_text = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=60).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(script_text)
def test_no_parser_fails_on_any_text(text: str) -> None:
    for name in ("zh", "fountain", "zh scenes", "fountain scenes", "emphasis"):
        PARSERS[name](text)
    try:
        fmt = detect.detect_format(text)
    except detect.ScriptFormatError:
        return
    detect.parse(text, fmt)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(script_text)
def test_what_a_parser_reads_it_writes_back_the_same(text: str) -> None:
    for parse, serialise in ((zh.parse, zh.serialise), (fountain.parse, fountain.serialise)):
        doc = parse(text)
        assert parse(serialise(doc)) == doc


@settings(max_examples=200)
@given(script_text)
def test_fdx_and_docx_refuse_or_read_anything(text: str) -> None:
    for data in (
        as_fdx(text),
        text.encode("utf-8", "surrogatepass"),
        b"PK" + text.encode("utf-8", "replace"),
    ):
        try:
            fdx.parse(data)
        except detect.ScriptFormatError:
            pass
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", text)
    for data in (archive.getvalue(), b"PK" + text.encode("utf-8", "replace")):
        try:
            docx.read_text(data)
        except detect.ScriptFormatError:
            pass


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_decoding_any_bytes_gives_text_or_a_message(data: bytes) -> None:
    try:
        assert isinstance(detect.decode_bytes(data), str)
    except detect.ScriptFormatError as exc:
        assert str(exc)


def _scaling(function: Callable[[str], object], unit: str) -> float:
    """How much longer ten times the text takes (10 when linear, 100 when quadratic)."""
    small, large = fill(unit, "", "", 10_000), fill(unit, "", "", 100_000)
    best_small = min(cpu_seconds(function, small) for _ in range(3))
    best_large = min(cpu_seconds(function, large) for _ in range(3))
    return best_large / max(best_small, 1e-3)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=4).map("".join), st.sampled_from(sorted(PARSERS))
)
def test_any_repeated_piece_of_syntax_costs_linear_time(unit: str, parser: str) -> None:
    assert _scaling(PARSERS[parser], unit) < 40, f"{parser} on {unit!r} repeated"
