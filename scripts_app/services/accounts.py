"""A member's own account: the name the room sees."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext as _

# User.first_name's width: the whole display name lives there (last_name stays blank), so that
# get_full_name(), which presence, comments and history already show, returns it unchanged.
DISPLAY_NAME_MAX = get_user_model()._meta.get_field("first_name").max_length


def display_name(user) -> str:
    """What the room calls this person: their display name, else their login name."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def set_display_name(*, user, name: str) -> None:
    """Set (or, with a blank name, clear) the name the room sees instead of the login name."""
    name = " ".join(name.split())  # no line breaks or runs of spaces in a name shown everywhere
    if len(name) > DISPLAY_NAME_MAX:
        raise ValueError(_("A display name may hold at most %(n)d characters.") % {"n": DISPLAY_NAME_MAX})
    user.first_name, user.last_name = name, ""
    user.save(update_fields=["first_name", "last_name"])


def default_contact(*, user) -> str:
    """A title page's contact block until someone writes one: the showrunner's name and address."""
    return "\n".join(part for part in (display_name(user), user.email) if part)


class SignupRefused(Exception):
    """Too many accounts made from one address lately; the message says when to try again."""


def sign_up(*, form, address: str):
    """A new account from a valid signup form, unless this address made too many within the hour.

    The count lives in the cache (per server process unless a shared cache is configured): enough to
    stop a script filling the user table, not a security boundary (nobody gains access by an account)."""
    key = f"signups:{address}"
    made = cache.get(key, 0)
    if made >= settings.SIGNUPS_PER_HOUR:
        raise SignupRefused(
            _("Too many accounts were made from your address in the last hour. Try again later.")
        )
    user = form.save()
    cache.set(key, made + 1, 3600)
    return user
