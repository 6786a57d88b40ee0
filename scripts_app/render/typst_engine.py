"""The one place that runs Typst: fonts loaded once per process, one compiler per template.

Templates are fixed files; documents go in as JSON through ``sys.inputs`` and are never
spliced into Typst source, so text from a script cannot change the layout or run code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import typst

from .fonts import font_dirs

_lock = threading.Lock()
_fonts: typst.Fonts | None = None
_families: set[str] = set()
_compilers: dict[Path, typst.Compiler] = {}


class FontsMissing(RuntimeError):
    """A font family a document needs is not installed; the PDF would silently use another face."""


def _load_fonts() -> typst.Fonts:
    # Scanning the font folders (~0.1 s for the Noto CJK collections) happens once per
    # process; system fonts are ignored so output does not depend on the host.
    global _fonts, _families
    if _fonts is None:
        _fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=font_dirs())
        _families = set(_fonts.families())
    return _fonts


def missing_fonts(families: Sequence[str]) -> list[str]:
    """Families among ``families`` that the renderer cannot find."""
    with _lock:
        _load_fonts()
        return [f for f in families if f not in _families]


def compile_pdf(template: Path, data: dict, *, fonts: Sequence[str], tagged: bool = True) -> bytes:
    """Compile ``template`` with ``data`` as ``sys.inputs.data``; refuse if a needed font is missing."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with _lock:
        font_set = _load_fonts()
        missing = [f for f in fonts if f not in _families]
        if missing:
            raise FontsMissing(
                f"fonts not installed: {', '.join(missing)} "
                "(apt-get install fonts-courier-prime fonts-noto-cjk, or set WRITERSROOM_FONT_DIRS)"
            )
        compiler = _compilers.get(template)
        if compiler is None:
            compiler = _compilers[template] = typst.Compiler(
                str(template), font_paths=font_set, ignore_system_fonts=True
            )
        pdf = compiler.compile(sys_inputs={"data": payload}, format="pdf", pdf_tags=tagged)
    assert isinstance(pdf, bytes)
    return pdf
