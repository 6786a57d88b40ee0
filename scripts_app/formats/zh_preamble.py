"""The series bible a Chinese script carries before its first episode.

Chinese scripts, and AI drama tools above all, open with the bible: a 《剧名》 line, 大纲 / 故事梗概,
人物小传 (one entry per character: "马一花（17）：暴躁体委/手办狂魔。强悍直率……"), sometimes 场景 and 道具
lists and a 分集大纲. ``split`` reads that preamble off the front of a script; ``serialise`` writes it
back, so ``zh.parse(zh.serialise(doc)) == doc`` holds with a preamble too.

The preamble travels in ``ScriptDocument.title_page`` as (key, value) pairs beside Title and Author,
so nothing downstream needs a new field: text sections (Synopsis, Logline, Genre, Audience, Style,
Props, Note) are their lines joined by "\\n"; entry sections (Character, Location, Outline) give one
pair per entry, its lines joined by "\\n". ``character_fields`` and ``location_fields`` read an entry
into the bible's fields; ``character_entry`` and ``location_entry`` write one.

Decisions worth knowing:
- A preamble exists only when a bible label (大纲, 人物小传, 场景表, 道具, 分集大纲, 类型 ...) starts a
  line before the first episode line or numbered scene heading; otherwise the lines before the first
  episode belong to it, as they always did. Labels that mean something else in a script (人物：张明 is
  a cast line, 场景：客厅 a heading) count as labels there only on their own line.
- Inside a 分集大纲, "第N集：…" lines are outline entries while N grows; a 第N集 that does not (the script
  starting again at 第1集), one directly followed by a numbered scene heading, one without a colon in an
  outline written "第N集：summary" (the script's "第4集 归来" after an outline of 1-3), a numbered scene
  heading or a 正文 line ends the preamble.
- An entry may be a Markdown list item with a bold name ("- **陈光**（25岁）：外卖员"), a Latin name of
  capitalised words ("Lily Chen（25）：…") or start with the role ("男主：陈光，25岁", "【女主】沈星晴"):
  the role goes to the identity, never the name; a role alone on its line heads the entry after it.
- Everything in the preamble is kept: text before the first label is a Note. A label must come within
  the first 40 lines, so a long script without one costs the scan nothing.
- Every scan is one pass with bounded look-ups (no regex with overlapping repetition).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

TEXT_KEYS = ("Synopsis", "Logline", "Genre", "Audience", "Style", "Props", "Note")
ENTRY_KEYS = ("Character", "Location", "Outline")
PREAMBLE_KEYS = frozenset(TEXT_KEYS + ENTRY_KEYS)

_SECTION_LABELS = {
    **dict.fromkeys(
        [
            *"大纲 故事大纲 剧情大纲 全剧大纲 梗概 故事梗概 剧情梗概".split(),
            *"简介 剧情简介 故事简介 内容简介 故事概要".split(),
        ],
        "Synopsis",
    ),
    **dict.fromkeys("一句话梗概 一句话简介 一句话大纲 一句话故事 故事核心".split(), "Logline"),
    **dict.fromkeys("类型 题材 类型题材 剧集类型".split(), "Genre"),
    **dict.fromkeys("受众 目标受众 目标观众 目标人群".split(), "Audience"),
    **dict.fromkeys("风格 基调 风格基调 创作风格".split(), "Style"),
    **dict.fromkeys(
        [
            *"人物 角色 人物小传 人物介绍 人物设定 主要人物 人物表".split(),
            *"角色介绍 角色设定 角色小传 主要角色 人物简介".split(),
        ],
        "Character",
    ),
    **dict.fromkeys("场景 场景表 主要场景 场景设定 场景库 场景列表".split(), "Location"),
    **dict.fromkeys("道具 道具表 主要道具 道具列表".split(), "Props"),
    **dict.fromkeys("分集大纲 分集梗概 分集剧情 剧集大纲 分集简介 分集概要".split(), "Outline"),
    "备注": "Note",
    "人物关系": "Note",  # sentences about pairs of people, not entries of one; kept as written
}
# In a script these words with text after the colon are something else (a cast line, a heading, a note).
_HEADER_ONLY = frozenset({"人物", "角色", "场景", "备注", "道具"})
_BODY_LABELS = frozenset({"正文", "剧本正文", "剧本", "正片"})
_OUT = {
    "Synopsis": "大纲",
    "Logline": "一句话梗概",
    "Genre": "类型",
    "Audience": "受众",
    "Style": "风格",
    "Props": "道具表",
    "Note": "备注",
    "Character": "人物小传",
    "Location": "场景表",
    "Outline": "分集大纲",
}
_TITLE_RE = re.compile(r"^(剧名|片名|标题|编剧|作者)\s*[:：]\s*(.*)$")
_TITLE_OUT = {"Title": "剧名", "Author": "编剧"}
_TITLE_KEYS = {"剧名": "Title", "片名": "Title", "标题": "Title", "编剧": "Author", "作者": "Author"}
# "一、" "1." "（一）" "(2)" "- " "* " "· " before a label or an entry; bounded, one pass.
_NUMBERING_RE = re.compile(
    r"^(?:[0-9０-９]{1,3}\s*[、.．)）]|[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][0-9一二三四五六七八九十]{1,3}[)）]|[-*·•●◆■]\s)\s*"
)
_BRACKET_PAIRS = {"【": "】", "[": "]", "〔": "〕", "〖": "〗"}
_COLONS = ":："

# Fields of a character entry, by the labels rooms write; the first is what the export writes.
_CHARACTER_LABELS = {
    "age": ("年龄",),
    "identity": ("身份", "职业", "人设", "定位"),
    "personality": ("性格", "性格特点", "个性"),
    "look": ("外貌", "外形", "形象", "造型", "服装", "穿着", "长相"),
    "relationships": ("关系", "人物关系", "社会关系"),
    "speech_habits": ("说话习惯", "口头禅", "说话方式", "语言风格", "台词风格", "语言特点"),
    "goal": ("目标", "动机", "欲望", "诉求"),
    "secret": ("秘密", "隐藏身份", "软肋"),
    "aliases": ("别名", "又名", "小名", "昵称", "外号"),
}
_CHARACTER_LABEL_FIELD = {label: name for name, labels in _CHARACTER_LABELS.items() for label in labels}
_LOCATION_LABELS = {
    "int_ext": ("内外", "内外景"),
    "look": ("外观", "环境", "描述", "陈设", "样子"),
    "props": ("道具", "常用道具", "固定道具"),
}
_LOCATION_LABEL_FIELD = {label: name for name, labels in _LOCATION_LABELS.items() for label in labels}
_MAX_LABEL = 8
# A preamble names its first section within a few lines (a title, a credit, a tagline); past this many
# lines without a bible label the file is a script, and the preamble scan stops.
_MAX_LINES_BEFORE_LABEL = 40
_MAX_NAME = 12
_MAX_LATIN_NAME = 32  # "Lily Chen", "Anna Maria Rossi": capitalised words joined by single spaces
# Words for a part in the story that bios put before the name ("男主：陈光，25岁"); they are identity.
_ROLES = frozenset(
    [
        *"主角 男主 女主 男主角 女主角 男一 女一 男一号 女一号 男二 女二 男二号 女二号".split(),
        *"男三 女三 男三号 女三号 男配 女配 男配角 女配角 配角 反派 大反派 男反派 女反派".split(),
    ]
)
_AFTER_ROLE = " \u3000：:，,、—-"
_SENTENCE_ENDS = "。；;\n"
# An age token (checked only on tokens of at most 16 characters): "17", "17岁", "约30", "20-25岁", "年龄：17".
_AGE_RE = re.compile(
    r"^(?:年龄[:：]?)?(?:约|大约)?[0-9０-９]{1,3}(?:[-－~～至到][0-9０-９]{1,3})?(?:岁|岁左右|多岁|出头)?$"
)
_CN_AGE_RE = re.compile(r"^[一二三四五六七八九十两]{1,4}(?:岁|多岁|来岁|出头|岁左右)$")


# --------------------------------------------------------------------------- reading


def split(
    lines: list[str],
    *,
    episode_number: Callable[[str], int | None],
    is_heading: Callable[[str], bool],
) -> tuple[list[tuple[str, str]], int] | None:
    """The preamble's (key, value) pairs and the index of the script's first line, or None.

    `lines` are stripped, Markdown-free lines; `episode_number(line)` is the number of a 第N集 line
    (None for any other line) and `is_heading(line)` says whether it is a numbered scene heading."""
    reader = _Reader()
    before_label = 0
    for index, s in enumerate(lines):
        if not s:
            continue
        if not reader.labelled:
            before_label += 1
            if before_label > _MAX_LINES_BEFORE_LABEL:
                return None  # a script, not a bible: it is read as it always was, at no extra cost
        label = _label(s, relaxed=reader.triggered)
        if label is not None and label[0] == "Body":
            return reader.result(index + 1)
        if reader.section == "Outline" and s[0] == "第" and "集" in s[:16]:
            number = episode_number(s)
            if number is not None and reader.starts_script(s, number, _next_line(lines, index), is_heading):
                return reader.result(index)
            if number is None or number > reader.outline_max:  # "第1-3集：…" or the next entry
                reader.outline_max = max(reader.outline_max, number or 0)
                reader.content(s)
                continue
            return reader.result(index)
        if episode_number(s) is not None or is_heading(s):
            return reader.result(index)
        if label is not None:
            reader.start(*label)
        elif not reader.pairs and not reader.section and not reader.buffer and book_title(s):
            reader.pairs.append(("Title", book_title(s)))
        elif (m := _TITLE_RE.match(s)) is not None:
            reader.close()
            reader.pairs.append((_TITLE_KEYS[m.group(1)], m.group(2).strip()))
        else:
            reader.content(s)
    return reader.result(len(lines))


def _next_line(lines: list[str], index: int) -> str:
    """The next non-empty line after `index` ("" at the end). Only a 第N集 line in an outline asks, so
    each blank line is looked at by one call at most: the scan stays linear."""
    index += 1
    while index < len(lines) and not lines[index]:
        index += 1
    return lines[index] if index < len(lines) else ""


def _has_colon(s: str) -> bool:
    return "：" in s or ":" in s


class _Reader:
    """The pairs read so far and the section being read."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.section = ""
        self.buffer: list[str] = []  # the open text section, or the open entry
        self.has_open = False  # whether `buffer` belongs to an open pair (an empty section is one too)
        self.triggered = False  # a bible label was seen (备注 alone is not one)
        self.labelled = False  # any label was seen
        self.outline_max = 0
        self.outline_colons: bool | None = None  # whether the outline writes "第N集：summary"

    def starts_script(self, s: str, number: int, following: str, is_heading: Callable[[str], bool]) -> bool:
        """Whether the 第N集 line `s` in an outline is the script's first episode, not an entry."""
        if following and is_heading(following):
            return True  # "第4集 归来" over "4-1 日 内 客厅"
        if self.outline_colons is None:
            self.outline_colons = _has_colon(s)
            return False
        return number > self.outline_max and self.outline_colons and not _has_colon(s)

    def start(self, key: str, rest: str) -> None:
        self.close()
        self.labelled = True
        self.triggered = self.triggered or key != "Note"
        self.section = key
        self.has_open = True  # an empty section is kept too: it is what says the file has a preamble
        if rest:
            self.content(rest)

    def content(self, s: str) -> None:
        if not self.section:
            self.section, self.has_open = "Note", True
        if self.section in TEXT_KEYS:
            self.buffer.append(s)
            return
        if self.section == "Character" and _is_name_list(s):
            for name in _split_names(s):
                self._next_entry()
                self.buffer.append(name)
            return
        if not self.buffer or starts_entry(self.section, s):
            self._next_entry()
        self.buffer.append(s)

    def _next_entry(self) -> None:
        """Open an entry: the section's empty slot, else a new one after the entry before it."""
        if self.buffer:
            self.close()
        self.has_open = True

    def close(self) -> None:
        if self.has_open:
            self.pairs.append((self.section, "\n".join(self.buffer)))
        self.buffer, self.has_open = [], False
        if self.section in TEXT_KEYS:
            self.section = ""  # a text section ends where the next label starts

    def result(self, body_start: int) -> tuple[list[tuple[str, str]], int] | None:
        """The pairs and where the script starts; None when no bible label was found."""
        self.close()
        return (self.pairs, body_start) if self.triggered else None


