"""Rendering the element list as a formatted read view. Everything is escaped:
scene text, like model output later, is data and never markup."""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..formats.elements import Element, Kind
from ..formats.fountain import apply_emphasis

register = template.Library()

# Django's escape is html.escape wrapped in a SafeString; the read view joins thousands of pieces, so
# it escapes with html.escape itself (the same characters, the same entities) and marks the result once.
escape = html.escape

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


# The read view renders every element of a scene, and a scene may hold 20,000 of them: each line is
# built as a plain string from escaped pieces (format_html costs several times more per element), and
# the whole scene is marked safe once.


def _line(el: Element, fmt: str) -> str:
    kind = el.kind
    if kind == Kind.SCENE_HEADING:
        text = f"{el.scene_number} {el.text}".strip() if fmt == "zh" else el.text
        return f'<p class="el el-heading">{escape(text)}</p>'
    if kind == Kind.CHARACTER:
        ext = (
            f"（{el.extension}）"
            if fmt == "zh" and el.extension
            else (f" ({el.extension})" if el.extension else "")
        )
        dual = " el-dual" if el.dual else ""
        return f'<p class="el el-character{dual}">{escape(el.text)}{escape(ext)}</p>'
    if kind == Kind.PARENTHETICAL:
        text = f"（{el.text}）" if fmt == "zh" else f"({el.text})"
        return f'<p class="el el-parenthetical">{escape(text)}</p>'
    if kind == Kind.CAST:
        return f'<p class="el el-cast">人物：{escape(el.text)}</p>'
    if kind == Kind.ACTION and fmt == "zh":
        return f'<p class="el el-action">△{escape(el.text)}</p>'
    if kind in BRACKETED:
        return f'<p class="el el-cue">{BRACKETED[kind]}</p>'
    if kind == Kind.CAPTION:
        return f'<p class="el el-cue">【字幕：{escape(el.text)}】</p>'
    if kind == Kind.VOICE_OVER:
        return f'<p class="el el-cue">【VO：{escape(el.text)}】</p>'
    if kind == Kind.PAGE_BREAK:
        return '<hr class="el el-page-break">'
    css = kind.value.replace("_", "-")
    render = _emphasis_html if fmt == "fountain" else escape
    lines = "<br>".join(render(part) for part in el.text.split("\n"))
    return f'<p class="el el-{css}">{lines}</p>'


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
                f'<p class="el el-speech"><span class="el-character">{escape(el.text)}{escape(ext)}：</span>'
                f'<span class="el-parenthetical">{escape(paren)}</span>'
                f'<span class="el-dialogue">{escape(speech)}</span></p>'
            )
            i = j
            continue
        parts.append(_line(el, fmt))
        i += 1
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above is escaped)


@register.filter
def runtime(seconds: int | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 60}:{seconds % 60:02d}"
