"""Fountain (fountain.io) <-> the shared element list.

Pure Python. The parser is lenient with hand-written files; the serialiser writes
forcing marks wherever plain text would be read back as something else, so that
``parse(serialise(doc)) == doc`` for any document ``parse`` produced.

Decisions worth knowing:
- A level-1 section ("# Title") starts an episode and is not kept as an element.
  Its number comes from "# 3 The Deal", "# Episode 3: The Deal" or "# 第3集 ..." when
  present, else it is the previous episode's number + 1. Elements written before the
  first level-1 section belong to the first episode (no phantom "episode 0").
- A file with no level-1 section is one episode, number 1, titled from the title
  page's Title (emphasis marks removed). Empty input gives no episodes at all.
- Character extensions: "(CONT'D)" is dropped whenever another extension is present
  ("BOB (V.O.) (CONT'D)" -> extension "V.O."); on its own it is kept as "CONT'D". It is
  never part of the name, so it never makes a different character. Several other
  extensions are kept joined with ", " ("(V.O.) (ON PHONE)" -> "V.O., ON PHONE").
- Action is one element per paragraph (lines joined with "\\n"); blank lines between
  paragraphs are not kept. Dialogue keeps its line breaks; a line of exactly two
  spaces inside dialogue is an intentional empty dialogue line, per the spec.
- Standalone notes become NOTE elements; inline notes and emphasis stay as raw text, except on a
  cue or a scene-heading line: "BOB [[cue note]]" is the cue BOB and "INT. A - DAY [[why?]]" the
  heading INT. A - DAY, each with the note in ``Element.note`` (written back at the end of the line).
- A note may hold an empty line when a line of exactly two spaces stands there (fountain.io): in a
  standalone note, and in an action paragraph whose note closes on a later line. The serialiser writes
  such empty lines as two spaces again. Emphasis never spans a line break.
- Boneyard (/* ... */) is removed before anything else is read. Fountain has no
  escape for "/*", so text that itself contains "/*" cannot round-trip.
- Consecutive centred lines ("> A <" then "> B <") are one CENTERED element, lines joined with "\\n".
- Acts (Final Draft's New Act / End of Act) are centred lines that read as one: "> ACT ONE <",
  "> TEASER <", "> COLD OPEN <", "> END OF ACT ONE <", "> END OF EPISODE <" (any case). Each is an
  act element of its own, never merged with centred lines next to it. An act whose text reads as
  neither ("> PART ONE <") comes back as centred text: Fountain has no other place to say "act".
- Chinese-only elements have no Fountain form and are written as action lines:
  "CAST: …", "FLASHBACK:", "END FLASHBACK.", "SUPER: …" (caption), "V.O.: …".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .elements import (
    Element,
    EpisodeSplitter,
    EpisodeText,
    HeadingParts,
    Kind,
    ScriptDocument,
    has_implicit_episode,
)
from .scan import split_bracketed_tail
from .zh import parse_number

# "INT. ", "EXT ", "INT./EXT. ", "INT/EXT ", "I/E ", "EST. " (case-insensitive, per the spec).
_HEADING_RE = re.compile(r"^(INT\.?/EXT|INT|EXT|EST|I/E)[.\s]", re.IGNORECASE)
_SCENE_NUMBER_RE = re.compile(r"[\w.\-]+")  # what may stand between the #s of "INT. HOUSE #12A#"
_CONTD_RE = re.compile(r"^(CONT['’]?D\.?|CONT\.?|CONTINUED|CONTINUING)$", re.IGNORECASE)
_TITLE_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9 _\-]{0,40}):(.*)$")
_EPISODE_NUMBER_RES = (
    re.compile(r"^(?:episode|ep\.?)\s*(\d+)\s*[:.\-–—]?\s*(.*)$", re.IGNORECASE),
    re.compile(r"^第\s*([0-9０-９一二三四五六七八九十百千零〇两]+)\s*集\s*[:：]?\s*(.*)$"),
    re.compile(r"^(\d+)(?:\s*[:.\-–—]\s*|\s+|$)(.*)$"),
)
_TWO_SPACE_LINE = "  "  # fountain's "intentional blank line" inside dialogue
# What a centred line says when it is an act (fullmatch, case-insensitive; \s+ and \S never share a
# character, so a long line is read once).
_ACT_NAMES = r"TEASER|COLD\s+OPEN|TAG|PROLOGUE|EPILOGUE"
_NEW_ACT_RE = re.compile(rf"ACT\s+\S.*|{_ACT_NAMES}", re.IGNORECASE)
_END_ACT_RE = re.compile(rf"END\s+OF\s+(?:ACT|EPISODE|SHOW|{_ACT_NAMES})\b.*", re.IGNORECASE)


# --------------------------------------------------------------------------- parsing


def parse(text: str) -> ScriptDocument:
    """Parse Fountain text into a ScriptDocument (never raises on odd input)."""
    text = _strip_boneyard(_normalise_newlines(text))
    lines = text.split("\n")
    title_page, start = _parse_title_page(lines)
    doc = ScriptDocument(title_page=title_page)
    body = _parse_body(lines[start:])

    # Split the flat stream into episodes at level-1 sections.
    splitter = EpisodeSplitter(title=_title_from_title_page(title_page))
    for item in body:
        if isinstance(item, Element):
            splitter.add(item)
        else:
            splitter.start(*item)  # a level-1 section: (number, title)
    doc.episodes = splitter.finish(keep_empty=bool(title_page))
    return doc


def _normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff")


def _strip_boneyard(text: str) -> str:
    """Remove /* ... */ spans; an unclosed one swallows the rest (as Fountain apps do)."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("/*", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = text.find("*/", start + 2)
        if end < 0:
            break
        # Keep the newlines so surrounding paragraphs stay separated.
        out.append("\n" * text.count("\n", start, end))
        pos = end + 2
    return "".join(out)


