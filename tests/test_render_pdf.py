"""PDF output read back with pdfplumber: positions, continuations, margins, fonts, safety."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from scripts_app.formats.elements import Element, EpisodeText, Kind
from scripts_app.layout import ElementMeta, Revision, ShootingScriptOptions, get_profile, paginate
from scripts_app.render import RenderOptions, render_pdf
from scripts_app.render.pdf import missing_fonts

LETTER = get_profile("letter")
HOSTILE = [
    "#set page(width: 1pt)",
    "]",
    '"',
    "\\",
    "<script>alert(1)</script>",
    '#{panic("x")}',
    "$x^2$ *b* _i_",
]

pytestmark = pytest.mark.skipif(
    bool(missing_fonts(("Courier Prime", "Noto Serif CJK SC"))),
    reason="fonts-courier-prime / fonts-noto-cjk not installed",
)


def speech_text(n: int) -> str:
    return " ".join(f"Sentence {i} of the closing argument goes on." for i in range(n))


def screenplay_elements() -> list[Element]:
    return [
        Element(Kind.SCENE_HEADING, "INT. COURTROOM - DAY", scene_number="12A"),
        Element(Kind.ACTION, "The jury files in. Nobody looks at the defendant."),  # revised (1)
        Element(Kind.CHARACTER, "PROSECUTOR"),
        Element(Kind.PARENTHETICAL, "rising"),
        Element(Kind.DIALOGUE, speech_text(80)),  # longer than a page
        Element(Kind.CHARACTER, "林婉"),  # a Chinese name in an English script (5)
        Element(Kind.DIALOGUE, "I never signed it. 我没有签字。"),
        Element(Kind.ACTION, " ".join(HOSTILE)),
        Element(Kind.TRANSITION, "CUT TO:"),
        Element(Kind.SCENE_HEADING, "EXT. STEPS - CONTINUOUS", scene_number="13"),
        Element(Kind.CHARACTER, "BRICK"),
        Element(Kind.DIALOGUE, "Left side."),
        Element(Kind.CHARACTER, "STEEL", dual=True),
        Element(Kind.DIALOGUE, "Right side."),
    ]


@pytest.fixture(scope="module")
def screenplay_pdf() -> pdfplumber.PDF:
    eps = [EpisodeText(1, "Verdict", screenplay_elements())]
    options = ShootingScriptOptions(
        revised=frozenset({1}),
        header="THE CONTRACT - Ep. {episode}",
        revision=Revision("blue", "2026-11-24"),
        show_provenance=True,
    )
    meta = [ElementMeta()] * 6 + [ElementMeta(provenance="ai")] + [ElementMeta()] * 7
    pdf = render_pdf(paginate(eps, options, meta), RenderOptions(watermark="Jane Doe", title="Verdict"))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        yield doc


@pytest.fixture(scope="module")
def zh_pdf() -> pdfplumber.PDF:
    els = [
        Element(Kind.SCENE_HEADING, "日 内 张家客厅", scene_number="1-1"),
        Element(Kind.CAST, "张明、张父"),
        Element(Kind.ACTION, "张明推门进来，手里攥着离婚协议。"),
        Element(Kind.CHARACTER, "张父"),
        Element(Kind.PARENTHETICAL, "放下酒杯"),
        Element(Kind.DIALOGUE, "你还知道回来？"),
        Element(Kind.CHARACTER, "张明", extension="OS"),
        Element(Kind.DIALOGUE, "这一次，我不会再忍。"),
        Element(Kind.FLASHBACK_START),
        Element(Kind.CAPTION, "三年前"),
        Element(Kind.FLASHBACK_END),
    ]
    pdf = render_pdf(
        paginate([EpisodeText(1, "离婚", els)], ShootingScriptOptions(profile="zh")),
        RenderOptions(watermark="王导演"),
    )
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        yield doc


def rotated(char: dict) -> bool:
    return abs(char["matrix"][1]) > 0.01


def script_layer(page):
    """The page without the diagonal watermark (its letters would merge into words)."""
    return page.filter(lambda o: o.get("object_type") != "char" or not rotated(o))


def words(page) -> list[dict]:
    return script_layer(page).extract_words()


def upright_text(page) -> str:
    return script_layer(page).extract_text()


def find(page, text: str) -> dict:
    return next(w for w in words(page) if w["text"] == text)


def test_page_size_is_us_letter(screenplay_pdf) -> None:
    for page in screenplay_pdf.pages:
        assert (round(page.width), round(page.height)) == (612, 792)


def test_cue_dialogue_parenthetical_and_heading_positions(screenplay_pdf) -> None:
    page = screenplay_pdf.pages[0]
    assert abs(find(page, "PROSECUTOR")["x0"] / 72 - 3.7) < 0.05
    assert abs(find(page, "(rising)")["x0"] / 72 - 3.1) < 0.05
    assert abs(find(page, "Sentence")["x0"] / 72 - 2.5) < 0.05
    assert abs(find(page, "INT.")["x0"] / 72 - 1.5) < 0.05
    assert abs(find(page, "The")["x0"] / 72 - 1.5) < 0.05


def test_rows_are_six_to_the_inch(screenplay_pdf) -> None:
    page = screenplay_pdf.pages[0]
    tops = sorted({round(w["top"], 2) for w in words(page) if abs(w["x0"] / 72 - 2.5) < 0.02})
    gaps = {round(b - a, 2) for a, b in zip(tops, tops[1:], strict=False)}
    assert gaps == {12.0}


def test_a_long_speech_breaks_with_more_and_contd(screenplay_pdf) -> None:
    first, second = screenplay_pdf.pages[0].extract_text(), screenplay_pdf.pages[1].extract_text()
    assert "(MORE)" in first
    assert "PROSECUTOR (CONT'D)" in second
    more = find(screenplay_pdf.pages[0], "(MORE)")
    assert abs(more["x0"] / 72 - 3.7) < 0.05
    above = [
        w for w in words(screenplay_pdf.pages[0]) if 2.45 < w["x0"] / 72 < 6.0 and w["top"] < more["top"]
    ]
    line_top = max(w["top"] for w in above)
    last_words = sorted((w for w in above if w["top"] == line_top), key=lambda w: w["x0"])
    assert last_words[-1]["text"].endswith(".")


def test_scene_numbers_print_in_both_margins(screenplay_pdf) -> None:
    page = screenplay_pdf.pages[0]
    heading = find(page, "INT.")
    nums = sorted((w for w in words(page) if w["text"] == "12A"), key=lambda w: w["x0"])
    assert len(nums) == 2
    assert 0.7 <= nums[0]["x0"] / 72 <= 1.0 and abs(nums[1]["x0"] / 72 - 7.4) < 0.05
    assert all(abs(n["top"] - heading["top"]) < 0.5 for n in nums)


def test_asterisks_mark_changed_lines_only(screenplay_pdf) -> None:
    page = screenplay_pdf.pages[0]
    stars = [c for c in page.chars if c["text"] == "*" and c["x0"] / 72 > 7.6]
    revised = find(page, "jury")
    assert len(stars) == 1 and abs(stars[0]["top"] - revised["top"]) < 0.5
    for later in screenplay_pdf.pages[1:]:
        assert not [c for c in later.chars if c["text"] == "*" and c["x0"] / 72 > 7.6]


def test_provenance_mark_in_the_left_margin(screenplay_pdf) -> None:
    texts = [(w["text"], w["x0"] / 72) for p in screenplay_pdf.pages for w in words(p) if w["x0"] / 72 < 0.7]
    assert ("AI", pytest.approx(0.2, abs=0.05)) in texts


def test_watermark_on_every_page(screenplay_pdf, zh_pdf) -> None:
    for doc, name in ((screenplay_pdf, "JaneDoe"), (zh_pdf, "王导演")):
        for page in doc.pages:
            diagonal = "".join(c["text"] for c in page.chars if rotated(c)).replace(" ", "")
            assert diagonal == name
            grey = {c["non_stroking_color"] for c in page.chars if rotated(c)}
            assert all(g is not None and min(g) > 0.7 for g in grey)


def test_page_numbers_and_revision_header(screenplay_pdf) -> None:
    pages = screenplay_pdf.pages
    assert "BLUE REVISION - 2026-11-24" in upright_text(pages[0])
    assert not any(w["text"] == "1." for w in words(pages[0]))
    num = find(pages[1], "2.")
    assert abs(num["x1"] / 72 - 7.5) < 0.05 and num["top"] < 72


def test_chinese_name_in_an_english_script_prints(screenplay_pdf) -> None:
    text = "".join(upright_text(p) for p in screenplay_pdf.pages)
    assert "林婉" in text and "我没有签字。" in text
    fonts = {c["fontname"].split("+")[-1] for p in screenplay_pdf.pages for c in p.chars if c["text"] == "林"}
    assert fonts and all("CJK" in f for f in fonts)


def test_hostile_text_is_printed_literally(screenplay_pdf) -> None:
    text = "".join(upright_text(p) for p in screenplay_pdf.pages).replace("\n", " ")
    for piece in HOSTILE:
        assert piece in text
    for page in screenplay_pdf.pages:
        assert (round(page.width), round(page.height)) == (612, 792)


def test_dual_dialogue_side_by_side(screenplay_pdf) -> None:
    page = screenplay_pdf.pages[-1]
    brick, steel = find(page, "BRICK"), find(page, "STEEL")
    assert abs(brick["top"] - steel["top"]) < 0.5 and brick["x0"] < 306 < steel["x0"]


def test_fonts_are_embedded_and_subset(screenplay_pdf) -> None:
    names = {c["fontname"] for p in screenplay_pdf.pages for c in p.chars}
    assert all("+" in n for n in names)  # subset tag
    assert any("CourierPrime-Regular" in n for n in names)
    assert any("CourierPrime-Bold" in n for n in names)  # episode title: real bold, not italic
    assert not any("Italic" in n for n in names)


def test_chinese_text_is_extracted_intact(zh_pdf) -> None:
    page = zh_pdf.pages[0]
    assert (round(page.width), round(page.height)) == (595, 842)
    text = upright_text(page)
    for piece in (
        "第1集 离婚",
        "1-1 日 内 张家客厅",
        "人物：张明、张父",
        "△张明推门进来，手里攥着离婚协议。",
        "张父：（放下酒杯）你还知道回来？",
        "张明（OS）：这一次，我不会再忍。",
        "【闪回】",
        "【字幕：三年前】",
        "【闪回结束】",
    ):
        assert piece in text
    heading_fonts = {c["fontname"] for c in page.chars if c["text"] == "客" and not rotated(c)}
    assert heading_fonts and all("Bold" in f for f in heading_fonts)


def test_revision_colour_fills_the_page() -> None:
    script = paginate(
        [Element(Kind.ACTION, "Pink page.")], ShootingScriptOptions(revision=Revision("pink", "2026-12-01"))
    )
    with pdfplumber.open(io.BytesIO(render_pdf(script))) as doc:
        fills = [r for r in doc.pages[0].rects if r["width"] > 600 and r["height"] > 780]
        assert fills and fills[0]["non_stroking_color"] != (1, 1, 1)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_rasterise(tmp_path: Path, screenplay_pdf, zh_pdf) -> None:
    # Catches PDFs that parse but poppler cannot draw; the PNGs are for eyeballing.
    script = paginate([EpisodeText(1, "Verdict", screenplay_elements())], ShootingScriptOptions())
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render_pdf(script, RenderOptions(watermark="Jane Doe")))
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    assert list(tmp_path.glob("p-*.png"))


def test_an_empty_script_renders() -> None:
    with pdfplumber.open(io.BytesIO(render_pdf(paginate([])))) as doc:
        assert len(doc.pages) == 1
