"""Creating a series and managing who is in its room.

Nobody joins a room without saying yes: a showrunner invites (services below), the invitee accepts.
An invitation by e-mail address reaches its person only through the link mailed to that address.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..collab import broadcast
from ..collab.live_pages import announce
from ..models import Invite, Membership, Project, Role
from .accounts import display_name

log = logging.getLogger(__name__)

INVITE_VALID_FOR = timedelta(days=14)


class MembershipError(ValueError):
    """A member change the room's rules don't allow; the message is shown to the user."""


def unique_slug(*, title: str) -> str:
    """A readable address for the series: 契约新娘 -> qi-yue-xin-niang, "Night Shift" -> night-shift.

    Chinese is written out in pinyin (slugs stay ASCII, as the URLs expect); a title with nothing
    that romanises (emoji only, say) gets a short digest of itself, never one name for all."""
    # slugify keeps underscores; one hyphen between words reads better (and "-_-" is no address).
    base = "-".join(w for w in slugify(_romanised(title)).replace("_", "-").split("-") if w)[:60].strip("-")
    if not base:
        base = "series-" + hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:6]
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _romanised(title: str) -> str:
    from pypinyin import lazy_pinyin  # its dictionaries load on first use, not with every process

    # Each Chinese character's syllable is a word of its own; everything else passes through.
    return " ".join(lazy_pinyin(title))


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
    # Targets and paywalls show on the board and on every episode's facts; synopsis and style in the bible.
    announce(project_id=project.pk, topics=["board", "bible", "episode"])
    return project


def set_paywall(*, project: Project, episode_number: int, on: bool) -> None:
    numbers = set(project.paywall_episodes or [])
    numbers.add(episode_number) if on else numbers.discard(episode_number)
    project.paywall_episodes = sorted(numbers)
    project.save(update_fields=["paywall_episodes", "updated_at"])
    announce(project_id=project.pk, topics=["board", "episode"], episode=episode_number)


def add_member(*, project: Project, who: str, role: str) -> Membership:
    """Add by username or email; an existing member just gets the new role.

    For trusted callers only (commands, the demo, tests): the pages invite instead (`invite`), so
    that nobody is put into a room, and shown to it, without agreeing."""
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
    if created:
        _member_changed(membership, role=membership.role)
    else:
        set_member_role(membership=membership, role=role)
    return membership


@transaction.atomic
def set_member_role(*, membership: Membership, role: str) -> Membership:
    membership = _lock_room(membership)
    if membership.role == Role.SHOWRUNNER and role != Role.SHOWRUNNER:
        _ensure_another_showrunner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    _member_changed(membership, role=role)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    membership = _lock_room(membership)
    if membership.role == Role.SHOWRUNNER:
        _ensure_another_showrunner(membership)
    membership.delete()
    _member_changed(membership, role=None)


def _member_changed(membership: Membership, *, role: str | None) -> None:
    """The member's open pages re-render for the new role (or close, if removed); the room's lists update."""
    message = {"type": "member.changed", "role": role}
    broadcast.send_after_commit(broadcast.member_group(membership.project_id, membership.user_id), message)
    announce(project_id=membership.project_id, topics=["members"])


def _lock_room(membership: Membership) -> Membership:
    """Lock every membership row of the series, always in the order of their ids, and return this one
    as it is now.

    Two showrunners demoting each other at once used to lock their own row first and the other's
    second, each waiting for the other (a deadlock, so a 500). Taken in one order, the second change
    waits for the first and then sees it: it is refused if it would leave the series without a
    showrunner."""
    rows = Membership.objects.select_for_update().filter(project_id=membership.project_id).order_by("pk")
    current = {row.pk: row for row in rows}.get(membership.pk)
    if current is None:
        raise MembershipError(_("This person is no longer a member of the series."))
    return current


def _ensure_another_showrunner(membership: Membership) -> None:
    # A series without a showrunner could never be managed again. The rows are locked (_lock_room).
    others = Membership.objects.filter(project_id=membership.project_id, role=Role.SHOWRUNNER)
    if not others.exclude(pk=membership.pk).exists():
        raise MembershipError(_("A series needs at least one showrunner."))


# ---- invitations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvite:
    invite: Invite
    token: str  # the secret part of the link: shown once (or only e-mailed), only a hash of it is stored


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, project: Project, invited_by, who: str, role: str, site_url: str = "") -> NewInvite:
    """Invite someone by username, by e-mail address, or nobody in particular (a link to pass on).

    A username (new ones never hold "@") that names an account also puts the invitation on that
    person's series list. An e-mail address is never matched against accounts: nobody proved that the
    address on an account is theirs, and whoever typed it first would get the invitation. The link is
    sent to the address instead (`site_url` is where it points, "https://room.example.com/"), so only
    someone who reads that mail can open it; they accept as themselves or make an account. What the
    inviter is told does not depend on whether any account exists."""
    who = who.strip()[:254]
    by_email = Invite.is_address(who)
    user = None
    if by_email:
        try:
            validate_email(who)
        except ValidationError:
            raise MembershipError(
                _("“%(who)s” is not an e-mail address (and a username has no “@”).") % {"who": who}
            ) from None
    elif who:
        user = get_user_model().objects.filter(username__iexact=who, is_active=True).order_by("pk").first()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():  # an address the mail could not go to leaves no invitation
        created = Invite.objects.create(
            project=project, role=role, invitee=who, user=user, token_hash=_hash(token),
            invited_by=invited_by, expires_at=timezone.now() + INVITE_VALID_FOR,
        )  # fmt: skip
        if by_email:
            _send_invitation(created, link=site_url.rstrip("/") + reverse("invite_link", args=[token]))
    announce(project_id=project.pk, topics=["members"])
    return NewInvite(created, token)


def _send_invitation(invite: Invite, *, link: str) -> None:
    """The invitation's link, mailed to the address it was made for (in the inviter's language)."""
    params = {
        "inviter": display_name(invite.invited_by),
        "title": invite.project.title,
        "role": Role(invite.role).label,
        "date": timezone.localtime(invite.expires_at).strftime("%Y-%m-%d"),
        "link": link,
    }
    # One line: a title is the series' own, and a header may not break.
    subject = " ".join((_("Invitation to the writers' room of “%(title)s”") % params).split())
    body = (
        _(
            "%(inviter)s invites you to the writers' room of “%(title)s” as %(role)s.\n\n"
            "Open this link to accept or decline (it works once, until %(date)s):\n%(link)s\n\n"
            "If you were not expecting this, ignore this e-mail: nobody joins a room without accepting."
        )
        % params
    )
    try:
        send_mail(subject, body, None, [invite.invitee])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("the mail of invitation %s was not sent: %s", invite.pk, exc)
        raise MembershipError(
            _(
                "The invitation could not be sent to “%(who)s”: the mail server did not take it. "
                "Nothing was saved; please try again later."
            )
            % {"who": invite.invitee}
        ) from exc


def invite_for_token(token: str) -> Invite | None:
    """The pending, unexpired invitation a link's secret opens, or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invite.objects.select_related("project", "invited_by")
        .filter(token_hash=_hash(token), status=Invite.Status.PENDING, expires_at__gt=timezone.now())
        .first()
    )