def _strip_numbering(s: str) -> str:
    """The line without its list marker, and without the bold of a list item ("- **陈光**（25岁）")."""
    m = _NUMBERING_RE.match(s)
    if not m:
        return s
    s = s[m.end() :]
    for mark in ("**", "__"):
        if s.startswith(mark):
            s = s.replace(mark, "").strip()
    return s


def _unbracket(s: str) -> str:
    """ "【人物小传】" -> "人物小传"; anything else as it is."""
    close = _BRACKET_PAIRS.get(s[:1])
    if close and s.endswith(close) and len(s) > 2:
        return s[1:-1].strip()
    return s


def _label(s: str, *, relaxed: bool) -> tuple[str, str] | None:
    """(key, text after the label) for a section label line, ("Body", "") for 正文; else None."""
    s = _unbracket(_strip_numbering(s))
    head, rest = s, ""
    for i, ch in enumerate(s[: _MAX_LABEL + 2]):
        if ch in _COLONS:
            head, rest = s[:i], s[i + 1 :]
            break
    head, rest = _unbracket(head.strip()), rest.strip()
    if len(head) > _MAX_LABEL:
        return None
    if head in _BODY_LABELS and not rest:
        return "Body", ""
    key = _SECTION_LABELS.get(head)
    if key is None or (rest and head in _HEADER_ONLY and not relaxed):
        return None
    if head == s and head in _HEADER_ONLY and not relaxed and key != "Character" and key != "Location":
        return None  # a bare "备注" or "道具" line in a script stays what it was
    return key, rest


