"""Rewriting a parsed document from one script format's conventions into the other's.

Most elements mean the same in both formats and each serialiser writes them its own way; scene
headings do not: "日 内 张家客厅" is read by the Fountain parser as a location, and "INT. HOUSE -
NIGHT" by the Chinese one. So an import into a series of the other format converts the headings
(time of day, interior/exterior, location) and lets the serialiser write the rest.
"""

from __future__ import annotations

from dataclasses import replace

from . import fountain, zh
from .elements import Element, EpisodeText, Kind, ScriptDocument

_ZH_TIME_TO_EN = {
    **dict.fromkeys("日 白天 日间 上午 中午 下午 午后".split(), "DAY"),
    **dict.fromkeys("夜 夜晚 夜间 晚上 深夜 午夜 晚".split(), "NIGHT"),
    **dict.fromkeys("晨 早 早上 早晨 清晨".split(), "MORNING"),
    **dict.fromkeys("凌晨 黎明".split(), "DAWN"),
    **dict.fromkeys("昏 傍晚 黄昏".split(), "DUSK"),
}
_EN_TIME_TO_ZH = {
    "DAY": "日",
    "NIGHT": "夜",
    "MORNING": "晨",
    "DAWN": "黎明",
    "DUSK": "黄昏",
    "EVENING": "傍晚",
}
_ZH_IE_TO_EN = {"内": "INT.", "外": "EXT.", "内外": "INT./EXT."}
_EN_IE_TO_ZH = {"INT": "内", "EXT": "外", "INT/EXT": "内外"}


def convert(doc: ScriptDocument, source: str, target: str) -> ScriptDocument:
    """`doc` as read from a `source`-format file, with its headings in `target`'s form."""
    if source == target or (source, target) not in (("zh", "fountain"), ("fountain", "zh")):
        return doc
    rewrite = _zh_heading_to_fountain if source == "zh" else _fountain_heading_to_zh
    episodes = [
        EpisodeText(
            number=ep.number,
            title=ep.title,
            elements=[rewrite(el) if el.kind == Kind.SCENE_HEADING else el for el in ep.elements],
        )
        for ep in doc.episodes
    ]
    return ScriptDocument(title_page=list(doc.title_page), episodes=episodes)


def _zh_heading_to_fountain(el: Element) -> Element:
    parts = zh.heading_parts(el)
    prefix = _ZH_IE_TO_EN.get(parts.int_ext)
    if prefix is None:
        return el  # no 内/外: the Fountain writer forces it as a heading as it is
    time = _ZH_TIME_TO_EN.get(parts.time_of_day, parts.time_of_day)
    text = " - ".join(part for part in (f"{prefix} {parts.location}".strip(), time) if part)
    return replace(el, text=text)


def _fountain_heading_to_zh(el: Element) -> Element:
    parts = fountain.heading_parts(el)
    time = _EN_TIME_TO_ZH.get(parts.time_of_day.upper(), parts.time_of_day)
    words = [time, _EN_IE_TO_ZH.get(parts.int_ext, ""), parts.location]
    return replace(el, text=" ".join(word for word in words if word))
