"""Final Draft XML (.fdx) <-> the shared element list.

Pure Python; XML is read with expat into ElementTree and written with ElementTree.
``parse(serialise(doc)) == doc`` for any document the Fountain, Chinese or FDX parsers
produce (see the limits at the end).

Safety: a DOCTYPE or ENTITY declaration is refused before anything is expanded (no
billion-laughs, no external entities), input over 50 MB is refused, and any XML error
becomes a ``ScriptFormatError`` ("This is not a Final Draft file: …", said in the user's language:
messages.py). Text is data: "<script>" in a line is escaped on the way out and read back verbatim.

Mapping decisions (FDX has no word for several of our kinds):
- Episodes: a ``<Paragraph Type="New Act">`` whose text is "Episode 3: The Deal" (or
  "第3集 标题" when the title is Chinese, or "Episode 3"). It plays the part of a level-1
  Fountain section. Content before the first episode act belongs to episode 1; a file with no
  episode act is one episode titled from the title page. A one-episode document numbered 1 whose
  title is the title page's title writes no act, as the Fountain serialiser writes no "#" line;
  ``serialise(doc, episode_acts=False)`` writes none for any document (a one-episode export).
- Acts: a "New Act" that does not name an episode ("ACT ONE") is a NEW_ACT element and an
  "End of Act" (any capitalisation of the type) an END_ACT; either with StartsNewPage="Yes" has a
  PAGE_BREAK before it. They are written back as New Act / End of Act paragraphs.
- Centered text: an "Action" paragraph with Alignment="Center".
- Page break: StartsNewPage="Yes" on the next top-level paragraph of the same episode; when
  there is none (end of episode, two breaks in a row) an empty "General" paragraph carries it.
- Notes are Final Draft ScriptNotes, which Final Draft shows beside the script and never prints.
  Final Draft keeps them in one ``<ScriptNotes>`` block after the script, each
  ``<ScriptNote Range="start,end">`` holding the note a line a ``<Paragraph>``. A Range counts
  characters (UTF-16 units) through every top-level ``<Content>`` paragraph, one unit for each
  paragraph break and two for an embedded block such as a DualDialogue (as Final Draft counts; its
  Range cannot point inside one). We write:
  a standalone NOTE as a Range over the whole next paragraph and its break (an empty "General"
  paragraph carries notes that end the script); an inline note as an empty Range where it stood in
  the words; one that stood between two spaces, or on a line of its own, as a Range over the space
  or line break left before its place (one of the two went with it, so Final Draft prints no double
  space and no empty line); one alone on a text's last line as a Range over the paragraph's break.
  A cue's or heading's note (``Element.note``) is an empty Range at the end of its line. Inside dual
  dialogue a note is a ``<ScriptNote>`` in its own paragraph, among the text runs where it stood,
  as Final Draft 8 wrote notes (those are read too, anywhere). Reading, a Range over a whole
  paragraph (from its start past its last character) or on a DualDialogue is a NOTE before it, one
  past the script a NOTE at its end, any other its inline note (after the words it covers when
  Final Draft's writer selected some). "General" paragraphs "[[note]]" (earlier exports) are
  still read as notes.
- Sections and synopses: "General" paragraphs written as Fountain writes them: "## Sequence"
  (level = number of "#") and "= synopsis". Only "General" paragraphs are read this way, so an
  Action line starting with "#" stays action.
- Emphasis: Fountain's *italic*, **bold**, ***bold italic*** and _underline_ are Final Draft's
  styled runs (``<Text Style="Bold+Underline">``), both ways, in every paragraph but the ones whose
  type sets their look (Scene Heading, Character, Cast List, New Act, End of Act: those runs are
  read as plain text). A run is read back as "_**words**_" (underline outside, spaces outside
  the marks, a line at a time); runs that markup cannot say again exactly (a mark inside a word,
  styles meeting without a space) are read as plain text, and text whose emphasis would not come
  back as it was written (nested spans, "\\*") is written with its marks as they are.
- Chinese-only kinds: CAST is Final Draft's own "Cast List" paragraph; the rest are
  "General" paragraphs in the Chinese bracket form: "【闪回】", "【闪回结束】",
  "【字幕：…】", "【VO：…】".
- Character extension lives in the cue text: "NAME (V.O.)"; several extensions are joined
  with ", " and (CONT'D) is dropped beside another, as in the Fountain parser.
- Dual dialogue: a ``<DualDialogue>`` inside a ``<Paragraph>`` (a bare ``<DualDialogue>`` in
  ``<Content>`` is read too). Every cue in it after the first is ``dual`` (the right column);
  a lone dual cue is written as a DualDialogue holding just that speech.
- Parenthetical text is stored with its brackets, as Final Draft does.
- "Shot" and unknown paragraph types become action; empty paragraphs are skipped.
- Title page: Final Draft has no keys, only paragraphs. We write Title, Credit, Author,
  Source centred and Draft date, Contact at the foot, one paragraph per entry, and read keys
  back from position and wording. When that would not give back exactly the same entries
  (other keys, another order) every entry is written left-aligned as "Key: value" instead.

Limits: elements with empty text (other than page breaks and flashback cues) and characters
XML cannot hold (most ASCII control characters) do not survive. A note written "a [[n]]b" (a space
before it, none after) comes back as "a [[n]] b".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from xml.parsers import expat
from xml.parsers.expat import errors as expat_errors

from .detect import ScriptFormatError
from .elements import Element, EpisodeSplitter, Kind, ScriptDocument, has_implicit_episode
from .fountain import (
    BOLD,
    ITALIC,
    NOTE_JOIN,
    UNDERLINE,
    _title_from_title_page,
    emphasis_runs,
    emphasis_tokens,
    note_spans,
    split_notes,
)
from .messages import Message, gettext_noop
from .scan import split_bracketed_tail
from .zh import parse_number

MAX_BYTES = 50 * 1024 * 1024

# What expat says is wrong with a file, said so that it can be translated: the English is expat's own
# wording. The errors a file can cause that are not listed (expat's internal ones) are said as
# _MALFORMED.
_EXPAT_REASONS = {
    expat_errors.XML_ERROR_NO_MEMORY: gettext_noop("out of memory"),
    expat_errors.XML_ERROR_SYNTAX: gettext_noop("syntax error"),
    expat_errors.XML_ERROR_NO_ELEMENTS: gettext_noop("no element found"),
    expat_errors.XML_ERROR_INVALID_TOKEN: gettext_noop("not well-formed (invalid token)"),
    expat_errors.XML_ERROR_UNCLOSED_TOKEN: gettext_noop("unclosed token"),
    expat_errors.XML_ERROR_PARTIAL_CHAR: gettext_noop("partial character"),
    expat_errors.XML_ERROR_TAG_MISMATCH: gettext_noop("mismatched tag"),
    expat_errors.XML_ERROR_DUPLICATE_ATTRIBUTE: gettext_noop("duplicate attribute"),
    expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: gettext_noop("junk after document element"),
    expat_errors.XML_ERROR_PARAM_ENTITY_REF: gettext_noop("illegal parameter entity reference"),
    expat_errors.XML_ERROR_UNDEFINED_ENTITY: gettext_noop("undefined entity"),
    expat_errors.XML_ERROR_RECURSIVE_ENTITY_REF: gettext_noop("recursive entity reference"),
    expat_errors.XML_ERROR_BAD_CHAR_REF: gettext_noop("reference to invalid character number"),
    expat_errors.XML_ERROR_MISPLACED_XML_PI: gettext_noop("XML or text declaration not at start of entity"),
    expat_errors.XML_ERROR_UNKNOWN_ENCODING: gettext_noop("unknown encoding"),
    expat_errors.XML_ERROR_INCORRECT_ENCODING: gettext_noop(
        "encoding specified in XML declaration is incorrect"
    ),
    expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION: gettext_noop("unclosed CDATA section"),
    expat_errors.XML_ERROR_UNBOUND_PREFIX: gettext_noop("unbound prefix"),
    expat_errors.XML_ERROR_XML_DECL: gettext_noop("XML declaration not well-formed"),
    expat_errors.XML_ERROR_TEXT_DECL: gettext_noop("text declaration not well-formed"),
    expat_errors.XML_ERROR_PUBLICID: gettext_noop("illegal character(s) in public id"),
}
_MALFORMED = gettext_noop("its XML is malformed")

_CONTD_RE = re.compile(r"^(CONT['’]?D\.?|CONT\.?|CONTINUED|CONTINUING)$", re.IGNORECASE)
_EPISODE_RES = (
    re.compile(r"^(?:episode|ep\.?)\s*(\d+)\s*(?:[:.\-–—]\s*)?(.*)$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^第\s*([0-9０-９一二三四五六七八九十百千零〇两]+)\s*集\s*[:：]?\s*(.*)$", re.DOTALL),
)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# XML 1.0 cannot carry these at all, not even escaped.
_XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_SIMPLE_TYPES = {
    Kind.SCENE_HEADING: "Scene Heading",
    Kind.ACTION: "Action",
    Kind.CHARACTER: "Character",
    Kind.PARENTHETICAL: "Parenthetical",
    Kind.DIALOGUE: "Dialogue",
    Kind.TRANSITION: "Transition",
    Kind.CENTERED: "Action",
    Kind.CAST: "Cast List",
}
_FLASHBACK_START_TEXT = "【闪回】"
_FLASHBACK_END_TEXT = "【闪回结束】"
_CAPTION_RE = re.compile(r"^【字幕：(.*)】$", re.DOTALL)
_VOICE_OVER_RE = re.compile(r"^【VO：(.*)】$", re.DOTALL)
_SECTION_RE = re.compile(r"^(#+)\s*(.*)$", re.DOTALL)
_NOTE_RE = re.compile(r"^\[\[(.*)\]\]$", re.DOTALL)
_ACT_TYPES = {"new act": Kind.NEW_ACT, "end of act": Kind.END_ACT}  # Final Draft writes "End Of Act" too
_ACT_PARAGRAPHS = {Kind.NEW_ACT: "New Act", Kind.END_ACT: "End of Act"}
# Paragraph types whose look is the element's own (Final Draft underlines acts, may bolden headings):
# their styled runs are plain text to us, and we write their text as it is.
_UNSTYLED_TYPES = frozenset({"scene heading", "character", "cast list", "new act", "end of act"})
_STYLES = (("Bold", BOLD), ("Italic", ITALIC), ("Underline", UNDERLINE))
_BLOCKS = ("DualDialogue", "OmittedScene")  # embedded in a paragraph: two units of a Range each
_NOTE_COLOR = "#FFFFFFFF0000"  # Final Draft's yellow, as it writes colours (16 bits a channel)
_MARK_STYLE = {"*": ITALIC, "**": BOLD, "***": BOLD | ITALIC, "_": UNDERLINE}
_STARS = {BOLD | ITALIC: "***", BOLD: "**", ITALIC: "*"}
_SPEECH_TYPES = ("Parenthetical", "Dialogue")
_SPEECH_KINDS = (Kind.CHARACTER, Kind.PARENTHETICAL, Kind.DIALOGUE)
_CHUNK_RE = re.compile(r"\s+|\S+")  # words and the spaces between them (two disjoint classes)

Runs = list[tuple[str, int]]  # (text, BOLD | ITALIC | UNDERLINE)
Inserts = list[tuple[int, str]]  # (offset in a paragraph's words, text put there when it is read)


# --------------------------------------------------------------------------- reading


def parse(data: bytes | str) -> ScriptDocument:
    """Parse a Final Draft .fdx file; ``ScriptFormatError`` if it is not one."""
    root = _read_xml(data)
    if root.tag != "FinalDraft":
        raise ScriptFormatError(
            gettext_noop("This is not a Final Draft file: the document is <%(tag)s>, not <FinalDraft>."),
            tag=root.tag,
        )
    doc = ScriptDocument(title_page=_read_title_page(root.find("TitlePage")))

    splitter = EpisodeSplitter(title=_page_title(doc.title_page))
    content = root.find("Content")
    nodes = [n for n in content if n.tag in ("Paragraph", "DualDialogue")] if content is not None else []
    notes = _NotePlaces(nodes, root.find("ScriptNotes"))
    for k, node in enumerate(nodes):
        kind = node.get("Type", "")
        before, inserts = notes.before(k), notes.inserts(k)
        current = splitter.current.elements
        if before and kind in _SPEECH_TYPES and current and current[-1].kind in _SPEECH_KINDS:
            # A note on a line of a speech stays in it, at the line's start: a Fountain note between
            # the cue and its dialogue would end the speech.
            inserts = [*((0, _note_mark(el.text)) for el in before), *inserts]
            before = []
        splitter.add(*before)
        episode = _episode_from_act(_text(node)) if kind.lower() == "new act" else None
        if episode is not None:  # an episode starts a page of its own anyway
            splitter.start(*episode)
            splitter.add(*(Element(Kind.NOTE, text.strip()) for _at, text in notes.inline(k)))
            continue
        if node.get("StartsNewPage") == "Yes":
            splitter.add(Element(Kind.PAGE_BREAK))
        dual = node if node.tag == "DualDialogue" else node.find("DualDialogue")
        if dual is not None:
            splitter.add(*_read_dual(dual))
            continue
        el = _element(kind, _words(node, kind, inserts), node)
        if el is not None:
            splitter.add(el)
    splitter.add(*notes.trailing)
    doc.episodes = splitter.finish(keep_empty=bool(doc.title_page))
    return doc


def _read_xml(data: bytes | str) -> ET.Element:
    """Expat into an ElementTree, refusing any DOCTYPE/ENTITY declaration (as defusedxml does)."""
    if isinstance(data, str):
        raw, encoding = data.lstrip("\ufeff").encode("utf-8"), "utf-8"  # the text is already decoded
    else:
        raw, encoding = data, None
    if not raw.strip():
        raise ScriptFormatError(gettext_noop("The file is empty."))
    if len(raw) > MAX_BYTES:
        raise ScriptFormatError(
            gettext_noop("This Final Draft file is too large (over %(limit)d MB)."),
            limit=MAX_BYTES // (1024 * 1024),
        )

    def refuse(*_args: object) -> None:
        raise ScriptFormatError(
            gettext_noop(
                "This is not a Final Draft file: it declares a DOCTYPE or entities, which Final Draft "
                "never writes and which we refuse for safety."
            )
        )

    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(encoding)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(raw, True)
        return builder.close()
    except expat.ExpatError as exc:
        reason = _EXPAT_REASONS.get(expat.ErrorString(exc.code), _MALFORMED)
        raise ScriptFormatError(
            gettext_noop("This is not a Final Draft file: %(reason)s at line %(line)d, column %(column)d."),
            reason=Message(reason),
            line=exc.lineno,
            column=exc.offset + 1,
        ) from exc
    except (AssertionError, IndexError) as exc:  # TreeBuilder.close() with nothing parsed
        raise ScriptFormatError(
            gettext_noop("This is not a Final Draft file: it holds no XML document.")
        ) from exc


def _text(paragraph: ET.Element) -> str:
    # Styled runs are separate <Text> elements; the words are their concatenation.
    return "".join(t.text or "" for t in paragraph.findall("Text"))


def _styled(kind: str) -> bool:
    return kind.lower() not in _UNSTYLED_TYPES


def _words(paragraph: ET.Element, kind: str, inserts: Inserts = ()) -> str:
    """A paragraph's text as Fountain writes it: styled runs as emphasis, its notes as [[notes]]."""
    styled = _styled(kind)
    runs: Runs = []
    places: Inserts = list(inserts)
    length = 0
    for child in paragraph:
        if child.tag == "Text" and child.text:
            runs.append((child.text, _style_flags(child.get("Style", "")) if styled else 0))
            length += len(child.text)
        elif child.tag == "ScriptNote":  # Final Draft 8's notes sit in their paragraph
            places.append((length, _note_mark(_note_text(child))))
    if any(flags for _t, flags in runs) and not _says_again(runs):
        runs = [("".join(t for t, _f in runs), 0)]
    places.sort(key=lambda place: place[0])  # stable: notes at one place keep their order
    return _compose(runs, places)


