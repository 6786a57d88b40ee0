"""Bytes -> text, which format a text is in, and format-name dispatch.

This is the entry point for imports: ``decode_bytes`` then ``detect_format`` then
``parse``. Errors meant for the user are ``ScriptFormatError``: an English template and its
parameters (messages.py), which ``str()`` gives in English and the service layer says in the user's
language.
"""

from __future__ import annotations

import codecs
import re

from . import fountain, zh
from .elements import Element, ScriptDocument
from .messages import Message, Template, gettext_noop
from .scan import split_bracketed_tail

FORMATS = ("fountain", "zh")


class ScriptFormatError(ValueError):
    """A script file we cannot read. ``message`` is what to tell the user (a template and its
    parameters, said in their language by the service layer); ``str(error)`` is its English."""

    def __init__(self, template: Template | Message, /, **params: object) -> None:
        self.message = template if isinstance(template, Message) else Message(template, params)
        super().__init__(str(self.message))

    def __reduce__(self):  # pickled (a task's result, a test runner) with its template, not its English
        return (self.__class__, (self.message,))


# ------------------------------------------------------------------------- decoding

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_MAX_CONTROL_RATIO = 0.01  # a few stray control characters are tolerated; binary has many


def decode_bytes(data: bytes) -> str:
    """Decode an uploaded script: UTF-8 (BOM optional), UTF-16/32 with BOM, else GB18030."""
    if not data or not data.strip():
        raise ScriptFormatError(_EMPTY)
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ScriptFormatError(
                    gettext_noop("The file says it is %(encoding)s but is not valid text."),
                    encoding=encoding.removesuffix("-sig").upper(),  # UTF-8, UTF-16, UTF-32
                ) from exc
            break
    if text is None and b"\x00" in data:
        # Plain text has no NUL bytes, but UTF-16 written without a byte-order mark has one in every
        # ASCII character (newlines included): try that before calling the file binary.
        text = _utf16_without_bom(data)
        if text is None:
            raise _binary_error()
    if text is None:
        # GB18030 decodes most byte soup, so UTF-8 is tried first and wins when valid.
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ScriptFormatError(
                gettext_noop(
                    "The file's text encoding is not recognised. "
                    "Please save it as UTF-8 (or GB18030) and try again."
                )
            )
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ScriptFormatError(_EMPTY)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if "\x00" in text or controls > max(2, len(text) * _MAX_CONTROL_RATIO):
        raise _binary_error()
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of BOM-less UTF-16, little- or big-endian as its NUL bytes say; None if it isn't that."""
    if len(data) % 2:
        return None
    # ASCII in UTF-16-LE has its NUL in the second byte of each pair, in UTF-16-BE in the first.
    odd, even = data[1::2].count(0), data[0::2].count(0)
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None  # random binary soon hits a lone surrogate
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r")
    return text if "\x00" not in text and printable >= 0.95 * len(text) else None


_EMPTY = gettext_noop("The file is empty.")


def _binary_error() -> ScriptFormatError:
    return ScriptFormatError(
        gettext_noop(
            "This looks like a binary file (a PDF, an image or an old Word .doc, say), not a script the "
            "import reads. It reads Fountain (.fountain), Final Draft (.fdx), Word (.docx) and the "
            "Chinese micro-drama format as text (.txt)."
        )
    )


# ------------------------------------------------------------------------ detection

_ZH_EPISODE_RE = re.compile(r"^第\s*[0-9０-９零〇一二两三四五六七八九十百千]+\s*集(?:$|[\s:：《【(（])")
_ZH_HEADING_RE = re.compile(r"^(?:场景?|第)?\s*[0-9０-９]+\s*[-－—–]\s*[0-9０-９]+")
_ZH_SPEAKER_RE = re.compile(r"^[\u4e00-\u9fff·]{1,8}(?:[（(][^（）()]{1,12}[)）])?[:：]")
_ZH_CAST_RE = re.compile(r"^(?:人物|出场人物|登场人物)\s*[:：]")
_FOUNTAIN_HEADING_RE = re.compile(r"^(?:INT\.?/EXT|INT|EXT|EST|I/E)[.\s]", re.IGNORECASE)
_FOUNTAIN_TITLE_RE = re.compile(r"^(?:Title|Credit|Authors?|Source|Draft date|Contact)\s*:", re.IGNORECASE)
# A cue's name; its (extensions) and dual-dialogue "^" are taken off by hand first (_looks_like_cue),
# because "[A-Z0-9 .'-]*(\s*\(...\))*\s*" lets three quantifiers share every space of a long line.
_FOUNTAIN_CUE_NAME_RE = re.compile(r"[A-Z][A-Z0-9 .'\-]*")


