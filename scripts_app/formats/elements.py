"""The element list every script format parses to and serialises from.

Everything downstream (preview, runtime, AI prompts, pagination, PDF) reads these
types, never raw script text, so a new format only has to speak this vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    SCENE_HEADING = (
        "scene_heading"  # text: "INT. HOUSE - NIGHT" / "日 内 张家客厅"; scene_number: "12A" / "1-1"
    )
    ACTION = "action"  # Fountain action, Chinese "△" line (text without the △)
    CHARACTER = (
        "character"  # text: the name; extension: "V.O.", "O.S.", "CONT'D", "OS", "VO"; dual: right column
    )
    PARENTHETICAL = "parenthetical"  # text without the brackets
    DIALOGUE = "dialogue"
    TRANSITION = "transition"  # "CUT TO:"
    CENTERED = "centered"
    PAGE_BREAK = "page_break"
    SECTION = "section"  # level: 1.. (level 1 starts an episode and is not kept as an element)
    SYNOPSIS = "synopsis"
    NOTE = "note"
    CAST = "cast"  # Chinese "人物：张明、张父": text is the names joined by "、"
    FLASHBACK_START = "flashback_start"  # 【闪回】
    FLASHBACK_END = "flashback_end"  # 【闪回结束】
    CAPTION = "caption"  # 【字幕：…】 text is what follows the colon
    VOICE_OVER = "voice_over"  # 【VO：…】
    # Final Draft's act paragraphs ("ACT ONE", "END OF ACT ONE"); Fountain writes them as centred
    # lines. They print centred; a new page before an act is a PAGE_BREAK element before it.
    NEW_ACT = "new_act"
    END_ACT = "end_act"


@dataclass(frozen=True)
class Element:
    kind: Kind
    text: str = ""
    scene_number: str = ""
    extension: str = ""
    dual: bool = False
    level: int = 0
    # Notes written on a cue or a scene-heading line ("BOB [[cue note]]", "INT. A - DAY [[why?]]"):
    # kept apart from the name and the heading so they are part of neither and never print. Several
    # notes are joined as Fountain writes them side by side ("one]] [[two"). Other elements keep their
    # inline notes in their text.
    note: str = ""


@dataclass
class EpisodeText:
    """One episode as parsed from a file: "第N集 标题" or a level-1 Fountain section."""

    number: int | None = None
    title: str = ""
    elements: list[Element] = field(default_factory=list)


class EpisodeSplitter:
    """Collects a parser's elements into episodes as it meets episode markers (第N集, "# ...", acts).

    Content before the first marker belongs to the first episode, so there is never a phantom
    episode 0; a marker without a number takes the previous episode's number plus one.
    """

    def __init__(self, title: str = "") -> None:
        self.episodes: list[EpisodeText] = []
        self.current = EpisodeText(number=1, title=title)
        self.seen_marker = False

    def add(self, *elements: Element) -> None:
        self.current.elements.extend(elements)

    def start(self, number: int | None, title: str) -> None:
        if not self.seen_marker:
            self.seen_marker = True
            self.current.number = number if number is not None else 1
            self.current.title = title
            return
        self.episodes.append(self.current)
        previous = self.current.number or 0
        self.current = EpisodeText(number=number if number is not None else previous + 1, title=title)

    def finish(self, *, keep_empty: bool = False) -> list[EpisodeText]:
        """The episodes; a file with no marker and no content has none unless `keep_empty`."""
        if self.seen_marker or self.current.elements or keep_empty:
            self.episodes.append(self.current)
        return self.episodes


@dataclass
class ScriptDocument:
    """A whole parsed file: an optional title page and one or more episodes."""

    title_page: list[tuple[str, str]] = field(default_factory=list)
    episodes: list[EpisodeText] = field(default_factory=list)


def has_implicit_episode(doc: ScriptDocument, page_title: str) -> bool:
    """A lone episode 1 titled like the title page needs no episode marker when written out
    (unless it is empty: then the marker is all that says there is an episode)."""
    only = doc.episodes[0] if len(doc.episodes) == 1 else None
    return (
        only is not None
        and only.number in (1, None)
        and only.title == page_title
        and bool(only.elements or doc.title_page)
    )


@dataclass(frozen=True)
class HeadingParts:
    """A scene heading broken into the parts the Scene model stores."""

    number: str = ""
    time_of_day: str = ""  # "日", "夜", "DAY", "NIGHT" ...
    int_ext: str = ""  # "内", "外", "内外", "INT", "EXT", "INT/EXT"
    location: str = ""


def speaking_characters(elements: list[Element]) -> list[str]:
    """Names that speak or are listed on a 人物 line, in order of first appearance.

    Extensions and (CONT'D) are already split off the cue by the parsers, so a
    name with an extension is the same character as without it.
    """
    seen: dict[str, None] = {}
    for el in elements:
        if el.kind == Kind.CHARACTER and el.text:
            seen.setdefault(el.text, None)
        elif el.kind == Kind.CAST:
            for name in split_cast(el.text):
                seen.setdefault(name, None)
    return list(seen)


# Words a 人物 line uses for a crowd; nobody in particular, so never a character.
CAST_GROUP_WORDS = frozenset({"全员", "众人", "所有人", "前场所有人", "全体", "大家", "其他人", "群演", "众"})


_CAST_OPENS, _CAST_CLOSES = "（(【[", "）)】]"
_CAST_SPLIT = "、，,/／；;"
_CAST_ENDS = "。．！!？?"


def split_cast(text: str) -> list[str]:
    """Split a 人物 line's names on the separators rooms actually use (outside brackets, one pass).

    A bracket after a name is a note on that appearance ("苏晓（旁观）", "苏晓【旁观】" are 苏晓), group
    words (全员, 众人) name nobody, and a full stop after the last name is not part of it, so none of
    them is returned as a name. A bracket that never closes groups nothing ("苏晓（旁观、沈星晴")."""
    names = []
    depth, start = 0, 0
    last_close = max(text.rfind(ch) for ch in _CAST_CLOSES)
    for i, ch in enumerate(text + "、"):
        if ch in _CAST_OPENS and i < last_close:
            depth += 1
        elif ch in _CAST_CLOSES and depth:
            depth -= 1
        elif i == len(text) or (not depth and ch in _CAST_SPLIT):
            part = text[start:i].strip()
            start = i + 1
            cut = min((part.find(b) for b in _CAST_OPENS if b in part), default=-1)
            name = (part[:cut] if cut >= 0 else part).strip().rstrip(_CAST_ENDS).strip()
            if name and name not in CAST_GROUP_WORDS:
                names.append(name)
    return names
