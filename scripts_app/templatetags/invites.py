"""The members partial's list of open invitations (it is also rendered by the live pages, whose
context only has the series and the member looking)."""

from __future__ import annotations

from django import template

from ..models import Invite, Project
from ..services.projects import pending_invites_of

register = template.Library()


@register.simple_tag
def open_invites(project: Project) -> list[Invite]:
    return pending_invites_of(project=project)