def _style_flags(style: str) -> int:
    flags = 0
    for word in style.split("+"):
        for name, flag in _STYLES:
            if word.strip().lower() == name.lower():
                flags |= flag
    return flags


def _markup(runs: Runs) -> str:
    """Runs as Fountain emphasis. A mark opens before the first word of its style and closes after the
    last, spaces staying outside; marks nest where styles are added ("**bold _and under_**") and
    underline goes outside stars when both start together ("_**TITLE**_"). Every mark closes at a
    line's end, since emphasis does not span lines."""
    out: list[str] = []
    stack: list[str] = []  # the marks open, outermost first
    spaces: list[str] = []  # the white space since the last word, written once the marks are decided

    def close_to(depth: int) -> None:
        while len(stack) > depth:
            out.append(stack.pop())

    for words, flags in runs:
        for n, line in enumerate(words.split("\n")):
            if n:
                close_to(0)
                out.extend(spaces)
                spaces.clear()
                out.append("\n")
            for chunk in _CHUNK_RE.findall(line):
                if chunk[0].isspace():
                    spaces.append(chunk)
                    continue
                keep = 0
                while keep < len(stack) and not _MARK_STYLE[stack[keep]] & ~flags:
                    keep += 1
                close_to(keep)  # right after the last word, before the spaces
                out.extend(spaces)
                spaces.clear()
                missing = flags
                for mark in stack:
                    missing &= ~_MARK_STYLE[mark]
                if missing & UNDERLINE:
                    stack.append("_")
                    out.append("_")
                stars = _STARS.get(missing & (BOLD | ITALIC))
                if stars:
                    stack.append(stars)
                    out.append(stars)
                out.append(chunk)
    close_to(0)
    out.extend(spaces)
    return "".join(out)


