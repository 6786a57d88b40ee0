"""The colour the next issued revision of an episode will print on, for the button that issues it."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from ..layout import revision_color

register = template.Library()


@dataclass(frozen=True)
class Colour:
    key: str  # white, blue, pink... (the CSS class and the PDF's colour)
    name: str  # as the room reads it: BLUE, 蓝色


@register.filter
def next_revision_colour(revisions) -> Colour:
    """`revisions` are the episode's issued ones; the next gets the following industry colour."""
    indexes = [r.index for r in revisions]
    key = revision_color(max(indexes) + 1 if indexes else 0)
    return Colour(key, _(key).upper())
