"""Runtime rules of thumb: page-a-minute for screenplays, characters-per-second for Chinese."""

from __future__ import annotations

import pytest

from scripts_app.formats import fountain, zh
from scripts_app.formats.elements import Element, Kind
from scripts_app.formats.runtime import estimate_seconds, screenplay_lines

from .sample_scripts import SAMPLES


@pytest.mark.parametrize("fmt", ["fountain", "zh"])
def test_nothing_takes_no_time(fmt: str) -> None:
    assert estimate_seconds([], fmt) == 0


# ------------------------------------------------------------------ screenplay


def test_it_counts_printed_lines_per_element() -> None:
    elements = [
        Element(Kind.SCENE_HEADING, "INT. ROOM - DAY"),  # blank + 1
        Element(Kind.ACTION, "x" * 120),  # blank + 2 (60 columns)
        Element(Kind.CHARACTER, "BOB"),  # blank + 1
        Element(Kind.PARENTHETICAL, "y" * 30),  # 2 (25 columns), no blank
        Element(Kind.DIALOGUE, "z" * 70 + "\nshort"),  # 2 + 1 (35 columns), no blank
        Element(Kind.TRANSITION, "CUT TO:"),  # blank + 1
    ]
    assert screenplay_lines(elements) == 2 + 3 + 2 + 2 + 3 + 2


def test_a_full_page_is_about_a_minute() -> None:
    # Each one-line action paragraph prints 2 lines with its blank; 27 of them plus a
    # heading (2 lines) make 56 lines, about one page.
    page = [Element(Kind.SCENE_HEADING, "INT. ROOM - DAY")] + [Element(Kind.ACTION, "She waits.")] * 27
    assert screenplay_lines(page) == 56
    assert estimate_seconds(page, "fountain") == 61


def test_chinese_characters_take_two_columns_in_a_screenplay() -> None:
    assert screenplay_lines([Element(Kind.ACTION, "好" * 30)]) == 2  # blank + 1 line of 60 columns
    assert screenplay_lines([Element(Kind.ACTION, "好" * 31)]) == 3


def test_unprinted_elements_take_no_room() -> None:
    elements = [
        Element(Kind.NOTE, "x" * 500),
        Element(Kind.SECTION, "Act One", level=2),
        Element(Kind.SYNOPSIS, "y" * 500),
        Element(Kind.PAGE_BREAK),
    ]
    assert screenplay_lines(elements) == 0
    assert estimate_seconds(elements, "fountain") == 0


def test_the_screenplay_sample_runs_a_few_minutes_per_episode() -> None:
    doc = fountain.parse((SAMPLES / "contract_heiress.fountain").read_text(encoding="utf-8"))
    seconds = [estimate_seconds(ep.elements, "fountain") for ep in doc.episodes]
    assert all(60 <= s <= 240 for s in seconds), seconds


# ------------------------------------------------------------------ Chinese


def test_chinese_dialogue_action_and_headings_have_their_own_rates() -> None:
    elements = [
        Element(Kind.SCENE_HEADING, "日 内 客厅", scene_number="1-1"),  # 2 s
        Element(Kind.CAST, "张明、张父"),  # not on screen
        Element(Kind.ACTION, "他" * 80),  # 80 / 8 = 10 s
        Element(Kind.CHARACTER, "张明"),  # the name is not spoken
        Element(Kind.DIALOGUE, "你" * 40),  # 40 / 4 = 10 s
        Element(Kind.VOICE_OVER, "那" * 8),  # spoken: 2 s
        Element(Kind.NOTE, "不算" * 100),
    ]
    assert estimate_seconds(elements, "zh") == 24


def test_whitespace_does_not_count_but_full_width_punctuation_does() -> None:
    assert estimate_seconds([Element(Kind.DIALOGUE, "走 吧 \n ！")], "zh") == 1  # 3 chars / 4 per s
    assert estimate_seconds([Element(Kind.DIALOGUE, "走吧，快走！")], "zh") == 2  # 6 chars / 4 per s
    assert estimate_seconds([Element(Kind.DIALOGUE, "走" * 10)], "zh") == 3  # 2.5 s rounds up


def test_the_chinese_sample_episodes_are_micro_drama_length() -> None:
    doc = zh.parse((SAMPLES / "rebirth_revenge_zh.txt").read_text(encoding="utf-8"))
    seconds = [estimate_seconds(ep.elements, "zh") for ep in doc.episodes]
    assert all(10 <= s <= 180 for s in seconds), seconds


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown script format"):
        estimate_seconds([], "fdx")
