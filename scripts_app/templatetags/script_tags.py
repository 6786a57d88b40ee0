"""Rendering the element list as a formatted read view. Everything is escaped:
scene text, like model output later, is data and never markup."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..formats.elements import Element, Kind
from ..formats.fountain import apply_emphasis

register = template.Library()

BRACKETED = {
    Kind.FLASHBACK_START: "【闪回】",
    Kind.FLASHBACK_END: "【闪回结束】",
}


_EMPHASIS_TAGS = {
    "*": ("<em>", "</em>"),
    "**": ("<strong>", "</strong>"),
    "***": ("<strong><em>", "</em></strong>"),
    "_": ("<u>", "</u>"),
}


def _emphasis_html(text: str) -> SafeString:
    """Fountain emphasis as HTML in one pass, whatever the nesting; every piece of text is escaped."""
    return mark_safe(apply_emphasis(text, tags=_EMPHASIS_TAGS, plain=escape))  # noqa: S308 (escaped)


def _line(el: Element, fmt: str) -> SafeString:
    kind = el.kind
    if kind == Kind.SCENE_HEADING:
        text = f"{el.scene_number} {el.text}".strip() if fmt == "zh" else el.text
        return format_html('<p class="el el-heading">{}</p>', text)
    if kind == Kind.CHARACTER:
        ext = (
            f"（{el.extension}）"
            if fmt == "zh" and el.extension
            else (f" ({el.extension})" if el.extension else "")
        )
        dual = " el-dual" if el.dual else ""
        return format_html('<p class="el el-character{}">{}{}</p>', dual, el.text, ext)
    if kind == Kind.PARENTHETICAL:
        return format_html(
            '<p class="el el-parenthetical">{}</p>', f"（{el.text}）" if fmt == "zh" else f"({el.text})"
        )
    if kind == Kind.CAST:
        return format_html('<p class="el el-cast">人物：{}</p>', el.text)
    if kind == Kind.ACTION and fmt == "zh":
        return format_html('<p class="el el-action">△{}</p>', el.text)
    if kind in BRACKETED:
        return format_html('<p class="el el-cue">{}</p>', BRACKETED[kind])
    if kind == Kind.CAPTION:
        return format_html('<p class="el el-cue">【字幕：{}】</p>', el.text)
    if kind == Kind.VOICE_OVER:
        return format_html('<p class="el el-cue">【VO：{}】</p>', el.text)
    if kind == Kind.PAGE_BREAK:
        return mark_safe('<hr class="el el-page-break">')
    css = kind.value.replace("_", "-")
    render = _emphasis_html if fmt == "fountain" else escape
    lines = format_html_join(mark_safe("<br>"), "{}", ((render(part),) for part in el.text.split("\n")))
    return format_html('<p class="el el-{}">{}</p>', css, lines)


@register.simple_tag
def render_elements(elements: list[Element], fmt: str) -> SafeString:
    """Dialogue in the Chinese format reads as one line: 角色：（提示）台词."""
    parts = []
    i = 0
    while i < len(elements):
        el = elements[i]
        if fmt == "zh" and el.kind == Kind.CHARACTER:
            ext = f"（{el.extension}）" if el.extension else ""
            paren, speech = "", ""
            j = i + 1
            if j < len(elements) and elements[j].kind == Kind.PARENTHETICAL:
                paren, j = f"（{elements[j].text}）", j + 1
            if j < len(elements) and elements[j].kind == Kind.DIALOGUE:
                speech, j = elements[j].text, j + 1
            parts.append(
                format_html(
                    '<p class="el el-speech"><span class="el-character">{}{}：</span>'
                    '<span class="el-parenthetical">{}</span><span class="el-dialogue">{}</span></p>',
                    el.text,
                    ext,
                    paren,
                    speech,
                )  # fmt: skip
            )
            i = j
            continue
        parts.append(_line(el, fmt))
        i += 1
    return format_html_join("", "{}", ((p,) for p in parts))


@register.filter
def runtime(seconds: int | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 60}:{seconds % 60:02d}"