def book_title(s: str) -> str:
    """ "《灌篮少女》" -> "灌篮少女": a line that is one 《…》 and nothing else."""
    if s.startswith("《") and s.endswith("》") and s.count("《") == 1 and s.count("》") == 1:
        return s[1:-1].strip()
    return ""


def _entry_name(s: str) -> tuple[str, str]:
    """The name an entry line starts with and the character that follows it ("" at the line's end)."""
    return _name_prefix(_entry_head(s)[1])


def _entry_head(s: str) -> tuple[str, str]:
    """(role, the line from the name on): numbering, bold and a bracket round the name taken off, and a
    role before the name ("男主：陈光，25岁" -> ("男主", "陈光，25岁")); role "" when there is none."""
    head = _unbracket_name(_strip_numbering(s))
    role, _after = _name_prefix(head)
    if role in _ROLES:
        rest = head[len(role) :].lstrip(_AFTER_ROLE)
        name, _after = _name_prefix(rest)
        if name and name not in _ROLES and name not in _CHARACTER_LABEL_FIELD and name not in _SECTION_LABELS:
            return role, rest
    return "", head


def _name_prefix(s: str) -> tuple[str, str]:
    """The name `s` starts with and the character after it; ("", "") when the run is too long for one."""
    for i, ch in enumerate(s[: _MAX_NAME + 1]):
        if not (ch.isalnum() or ch in "·•・"):
            return _latin_name(s, i) if ch == " " else (s[:i], ch)
    return (s, "") if len(s) <= _MAX_NAME else ("", "")