def _insert_points(markup: str, length: int) -> list[int]:
    """For each offset in the printed words of `markup` (and their end), where in `markup` an insert
    goes: after the marks that close there, before the ones that open."""
    points = [-1] * (length + 1)
    m = plain = 0
    for kind, value in emphasis_tokens(markup):
        if kind == "text":
            width = len(value) if markup.startswith(value, m) else 2  # "\\*" prints "*"
            for k in range(len(value) if width == len(value) else 1):
                if points[plain + k] < 0:
                    points[plain + k] = m + k
            plain += len(value)
            m += width
        elif kind == "close":
            m += len(value)
            points[plain] = m
        else:
            if points[plain] < 0:
                points[plain] = m
            m += len(value)
    if points[plain] < 0:
        points[plain] = m
    return points


def _compose(runs: Runs, inserts: Inserts = ()) -> str:
    """The runs as Fountain text (``_markup``; plain runs as they are), each insert at its offset in
    the words."""
    styled = any(flags for _t, flags in runs)
    markup = _markup(runs) if styled else "".join(t for t, _f in runs)
    if not inserts:
        return markup
    length = sum(len(t) for t, _f in runs)
    points = _insert_points(markup, length) if styled else None
    out: list[str] = []
    last = 0
    for at, insert in sorted(inserts, key=lambda item: item[0]):
        at = min(at, length)
        index = points[at] if points is not None else at
        out.append(markup[last:index])
        out.append(insert)
        last = index
    out.append(markup[last:])
    return "".join(out)