def _parse_title_page(lines: list[str]) -> tuple[list[tuple[str, str]], int]:
    """Return (title page entries, index of the first body line)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not _is_title_key_line(lines[i]):
        return [], 0
    entries: list[tuple[str, list[str]]] = []
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        m = _TITLE_KEY_RE.match(line)
        if m and not line[:1].isspace():
            value = m.group(2).strip()
            entries.append((m.group(1).strip(), [value] if value else []))
        elif entries and line[:1].isspace():
            entries[-1][1].append(line.strip())  # indented continuation of a value
        else:
            break  # not title-page shaped: treat the rest as body
        i += 1
    return [(key, "\n".join(values)) for key, values in entries], i


def _is_title_key_line(line: str) -> bool:
    m = _TITLE_KEY_RE.match(line)
    # An all-caps key would be a transition ("CUT TO:"), not a title-page key.
    return bool(m) and any(c.islower() for c in m.group(1))


# Emphasis pairs (***bold italic***, **bold**, *italic*, _underline_) on one line; "\*" is a
# literal star, and an underscore inside a word (snake_case) is not a mark.
# Kept for the read view's template tag until it uses apply_emphasis. Linear per pass: a starred span
# holds no unescaped star and an underlined span no underscore, so a mark that never closes is given
# up at the next mark, not at the end of the line ('"*_a' 16,000 times took 16 s with ".+?"). Nested
# spans still come off one layer per pass, so apply_emphasis (one pass for any nesting) is the one
# to use.
EMPHASIS_RE = re.compile(
    r"(?<!\\)(\*{1,3})(?=\S)((?:[^*\\]|\\.)+?)(?<=\S)(?<!\\)\1"
    r"|(?<![\w\\])_(?=\S)((?:[^_\\]|\\.)+?)(?<=\S)_(?!\w)"
)
EMPHASIS_MARKS = ("*", "**", "***", "_")
_NO_TAGS = {mark: ("", "") for mark in EMPHASIS_MARKS}


def strip_emphasis(text: str) -> str:
    """Text as printed without inline styling: the marks go, the words stay, escaped stars print."""
    return apply_emphasis(text, tags=_NO_TAGS)


def apply_emphasis(
    text: str, *, tags: Mapping[str, tuple[str, str]], plain: Callable[[str], str] = str
) -> str:
    """The text with each emphasis span's marks replaced by `tags[mark]` (opening, closing) and every
    other piece passed through `plain` (an HTML escape, say). One pass, whatever the nesting."""
    out = []
    for kind, value in emphasis_tokens(text):
        if kind == "text":
            out.append(plain(value))
        else:
            out.append(tags[value][0 if kind == "open" else 1])
    return "".join(out)


def emphasis_tokens(text: str) -> list[tuple[str, str]]:
    """("text", words), ("open", mark) and ("close", mark), with the marks paired as Fountain pairs them.

    A delimiter stack: each mark that may open is pushed; one that may close pairs with the nearest
    open mark of its kind, and marks opened in between become text (spans never cross, nor does a span
    cross a line break). Each mark is
    pushed and popped at most once, so a line of 100,000 marks costs linear time. (Kinds and values
    are two lists of strings: no per-token object for the garbage collector to walk again and again.)"""
    kinds: list[str] = []  # "text", "open", "close", or "mark" for one still open (text in the end)
    values: list[str] = []
    stack: list[int] = []  # token indexes of open marks, oldest first
    open_by_mark: dict[str, list[int]] = {mark: [] for mark in EMPHASIS_MARKS}

    def add(kind: str, value: str) -> None:
        if value:
            kinds.append(kind)
            values.append(value)

    i, start, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":  # emphasis does not span lines (fountain.io): marks still open are text
            while stack:
                open_by_mark[values[stack.pop()]].pop()
            i += 1
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] in "*_":  # an escaped mark prints as itself
            add("text", text[start:i])
            add("text", text[i + 1])
            i = start = i + 2
            continue
        if ch not in "*_":
            i += 1
            continue
        end = i + 1
        if ch == "*":
            while end < n and text[end] == "*":
                end += 1
        mark = text[i:end]
        before, after = text[i - 1] if i else " ", text[end] if end < n else " "
        may_open = not after.isspace()
        may_close = not before.isspace()
        if ch == "_":  # not inside a word: snake_case stays as it is
            may_open = may_open and not (before.isalnum() or before in "_\\")
            may_close = may_close and not (after.isalnum() or after == "_")
        add("text", text[start:i])
        i = start = end
        opened = open_by_mark.get(mark)
        if opened is None:  # a run of four or more stars is no mark
            add("text", mark)
        elif may_close and opened and opened[-1] != len(kinds) - 1:  # a span holds something
            opener = opened.pop()
            while stack[-1] != opener:  # marks opened inside and never closed: text
                inner = stack.pop()
                open_by_mark[values[inner]].pop()
                kinds[inner] = "text"
            stack.pop()
            kinds[opener] = "open"
            add("close", mark)
        elif may_open:
            open_by_mark[mark].append(len(kinds))
            stack.append(len(kinds))
            add("mark", mark)
        else:
            add("text", mark)
    add("text", text[start:])
    return [("text" if kind == "mark" else kind, value) for kind, value in zip(kinds, values, strict=True)]


BOLD, ITALIC, UNDERLINE = 1, 2, 4  # style flags, as layout.model's STYLE_* (formats knows no layout)
_MARK_FLAGS = {"*": ITALIC, "**": BOLD, "***": BOLD | ITALIC, "_": UNDERLINE}


def emphasis_runs(text: str) -> tuple[list[tuple[str, int]], list[int]]:
    """`text` as printed: runs of (words, BOLD | ITALIC | UNDERLINE), neighbours of one style merged,
    and for every index of `text` (and its end) the offset in the printed words. One pass."""
    pieces: list[tuple[list[str], int]] = []  # joined once at the end: linear however many tokens
    at = [0] * (len(text) + 1)
    counts = dict.fromkeys(_MARK_FLAGS, 0)
    flags = 0
    i = plain = 0
    for kind, value in emphasis_tokens(text):
        if kind == "text":
            width = len(value) if text.startswith(value, i) else 2  # else an escaped mark: "\\*" is "*"
            at[i : i + width] = range(plain, plain + width) if width == len(value) else (plain, plain)
            if pieces and pieces[-1][1] == flags:
                pieces[-1][0].append(value)
            else:
                pieces.append(([value], flags))
            i += width
            plain += len(value)
            continue
        at[i : i + len(value)] = [plain] * len(value)
        i += len(value)
        counts[value] += 1 if kind == "open" else -1
        flags = 0
        for mark, count in counts.items():
            if count > 0:
                flags |= _MARK_FLAGS[mark]
    at[i] = plain
    return [("".join(parts), style) for parts, style in pieces], at


# ------------------------------------------------------------------------------ notes

NOTE_JOIN = "]] [["  # between two notes on one cue or heading line (Element.note)


def note_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each [[note]] in `text`, end just after its "]]", paired as Fountain pairs them:
    an "[[" closes at the next "]]", across lines too; an "[[" that never closes is text. One pass."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        start = text.find("[[", pos)
        end = text.find("]]", start + 2) if start >= 0 else -1
        if end < 0:
            return spans
        spans.append((start, end + 2))
        pos = end + 2


def note_open_after(line: str, is_open: bool) -> bool:
    """Whether a note is still open after `line`, given whether one was open before it (the pairing of
    ``note_spans``, a line at a time)."""
    pos = 0
    while True:
        if is_open:
            end = line.find("]]", pos)
            if end < 0:
                return True
            pos, is_open = end + 2, False
        else:
            start = line.find("[[", pos)
            if start < 0:
                return False
            pos, is_open = start + 2, True


def strip_notes(text: str) -> str:
    """The text as printed, without its [[notes]] (inline or spanning lines).

    "waits. [[note]] He" keeps one space, not two; a line that only a note filled is gone, not left
    as an empty line; an unclosed "[[" prints as written."""
    if "[[" not in text:
        return text
    spans = note_spans(text)
    if not spans:
        return text
    out: list[str] = []
    touched: set[int] = set()  # output lines a note was taken out of
    line = 0
    pos = 0
    for start, end in spans:
        before = text[pos:start]
        if before.endswith(" ") and text.startswith(" ", end):
            before = before[:-1]
        out.append(before)
        line += before.count("\n")
        touched.add(line)
        pos = end
    out.append(text[pos:])
    lines = "".join(out).split("\n")
    return "\n".join(part for n, part in enumerate(lines) if n not in touched or part.strip())


def split_notes(line: str) -> tuple[str, str]:
    """A cue's or heading's line without its notes (stripped), and the notes as ``Element.note``."""
    if "[[" not in line:
        return line, ""
    notes = [line[start + 2 : end - 2].strip() for start, end in note_spans(line)]
    return strip_notes(line).strip(), NOTE_JOIN.join(note for note in notes if note)


def _with_note(line: str, note: str) -> str:
    return f"{line} [[{note}]]" if note else line


def act_kind(text: str) -> Kind | None:
    """NEW_ACT or END_ACT when a centred line's text names an act, else None."""
    s = text.strip()
    if _NEW_ACT_RE.fullmatch(s):
        return Kind.NEW_ACT
    if _END_ACT_RE.fullmatch(s):
        return Kind.END_ACT
    return None


