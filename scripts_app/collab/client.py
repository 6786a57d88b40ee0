"""A Python client of the episode document's websocket (pycrdt + websockets), for scripts, the
convergence tests and bench/collab.py. It speaks the same protocol as the browser's provider:
sync on connect, send each local edit as an update, count unacknowledged edits, resync on reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import pycrdt
import websockets

from . import protocol

TEXT = "script"


class DocClient:
    def __init__(self, url: str, *, cookie: str = "", origin: str = "http://127.0.0.1", name: str = ""):
        self.url, self.cookie, self.origin, self.name = url, cookie, origin, name
        self.doc = pycrdt.Doc()
        self.text = self.doc.get(TEXT, type=pycrdt.Text)
        self.ws = None
        self.synced = asyncio.Event()
        self.unacked = 0  # update frames sent, not yet acknowledged
        self.offline_edits = 0  # edits made while disconnected (sent in the next step 2)
        self.notices: list[dict] = []
        self.close_code: int | None = None
        self.awareness: dict[int, str] = {}
        self.on_remote_update = None  # callback(update bytes, receive time)
        self._reader: asyncio.Task | None = None
        self._acks: list[int] = []  # edits carried by each unacknowledged frame, oldest first

    @property
    def unsynced(self) -> int:
        return self.unacked + self.offline_edits

    def value(self) -> str:
        return str(self.text)

    async def connect(self, timeout: float = 10.0) -> None:
        self.synced = asyncio.Event()
        headers = {"Origin": self.origin}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.ws = await websockets.connect(
            self.url, additional_headers=headers, max_size=None, open_timeout=timeout
        )
        self.close_code = None
        await self.ws.send(protocol.step1_message(self.doc.get_state()))
        self._reader = asyncio.create_task(self._read())

    async def wait_synced(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.synced.wait(), timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(BaseException):
                await self._reader

    @property
    def connected(self) -> bool:
        return (
            self.ws is not None
            and self.close_code is None
            and self._reader is not None
            and not self._reader.done()
        )

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                self._handle(frame if isinstance(frame, bytes) else frame.encode())
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code if self.ws.close_code is not None else 1006
            # Frames in flight are not known to be stored: they are resent in the next step 2.
            self.offline_edits += self.unacked
            self.unacked = 0
            self._acks = []

    def _handle(self, frame: bytes) -> None:
        now = time.perf_counter()
        kind = frame[0]
        if kind == protocol.SYNC:
            sub = frame[1]
            payload = pycrdt.Decoder(frame[2:]).read_message()
            if sub == protocol.STEP1:
                reply = self.doc.get_update(payload)
                asyncio.create_task(self._send_step2(reply))
            else:
                self.doc.apply_update(payload)
                if sub == protocol.STEP2:
                    self.synced.set()
                if self.on_remote_update is not None:
                    self.on_remote_update(payload, now)
        elif kind == protocol.AWARENESS:
            payload = pycrdt.Decoder(frame[1:]).read_message()
            for cid, _clock, state in protocol.decode_awareness(payload):
                self.awareness[cid] = state
        elif kind == protocol.ACK:
            self._ack(pycrdt.Decoder(frame[1:]).read_var_uint())
        elif kind == protocol.NOTICE:
            payload = pycrdt.Decoder(frame[1:]).read_message()
            self.notices.append(json.loads(payload.decode()))

    def _ack(self, n: int) -> None:
        for _ in range(n):
            if self._acks:
                self.unacked -= self._acks.pop(0)

    async def _send_step2(self, update: bytes) -> None:
        # Our step 2 carries everything the server lacks: the edits made offline among them.
        edits, self.offline_edits = self.offline_edits, 0
        if update == b"\x00\x00" and not edits:
            return
        self._acks.append(edits)
        self.unacked += edits
        await self._send(protocol.step2_message(update), edits)

    async def _send(self, frame: bytes, edits: int) -> None:
        try:
            await self.ws.send(frame)
        except websockets.ConnectionClosed:
            pass

    async def edit(self, fn) -> None:
        """Make a local edit (fn gets the Text) and send it, or keep it for the next sync if offline."""
        before = self.doc.get_state()
        fn(self.text)
        update = self.doc.get_update(before)
        if not self.connected:
            self.offline_edits += 1
            return
        self._acks.append(1)
        self.unacked += 1
        await self._send(protocol.update_message(update), 1)

    async def insert(self, index: int, value: str) -> None:
        """Insert at a character index (converted to the document's UTF-8 offsets)."""

        def fn(text: pycrdt.Text) -> None:
            current = str(text)
            i = max(0, min(index, len(current)))
            text.insert(len(current[:i].encode()), value)

        await self.edit(fn)

    async def delete(self, index: int, length: int) -> None:
        def fn(text: pycrdt.Text) -> None:
            current = str(text)
            i = max(0, min(index, len(current)))
            j = max(i, min(i + length, len(current)))
            start = len(current[:i].encode())
            end = start + len(current[i:j].encode())
            if end > start:
                del text[start:end]

        await self.edit(fn)

    async def set_awareness(self, state: dict, client_clock: int = 1) -> None:
        payload = protocol.encode_awareness([(self.doc.client_id, client_clock, json.dumps(state))])
        await self._send(protocol.awareness_message(payload), 0)