def _says_again(runs: Runs) -> bool:
    """Whether the runs' emphasis, written as ``_markup`` writes it, reads back as the same styles."""
    words = "".join(t for t, _f in runs)
    flags = [f for t, f in runs for _c in t]
    back, _at = emphasis_runs(_markup(runs))
    if "".join(t for t, _f in back) != words:
        return False
    back_flags = [f for t, f in back for _c in t]
    return all(a == b or c.isspace() for a, b, c in zip(flags, back_flags, words, strict=True))


def _element(kind: str, text: str, node: ET.Element) -> Element | None:
    stripped = text.strip()
    if kind == "Scene Heading":
        number = (node.get("Number") or "").strip()
        heading, note = split_notes(stripped)  # a note on the heading is not part of it
        note = note.replace("\n", " ")  # the line's note, on its line
        if not heading and not number and not note:
            return None
        return Element(Kind.SCENE_HEADING, heading, scene_number=number, note=note)
    if kind == "General":
        if not stripped:
            return None  # includes our empty page-break carrier
        return _general(text)
    if not stripped:
        return None
    if kind.lower() in _ACT_TYPES:
        return Element(_ACT_TYPES[kind.lower()], " ".join(stripped.split()))
    if kind == "Character":
        name, note = split_notes(stripped)
        return replace(_cue(name), note=note.replace("\n", " ")) if name else None
    if kind == "Parenthetical":
        if len(stripped) >= 2 and stripped[0] in "(（" and stripped[-1] in ")）":
            stripped = stripped[1:-1].strip()
        return Element(Kind.PARENTHETICAL, stripped)
    if kind == "Dialogue":
        return Element(Kind.DIALOGUE, text)
    if kind == "Transition":
        return Element(Kind.TRANSITION, stripped)
    if kind == "Cast List":
        return Element(Kind.CAST, stripped)
    if kind == "Action" and node.get("Alignment") == "Center":
        return Element(Kind.CENTERED, stripped)
    return Element(Kind.ACTION, text)  # Action, Shot and anything Final Draft adds later


def _general(text: str) -> Element:
    s = text.strip()
    if s == _FLASHBACK_START_TEXT:
        return Element(Kind.FLASHBACK_START)
    if s == _FLASHBACK_END_TEXT:
        return Element(Kind.FLASHBACK_END)
    for regex, kind in ((_CAPTION_RE, Kind.CAPTION), (_VOICE_OVER_RE, Kind.VOICE_OVER)):
        m = regex.match(s)
        if m:
            return Element(kind, m.group(1).strip())
    m = _SECTION_RE.match(s)
    if m:
        return Element(Kind.SECTION, m.group(2).strip(), level=len(m.group(1)))
    if s.startswith("="):
        return Element(Kind.SYNOPSIS, s[1:].strip())
    m = _NOTE_RE.match(s)
    if m:
        return Element(Kind.NOTE, m.group(1).strip())
    return Element(Kind.ACTION, text)