def _title_from_title_page(title_page: list[tuple[str, str]]) -> str:
    for key, value in title_page:
        if key.lower() == "title":
            plain = re.sub(r"[*_]", "", value)
            return " ".join(part.strip() for part in plain.split("\n") if part.strip())
    return ""


def _episode_number_and_title(text: str) -> tuple[int | None, str]:
    if not text or not (text[0] in "eE第" or text[0].isdecimal()):
        return None, text  # none of the patterns below can match: skip them (a section a line costs less)
    for regex in _EPISODE_NUMBER_RES:
        m = regex.match(text)
        if m:
            number = parse_number(m.group(1))
            if number is not None:
                return number, m.group(2).strip()
    return None, text


# A body item is an Element or, for a level-1 section, (episode number, title).
_BodyItem = Element | tuple[int | None, str]


def _parse_body(lines: list[str]) -> list[_BodyItem]:
    items: list[_BodyItem] = []
    action: list[str] = []  # lines of the action paragraph being collected
    centred: list[str] = []  # lines of the centred block being collected
    i = 0
    prev_blank = True  # the start of the body counts as "after a blank line"
    note_scan = _NoteScan(lines)
    note_close = _NoteClose(lines)
    note_open = False  # a [[note]] in the action paragraph being collected is still open

    def flush_action() -> None:
        nonlocal note_open
        if action:
            items.append(Element(Kind.ACTION, "\n".join(action)))
            action.clear()
        note_open = False
        flush_centred()

    def flush_centred() -> None:
        if centred:
            items.append(Element(Kind.CENTERED, "\n".join(centred)))
            centred.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        stripped = line.strip()
        if not stripped:
            if lines[i] == _TWO_SPACE_LINE and note_open and note_close.closes(i + 1):
                action.append("")  # two spaces hold an open note together across the empty line
                i += 1
                continue
            flush_action()
            prev_blank = True
            i += 1
            continue
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()

        # A standalone note may run over several lines.
        if stripped.startswith("[[") and not action:
            end = note_scan.end(i)
            if end is not None:
                flush_centred()
                note = "\n".join(lines[j].strip() for j in range(i, end + 1))
                items.append(Element(Kind.NOTE, note[2:-2].strip()))
                i = end + 1
                prev_blank = True
                continue

        el = _classify_line(line, prev_blank, next_blank, in_action=bool(action))
        if el is None:  # plain or forced action; a forced line drops only its "!"
            if line.startswith("!"):
                line = line[1:]
            elif stripped.startswith("!"):
                line = stripped[1:]
            flush_centred()
            action.append(line)
            note_open = note_open_after(line, note_open)
            prev_blank = False
            i += 1
            continue

        if isinstance(el, Element) and el.kind == Kind.CENTERED:
            if action:
                flush_action()
            centred.append(el.text)  # a centred block: consecutive centred lines, single spaced
            prev_blank = True
            i += 1
            continue
        flush_action()
        if isinstance(el, tuple):
            items.append(el)
            prev_blank = True
            i += 1
            continue
        items.append(el)
        i += 1
        if el.kind == Kind.CHARACTER:
            i = _parse_dialogue_block(lines, i, items)
            prev_blank = False
        else:
            # One-line elements act like a paragraph of their own, so a cue or
            # heading right under them is still recognised.
            prev_blank = True
    flush_action()
    return items