def _latin_name(s: str, end: int) -> tuple[str, str]:
    """ "Lily Chen（25）": a Latin name goes on over a single space before a capital letter."""
    if not (s[:end].isascii() and s[:end].isalpha()):
        return s[:end], s[end]
    bound = min(len(s), _MAX_LATIN_NAME + 1)
    while end + 1 < bound and s[end] == " " and s[end + 1].isascii() and s[end + 1].isupper():
        stop = end + 1
        while stop < bound and s[stop].isascii() and s[stop].isalpha():
            stop += 1
        if stop > _MAX_LATIN_NAME:
            break
        end = stop
    return s[:end], s[end : end + 1]


def _unbracket_name(s: str) -> str:
    """ "【马一花】17岁…" -> "马一花 17岁…" so the name reads like any other."""
    close = _BRACKET_PAIRS.get(s[:1])
    if close:
        end = s.find(close, 1, _MAX_NAME + 2)
        if end > 1:
            return s[1:end] + " " + s[end + 1 :].lstrip()
    return s


def starts_entry(section: str, s: str) -> bool:
    """Whether line `s` starts a new entry of `section` (else it continues the open one)."""
    if section == "Outline":
        return s[0] == "第" and "集" in s[:16]
    role, head = _entry_head(s)
    name, after = _name_prefix(head)
    if not name:
        return False
    if section == "Character":
        if name in _CHARACTER_LABEL_FIELD or name in _SECTION_LABELS:
            return False
        if role:
            return True  # "男主：陈光…": a role before a name opens a bio
        if after == "":
            return len(name) <= 8 and " " not in name
        if after in "（(：:":
            return True
        if after in " ，,、—-\u3000":
            rest = head[len(name) + 1 :].lstrip(" ，,、—-\u3000")
            first = _split_top(rest, "，,、。；; ")[0] if rest else ""
            return bool(first) and (_is_age(first) or first[:1] in "（(：:")
        return False
    # Location: a line that is not a labelled detail of the entry before it.
    head = _label_of(_strip_numbering(s), _LOCATION_LABEL_FIELD)
    return head is None