def _cue(text: str) -> Element:
    name, extensions = text, []
    head, groups = split_bracketed_tail(text, "(（", ")）")
    if groups and head:
        name, extensions = head, [e.strip() for e in groups]
    kept = [e for e in extensions if e and not _CONTD_RE.match(e)]
    if kept:
        extension = ", ".join(kept)
    else:
        extension = "CONT'D" if any(_CONTD_RE.match(e) for e in extensions) else ""
    return Element(Kind.CHARACTER, name, extension=extension)


def _read_dual(dual: ET.Element) -> list[Element]:
    elements: list[Element] = []
    paragraphs = dual.findall("Paragraph")  # its own, not the paragraphs of a note inside one
    cues = sum(1 for p in paragraphs if p.get("Type") == "Character")
    seen_cue = False
    for p in paragraphs:
        el = _element(p.get("Type", ""), _words(p, p.get("Type", "")), p)
        if el is None:
            continue
        if el.kind == Kind.CHARACTER:
            # The first speaker is the left column; a lone speaker is a right column on its own.
            el = replace(el, dual=seen_cue or cues == 1)
            seen_cue = True
        elements.append(el)
    return elements


def _episode_from_act(text: str) -> tuple[int | None, str] | None:
    s = text.strip()
    for regex in _EPISODE_RES:
        m = regex.match(s)
        if m:
            number = parse_number(m.group(1))
            if number is not None:
                return number, m.group(2).strip()
    return None


def _page_title(title_page: list[tuple[str, str]]) -> str:
    # As the Fountain parser reads it ("_**TITLE**_" -> "TITLE"), so a script that went Fountain ->
    # FDX -> Fountain names its episode as it did before.
    return _title_from_title_page(title_page)


# ------------------------------------------------------------------------- notes


def _units(text: str) -> int:
    """Length in UTF-16 units, as a Final Draft Range counts."""
    return len(text.encode("utf-16-le")) // 2


def _offsets(text: str) -> list[int] | None:
    """For each character of `text` (and its end), its offset in UTF-16 units; None when every
    character is one unit (the offsets are the indexes)."""
    if _units(text) == len(text):
        return None
    out, unit = [], 0
    for ch in text:
        out.append(unit)
        unit += 2 if ord(ch) > 0xFFFF else 1
    out.append(unit)
    return out


def _note_text(note: ET.Element) -> str:
    """A ScriptNote's text, a line a paragraph; no "]]" inside, so it stays one Fountain note."""
    lines = ["".join(t.text or "" for t in p.findall("Text")) for p in note.findall("Paragraph")]
    text = "\n".join(lines)
    if "]" not in text:
        return text
    out: list[str] = []
    for ch in text:
        if ch == "]" and out and out[-1] == "]":
            out.append(" ")
        out.append(ch)
    if out[-1] == "]":
        out.append(" ")
    return "".join(out)


def _note_mark(text: str) -> str:
    return f"[[{text}]]"


def _range(value: str) -> tuple[int, int] | None:
    start, comma, end = value.partition(",")
    start, end = start.strip(), end.strip()
    if not comma or not start.isdecimal() or not end.isdecimal() or len(start) > 18 or len(end) > 18:
        return None
    a, b = int(start), int(end)
    return (a, b) if a <= b else (b, a)


class _NotePlaces:
    """Where each ScriptNote of a file goes: a NOTE before a paragraph, a [[note]] in its words, or a
    NOTE after the script (module docstring). Each note is placed by one binary search."""

    def __init__(self, nodes: Sequence[ET.Element], script_notes: ET.Element | None) -> None:
        self._before: dict[int, list[Element]] = {}
        self._inserts: dict[int, Inserts] = {}
        self._inline: dict[int, list[tuple[int, str]]] = {}
        self.trailing: list[Element] = []
        found = script_notes.findall("ScriptNote") if script_notes is not None else []
        if not found:
            return
        starts: list[int] = []
        lengths: list[int] = []
        words: list[str] = []
        duals: list[bool] = []
        offset = 0
        for node in nodes:
            text = _text(node)
            blocks = sum(1 for child in node if child.tag in _BLOCKS) + (node.tag == "DualDialogue")
            starts.append(offset)
            lengths.append(_units(text) + 2 * blocks)
            words.append(text)
            duals.append(node.tag == "DualDialogue" or node.find("DualDialogue") is not None)
            offset += lengths[-1] + 1
        offsets: dict[int, list[int] | None] = {}
        for note in found:
            text = _note_text(note)
            span = _range(note.get("Range", ""))
            k = bisect_right(starts, span[0]) - 1 if span else -1
            if span is None or k < 0 or span[0] > starts[k] + lengths[k]:
                self.trailing.append(Element(Kind.NOTE, text.strip()))
                continue
            begin, end = span[0] - starts[k], span[1] - starts[k]
            length, own = lengths[k], words[k]
            if (begin == 0 and end > length) or duals[k]:  # about the whole paragraph, or a dual block
                self._before.setdefault(k, []).append(Element(Kind.NOTE, text.strip()))
                continue
            if k not in offsets:
                offsets[k] = _offsets(own)
            at = self._index(own, offsets[k], begin)
            mark = _note_mark(text)
            if end == begin + 1 and at < len(own) and own[at] in " \n":
                place, insert = at + 1, mark + own[at]  # it stood between two of these
            elif end == begin + 1 and begin == length and own:
                place, insert = len(own), "\n" + mark  # alone on the last line
            else:
                place, insert = self._index(own, offsets[k], min(end, length)), mark
            self._inserts.setdefault(k, []).append((place, insert))
            self._inline.setdefault(k, []).append((place, text))

    @staticmethod
    def _index(text: str, offsets: list[int] | None, unit: int) -> int:
        if offsets is None:
            return min(unit, len(text))
        return min(bisect_right(offsets, unit) - 1, len(text))

    def before(self, k: int) -> list[Element]:
        return self._before.get(k, [])

    def inserts(self, k: int) -> Inserts:
        return self._inserts.get(k, [])

    def inline(self, k: int) -> list[tuple[int, str]]:
        """The notes in a paragraph that has no words of ours to hold them (an episode's act)."""
        return self._inline.get(k, [])


