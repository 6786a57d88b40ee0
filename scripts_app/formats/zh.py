"""The Chinese micro-drama script layout <-> the shared element list.

Pure Python. One line is one element (a speaker line becomes a cue, its leading
（提示） parentheticals and the dialogue). Input variants are accepted and
normalised; ``serialise`` writes the normalised form, so ``parse(serialise(doc)) == doc``
for any document ``parse`` produced.

Decisions worth knowing:
- "第N集 标题" starts an episode (N in Arabic, full-width or Chinese numerals). 集 must
  be followed by a space, a colon/dash/bracket or the line end, so "第一集团的人" stays
  action. Lines before the first 第N集 belong to the first episode. A file with no
  第N集 is one episode, number 1, titled from a leading "剧名：" line if any.
- Scene headings are normalised to scene_number "1-1" and text "日 内 张家客厅"
  (time, 内/外/内外, location; missing parts left out). A bare scene number "3" in
  episode N becomes "N-3" so scene numbers stay unique across a series (N is 1 in a
  file without 第N集 lines). A bare number counts as a heading only when followed by
  a separator and a time or 内/外 word; "1-1" style numbers always count.
- A speaker is 1-8 characters (12 with a "·" in a foreign name) of letters/digits,
  and not a label like 时间/地点, a pronoun phrase (他说…) or "…说/问/喊/道" (3+ chars).
  A bracket before the colon is an extension when it is OS/VO/画外音/内心/心声…
  (normalised: "V.O." -> "VO"), otherwise it is a parenthetical.
- The only title-page lines are leading 剧名/片名/标题 (-> "Title") and 编剧/作者
  (-> "Author"); other title-page keys are not written by ``serialise``.
- Fountain-only elements have no Chinese form: dual dialogue is written as plain
  dialogue, sections and synopses as 【备注：…】, centered text as action, and page
  breaks are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from . import zh_preamble
from .elements import Element, EpisodeSplitter, HeadingParts, Kind, ScriptDocument
from .scan import MAX_NUMBER_DIGITS, TOO_LARGE

# Index = value; 〇 and 两 are common alternates of 零 and 二.
_CN_DIGITS = {ch: n for n, chars in enumerate("零〇 一 二两 三 四 五 六 七 八 九".split()) for ch in chars}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}

_EPISODE_RE = re.compile(
    r"^第\s*([0-9０-９零〇一二两三四五六七八九十百千]+)\s*集(?:$|\s*[:：\-—–、.．]\s*|\s+|(?=[《【(（\[]))(.*)$"
)
# Optional 场/场景/第 prefix, then "1-1" or "1", optional 场 suffix, then the rest.
# A locked episode's later scenes carry letters: 1-2A after 1-2, A1-1 before 1-1.
_SCENE_RE = re.compile(
    r"^(?:场景?|第)?\s*(?P<num>[A-Z]{0,2}[0-9０-９]+(?:\s*[-－—–_]\s*[0-9０-９]+)?[A-Z]{0,2})场?(?P<rest>.*)$"
)
_SCENE_NO_NUMBER_RE = re.compile(r"^场景\s*[:：]\s*(.+)$")
_NUMBER_DASHES = "-－—–_"
_DASHES_RE = re.compile(r"[-－—–_]")
_SPACES_RE = re.compile(r"\s+")
_AFTER_BARE_NUMBER_RE = re.compile(r"[\s、，,.．:：]")
# Heading words are split on these; a "/" stays inside a location (乡村公路/大巴车), see _heading_slots.
_SEPARATORS_RE = re.compile(r"[\s、，,|｜]+")
_SLASHES_RE = re.compile(r"[/／]")
_CAST_SEPARATORS = frozenset(" \t\u3000、，,/／|｜；;")
_CAST_OPENS, _CAST_CLOSES = "（(【[", "）)】]"
# Markdown rules ("---", "***", "___") and the dash lines rooms draw between parts.
_RULE_CHARS = frozenset("-*_=—─━ ")
_LEADING_PUNCT = " \t\u3000、，,.．:：-—–"

_TIMES = sorted(
    (
        "日 夜 晨 昏 早 晚 白天 日间 夜间 夜晚 晚上 早上 早晨 清晨 "
        "凌晨 上午 中午 下午 午后 傍晚 黄昏 黎明 深夜 午夜"
    ).split(),
    key=len,
    reverse=True,
)
_INT_EXT = {
    "内外": "内外",
    "外内": "内外",
    "内外景": "内外",
    "内景": "内",
    "外景": "外",
    "内": "内",
    "外": "外",
}
_INT_EXT_ALT = "|".join(sorted(_INT_EXT, key=len, reverse=True))
_TIME_ALT = "|".join(_TIMES)
# One token may carry a time, an int/ext or both ("日内", "夜/外", "内外 日" split apart).
_SLOT_TOKEN_RE = re.compile(
    rf"^(?:(?P<t1>{_TIME_ALT})[·.]?(?P<i1>{_INT_EXT_ALT})?|(?P<i2>{_INT_EXT_ALT})[·.]?(?P<t2>{_TIME_ALT})?)$"
)

_TITLE_KEYS = {"剧名": "Title", "片名": "Title", "标题": "Title", "编剧": "Author", "作者": "Author"}
_TITLE_OUT = {"Title": "剧名", "Author": "编剧"}
_TITLE_RE = re.compile(r"^(剧名|片名|标题|编剧|作者)\s*[:：]\s*(.*)$")
_CAST_RE = re.compile(r"^(?:人物|出场人物|登场人物|出场)\s*[:：]\s*(.*)$")
_ACTION_RE = re.compile(r"^[△▲]\s*(.*)$")
_BRACKETS = (("【", "】"), ("[", "]"))  # 【…】 or […], then any text (found by _bracket_at, not a regex)
_CAPTION_RE = re.compile(r"^字幕\s*[:：]\s*(.*)$")
_VOICE_OVER_RE = re.compile(r"^(?:VO|V\.O\.|画外音|旁白)\s*[:：]\s*(.*)$", re.IGNORECASE)
_NOTE_RE = re.compile(r"^(?:备注|注)\s*[:：]\s*(.*)$")
_TRANSITION_WORDS = ("转场", "切至", "切到", "叠化", "淡入", "淡出", "闪白", "黑屏", "黑场")
_TRANSITION_PREFIX_RE = re.compile(r"^转场\s*[:：]\s*(.+)$")
_PLAIN_TRANSITION_RE = re.compile(rf"^(?:{'|'.join(_TRANSITION_WORDS)})(?:[。.]?|\s*[:：].*)$")
_LABELLED = ((_CAPTION_RE, Kind.CAPTION), (_VOICE_OVER_RE, Kind.VOICE_OVER), (_NOTE_RE, Kind.NOTE))
# The characters each kind of line can start with. Most lines of a script (and every line of a
# pasted wall of marks) start with none of them and skip straight to the speaker test, so a scene of
# 100,000 one-character lines costs a few microseconds a line instead of a dozen regular expressions.
_HEADING_FIRST = frozenset("场第ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789０１２３４５６７８９")
_CAST_FIRST = frozenset("人出登")
_LABELLED_FIRST = frozenset("字Vv画旁备注")
_TRANSITION_FIRST = frozenset(word[0] for word in _TRANSITION_WORDS)
_FLASHBACK_START = {"闪回", "回忆", "闪回开始", "回忆开始"}
_FLASHBACK_END = {"闪回结束", "回忆结束", "闪回完", "闪回 结束"}

# The space after the name belongs to one quantifier only (the bracket group carries its own), and the
# bracket's content is bounded: "张" + 5,000 spaces + "x" must fail in one pass, not in n² tries.
_SPEAKER_RE = re.compile(
    r"^(?P<name>[^\s:：（）()【】\[\]]{1,12})\s*(?:[（(](?P<paren>[^（）()]{1,200})[)）]\s*)?[:：]\s*(?P<rest>.*)$"
)
_MAX_SPEAKER_PAREN = 20  # 张父（冷笑）： — a longer bracket before the colon is not a speaker's
_LEADING_PAREN_RE = re.compile(r"[（(]([^（）()]*)[)）]\s*")  # used with match(text, pos)
_PAREN_LINE_RE = re.compile(r"[（(][^（）()]*[)）]")
_EXTENSIONS = {"OS", "VO", "OFF", "画外音", "画外", "内心", "内心OS", "内心独白", "心声", "独白", "电话"}
_NOT_SPEAKERS = {"时间", "地点", "道具", "服装", "景别", "镜头", "场景", "提示", "音效", "音乐", "BGM"}


def parse_number(text: str) -> int | None:
    """'12', '１２', '十二', '一百零五', '二〇二四' -> int; None if it is not a number."""
    text = unicodedata.normalize("NFKC", text).strip()
    if len(text) > MAX_NUMBER_DIGITS:
        # Thousands of digits would cost int() quadratic time; no episode has such a number.
        return TOO_LARGE if _all_numeral(text) else None
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):  # digit by digit: 二〇二四
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def _all_numeral(text: str) -> bool:
    return (text.isascii() and text.isdigit()) or all(ch in _CN_DIGITS or ch in _CN_UNITS for ch in text)


# --------------------------------------------------------------------------- parsing


def parse(text: str, *, preamble: bool = False) -> ScriptDocument:
    """Parse Chinese micro-drama script text (never raises on odd input).

    With `preamble` (a whole file being imported) the series bible before the first episode (大纲,
    人物小传 ..., see zh_preamble) and a leading 《剧名》 line go to ``title_page``; a scene's text is
    parsed without, so a line a writer types there is never taken for the bible."""
    lines = [
        plain_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    ]
    doc = ScriptDocument()
    splitter = EpisodeSplitter()
    started = False  # once any element or episode is seen, 剧名： is no longer a title line
    await_dialogue = False  # after "张父：" with nothing said, the next plain line is the line
    found = (
        zh_preamble.split(lines, episode_number=episode_number, is_heading=_is_numbered_heading)
        if preamble
        else None
    )
    if found is not None:
        doc.title_page, first = found
        lines, started = lines[first:], True

    for s in lines:
        if not s:
            continue
        if not started:
            m = _TITLE_RE.match(s)
            if m:
                doc.title_page.append((_TITLE_KEYS[m.group(1)], m.group(2).strip()))
                continue
            if preamble and not doc.title_page and zh_preamble.book_title(s):
                doc.title_page.append(("Title", zh_preamble.book_title(s)))  # 《灌篮少女》 on the first line
                continue
        started = True

        m = _EPISODE_RE.match(s) if s[0] == "第" else None
        if m:
            number = parse_number(m.group(1))
            title = m.group(2).strip().lstrip(_LEADING_PUNCT).strip()
            splitter.start(number, title)
            await_dialogue = False
            continue

        elements = _parse_line(s)  # once: a line that is not the awaited dialogue is read as itself
        if await_dialogue:
            found = _awaited_dialogue(s, elements)
            if found is not None:
                splitter.add(*found)
                await_dialogue = found[-1].kind == Kind.PARENTHETICAL
                continue
        splitter.add(*elements)
        # Only a speaker line with nothing said, ending on its colon, waits for the next line.
        await_dialogue = (
            bool(elements)
            and elements[0].kind == Kind.CHARACTER
            and s[-1] in ":："
            and all(el.kind != Kind.DIALOGUE for el in elements)
        )

    if not splitter.seen_marker:
        splitter.current.title = _page_title(doc.title_page)
    doc.episodes = splitter.finish(keep_empty=bool(doc.title_page))
    for episode in doc.episodes:
        episode.elements = [_with_episode_prefix(el, episode.number) for el in episode.elements]
    return doc


def plain_line(raw: str) -> str:
    """A line as AI tools and Markdown editors write it, read as the plain line.

    "**第一集：陨落**", "__第一集：陨落__" and "## 1-1 日 内 客厅" are the episode and the heading; a "---"
    rule is nothing. Emphasis inside a line ("林晚：这**很**重要") is left alone: only a line that starts
    bold is unwrapped. The format detector reads lines through this too, so what parses is detected."""
    s = raw.strip()
    if not s:
        return s
    if s[0] == "#":
        level = len(s) - len(s.lstrip("#"))
        after = s[level:]
        if level <= 6 and (not after or after[0].isspace() or after.lstrip().startswith("第")):
            s = after.strip()
    if len(s) >= 3 and all(ch in _RULE_CHARS for ch in s) and len(s.replace(" ", "")) >= 3:
        return ""
    if s.startswith("**"):
        s = s.replace("**", "").strip()
    if s.startswith("__"):
        s = s.replace("__", "").strip()
    return s


def reads_as_text(s: str) -> bool:
    """Whether a stripped line in a preamble's text section reads back as itself: no Markdown for
    ``plain_line`` to unwrap, and neither a 第N集 line nor a numbered scene heading (which end it)."""
    if not s or plain_line(s) != s or episode_number(s) is not None:
        return False
    return not _is_numbered_heading(s)


def episode_number(s: str) -> int | None:
    """The number of a 第N集 line; None for any other line."""
    m = _EPISODE_RE.match(s) if s[:1] == "第" else None
    return parse_number(m.group(1)) if m else None


def _is_numbered_heading(s: str) -> bool:
    if s[0] not in _HEADING_FIRST:
        return False
    heading = _parse_heading(s)
    return heading is not None and bool(heading.scene_number)


def _cast_names(text: str) -> list[str]:
    """ "沈星晴、苏晓（旁观）、全员": the names as written, each with its note, split outside brackets.

    One pass; a bracket after a space ("苏晓 （旁观）") still belongs to the name before it. A bracket
    that never closes ("苏晓（旁观、沈星晴") groups nothing, so no name is lost to it."""
    names: list[str] = []
    depth, start = 0, 0
    last_close = max(text.rfind(ch) for ch in _CAST_CLOSES)
    for i, ch in enumerate(text + "、"):
        if ch in _CAST_OPENS and i < last_close:
            depth += 1
        elif ch in _CAST_CLOSES and depth:
            depth -= 1
        elif i == len(text) or (not depth and (ch in _CAST_SEPARATORS or ch.isspace())):
            part = text[start:i].strip()
            start = i + 1
            if not part:
                continue
            if part[0] in _CAST_OPENS and names:
                names[-1] += part
            else:
                names.append(part)
    return names


def _with_episode_prefix(el: Element, episode_number: int | None) -> Element:
    """Scene "3" in episode 5 becomes "5-3", once we know which episode it ended up in."""
    if el.kind != Kind.SCENE_HEADING or not el.scene_number.isdigit() or episode_number is None:
        return el
    return replace(el, scene_number=f"{episode_number}-{el.scene_number}")


def _page_title(title_page: list[tuple[str, str]]) -> str:
    return next((value for key, value in title_page if key == "Title"), "")


def _awaited_dialogue(s: str, elements: list[Element]) -> list[Element] | None:
    """A plain line (parsed as `elements`) right after an empty speaker line is what they say."""
    if len(elements) != 1 or elements[0].kind != Kind.ACTION or s[0] in "△▲【[":
        return None
    if _PAREN_LINE_RE.fullmatch(s):
        return [Element(Kind.PARENTHETICAL, s[1:-1].strip())]
    return _dialogue_parts(s)


def _parse_line(s: str) -> list[Element]:
    if s[0] not in "【[":
        return _parse_element(s)
    markers, start = _leading_flashback_markers(s)
    return markers + _parse_element(s[start:] if start else s)


def _leading_flashback_markers(s: str) -> tuple[list[Element], int]:
    """ "【闪回】张明想起……" — the markers in front of the line's own element(s), and where it starts.

    A loop over offsets rather than recursion on the rest of the line: a line of 50,000 "【闪回】"
    must neither exhaust the stack nor copy itself 50,000 times."""
    markers: list[Element] = []
    pos = 0
    while True:
        found = _bracket_at(s, pos)
        if found is None:
            return markers, pos
        inner, after = found
        if after >= len(s) or (inner not in _FLASHBACK_START and inner not in _FLASHBACK_END):
            return markers, pos
        markers.append(Element(Kind.FLASHBACK_START if inner in _FLASHBACK_START else Kind.FLASHBACK_END))
        pos = after


def _bracket_at(s: str, pos: int) -> tuple[str, int] | None:
    """The (stripped) text of a 【…】 or […] starting at `pos`, and the offset of what follows it."""
    for open_ch, close_ch in _BRACKETS:
        if s.startswith(open_ch, pos):
            close = s.find(close_ch, pos + 1)
            if close >= 0:
                after = close + 1
                while after < len(s) and s[after].isspace():
                    after += 1
                return s[pos + 1 : close].strip(), after
    return None


def _parse_element(s: str) -> list[Element]:
    """One stripped, non-empty line; each test runs only if the line starts the way it must."""
    first = s[0]
    if first in "△▲":
        action = _ACTION_RE.match(s).group(1).strip()
        return [Element(Kind.ACTION, action)] if action else []
    found = _bracket_at(s, 0) if first in "【[" else None
    if found:
        inner, after = found[0], s[found[1] :].strip()
        el = _bracket_cue(inner, after)
        if el is not None:
            return [el]
        return [Element(Kind.ACTION, s)]  # an unknown 【…】 is kept as written
    heading = _parse_heading(s) if first in _HEADING_FIRST else None
    if heading is not None:
        return [heading]
    m = _CAST_RE.match(s) if first in _CAST_FIRST else None
    if m:
        return [Element(Kind.CAST, "、".join(_cast_names(m.group(1).strip())))]
    if first in _LABELLED_FIRST:
        for regex, kind in _LABELLED:
            m = regex.match(s)
            if m:
                return [Element(kind, m.group(1).strip())]
    if first in _TRANSITION_FIRST and _PLAIN_TRANSITION_RE.match(s):
        return [Element(Kind.TRANSITION, s)]
    speaker = _parse_speaker(s) if ":" in s or "：" in s else None
    if speaker is not None:
        return speaker
    return [Element(Kind.ACTION, s)]


def _bracket_cue(inner: str, after: str) -> Element | None:
    """【闪回】, 【闪回结束】, 【字幕：…】, 【VO：…】, 【备注：…】, 【转场】; None if unknown."""
    if after:
        # 【字幕】林氏集团 — the text follows the bracket.
        if inner in ("字幕",):
            return Element(Kind.CAPTION, after)
        if inner.upper() in ("VO", "V.O.", "画外音", "旁白"):
            return Element(Kind.VOICE_OVER, after)
        return None
    if inner in _FLASHBACK_START:
        return Element(Kind.FLASHBACK_START)
    if inner in _FLASHBACK_END:
        return Element(Kind.FLASHBACK_END)
    for regex, kind in _LABELLED:
        m = regex.match(inner)
        if m:
            return Element(kind, m.group(1).strip())
    m = _TRANSITION_PREFIX_RE.match(inner)
    if m:
        return Element(Kind.TRANSITION, m.group(1).strip())
    if inner.startswith(_TRANSITION_WORDS):
        return Element(Kind.TRANSITION, inner)
    return None


def scene_heading(line: str) -> Element | None:
    """The scene heading a single line of script is, or None (for splitting an episode into scenes)."""
    s = line.strip()
    if not s or s[0] in "△▲【[":
        return None
    return _parse_heading(s)


def with_scene_number(line: str, number: str) -> str:
    """The heading line with its scene number replaced by `number` (a heading without one gets it)."""
    s = line.strip()
    m = _SCENE_RE.match(s)
    if m and _parse_heading(s) is not None:
        return s[: m.start("num")] + number + s[m.end("num") :]
    return f"{number} {s}" if number else s


def _parse_heading(s: str) -> Element | None:
    m = _SCENE_RE.match(s)
    if m:
        rest = m.group("rest")
        dashed = any(ch in _NUMBER_DASHES for ch in m.group("num"))
        if not dashed and not _AFTER_BARE_NUMBER_RE.match(rest):
            return None  # "3个保镖…" is action, not scene 3
        time_of_day, int_ext, location = _heading_slots(rest)
        if not dashed and not (time_of_day or int_ext):
            return None
        number = _SPACES_RE.sub("", unicodedata.normalize("NFKC", m.group("num")))
        number = _DASHES_RE.sub("-", number)
        return Element(Kind.SCENE_HEADING, _heading_text(time_of_day, int_ext, location), scene_number=number)
    m = _SCENE_NO_NUMBER_RE.match(s)
    if m:
        return Element(Kind.SCENE_HEADING, _heading_text(*_heading_slots(m.group(1))))
    return None


def _heading_slots(rest: str) -> tuple[str, str, str]:
    """Pick the time and 内/外 out of a heading's words, in any order; the rest is the location."""
    time_of_day, int_ext, location = "", "", []
    join_next = False  # after a lone "/" ("乡村公路 / 大巴车") the next word joins the one before
    for token in _SEPARATORS_RE.split(rest.strip()):
        if not token:
            continue
        # "黄昏/外/江边" is time, 内/外 and place; "乡村公路/大巴车" is one place, slash and all.
        place = []
        for part in _SLASHES_RE.split(token):
            if not part:
                continue
            m = _SLOT_TOKEN_RE.match(part)
            t = m and (m.group("t1") or m.group("t2"))
            ie = m and (m.group("i1") or m.group("i2"))
            # A word only fills slots that are all still empty; otherwise it is location.
            if m and not (t and time_of_day) and not (ie and int_ext):
                time_of_day = t or time_of_day
                int_ext = _INT_EXT[ie] if ie else int_ext
            else:
                place.append(part)
        if place and join_next and location:
            location[-1] += "/" + "/".join(place)
        elif place:
            location.append("/".join(place))
        join_next = not place and _SLASHES_RE.search(token) is not None
    # Leading punctuation would be eaten as a separator when the heading is read again.
    return time_of_day, int_ext, " ".join(location).lstrip(_LEADING_PUNCT)