# Extensions only one format uses: a file named so is that format whatever its lines look like (a
# Fountain file of notes and plain action has nothing else to tell it by).
_EXTENSIONS = {".fountain": "fountain", ".spmd": "fountain"}


def format_from_filename(name: str) -> str | None:
    """ "fountain" for a .fountain / .spmd file name (any case), else None: ask the text."""
    lowered = name.strip().lower()
    return next((fmt for ext, fmt in _EXTENSIONS.items() if lowered.endswith(ext)), None)


def detect_format(text: str) -> str:
    """Return "fountain" or "zh" by counting lines that only one format would write.

    Strong signals weigh more: 第N集 and Fountain headings/title keys count 3, the
    others 1. The higher score wins; a tie (including no signal at all) is an error.
    The Chinese signals are read on the line as the zh parser sees it (Markdown unwrapped:
    "# 第一集", "**1-1 日 外 街道**", "**沈星晴：** 台词"), so a file it parses is one it detects.
    """
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    zh_score = fountain_score = 0
    for n, s in enumerate(lines):
        if not s:
            continue
        plain = zh.plain_line(s)
        if not plain:
            pass  # a Markdown rule or bare marks: no signal either way
        elif _ZH_EPISODE_RE.match(plain) or _ZH_HEADING_RE.match(plain):
            zh_score += 3
        elif plain[0] in "△▲" or _ZH_CAST_RE.match(plain) or plain.startswith("【"):
            zh_score += 1
        elif _ZH_SPEAKER_RE.match(plain):
            zh_score += 1
        if _FOUNTAIN_HEADING_RE.match(s) or (n < 5 and _FOUNTAIN_TITLE_RE.match(s)):
            fountain_score += 3
        elif s.endswith("TO:") and s.isupper():
            fountain_score += 1
        elif _between(lines, n) and _looks_like_cue(s):
            fountain_score += 1
    if zh_score > fountain_score:
        return "zh"
    if fountain_score > zh_score:
        return "fountain"
    raise ScriptFormatError(
        gettext_noop(
            "Could not tell the script format: expected Fountain (INT./EXT. scene headings, character "
            "cues) or the Chinese layout (第1集, 1-1 日 内 场景, △ action, 角色：台词)."
        )
    )


def _looks_like_cue(s: str) -> bool:
    """ "@anything", or NAME with optional (extensions) and a trailing "^"."""
    if s.startswith("@"):
        return len(s) > 1 and not s[1].isspace()
    name = s[:-1].rstrip() if s.endswith("^") else s
    name, _extensions = split_bracketed_tail(name)
    return bool(_FOUNTAIN_CUE_NAME_RE.fullmatch(name.rstrip() if _extensions else name))


def _between(lines: list[str], n: int) -> bool:
    """A cue sits after a blank line (or the start) and right above a non-blank line."""
    return (n == 0 or not lines[n - 1]) and n + 1 < len(lines) and bool(lines[n + 1])


# ------------------------------------------------------------------------- dispatch


def parse(text: str, fmt: str) -> ScriptDocument:
    """Parse ``text`` as "fountain" or "zh" ("auto" detects the format first)."""
    if fmt == "auto":
        fmt = detect_format(text)
    if fmt == "fountain":
        return fountain.parse(text)
    if fmt == "zh":
        return zh.parse(text)
    raise _unknown_format(fmt)


def _unknown_format(fmt: str) -> ScriptFormatError:
    return ScriptFormatError(
        gettext_noop("Unknown script format %(fmt)s; expected one of %(formats)s."),
        fmt=repr(fmt),
        formats=", ".join(FORMATS),
    )


def serialise(doc: ScriptDocument, fmt: str) -> str:
    """Write ``doc`` as "fountain" or "zh" text."""
    if fmt == "fountain":
        return fountain.serialise(doc)
    if fmt == "zh":
        return zh.serialise(doc)
    raise _unknown_format(fmt)


def serialise_elements(elements: list[Element], fmt: str) -> str:
    """Write a bare element list (one scene, say) with no title page or episode line."""
    if fmt == "fountain":
        body = fountain.serialise_elements(elements)
    elif fmt == "zh":
        body = zh.serialise_elements(elements)
    else:
        raise _unknown_format(fmt)
    # A scene's text starts at its first line: no blank lines carried over from a whole-episode layout.
    body = body.strip("\n")
    return body + "\n" if body else ""