# ------------------------------------------------------------------ title page

_CENTERED_KEYS = ("Title", "Credit", "Author", "Source")
_FOOT_KEYS = ("Draft date", "Contact", "Copyright", "Notes")
_COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright\b|版权)", re.IGNORECASE)
_CREDIT_RE = re.compile(
    r"^(?:(?:written|screenplay|teleplay|story|created|adapted)(?:\s+and\s+\w+)?\s+by|by|编剧|作者|原著)$",
    re.IGNORECASE,
)
_DATE_RE = re.compile(
    r"^(?:\d{1,4}[-/.年]\d{1,2}(?:[-/.月]\d{1,4}日?)?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}|"
    r"(?:first|second|third|final|revised|shooting)?\s*draft.*)$",
    re.IGNORECASE,
)
_KEY_VALUE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9 _\-]{0,40}):[ \t]?(.*)$", re.DOTALL)


def _read_title_page(node: ET.Element | None) -> list[tuple[str, str]]:
    if node is None:
        return []
    # (alignment, lines) of consecutive non-empty paragraphs; lines are joined once at the end, since
    # adding to a string per paragraph is quadratic in a title page of 100,000 paragraphs.
    runs: list[tuple[str, list[str]]] = []
    previous_empty = True
    for p in node.iter("Paragraph"):
        text = _words(p, "General").strip()
        if not text:
            previous_empty = True
            continue
        align = p.get("Alignment", "Left")
        if not previous_empty and runs and runs[-1][0] == align:
            runs[-1][1].append(text)  # Final Draft writes one line a paragraph
        else:
            runs.append((align, [text]))
        previous_empty = False
    blocks = [(align, "\n".join(lines)) for align, lines in runs]
    if blocks and all(a == "Left" and _KEY_VALUE_RE.match(t) for a, t in blocks):
        explicit = [_KEY_VALUE_RE.match(t) for _, t in blocks]
        return [(m.group(1), m.group(2).strip()) for m in explicit if m]
    return _guess_keys(blocks)