def _heading_text(time_of_day: str, int_ext: str, location: str) -> str:
    return " ".join(part for part in (time_of_day, int_ext, location) if part)


def _parse_speaker(s: str) -> list[Element] | None:
    m = _SPEAKER_RE.match(s)
    if not m or not _is_speaker_name(m.group("name")) or m.group("rest").startswith("//"):
        return None  # the last test keeps "https://…" lines as action
    paren = (m.group("paren") or "").strip()
    if len(paren) > _MAX_SPEAKER_PAREN:
        return None
    elements = []
    extension = _normalise_extension(paren) if paren else ""
    if paren and extension not in _EXTENSIONS:
        extension = ""  # 张父（冷笑）：… — a direction before the colon
    elements.append(Element(Kind.CHARACTER, m.group("name"), extension=extension))
    if paren and not extension:
        elements.append(Element(Kind.PARENTHETICAL, paren))
    elements.extend(_dialogue_parts(m.group("rest").strip()))
    return elements


def _dialogue_parts(rest: str) -> list[Element]:
    """Leading （提示） become parentheticals; whatever follows is the dialogue."""
    elements = []
    pos = 0  # an offset, not a shrinking copy: "（a）" 50,000 times stays linear
    while (m := _LEADING_PAREN_RE.match(rest, pos)) is not None:
        elements.append(Element(Kind.PARENTHETICAL, m.group(1).strip()))
        pos = m.end()
    said = rest[pos:].strip()
    if said:
        elements.append(Element(Kind.DIALOGUE, said))
    return elements