class _NoteScan:
    """Where a standalone note starting at a line closes, each line of the body read at most once.

    The answer only depends on the first later line that is blank or holds "]]", so a start inside
    the stretch the previous scan covered gets the previous answer: "[[" lines alternating with
    transitions would otherwise rescan the rest of the paragraph from every one of them."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.scanned = (-1, -1, None)  # (first start, stopping line, answer) of the last scan

    def end(self, start: int) -> int | None:
        first, stop, answer = self.scanned
        if first <= start <= stop:
            return answer
        answer, j = None, start
        for j in range(start, len(self.lines)):
            s = self.lines[j].strip()
            if not s:
                if self.lines[j] == _TWO_SPACE_LINE:
                    continue  # two spaces keep the note together across an empty line
                break
            if "]]" in s:
                answer = j if s.endswith("]]") and s.count("]]") == 1 else None
                break
        self.scanned = (start, j, answer)
        return answer


class _NoteClose:
    """Whether a note open in an action paragraph closes on a later line: the first line from
    `start` that is blank (not two spaces) or holds "]]" holds "]]". Cached as ``_NoteScan`` is, so
    every line is read at most once."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.scanned = (-1, -1, False)

    def closes(self, start: int) -> bool:
        first, stop, answer = self.scanned
        if first <= start <= stop:
            return answer
        answer, j = False, start
        for j in range(start, len(self.lines)):
            raw = self.lines[j]
            if raw == _TWO_SPACE_LINE:
                continue
            if not raw.strip():
                break
            if "]]" in raw:
                answer = True
                break
        self.scanned = (start, j, answer)
        return answer


