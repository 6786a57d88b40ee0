"""Word (.docx) in and out, for rooms that submit scripts to platforms as Word files.

Pure Python (python-docx). ``read_text`` turns an uploaded .docx into plain text, one
line per paragraph, so it imports through the existing Fountain/Chinese text parsers.
``write_zh`` writes the Chinese micro-drama layout as platforms expect it: A4, 宋体 as the
East Asian font (set on the document defaults, the Normal style and every run, because
Word and WPS each honour a different one), 第N集 centred and bold on a new page, bold
scene headings, △ action, "角色：（提示）台词" with a hanging indent so wrapped lines sit
under the words, and 【闪回】 cues in bold. The words come from ``zh.serialise_elements``,
so ``zh.parse(read_text(write_zh(doc)))`` equals ``zh.parse(zh.serialise(doc))``.

Safety: the upload is refused unless it is a zip holding word/document.xml; the zip's
declared sizes are capped (20 MB in total, 2,000 members) before anything is inflated,
and zipfile itself stops at a member's declared size (a lying header fails its CRC). A
DOCTYPE in the document part is refused, so no entity is ever expanded. The cap is far
above any script (a hundred episodes of text and its Word markup are a few MB) and low
enough that a small zip cannot become a scene of millions of characters.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from xml.parsers import expat

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from . import zh
from .detect import ScriptFormatError
from .elements import Element, Kind, ScriptDocument
from .messages import gettext_noop, ngettext_lazy

MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_MEMBERS = 2000

EAST_ASIA_FONT = "宋体"  # SimSun; Word on any Chinese system has it, others substitute a Song face
LATIN_FONT = "Times New Roman"
BODY_PT = 12  # 小四
EPISODE_PT = 16  # 三号
TITLE_PT = 22  # 二号

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .doc (and .xls, .ppt)


# --------------------------------------------------------------------------- reading


def unpacked_sizes(data: bytes) -> tuple[int, int]:
    """What a .docx holds once unpacked: (its text part, all its parts), in bytes, as its zip's
    directory declares them; nothing is inflated, and zipfile stops a member at its declared size, so
    these bound what reading it costs. The text part, word/document.xml, is the paragraphs and their
    markup; the rest is styles, themes, images. Not a readable zip, or no text part: the file's own
    length for both (reading it fails at once)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return len(data), len(data)
    text = next((i.file_size for i in infos if i.filename == "word/document.xml"), len(data))
    return text, sum(i.file_size for i in infos)


class _Stop(Exception):
    pass


