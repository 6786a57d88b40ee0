"""Final Draft XML (.fdx) <-> the shared element list.

Pure Python; XML is read with expat into ElementTree and written with ElementTree.
``parse(serialise(doc)) == doc`` for any document the Fountain, Chinese or FDX parsers
produce (see the limits at the end).

Safety: a DOCTYPE or ENTITY declaration is refused before anything is expanded (no
billion-laughs, no external entities), input over 50 MB is refused, and any XML error
becomes ``ScriptFormatError("This is not a Final Draft file: …")``. Text is data: "<script>"
in a line is escaped on the way out and read back verbatim.

Mapping decisions (FDX has no word for several of our kinds):
- Episodes: a ``<Paragraph Type="New Act">`` whose text is "Episode 3: The Deal" (or
  "第3集 标题" when the title is Chinese, or "Episode 3"). It plays the part of a level-1
  Fountain section. A "New Act" that does not name an episode ("ACT ONE") is a level-2
  SECTION; "End of Act" paragraphs are ignored. Content before the first episode act
  belongs to episode 1; a file with no episode act is one episode titled from the title page.
  A one-episode document numbered 1 whose title is the title page's title writes no act,
  as the Fountain serialiser writes no "#" line; ``serialise(doc, episode_acts=False)`` writes
  none for any document (a one-episode export).
- Acts: a "New Act" that does not name an episode ("ACT ONE") is a NEW_ACT element and an
  "End of Act" (any capitalisation of the type) an END_ACT; either with StartsNewPage="Yes" has a
  PAGE_BREAK before it. They are written back as New Act / End of Act paragraphs.
- Centered text: an "Action" paragraph with Alignment="Center".
- Page break: StartsNewPage="Yes" on the next top-level paragraph of the same episode; when
  there is none (end of episode, two breaks in a row) an empty "General" paragraph carries it.
- Sections, synopses and notes: "General" paragraphs written as Fountain writes them:
  "## Sequence" (level = number of "#"), "= synopsis", "[[note]]" (the nearest thing to a
  ScriptNote that keeps its place in the script; it never prints). Only "General" paragraphs
  are read this way, so an Action line starting with "#" stays action.
- Chinese-only kinds: CAST is Final Draft's own "Cast List" paragraph; the rest are
  "General" paragraphs in the Chinese bracket form: "【闪回】", "【闪回结束】",
  "【字幕：…】", "【VO：…】".
- Character extension lives in the cue text: "NAME (V.O.)"; several extensions are joined
  with ", " and (CONT'D) is dropped beside another, as in the Fountain parser.
- Dual dialogue: a ``<DualDialogue>`` inside a ``<Paragraph>`` (a bare ``<DualDialogue>`` in
  ``<Content>`` is read too). Every cue in it after the first is ``dual`` (the right column);
  a lone dual cue is written as a DualDialogue holding just that speech.
- Parenthetical text is stored with its brackets, as Final Draft does.
- Styled runs (``<Text Style="Bold+Italic">``) are concatenated as plain text; "Shot" and
  unknown paragraph types become action; empty paragraphs are skipped.
- Title page: Final Draft has no keys, only paragraphs. We write Title, Credit, Author,
  Source centred and Draft date, Contact at the foot, one paragraph per entry, and read keys
  back from position and wording. When that would not give back exactly the same entries
  (other keys, another order) every entry is written left-aligned as "Key: value" instead.

Limits: elements with empty text (other than page breaks and flashback cues) and characters
XML cannot hold (most ASCII control characters) do not survive.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat

from .detect import ScriptFormatError
from .elements import Element, EpisodeSplitter, Kind, ScriptDocument, has_implicit_episode
from .fountain import _title_from_title_page
from .scan import split_bracketed_tail
from .zh import parse_number

MAX_BYTES = 50 * 1024 * 1024

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


# --------------------------------------------------------------------------- reading


def parse(data: bytes | str) -> ScriptDocument:
    """Parse a Final Draft .fdx file; ``ScriptFormatError`` if it is not one."""
    root = _read_xml(data)
    if root.tag != "FinalDraft":
        raise ScriptFormatError(
            f"This is not a Final Draft file: the document is <{root.tag}>, not <FinalDraft>."
        )
    doc = ScriptDocument(title_page=_read_title_page(root.find("TitlePage")))

    splitter = EpisodeSplitter(title=_page_title(doc.title_page))
    content = root.find("Content")
    for node in content if content is not None else []:
        if node.tag not in ("Paragraph", "DualDialogue"):
            continue
        kind = node.get("Type", "")
        text = _text(node)
        episode = _episode_from_act(text) if kind.lower() == "new act" else None
        if episode is not None:  # an episode starts a page of its own anyway
            splitter.start(*episode)
            continue
        if node.get("StartsNewPage") == "Yes":
            splitter.add(Element(Kind.PAGE_BREAK))
        dual = node if node.tag == "DualDialogue" else node.find("DualDialogue")
        if dual is not None:
            splitter.add(*_read_dual(dual))
            continue
        el = _element(kind, text, node)
        if el is not None:
            splitter.add(el)
    doc.episodes = splitter.finish(keep_empty=bool(doc.title_page))
    return doc


def _read_xml(data: bytes | str) -> ET.Element:
    """Expat into an ElementTree, refusing any DOCTYPE/ENTITY declaration (as defusedxml does)."""
    if isinstance(data, str):
        raw, encoding = data.lstrip("\ufeff").encode("utf-8"), "utf-8"  # the text is already decoded
    else:
        raw, encoding = data, None
    if not raw.strip():
        raise ScriptFormatError("The file is empty.")
    if len(raw) > MAX_BYTES:
        raise ScriptFormatError("This Final Draft file is too large (over 50 MB).")

    def refuse(*_args: object) -> None:
        raise ScriptFormatError(
            "This is not a Final Draft file: it declares a DOCTYPE or entities, which Final Draft "
            "never writes and which we refuse for safety."
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
        raise ScriptFormatError(
            f"This is not a Final Draft file: {expat.ErrorString(exc.code)} "
            f"at line {exc.lineno}, column {exc.offset + 1}."
        ) from exc
    except (AssertionError, IndexError) as exc:  # TreeBuilder.close() with nothing parsed
        raise ScriptFormatError("This is not a Final Draft file: it holds no XML document.") from exc


def _text(paragraph: ET.Element) -> str:
    # Styled runs are separate <Text> elements; the words are their concatenation.
    return "".join(t.text or "" for t in paragraph.findall("Text"))


def _element(kind: str, text: str, node: ET.Element) -> Element | None:
    stripped = text.strip()
    if kind == "Scene Heading":
        number = (node.get("Number") or "").strip()
        if not stripped and not number:
            return None
        return Element(Kind.SCENE_HEADING, stripped, scene_number=number)
    if kind == "General":
        if not stripped:
            return None  # includes our empty page-break carrier
        return _general(text)
    if not stripped:
        return None
    if kind.lower() in _ACT_TYPES:
        return Element(_ACT_TYPES[kind.lower()], " ".join(stripped.split()))
    if kind == "Character":
        return _cue(stripped)
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
    cues = sum(1 for p in dual.iter("Paragraph") if p.get("Type") == "Character")
    seen_cue = False
    for p in dual.iter("Paragraph"):
        el = _element(p.get("Type", ""), _text(p), p)
        if el is None:
            continue
        if el.kind == Kind.CHARACTER:
            # The first speaker is the left column; a lone speaker is a right column on its own.
            el = Element(Kind.CHARACTER, el.text, extension=el.extension, dual=seen_cue or cues == 1)
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
        text = _text(p).strip()
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
        _add_text(ET.SubElement(content, "Paragraph", {"Alignment": align, "Type": "General"}), text)


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
    content = ET.SubElement(root, "Content")
    implicit = not episode_acts or has_implicit_episode(doc, _page_title(doc.title_page))
    for index, episode in enumerate(doc.episodes, start=1):
        if not implicit:
            number = episode.number if episode.number is not None else index
            _paragraph(content, "New Act", _act_text(number, episode.title))
        _write_elements(content, episode.elements)
    if doc.title_page:
        _write_title_page(root, doc.title_page)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + body + "\n"


def _act_text(number: int, title: str) -> str:
    if title and _CJK_RE.search(title):
        return f"第{number}集 {title}"
    return f"Episode {number}: {title}" if title else f"Episode {number}"


def _write_elements(content: ET.Element, elements: list[Element]) -> None:
    pending_break = False
    i = 0
    while i < len(elements):
        el = elements[i]
        if el.kind == Kind.PAGE_BREAK:
            if pending_break:  # two breaks in a row: the first needs a paragraph of its own
                _paragraph(content, "General", "", new_page=True)
            pending_break = True
            i += 1
            continue
        if el.kind == Kind.CHARACTER and (el.dual or _next_cue_is_dual(elements, i)):
            # A dual cue with no left column beside it stands alone in its DualDialogue.
            end = _speech_end(elements, i) if el.dual else _dual_group_end(elements, i)
            outer = ET.SubElement(content, "Paragraph")
            if pending_break:
                outer.set("StartsNewPage", "Yes")
            dual = ET.SubElement(outer, "DualDialogue")
            for part in elements[i:end]:
                _write_element(dual, part, new_page=False)
            pending_break = False
            i = end
            continue
        if _write_element(content, el, new_page=pending_break):
            pending_break = False
        i += 1
    if pending_break:
        _paragraph(content, "General", "", new_page=True)


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


def _write_element(parent: ET.Element, el: Element, *, new_page: bool) -> bool:
    """Append ``el``'s paragraph; False if it writes nothing (an empty element)."""
    k = el.kind
    if k == Kind.FLASHBACK_START:
        text = _FLASHBACK_START_TEXT
    elif k == Kind.FLASHBACK_END:
        text = _FLASHBACK_END_TEXT
    elif k == Kind.CAPTION:
        text = f"【字幕：{el.text}】"
    elif k == Kind.VOICE_OVER:
        text = f"【VO：{el.text}】"
    elif k == Kind.SECTION:
        text = "#" * max(el.level, 1) + " " + el.text
    elif k == Kind.SYNOPSIS:
        text = "= " + el.text
    elif k == Kind.NOTE:
        text = f"[[{el.text}]]"
    else:
        text = ""
    if text:
        _paragraph(parent, "General", text, new_page=new_page)
        return True
    if not el.text.strip() and not (k == Kind.SCENE_HEADING and el.scene_number):
        return False
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
    _paragraph(parent, kind, text, new_page=new_page, **attrs)
    return True


def _paragraph(parent: ET.Element, kind: str, text: str, *, new_page: bool = False, **attrs: str) -> None:
    p = ET.SubElement(parent, "Paragraph", {"Type": kind, **attrs})
    if new_page:
        p.set("StartsNewPage", "Yes")
    _add_text(p, text)


def _add_text(paragraph: ET.Element, text: str) -> None:
    t = ET.SubElement(paragraph, "Text")
    t.text = _XML_INVALID_RE.sub("", text)
