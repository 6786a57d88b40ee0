"""Chinese micro-drama format: the three-episode sample, every variant, and hostile input."""

from __future__ import annotations

import random
import time

import pytest

from scripts_app.formats import zh
from scripts_app.formats.elements import (
    Element,
    EpisodeText,
    HeadingParts,
    Kind,
    ScriptDocument,
    speaking_characters,
)

from .sample_scripts import read


@pytest.fixture(scope="module")
def drama() -> ScriptDocument:
    return zh.parse(read("rebirth_revenge_zh.txt"))


def kinds(episode: EpisodeText, kind: Kind) -> list[Element]:
    return [el for el in episode.elements if el.kind == kind]


def one_line(line: str, episode: int | None = None) -> list[Element]:
    """Parse a single line, inside episode ``episode`` if given."""
    prefix = f"第{episode}集\n" if episode is not None else ""
    return zh.parse(prefix + line).episodes[0].elements


# ------------------------------------------------------------------ the sample file


def test_it_reads_three_episodes_with_their_numbers_and_titles(drama: ScriptDocument) -> None:
    assert [(ep.number, ep.title) for ep in drama.episodes] == [
        (1, "重生归来"),
        (2, "订婚宴上的耳光"),
        (3, ""),
    ]


def test_leading_title_lines_become_the_title_page(drama: ScriptDocument) -> None:
    assert drama.title_page == [("Title", "重生之豪门逆袭"), ("Author", "林墨")]


def test_scene_numbers_are_normalised_per_episode(drama: ScriptDocument) -> None:
    numbers = [[el.scene_number for el in kinds(ep, Kind.SCENE_HEADING)] for ep in drama.episodes]
    assert numbers == [["1-1", "1-2", "1-3"], ["2-1", "2-2", "2-3"], ["", "3-2"]]


def test_scene_headings_are_normalised_to_time_int_ext_location(drama: ScriptDocument) -> None:
    texts = [el.text for ep in drama.episodes for el in kinds(ep, Kind.SCENE_HEADING)]
    assert texts == [
        "日 内 张家客厅",
        "夜 外 天台",
        "日 内 张家书房",
        "黄昏 外 江边",
        "日 内外 车内",
        "夜 内 宴会厅",
        "医院走廊",
        "清晨 内 医院病房",
    ]


def test_it_lists_the_speaking_characters_per_episode(drama: ScriptDocument) -> None:
    assert [speaking_characters(ep.elements) for ep in drama.episodes] == [
        ["张明", "张父", "林婉"],
        ["林婉", "沈总", "保镖1", "约翰·史密斯", "张父"],
        ["张父", "张明", "林婉"],
    ]


def test_cast_lines_accept_any_colon_and_separator(drama: ScriptDocument) -> None:
    casts = [el.text for ep in drama.episodes for el in kinds(ep, Kind.CAST)]
    assert casts == ["张明、张父", "林婉、张明", "林婉、沈总、保镖1", "林婉、沈总、张父", "张明、张父、林婉"]


def test_it_keeps_dialogue_with_its_speaker(drama: ScriptDocument) -> None:
    els = drama.episodes[0].elements
    i = els.index(Element(Kind.CHARACTER, "张父"))
    assert els[i : i + 3] == [
        Element(Kind.CHARACTER, "张父"),
        Element(Kind.PARENTHETICAL, "放下酒杯"),
        Element(Kind.DIALOGUE, "你还知道回来？"),
    ]


def test_extensions_full_and_half_width(drama: ScriptDocument) -> None:
    cues = {(el.text, el.extension) for ep in drama.episodes for el in kinds(ep, Kind.CHARACTER)}
    assert {("张明", "OS"), ("林婉", "VO"), ("张明", "画外音")} <= cues