def is_entry_name(name: str) -> bool:
    """Whether `name` reads back as itself at the head of a 人物小传 entry."""
    found, after = _entry_name(name)
    return (
        found == name
        and after == ""
        and name not in _CHARACTER_LABEL_FIELD
        and name not in _SECTION_LABELS
        and name not in _ROLES  # "男主：外卖员" would read back as a character named 外卖员
    )


def _is_name_list(s: str) -> bool:
    """ "张三、李四、王五": short names and separators only."""
    if "、" not in s and "，" not in s and "," not in s:
        return False
    names = _split_names(s)
    return len(names) > 1 and all(
        len(n) <= 8
        and all(ch.isalnum() or ch in "·•・" for ch in n)
        and n not in _CHARACTER_LABEL_FIELD
        and n not in ("男", "女")
        and not _is_age(n)
        for n in names
    )


def _split_names(s: str) -> list[str]:
    return [part.strip() for part in _split_top(s, "、，,") if part.strip()]


def _split_top(s: str, separators: str) -> list[str]:
    """Split on `separators` outside brackets, in one pass."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "（(【[":
            depth += 1
        elif ch in "）)】]" and depth:
            depth -= 1
        elif ch in separators and not depth:
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return parts


def _label_of(s: str, labels: dict[str, str]) -> tuple[str, str] | None:
    """(field, value) when `s` starts with one of `labels` and a colon."""
    for i, ch in enumerate(s[: _MAX_LABEL + 1]):
        if ch in _COLONS:
            field_name = labels.get(s[:i].strip())
            return (field_name, s[i + 1 :].strip()) if field_name else None
    return None


def _is_age(token: str) -> bool:
    token = token.strip().replace(" ", "")
    return bool(token) and len(token) <= 16 and bool(_AGE_RE.match(token) or _CN_AGE_RE.match(token))


# --------------------------------------------------------------------------- entries -> fields


@dataclass
class CharacterBio:
    name: str
    age: str = ""
    identity: str = ""
    personality: str = ""
    look: str = ""
    relationships: str = ""
    speech_habits: str = ""
    goal: str = ""
    secret: str = ""
    aliases: str = ""

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "name"}


@dataclass
class LocationEntry:
    name: str
    int_ext: str = ""
    look: str = ""
    props: str = ""

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if k != "name"}


@dataclass
class Preamble:
    """The pairs read into the bible's shape."""

    title: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # Synopsis, Logline, ... (joined when repeated)
    characters: list[CharacterBio] = field(default_factory=list)
    locations: list[LocationEntry] = field(default_factory=list)
    outline: dict[int, str] = field(default_factory=dict)  # episode number -> summary

    @property
    def empty(self) -> bool:
        return not (
            self.title or any(self.texts.values()) or self.characters or self.locations or self.outline
        )


