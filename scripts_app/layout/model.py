"""Data passed into and out of the paginator: options, per-element side data, pages.

Kept apart from the algorithm so the Django side and the renderer can import the
types without the layout code, and so elements.py stays the only element model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .profiles import PageProfile

# The industry order of revision colours; each new revision goes one step further.
REVISION_COLORS: tuple[str, ...] = (
    "white",
    "blue",
    "pink",
    "yellow",
    "green",
    "goldenrod",
    "buff",
    "salmon",
    "cherry",
)

# Light tints for on-screen and office-printer copies; real revision pages are printed
# on coloured paper, so these only need to be recognisable, not exact.
REVISION_TINTS: dict[str, str] = {
    "white": "#ffffff",
    "blue": "#dce9ff",
    "pink": "#ffe0ec",
    "yellow": "#fff7c2",
    "green": "#dcf5d4",
    "goldenrod": "#f6e2a6",
    "buff": "#f3e7cc",
    "salmon": "#ffd6c7",
    "cherry": "#f7c1c6",
}


def revision_color(index: int) -> str:
    """The colour of the ``index``-th issued draft: 0 is white, 1 blue... (wraps after cherry)."""
    return REVISION_COLORS[index % len(REVISION_COLORS)]


def next_revision_color(color: str) -> str:
    """The colour after ``color`` in the industry order (wraps after cherry)."""
    return revision_color(REVISION_COLORS.index(color.lower()) + 1)


@dataclass(frozen=True)
class Revision:
    color: str  # one of REVISION_COLORS
    date: str = ""  # printed as given, e.g. "2026-11-24"
    label: str = ""  # overrides the generated "BLUE REVISION - 2026-11-24"

    def __post_init__(self) -> None:
        if self.color.lower() not in REVISION_COLORS:
            raise ValueError(f"unknown revision colour {self.color!r}")

    @property
    def header(self) -> str:
        if self.label:
            return self.label
        text = f"{self.color.upper()} REVISION"
        return f"{text} - {self.date}" if self.date else text

    @property
    def tint(self) -> str:
        return REVISION_TINTS[self.color.lower()]


@dataclass(frozen=True)
class ElementMeta:
    """Side data for one element, parallel to the flat element list."""

    revised: bool = False  # changed since the last issued draft: asterisk in the right margin
    provenance: str = ""  # "human", "ai", "ai_edited"...; marked in review copies
    omitted: bool = False  # on a scene heading: print the options' omitted_text, drop the scene's body


DEFAULT_PROVENANCE_MARKS: dict[str, str] = {
    "ai": "AI",
    "ai_edited": "AI-ED",
    "ai-edited": "AI-ED",
}


@dataclass
class ShootingScriptOptions:
    """Everything the Django export view can choose; all fields have print-ready defaults.

    Element indices (``revised``) count over the flat element list: all episodes'
    elements in order, the same order as a parallel ``meta`` list.
    """

    profile: str = "letter"  # "letter" | "a4" | "zh"
    scene_numbers: bool = True  # screenplay: in both margins; zh: always part of the heading
    revised: frozenset[int] = frozenset()  # flat element indices that get an asterisk
    omitted_scenes: frozenset[str] = frozenset()  # scene numbers printed as "12 OMITTED"
    omitted_text: str = "OMITTED"  # printed after an omitted scene's number (the zh profile: 已删除)
    header: str = ""  # top-left on every page; "{episode}" and "{title}" are filled in
    revision: Revision | None = None  # adds the revision header line and page tint
    tint_pages: bool = True  # fill pages with the revision colour (when ``revision`` is set)
    title_page: list[tuple[str, str]] = field(default_factory=list)  # Fountain keys: Title, Credit...
    show_provenance: bool = False  # review copies: mark AI / AI-edited lines in the left margin
    provenance_marks: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PROVENANCE_MARKS))
    episode_new_page: bool = True  # each episode starts on a fresh page
    episode_titles: bool = True  # print "EPISODE 3: TITLE" / "第3集 标题" above each episode
    # Fountain's inline markup: *italic*, **bold**, _underline_ print styled (their marks do not
    # print) and [[notes]] never print. Off for the Chinese format, where stars are just stars.
    fountain_markup: bool = False


@dataclass(slots=True)
class Line:
    """One positioned run of text.

    ``x_in`` is the left edge for align "left", the right edge for "right" and the
    centre for "center". ``y_in`` is the top of the row; ``row`` is the body row (negative
    for header rows above the body, ``None`` for free-floating marks).
    """

    text: str
    x_in: float
    kind: str  # a Kind value for script text, or one of the LINE_* kinds below
    y_in: float = 0.0
    row: int | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    align: str = "left"
    size_pt: float | None = None  # None: the profile's font size
    element: int | None = None  # flat index of the source element
    revised: bool = False
    # Styled pieces of ``text`` when its words differ in style: ((text, STYLE_* flags), ...), whose
    # texts join to ``text``. None: the whole line in the line's own style.
    runs: tuple[tuple[str, int], ...] | None = None


# Style flags of a run (the renderer's flag bits).
STYLE_BOLD, STYLE_ITALIC, STYLE_UNDERLINE = 1, 2, 4


LINE_SCENE_NUMBER = "scene_number"
LINE_REVISION_MARK = "revision_mark"
LINE_PROVENANCE = "provenance"
LINE_PAGE_NUMBER = "page_number"
LINE_HEADER = "header"
LINE_REVISION_HEADER = "revision_header"
LINE_MORE = "more"
LINE_CONTD = "contd"
LINE_EPISODE_TITLE = "episode_title"
LINE_TITLE_PAGE = "title_page"
LINE_OMITTED = "omitted"


@dataclass
class Page:
    number: int  # 1-based script page; 0 for the title page
    lines: list[Line]
    label: str = ""  # the printed page number ("2."), empty where none is printed
    episode: int | None = None  # episode whose text starts or continues on this page
    fill: str | None = None  # page colour (revision tint), None for plain white
    revised: bool = False  # at least one line on the page carries a revision asterisk


@dataclass
class PaginatedScript:
    profile: PageProfile
    pages: list[Page]

    @property
    def page_count(self) -> int:
        return len(self.pages)