def test_bracket_cues(drama: ScriptDocument) -> None:
    ep1, ep2, ep3 = drama.episodes
    assert kinds(ep1, Kind.FLASHBACK_START) == [Element(Kind.FLASHBACK_START)]
    assert kinds(ep1, Kind.FLASHBACK_END) == [Element(Kind.FLASHBACK_END)]
    assert [el.text for el in kinds(ep1, Kind.CAPTION) + kinds(ep2, Kind.CAPTION)] == [
        "三年前",
        "沈氏集团 年度盛典",
    ]
    assert [el.text for el in kinds(ep2, Kind.VOICE_OVER) + kinds(ep3, Kind.VOICE_OVER)] == [
        "那一年，她什么都没有。",
        "有些债，总要还的。",
    ]
    assert kinds(ep2, Kind.NOTE) == [Element(Kind.NOTE, "这一巴掌是第一个爽点，必须拍特写。")]
    transitions = [el.text for ep in drama.episodes for el in kinds(ep, Kind.TRANSITION)]
    assert transitions == ["转场", "切至：宴会厅门口", "淡出"]


def test_action_lines_with_and_without_the_triangle(drama: ScriptDocument) -> None:
    actions = [el.text for el in kinds(drama.episodes[0], Kind.ACTION)]
    assert actions[:2] == ["张明推门进来，手里攥着离婚协议。", "茶几上摆着一瓶没开封的红酒。"]
    assert "屏幕上弹出一条消息：明天十点，民政局见。" in actions
    assert "【卡点】" in actions  # an unknown bracket cue is kept as written


def test_an_empty_speaker_line_takes_the_next_lines(drama: ScriptDocument) -> None:
    els = drama.episodes[1].elements
    i = els.index(Element(Kind.CHARACTER, "沈总"), 5)
    assert els[i : i + 3] == [
        Element(Kind.CHARACTER, "沈总"),
        Element(Kind.PARENTHETICAL, "举杯"),
        Element(Kind.DIALOGUE, "各位，今晚我有一件事要宣布。"),
    ]


def test_a_speaker_line_with_only_a_direction_does_not_take_the_next_line(drama: ScriptDocument) -> None:
    assert drama.episodes[2].elements[-4:] == [
        Element(Kind.CHARACTER, "张明"),
        Element(Kind.PARENTHETICAL, "沉默"),
        Element(Kind.ACTION, "张明转身离开。"),
        Element(Kind.TRANSITION, "淡出"),
    ]


def test_round_trip_keeps_every_element(drama: ScriptDocument) -> None:
    text = zh.serialise(drama)
    assert zh.parse(text) == drama
    assert zh.serialise(zh.parse(text)) == text


def test_serialise_normalises_to_full_width(drama: ScriptDocument) -> None:
    lines = zh.serialise(drama).splitlines()
    assert "张父：（冷笑）你以为你是谁？" in lines
    assert "林婉（VO）：如果能重来一次，我绝不会嫁给他。" in lines
    assert "人物：林婉、张明" in lines
    assert "2-1 黄昏 外 江边" in lines
    assert "△屏幕上弹出一条消息：明天十点，民政局见。" in lines
    assert "第2集 订婚宴上的耳光" in lines
    assert not any(ch in line for line in lines for ch in "():")


# ------------------------------------------------------------------ headings


@pytest.mark.parametrize(
    ("line", "number", "text"),
    [
        ("1-1 日 内 张家客厅", "1-1", "日 内 张家客厅"),
        ("场1-1 日 内 房间", "1-1", "日 内 房间"),
        ("1 张三卧室 日内", "5-1", "日 内 张三卧室"),
        ("1-2 夜 外 天台", "1-2", "夜 外 天台"),
        ("1-3 内外 日 车内", "1-3", "日 内外 车内"),
        ("1-4 外内 夜 车内", "1-4", "夜 内外 车内"),
        ("2－1 黄昏/外/江边", "2-1", "黄昏 外 江边"),
        ("１-２ 凌晨 内景 仓库", "1-2", "凌晨 内 仓库"),
        ("第3场 深夜 外 巷口", "5-3", "深夜 外 巷口"),
        ("3、夜、内、卧室", "5-3", "夜 内 卧室"),
        ("5-7 张家客厅", "5-7", "张家客厅"),
        ("场景：医院走廊 夜", "", "夜 医院走廊"),
    ],
)
def test_heading_variants_are_normalised(line: str, number: str, text: str) -> None:
    assert one_line(line, episode=5) == [Element(Kind.SCENE_HEADING, text, scene_number=number)]


