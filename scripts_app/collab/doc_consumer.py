"""The websocket of an episode's shared document (docs/collab-protocol.md). Thin: it checks who may
do what, limits size and rate, and hands the rest to the process's Room."""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Episode, Project, Role
from ..permissions import membership_for
from . import broadcast, protocol, rooms

log = logging.getLogger(__name__)

CLOSE_LOGIN, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404
CLOSE_TOO_LARGE, CLOSE_RATE, CLOSE_FAULT = 4409, 4429, 4500
OUTBOX = 2000  # frames waiting for a slow client before it is dropped (it resyncs on reconnect)


def _user_color(user_id: int) -> str:
    try:
        from .presence import user_color
    except ImportError:  # presence arrives with the live pages
        return "#%06x" % (hash(user_id) % 0xCCCCCC)
    return user_color(user_id)


@database_sync_to_async
def _find(user, slug: str, number: int):
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        return None, None, None
    membership = membership_for(user=user, project=project)
    if membership is None:
        return project, None, None
    episode = Episode.objects.filter(project=project, number=number).first()
    return project, membership, episode


@database_sync_to_async
def _role(project_id: int, user) -> str | None:
    from ..models import Membership

    return Membership.objects.filter(project_id=project_id, user=user).values_list("role", flat=True).first()


class TokenBucket:
    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class EpisodeDocConsumer(AsyncWebsocketConsumer):
    room: rooms.Room | None = None

    async def connect(self) -> None:
        self.room = None
        self.outbox: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=OUTBOX)
        self.sender: asyncio.Task | None = None
        self.bucket = TokenBucket(settings.COLLAB_MESSAGES_PER_SECOND, settings.COLLAB_MESSAGE_BURST)
        self.language = translation.get_language()
        user = self.scope.get("user")
        await self.accept()  # accepted first so the browser learns why it is closed (4xxx codes)
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_LOGIN)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        project, membership, episode = await _find(user, kwargs["slug"], kwargs["number"])
        if membership is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if episode is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.project_id = project.pk
        self.user_id = user.pk
        self.user_info = {
            "id": user.pk,
            "name": user.get_full_name() or user.get_username(),
            "color": _user_color(user.pk),
        }
        self.user_info["colorLight"] = self.user_info["color"] + "33"
        self.may_write = membership.may(Role.WRITER)
        self.member_group = broadcast.member_group(project.pk, user.pk)
        await self.channel_layer.group_add(self.member_group, self.channel_name)
        self.sender = asyncio.create_task(self._send_loop())
        try:
            self.room = await rooms.join(episode.pk, self)
        except Exception:
            log.exception("could not open the document of episode %s", episode.pk)
            await self._notice("unavailable", _("The script could not be opened; trying again shortly."))
            await self.close(code=CLOSE_FAULT)
            return
        # Our state first (so the client sends what we lack), then everyone's cursors.
        self.push(protocol.step1_message(self.room.state_vector()))
        awareness = self.room.awareness_snapshot()
        if awareness:
            self.push(protocol.awareness_message(awareness))
        if not self.may_write:
            await self._notice("read_only", _("You can read this script; your role does not allow editing."))

    def push(self, message: bytes) -> None:
        """Queue a frame for this client (called by the room for relayed edits and cursors)."""
        try:
            self.outbox.put_nowait(message)
        except asyncio.QueueFull:
            # Too slow to keep up: drop the connection; the client resyncs when it reconnects.
            log.warning("dropping a slow client of episode %s", getattr(self.room, "episode_id", "?"))
            self.outbox = asyncio.Queue(maxsize=OUTBOX)
            asyncio.create_task(self.close(code=CLOSE_FAULT))

    async def _send_loop(self) -> None:
        while True:
            message = await self.outbox.get()
            if message is None:
                return
            await self.send(bytes_data=message)

    async def _notice(self, code: str, message: str, **extra) -> None:
        self.push(protocol.notice_message(code, message, **extra))

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.room is None:
            return
        frame = bytes_data if bytes_data is not None else (text_data or "").encode()
        with translation.override(self.language):
            if len(frame) > settings.COLLAB_MAX_MESSAGE_BYTES:
                await self._notice(
                    "too_large",
                    _(
                        "That change is too large to send at once (over %(kb)d KB). "
                        "Undo it and add the text in parts."
                    )
                    % {"kb": settings.COLLAB_MAX_MESSAGE_BYTES // 1024},
                )
                await self.close(code=CLOSE_TOO_LARGE)
                return
            if not self.bucket.take():
                await self._notice("rate_limited", _("Too many changes at once; reconnecting."))
                await self.close(code=CLOSE_RATE)
                return
            try:
                await self._handle(frame)
            except protocol.BadMessage as exc:
                log.info("bad frame on episode %s: %s", self.room.episode_id, exc)
                await self._notice("bad_message", _("A change could not be read and was not saved."))

    async def _handle(self, frame: bytes) -> None:
        kind, sub, payload = protocol.read(frame)
        if kind == protocol.AWARENESS:
            try:
                clean = self.room.client_awareness(self, payload)
            except protocol.BadMessage:
                # A cursor that can't be read is dropped quietly: the client counts notices
                # against its edits, and this frame held none.
                return
            self.room.relay_awareness(clean)
            return
        if kind == protocol.SAVE:
            await self._save(protocol.save_id(payload))
            return
        if sub == protocol.STEP1:
            self.push(protocol.step2_message(self.room.diff_for(payload)))
            return
        # Step 2 or an update: a change to the script.
        if not self.may_write:
            await self._notice("read_only", _("You can read this script; your role does not allow editing."))
            return
        try:
            await self.room.client_update(self, payload)
        except protocol.BadMessage:
            raise
        except Exception:
            log.exception("could not store an update of episode %s", self.room.episode_id)
            await self._notice(
                "unavailable", _("Your change could not be saved yet; it is kept and sent again.")
            )
            await self.close(code=CLOSE_FAULT)
            return
        self.push(protocol.ack_message(1))

    async def _save(self, request: int) -> None:
        """Ctrl+S: this connection's earlier updates are stored already (frames are handled in
        order); the rows are written now instead of after the idle pause."""
        if self.may_write:
            try:
                await self.room.save()
            except Exception:
                log.exception("could not save the rows of episode %s", self.room.episode_id)
                await self._notice(
                    "save_failed", _("Not saved yet: your changes are kept; try again."), id=request
                )
                return
        await self._notice("saved", _("Saved"), id=request)

    async def member_changed(self, event: dict) -> None:
        """The showrunner changed this member's role or removed them: applies at once."""
        role = await _role(self.project_id, self.scope["user"])
        with translation.override(self.language):
            if role is None:
                await self._notice("removed", _("You are no longer a member of this series."))
                await self._drain()
                await self.close(code=CLOSE_FORBIDDEN)
                return
            may_write = role in (Role.WRITER, Role.SHOWRUNNER)
            if may_write != self.may_write:
                self.may_write = may_write
                message = (
                    _("Your role now allows editing.") if may_write else _("Your role is now read-only.")
                )
                await self._notice("role_changed", message, role=role)

    async def _drain(self) -> None:
        for _i in range(50):
            if self.outbox.empty():
                return
            await asyncio.sleep(0.01)

    async def disconnect(self, code) -> None:
        if getattr(self, "member_group", None):
            try:
                await self.channel_layer.group_discard(self.member_group, self.channel_name)
            except Exception:
                pass
        if self.room is not None:
            room, self.room = self.room, None
            await rooms.leave(room, self)
        if getattr(self, "sender", None):
            self.sender.cancel()
