"""The baseline of bench/collab.py: a bare pycrdt relay of the episode document's sync protocol.

    python bench/bare_relay.py --port 8765

One websockets server, one pycrdt Doc per path (room). On connect it sends SYNC step 1 (so clients
resend what it lacks, e.g. after a restart); it answers a client's step 1 with step 2; it applies a
client's step 2 or update to the room's doc and broadcasts it, as an update, to the room's other
connections; awareness frames are broadcast as they are. Nothing else: no auth, no storage, no ACK,
no channel layer, no rate limit. Per-message compression is off, as in daphne.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import pycrdt
from websockets.asyncio.server import ServerConnection, broadcast, serve

SYNC, AWARENESS = 0, 1
STEP1, STEP2, UPDATE = 0, 1, 2


def _frame(kind: int, sub: int | None, payload: bytes) -> bytes:
    head = bytes([kind]) if sub is None else bytes([kind, sub])
    return head + pycrdt.write_var_uint(len(payload)) + payload


class Room:
    def __init__(self) -> None:
        self.doc = pycrdt.Doc()
        self.doc.get("script", type=pycrdt.Text)
        self.connections: set[ServerConnection] = set()


rooms: dict[str, Room] = {}


async def handler(ws: ServerConnection) -> None:
    room = rooms.setdefault(ws.request.path, Room())
    room.connections.add(ws)
    try:
        await ws.send(_frame(SYNC, STEP1, room.doc.get_state()))
        async for frame in ws:
            if isinstance(frame, str) or len(frame) < 2:
                continue
            if frame[0] == AWARENESS:
                broadcast(room.connections - {ws}, frame)
                continue
            if frame[0] != SYNC:
                continue
            payload = pycrdt.Decoder(frame[2:]).read_message()
            if frame[1] == STEP1:
                await ws.send(_frame(SYNC, STEP2, room.doc.get_update(payload)))
            elif payload != b"\x00\x00":
                room.doc.apply_update(payload)
                broadcast(room.connections - {ws}, _frame(SYNC, UPDATE, payload))
    finally:
        room.connections.discard(ws)


async def main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(handler, host, port, compression=None, max_size=None):
        print(f"bare relay listening on {host}:{port}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port))