def test_a_bare_scene_number_takes_the_number_of_the_episode_it_ends_up_in() -> None:
    assert one_line("3 张家客厅 夜内") == [Element(Kind.SCENE_HEADING, "夜 内 张家客厅", scene_number="1-3")]
    doc = zh.parse("3 张家客厅 夜内\n第7集 开始\n4 天台 日外")
    assert [el.scene_number for el in doc.episodes[0].elements] == ["7-3", "7-4"]


@pytest.mark.parametrize("line", ["3个保镖冲进来。", "1. 他走了", "2 日后，张明出院。", "2024年，上海。"])
def test_lines_starting_with_a_number_are_not_headings(line: str) -> None:
    assert one_line(line, episode=1) == [Element(Kind.ACTION, line)]


@pytest.mark.parametrize(
    ("text", "number", "parts"),
    [
        ("日 内 张家客厅", "1-1", HeadingParts("1-1", "日", "内", "张家客厅")),
        ("黄昏 外 江边", "", HeadingParts("", "黄昏", "外", "江边")),
        ("医院走廊", "3-1", HeadingParts("3-1", "", "", "医院走廊")),
        ("张三卧室 日内", "", HeadingParts("", "日", "内", "张三卧室")),
    ],
)
def test_heading_parts(text: str, number: str, parts: HeadingParts) -> None:
    assert zh.heading_parts(Element(Kind.SCENE_HEADING, text, scene_number=number)) == parts


# ------------------------------------------------------------------ speakers


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "张父：（放下酒杯）你还知道回来？",
            [
                ("character", "张父", ""),
                ("parenthetical", "放下酒杯", ""),
                ("dialogue", "你还知道回来？", ""),
            ],
        ),
        (
            "张明（OS）：这一次，我不会再忍。",
            [("character", "张明", "OS"), ("dialogue", "这一次，我不会再忍。", "")],
        ),
        ("张明(VO):走吧", [("character", "张明", "VO"), ("dialogue", "走吧", "")]),
        ("张明（V.O.）：走吧", [("character", "张明", "VO"), ("dialogue", "走吧", "")]),
        ("张明（os）：走吧", [("character", "张明", "OS"), ("dialogue", "走吧", "")]),
        ("张明（内心OS）：走吧", [("character", "张明", "内心OS"), ("dialogue", "走吧", "")]),
        (
            "沈总（冷笑）：好久不见",
            [("character", "沈总", ""), ("parenthetical", "冷笑", ""), ("dialogue", "好久不见", "")],
        ),
        ("林婉：你（哽咽）还好吗？", [("character", "林婉", ""), ("dialogue", "你（哽咽）还好吗？", "")]),
        ("保镖1：是。", [("character", "保镖1", ""), ("dialogue", "是。", "")]),
        ("众人：恭喜！", [("character", "众人", ""), ("dialogue", "恭喜！", "")]),
    ],
)
def test_speaker_lines(line: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(el.kind.value, el.text, el.extension) for el in one_line(line)] == expected


@pytest.mark.parametrize(
    "line",
    [
        "他说：这不可能。",
        "她低声道：走。",
        "张明低声说：别回头。",
        "屏幕上弹出一条消息：明天十点，民政局见。",
        "手机屏幕 显示：未知号码",
        "时间：三年前",
        "https://example.com：链接",
    ],
)
def test_action_lines_with_a_colon_stay_action(line: str) -> None:
    assert one_line(line) == [Element(Kind.ACTION, line)]


# ------------------------------------------------------------------ episodes and cues


@pytest.mark.parametrize(
    ("line", "number", "title"),
    [
        ("第1集 重生归来", 1, "重生归来"),
        ("第十二集：真相", 12, "真相"),
        ("第１２集", 12, ""),
        ("第一百零五集 大结局", 105, "大结局"),
        ("第 3 集《重逢》", 3, "《重逢》"),
    ],
)
def test_episode_lines(line: str, number: int, title: str) -> None:
    doc = zh.parse(line)
    assert [(ep.number, ep.title) for ep in doc.episodes] == [(number, title)]


