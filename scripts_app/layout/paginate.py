"""Lay a script's element list out into pages of positioned lines.

Two passes. First every element becomes one or more rows (a row is what sits on one
printed line: the text plus its scene numbers, revision asterisk and provenance mark),
each row saying whether a page may end after it. That is where the break rules live:
a heading keeps with what follows, a transition keeps with what precedes, a short
action block stays whole, dialogue only breaks at a sentence end with two lines on each
side. Then pages are filled greedily, ending each at the last row where a break is
allowed, adding (MORE) / NAME (CONT'D) when the break falls inside a speech.

No PDF library here: the output is plain dataclasses the renderer draws and the web
preview or tests can inspect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from scripts_app.formats.elements import Element, EpisodeText, Kind, ScriptDocument

from .markup import RunFinder, Runs, strip_notes, styled_text
from .model import (
    LINE_CONTD,
    LINE_EPISODE_TITLE,
    LINE_HEADER,
    LINE_MORE,
    LINE_OMITTED,
    LINE_PAGE_NUMBER,
    LINE_PROVENANCE,
    LINE_REVISION_HEADER,
    LINE_REVISION_MARK,
    LINE_SCENE_NUMBER,
    LINE_TITLE_PAGE,
    ElementMeta,
    Line,
    Page,
    PaginatedScript,
    ShootingScriptOptions,
)
from .profiles import PageProfile, get_profile
from .wrap import clean, columns, ends_sentence, wrap

Source = ScriptDocument | Sequence[EpisodeText] | Sequence[Element]

_NOT_PRINTED = frozenset({Kind.SECTION, Kind.SYNOPSIS, Kind.NOTE})
_SPEECH_PARTS = frozenset({Kind.PARENTHETICAL, Kind.DIALOGUE})
_ACTS = frozenset({Kind.NEW_ACT, Kind.END_ACT})
# Never hang more than this many columns under a Chinese speaker's name, so a long name
# cannot squeeze the speech into a narrow column.
_MAX_ZH_HANG = 16


def paginate(
    source: Source,
    options: ShootingScriptOptions | None = None,
    meta: Sequence[ElementMeta] | None = None,
) -> PaginatedScript:
    """Paginate a parsed script.

    ``source`` is a ScriptDocument, a list of episodes or a bare element list (one
    episode). ``meta`` is optional side data parallel to the flat element list (all
    episodes' elements in order); ``options.revised`` indexes the same list.
    """
    options = options or ShootingScriptOptions()
    profile = get_profile(options.profile)
    episodes, title_page = _normalise(source)
    title_page = options.title_page or title_page

    rows = _RowBuilder(profile, options, meta).build(episodes)
    pages = _fill_pages(rows, profile)

    out: list[Page] = []
    if title_page:
        out.append(_title_page(title_page, profile))
    for number, (lines, episode) in enumerate(pages, start=1):
        out.append(Page(number=number, lines=lines, episode=episode))
    if len(out) == (1 if title_page else 0):
        out.append(Page(number=1, lines=[]))  # an empty script still prints one (blank) page
    episode_titles = {ep.number: ep.title for ep in episodes}
    for page in out:
        _decorate(page, profile, options, episode_titles)
    return PaginatedScript(profile=profile, pages=out)


def _normalise(source: Source) -> tuple[list[EpisodeText], list[tuple[str, str]]]:
    if isinstance(source, ScriptDocument):
        return list(source.episodes), list(source.title_page)
    items = list(source)
    if items and all(isinstance(x, Element) for x in items):
        return [EpisodeText(number=None, elements=items)], []  # type: ignore[arg-type]
    return items, []  # type: ignore[return-value]


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class _Speech:
    """A dialogue block, for the (MORE) / NAME (CONT'D) pair when a page breaks inside it."""

    contd_text: str
    contd_x: float
    more_x: float


@dataclass(slots=True)
class _Row:
    frags: list[Line]
    space: int = 0  # blank rows before; dropped at the top of a page
    breakable: bool = True  # a page may end after this row
    speech: _Speech | None = None
    new_page: bool = False  # must start a page (episode start, forced page break)
    episode: int | None = None


@dataclass
class _RowBuilder:
    profile: PageProfile
    options: ShootingScriptOptions
    meta: Sequence[ElementMeta] | None
    rows: list[_Row] = field(default_factory=list)
    _episode: int | None = None
    _new_page: bool = False
    _finders: dict[int, RunFinder] = field(default_factory=dict)  # styled elements, by flat index

    # ---- entry

    def build(self, episodes: Sequence[EpisodeText]) -> list[_Row]:
        index = 0  # flat element index, matching options.revised and meta
        for n, episode in enumerate(episodes):
            self._episode = episode.number
            self._new_page = n > 0 and self.options.episode_new_page
            if self.options.episode_titles and (episode.number is not None or episode.title):
                self._episode_title(episode)
            self._elements(episode.elements, index)
            index += len(episode.elements)
        return self.rows

    # ---- helpers

    def _prepare(self, el: Element, idx: int) -> Element:
        """The element as it prints: notes out, emphasis marks out (their styles kept aside for
        ``_add``), a screenplay's scene heading in capitals however it was typed."""
        text = el.text
        if not text or el.kind in _NOT_PRINTED:
            return el
        if self.options.fountain_markup:
            text = strip_notes(text)
            styled = styled_text(text)
            if styled is not None:
                text, styles = styled
                if el.kind != Kind.CHARACTER and any(styles):
                    self._finders[idx] = RunFinder(_upper(text) if self._caps(el) else text, styles)
        if self._caps(el):
            text = _upper(text)
        return el if text == el.text else replace(el, text=text)

    def _caps(self, el: Element) -> bool:
        return el.kind == Kind.SCENE_HEADING and self.profile.style == "screenplay"

    def _runs(self, idx: int | None, text: str) -> Runs | None:
        finder = self._finders.get(idx) if idx is not None else None
        return finder.runs(text) if finder is not None and text else None

    def _meta(self, idx: int) -> ElementMeta | None:
        if self.meta is not None and idx < len(self.meta):
            return self.meta[idx]
        return None

    def _revised(self, idx: int) -> bool:
        if idx in self.options.revised:
            return True
        m = self._meta(idx)
        return bool(m and m.revised)

    def _add(
        self,
        texts: list[str],
        x: float,
        kind: str,
        idx: int | None,
        *,
        space: int,
        hang_x: float | None = None,
        breaks: list[bool] | None = None,
        speech: _Speech | None = None,
        align: str = "left",
        bold: bool = False,
        underline: bool = False,
    ) -> list[_Row]:
        """Append one row per wrapped text line, with the element's margin marks."""
        p = self.profile
        revised = idx is not None and self._revised(idx)
        mark = ""
        if idx is not None and self.options.show_provenance:
            m = self._meta(idx)
            if m and m.provenance:
                mark = self.options.provenance_marks.get(m.provenance.lower(), "")
        new: list[_Row] = []
        for i, text in enumerate(texts):
            lx = x if (i == 0 or hang_x is None) else hang_x
            frags = [
                Line(
                    text, lx, kind, element=idx, revised=revised, align=align, bold=bold, underline=underline,
                    runs=self._runs(idx, text),
                )
            ]  # fmt: skip
            if revised:
                frags.append(Line("*", p.revision_mark_in, LINE_REVISION_MARK, element=idx, revised=True))
            if mark:
                frags.append(Line(mark, p.provenance_in, LINE_PROVENANCE, element=idx, size_pt=7))
            row = _Row(
                frags,
                space=space if i == 0 else 0,
                breakable=breaks[i] if breaks is not None else True,
                speech=speech,
                episode=self._episode,
            )
            new.append(row)
        if new and self._new_page:
            new[0].new_page = True
            self._new_page = False
        self.rows.extend(new)
        return new

    def _cols_x(self, x: float, cols: int) -> float:
        return x + cols * self.profile.col_width_in

    # ---- episode title

    def _episode_title(self, episode: EpisodeText) -> None:
        p = self.profile
        if p.style == "zh":
            text = f"第{episode.number}集" if episode.number is not None else ""
        else:
            text = f"EPISODE {episode.number}" if episode.number is not None else ""
        title = clean(episode.title).strip()
        if title:
            text = f"{text}{' ' if p.style == 'zh' else ': '}{title}" if text else title
        centre = (p.left_in + p.right_in) / 2
        lines = wrap(text, p.body_cols, ambiguous_wide=p.ambiguous_wide)
        self._add(
            lines,
            centre,
            LINE_EPISODE_TITLE,
            None,
            space=0,
            align="center",
            bold=True,
            underline=p.style != "zh",
            breaks=[False] * len(lines),  # a title never ends a page
        )

    # ---- element dispatch

    def _elements(self, elements: Sequence[Element], base: int) -> None:
        zh = self.profile.style == "zh"
        elements = [self._prepare(el, base + k) for k, el in enumerate(elements)]
        i = 0
        n = len(elements)
        while i < n:
            el = elements[i]
            idx = base + i
            kind = el.kind
            if kind == Kind.PAGE_BREAK:
                self._new_page = bool(self.rows)
                i += 1
            elif kind in _NOT_PRINTED:
                i += 1
            elif kind == Kind.SCENE_HEADING:
                if self._is_omitted(el, idx):
                    self._omitted(el, idx)
                    i += 1
                    while i < n and elements[i].kind != Kind.SCENE_HEADING:
                        i += 1  # an omitted scene keeps its number but prints no body
                    continue
                self._heading(el, idx)
                i += 1
            elif kind == Kind.CHARACTER:
                end = _speech_end(elements, i)
                if not zh and end < n and elements[end].kind == Kind.CHARACTER and elements[end].dual:
                    end2 = _speech_end(elements, end)
                    if not self._dual(elements, i, end, end2, base):
                        self._speech(elements, i, end, base)
                        self._speech(elements, end, end2, base)
                    i = end2
                else:
                    self._speech(elements, i, end, base)
                    i = end
            elif kind in _SPEECH_PARTS:
                # Dialogue without a cue (a parser's best effort): print it as a speech anyway.
                end = i
                while end < n and elements[end].kind in _SPEECH_PARTS:
                    end += 1
                self._speech(elements, i, end, base, cue=False)
                i = end
            elif kind == Kind.TRANSITION:
                self._transition(el, idx)
                i += 1
            else:
                self._action_like(el, idx)
                i += 1

    def _is_omitted(self, el: Element, idx: int) -> bool:
        m = self._meta(idx)
        if m and m.omitted:
            return True
        if el.scene_number and el.scene_number in self.options.omitted_scenes:
            return True
        return el.text.strip().upper() == "OMITTED"

    # ---- scene headings

    def _heading(self, el: Element, idx: int, omitted: bool = False) -> None:
        p = self.profile
        text = self.options.omitted_text if omitted else el.text
        kind = LINE_OMITTED if omitted else Kind.SCENE_HEADING
        if p.style == "zh":
            full = f"{el.scene_number} {clean(text).strip()}".strip()
            lines = wrap(full, p.body_cols, ambiguous_wide=True)
            self._add(
                lines, p.left_in, kind, idx, space=p.heading_space, bold=True, breaks=[False] * len(lines)
            )
            return
        lines = wrap(text, p.heading_cols, ambiguous_wide=False)
        rows = self._add(lines, p.left_in, kind, idx, space=p.heading_space, breaks=[False] * len(lines))
        if self.options.scene_numbers and el.scene_number:
            num = clean(el.scene_number).strip()
            first = rows[0].frags
            first.append(Line(num, p.scene_number_left_in, LINE_SCENE_NUMBER, element=idx))
            first.append(Line(num, p.scene_number_right_in, LINE_SCENE_NUMBER, element=idx))
        if omitted:
            rows[-1].breakable = True  # nothing follows an omitted scene's heading

    def _omitted(self, el: Element, idx: int) -> None:
        self._heading(el, idx, omitted=True)

    # ---- action and the element kinds printed like action

    def _action_like(self, el: Element, idx: int) -> None:
        p = self.profile
        zh = p.style == "zh"
        kind = el.kind
        text = el.text
        prefix = ""
        align = "left"
        x = p.left_in
        if kind == Kind.ACTION:
            prefix = "△" if zh and not text.lstrip().startswith("△") else ""
        elif kind == Kind.CAST:
            prefix = "人物：" if zh or _has_wide(text) else "CAST: "
        elif kind == Kind.FLASHBACK_START:
            text = "【闪回】" if zh else "FLASHBACK:"
        elif kind == Kind.FLASHBACK_END:
            text = "【闪回结束】" if zh else "END FLASHBACK."
        elif kind == Kind.CAPTION:
            text = f"【字幕：{text}】" if zh else f"SUPER: {text}"
        elif kind == Kind.VOICE_OVER:
            text = f"【VO：{text}】" if zh else f"V.O.: {text}"
        elif kind == Kind.CENTERED or kind in _ACTS:
            align = "center"
            x = (p.left_in + p.right_in) / 2

        lines: list[str] = []
        blank_before: list[int] = []  # blank rows before each output line (paragraph gaps)
        hang = columns(prefix, p.ambiguous_wide) if zh else 0
        pending = 0
        first = True
        for para in (prefix + text).split("\n"):
            if not para.strip():
                pending += 1
                continue
            wrapped = wrap(para, p.body_cols, hang=hang, ambiguous_wide=p.ambiguous_wide)
            for j, w in enumerate(wrapped):
                lines.append(w)
                blank_before.append(pending if j == 0 and not first else 0)
            pending = 0
            first = False
            hang = columns(prefix, p.ambiguous_wide) if zh else 0
        if not lines:
            return
        breaks = _action_breaks(len(lines))
        if kind == Kind.CAST or kind == Kind.NEW_ACT:
            breaks = [False] * len(lines)  # the cast line belongs to the scene's first beat; an act
            # heading to the act it opens
        underline = kind in _ACTS  # as Final Draft prints them
        space = p.block_space
        hang_x = self._cols_x(p.left_in, hang) if hang else None
        if blank_before[1:] and any(blank_before[1:]):
            # Paragraph gaps inside one action element: add row by row.
            for j, (line, gap) in enumerate(zip(lines, blank_before, strict=True)):
                lx = x if (j == 0 or hang_x is None) else hang_x
                self._add(
                    [line], lx, kind, idx, space=space if j == 0 else gap, breaks=[breaks[j]], align=align,
                    underline=underline,
                )  # fmt: skip
            return
        self._add(
            lines, x, kind, idx, space=space, hang_x=hang_x, breaks=breaks, align=align, underline=underline
        )

    # ---- transitions

    def _transition(self, el: Element, idx: int) -> None:
        p = self.profile
        lines = wrap(el.text, p.body_cols, ambiguous_wide=p.ambiguous_wide)
        if self.rows and not self._new_page:
            # "No transition at the top of a page": the page may not end just before it.
            self.rows[-1].breakable = False
        breaks = [False] * (len(lines) - 1) + [True]
        self._add(lines, p.right_in, Kind.TRANSITION, idx, space=p.block_space, breaks=breaks, align="right")

    # ---- dialogue

    def _cue_text(self, el: Element) -> str:
        name = clean(el.text).strip()
        ext = clean(el.extension).strip()
        if self.profile.style == "zh":
            return f"{name}（{ext}）" if ext else name
        return f"{name} ({ext})" if ext else name

    def _speech(self, elements: Sequence[Element], start: int, end: int, base: int, cue: bool = True) -> None:
        if self.profile.style == "zh":
            self._speech_zh(elements, start, end, base, cue)
        else:
            self._speech_screenplay(elements, start, end, base, cue)

    def _speech_screenplay(
        self, elements: Sequence[Element], start: int, end: int, base: int, cue: bool
    ) -> None:
        p = self.profile
        name = elements[start].text if cue else ""
        cue_text = self._cue_text(elements[start]) if cue else ""
        contd = f"{clean(name).strip()}{p.contd_suffix}" if cue else ""
        speech = _Speech(contd_text=contd, contd_x=p.character_in, more_x=p.character_in) if cue else None
        space = p.block_space
        if cue:
            lines = wrap(cue_text, round((p.right_in - p.character_in) / p.col_width_in))
            self._add(
                lines,
                p.character_in,
                Kind.CHARACTER,
                base + start,
                space=space,
                breaks=[False] * len(lines),
                speech=speech,
            )
            space = 0
        parts = list(range(start + 1 if cue else start, end))
        blocks = self._speech_blocks(
            elements, parts, base, p.dialogue_in, p.dialogue_cols, p.parenthetical_in, p.parenthetical_cols
        )
        self._emit_speech_blocks(blocks, base, space, speech)

    def _speech_blocks(
        self,
        elements: Sequence[Element],
        parts: list[int],
        base: int,
        dialogue_x: float,
        dialogue_cols: int,
        paren_x: float,
        paren_cols: int,
    ) -> list[tuple[int, Kind, list[str], float, float | None]]:
        """Wrap each parenthetical/dialogue: (element index, kind, lines, x, hang x)."""
        p = self.profile
        out: list[tuple[int, Kind, list[str], float, float | None]] = []
        for k in parts:
            el = elements[k]
            if el.kind == Kind.PARENTHETICAL:
                body = clean(el.text).strip()
                if not (body.startswith("(") and body.endswith(")")):
                    body = f"({body})"
                lines = wrap(body, paren_cols, hang=1)
                out.append((k, Kind.PARENTHETICAL, lines, paren_x, paren_x + p.col_width_in))
            else:
                lines = []
                for para in el.text.split("\n"):
                    if para.strip():
                        lines.extend(wrap(para, dialogue_cols))
                out.append((k, Kind.DIALOGUE, lines or [""], dialogue_x, None))
        return out

    def _emit_speech_blocks(
        self,
        blocks: list[tuple[int, Kind, list[str], float, float | None]],
        base: int,
        space: int,
        speech: _Speech | None,
    ) -> None:
        total = sum(len(b[2]) for b in blocks)
        done = 0
        for k, kind, lines, x, hang_x in blocks:
            n = len(lines)
            done += n
            rest = total - done  # speech rows after this element
            if kind == Kind.PARENTHETICAL:
                # A parenthetical stays with the dialogue it introduces.
                breaks = [False] * n
                if rest == 0:
                    breaks[-1] = True
            else:
                breaks = [
                    (i + 1 >= 2 and (n - i - 1) + rest >= 2 and ends_sentence(lines[i]))
                    if i < n - 1 or rest
                    else True
                    for i in range(n)
                ]
                # Two lines of this dialogue on each side of a break inside it.
                for i in range(n - 1):
                    if n - i - 1 < 2:
                        breaks[i] = False
            self._add(lines, x, kind, base + k, space=space, hang_x=hang_x, breaks=breaks, speech=speech)
            space = 0

    def _speech_zh(self, elements: Sequence[Element], start: int, end: int, base: int, cue: bool) -> None:
        """Chinese layout: "角色：（提示）台词" as one paragraph with a hanging indent."""
        p = self.profile
        prefix = f"{self._cue_text(elements[start])}：" if cue else ""
        body: list[str] = []
        for k in range(start + 1 if cue else start, end):
            el = elements[k]
            text = clean(el.text).strip()
            if el.kind == Kind.PARENTHETICAL and not text.startswith(("（", "(")):
                text = f"（{text}）"
            if body and text[:1].isascii() and body[-1][-1:].isascii():
                body.append(" ")  # Latin words from separate elements keep a space
            body.append(text)
        text = prefix + "".join(body)
        hang = min(columns(prefix, True), _MAX_ZH_HANG)
        lines = wrap(text, p.body_cols, hang=hang, ambiguous_wide=True)
        n = len(lines)
        hang_x = self._cols_x(p.left_in, hang)
        name = clean(elements[start].text).strip() if cue else ""
        speech = _Speech(f"{name}{p.contd_suffix}：", p.left_in, hang_x) if cue else None
        # A short speech (the common case) stays whole; a long one breaks at a sentence end
        # with two lines on each side, so a line of dialogue is never cut off from its speaker.
        breaks = [
            i == n - 1 or (n >= 4 and 2 <= i + 1 <= n - 2 and ends_sentence(lines[i])) for i in range(n)
        ]
        kind = Kind.DIALOGUE if cue or elements[start].kind == Kind.DIALOGUE else elements[start].kind
        self._add(
            lines,
            p.left_in,
            kind,
            base + start,
            space=p.block_space,
            hang_x=hang_x,
            breaks=breaks,
            speech=speech,
        )
        # Mark revisions of the speech's later elements too (they share the paragraph).
        later_revised = any(self._revised(base + k) for k in range(start + 1, end))
        if later_revised and not self._revised(base + start):
            for row in self.rows[-n:]:
                row.frags[0].revised = True
                row.frags.append(Line("*", p.revision_mark_in, LINE_REVISION_MARK, element=base + start))

    # ---- dual dialogue

    def _dual(self, elements: Sequence[Element], a: int, b: int, end: int, base: int) -> bool:
        """Two speeches side by side. Returns False when too tall to keep on one page."""
        p = self.profile
        col = p.col_width_in
        cols = p.dual_cols
        right_x = p.right_in - cols * col
        # Where each styled element's runs were found so far: a speech too tall for two columns is
        # laid out again as two plain speeches, which must find the same text from the start.
        found = {k: f.pos for k in range(base + a, base + end) if (f := self._finders.get(k)) is not None}
        columns_rows: list[list[list[Line]]] = []
        for start, stop, x in ((a, b, p.left_in), (b, end, right_x)):
            frags: list[list[Line]] = []
            cue_el = elements[start]
            cue_idx = base + start
            for t in wrap(self._cue_text(cue_el), cols - 6):
                frags.append(
                    [Line(t, x + 0.8, Kind.CHARACTER, element=cue_idx, revised=self._revised(cue_idx))]
                )
            blocks = self._speech_blocks(
                elements, list(range(start + 1, stop)), base, x, cols, x + 0.4, cols - 4
            )
            for k, kind, lines, lx, hang_x in blocks:
                rev = self._revised(base + k)
                for i, t in enumerate(lines):
                    xx = lx if i == 0 or hang_x is None else hang_x
                    runs = self._runs(base + k, t)
                    frags.append([Line(t, xx, kind, element=base + k, revised=rev, runs=runs)])
            columns_rows.append(frags)
        left, right = columns_rows
        height = max(len(left), len(right))
        if height > p.lines_per_page - 2:
            for k, pos in found.items():
                self._finders[k].pos = pos
            return False
        merged: list[list[Line]] = []
        for i in range(height):
            row = (left[i] if i < len(left) else []) + (right[i] if i < len(right) else [])
            if any(f.revised for f in row):
                row.append(Line("*", p.revision_mark_in, LINE_REVISION_MARK, revised=True))
            merged.append(row)
        for i, row_frags in enumerate(merged):
            r = _Row(
                row_frags,
                space=p.block_space if i == 0 else 0,
                breakable=i == height - 1,
                episode=self._episode,
            )
            if i == 0 and self._new_page:
                r.new_page = True
                self._new_page = False
            self.rows.append(r)
        return True


def _upper(text: str) -> str:
    # Character by character, so the text keeps its length ("ß" stays) and its styles line up.
    return "".join(ch if len(up := ch.upper()) != 1 else up for ch in text)


def _speech_end(elements: Sequence[Element], start: int) -> int:
    """Index after the parentheticals and dialogue that follow the cue at ``start``."""
    j = start + 1
    while j < len(elements) and elements[j].kind in _SPEECH_PARTS:
        j += 1
    return j


def _action_breaks(n: int) -> list[bool]:
    """1-3 lines: never split. Longer: not after the first line nor before the last."""
    return [i == n - 1 or (n >= 4 and 2 <= i + 1 <= n - 2) for i in range(n)]


def _has_wide(text: str) -> bool:
    return not text.isascii() and columns(text) != len(text)


# --------------------------------------------------------------------------- pages


def _fill_pages(rows: list[_Row], profile: PageProfile) -> list[tuple[list[Line], int | None]]:
    """Fill pages greedily, ending each at the last row after which a break is allowed."""
    limit = profile.lines_per_page
    pages: list[tuple[list[Line], int | None]] = []
    n = len(rows)
    i = 0
    contd: _Speech | None = None
    while i < n:
        used = 1 if contd else 0  # the NAME (CONT'D) row
        positions: list[int] = []
        best: tuple[int, bool, int] | None = None  # (end, needs MORE, rows used)
        j = i
        while j < n:
            row = rows[j]
            if j > i and row.new_page:
                break
            space = row.space if used else 0
            if used + space + 1 > limit:
                break
            used += space + 1
            positions.append(used - 1)
            j += 1
            if j == n or rows[j].new_page:
                best = (j, False, used)
                break
            if row.breakable:
                more = row.speech is not None and rows[j].speech is row.speech
                if not more or used + 1 <= limit:
                    best = (j, more, used)
        if best is None:
            # No legal break fits (e.g. a speech longer than a page with no sentence end):
            # break where the page is full, keeping room for (MORE) inside a speech.
            end = i + len(positions)
            more = rows[end - 1].speech is not None and end < n and rows[end].speech is rows[end - 1].speech
            if more and positions[-1] + 1 >= limit and end - 1 > i:
                end -= 1
            best = (end, more, positions[end - i - 1] + 1)
        end, more, used_rows = best

        lines: list[Line] = []
        if contd:
            lines.append(_placed(Line(contd.contd_text, contd.contd_x, LINE_CONTD), 0, profile))
        for row, pos in zip(rows[i:end], positions, strict=False):
            for frag in row.frags:
                lines.append(_placed(frag, pos, profile))
        if more:
            speech = rows[end - 1].speech
            assert speech is not None
            lines.append(_placed(Line(profile.more_text, speech.more_x, LINE_MORE), used_rows, profile))
            contd = speech
        else:
            contd = None
        pages.append((lines, rows[i].episode))
        i = end
    return pages


def _placed(line: Line, row: int, profile: PageProfile) -> Line:
    line.row = row
    line.y_in = profile.row_y(row)
    return line


# --------------------------------------------------------------------------- page furniture


def _decorate(page: Page, profile: PageProfile, options: ShootingScriptOptions, titles: dict) -> None:
    """Page number, header and revision header; page tint for revision colours."""
    p = profile
    top = p.header_y_in
    if page.number >= 1:
        if p.page_number_bottom:
            page.label = f"- {page.number} -"
            y = p.height_in - 0.7
            page.lines.append(Line(page.label, p.width_in / 2, LINE_PAGE_NUMBER, y_in=y, align="center"))
        elif page.number >= 2:
            page.label = f"{page.number}."
            page.lines.append(Line(page.label, p.right_in, LINE_PAGE_NUMBER, y_in=top, row=-3, align="right"))
    header_rows = []
    if options.header and page.number >= 1:  # the title page carries its own title block
        text = options.header.replace("{episode}", "" if page.episode is None else str(page.episode))
        text = text.replace("{title}", titles.get(page.episode, "") or "")
        header_rows.append((clean(text).strip(), LINE_HEADER))
    if options.revision:
        header_rows.append((clean(options.revision.header), LINE_REVISION_HEADER))
    room = p.body_cols - 8  # leave the page number its corner
    for k, (text, kind) in enumerate(header_rows):
        text = wrap(text, room, ambiguous_wide=p.ambiguous_wide)[0]
        y = top + k * p.line_height_in
        page.lines.append(Line(text, p.left_in, kind, y_in=y, row=-3 + k, size_pt=None))
    if options.revision and options.tint_pages and options.revision.color.lower() != "white":
        page.fill = options.revision.tint
    page.revised = any(line.revised for line in page.lines)


def _title_page(entries: list[tuple[str, str]], profile: PageProfile) -> Page:
    """Fountain-style title page: title block centred, contact and draft date bottom left."""
    p = profile
    centre = (p.left_in + p.right_in) / 2
    values: dict[str, list[str]] = {}
    for key, value in entries:
        plain = styled_text(str(value))  # "_**TITLE**_": the title page prints in its own styles
        values.setdefault(key.strip().lower(), []).extend(
            v.strip() for v in (plain[0] if plain else str(value)).split("\n") if v.strip()
        )
    lines: list[Line] = []
    # The title's row sits a third of the way down the sheet, as screenplay title pages have it.
    row = max(0, round((p.height_in / 3 - p.top_in - p.line_height_in / 2) / p.line_height_in))

    def centred(texts: list[str], bold: bool = False, underline: bool = False) -> None:
        nonlocal row
        for t in texts:
            for w in wrap(t, p.body_cols, ambiguous_wide=p.ambiguous_wide):
                lines.append(
                    _placed(
                        Line(w, centre, LINE_TITLE_PAGE, align="center", bold=bold, underline=underline),
                        row,
                        p,
                    )
                )
                row += 1

    centred(values.pop("title", []), bold=True, underline=p.style != "zh")
    for key in ("credit", "author", "authors", "source"):
        if key in values:
            row += 1
            centred(values.pop(key))
    bottom: list[str] = []
    for key in ("draft date", "date", "contact", "copyright", "notes"):
        bottom.extend(values.pop(key, []))
    for rest in values.values():
        bottom.extend(rest)
    bottom = [w for t in bottom for w in wrap(t, p.body_cols, ambiguous_wide=p.ambiguous_wide)]
    row = max(row + 2, p.lines_per_page - len(bottom))
    for t in bottom:
        lines.append(_placed(Line(t, p.left_in, LINE_TITLE_PAGE), row, p))
        row += 1
    return Page(number=0, lines=lines)
