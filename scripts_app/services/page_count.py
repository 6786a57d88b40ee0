"""How many printed pages an episode's script takes, by the paginator the PDF uses (layout/), with the
options the episode's PDF uses (shooting_script.layout_options: notes and emphasis marks take no room,
the episode title line is there when the PDF prints one).

Shown beside the runtime (the episode's facts, the board): whole pages plus the last page's filled
share in eighths, as a production office counts ("1 3/8"). Paginating is pure and takes a few
milliseconds per episode; results are kept per text, so the board's re-renders (every row sync)
only paginate the episode that changed.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..formats.elements import Element, EpisodeText, Kind, ScriptDocument
from ..layout import ShootingScriptOptions, get_profile, paginate
from ..models import Episode, Project
from ..script_text import scene_elements
from .shooting_script import layout_options


@lru_cache(maxsize=1024)
def _eighths(
    texts: tuple[str, ...], fmt: str, number: int, title: str, options: tuple[str, bool, bool]
) -> int:
    elements = [el for text in texts for el in scene_elements(text, fmt)]
    if not elements:
        return 0
    profile, fountain_markup, episode_titles = options
    script = paginate(
        [EpisodeText(number, title, elements)],
        ShootingScriptOptions(
            profile=profile, fountain_markup=fountain_markup, episode_titles=episode_titles
        ),
    )
    rows = [line.row for line in script.pages[-1].lines if line.row is not None and line.row >= 0]
    per_page = get_profile(profile).lines_per_page
    used = max(rows) + 1 if rows else 0
    # A started eighth counts: a nearly empty last page is still 1/8, never 0.
    return (len(script.pages) - 1) * 8 + max(1, min(8, math.ceil(used * 8 / per_page)))


def _options(project: Project, number: int, title: str) -> tuple[str, bool, bool]:
    """The episode's PDF's layout options (shooting_script.layout_options), as a cache key: notes and
    emphasis marks take no room, and the episode's title line is counted when the PDF prints one."""
    doc = ScriptDocument(episodes=[EpisodeText(number, title, [Element(Kind.ACTION, "x")])])
    options = layout_options(project=project, doc=doc)
    return options.profile, options.fountain_markup, options.episode_titles


def episode_eighths(*, episode: Episode, project: Project | None = None) -> int:
    """The episode's length in eighths of a page (0 for an unwritten episode), as its PDF prints it."""
    project = project or episode.project
    texts = tuple(s.text for s in episode.scenes.all() if not s.omitted)
    options = _options(project, episode.number, episode.title)
    return _eighths(texts, project.script_format, episode.number, episode.title, options)


def format_eighths(eighths: int) -> str:
    """8 -> "1", 11 -> "1 3/8", 4 -> "4/8" ... as a script supervisor writes it."""
    whole, rest = divmod(eighths, 8)
    if not rest:
        return str(whole)
    return f"{whole} {rest}/8" if whole else f"{rest}/8"


def series_eighths(*, project: Project) -> dict[int, int]:
    """Eighths of a page per episode id, for the board: one query for every episode's scenes."""
    from ..models import Scene

    texts: dict[int, list[str]] = {}
    heads: dict[int, tuple[int, str]] = {}
    rows = (
        Scene.objects.filter(episode__project=project, omitted=False)
        .order_by("episode_id", "position", "id")
        .values_list("episode_id", "episode__number", "episode__title", "text")
    )
    for episode_id, number, title, text in rows:
        texts.setdefault(episode_id, []).append(text)
        heads[episode_id] = (number, title)
    out = {}
    for eid, episode_texts in texts.items():
        number, title = heads[eid]
        options = _options(project, number, title)
        out[eid] = _eighths(tuple(episode_texts), project.script_format, number, title, options)
    return out
