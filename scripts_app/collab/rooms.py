"""A room: one server process's authoritative copy of an episode document and its connections.

Each ASGI process keeps at most one Room per episode, shared by every websocket of that episode it
serves. A client's update is stored in the database first (store.append), then applied, relayed to
the other local connections and to the other processes (channel layer group `doc-<episode>`) and
acknowledged. Relayed messages carry the update's sequence number: a room that sees a gap, or finds
the database ahead of it, reads what it missed from the log, so a message dropped by the channel
layer (full channel, Redis restarting) costs a second of delay, never an edit.
The rows (Scene) follow the document a moment after typing stops, and at the last disconnect.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pycrdt
from channels.layers import get_channel_layer
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from . import documents, protocol, store

log = logging.getLogger(__name__)

PROCESS_ID = uuid.uuid4().hex
FLUSH_IDLE = 1.5  # seconds without a change before the rows follow the text
FLUSH_MAX = 5.0  # ... or this long after the first unsynced change, whatever the typing
TICK = 0.5
CHECK_DATABASE_EVERY = 1.0
REJOIN_EVERY = 20.0
COMPACT_CHECK_EVERY = 30.0

# Appends run one at a time in their own thread with a kept connection: they are the hot path.
# Loading, row syncs and compaction (slower) run in another, so they never delay an append.
_append_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collab-append")
_slow_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collab-slow")
# The scene-limit check near the limit: its own thread, so it never queues behind a compaction.
_limit_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collab-limit")


def _db_call(fn: Callable, *args, **kwargs) -> Any:
    try:
        return fn(*args, **kwargs)
    except (OperationalError, InterfaceError):
        # The database restarted under a kept connection: reconnect once.
        connection.close()
        return fn(*args, **kwargs)


async def _in(executor: ThreadPoolExecutor, fn: Callable, *args, **kwargs) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(_db_call, fn, *args, **kwargs))


class Client(Protocol):
    """What a room needs of a connection (the consumer)."""

    user_id: int | None
    user_info: dict

    def push(self, message: bytes) -> None: ...


class Room:
    def __init__(self, episode_id: int):
        self.episode_id = episode_id
        self.group = documents.doc_group(episode_id)
        self.document_id: int | None = None
        self.script_format = "zh"
        # The longest scene (characters, lines) at the last full check, and how many update bytes
        # arrived since: an update of n bytes adds at most n characters, so most keystrokes need no
        # check of the scene limit at all (see _within_limit).
        self.largest_scene = (0, 0)
        self.growth = 0
        self.doc, self.text = store.new_doc()
        self.seq_done = 0  # every update up to this one is applied
        self.seq_extra: set[int] = set()  # applied, above the gap
        self.clients: set[Client] = set()
        self.awareness: dict[int, tuple[int, str]] = {}  # client id -> (clock, state json)
        self.owners: dict[Client, set[int]] = {}  # connection -> its Yjs client ids
        self.edits: list[tuple[int | None, int]] = []  # (user, byte offset) since the last row sync
        self._editing_user: int | None = None
        self.first_dirty = 0.0
        self.last_change = 0.0
        self.channel = ""
        self.closing = False
        self.closed = asyncio.Event()
        self.ready = asyncio.Event()
        self.failed: BaseException | None = None
        self._tasks: list[asyncio.Task] = []
        self._pending: list[tuple[Client, bytes, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self._relays: set[asyncio.Task] = set()
        self._flush_lock = asyncio.Lock()  # a save waits for a row sync under way, then runs its own

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            self.document_id, state, seq, rows_behind, self.script_format = await _in(
                _slow_thread, _load_for_room, self.episode_id
            )
            self.doc.apply_update(state)
            self.largest_scene = documents.largest_scene(str(self.text), self.script_format)
            self.seq_done = seq
            self.text.observe(self._on_text_change)
            if rows_behind:
                # The last server to hold this room stopped before the rows caught up: catch them up now.
                self.first_dirty = self.last_change = time.monotonic() - FLUSH_MAX
            layer = get_channel_layer()
            # The default prefix, as every consumer's channel in this process has: channels_redis
            # receives all of a process's channels through one lock, and its holder reads only the
            # Redis list of its own channel's prefix. A room on a prefix of its own held that lock
            # while it waited for a document update, and the pages' messages (AI progress, live
            # fragments) sat in Redis until someone typed.
            self.channel = await layer.new_channel()
            await layer.group_add(self.group, self.channel)
            self._tasks = [asyncio.create_task(self._receive_loop()), asyncio.create_task(self._tick_loop())]
        except BaseException as exc:
            self.failed = exc
            raise
        finally:
            self.ready.set()

    async def stop(self) -> None:
        """The last connection left: sync the rows, fold the log, forget the document."""
        self.closing = True
        try:
            await self.flush()
            if self.document_id is not None:
                await _in(_slow_thread, _compact_if_needed, self.document_id)
        except Exception:
            log.exception("closing room of episode %s", self.episode_id)
        for task in self._tasks:
            task.cancel()
        try:
            if self.channel:
                await get_channel_layer().group_discard(self.group, self.channel)
        except Exception:
            log.warning("could not leave %s", self.group)
        self.closed.set()

    # ---- connections --------------------------------------------------------------------------

    def add(self, client: Client) -> None:
        self.clients.add(client)

    def state_vector(self) -> bytes:
        return self.doc.get_state()

    def diff_for(self, state: bytes) -> bytes:
        return self.doc.get_update(state)

    def awareness_snapshot(self) -> bytes | None:
        if not self.awareness:
            return None
        return protocol.encode_awareness(
            [(cid, clock, state) for cid, (clock, state) in self.awareness.items()]
        )

    async def remove(self, client: Client) -> None:
        self.clients.discard(client)
        gone = self.owners.pop(client, set())
        # A writer who reconnected owns their Yjs client id again on the new connection: the old
        # socket closing late must not wipe their cursor.
        gone -= {cid for ids in self.owners.values() for cid in ids}
        if gone:
            entries = []
            for cid in gone:
                clock = self.awareness.pop(cid, (0, ""))[0]
                entries.append((cid, clock + 1, "null"))
            payload = protocol.encode_awareness(entries)
            self._fan_out(protocol.awareness_message(payload), skip=None)
            await self._relay({"type": "doc.awareness", "payload": payload, "origin": PROCESS_ID})

    # ---- edits --------------------------------------------------------------------------------

    async def client_update(self, client: Client, update: bytes) -> None:
        """Store, apply, relay. Raises protocol.BadMessage for an update that cannot be read.

        Updates that arrive while a write is under way are stored together in the next one, so a
        busy room costs one transaction per batch, not per keystroke."""
        if update == b"\x00\x00":
            return  # an empty update: nothing to store
        try:
            pycrdt.get_state(update)  # reads the whole update: junk is refused before it is stored
        except Exception as exc:
            raise protocol.BadMessage("unreadable update") from exc
        done = asyncio.get_running_loop().create_future()
        self._pending.append((client, update, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        await done

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            items = [(update, client.user_id) for client, update, _done in batch]
            try:
                seqs = await _in(_append_thread, store.append_many, document_id=self.document_id, items=items)
            except Exception as exc:
                for _client, _update, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            relayed, refused = [], []
            for (client, update, done), seq in zip(batch, seqs, strict=True):
                before = self._text_if_limit_at_risk(len(update))
                self._apply(seq, update, client.user_id)
                self._fan_out(protocol.update_message(update), skip=client)
                relayed.append((seq, update, client.user_id))
                if not done.done():
                    done.set_result(seq)
                if before is not None and (message := await self._check_limit()) is not None:
                    refused.append((client, before, message))
            for client, before, message in refused:
                relayed.extend(await self._take_back(client, before, message))
            # Other processes hear of it in the background: stored already, so nothing waits on Redis.
            message = {"type": "doc.updates", "items": relayed, "origin": PROCESS_ID}
            self._background(self._relay(message))

    # ---- the scene limit ----------------------------------------------------------------------

    def _text_if_limit_at_risk(self, size: int) -> str | None:
        """The text before an update that might push a scene over the limit (None: it cannot)."""
        from django.conf import settings

        self.growth += size
        chars, lines = self.largest_scene
        if (
            chars + self.growth <= settings.SCENE_TEXT_MAX_CHARS
            and lines + self.growth < settings.SCENE_TEXT_MAX_LINES
        ):
            return None
        return str(self.text)

    async def _check_limit(self) -> str | None:
        """After an at-risk update: the limit's message if a scene is now over it.

        Splitting a long episode into scenes takes tens of milliseconds near the limit, so it runs
        off the event loop (every room of this process would wait otherwise); the text is read here,
        on the loop, where the document is only ever touched."""
        text, growth = str(self.text), self.growth
        problem, largest = await _in(_limit_thread, _limit_verdict, text, self.script_format)
        if problem is not None:
            return problem
        self.largest_scene = largest
        self.growth = max(0, self.growth - growth)  # what arrived meanwhile is still unchecked
        return None

    def _count_relayed(self, update: bytes) -> None:
        """An update another server process stored grows the text too: it counts toward the next
        check, so two processes can't each let a scene's worth in."""
        self.growth += len(update)

    async def _take_back(self, client: Client, before: str, message: str) -> list[tuple]:
        """Undo an update that made a scene too long, for everyone, with a message to its writer.

        The update is already stored and may be the base of the writer's next keystrokes, so it is
        not dropped: a server edit restores the text as it was, like a colleague deleting the paste.
        The writer's clipboard still holds what they pasted."""
        update = documents.take_back(self.doc, str(self.text), before)
        items = [(update, None)]
        (seq,) = await _in(_append_thread, store.append_many, document_id=self.document_id, items=items)
        self._apply(seq, update, None)
        self._fan_out(protocol.update_message(update), skip=None)
        self.largest_scene = documents.largest_scene(str(self.text), self.script_format)
        self.growth = 0
        client.push(protocol.notice_message("too_long", message))
        return [(seq, update, None)]

    def _background(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._relays.add(task)
        task.add_done_callback(self._relays.discard)

    def client_awareness(self, client: Client, payload: bytes) -> bytes:
        """Record a connection's awareness states (their user field set by the server) and relay them."""
        entries = []
        for cid, clock, state in protocol.decode_awareness(payload):
            if state != "null":
                try:
                    parsed = json.loads(state)
                except ValueError:
                    parsed = {}
                if not isinstance(parsed, dict):
                    parsed = {}
                parsed["user"] = client.user_info  # nobody can appear under another's name
                state = json.dumps(parsed, ensure_ascii=False)
                self.awareness[cid] = (clock, state)
                self.owners.setdefault(client, set()).add(cid)
            else:
                self.awareness.pop(cid, None)
                self.owners.get(client, set()).discard(cid)
            entries.append((cid, clock, state))
        clean = protocol.encode_awareness(entries)
        self._fan_out(protocol.awareness_message(clean), skip=client)
        return clean

    def relay_awareness(self, payload: bytes) -> None:
        self._background(self._relay({"type": "doc.awareness", "payload": payload, "origin": PROCESS_ID}))

    def _apply(self, seq: int, update: bytes, user_id: int | None) -> bool:
        if seq <= self.seq_done or seq in self.seq_extra:
            return False
        self._editing_user = user_id
        try:
            self.doc.apply_update(update)
        finally:
            self._editing_user = None
        if seq == self.seq_done + 1:
            self.seq_done = seq
            while self.seq_done + 1 in self.seq_extra:
                self.seq_extra.discard(self.seq_done + 1)
                self.seq_done += 1
        else:
            self.seq_extra.add(seq)
        return True

    def _on_text_change(self, event) -> None:
        now = time.monotonic()
        if not self.first_dirty:
            self.first_dirty = now
        self.last_change = now
        delta = event.delta or []
        offset = delta[0].get("retain", 0) if delta and "retain" in delta[0] else 0
        self.edits.append((self._editing_user, offset))

    def _fan_out(self, message: bytes, *, skip: Client | None) -> None:
        for client in list(self.clients):
            if client is not skip:
                client.push(message)

    async def _relay(self, message: dict) -> None:
        try:
            await get_channel_layer().group_send(self.group, message)
        except Exception:
            # Redis away: the other processes find the update in the database within a second.
            log.warning("relay to %s failed", self.group, exc_info=True)

    # ---- background ---------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("room %s: channel layer receive failed", self.episode_id, exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if message.get("origin") == PROCESS_ID:
                continue
            if message["type"] == "doc.update":
                if self._apply(message["seq"], message["update"], message.get("user")):
                    self._count_relayed(message["update"])
                    self._fan_out(protocol.update_message(message["update"]), skip=None)
            elif message["type"] == "doc.updates":
                for seq, update, user_id in message["items"]:
                    if self._apply(seq, update, user_id):
                        self._count_relayed(update)
                        self._fan_out(protocol.update_message(update), skip=None)
            elif message["type"] == "doc.awareness":
                for cid, clock, state in protocol.decode_awareness(message["payload"]):
                    if state == "null":
                        self.awareness.pop(cid, None)
                    else:
                        self.awareness[cid] = (clock, state)
                self._fan_out(protocol.awareness_message(message["payload"]), skip=None)

    async def _tick_loop(self) -> None:
        last_check = last_join = last_compact = time.monotonic()
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            try:
                if self.first_dirty and (
                    now - self.last_change >= FLUSH_IDLE or now - self.first_dirty >= FLUSH_MAX
                ):
                    await self.flush()
                if now - last_check >= CHECK_DATABASE_EVERY:
                    last_check = now
                    await self.catch_up()
                if now - last_compact >= COMPACT_CHECK_EVERY:
                    last_compact = now
                    await _in(_slow_thread, _compact_if_needed, self.document_id)
                if now - last_join >= REJOIN_EVERY:
                    last_join = now
                    # Group membership lives in Redis: after a Redis restart it must be made again.
                    await get_channel_layer().group_add(self.group, self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("room %s: background step failed", self.episode_id, exc_info=True)

    async def catch_up(self) -> int:
        """Apply whatever the database has that this room has not seen; returns how many updates."""
        last = await _in(_append_thread, store.last_seq, document_id=self.document_id)
        if last <= self.seq_done:
            return 0
        snapshot, missing = await _in(
            _slow_thread, store.since, document_id=self.document_id, seq=self.seq_done
        )
        applied = []
        if snapshot is not None:
            # The log was folded past our last update: the snapshot holds everything up to its seq.
            snapshot_seq, data = snapshot
            self.doc.apply_update(data)
            applied.append(data)
            self.seq_done = max(self.seq_done, snapshot_seq)
            self.seq_extra = {s for s in self.seq_extra if s > self.seq_done}
        for seq, data, user_id in missing:
            if self._apply(seq, data, user_id):
                applied.append(data)
        if applied:
            for data in applied:
                self._count_relayed(data)
            self._fan_out(protocol.update_message(pycrdt.merge_updates(*applied)), skip=None)
        return len(applied)

    async def flush(self) -> None:
        async with self._flush_lock:
            if not self.first_dirty or self.document_id is None:
                return
            text = str(self.text)
            encoded = text.encode()
            edits = [(uid, len(encoded[:off].decode("utf-8", "ignore"))) for uid, off in self.edits]
            self.edits = []
            self.first_dirty = 0.0
            await _in(_slow_thread, _sync_rows, self.episode_id, text, self.seq_done, edits)

    async def save(self) -> None:
        """Write the rows now (Ctrl+S, leaving the page): whatever is stored must be in them."""
        await self.catch_up()  # edits another process stored count too
        await self.flush()


def _load_for_room(episode_id: int) -> tuple[int, bytes, int, bool, str]:
    from ..models import Episode

    close_old_connections()
    episode = Episode.objects.select_related("project").get(pk=episode_id)
    document = store.get_or_create(episode=episode)
    loaded = store.load(document=document)
    behind = loaded.document.rows_seq < loaded.seq
    return document.pk, loaded.doc.get_update(), loaded.seq, behind, episode.project.script_format


def _sync_rows(episode_id: int, text: str, seq: int, edits: list) -> None:
    documents.sync_rows(episode_id=episode_id, text=text, seq=seq, edits=edits)


def _compact_if_needed(document_id: int) -> None:
    if store.needs_compaction(document_id=document_id):
        store.compact(document_id=document_id)


# ---- the process's rooms ------------------------------------------------------------------------

_rooms: dict[int, Room] = {}


async def join(episode_id: int, client: Client) -> Room:
    """The process's room for this episode (started if needed), with `client` in it."""
    while True:
        room = _rooms.get(episode_id)
        if room is None:
            room = Room(episode_id)
            _rooms[episode_id] = room
            try:
                await room.start()
            except BaseException:
                _rooms.pop(episode_id, None)
                raise
        else:
            await room.ready.wait()
            if room.failed is not None:
                raise room.failed
        if room.closing:
            await room.closed.wait()
            continue
        room.add(client)
        return room


async def leave(room: Room, client: Client) -> None:
    await room.remove(client)
    if not room.clients and not room.closing:
        if _rooms.get(room.episode_id) is room:
            del _rooms[room.episode_id]
        await room.stop()


def _limit_verdict(text: str, fmt: str) -> tuple[str | None, tuple[int, int]]:
    """(the limit's message if a scene of `text` is over it, else None; the largest scene's size)."""
    problem = documents.scene_limit_problem(text, fmt)
    return problem, (0, 0) if problem is not None else documents.largest_scene(text, fmt)