def _is_speaker_name(name: str) -> bool:
    if name in _NOT_SPEAKERS or not any(ch.isalpha() for ch in name):
        return False
    if not all(ch.isalnum() or ch in "·•・" for ch in name):
        return False
    if len(name) > (12 if "·" in name or "・" in name else 8):
        return False
    # "他说：…" / "张明低声问：…" are action lines that quote someone.
    if len(name) >= 2 and name[0] in "他她它":
        return False
    return not (len(name) >= 3 and name[-1] in "说问喊道")


def _normalise_extension(text: str) -> str:
    compact = re.sub(r"[\s.]", "", text)
    return compact.upper() if compact.isascii() else compact


# ------------------------------------------------------------------------ headings


def heading_parts(el: Element) -> HeadingParts:
    """Split a (normalised or raw) heading's text into time, 内/外 and location."""
    time_of_day, int_ext, location = _heading_slots(el.text)
    return HeadingParts(number=el.scene_number, time_of_day=time_of_day, int_ext=int_ext, location=location)


# --------------------------------------------------------------------- serialising


def serialise(doc: ScriptDocument) -> str:
    """Write the normalised Chinese layout (full-width colons and brackets)."""
    out: list[str] = []
    if any(key in zh_preamble.PREAMBLE_KEYS for key, _value in doc.title_page):
        out.extend(zh_preamble.serialise(doc.title_page))  # 大纲, 人物小传 ... before 第1集
    else:
        out.extend(
            f"{_TITLE_OUT[key]}：{value}" for key, value in doc.title_page if key in _TITLE_OUT and value
        )
    for index, episode in enumerate(doc.episodes, start=1):
        if out:
            out.append("")
        number = episode.number if episode.number is not None else index
        out.append(f"第{number}集 {episode.title}".rstrip())
        out.extend(_serialise_elements(episode.elements))
    return "\n".join(out) + "\n" if out else ""