def _classify_line(line: str, prev_blank: bool, next_blank: bool, in_action: bool) -> _BodyItem | None:
    """Classify one non-blank line outside dialogue. None means action."""
    s = line.strip()
    if s.startswith("!"):
        return None
    if s.startswith("===") and not s.strip("="):
        return Element(Kind.PAGE_BREAK)
    if s.startswith("#"):
        level = len(s) - len(s.lstrip("#"))
        text = s[level:].strip()
        if level == 1:
            return _episode_number_and_title(text)
        return Element(Kind.SECTION, text, level=level)
    if s.startswith("="):
        return Element(Kind.SYNOPSIS, s[1:].strip())
    if s.startswith(">") and s.endswith("<") and len(s) >= 2:
        text = s[1:-1].strip()
        return Element(act_kind(text) or Kind.CENTERED, text)
    if s.startswith(">"):
        return Element(Kind.TRANSITION, s[1:].strip())
    if in_action or not prev_blank:
        return None  # the rest need a blank line before them
    if s.startswith(".") and len(s) > 1 and s[1] != ".":
        return _heading(s[1:].strip())
    if _HEADING_RE.match(s):
        return _heading(s)
    if next_blank and _is_transition(s):
        return Element(Kind.TRANSITION, s)
    if not next_blank:
        cue = _parse_cue(s)
        if cue is not None:
            return cue
    return None


