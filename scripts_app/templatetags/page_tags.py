"""{% episode_pages episode %}: the episode's printed length ("1 3/8"), by the PDF's paginator."""

from __future__ import annotations

from django import template

from ..services import page_count

register = template.Library()


@register.simple_tag(takes_context=True)
def episode_pages(context, episode) -> str:
    # One query for the whole series per render (the board lists every episode).
    cache = context.render_context.get("episode_pages")
    if cache is None:
        cache = page_count.series_eighths(project=episode.project)
        context.render_context["episode_pages"] = cache
    return page_count.format_eighths(cache.get(episode.pk, 0))
