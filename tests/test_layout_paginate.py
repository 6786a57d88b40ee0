"""Pagination rules for printed scripts (scripts_app.layout), no PDF involved."""

from __future__ import annotations

import pytest

from scripts_app.formats.elements import Element, EpisodeText, Kind, ScriptDocument
from scripts_app.layout import (
    ElementMeta,
    Page,
    Revision,
    ShootingScriptOptions,
    get_profile,
    next_revision_color,
    paginate,
)
from scripts_app.layout.wrap import NO_LINE_START, columns

MARGIN_KINDS = {"scene_number", "revision_mark", "provenance", "page_number", "header", "revision_header"}
LETTER = get_profile("letter")


def body(page: Page) -> list:
    """Text lines in the body area, in reading order."""
    lines = [ln for ln in page.lines if ln.row is not None and ln.row >= 0 and ln.kind not in MARGIN_KINDS]
    return sorted(lines, key=lambda ln: (ln.row, ln.x_in))


def action_lines(n: int, tag: str = "a") -> Element:
    """An action element that wraps to exactly ``n`` lines at 60 columns."""
    return Element(Kind.ACTION, " ".join([tag * 58] * n))


def filler(rows: int) -> list[Element]:
    """One-line action elements occupying about ``rows`` rows (each takes a line and a blank)."""
    return [Element(Kind.ACTION, f"Filler line {i}.") for i in range(max(rows // 2, 0))]


def pages_of(elements: list[Element], **opts) -> list[Page]:
    return paginate(elements, ShootingScriptOptions(**opts)).pages


FILL_RANGE = range(30, 60)


@pytest.mark.parametrize("fill", FILL_RANGE)
def test_it_never_leaves_a_heading_alone_at_the_foot(fill: int) -> None:
    els = filler(fill) + [
        Element(Kind.SCENE_HEADING, "INT. KITCHEN - NIGHT", scene_number="7"),
        action_lines(5),
    ]
    for page in pages_of(els):
        lines = body(page)
        assert lines[-1].kind != Kind.SCENE_HEADING
    all_lines = [ln for p in pages_of(els) for ln in body(p)]
    kinds = [ln.kind for ln in all_lines]
    i = kinds.index(Kind.SCENE_HEADING)
    assert kinds[i + 1] == Kind.ACTION


@pytest.mark.parametrize("fill", FILL_RANGE)
def test_it_never_starts_a_page_with_a_transition(fill: int) -> None:
    els = filler(fill) + [
        Element(Kind.CHARACTER, "ANNA"),
        Element(Kind.DIALOGUE, "I said no."),
        Element(Kind.TRANSITION, "CUT TO:"),
        Element(Kind.SCENE_HEADING, "EXT. ROOF - DAY", scene_number="8"),
        action_lines(2),
    ]
    pages = pages_of(els)
    for page in pages:
        assert body(page)[0].kind != Kind.TRANSITION


@pytest.mark.parametrize("fill", FILL_RANGE)
def test_it_keeps_an_action_block_of_three_lines_together(fill: int) -> None:
    els = filler(fill) + [action_lines(3, "z"), action_lines(1)]
    pages = pages_of(els)
    holders = [p.number for p in pages for ln in body(p) if ln.text.startswith("z")]
    assert len(holders) == 3 and len(set(holders)) == 1


@pytest.mark.parametrize("fill", FILL_RANGE)
def test_it_splits_a_long_action_block_only_with_two_lines_on_each_side(fill: int) -> None:
    els = filler(fill) + [action_lines(8, "z")]
    pages = pages_of(els)
    counts = [sum(ln.text.startswith("z") for ln in body(p)) for p in pages]
    counts = [c for c in counts if c]
    assert sum(counts) == 8
    assert all(c >= 2 for c in counts)


def long_speech(sentences: int = 40) -> list[Element]:
    text = " ".join(f"This is sentence number {i} of a very long speech." for i in range(sentences))
    return [
        Element(Kind.SCENE_HEADING, "INT. COURTROOM - DAY", scene_number="3"),
        Element(Kind.CHARACTER, "PROSECUTOR", extension="O.S."),
        Element(Kind.PARENTHETICAL, "rising"),
        Element(Kind.DIALOGUE, text),
    ]


@pytest.mark.parametrize("fill", [0, 11, 24, 37, 48])
def test_a_speech_longer_than_a_page_breaks_at_a_sentence_with_more_and_contd(fill: int) -> None:
    pages = pages_of(filler(fill) + long_speech(60))
    assert len(pages) >= 2
    seen_more = 0
    for page, nxt in zip(pages, pages[1:], strict=False):
        lines = body(page)
        if lines[-1].kind != "more":
            continue
        seen_more += 1
        assert lines[-1].text == "(MORE)"
        assert abs(lines[-1].x_in - LETTER.character_in) < 1e-9
        before = [ln for ln in lines if ln.kind == Kind.DIALOGUE]
        assert before[-1].text.rstrip().endswith(".")
        # at least two lines of this speech's dialogue on each side of the break
        assert len(before) >= 2
        first = body(nxt)
        assert first[0].kind == "contd" and first[0].text == "PROSECUTOR (CONT'D)"
        assert abs(first[0].x_in - LETTER.character_in) < 1e-9
        assert sum(ln.kind == Kind.DIALOGUE for ln in first) >= 2
    assert seen_more >= 1


def test_dialogue_without_a_sentence_end_is_moved_whole_rather_than_split() -> None:
    text = " ".join(["and then"] * 40)  # about ten lines with no sentence end until the last
    els = filler(46) + [Element(Kind.CHARACTER, "BEN"), Element(Kind.DIALOGUE, text + ".")]
    pages = pages_of(els)
    assert not any(ln.kind == "more" for p in pages for ln in p.lines)
    holders = {p.number for p in pages for ln in body(p) if ln.kind in (Kind.CHARACTER, Kind.DIALOGUE)}
    assert len(holders) == 1


def test_a_cue_is_never_left_alone_at_the_foot() -> None:
    for fill in FILL_RANGE:
        els = filler(fill) + [
            Element(Kind.CHARACTER, "BEN"),
            Element(Kind.PARENTHETICAL, "beat"),
            Element(Kind.DIALOGUE, "Fine. Fine. Fine. Fine."),
        ]
        for page in pages_of(els):
            assert body(page)[-1].kind not in (Kind.CHARACTER, Kind.PARENTHETICAL)


def test_letter_holds_55_lines_and_a4_57() -> None:
    els = [action_lines(200)]
    for profile, rows in (("letter", 55), ("a4", 57)):
        pages = pages_of(els, profile=profile)
        assert max(ln.row for ln in body(pages[0])) == rows - 1
        assert abs(pages[0].lines[0].y_in - 1.0) < 1e-9  # 1" top margin


def test_page_numbers_start_on_page_two_top_right() -> None:
    pages = pages_of([action_lines(200)])
    assert pages[0].label == ""
    assert not any(ln.kind == "page_number" for ln in pages[0].lines)
    for page in pages[1:]:
        (num,) = [ln for ln in page.lines if ln.kind == "page_number"]
        assert num.text == f"{page.number}." and num.align == "right"
        assert num.x_in == LETTER.right_in and abs(num.y_in - 0.5) < 1e-9


def test_elements_sit_at_the_profile_positions() -> None:
    els = [
        Element(Kind.SCENE_HEADING, "INT. HOUSE - NIGHT", scene_number="1"),
        Element(Kind.ACTION, "Rain."),
        Element(Kind.CHARACTER, "MIA"),
        Element(Kind.PARENTHETICAL, "whispering"),
        Element(Kind.DIALOGUE, "Go."),
        Element(Kind.TRANSITION, "CUT TO:"),
    ]
    for profile in ("letter", "a4"):
        p = get_profile(profile)
        x = {ln.kind: ln for ln in body(pages_of(els, profile=profile)[0])}
        assert x[Kind.SCENE_HEADING].x_in == 1.5 and x[Kind.ACTION].x_in == 1.5
        assert x[Kind.CHARACTER].x_in == 3.7
        assert x[Kind.PARENTHETICAL].x_in == 3.1 and x[Kind.PARENTHETICAL].text == "(whispering)"
        assert x[Kind.DIALOGUE].x_in == 2.5
        assert x[Kind.TRANSITION].align == "right" and x[Kind.TRANSITION].x_in == p.right_in


def test_action_wraps_at_60_columns_and_dialogue_at_35() -> None:
    words = "word " * 200
    els = [Element(Kind.ACTION, words), Element(Kind.CHARACTER, "A"), Element(Kind.DIALOGUE, words)]
    pages = pages_of(els)
    action = [ln for ln in body(pages[0]) if ln.kind == Kind.ACTION]
    assert all(55 <= len(ln.text) <= 60 for ln in action[:-1])
    for ln in body(pages[0]):
        if ln.kind == Kind.DIALOGUE:
            assert len(ln.text) <= 35


def test_dual_dialogue_sits_side_by_side() -> None:
    els = [
        Element(Kind.CHARACTER, "BRICK"),
        Element(Kind.DIALOGUE, "Screw retirement."),
        Element(Kind.CHARACTER, "STEEL", dual=True),
        Element(Kind.PARENTHETICAL, "grinning"),
        Element(Kind.DIALOGUE, "Screw retirement."),
    ]
    lines = body(pages_of(els)[0])
    cues = [ln for ln in lines if ln.kind == Kind.CHARACTER]
    assert [c.text for c in cues] == ["BRICK", "STEEL"]
    assert cues[0].row == cues[1].row and cues[0].x_in < 4.25 < cues[1].x_in
    dialogue = [ln for ln in lines if ln.kind == Kind.DIALOGUE]
    assert dialogue[0].x_in < 4.25 < dialogue[1].x_in
    assert all(columns(ln.text) <= LETTER.dual_cols for ln in dialogue)


def test_scene_numbers_print_in_both_margins() -> None:
    els = [Element(Kind.SCENE_HEADING, "EXT. PIER - DAWN", scene_number="12A"), Element(Kind.ACTION, "Fog.")]
    lines = pages_of(els)[0].lines
    heading = next(ln for ln in lines if ln.kind == Kind.SCENE_HEADING)
    nums = sorted((ln for ln in lines if ln.kind == "scene_number"), key=lambda ln: ln.x_in)
    assert [n.text for n in nums] == ["12A", "12A"]
    assert all(n.row == heading.row for n in nums)
    assert 0.75 <= nums[0].x_in <= 1.0 and abs(nums[1].x_in - 7.4) < 0.05
    assert not any(ln.kind == "scene_number" for ln in pages_of(els, scene_numbers=False)[0].lines)


def test_changed_lines_get_an_asterisk_and_others_do_not() -> None:
    els = [
        Element(Kind.ACTION, "Unchanged."),
        action_lines(3, "r"),
        Element(Kind.CHARACTER, "ZOE"),
        Element(Kind.DIALOGUE, "Also changed."),
    ]
    meta = [ElementMeta(), ElementMeta(), ElementMeta(), ElementMeta(revised=True)]
    result = paginate(els, ShootingScriptOptions(revised=frozenset({1})), meta)
    page = result.pages[0]
    marks = {ln.row for ln in page.lines if ln.kind == "revision_mark"}
    changed = {ln.row for ln in body(page) if ln.text.startswith("r") or ln.text == "Also changed."}
    assert marks == changed and len(marks) == 4
    stars = [ln for ln in page.lines if ln.kind == "revision_mark"]
    assert all(ln.x_in == LETTER.revision_mark_in and ln.text == "*" for ln in stars)
    assert page.revised


def test_omitted_scenes_keep_their_number_and_drop_their_body() -> None:
    els = [
        Element(Kind.SCENE_HEADING, "INT. A - DAY", scene_number="11"),
        Element(Kind.ACTION, "Kept."),
        Element(Kind.SCENE_HEADING, "INT. B - DAY", scene_number="12"),
        Element(Kind.ACTION, "Cut from the shoot."),
        Element(Kind.SCENE_HEADING, "INT. C - DAY", scene_number="13"),
        Element(Kind.ACTION, "Kept too."),
    ]
    for result in (
        paginate(els, ShootingScriptOptions(omitted_scenes=frozenset({"12"}))),
        paginate(els, None, [ElementMeta()] * 2 + [ElementMeta(omitted=True)] + [ElementMeta()] * 3),
    ):
        lines = result.pages[0].lines
        texts = [ln.text for ln in body(result.pages[0])]
        assert "OMITTED" in texts and "Cut from the shoot." not in texts and "Kept too." in texts
        row = next(ln.row for ln in lines if ln.text == "OMITTED")
        assert [ln.text for ln in lines if ln.kind == "scene_number" and ln.row == row] == ["12", "12"]


def test_an_omitted_scene_prints_the_word_the_options_give() -> None:
    els = [
        Element(Kind.SCENE_HEADING, "1-1 日 内 客厅", scene_number="1-1"),
        Element(Kind.SCENE_HEADING, "1-2 夜 外 天台", scene_number="1-2"),
        Element(Kind.ACTION, "△风很大。"),
    ]
    options = ShootingScriptOptions(profile="zh", omitted_scenes=frozenset({"1-2"}), omitted_text="已删除")
    texts = [ln.text for ln in body(paginate(els, options).pages[0])]
    assert "1-2 已删除" in texts and "OMITTED" not in " ".join(texts) and "△风很大。" not in texts


def test_header_and_revision_header_and_tint() -> None:
    eps = [EpisodeText(3, "The Deal", [action_lines(100)])]
    opts = ShootingScriptOptions(
        header="THE CONTRACT - Ep. {episode}: {title}", revision=Revision("pink", "2026-12-01")
    )
    pages = paginate(eps, opts).pages
    for page in pages:
        header = next(ln for ln in page.lines if ln.kind == "header")
        rev = next(ln for ln in page.lines if ln.kind == "revision_header")
        assert header.text == "THE CONTRACT - Ep. 3: The Deal"
        assert rev.text == "PINK REVISION - 2026-12-01" and rev.y_in < 1.0 and header.y_in < 1.0
        assert page.fill == "#ffe0ec"
    plain = paginate(eps, ShootingScriptOptions(revision=Revision("blue"), tint_pages=False)).pages
    assert plain[0].fill is None
    assert [ln.text for ln in plain[0].lines if ln.kind == "revision_header"] == ["BLUE REVISION"]


def test_revision_colours_follow_the_industry_order() -> None:
    assert next_revision_color("white") == "blue"
    assert next_revision_color("goldenrod") == "buff"
    assert next_revision_color("cherry") == "white"
    with pytest.raises(ValueError):
        Revision("purple")


def test_each_episode_starts_on_a_new_page_with_its_title() -> None:
    eps = [EpisodeText(n, f"Part {n}", [Element(Kind.ACTION, "Short.")]) for n in (1, 2, 3)]
    pages = paginate(eps).pages
    assert len(pages) == 3
    assert [body(p)[0].text for p in pages] == ["EPISODE 1: Part 1", "EPISODE 2: Part 2", "EPISODE 3: Part 3"]
    assert [p.episode for p in pages] == [1, 2, 3]
    assert len(paginate(eps, ShootingScriptOptions(episode_new_page=False)).pages) == 1


def test_a_page_break_element_forces_a_new_page() -> None:
    pages = pages_of([Element(Kind.ACTION, "One."), Element(Kind.PAGE_BREAK), Element(Kind.ACTION, "Two.")])
    assert [[ln.text for ln in body(p)] for p in pages] == [["One."], ["Two."]]


def test_notes_and_synopses_are_not_printed() -> None:
    els = [Element(Kind.NOTE, "secret"), Element(Kind.SYNOPSIS, "summary"), Element(Kind.ACTION, "Shown.")]
    assert [ln.text for ln in body(pages_of(els)[0])] == ["Shown."]


def test_title_page_comes_first_without_a_number() -> None:
    doc = ScriptDocument(
        title_page=[
            ("Title", "THE CONTRACT"),
            ("Credit", "Written by"),
            ("Author", "Li Na"),
            ("Draft date", "2026"),
        ],
        episodes=[EpisodeText(1, "", [action_lines(100)])],
    )
    pages = paginate(doc).pages
    assert pages[0].number == 0 and pages[0].label == ""
    texts = [ln.text for ln in pages[0].lines]
    assert texts[:3] == ["THE CONTRACT", "Written by", "Li Na"] and "2026" in texts
    assert pages[1].number == 1 and pages[2].label == "2."


def test_provenance_marks_only_in_review_copies() -> None:
    els = [Element(Kind.ACTION, t) for t in ("Human line.", "Model line.", "Edited.")]
    meta = [ElementMeta(provenance=p) for p in ("human", "ai", "ai_edited")]
    page = paginate(els, ShootingScriptOptions(show_provenance=True), meta).pages[0]
    marks = {ln.text: ln for ln in page.lines if ln.kind == "provenance"}
    assert set(marks) == {"AI", "AI-ED"} and all(m.x_in < 0.75 for m in marks.values())
    assert not any(ln.kind == "provenance" for ln in paginate(els, None, meta).pages[0].lines)


def test_a_chinese_name_in_an_english_script_counts_two_columns() -> None:
    els = [Element(Kind.CHARACTER, "林婉"), Element(Kind.DIALOGUE, "我回来了。" * 12)]
    lines = body(pages_of(els)[0])
    assert lines[0].text == "林婉"
    assert all(columns(ln.text) <= 35 for ln in lines if ln.kind == Kind.DIALOGUE)


# ----------------------------------------------------------------------------- Chinese


def zh_scene(n: int = 1, speech: str = "你还知道回来？") -> list[Element]:
    return [
        Element(Kind.SCENE_HEADING, "日 内 张家客厅", scene_number=f"1-{n}"),
        Element(Kind.CAST, "张明、张父"),
        Element(Kind.ACTION, "张明推门进来，手里攥着离婚协议。"),
        Element(Kind.CHARACTER, "张父"),
        Element(Kind.PARENTHETICAL, "放下酒杯"),
        Element(Kind.DIALOGUE, speech),
        Element(Kind.CHARACTER, "张明", extension="OS"),
        Element(Kind.DIALOGUE, "这一次，我不会再忍。"),
    ]


def test_zh_layout_has_bold_heading_cast_triangle_and_speaker_colon() -> None:
    eps = [EpisodeText(1, "离婚", zh_scene())]
    page = paginate(eps, ShootingScriptOptions(profile="zh")).pages[0]
    texts = [ln.text for ln in body(page)]
    assert texts == [
        "第1集 离婚",
        "1-1 日 内 张家客厅",
        "人物：张明、张父",
        "△张明推门进来，手里攥着离婚协议。",
        "张父：（放下酒杯）你还知道回来？",
        "张明（OS）：这一次，我不会再忍。",
    ]
    heading = next(ln for ln in body(page) if ln.kind == Kind.SCENE_HEADING)
    assert heading.bold and heading.x_in == 1.0


def test_zh_dialogue_wraps_with_a_hanging_indent_and_kinsoku() -> None:
    speech = "我等了你三年，三年！你知道这三年我是怎么过的吗？" * 6
    eps = [EpisodeText(1, "", zh_scene(speech=speech))]
    page = paginate(eps, ShootingScriptOptions(profile="zh")).pages[0]
    lines = [ln for ln in body(page) if ln.kind == Kind.DIALOGUE]
    first, *rest = [ln for ln in lines if ln.element == 3]
    assert first.text.startswith("张父：") and first.x_in == 1.0
    indent = columns("张父：") / 12
    assert rest and all(abs(ln.x_in - (1.0 + indent)) < 1e-9 for ln in rest)
    assert all(columns(ln.text, True) <= 75 - 6 for ln in rest)
    assert all(ln.text[0] not in NO_LINE_START for ln in lines)


@pytest.mark.parametrize("fill", range(20, 45))
def test_zh_never_leaves_a_heading_alone_at_the_foot(fill: int) -> None:
    els = [Element(Kind.ACTION, f"第{i}行。") for i in range(fill)] + zh_scene(2)
    pages = paginate(els, ShootingScriptOptions(profile="zh")).pages
    for page in pages:
        assert body(page)[-1].kind not in (Kind.SCENE_HEADING, Kind.CAST)


@pytest.mark.parametrize("fill", range(25, 40))
def test_zh_keeps_a_line_of_dialogue_with_its_speaker(fill: int) -> None:
    speech = "这件事，我不会就这么算了。" * 5  # three lines: never split
    els = [Element(Kind.ACTION, f"第{i}行。") for i in range(fill)] + zh_scene(2, speech)
    pages = paginate(els, ShootingScriptOptions(profile="zh")).pages
    holders = {p.number for p in pages for ln in body(p) if ln.element == 3 + fill}
    assert len(holders) == 1


def test_zh_page_numbers_print_at_the_foot() -> None:
    els = [Element(Kind.ACTION, "很长的一段动作描写。" * 200)]
    pages = paginate(els, ShootingScriptOptions(profile="zh")).pages
    assert len(pages) >= 2
    for page in pages:
        num = next(ln for ln in page.lines if ln.kind == "page_number")
        assert num.text == f"- {page.number} -" and num.y_in > 10.5 and num.align == "center"
    assert max(ln.row for ln in body(pages[0])) == get_profile("zh").lines_per_page - 1


def test_an_empty_script_gives_one_blank_page() -> None:
    pages = paginate([]).pages
    assert len(pages) == 1 and pages[0].number == 1
