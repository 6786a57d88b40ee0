"""How many printed pages an episode's script takes, by the paginator the PDF uses (layout/).

Shown beside the runtime (the episode's facts, the board): whole pages plus the last page's filled
share in eighths, as a production office counts ("1 3/8"). Paginating is pure and takes a few
milliseconds per episode; results are kept per text, so the board's re-renders (every row sync)
only paginate the episode that changed.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..layout import ShootingScriptOptions, get_profile, paginate
from ..models import Episode, Project
from ..script_text import scene_elements
from .shooting_script import default_profile


@lru_cache(maxsize=1024)
def _eighths(texts: tuple[str, ...], fmt: str, profile: str) -> int:
    elements = [el for text in texts for el in scene_elements(text, fmt)]
    if not elements:
        return 0
    script = paginate(elements, ShootingScriptOptions(profile=profile))
    rows = [line.row for line in script.pages[-1].lines if line.row is not None and line.row >= 0]
    per_page = get_profile(profile).lines_per_page
    used = max(rows) + 1 if rows else 0
    # A started eighth counts: a nearly empty last page is still 1/8, never 0.
    return (len(script.pages) - 1) * 8 + max(1, min(8, math.ceil(used * 8 / per_page)))


def episode_eighths(*, episode: Episode, project: Project | None = None) -> int:
    """The episode's length in eighths of a page (0 for an unwritten episode)."""
    project = project or episode.project
    texts = tuple(s.text for s in episode.scenes.all() if not s.omitted)
    return _eighths(texts, project.script_format, default_profile(project))


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
    rows = (
        Scene.objects.filter(episode__project=project, omitted=False)
        .order_by("episode_id", "position", "id")
        .values_list("episode_id", "text")
    )
    for episode_id, text in rows:
        texts.setdefault(episode_id, []).append(text)
    profile = default_profile(project)
    return {eid: _eighths(tuple(t), project.script_format, profile) for eid, t in texts.items()}