def read(pairs: list[tuple[str, str]], *, episode_number: Callable[[str], int | None]) -> Preamble:
    """A document's title-page pairs as a Preamble (pairs that are not preamble pairs are skipped)."""
    out = Preamble()
    by_name: dict[str, CharacterBio] = {}
    places: set[str] = set()
    role = ""  # "男主：" alone on its line: the role of the bio after it
    for key, value in pairs:
        if key == "Title" and not out.title:
            out.title = value
        elif key in TEXT_KEYS and value.strip():
            out.texts[key] = f"{out.texts[key]}\n{value}" if key in out.texts else value
        elif key == "Character":
            bio = character_fields(value)
            if bio.name in _ROLES and not any(bio.fields().values()):
                role = bio.name
                continue
            if role and bio.name:
                bio.identity = "，".join(filter(None, [role, bio.identity]))
            role = ""
            if bio.name and bio.name not in by_name:
                by_name[bio.name] = bio
                out.characters.append(bio)
        elif key == "Location":
            loc = location_fields(value)
            if loc.name and loc.name not in places:
                places.add(loc.name)
                out.locations.append(loc)
        elif key == "Outline":
            first, _sep, rest = value.partition("\n")
            number, summary = _outline_entry(first, episode_number)
            if number is not None and number not in out.outline:
                out.outline[number] = "\n".join(filter(None, [summary, rest])).strip()
    return out


def _outline_entry(line: str, episode_number: Callable[[str], int | None]) -> tuple[int | None, str]:
    number = episode_number(line)
    if number is None:
        return None, line
    end = line.find("集")
    return number, line[end + 1 :].lstrip(" ：:、.．-—–").strip()


def character_fields(entry: str) -> CharacterBio:
    """ "马一花（17）：暴躁体委/手办狂魔。强悍直率……" -> name 马一花, age 17, identity, personality."""
    lines = entry.split("\n")
    role, head = _entry_head(lines[0].strip())
    name, _after = _name_prefix(head)
    if not name:
        return CharacterBio(name="")
    bio = CharacterBio(name=name[:100])
    rest = head[len(name) :].lstrip(" \u3000")
    in_bracket = role  # "男主" of "男主：陈光", "女" of "（女，17）": the start of the identity
    if rest[:1] in "（(":
        close = _matching_close(rest)
        if close > 0:
            for token in _split_top(rest[1:close], "，,、/／;；"):
                token = token.strip()
                if not token:
                    continue
                if not bio.age and _is_age(token):
                    bio.age = token.removeprefix("年龄").lstrip(":： ")
                else:
                    in_bracket = "，".join(filter(None, [in_bracket, token]))
            rest = rest[close + 1 :]
    rest = rest.lstrip(" \u3000：:，,、—-")
    text = "\n".join([rest, *lines[1:]]) if rest else "\n".join(lines[1:])
    current = ""  # the labelled field the sentences now continue
    bio.identity = in_bracket
    unlabelled_seen = False
    for sentence in _sentences(text):
        labelled = _label_of(sentence, _CHARACTER_LABEL_FIELD)
        if labelled is not None:
            current, value = labelled
            if current == "age":
                bio.age = bio.age or value
                current = ""
            else:
                _append(bio, current, value)
            continue
        if current:
            _append(bio, current, sentence, joiner="。")
            continue
        if not unlabelled_seen:
            unlabelled_seen = True
            bio.identity = "，".join(filter(None, [in_bracket, _take_age(bio, sentence)]))
        else:
            _append(bio, "personality", sentence, joiner="。")
    return bio


