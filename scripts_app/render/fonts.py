"""Locate the PDF fonts, repairing Debian's Courier Prime style metadata on the way.

Debian's fonts-courier-prime (0+git20190115) ships Regular, Bold, Italic and Bold
Italic OTFs that all claim to be "Courier Prime Regular", weight 300, upright. A font
engine choosing by those tables cannot tell them apart (Typst printed the whole script
in italic). We therefore copy the four files once into a cache folder with honest
name/OS/2/head tables, taking each file's style from its file name, and hand that
folder to the renderer instead of the system one. Glyphs are untouched (OFL permits
modified copies; the family name is unchanged since nothing new is distributed).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

COURIER_PRIME_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/courier-prime",
    "/usr/share/fonts/truetype/courier-prime",
)
NOTO_CJK_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
)

# file stem -> (subfamily, weight class, bold, italic)
_STYLES: dict[str, tuple[str, int, bool, bool]] = {
    "Courier Prime": ("Regular", 400, False, False),
    "Courier Prime Bold": ("Bold", 700, True, False),
    "Courier Prime Italic": ("Italic", 400, False, True),
    "Courier Prime Bold Italic": ("Bold Italic", 700, True, True),
}


def cache_dir() -> Path:
    """Where repaired font copies live (WRITERSROOM_FONT_CACHE, else ~/.cache or /tmp)."""
    env = os.environ.get("WRITERSROOM_FONT_CACHE")
    if env:
        return Path(env)
    home = Path.home() / ".cache" / "writersroom" / "fonts"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.access(home, os.W_OK):
            return home
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / "writersroom-fonts"


def _fix(src: Path, dst: Path, subfamily: str, weight: int, bold: bool, italic: bool) -> None:
    from fontTools.ttLib import TTFont  # pinned in requirements.txt; only needed on first use

    font = TTFont(src)
    family = "Courier Prime"
    full = family if subfamily == "Regular" else f"{family} {subfamily}"
    ps_name = f"CourierPrime-{subfamily.replace(' ', '')}"
    os2 = font["OS/2"]
    os2.usWeightClass = weight
    sel = os2.fsSelection & ~((1 << 0) | (1 << 5) | (1 << 6))
    sel |= (1 << 0 if italic else 0) | (1 << 5 if bold else 0) | (1 << 6 if not (bold or italic) else 0)
    os2.fsSelection = sel
    font["head"].macStyle = (1 if bold else 0) | (2 if italic else 0)
    name = font["name"]
    name.removeNames(nameID=16)
    name.removeNames(nameID=17)
    for name_id, value in ((1, family), (2, subfamily), (4, full), (6, ps_name)):
        name.setName(value, name_id, 3, 1, 0x409)
        if name.getName(name_id, 1, 0, 0) is not None:
            name.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps_name]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName, top.Weight = full, family, "Bold" if bold else "Regular"
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    font.save(tmp)
    os.replace(tmp, dst)  # atomic, so concurrent workers never read a half-written font


def courier_prime_dir() -> Path | None:
    """A folder holding Courier Prime's four styles with correct metadata, or None."""
    out = cache_dir() / "courier-prime"
    found = False
    for folder in COURIER_PRIME_DIRS:
        for stem, style in _STYLES.items():
            for ext in (".otf", ".ttf"):
                src = Path(folder) / f"{stem}{ext}"
                if not src.is_file():
                    continue
                found = True
                dst = out / f"{stem}{ext}"
                if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
                    _fix(src, dst, *style)
        if found:
            break
    return out if found else None


def font_dirs() -> list[str]:
    """Folders the PDF renderer loads. WRITERSROOM_FONT_DIRS (os.pathsep list) overrides."""
    env = os.environ.get("WRITERSROOM_FONT_DIRS")
    if env:
        return [d for d in env.split(os.pathsep) if d and Path(d).is_dir()]
    dirs: list[str] = []
    courier = courier_prime_dir()
    if courier:
        dirs.append(str(courier))
    dirs.extend(d for d in NOTO_CJK_DIRS if Path(d).is_dir())
    return dirs