def _listed_for(user):
    # An invitation for an address reaches its person only through the mailed link, never a list:
    # that also leaves out any made before, when an address was matched against unverified accounts.
    return (
        Invite.objects.select_related("project", "invited_by")
        .filter(user=user, status=Invite.Status.PENDING, expires_at__gt=timezone.now())
        .exclude(invitee__contains="@")
    )


def pending_invites_for(*, user) -> list[Invite]:
    """Invitations waiting on this person's own series list (made for their username)."""
    return list(_listed_for(user).order_by("-created_at"))


def listed_invite(*, user, pk: int) -> Invite | None:
    """One invitation on this person's series list, to answer; None if it is not there."""
    return _listed_for(user).filter(pk=pk).first()


def pending_invites_of(*, project: Project) -> list[Invite]:
    """The series' open invitations, for its showrunners."""
    return list(
        project.invites.select_related("invited_by")
        .filter(status=Invite.Status.PENDING, expires_at__gt=timezone.now())
        .order_by("-created_at")
    )


@transaction.atomic
def accept_invite(*, invite: Invite, user) -> Membership:
    """Join the room with the invitation's role (a member already keeps the role they have)."""
    invite = _open_invite(invite)
    membership, created = Membership.objects.get_or_create(
        project_id=invite.project_id, user=user, defaults={"role": invite.role}
    )
    _answer(invite, Invite.Status.ACCEPTED, user)
    if created:
        _member_changed(membership, role=membership.role)
    return membership


@transaction.atomic
def decline_invite(*, invite: Invite, user) -> None:
    _answer(_open_invite(invite), Invite.Status.DECLINED, user)
    announce(project_id=invite.project_id, topics=["members"])


@transaction.atomic
def withdraw_invite(*, invite: Invite, user) -> None:
    _answer(_open_invite(invite), Invite.Status.REVOKED, user)
    announce(project_id=invite.project_id, topics=["members"])


def _open_invite(invite: Invite) -> Invite:
    locked = Invite.objects.select_for_update().filter(pk=invite.pk).first()
    if locked is None or locked.status != Invite.Status.PENDING or locked.expires_at <= timezone.now():
        raise MembershipError(_("This invitation is no longer open."))
    return locked


def _answer(invite: Invite, status: str, user) -> None:
    invite.status = status
    invite.answered_by = user
    invite.answered_at = timezone.now()
    invite.save(update_fields=["status", "answered_by", "answered_at"])
