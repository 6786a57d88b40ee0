"""A shot list as a landscape A4 table PDF (Typst template shotlist.typ, data as JSON)."""

from __future__ import annotations

from pathlib import Path

from scripts_app.formats.shotlist import HEADERS, Shot, table_rows
from scripts_app.layout.wrap import clean

from .typst_engine import compile_pdf

TEMPLATE = Path(__file__).with_name("shotlist.typ")
PDF_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC")
_LAST_RESORT = "DejaVu Sans Mono"  # ships inside Typst


def pdf_data(shots: list[Shot], *, title: str, lang: str = "zh") -> dict:
    """The JSON-able document ``shotlist.typ`` draws; rows are strings only."""
    rows: list[dict] = []
    scene = None
    for shot, row in zip(shots, table_rows(shots, lang), strict=True):
        if shot.scene != scene:
            scene = shot.scene
            rows.append({"heading": clean(f"{shot.scene}  {shot.location}".strip())})
        rows.append({"cells": [clean(cell) for cell in row]})
    total = sum(s.duration_s for s in shots)
    minutes, seconds = divmod(round(total), 60)
    if lang == "en":
        summary = f"{len(shots)} shots, about {minutes}:{seconds:02d}"
    else:
        summary = f"共 {len(shots)} 个镜头，约 {minutes} 分 {seconds} 秒"
    return {
        "title": clean(title),
        "summary": summary,
        "headers": list(HEADERS[lang]),
        "rows": rows,
        "fonts": [*PDF_FONTS, _LAST_RESORT],
        "lang": "en" if lang == "en" else "zh",
        "region": "US" if lang == "en" else "CN",
    }


def render_pdf(shots: list[Shot], *, title: str, lang: str = "zh") -> bytes:
    """A landscape A4 table of the shots, Chinese set in Noto CJK (no tofu)."""
    return compile_pdf(TEMPLATE, pdf_data(shots, title=title, lang=lang), fonts=PDF_FONTS)
