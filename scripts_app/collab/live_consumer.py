"""The series' live pages: `/ws/p/<slug>/live/?where=<where>` (see docs/collab-protocol.md, section 2).

One connection per open page of a series. It sends HTML fragments with hx-swap-oob, which
htmx-ext-ws swaps into the page: the presence bar on every page, and the parts of the page a change
made stale (board rows, bible lists, episode facts, scene list, beats, members), rendered for this
member's role as it is now. The client sends nothing.

Channel-layer messages handled (sent by services through broadcast.py):
  project group  {"type": "live.changed", "topics": [...], "episode": <number or None>}
                 {"type": "live.presence"}            someone arrived, moved, left or went stale
                 {"type": "ai.progress", ...}         an AI proposal streaming in (AI pages only;
                                                      rendered by scripts_app.ai.live)
  member group   {"type": "member.changed", "role": <new role, or None when removed>}
Any other type on these groups is ignored (the groups are shared; an unknown type must not end
the connection).

Close codes: 4401 not logged in, 4403 not a member (or removed), 4409 a client frame over 4 KB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from . import live_pages, presence
from .broadcast import member_group, project_group

log = logging.getLogger(__name__)

MAX_INCOMING_BYTES = 4096
# Changes arriving within this window are rendered and sent together (an import, a burst of saves).
COALESCE_SECONDS = 0.05


class LiveConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.project_id: int | None = None
        self.role: str | None = None
        self._groups: list[str] = []
        self._pending: set[str] = set()
        self._flush_task: asyncio.Task | None = None
        self._heartbeat_task: asyncio.Task | None = None
        self._send_lock = asyncio.Lock()
        self._store: presence.PresenceStore | None = None
        self._entry: dict = {}
        self._left = False

        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(4401)
            return
        self.user = user
        headers = dict(self.scope.get("headers") or [])
        self.cookies = dict(self.scope.get("cookies") or {})
        self.accept_language = headers.get(b"accept-language", b"")[:200].decode("latin-1")
        query = parse_qs(self.scope.get("query_string", b"")[:512].decode("latin-1"))
        where = live_pages.parse_where((query.get("where") or [""])[0])
        # presence=0: a second connection of a page that already has one (the episode page's AI
        # panel); it takes the page's updates but neither counts as a visit nor draws the presence bar.
        self.shows_presence = (query.get("presence") or ["1"])[0] != "0"
        slug = self.scope["url_route"]["kwargs"]["slug"]

        page = await database_sync_to_async(live_pages.open_page)(slug=slug, user=user, where=where)
        if page is None:
            await self._refuse(4403)
            return
        self.project_id, self.role, self.where = page.project_id, page.role, page.where
        await self.accept()
        self._groups = [project_group(self.project_id), member_group(self.project_id, user.pk)]
        for group in self._groups:
            await self.channel_layer.group_add(group, self.channel_name)

        self._entry = {"user": user.pk, "name": presence.display_name(user), "place": page.place}
        if self.shows_presence:
            try:
                self._store = presence.PresenceStore()
                self._entry["since"] = await self._store.now()
                await self._store.beat(
                    project_id=self.project_id, channel=self.channel_name, entry=self._entry
                )
                await self._presence_changed()
            except Exception:  # presence is a courtesy: the page still updates without it
                log.exception("presence unavailable for series %s", self.project_id)
        self._heartbeat_task = asyncio.create_task(self._heartbeat())
        # The page may have been rendered a moment before a change; bring it up to date at once.
        self._schedule(live_pages.page_fragments(self.where) | {"presence"})

    async def _refuse(self, code: int) -> None:
        # Accept first, so the browser sees the code (a refused handshake is only "1006") and the
        # htmx ws extension, which retries 1006, does not keep knocking.
        await self.accept()
        await self.close(code=code)
        self._left = True

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(bytes_data) if bytes_data is not None else len((text_data or "").encode())
        if size > MAX_INCOMING_BYTES:
            await self.close(code=4409)
            await self._leave()
        # Anything else is ignored: the page has nothing to say over this socket.

    # Channel-layer messages

    async def dispatch(self, message: dict) -> None:
        if getattr(self, get_handler_name(message), None) is None:
            log.debug("live page ignores a %r message", message.get("type"))
            return
        await super().dispatch(message)

    async def live_changed(self, event: dict) -> None:
        episode = event.get("episode")
        names = live_pages.fragments_for(
            self.where, event.get("topics") or [], episode if isinstance(episode, int) else None
        )
        if names:
            self._schedule(names)

    async def live_presence(self, event: dict) -> None:
        self._schedule({"presence"})

    async def member_changed(self, event: dict) -> None:
        # The message says what happened; the database says what is true now (render re-reads the
        # membership, and a changed role brings the whole page, its notice and the top bar's role).
        self._schedule(live_pages.page_fragments(self.where) | {"who"})

    async def ai_progress(self, event: dict) -> None:
        where = self.where
        if self._left or where.kind not in live_pages.AI_PLACES:
            return
        if where.kind == "ai-episode" and event.get("episode") not in (None, where.n):
            return
        if where.kind == "ai-scene" and event.get("scene") != where.n:
            return  # the page lists that scene's proposals only
        from ..ai.live import render_progress  # the AI pages' own card

        async with self._send_lock:
            if self._left:
                return
            html = await database_sync_to_async(render_progress)(
                event=event, user=self.user, role=self.role, cookies=self.cookies,
                accept_language=self.accept_language,
            )  # fmt: skip
            if html:
                await self.send(text_data=html)

    # Sending

    def _schedule(self, names: set[str]) -> None:
        if self._left:
            return
        self._pending |= names
        if self._flush_task is None:
            self._flush_task = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        try:
            await asyncio.sleep(COALESCE_SECONDS)
            names, self._pending, self._flush_task = self._pending, set(), None
            await self._send_fragments(names)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("live page update failed (series %s, %s)", self.project_id, self.where)

    async def _send_fragments(self, names: set[str]) -> None:
        # One render and send at a time, in order: a later render never overtakes an earlier one.
        async with self._send_lock:
            if self._left:
                return
            html = ""
            if "presence" in names and self.shows_presence:
                html += await self._presence_html()
            page_names = names - {"presence"}
            if page_names:
                rendered = await database_sync_to_async(live_pages.render)(
                    project_id=self.project_id, user=self.user, where=self.where, names=page_names,
                    previous_role=self.role, cookies=self.cookies, accept_language=self.accept_language,
                )  # fmt: skip
                if rendered.role is None:
                    await self._removed()
                    return
                self.role = rendered.role
                html += rendered.html
            if html:
                await self.send(text_data=html)

    async def _presence_html(self) -> str:
        entries = []
        if self._store is not None:
            try:
                entries = await self._store.entries(project_id=self.project_id)
            except Exception:
                log.exception("presence unavailable for series %s", self.project_id)
        return await database_sync_to_async(live_pages.render_presence)(
            entries=entries,
            exclude_user=self.user.pk,
            cookies=self.cookies,
            accept_language=self.accept_language,
        )

    async def _removed(self) -> None:
        notice = await database_sync_to_async(live_pages.render_notice)(
            kind="removed", cookies=self.cookies, accept_language=self.accept_language
        )
        await self.send(text_data=notice)
        await self.close(code=4403)
        await self._leave()

    # Presence

    async def _presence_changed(self) -> None:
        await self.channel_layer.group_send(project_group(self.project_id), {"type": "live.presence"})

    async def _heartbeat(self) -> None:
        while not self._left:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            if self._store is None or self._left:
                continue
            try:
                # Back after being pruned (this process stalled): others must see us again.
                came_back = await self._store.beat(
                    project_id=self.project_id, channel=self.channel_name, entry=self._entry
                )
                gone = await self._store.prune(project_id=self.project_id)
                if came_back or gone:
                    await self._presence_changed()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("presence heartbeat failed for series %s", self.project_id)

    async def _leave(self) -> None:
        """Stop everything this connection started; safe to call more than once."""
        if self._left:
            return
        self._left = True
        current = asyncio.current_task()
        for task in (self._heartbeat_task, self._flush_task):
            if task is not None and task is not current:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for group in self._groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self._store is not None:
            try:
                if await self._store.leave(project_id=self.project_id, channel=self.channel_name):
                    await self._presence_changed()
            except Exception:
                log.exception("presence unavailable for series %s", self.project_id)
            with contextlib.suppress(Exception):
                await self._store.close()