def _heading(s: str) -> Element:
    """A heading line's element; a note on the line is neither location nor time (Element.note)."""
    s, note = split_notes(s)
    text, number = _split_scene_number(s)
    return Element(Kind.SCENE_HEADING, text, scene_number=number, note=note)


def scene_heading(line: str, *, prev_blank: bool) -> Element | None:
    """The scene heading a single line is (it needs a blank line before it), or None."""
    el = _classify_line(line, prev_blank, next_blank=True, in_action=False) if line.strip() else None
    return el if isinstance(el, Element) and el.kind == Kind.SCENE_HEADING else None


def with_scene_number(line: str, number: str) -> str:
    """The heading line carrying `number` as Fountain's #12A# (replacing any number it had); a note
    on the line stays on it, after the number."""
    text, note = split_notes(line.rstrip())
    text, _old = _split_scene_number(text)
    return _with_note(f"{text} #{number}#" if number else text, note)


def _split_scene_number(text: str) -> tuple[str, str]:
    """'INT. HOUSE #12A#' -> ('INT. HOUSE', '12A'): the last #…# at the end of the line."""
    end = len(text.rstrip())
    if end < 3 or text[end - 1] != "#":
        return text, ""
    start = text.rfind("#", 0, end - 1)
    if start < 0 or not _SCENE_NUMBER_RE.fullmatch(text, start + 1, end - 1):
        return text, ""
    return text[:start].rstrip(), text[start + 1 : end - 1]


def _is_transition(s: str) -> bool:
    return s.endswith("TO:") and not any(c.islower() for c in s)


def _parse_cue(s: str) -> Element | None:
    """A character cue, forced with "@" or all caps with at least one A-Z letter."""
    s, note = split_notes(s)  # "BOB [[cue note]]" is still BOB's cue
    forced = s.startswith("@")
    body = s[1:].strip() if forced else s
    dual = body.endswith("^")
    if dual:
        body = body[:-1].rstrip()
    body, groups = split_bracketed_tail(body)
    extensions = [e.strip() for e in groups]
    body = body.rstrip()
    if not body:
        return None
    if not forced and not _looks_like_cue_name(body):
        return None
    return Element(Kind.CHARACTER, body, extension=_merge_extensions(extensions), dual=dual, note=note)


def _looks_like_cue_name(name: str) -> bool:
    return any("A" <= c <= "Z" for c in name) and not any(c.islower() for c in name)


def _merge_extensions(extensions: list[str]) -> str:
    """CONT'D only survives when it is the sole extension (see module docstring)."""
    kept = [e for e in extensions if e and not _CONTD_RE.match(e)]
    if kept:
        return ", ".join(kept)
    return "CONT'D" if any(_CONTD_RE.match(e) for e in extensions) else ""


def _parse_dialogue_block(lines: list[str], i: int, items: list[_BodyItem]) -> int:
    """Read parentheticals and dialogue after a cue; return the next unread index."""
    dialogue: list[str] = []

    def flush() -> None:
        if dialogue:
            items.append(Element(Kind.DIALOGUE, "\n".join(dialogue)))
            dialogue.clear()

    while i < len(lines):
        raw = lines[i]
        if raw == _TWO_SPACE_LINE:
            dialogue.append("")
            i += 1
            continue
        s = raw.strip()
        if not s:
            break
        if s.startswith("(") and s.endswith(")"):
            flush()
            items.append(Element(Kind.PARENTHETICAL, s[1:-1].strip()))
        else:
            dialogue.append(s)
        i += 1
    flush()
    return i