def test_a_word_starting_like_an_episode_is_action() -> None:
    assert one_line("第一集团的人冲了进来。") == [Element(Kind.ACTION, "第一集团的人冲了进来。")]


def test_lines_before_the_first_episode_join_it() -> None:
    doc = zh.parse("△黑屏。\n第1集 开始\n△天亮了。\n")
    assert [(ep.number, [el.text for el in ep.elements]) for ep in doc.episodes] == [
        (1, ["黑屏。", "天亮了。"])
    ]


def test_a_file_without_episode_lines_is_episode_one_titled_from_the_title_page() -> None:
    doc = zh.parse("剧名：逆袭\n1-1 日 内 客厅\n△张明坐下。\n")
    assert [(ep.number, ep.title) for ep in doc.episodes] == [(1, "逆袭")]
    assert zh.parse(zh.serialise(doc)) == doc


@pytest.mark.parametrize(
    ("line", "element"),
    [
        ("【闪回】", Element(Kind.FLASHBACK_START)),
        ("[回忆]", Element(Kind.FLASHBACK_START)),
        ("【闪回结束】", Element(Kind.FLASHBACK_END)),
        ("【字幕：三年前】", Element(Kind.CAPTION, "三年前")),
        ("【字幕:三年前】", Element(Kind.CAPTION, "三年前")),
        ("字幕：三年前", Element(Kind.CAPTION, "三年前")),
        ("【VO：那一年】", Element(Kind.VOICE_OVER, "那一年")),
        ("【画外音：那一年】", Element(Kind.VOICE_OVER, "那一年")),
        ("旁白：那一年", Element(Kind.VOICE_OVER, "那一年")),
        ("【转场】", Element(Kind.TRANSITION, "转场")),
        ("【转场：CUT TO】", Element(Kind.TRANSITION, "CUT TO")),
        ("切至：门口", Element(Kind.TRANSITION, "切至：门口")),
        ("【备注：特写】", Element(Kind.NOTE, "特写")),
        ("【黑幕】", Element(Kind.ACTION, "【黑幕】")),
    ],
)
def test_bracket_and_label_cues(line: str, element: Element) -> None:
    assert one_line(line) == [element]


def test_a_flashback_marker_can_share_its_line() -> None:
    assert one_line("【闪回】△少年张明在雨中奔跑。") == [
        Element(Kind.FLASHBACK_START),
        Element(Kind.ACTION, "少年张明在雨中奔跑。"),
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        ("１２", 12),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两", 2),
        ("一百零五", 105),
        ("二〇二四", 2024),
        ("x", None),
        ("", None),
    ],
)
def test_parse_number(text: str, number: int | None) -> None:
    assert zh.parse_number(text) == number


# ------------------------------------------------------------------ serialising


def test_serialise_writes_markers_for_every_kind() -> None:
    elements = [
        Element(Kind.SCENE_HEADING, "日 内 客厅", scene_number="1-1"),
        Element(Kind.CAST, "张明、张父"),
        Element(Kind.ACTION, "张明坐下。"),
        Element(Kind.CHARACTER, "张明", extension="OS"),
        Element(Kind.PARENTHETICAL, "低声"),
        Element(Kind.DIALOGUE, "走。"),
        Element(Kind.FLASHBACK_START),
        Element(Kind.CAPTION, "三年前"),
        Element(Kind.VOICE_OVER, "那年"),
        Element(Kind.FLASHBACK_END),
        Element(Kind.TRANSITION, "切至：门口"),
        Element(Kind.NOTE, "特写"),
    ]
    doc = ScriptDocument(episodes=[EpisodeText(number=1, title="开始", elements=elements)])
    assert zh.serialise(doc) == (
        "第1集 开始\n\n1-1 日 内 客厅\n人物：张明、张父\n△张明坐下。\n张明（OS）：（低声）走。\n"
        "【闪回】\n【字幕：三年前】\n【VO：那年】\n【闪回结束】\n【切至：门口】\n【备注：特写】\n"
    )
    assert zh.parse(zh.serialise(doc)) == doc


