"""Pure-Python pagination of scripts into positioned lines (no PDF library, no Django)."""

from .model import (
    REVISION_COLORS,
    ElementMeta,
    Line,
    Page,
    PaginatedScript,
    Revision,
    ShootingScriptOptions,
    next_revision_color,
    revision_color,
)
from .paginate import paginate
from .profiles import PROFILES, PageProfile, get_profile

__all__ = [
    "PROFILES",
    "REVISION_COLORS",
    "ElementMeta",
    "Line",
    "Page",
    "PageProfile",
    "PaginatedScript",
    "Revision",
    "ShootingScriptOptions",
    "get_profile",
    "next_revision_color",
    "paginate",
    "revision_color",
]
