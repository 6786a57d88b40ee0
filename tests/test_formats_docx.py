"""Word import (read_text) and the Chinese-format Word export (write_zh)."""

from __future__ import annotations

import io
import struct
import zipfile

import docx as python_docx
import pytest
from docx.oxml.ns import qn

from scripts_app.formats import fountain, zh
from scripts_app.formats.detect import ScriptFormatError, detect_format
from scripts_app.formats.docx import EAST_ASIA_FONT, read_text, write_zh
from scripts_app.formats.elements import Element, EpisodeText, Kind, ScriptDocument

from .sample_scripts import SAMPLES


def _zh_doc() -> ScriptDocument:
    return zh.parse((SAMPLES / "rebirth_revenge_zh.txt").read_text(encoding="utf-8"))


def _docx_with_paragraphs(lines: list[str]) -> bytes:
    document = python_docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- writing


def test_chinese_sample_round_trips_through_word():
    doc = _zh_doc()
    text = read_text(write_zh(doc))
    assert detect_format(text) == "zh"
    assert zh.parse(text) == doc


def test_screenplay_converts_through_the_chinese_layout():
    doc = fountain.parse((SAMPLES / "contract_heiress.fountain").read_text(encoding="utf-8"))
    assert zh.parse(read_text(write_zh(doc))) == zh.parse(zh.serialise(doc))


def test_title_argument_replaces_the_title_page_title():
    data = write_zh(_zh_doc(), title="新剧名")
    parsed = zh.parse(read_text(data))
    assert parsed.title_page == [("Title", "新剧名"), ("Author", "林墨")]
    assert parsed.episodes == _zh_doc().episodes
    assert python_docx.Document(io.BytesIO(data)).core_properties.title == "新剧名"


def test_layout_a4_fonts_bold_headings_hanging_indent_and_page_breaks():
    document = python_docx.Document(io.BytesIO(write_zh(_zh_doc())))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7

    # The East Asian font is set on the defaults, the Normal style and each run.
    styles = document.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert defaults.get(qn("w:eastAsia")) == EAST_ASIA_FONT
    assert defaults.get(qn("w:eastAsiaTheme")) is None
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == EAST_ASIA_FONT
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    assert runs and all(r._r.rPr.rFonts.get(qn("w:eastAsia")) == EAST_ASIA_FONT for r in runs)

    paragraphs = {p.text: p for p in document.paragraphs}
    title = paragraphs["剧名：重生之豪门逆袭"]
    assert title.alignment == 1 and title.runs[0].bold  # centred
    for episode in ("第1集 重生归来", "第2集 订婚宴上的耳光"):
        p = paragraphs[episode]
        assert p.runs[0].bold and p.alignment == 1 and p.paragraph_format.page_break_before
    heading = paragraphs["1-1 日 内 张家客厅"]
    assert heading.runs[0].bold
    speech = paragraphs["张父：（放下酒杯）你还知道回来？"]
    assert speech.runs[0].text == "张父：" and speech.runs[0].bold
    fmt = speech.paragraph_format
    assert fmt.first_line_indent < 0 and fmt.left_indent == -fmt.first_line_indent
    assert paragraphs["【闪回】"].runs[0].bold
    assert "△张明推门进来，手里攥着离婚协议。" in paragraphs


def test_every_kind_is_written_and_page_breaks_are_real_breaks():
    elements = [
        Element(Kind.SCENE_HEADING, "INT. HOUSE - NIGHT", scene_number="3"),
        Element(Kind.CAST, "甲、乙"),
        Element(Kind.ACTION, "two\nlines"),
        Element(Kind.CENTERED, "THE END"),
        Element(Kind.PAGE_BREAK),
        Element(Kind.CHARACTER, "BOB", extension="V.O.", dual=True),
        Element(Kind.DIALOGUE, "Hello\nthere"),
        Element(Kind.PARENTHETICAL, "stray"),
        Element(Kind.TRANSITION, "CUT TO:"),
        Element(Kind.SECTION, "Act", level=2),
        Element(Kind.SYNOPSIS, "syn"),
        Element(Kind.NOTE, "note"),
        Element(Kind.FLASHBACK_START),
        Element(Kind.CAPTION, "三年后"),
        Element(Kind.VOICE_OVER, "旁白"),
        Element(Kind.FLASHBACK_END),
        Element(Kind.ACTION, "<script>alert(1)</script> & 〈〉"),
    ]
    doc = ScriptDocument(episodes=[EpisodeText(number=4, title="全部", elements=elements)])
    data = write_zh(doc)
    assert zh.parse(read_text(data)) == zh.parse(zh.serialise(doc))
    assert b'w:type="page"' in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert "<script>alert(1)</script> & 〈〉" in read_text(data)