def test_serialise_of_an_empty_document_is_empty() -> None:
    assert zh.serialise(ScriptDocument()) == ""


# ------------------------------------------------------------------ hostile and edge input


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "\u3000\u3000\r\n"])
def test_empty_or_blank_text_has_no_episodes(text: str) -> None:
    assert zh.parse(text) == ScriptDocument()


def test_crlf_and_lf_parse_the_same() -> None:
    text = read("rebirth_revenge_zh.txt")
    assert zh.parse(text.replace("\n", "\r\n")) == zh.parse(text)


def test_tabs_and_full_width_spaces_around_lines_are_ignored() -> None:
    assert one_line("\t\u3000张父：\t（冷笑）你好\t") == [
        Element(Kind.CHARACTER, "张父"),
        Element(Kind.PARENTHETICAL, "冷笑"),
        Element(Kind.DIALOGUE, "你好"),
    ]
    assert one_line("1-1\t日\t内\t客厅") == [Element(Kind.SCENE_HEADING, "日 内 客厅", scene_number="1-1")]


def test_markup_is_kept_verbatim_as_data() -> None:
    assert one_line("△<script>alert(1)</script>") == [Element(Kind.ACTION, "<script>alert(1)</script>")]
    assert one_line("张明：<b>你好</b>") == [
        Element(Kind.CHARACTER, "张明"),
        Element(Kind.DIALOGUE, "<b>你好</b>"),
    ]


def test_very_long_lines_parse_quickly_and_intact() -> None:
    long_action = "他跑。" * 50_000
    text = f"第1集\n△{long_action}\n张明：{long_action}\n" + "（" * 40_000 + "\n" + "张" * 40_000 + "：x\n"
    started = time.perf_counter()
    doc = zh.parse(text)
    assert time.perf_counter() - started < 2
    assert doc.episodes[0].elements[:3] == [
        Element(Kind.ACTION, long_action),
        Element(Kind.CHARACTER, "张明"),
        Element(Kind.DIALOGUE, long_action),
    ]
    assert zh.parse(zh.serialise(doc)) == doc


def test_bracket_text_with_a_half_width_bracket_inside_round_trips() -> None:
    doc = zh.parse("第1集\n【VO：他说[不]】\n【字幕：a】b】")
    assert doc.episodes[0].elements[0] == Element(Kind.VOICE_OVER, "他说[不]")
    assert zh.parse(zh.serialise(doc)) == doc


def test_leading_punctuation_is_dropped_from_titles_and_locations() -> None:
    doc = zh.parse("第1集 ：:开始\n1-1 日 内 ：客厅")
    assert doc.episodes[0].title == "开始"
    assert doc.episodes[0].elements == [Element(Kind.SCENE_HEADING, "日 内 客厅", scene_number="1-1")]


_FUZZ_LINES = [
    "",
    "第1集 标题",
    "第二集",
    "1-1 日 内 客厅",
    "3 卧室 夜内",
    "场景：走廊",
    "人物：张明、张父",
    "△动作",
    "动作：无主",
    "张父：（冷笑）你好",
    "张明（OS）：嗯",
    "张明:",
    "（沉默）",
    "台词",
    "【闪回】",
    "【闪回结束】",
    "【字幕：x】",
    "【VO：y】",
    "【转场】",
    "切至：门口",
    "【未知】",
    "剧名：X",
    "编剧：Y",
    "他说：好",
    "10-20 个人",
    "【闪回】△动作",
    "△",
    "张明：（a）",
    "https://x.com",
    "第一集团",
    "▲动作",
    "[回忆]",
    "注：备注",
    "<b>x</b>",
    "人物：苏晓（旁观、沈星晴",
    "人物：苏晓【旁观】；林晚、全员。",
    "__第2集 续__",
    "__1-2 夜 外 天台__",
]


def test_whatever_it_parses_it_writes_back_the_same() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "\n".join(rng.choice(_FUZZ_LINES) for _ in range(rng.randint(0, 14)))
        doc = zh.parse(text)
        assert zh.parse(zh.serialise(doc)) == doc, text
