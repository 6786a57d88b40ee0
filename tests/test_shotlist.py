"""Shot lists: heuristics, numbering, anchors, CSV for Excel and the landscape PDF."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pdfplumber
import pytest

from scripts_app.formats import fountain, zh
from scripts_app.formats.elements import Element, EpisodeText, Kind
from scripts_app.formats.shotlist import HEADERS, MOVEMENTS, SIZES, Shot, build_shots, to_csv
from scripts_app.render.pdf import missing_fonts
from scripts_app.render.shotlist import render_pdf

from .sample_scripts import SAMPLES

CHARACTERS = {
    "张明": "28岁，黑色西装，左眉有疤",
    "张父": "60岁，灰发，深色中山装",
    "林婉": "25岁，黑长发，白色连衣裙",
}
LOCATIONS = {"张家客厅": "欧式吊灯，真皮沙发，茶几上的红酒", "天台": "城市夜景，生锈铁栏杆"}


def _zh_shots(episode: int = 0) -> list[Shot]:
    doc = zh.parse((SAMPLES / "rebirth_revenge_zh.txt").read_text(encoding="utf-8"))
    return build_shots(
        doc.episodes[episode],
        character_anchors=CHARACTERS,
        location_anchors=LOCATIONS,
        heading_parts=zh.heading_parts,
    )


def _by_number(shots: list[Shot]) -> dict[str, Shot]:
    return {s.number: s for s in shots}


def _episode(*elements: Element, number: int = 1) -> EpisodeText:
    return EpisodeText(number=number, title="", elements=list(elements))


def _build(episode: EpisodeText, **kwargs) -> list[Shot]:
    kwargs.setdefault("character_anchors", CHARACTERS)
    kwargs.setdefault("location_anchors", LOCATIONS)
    kwargs.setdefault("heading_parts", zh.heading_parts)
    return build_shots(episode, **kwargs)


# -------------------------------------------------------------------- heuristics


def test_zh_sample_first_scene():
    shots = _by_number(_zh_shots())
    est = shots["1-1-01"]
    assert (est.scene, est.size, est.movement, est.duration_s) == ("1-1", "全景", "固定", 3.0)
    assert est.in_frame == "建立镜头：张家客厅（日，内）"
    assert est.characters == ["张明", "张父"]
    assert est.character_anchors == "张明：28岁，黑色西装，左眉有疤；张父：60岁，灰发，深色中山装"
    assert est.location == "张家客厅" and est.location_anchor == "欧式吊灯，真皮沙发，茶几上的红酒"

    enters = shots["1-1-02"]  # △张明推门进来…: an entrance is wide and followed
    assert (enters.size, enters.movement, enters.characters) == ("全景", "跟", ["张明"])
    assert enters.in_frame == "张明推门进来，手里攥着离婚协议。"

    speech = shots["1-1-04"]
    assert (speech.size, speech.characters, speech.dialogue) == ("近景", ["张父"], "张父：你还知道回来？")
    assert speech.in_frame == "张父（放下酒杯）"
    assert speech.duration_s == 2.0  # 6 characters at 4 a second + 0.5 s for the parenthetical

    inner = shots["1-1-05"]  # 张明（OS）: an inner monologue, answered over 张父's shoulder
    assert inner.sound.startswith("内心独白（OS）")
    assert inner.angle == "过肩" and inner.characters == ["张明", "张父"]

    insert = shots["1-1-08"]  # a phone message is an insert
    assert insert.size == "特写" and insert.characters == []


def test_every_shot_uses_the_documented_vocabulary_and_numbering():
    for episode in (0, 1):
        shots = _zh_shots(episode)
        assert shots
        for s in shots:
            assert s.size in SIZES and s.movement in MOVEMENTS
            assert s.duration_s >= 2.0 and (s.duration_s * 2).is_integer()
            scene, _, index = s.number.rpartition("-")
            assert scene == s.scene and len(index) == 2
        numbers = [s.number for s in shots]
        assert len(numbers) == len(set(numbers))


def test_flashback_caption_and_voice_over_cues():
    shots = _by_number(_zh_shots())
    # 【字幕：三年前】【闪回】 close scene 1-1, so they land on 1-2's first shot.
    first = shots["1-2-01"]
    assert first.in_frame.startswith("【闪回】 【字幕：三年前】 建立镜头：天台")
    assert "闪回音效" in first.sound
    assert all(s.in_frame.startswith("【闪回】") for s in shots.values() if s.scene == "1-2")
    vo = shots["1-2-03"]  # 林婉(VO): heard, not seen
    assert vo.sound == "画外音（VO）" and vo.characters == [] and vo.dialogue.startswith("林婉（VO）：")
    after = shots["1-3-01"]
    assert "闪回结束" in after.sound and not after.in_frame.startswith("【闪回】")
    assert "转场" in list(shots.values())[-1].sound  # the last 【转场】 sits on the last shot

    narration = next(s for s in _zh_shots(1) if s.dialogue.startswith("旁白："))
    assert narration.sound == "旁白（VO）" and narration.dialogue == "旁白：那一年，她什么都没有。"
    caption = next(s for s in _zh_shots(1) if "【字幕：沈氏集团 年度盛典】" in s.in_frame)
    assert caption.scene == "2-3"  # the caption ends scene 2-2, so it opens 2-3


def test_close_up_when_the_line_is_about_tears_or_hands():
    ep = _episode(
        Element(Kind.SCENE_HEADING, "夜 内 医院走廊", scene_number="3-1"),
        Element(Kind.ACTION, "林婉靠在墙上。"),
        Element(Kind.CHARACTER, "林婉"),
        Element(Kind.PARENTHETICAL, "泪流满面"),
        Element(Kind.DIALOGUE, "为什么是我？"),
        Element(Kind.ACTION, "张明的手在发抖。"),
        Element(Kind.CHARACTER, "张明"),
        Element(Kind.DIALOGUE, "对不起。"),
        Element(Kind.CHARACTER, "张明"),
        Element(Kind.DIALOGUE, "我会一直在这里等你醒来，无论要等多久，无论发生什么事情。"),
        number=3,
    )
    shots = _build(ep)
    assert [s.size for s in shots] == ["全景", "中景", "特写", "中景", "特写", "近景"]
    assert [s.number for s in shots][:2] == ["3-1-01", "3-1-02"]
    assert shots[-1].duration_s == 6.5  # 25 characters at 4 a second, rounded up to a half
    assert shots[2].duration_s == 2.0
    assert shots[0].location_anchor == ""  # no bible entry for 医院走廊


def test_screenplay_episode_numbering_english_text_and_anchor_matching():
    doc = fountain.parse((SAMPLES / "contract_heiress.fountain").read_text(encoding="utf-8"))
    shots = build_shots(
        doc.episodes[0],
        character_anchors={"Lin Yue": "24, soaked grey coat", "GU CHEN": "30, charcoal suit"},
        location_anchors={
            "GU GROUP TOWER": "glass walls, rain",
            "GU GROUP TOWER - PENTHOUSE": "desk the size of a car",
        },
        heading_parts=fountain.heading_parts,
    )
    est = shots[0]
    assert est.number == "1-1-01" and est.scene == "1-1"
    assert est.in_frame == "Establishing: GU GROUP TOWER - PENTHOUSE OFFICE (INT, NIGHT)"
    assert est.location_anchor == "desk the size of a car"  # the longest matching bible name
    assert est.character_anchors == "GU CHEN: 30, charcoal suit; LIN YUE: 24, soaked grey coat"
    speech = next(s for s in shots if s.dialogue == "GU CHEN: You have ninety seconds.")
    assert speech.size == "近景" and speech.duration_s == 2.0


def test_english_off_screen_and_voice_over():
    ep = _episode(
        Element(Kind.SCENE_HEADING, "INT. KITCHEN - DAY", scene_number="12A"),
        Element(Kind.CHARACTER, "MOM", extension="O.S."),
        Element(Kind.DIALOGUE, "Dinner is ready!"),
        Element(Kind.CHARACTER, "NARRATOR", extension="V.O."),
        Element(Kind.DIALOGUE, "She never came down."),
        Element(Kind.TRANSITION, "CUT TO:"),
        number=4,
    )
    shots = _build(ep, heading_parts=fountain.heading_parts)
    assert [s.number for s in shots] == ["4-12A-01", "4-12A-02", "4-12A-03"]
    assert shots[1].sound == "Off-screen (O.S.)" and shots[1].characters == []
    assert shots[2].sound == "Voice-over (V.O.); Transition: CUT TO:"


def test_scene_without_heading_and_trailing_caption():
    ep = _episode(Element(Kind.ACTION, "黑屏。"), Element(Kind.CAPTION, "全剧终"), number=9)
    shots = _build(ep)
    assert [s.number for s in shots] == ["9-0-01", "9-0-02"]
    assert shots[-1].in_frame == "【字幕：全剧终】"


def test_empty_episode_gives_no_shots():
    assert _build(_episode()) == []


# -------------------------------------------------------------------------- CSV


def test_csv_has_bom_chinese_headers_and_reads_back():
    shots = _zh_shots()
    text = to_csv(shots)
    assert text.startswith("\ufeff镜号,场次,景别,角度,运镜,时长(秒),画面内容,台词,音效,人物锚点,场景锚点\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(HEADERS["zh"])
    assert len(rows) == len(shots) + 1
    assert rows[4][:7] == ["1-1-04", "1-1", "近景", "平视", "固定", "2", "张父（放下酒杯）"]
    assert rows[4][7] == "张父：你还知道回来？"
    # Excel reads the BOM: the bytes start with EF BB BF.
    assert text.encode("utf-8")[:3] == b"\xef\xbb\xbf"


def test_csv_english_translates_terms():
    text = to_csv(_zh_shots(), lang="en")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:6] == ["Shot", "Scene", "Size", "Angle", "Movement", "Duration (s)"]
    assert rows[1][2:5] == ["Full shot", "Eye level", "Static"]
    with pytest.raises(ValueError):
        to_csv([], lang="fr")


def test_csv_neutralises_formulas_and_keeps_markup_verbatim():
    shot = Shot(
        "1-1-01", "1-1", "近景", "平视", "固定", 2.0, '=HYPERLINK("http://x")', "@SUM(A1)", "-1", [], ""
    )
    shot.character_anchors = '<script>alert("x")</script>, "quoted"\nnewline'
    rows = list(csv.reader(io.StringIO(to_csv([shot]).lstrip("\ufeff"))))
    assert rows[1][6:9] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'-1"]
    assert rows[1][9] == '<script>alert("x")</script>, "quoted"\nnewline'


# -------------------------------------------------------------------------- PDF

needs_fonts = pytest.mark.skipif(
    bool(missing_fonts(("Noto Sans CJK SC", "Noto Serif CJK SC"))), reason="Noto CJK fonts not installed"
)


@needs_fonts
def test_pdf_is_landscape_a4_with_chinese_text_intact():
    shots = _zh_shots()
    pdf = render_pdf(shots, title="重生之豪门逆袭 第1集 分镜表")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert (round(page.width), round(page.height)) == (842, 595)
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        fonts = {c["fontname"] for p in doc.pages for c in p.chars}
    compact = text.replace(" ", "").replace("\n", "")
    for expected in (
        "重生之豪门逆袭第1集分镜表",
        "镜号",
        "景别",
        "人物锚点",
        "建立镜头：张家客厅",
        "你还知道回来？",
    ):
        assert expected in compact
    assert "1-1-01" in text and "1-3-04" in text
    assert "\ufffd" not in text and "□" not in text
    assert any("NotoSansCJK" in f for f in fonts)
    assert f"共 {len(shots)} 个镜头" in text


@needs_fonts
def test_pdf_text_is_data_not_typst_markup():
    hostile = [
        "#set page(width: 1pt)",
        "]",
        '"',
        "\\",
        "<script>alert(1)</script>",
        '#{panic("x")}',
        "$x^2$ *b*",
    ]
    shots = [
        Shot(f"1-1-{i:02d}", "1-1", "近景", "平视", "固定", 2.0, s, s, s, [], s)
        for i, s in enumerate(hostile, 1)
    ]
    pdf = render_pdf(shots, title='#panic("title")')
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
        assert (round(doc.pages[0].width), round(doc.pages[0].height)) == (842, 595)
    for s in (
        "#set page(width: 1pt)",
        "<script>alert(1)</script>",
        '#{panic("x")}',
        "$x^2$ *b*",
        '#panic("title")',
    ):
        assert s in text


@needs_fonts
def test_pdf_with_no_shots_and_many_pages():
    assert render_pdf([], title="空").startswith(b"%PDF")
    shots = _zh_shots() * 6
    with pdfplumber.open(io.BytesIO(render_pdf(shots, title="长", lang="en"))) as doc:
        assert len(doc.pages) > 1
        assert "Shot" in (doc.pages[1].extract_text() or "")  # the header row repeats


@needs_fonts
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_rasterises(tmp_path):
    path = tmp_path / "shots.pdf"
    path.write_bytes(render_pdf(_zh_shots(), title="分镜表"))
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