def test_empty_document_is_still_a_valid_docx():
    data = write_zh(ScriptDocument())
    python_docx.Document(io.BytesIO(data))
    assert read_text(data).strip() == ""


# --------------------------------------------------------------------------- reading


def test_read_text_keeps_paragraph_order_line_breaks_and_tables():
    document = python_docx.Document()
    document.add_paragraph("第1集 开端")
    p = document.add_paragraph("张明：")
    p.add_run("（低声）").bold = True
    p.add_run("走吧。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "△表格里的动作"
    table.cell(0, 1).text = "李雷：好。"
    document.add_paragraph("最后一行\n换行")
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_text(buffer.getvalue())
    assert text == "第1集 开端\n张明：（低声）走吧。\n△表格里的动作\n李雷：好。\n最后一行\n换行"


def test_fountain_like_word_file_imports_as_fountain():
    text = read_text(_docx_with_paragraphs(["INT. HOUSE - DAY", "", "Rain.", "", "BOB", "Hi."]))
    assert detect_format(text) == "fountain"
    assert fountain.parse(text).episodes[0].elements[0] == Element(Kind.SCENE_HEADING, "INT. HOUSE - DAY")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Word .doc"),
        (b"%PDF-1.7\n...", "not a Word .docx"),
        (b"PK\x03\x04 truncated garbage", "damaged"),
        (b"", "not a Word .docx"),
    ],
)
def test_non_docx_input_is_refused(data, message):
    with pytest.raises(ScriptFormatError, match=message):
        read_text(data)


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ScriptFormatError, match="not a Word .docx document"):
        read_text(buffer.getvalue())


def test_broken_document_part_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><unclosed>")
    with pytest.raises(ScriptFormatError, match="damaged"):
        read_text(buffer.getvalue())


def test_zip_bomb_member_is_refused_before_inflating():
    good = _docx_with_paragraphs(["第1集"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        # 60 MB of zeros deflates to about 60 KB.
        dst.writestr("word/media/image1.png", b"\x00" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(ScriptFormatError, match="too large"):
        read_text(buffer.getvalue())


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite one central-directory entry's uncompressed size (offset 24 in the header)."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        name = bytes(out[pos + 46 : pos + 46 + name_len]).decode()
        if name == member:
            struct.pack_into("<I", out, pos + 24, size)
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(member)


def test_member_declaring_a_huge_size_is_refused():
    data = _patch_declared_size(_docx_with_paragraphs(["第1集"]), "word/document.xml", 3_000_000_000)
    with pytest.raises(ScriptFormatError, match="too large"):
        read_text(data)


def test_member_lying_about_a_small_size_is_refused():
    data = _patch_declared_size(_docx_with_paragraphs(["第1集 " + "很长" * 2000]), "word/document.xml", 10)
    with pytest.raises(ScriptFormatError, match="damaged"):
        read_text(data)


def test_doctype_in_document_part_is_refused():
    good = _docx_with_paragraphs(["x"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "word/document.xml":
                body = body.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            dst.writestr(info, body)
    with pytest.raises(ScriptFormatError, match="DOCTYPE"):
        read_text(buffer.getvalue())


def test_script_markup_in_word_text_is_plain_text():
    text = read_text(_docx_with_paragraphs(["<script>alert(1)</script>", "&amp; <b>x</b>"]))
    assert text == "<script>alert(1)</script>\n&amp; <b>x</b>"
