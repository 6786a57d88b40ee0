"""Threaded comments anchored to a range of an episode's script."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..collab import broadcast
from ..models import Comment, Episode

MAX_BODY = 5000
MAX_QUOTE = 500
# An anchor is a Yjs relative position the browser encoded as base64; nothing else is stored there.
_ANCHOR_RE = re.compile(r"[A-Za-z0-9+/=]{0,400}")


class CommentError(ValueError):
    """The comment can't be saved; the message says why."""


def _announce(episode: Episode) -> None:
    broadcast.send_after_commit(
        broadcast.project_group(episode.project_id),
        {"type": "live.changed", "topics": ["comments"], "episode": episode.number},
    )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError(_("Write something first."))
    if len(body) > MAX_BODY:
        raise CommentError(_("A comment may hold at most %(n)d characters.") % {"n": MAX_BODY})
    return body


@transaction.atomic
def add_comment(
    *, episode: Episode, user, body: str, anchor_start: str = "", anchor_end: str = "", quote: str = ""
) -> Comment:
    if not (_ANCHOR_RE.fullmatch(anchor_start) and _ANCHOR_RE.fullmatch(anchor_end)):
        raise CommentError(_("The comment's place in the script could not be read."))
    comment = Comment.objects.create(
        episode=episode,
        author=user,
        body=_clean_body(body),
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        quote=(quote or "")[:MAX_QUOTE],
    )
    _announce(episode)
    return comment


@transaction.atomic
def reply(*, comment: Comment, user, body: str) -> Comment:
    thread = comment.parent or comment
    answer = Comment.objects.create(
        episode=thread.episode, parent=thread, author=user, body=_clean_body(body)
    )
    if thread.resolved_at:
        # Answering a resolved thread reopens it: someone still has something to say.
        set_resolved(comment=thread, user=user, resolved=False)
    _announce(thread.episode)
    return answer


@transaction.atomic
def set_resolved(*, comment: Comment, user, resolved: bool) -> Comment:
    thread = comment.parent or comment
    thread.resolved_at = timezone.now() if resolved else None
    thread.resolved_by = user if resolved else None
    thread.save(update_fields=["resolved_at", "resolved_by"])
    _announce(thread.episode)
    return thread