def text_prefix(data: bytes, *, max_chars: int = 100_000) -> str | None:
    """The first paragraphs of a .docx's text, about `max_chars` of them: streamed from
    word/document.xml and stopped there, so telling the format of a big file (one the worker will
    import) costs a request little, whatever the file holds. None when the file is not one read_text
    would open (damaged, over the caps, a DOCTYPE): read_text then says why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    names = {i.filename for i in infos}
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        return None
    if "word/document.xml" not in names:
        return None
    lines: list[str] = []
    runs: list[str] = []
    size = 0
    in_text = False

    def start(name: str, _attrs: dict) -> None:
        nonlocal in_text
        local = name.rpartition(":")[2]
        if local == "t":
            in_text = True
        elif local == "tab":
            runs.append("\t")
        elif local in ("br", "cr"):
            runs.append("\n")

    def end(name: str) -> None:
        nonlocal in_text, size
        local = name.rpartition(":")[2]
        if local == "t":
            in_text = False
        elif local == "p":
            lines.append("".join(runs))
            runs.clear()
            size += len(lines[-1]) + 1
            if size >= max_chars:
                raise _Stop

    def text(chunk: str) -> None:
        if in_text:
            runs.append(chunk)

    def refuse(*_args: object) -> None:
        raise ValueError("a DOCTYPE or entity declaration")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with archive.open("word/document.xml") as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        pass
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None
    return "\n".join(lines)


def read_text(data: bytes) -> str:
    """The text of a .docx: body paragraphs (and table cells) in order, joined by "\\n"."""
    if data.startswith(_OLE_MAGIC):
        raise ScriptFormatError(
            gettext_noop(
                "This is an old Word .doc file. Please save it as .docx (or as plain text) and try again."
            )
        )
    if not data.startswith(b"PK"):
        raise ScriptFormatError(gettext_noop("This is not a Word .docx file."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ScriptFormatError(
            gettext_noop("This Word file is damaged (it is not a readable zip archive).")
        ) from exc
    if len(infos) > MAX_MEMBERS:
        raise ScriptFormatError(
            ngettext_lazy(
                "This Word file holds %(n)s part, far more than a document has (the limit is %(max)s). "
                "It was not opened.",
                "This Word file holds %(n)s parts, far more than a document has (the limit is %(max)s). "
                "It was not opened.",
                "count",
            ),
            count=len(infos),
            n=f"{len(infos):,}",
            max=f"{MAX_MEMBERS:,}",
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNCOMPRESSED:
        raise ScriptFormatError(
            gettext_noop(
                "This Word file is too large once unpacked (%(size).0f MB; the limit is %(limit).0f MB). "
                "It was not opened."
            ),
            size=unpacked / 1e6,
            limit=MAX_UNCOMPRESSED / 1e6,
        )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ScriptFormatError(
            gettext_noop("This is a zip file but not a Word .docx document (no word/document.xml).")
        )
    try:
        body = archive.read("word/document.xml")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ScriptFormatError(
            gettext_noop("This Word file is damaged (its text could not be unpacked).")
        ) from exc
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ScriptFormatError(
            gettext_noop("This Word file declares a DOCTYPE or entities, which Word never writes.")
        )
    try:
        document = Document(io.BytesIO(data))
        if document.part.partname != "/word/document.xml":
            # The text read is the one whose size decided where the import runs (unpacked_sizes).
            raise ScriptFormatError(
                gettext_noop("This Word file keeps its text in an unusual part; it was not read.")
            )
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
    except ScriptFormatError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types for broken parts
        raise ScriptFormatError(gettext_noop("This Word file is damaged and could not be read.")) from exc
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    seen: set[int] = set()  # a merged cell is returned once per grid position
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            lines.extend(p.text for p in cell.paragraphs)
    return lines


# --------------------------------------------------------------------------- writing


def write_zh(doc: ScriptDocument, *, title: str = "") -> bytes:
    """A .docx of ``doc`` in the Chinese micro-drama layout (screenplays convert through it)."""
    document = Document()
    _page_setup(document)
    _set_fonts(document)
    if title:
        document.core_properties.title = title

    title_page = [(k, v) for k, v in doc.title_page if k != "Title" or not title]
    if title:
        title_page.insert(0, ("Title", title))
    wrote_title = False
    for key, value in title_page:
        label = {"Title": "剧名", "Author": "编剧"}.get(key)
        if not label or not value.strip():
            continue  # the Chinese layout has no other title-page lines
        p = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER)
        _run(p, f"{label}：{value}", bold=key == "Title", size=TITLE_PT if key == "Title" else None)
        wrote_title = True

    for index, episode in enumerate(doc.episodes, start=1):
        number = episode.number if episode.number is not None else index
        p = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, outline=0)
        p.paragraph_format.page_break_before = wrote_title or index > 1
        p.paragraph_format.space_after = Pt(12)
        _run(p, f"第{number}集 {episode.title}".rstrip(), bold=True, size=EPISODE_PT)
        _write_elements(document, episode.elements)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    # Word's default margins for Chinese documents.
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(3.17)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)


def _set_rfonts(rpr: CT_RPr) -> None:
    fonts = rpr.get_or_add_rFonts()
    # Theme attributes win over explicit names in Word, so they go.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)


def _set_fonts(document: DocxDocument) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if defaults is not None:
        _set_rfonts(defaults)
        lang = defaults.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_rfonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(3), 1.25


def _paragraph(
    document: DocxDocument, *, align: WD_ALIGN_PARAGRAPH | None = None, outline: int | None = None
) -> Paragraph:
    p = document.add_paragraph()
    if align is not None:
        p.alignment = align
    if outline is not None:
        # An outline level puts episodes and scenes in Word's navigation pane without
        # the built-in heading styles' theme colours.
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        p._p.get_or_add_pPr().append(level)
    return p


def _run(p: Paragraph, text: str, *, bold: bool = False, size: int | None = None) -> None:
    run = p.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    _set_rfonts(run._r.get_or_add_rPr())


def _write_elements(document: DocxDocument, elements: list[Element]) -> None:
    i = 0
    while i < len(elements):
        el = elements[i]
        if el.kind == Kind.CHARACTER:
            end = i + 1
            while end < len(elements) and elements[end].kind in (Kind.PARENTHETICAL, Kind.DIALOGUE):
                end += 1
            _write_speech(document, el, elements[i + 1 : end])
            i = end
            continue
        i += 1
        if el.kind == Kind.PAGE_BREAK:
            _paragraph(document).add_run().add_break(WD_BREAK.PAGE)
            continue
        text = zh.serialise_elements([el]).strip("\n")
        if not text:
            continue
        if el.kind == Kind.SCENE_HEADING:
            p = _paragraph(document, outline=1)
            p.paragraph_format.space_before = Pt(12)
            p.paragraph_format.keep_with_next = True
            _run(p, text, bold=True)
        elif el.kind == Kind.CAST:
            p = _paragraph(document)
            label, _, names = text.partition("：")
            _run(p, label + "：", bold=True)
            _run(p, names)
        elif el.kind in (Kind.FLASHBACK_START, Kind.FLASHBACK_END, Kind.TRANSITION):
            _run(_paragraph(document), text, bold=True)
        else:
            for line in text.split("\n"):  # one △ paragraph per line of multi-line action
                _run(_paragraph(document), line)


def _write_speech(document: DocxDocument, cue: Element, parts: list[Element]) -> None:
    name = zh.serialise_elements([cue])  # "张明（OS）："
    line = zh.serialise_elements([cue, *parts])
    p = _paragraph(document)
    # Hanging indent: wrapped lines start under the first word spoken, not under the name.
    indent = Pt(min(_columns(name), 8) * BODY_PT)
    p.paragraph_format.left_indent = indent
    p.paragraph_format.first_line_indent = -indent
    _run(p, name, bold=True)
    if line[len(name) :]:
        _run(p, line[len(name) :])


def _columns(text: str) -> float:
    """Width in em: CJK and full-width characters are one em, the rest half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)