def _guess_keys(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Title, "Written by", author, source centred; a date and contact details elsewhere."""
    entries: list[tuple[str, list[str]]] = []  # lines joined at the end (see _read_title_page)
    keys: set[str] = set()
    for align, text in blocks:
        if align == "Center":
            if "Title" not in keys:
                key = "Title"
            elif "Credit" not in keys and _CREDIT_RE.match(text):
                key = "Credit"
            elif "Author" not in keys and (entries[-1][0] == "Credit" or "Credit" not in keys):
                key = "Author"
            elif "Source" not in keys:
                key = "Source"
            else:
                key = "Notes"
        elif "Draft date" not in keys and _DATE_RE.match(text):
            key = "Draft date"
        elif "Copyright" not in keys and _COPYRIGHT_RE.match(text):
            key = "Copyright"
        elif "Contact" not in keys:
            key = "Contact"
        else:
            key = "Notes"
        if key == "Notes" and "Notes" in keys:
            entries[-1][1].append(text)
            continue
        keys.add(key)
        entries.append((key, [text]))
    return [(key, "\n".join(lines)) for key, lines in entries]


def _write_title_page(parent: ET.Element, entries: list[tuple[str, str]]) -> None:
    rows = _title_rows(entries, explicit=False)
    if _title_page_from_rows(rows) != entries:
        rows = _title_rows(entries, explicit=True)
    page = ET.SubElement(parent, "TitlePage")
    _fill_title_page(page, rows)


def _title_rows(entries: list[tuple[str, str]], *, explicit: bool) -> list[tuple[str, str]]:
    """(alignment, text) paragraphs: centred block near the top, then the foot block.

    Final Draft writes one paragraph per line; an empty paragraph separates entries.
    """
    if explicit:
        rows: list[tuple[str, str]] = []
        for key, value in entries:
            rows.extend([("Left", f"{key}: {value}"), ("Left", "")])
        return rows
    rows = [("Center", "")] * 8
    for key, value in entries:
        if key not in _FOOT_KEYS:
            rows.extend([*(("Center", line) for line in value.split("\n")), ("Center", "")])
    rows.extend([("Left", "")] * 8)
    for key, value in entries:
        if key in _FOOT_KEYS:
            rows.extend([*(("Left", line) for line in value.split("\n")), ("Left", "")])
    return rows


def _fill_title_page(page: ET.Element, rows: list[tuple[str, str]]) -> None:
    content = ET.SubElement(page, "Content")
    for align, text in rows:
        runs, _places = _runs_of(_clean(text), styled=True)
        _add_runs(ET.SubElement(content, "Paragraph", {"Alignment": align, "Type": "General"}), runs)


def _title_page_from_rows(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    page = ET.Element("TitlePage")
    _fill_title_page(page, rows)
    return _read_title_page(page)


# --------------------------------------------------------------------------- writing


def serialise(doc: ScriptDocument, *, episode_acts: bool = True) -> str:
    """Write ``doc`` as a Final Draft 5-format XML document (UTF-8 text with declaration).

    ``episode_acts=False`` writes no "Episode N" act at all: a one-episode script exported for
    Final Draft is just the script, with only the acts its writers wrote."""
    root = ET.Element("FinalDraft", {"DocumentType": "Script", "Template": "No", "Version": "5"})
    writer = _Writer(ET.SubElement(root, "Content"))
    implicit = not episode_acts or has_implicit_episode(doc, _page_title(doc.title_page))
    for index, episode in enumerate(doc.episodes, start=1):
        if not implicit:
            number = episode.number if episode.number is not None else index
            writer.paragraph("New Act", _act_text(number, episode.title))
        writer.elements(episode.elements)
    writer.finish()
    if doc.title_page:
        _write_title_page(root, doc.title_page)
    if writer.notes:
        notes = ET.SubElement(root, "ScriptNotes")
        for begin, end, text in writer.notes:
            _note_element(notes, text, Range=f"{begin},{end}")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + body + "\n"


def _act_text(number: int, title: str) -> str:
    if title and _CJK_RE.search(title):
        return f"第{number}集 {title}"
    return f"Episode {number}: {title}" if title else f"Episode {number}"


class _Writer:
    """Top-level paragraphs in order, counting the Range units each takes, and the ScriptNotes that
    point into them (module docstring)."""

    def __init__(self, content: ET.Element) -> None:
        self.content = content
        self.offset = 0  # Range units before the next top-level paragraph
        self.notes: list[tuple[int, int, str]] = []
        self.waiting: list[str] = []  # standalone notes, for the whole of the next paragraph
        self.pending_break = False

    # ---- elements

    def elements(self, elements: list[Element]) -> None:
        i = 0
        while i < len(elements):
            el = elements[i]
            if el.kind == Kind.PAGE_BREAK:
                if self.pending_break:  # two breaks in a row: the first needs a paragraph of its own
                    self.paragraph("General", "")
                self.pending_break = True
                i += 1
                continue
            if el.kind == Kind.NOTE:
                if self.pending_break:  # the break comes before the note: a paragraph carries it
                    self.paragraph("General", "")
                self.waiting.append(el.text)
                i += 1
                continue
            if el.kind == Kind.CHARACTER and (el.dual or _next_cue_is_dual(elements, i)):
                # A dual cue with no left column beside it stands alone in its DualDialogue.
                end = _speech_end(elements, i) if el.dual else _dual_group_end(elements, i)
                outer = ET.SubElement(self.content, "Paragraph")
                if self.pending_break:
                    outer.set("StartsNewPage", "Yes")
                    self.pending_break = False
                dual = ET.SubElement(outer, "DualDialogue")
                for part in elements[i:end]:
                    self.element(part, parent=dual)
                self._placed(2, "", [])  # an embedded block: two units, its words none
                i = end
                continue
            self.element(el)
            i += 1
        if self.pending_break:  # the episode's last break: an empty paragraph carries it
            self.paragraph("General", "")

    def finish(self) -> None:
        if self.waiting:  # notes that end the script: an empty paragraph carries them
            self.paragraph("General", "")

    def element(self, el: Element, *, parent: ET.Element | None = None) -> None:
        """Append ``el``'s paragraph (nothing for an empty element)."""
        k = el.kind
        text = _GENERAL_TEXT.get(k)
        if text is None:
            if k == Kind.CAPTION:
                text = f"【字幕：{el.text}】"
            elif k == Kind.VOICE_OVER:
                text = f"【VO：{el.text}】"
            elif k == Kind.SECTION:
                text = "#" * max(el.level, 1) + " " + el.text
            elif k == Kind.SYNOPSIS:
                text = "= " + el.text
        if text is not None:
            self.paragraph("General", text, parent=parent)
            return
        if not el.text.strip() and not (k == Kind.SCENE_HEADING and el.scene_number) and not el.note:
            return
        if k == Kind.CHARACTER:
            text = f"{el.text} ({el.extension})" if el.extension else el.text
        elif k == Kind.PARENTHETICAL:
            text = f"({el.text})"
        else:
            text = el.text
        attrs = {}
        if k == Kind.SCENE_HEADING and el.scene_number:
            attrs["Number"] = el.scene_number
        if k == Kind.CENTERED:
            attrs["Alignment"] = "Center"
        kind = _ACT_PARAGRAPHS.get(k) or _SIMPLE_TYPES.get(k, "Action")
        self.paragraph(kind, text, parent=parent, note=el.note, **attrs)

    # ---- paragraphs

    def paragraph(
        self, kind: str, text: str, *, parent: ET.Element | None = None, note: str = "", **attrs: str
    ) -> None:
        """A paragraph of `text`: styled runs, and its notes as ScriptNotes (in the paragraph itself
        inside dual dialogue, whose words a Range cannot reach)."""
        top = parent is None
        p = ET.SubElement(self.content if top else parent, "Paragraph", {"Type": kind, **attrs})
        if top and self.pending_break:
            p.set("StartsNewPage", "Yes")
            self.pending_break = False
        text = _clean(text)
        if note:  # a cue's or heading's notes: at the end of its line
            runs = [(text, 0)] if text else []
            places = [(len(text), "point", part) for part in _clean(note).split(NOTE_JOIN)]
        else:
            runs, places = _runs_of(text, styled=_styled(kind), notes=True, collapse=top)
        if top:
            _add_runs(p, runs)
            words = "".join(t for t, _f in runs)
            self._placed(_units(words), words, places)
        else:
            _add_runs(p, runs, [(at, body) for at, _how, body in places])

    def _placed(self, length: int, words: str, places: list[tuple[int, str, str]]) -> None:
        """Count a top-level paragraph of `length` units and add the ScriptNotes that point into it."""
        start = self.offset
        for text in self.waiting:
            self.notes.append((start, start + length + 1, text))
        self.waiting.clear()
        offsets = _offsets(words) if places else None
        for at, how, text in places:
            unit = start + (offsets[at] if offsets is not None else at)
            if how == "space":  # the space or line break before its place (one unit)
                self.notes.append((unit - 1, unit, text))
            elif how == "line_end":  # the paragraph's break
                self.notes.append((start + length, start + length + 1, text))
            else:
                self.notes.append((unit, unit, text))
        self.offset = start + length + 1


_GENERAL_TEXT = {Kind.FLASHBACK_START: _FLASHBACK_START_TEXT, Kind.FLASHBACK_END: _FLASHBACK_END_TEXT}


def _clean(text: str) -> str:
    return _XML_INVALID_RE.sub("", text)


def _take_notes(text: str, *, collapse: bool) -> tuple[str, list[tuple[int, str, str]]]:
    """The words without their [[notes]], and each note as (offset in those words, how it sat, note):
    "point" just where it was; "space" when it stood between two spaces or on a line of its own and
    the one after it went with it; "line_end" when it was alone on the last line, which went too.
    Without `collapse` every note is a "point"."""
    spans = note_spans(text) if "[[" in text else []
    if not spans:
        return text, []
    out: list[str] = []
    places: list[tuple[int, str, str]] = []
    pos = length = 0
    last = ""
    for start, end in spans:
        before = text[pos:start]
        if before:
            out.append(before)
            length += len(before)
            last = before[-1]
        note = text[start + 2 : end - 2]
        after = text[end : end + 1]
        pos = end
        if collapse and last in (" ", "\n") and after == last:
            places.append((length, "space", note))
            pos = end + 1
        elif collapse and last == "\n" and not after and length > 1:
            out[-1] = out[-1][:-1]
            length -= 1
            places.append((length, "line_end", note))
        else:
            places.append((length, "point", note))
    out.append(text[pos:])
    return "".join(out), places


def _inserts(words: str, places: list[tuple[int, str, str]]) -> Inserts:
    """What reading puts back for each note (see ``_NotePlaces``)."""
    out: Inserts = []
    for at, how, note in places:
        if how == "space":
            out.append((at, _note_mark(note) + words[at - 1]))
        elif how == "line_end":
            out.append((at, "\n" + _note_mark(note)))
        else:
            out.append((at, _note_mark(note)))
    return out


def _runs_of(
    text: str, *, styled: bool, notes: bool = False, collapse: bool = True
) -> tuple[Runs, list[tuple[int, str, str]]]:
    """A paragraph's runs and (with `notes`) its notes, placed in its printed words. Emphasis becomes
    styled runs only when reading them back gives exactly `text`; else the marks stay as written."""
    body, places = _take_notes(text, collapse=collapse) if notes else (text, [])
    if styled and ("*" in body or "_" in body):
        runs, at = emphasis_runs(body)
        moved = [(at[i], how, note) for i, how, note in places]
        words = "".join(t for t, _f in runs)
        if any(flags for _t, flags in runs) and _compose(runs, _inserts(words, moved)) == text:
            return runs, moved
    return ([(body, 0)] if body else []), places


def _add_runs(paragraph: ET.Element, runs: Runs, notes: list[tuple[int, str]] = ()) -> None:
    """<Text> runs (Style="Bold+Italic+Underline" where styled), with Final Draft 8 style
    <ScriptNote> elements among them at their offsets."""
    queue = list(reversed(notes))
    plain = 0
    wrote = False

    def add(words: str, flags: int) -> None:
        nonlocal wrote
        if not words:
            return
        t = ET.SubElement(paragraph, "Text")
        style = "+".join(name for name, flag in _STYLES if flags & flag)
        if style:
            t.set("Style", style)
        t.text = words
        wrote = True

    for words, flags in runs:
        start = 0
        while queue and queue[-1][0] < plain + len(words):  # a note at a run's edge: before the next
            at = max(queue[-1][0], plain) - plain
            add(words[start:at], flags)
            start = at
            _note_element(paragraph, queue.pop()[1])
        add(words[start:], flags)
        plain += len(words)
    for _at, text in reversed(queue):
        _note_element(paragraph, text)
    if not wrote:
        ET.SubElement(paragraph, "Text").text = ""


def _note_element(parent: ET.Element, text: str, **attrs: str) -> None:
    note = ET.SubElement(parent, "ScriptNote", {**attrs, "Color": _NOTE_COLOR})
    for line in text.split("\n"):
        ET.SubElement(ET.SubElement(note, "Paragraph"), "Text").text = line


def _speech_end(elements: list[Element], i: int) -> int:
    """Index after the cue at ``i`` and the parentheticals/dialogue under it."""
    j = i + 1
    while j < len(elements) and elements[j].kind in (Kind.PARENTHETICAL, Kind.DIALOGUE):
        j += 1
    return j


def _next_cue_is_dual(elements: list[Element], i: int) -> bool:
    """A left-column speech is the one right before a dual cue."""
    j = _speech_end(elements, i)
    return j < len(elements) and elements[j].kind == Kind.CHARACTER and elements[j].dual


def _dual_group_end(elements: list[Element], i: int) -> int:
    end = _speech_end(elements, i)
    while end < len(elements) and elements[end].kind == Kind.CHARACTER and elements[end].dual:
        end = _speech_end(elements, end)
    return end