# ------------------------------------------------------------------------ headings


_TIME_WORDS = {
    "DAY",
    "NIGHT",
    "MORNING",
    "AFTERNOON",
    "EVENING",
    "DAWN",
    "DUSK",
    "SUNRISE",
    "SUNSET",
    "NOON",
    "MIDNIGHT",
    "LATER",
    "MOMENTS LATER",
    "CONTINUOUS",
    "SAME",
    "SAME TIME",
    "LATE NIGHT",
    "EARLY MORNING",
    "MAGIC HOUR",
}


def heading_parts(el: Element) -> HeadingParts:
    """Split "INT. HOUSE - KITCHEN - NIGHT" into number, INT/EXT, location and time.

    EST (establishing) counts as EXT; INT./EXT., INT/EXT and I/E become "INT/EXT".
    The last " - " part is the time of day only when it reads like one.
    """
    text = el.text.strip()
    int_ext = ""
    m = _HEADING_RE.match(text + " ")
    if m:
        prefix = m.group(1).upper()
        int_ext = {"INT": "INT", "EXT": "EXT", "EST": "EXT"}.get(prefix, "INT/EXT")
        text = text[m.end() :].lstrip(". ").strip()
    location, time_of_day = text, ""
    # A dash with space on both sides; "\s+[-–—]\s+" retried every run of spaces from each start.
    parts = [part.strip() for part in re.split(r"(?<=\s)[-–—](?=\s)", text)]
    if len(parts) > 1 and _is_time_of_day(parts[-1]):
        location, time_of_day = " - ".join(parts[:-1]), parts[-1].strip()
    elif not int_ext and _is_time_of_day(text):
        location, time_of_day = "", text
    return HeadingParts(number=el.scene_number, time_of_day=time_of_day, int_ext=int_ext, location=location)


def _is_time_of_day(part: str) -> bool:
    words = part.strip().upper()
    return words in _TIME_WORDS or "DAY" in words.split() or "NIGHT" in words.split()


# --------------------------------------------------------------------- serialising


def serialise(doc: ScriptDocument) -> str:
    """Write a ScriptDocument as Fountain text (ends with one newline)."""
    chunks: list[str] = []
    if doc.title_page:
        chunks.append(_serialise_title_page(doc.title_page))
    implicit = has_implicit_episode(doc, _title_from_title_page(doc.title_page))
    for episode in doc.episodes:
        if not implicit:
            chunks.append(_episode_line(episode))
        body = _serialise_elements(episode.elements)
        if body:
            chunks.append(body)
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _serialise_title_page(entries: list[tuple[str, str]]) -> str:
    out = []
    for key, value in entries:
        lines = [part.strip() for part in value.split("\n")] if value else []
        if len(lines) == 1:
            out.append(f"{key}: {lines[0]}")
        else:
            out.append(f"{key}:")
            out.extend(f"    {part}" for part in lines)
    return "\n".join(out)


def _episode_line(episode: EpisodeText) -> str:
    if episode.number is None:
        return f"# {episode.title}".rstrip()
    return f"# Episode {episode.number}: {episode.title}" if episode.title else f"# Episode {episode.number}"


def serialise_elements(elements: list[Element]) -> str:
    """A bare element list as Fountain blocks, without title page or episode line."""
    return _serialise_elements(elements)


def _serialise_elements(elements: list[Element]) -> str:
    """Blank line between blocks; a cue and its parentheticals/dialogue stay together."""
    blocks: list[list[str]] = []
    in_dialogue = False
    for el in elements:
        if in_dialogue and el.kind in (Kind.PARENTHETICAL, Kind.DIALOGUE):
            blocks[-1].append(_serialise_dialogue_part(el))
            continue
        in_dialogue = el.kind == Kind.CHARACTER
        blocks.append([_serialise_element(el)])
    return "\n\n".join("\n".join(block) for block in blocks)


def _serialise_dialogue_part(el: Element) -> str:
    if el.kind == Kind.PARENTHETICAL:
        return f"({el.text})"
    return "\n".join(line if line.strip() else _TWO_SPACE_LINE for line in el.text.split("\n"))


