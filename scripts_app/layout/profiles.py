"""Page profiles: paper, grid and element positions for each printed script format.

All positions are inches from the page's left or top edge, as printed-script
conventions are stated in inches. The paginator works in rows and columns of the
profile's grid; the renderer only needs the inches.
"""

from __future__ import annotations

from dataclasses import dataclass

LETTER = (8.5, 11.0)
A4 = (8.27, 11.69)


@dataclass(frozen=True)
class PageProfile:
    name: str
    style: str  # "screenplay" (Hollywood layout) or "zh" (Chinese micro-drama layout)
    width_in: float
    height_in: float
    top_in: float  # top of the first body row
    lines_per_page: int
    line_height_in: float
    col_width_in: float  # one column: a Courier cell, or half a full-width character
    font_size_pt: float
    fonts: tuple[str, ...]  # family fallback order; the renderer must embed all of them
    ambiguous_wide: bool  # East Asian "A" characters (△, —, “) take two columns
    left_in: float  # scene headings, action, cast lines
    right_in: float  # right edge of the text area; transitions and page numbers end here
    character_in: float
    parenthetical_in: float
    dialogue_in: float
    dialogue_cols: int
    parenthetical_cols: int
    scene_number_left_in: float
    scene_number_right_in: float
    revision_mark_in: float
    provenance_in: float
    header_y_in: float
    page_number_bottom: bool  # Chinese scripts number at the foot, screenplays top right
    baseline_in: float  # from the top of a row to the text baseline
    more_text: str
    contd_suffix: str
    heading_space: int  # blank rows before a scene heading
    block_space: int  # blank rows before action, cues, transitions
    dual_cols: int = 27  # dual dialogue: width of each column's dialogue

    @property
    def body_cols(self) -> int:
        """Columns from the left text edge to the right text edge (about 60 on Letter)."""
        return round((self.right_in - self.left_in) / self.col_width_in)

    @property
    def heading_cols(self) -> int:
        """Heading width: stops short of the right scene number so the two never touch."""
        if self.style != "screenplay":
            return self.body_cols
        return round((self.scene_number_right_in - self.col_width_in * 2 - self.left_in) / self.col_width_in)

    def row_y(self, row: int) -> float:
        """Top of body row ``row`` in inches from the page's top edge."""
        return self.top_in + row * self.line_height_in


def _screenplay(name: str, size: tuple[float, float], lines: int) -> PageProfile:
    width, height = size
    return PageProfile(
        name=name,
        style="screenplay",
        width_in=width,
        height_in=height,
        top_in=1.0,
        lines_per_page=lines,
        line_height_in=1 / 6,  # 6 lines per inch
        col_width_in=0.1,  # Courier 12 pt: 10 characters per inch
        font_size_pt=12,
        fonts=("Courier Prime", "Noto Serif CJK SC"),
        ambiguous_wide=False,  # Courier Prime draws em dashes and curly quotes one cell wide
        left_in=1.5,
        right_in=round(width - 1.0, 2),
        character_in=3.7,
        parenthetical_in=3.1,
        dialogue_in=2.5,
        dialogue_cols=35,
        parenthetical_cols=26,
        scene_number_left_in=0.75,
        scene_number_right_in=7.4,
        revision_mark_in=round(width - 0.5, 2),
        provenance_in=0.2,
        header_y_in=0.5,
        page_number_bottom=False,
        baseline_in=0.13,
        more_text="(MORE)",
        contd_suffix=" (CONT'D)",
        heading_space=1,
        block_space=1,
    )


PROFILES: dict[str, PageProfile] = {
    "letter": _screenplay("letter", LETTER, 55),
    "a4": _screenplay("a4", A4, 57),
    "zh": PageProfile(
        name="zh",
        style="zh",
        width_in=A4[0],
        height_in=A4[1],
        top_in=1.0,
        lines_per_page=38,
        line_height_in=0.25,  # 18 pt rows for 12 pt Chinese text: the usual 1.5 spacing
        col_width_in=1 / 12,  # half of a 12 pt full-width character
        font_size_pt=12,
        fonts=("Noto Serif CJK SC", "Courier Prime"),
        ambiguous_wide=True,  # △ and Chinese dashes/quotes are full width in CJK fonts
        left_in=1.0,
        right_in=7.27,
        character_in=1.0,
        parenthetical_in=1.0,
        dialogue_in=1.0,
        dialogue_cols=75,
        parenthetical_cols=75,
        scene_number_left_in=0.5,
        scene_number_right_in=7.4,
        revision_mark_in=7.6,
        provenance_in=0.25,
        header_y_in=0.55,
        page_number_bottom=True,
        baseline_in=0.185,
        more_text="（接下页）",
        contd_suffix="（续）",
        heading_space=1,
        block_space=0,
    ),
}


def get_profile(name: str) -> PageProfile:
    """The profile called ``name`` ("letter", "a4" or "zh")."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown page profile {name!r}; choose one of {', '.join(PROFILES)}") from None