def _take_age(bio: CharacterBio, sentence: str) -> str:
    """ "女，17岁，高三学生" -> age 17岁 (when none yet), identity "女，高三学生"."""
    if bio.age:
        return sentence
    tokens = _split_top(sentence, "，,、")
    for i, token in enumerate(tokens):
        if _is_age(token):
            bio.age = token.strip().removeprefix("年龄").lstrip(":： ")
            return "，".join(t.strip() for j, t in enumerate(tokens) if j != i and t.strip())
    return sentence


def _append(obj, name: str, value: str, joiner: str = "。") -> None:
    value = value.strip()
    if value:
        old = getattr(obj, name)
        setattr(obj, name, f"{old}{joiner}{value}" if old else value)


def _matching_close(s: str) -> int:
    """Where the bracket opening `s` closes (nested ones skipped); -1 if it never does."""
    depth = 0
    for i, ch in enumerate(s):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _sentences(text: str) -> list[str]:
    """Sentences split at 。；; and line ends (outside brackets), stripped, empty ones dropped."""
    return [part.strip() for part in _split_top(text, _SENTENCE_ENDS) if part.strip()]


def location_fields(entry: str) -> LocationEntry:
    """ "张家客厅（内）：欧式装修，冷色调。道具：全家福" -> name, int_ext, look, props."""
    lines = entry.split("\n")
    head = _strip_numbering(lines[0].strip())
    cut = len(head)
    for i, ch in enumerate(head):
        if ch in "：:（(":
            cut = i
            break
    loc = LocationEntry(name=head[:cut].strip()[:200])
    rest = head[cut:]
    if rest[:1] in "（(":
        close = _matching_close(rest)
        if close > 0:
            inner = rest[1:close].strip()
            if inner in ("内", "外", "内外", "内景", "外景", "内外景"):
                loc.int_ext = inner.removesuffix("景")
            else:
                loc.look = inner
            rest = rest[close + 1 :]
    rest = rest.lstrip(" ：:")
    current = "look"
    for sentence in _sentences("\n".join([rest, *lines[1:]])):
        labelled = _label_of(sentence, _LOCATION_LABEL_FIELD)
        if labelled is not None:
            current, value = labelled
            if current == "int_ext":
                loc.int_ext = value.removesuffix("景")
                current = "look"
            else:
                _append(loc, current, value)
            continue
        _append(loc, current, sentence)
    return loc


# --------------------------------------------------------------------------- writing


def serialise(pairs: list[tuple[str, str]]) -> list[str]:
    """The title-page pairs as lines, in their order: Title and Author, then the preamble's sections."""
    out: list[str] = []
    previous = ""
    triggered = False  # a label other than 备注 came before: "备注：text" is a label from then on
    for key, value in pairs:
        if key in _TITLE_OUT:
            out.append(f"{_TITLE_OUT[key]}：{value}")
        if key not in PREAMBLE_KEYS:
            previous = ""
            continue
        lines = value.split("\n") if value else []
        if key in TEXT_KEYS:
            if lines and (triggered or key != "Note"):
                # On the label's line the first line is plain text, whatever it looks like ("人物：…").
                out.append(f"{_OUT[key]}：{lines[0]}")
                out.extend(lines[1:])
            else:
                out.append(f"{_OUT[key]}：")
                out.extend(lines)
        else:
            # Entries of one section share its label, unless an entry would read as the one before's tail.
            after_empty = previous == key and out and out[-1] == f"{_OUT[key]}："
            if previous != key or after_empty or not lines or not starts_entry(key, lines[0]):
                out.append(f"{_OUT[key]}：")
            elif _is_name_list(lines[0]):
                out.append(f"{_OUT[key]}：")
            out.extend(lines)
        previous = key
        triggered = triggered or key != "Note"
    if any(key == "Outline" for key, _value in pairs):
        out.append("正文")  # so a script starting at a higher episode than the outline is not read as it
    return out