def _serialise_element(el: Element) -> str:
    k = el.kind
    if k == Kind.SCENE_HEADING:
        text = el.text if _HEADING_RE.match(el.text) else "." + el.text
        return _with_note(f"{text} #{el.scene_number}#" if el.scene_number else text, el.note)
    if k == Kind.CHARACTER:
        return _serialise_cue(el)
    if k == Kind.TRANSITION:
        return el.text if _reads_back_as(el.text, el, next_blank=True) else "> " + el.text
    if k == Kind.CENTERED:
        return "\n".join(f"> {line.strip()} <" for line in el.text.split("\n"))
    if k in (Kind.NEW_ACT, Kind.END_ACT):
        return f"> {' '.join(el.text.split())} <"
    if k == Kind.PAGE_BREAK:
        return "==="
    if k == Kind.SECTION:
        # Level 1 would start a new episode, so an in-episode section is at least "##".
        return "#" * max(el.level, 2) + " " + el.text
    if k == Kind.SYNOPSIS:
        return "= " + el.text
    if k == Kind.NOTE:  # an empty line inside is two spaces, or it would end the note
        return (
            "[[" + "\n".join(line if line.strip() else _TWO_SPACE_LINE for line in el.text.split("\n")) + "]]"
        )
    if k in (Kind.PARENTHETICAL, Kind.DIALOGUE):  # stray, outside a dialogue block
        return _serialise_dialogue_part(el)
    if k == Kind.CAST:
        return _serialise_action("CAST: " + el.text)
    if k == Kind.FLASHBACK_START:
        return _serialise_action("FLASHBACK:")
    if k == Kind.FLASHBACK_END:
        return _serialise_action("END FLASHBACK.")
    if k == Kind.CAPTION:
        return _serialise_action("SUPER: " + el.text)
    if k == Kind.VOICE_OVER:
        return _serialise_action("V.O.: " + el.text)
    return _serialise_action(el.text)


def _serialise_cue(el: Element) -> str:
    name = el.text
    ext = f" ({el.extension})" if el.extension else ""
    dual = " ^" if el.dual else ""
    plain = _with_note(f"{name}{ext}{dual}", el.note)
    # Force with "@" unless the plain line reads back as exactly this cue.
    return plain if _reads_back_as(plain, el, next_blank=False) else f"@{plain}"


def _reads_back_as(line: str, el: Element, next_blank: bool) -> bool:
    """Would ``line``, written after a blank line, parse back as exactly ``el``?"""
    if line.strip().startswith("[["):
        return False  # the parser takes it for a note before classifying it
    return _classify_line(line, prev_blank=True, next_blank=next_blank, in_action=False) == el


def _serialise_action(text: str) -> str:
    """Add "!" to any line that would not read back as plain action in its place.

    The serialiser puts a blank line before every block, so the first line is read
    as "after a blank line" and later lines as continuing the paragraph.
    """
    lines = text.split("\n")
    in_note = _lines_inside_notes(text) if "[[" in text else set()
    out = []
    for n, line in enumerate(lines):
        s = line.strip()
        if not line and n in in_note:
            out.append(_TWO_SPACE_LINE)  # an empty line inside a note, held together by two spaces
            continue
        next_blank = n == len(lines) - 1
        needs_force = (
            not s  # an empty line inside action would end the paragraph
            or s.startswith("!")
            or (n == 0 and s.startswith("[["))
            or _classify_line(line, prev_blank=n == 0, next_blank=next_blank, in_action=n > 0) is not None
        )
        out.append("!" + line if needs_force else line)
    return "\n".join(out)


def _lines_inside_notes(text: str) -> set[int]:
    """Indexes of the lines that start inside a [[note]] closing on a later line."""
    inside: set[int] = set()
    spans = note_spans(text)
    k = 0
    offset = 0
    for n, line in enumerate(text.split("\n")):
        while k < len(spans) and spans[k][1] <= offset:
            k += 1
        if k < len(spans) and spans[k][0] < offset < spans[k][1]:
            inside.add(n)
        offset += len(line) + 1
    return inside
