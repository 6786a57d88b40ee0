"""Frames of the episode document's websocket (docs/collab-protocol.md): y-protocols sync and
awareness, plus ACK and NOTICE. Reading is defensive: a frame from a client is untrusted bytes."""

from __future__ import annotations

import json

from pycrdt import Decoder, YMessageType, YSyncMessageType, create_update_message, write_var_uint

SYNC = YMessageType.SYNC
AWARENESS = YMessageType.AWARENESS
ACK = 2
NOTICE = 3
SAVE = 4  # client -> server: varuint request id; "write the rows now", answered by NOTICE "saved"
STEP1, STEP2, UPDATE = YSyncMessageType.SYNC_STEP1, YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE


class BadMessage(ValueError):
    """A frame that does not follow the protocol."""


def _payload(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data


def step1_message(state: bytes) -> bytes:
    return bytes([SYNC, STEP1]) + _payload(state)


def step2_message(update: bytes) -> bytes:
    return bytes([SYNC, STEP2]) + _payload(update)


def update_message(update: bytes) -> bytes:
    return create_update_message(update)


def awareness_message(payload: bytes) -> bytes:
    return bytes([AWARENESS]) + _payload(payload)


def ack_message(count: int = 1) -> bytes:
    return bytes([ACK]) + write_var_uint(count)


def notice_message(code: str, message: str, **extra) -> bytes:
    body = json.dumps({"code": code, "message": message, **extra}, ensure_ascii=False).encode()
    return bytes([NOTICE]) + _payload(body)


def read(frame: bytes) -> tuple[int, int | None, bytes]:
    """(message type, sync sub-type or None, payload) of a client frame."""
    try:
        if not frame:
            raise BadMessage("empty frame")
        kind = frame[0]
        if kind == SYNC:
            if len(frame) < 3:
                raise BadMessage("short sync frame")
            sub = frame[1]
            if sub not in (STEP1, STEP2, UPDATE):
                raise BadMessage("unknown sync message")
            payload = Decoder(frame[2:]).read_message()
        elif kind == AWARENESS:
            sub = None
            payload = Decoder(frame[1:]).read_message()
        elif kind == SAVE:
            sub, payload = None, frame[1:]
            save_id(payload)  # an unreadable id is refused here
        else:
            raise BadMessage("unknown message type")
    except (IndexError, RuntimeError) as exc:
        raise BadMessage("truncated frame") from exc
    if payload is None:
        raise BadMessage("missing payload")
    return kind, sub, bytes(payload)


def save_id(payload: bytes) -> int:
    """The request id of a SAVE frame's payload."""
    try:
        request = Decoder(payload).read_var_uint()
    except (IndexError, RuntimeError) as exc:
        raise BadMessage("unreadable save request") from exc
    if request >= 2**32:
        raise BadMessage("save request id out of range")
    return request


def decode_awareness(payload: bytes) -> list[tuple[int, int, str]]:
    """[(client id, clock, state JSON)] of an awareness update."""
    try:
        decoder = Decoder(payload)
        count = decoder.read_var_uint()
        if count > 1000:
            raise BadMessage("too many awareness states")
        out = []
        for _ in range(count):
            client_id = decoder.read_var_uint()
            clock = decoder.read_var_uint()
            state = decoder.read_var_string()
            out.append((client_id, clock, state))
        return out
    except (IndexError, RuntimeError, UnicodeDecodeError) as exc:
        raise BadMessage("unreadable awareness update") from exc


def encode_awareness(entries: list[tuple[int, int, str]]) -> bytes:
    out = [write_var_uint(len(entries))]
    for client_id, clock, state in entries:
        data = state.encode()
        out += [write_var_uint(client_id), write_var_uint(clock), write_var_uint(len(data)), data]
    return b"".join(out)