def text_pairs(key: str, text: str, *, reads_as_text: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Free text (a synopsis, the glossary) as `key` pairs that ``split`` reads back as the same lines.

    Blank lines are dropped (a section's lines are joined by "\n"). A line that would read as something
    else in a preamble (a label such as "人物：…", 剧名：, 正文; or what `reads_as_text` refuses: 第N集, a
    scene heading, Markdown) starts a pair of its own, which ``serialise`` writes on the label's line,
    where it is plain text. ``read`` joins the pairs again with "\n"."""
    pairs: list[tuple[str, str]] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if current and not _plain_text(line, reads_as_text):
            pairs.append((key, "\n".join(current)))
            current = []
        current.append(line)
    if current:
        pairs.append((key, "\n".join(current)))
    return pairs


def _plain_text(line: str, reads_as_text: Callable[[str], bool]) -> bool:
    return (
        reads_as_text(line)
        and _label(line, relaxed=True) is None
        and _TITLE_RE.match(line) is None
        and not book_title(line)
    )


def glossary_text(texts: dict[str, str]) -> str:
    """What an imported preamble adds to the series' glossary: its 道具 list and its notes, as written."""
    parts = [f"道具：{texts['Props']}"] if texts.get("Props") else []
    parts += [texts["Note"]] if texts.get("Note") else []
    return "\n\n".join(parts)


def glossary_pairs(glossary: str, *, reads_as_text: Callable[[str], bool]) -> list[tuple[str, str]]:
    """The glossary as the preamble pairs that ``glossary_text`` turns back into it: a leading "道具：…"
    paragraph is the 道具表 (Props), the rest is 备注 (Note)."""
    lines = glossary.strip().splitlines()
    props: list[str] = []
    if lines and lines[0].startswith(("道具：", "道具:")):
        props.append(lines[0][3:])
        for line in lines[1:]:
            if not line.strip():
                break
            props.append(line)
        lines = lines[len(props) :]
    return [
        *text_pairs("Props", "\n".join(props), reads_as_text=reads_as_text),
        *text_pairs("Note", "\n".join(lines), reads_as_text=reads_as_text),
    ]


def character_entry(name: str, fields: dict[str, str]) -> str:
    """One 人物小传 entry for the export: "马一花（17）：暴躁体委。性格：强悍直率"."""
    age = _one_line(fields.get("age", "")).replace("（", "(").replace("）", ")")
    head = f"{name}（{age}）：" if age else f"{name}："
    parts = []
    identity = _one_line(fields.get("identity", ""))
    if identity:
        safe = (
            not any(ch in _SENTENCE_ENDS for ch in identity)
            and _label_of(identity, _CHARACTER_LABEL_FIELD) is None
        )
        parts.append(identity if safe else f"身份：{identity}")
    for field_name, labels in _CHARACTER_LABELS.items():
        if field_name in ("age", "identity"):
            continue
        value = _one_line(fields.get(field_name, ""))
        if value:
            parts.append(f"{labels[0]}：{value}")
    return head + "。".join(parts) if parts else head.rstrip("：")


def location_entry(name: str, fields: dict[str, str]) -> str:
    """One 场景表 entry for the export: "张家客厅（内）：欧式装修。道具：全家福"."""
    int_ext = fields.get("int_ext", "")
    head = f"{name}（{int_ext}）" if int_ext in ("内", "外", "内外") else name
    parts = []
    look = _one_line(fields.get("look", ""))
    if look:
        parts.append(look if _label_of(look, _LOCATION_LABEL_FIELD) is None else f"外观：{look}")
    props = _one_line(fields.get("props", ""))
    if props:
        parts.append(f"道具：{props}")
    return f"{head}：{'。'.join(parts)}" if parts else head


def _one_line(value: str) -> str:
    return " ".join(part.strip() for part in value.split("\n") if part.strip())
