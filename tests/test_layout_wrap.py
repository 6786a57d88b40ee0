"""Column counting, wrapping and kinsoku (scripts_app.layout.wrap)."""

from __future__ import annotations

import random

from scripts_app.layout.wrap import NO_LINE_END, NO_LINE_START, clean, columns, ends_sentence, wrap


def test_full_width_characters_count_two_columns() -> None:
    assert columns("ABC") == 3
    assert columns("张明") == 4
    assert columns("ＡＢ") == 4  # full-width Latin (F)
    assert columns("△") == 1 and columns("△", ambiguous_wide=True) == 2


def test_latin_wraps_at_spaces_within_the_width() -> None:
    text = "The quick brown fox jumps over the lazy dog " * 10
    lines = wrap(text, 35)
    assert all(len(line) <= 35 for line in lines)
    assert " ".join(lines).split() == text.split()


def test_a_word_longer_than_the_line_is_cut() -> None:
    lines = wrap("x" * 90, 35)
    assert [len(line) for line in lines] == [35, 35, 20]


def test_chinese_wraps_per_character_with_kinsoku() -> None:
    rng = random.Random(3)
    alphabet = "我你他的了是不在有这个人来到说，。！？、；：）」』】（「『【"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(20, 200)))
        lines = wrap(text, 20, ambiguous_wide=True)
        assert "".join(lines) == text
        assert all(columns(line, True) <= 20 or len(line) == 1 for line in lines[:-1] + lines[-1:])
        for line in lines[1:]:
            # a line may start with a closer only when a whole line of closers forced a cut
            assert line[0] not in NO_LINE_START or all(c in NO_LINE_START for c in line)
        for line in lines[:-1]:
            assert line[-1] not in NO_LINE_END or all(c in NO_LINE_END for c in line)


def test_no_line_starts_with_chinese_punctuation() -> None:
    text = "他说：“你回来了。”她没有回答，只是看着窗外。雨，一直在下！"
    for width in range(6, 30):
        for line in wrap(text, width, ambiguous_wide=True)[1:]:
            assert line[0] not in "，。！？、；：”"


def test_hanging_indent_narrows_later_lines() -> None:
    lines = wrap("张父：" + "你还知道回来？" * 10, 40, hang=6, ambiguous_wide=True)
    assert columns(lines[0], True) <= 40
    assert all(columns(line, True) <= 34 for line in lines[1:])


def test_mixed_latin_and_chinese() -> None:
    lines = wrap("他打开 MacBook Pro 看了一眼 email 然后关上。" * 3, 24, ambiguous_wide=True)
    assert all(columns(line, True) <= 24 for line in lines)
    assert "MacBook" in "".join(lines)


def test_control_characters_and_line_breaks_are_cleaned() -> None:
    assert clean("a\tb\nc\u2028d\x00e\u200b") == "a b c de"
    assert "\n" not in "".join(wrap("one\ntwo\rthree\u2029four", 60))


def test_sentence_ends() -> None:
    assert ends_sentence("He left.") and ends_sentence("Really?!") and ends_sentence('"Go."')
    assert ends_sentence("你还知道回来？") and ends_sentence("我受够了！”")
    assert not ends_sentence("and then") and not ends_sentence("Talk to Mr.")
