"""Creating a series and managing who is in its room."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import Membership, Project, Role


class MembershipError(ValueError):
    """A member change the room's rules don't allow; the message is shown to the user."""


def unique_slug(*, title: str) -> str:
    # Chinese titles slugify to nothing; fall back to a neutral base.
    base = slugify(title)[:60] or "series"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_project(*, user, title: str, slug: str = "", **fields) -> Project:
    """The creator becomes the series' showrunner."""
    project = Project.objects.create(
        title=title, slug=slug or unique_slug(title=title), created_by=user, **fields
    )
    Membership.objects.create(project=project, user=user, role=Role.SHOWRUNNER)
    return project


def update_project(*, project: Project, **fields) -> Project:
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    return project


def set_paywall(*, project: Project, episode_number: int, on: bool) -> None:
    numbers = set(project.paywall_episodes or [])
    numbers.add(episode_number) if on else numbers.discard(episode_number)
    project.paywall_episodes = sorted(numbers)
    project.save(update_fields=["paywall_episodes", "updated_at"])


def add_member(*, project: Project, who: str, role: str) -> Membership:
    """Add by username or email; an existing member just gets the new role."""
    who = who.strip()
    user = (
        get_user_model().objects.filter(Q(username__iexact=who) | Q(email__iexact=who)).first()
        if who
        else None
    )
    if user is None:
        raise MembershipError(_("No user with the username or email “%(who)s”.") % {"who": who})
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": role}
    )
    if not created:
        set_member_role(membership=membership, role=role)
    return membership


@transaction.atomic
def set_member_role(*, membership: Membership, role: str) -> Membership:
    if membership.role == Role.SHOWRUNNER and role != Role.SHOWRUNNER:
        _ensure_another_showrunner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.SHOWRUNNER:
        _ensure_another_showrunner(membership)
    membership.delete()


def _ensure_another_showrunner(membership: Membership) -> None:
    # A series without a showrunner could never be managed again.
    others = Membership.objects.select_for_update().filter(project=membership.project, role=Role.SHOWRUNNER)
    if not others.exclude(pk=membership.pk).exists():
        raise MembershipError(_("A series needs at least one showrunner."))