def serialise_elements(elements: list[Element]) -> str:
    """The lines of a bare element list, without an episode line."""
    return "\n".join(_serialise_elements(elements))


def _serialise_elements(elements: list[Element]) -> list[str]:
    lines: list[str] = []
    speaking = False  # appending parentheticals/dialogue to the current speaker line
    for el in elements:
        if speaking and el.kind == Kind.PARENTHETICAL:
            lines[-1] += f"（{el.text}）"
            continue
        if speaking and el.kind == Kind.DIALOGUE:
            lines[-1] += el.text.replace("\n", " ")
            continue
        speaking = el.kind == Kind.CHARACTER
        if el.kind == Kind.SCENE_HEADING:
            lines.append("")  # a blank line before each scene, for readability
        line = _serialise_element(el)
        if line is not None:
            lines.append(line)
    return lines


def _serialise_element(el: Element) -> str | None:
    k = el.kind
    if k == Kind.SCENE_HEADING:
        return f"{el.scene_number} {el.text}".strip() if el.scene_number else f"场景：{el.text}"
    if k == Kind.CHARACTER:
        return el.text + (f"（{el.extension}）" if el.extension else "") + "："
    if k == Kind.CAST:
        return f"人物：{el.text}"
    if k == Kind.FLASHBACK_START:
        return "【闪回】"
    if k == Kind.FLASHBACK_END:
        return "【闪回结束】"
    labelled = {
        Kind.CAPTION: "字幕",
        Kind.VOICE_OVER: "VO",
        Kind.NOTE: "备注",
        Kind.SECTION: "备注",
        Kind.SYNOPSIS: "备注",
    }
    if k in labelled:
        # A "】" inside the text would close the bracket early; the bare label form reads the same.
        return f"{labelled[k]}：{el.text}" if "】" in el.text else f"【{labelled[k]}：{el.text}】"
    if k == Kind.TRANSITION:
        if "】" in el.text and _PLAIN_TRANSITION_RE.match(el.text):
            return el.text  # "转场：…】" as a line of its own reads back whole; a bracket would end early
        # 【切至】 reads back as itself; "转场：…" in a bracket would lose its label, so it gets one more.
        bare = el.text.startswith(_TRANSITION_WORDS) and not _TRANSITION_PREFIX_RE.match(el.text)
        return f"【{el.text}】" if bare else f"【转场：{el.text}】"
    if k == Kind.PAGE_BREAK:
        return None
    if k == Kind.PARENTHETICAL:
        return f"（{el.text}）"
    if k == Kind.DIALOGUE:
        return el.text.replace("\n", " ")
    # ACTION, CENTERED and anything new: one △ line per line of text.
    return "\n".join(f"△{line.strip()}" for line in el.text.split("\n") if line.strip())
