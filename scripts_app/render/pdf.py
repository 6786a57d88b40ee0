"""Draw a paginated script into a PDF with embedded, subset fonts.

Engine: Typst (Python binding). A fixed template places each positioned line; the
page/line data goes in as JSON through ``sys.inputs``, never spliced into Typst source,
so script text cannot change the layout or run code. Typst embeds and subsets the
fonts itself and falls back per glyph along the profile's family list, so a Chinese
name in a Courier screenplay prints from Noto CJK instead of as tofu.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from scripts_app.layout.model import Line, PaginatedScript
from scripts_app.layout.wrap import clean, columns

from .typst_engine import FontsMissing, compile_pdf, missing_fonts

TEMPLATE = Path(__file__).with_name("shooting_script.typ")

__all__ = ["FontsMissing", "RenderOptions", "document_data", "missing_fonts", "render_pdf"]

# Last-resort fallback for symbols outside Courier Prime and Noto CJK; it ships inside Typst.
_LAST_RESORT = "DejaVu Sans Mono"

_BOLD, _ITALIC, _UNDERLINE, _RIGHT, _CENTER = 1, 2, 4, 8, 16


@dataclass
class RenderOptions:
    watermark: str = ""  # recipient's name, printed diagonally in light grey on every page
    title: str = ""  # PDF metadata
    author: str = ""


def _watermark_size(text: str, width_pt: float, height_pt: float, font_pt: float) -> float:
    # Fit the name along about 70% of the page diagonal; a monospace cell is 0.6 em.
    diagonal = math.hypot(width_pt, height_pt)
    cells = max(columns(text), 4) * 0.6
    return round(min(96.0, max(font_pt, 0.7 * diagonal / cells)), 1)


def _blocks(lines: list[Line], baseline_pt: float) -> list[list]:
    """Template items [x, baseline, text, flags, size] for one page.

    Left-aligned lines in the same column on consecutive rows are merged into one
    newline-separated item: Typst then sets them as one paragraph whose leading is
    exactly one row, which halves the number of placed items (about 30% faster on a
    250-page season) without moving any line.
    """
    items: list[list] = []
    open_items: dict[tuple, tuple[list, int]] = {}
    for ln in lines:
        if not ln.text:
            continue
        flags = (
            (_BOLD if ln.bold else 0)
            | (_ITALIC if ln.italic else 0)
            | (_UNDERLINE if ln.underline else 0)
            | (_RIGHT if ln.align == "right" else _CENTER if ln.align == "center" else 0)
        )
        size = ln.size_pt or 0
        if ln.runs:
            # Words in their own styles (Fountain emphasis): [[text, flags], ...] on top of the line's.
            runs = [[text, run_flags] for text, run_flags in ln.runs]
            items.append([round(ln.x_in * 72, 2), round(ln.y_in * 72 + baseline_pt, 2), runs, flags, size])
            continue
        key = (ln.x_in, flags, size)
        if ln.row is not None and flags & (_RIGHT | _CENTER) == 0:
            prev = open_items.get(key)
            if prev is not None and prev[1] == ln.row - 1:
                prev[0][2] += "\n" + ln.text
                open_items[key] = (prev[0], ln.row)
                continue
        item = [round(ln.x_in * 72, 2), round(ln.y_in * 72 + baseline_pt, 2), ln.text, flags, size]
        items.append(item)
        if ln.row is not None:
            open_items[key] = (item, ln.row)
    return items


def document_data(script: PaginatedScript, options: RenderOptions | None = None) -> dict:
    """The JSON-able document the template draws: pages of [x, baseline, text, flags, size]."""
    options = options or RenderOptions()
    p = script.profile
    width, height = p.width_in * 72, p.height_in * 72
    baseline = p.baseline_in * 72
    row_pt = round(p.line_height_in * 72, 4)
    pages = []
    for page in script.pages:
        pages.append({"fill": page.fill, "lines": _blocks(page.lines, baseline)})
    watermark = clean(options.watermark).strip()
    zh = p.style == "zh"
    return {
        "width": round(width, 2),
        "height": round(height, 2),
        "size": p.font_size_pt,
        "leading": row_pt,
        "fonts": [*p.fonts, _LAST_RESORT],
        "lang": "zh" if zh else "en",
        "region": "CN" if zh else "US",
        "title": clean(options.title),
        "author": clean(options.author),
        "watermark": watermark,
        "watermark_size": _watermark_size(watermark, width, height, p.font_size_pt) if watermark else 0,
        "pages": pages,
    }


def render_pdf(script: PaginatedScript, options: RenderOptions | None = None) -> bytes:
    """Render a paginated script to PDF bytes."""
    # Tagging is for screen readers of flowing text; absolutely placed lines gain
    # nothing from it and it costs time on 250-page exports.
    return compile_pdf(TEMPLATE, document_data(script, options), fonts=script.profile.fonts, tagged=False)
