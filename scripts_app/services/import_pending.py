"""An upload waiting for the user to confirm a conversion (a Chinese script into a Fountain series).

The browser cannot send a chosen file twice, so the bytes wait in Redis for an hour under a random
token that only the member who uploaded them, in that series, can redeem; redeeming deletes them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import redis
from django.conf import settings

from ..models import Project

TTL_SECONDS = 3600


@dataclass(frozen=True)
class PendingImport:
    data: bytes
    filename: str
    fmt: str
    source_format: str


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(project: Project, user, token: str) -> str:
    return f"wr:import-pending:{project.pk}:{user.pk}:{token}"


def stash(*, project: Project, user, data: bytes, filename: str, fmt: str, source_format: str) -> str:
    token = secrets.token_urlsafe(18)
    key = _key(project, user, token)
    with _client() as client:
        client.hset(
            key,
            mapping={"data": data, "filename": filename[:255], "fmt": fmt, "source": source_format},
        )
        client.expire(key, TTL_SECONDS)
    return token


def take(*, project: Project, user, token: str) -> PendingImport | None:
    """The upload behind `token` (and it is gone from Redis), or None if it expired or is not theirs."""
    if not token or len(token) > 64:
        return None
    key = _key(project, user, token)
    with _client() as client, client.pipeline(transaction=True) as pipe:
        pipe.hgetall(key)
        pipe.delete(key)
        stored, _deleted = pipe.execute()
    if not stored or b"data" not in stored:
        return None
    return PendingImport(
        data=stored[b"data"],
        filename=stored.get(b"filename", b"").decode("utf-8", "replace"),
        fmt=stored.get(b"fmt", b"auto").decode(),
        source_format=stored.get(b"source", b"").decode(),
    )


def discard(*, project: Project, user, token: str) -> None:
    if token and len(token) <= 64:
        with _client() as client:
            client.delete(_key(project, user, token))


def source_format(*, data: bytes, filename: str, fmt: str) -> str:
    """The script format a file will be read as ("zh" or "fountain"), checked before anyone is asked.

    A file the request will import is parsed here, exactly as the import will parse it, so a damaged
    FDX or DOCX (or one holding no script) is refused with its reason before "Convert this file?" is
    asked. A file big enough for the worker is only opened and detected: an FDX is read as XML, a DOCX's
    first paragraphs streamed out of it, text decoded. A file that cannot be read raises ImportFailed
    with the import's reason."""
    from ..formats import detect
    from . import import_report
    from .imports import ImportFailed, read_document, runs_in_worker

    if len(data) > settings.SCRIPT_UPLOAD_MAX_BYTES:
        return ""  # the import says why it is refused
    if not runs_in_worker(data=data):
        _doc, read_as = read_document(data=data, filename=filename, fmt=fmt)
        return read_as
    name = filename.lower()
    try:
        if fmt == "fdx" or (fmt == "auto" and (name.endswith(".fdx") or b"<FinalDraft" in data[:2000])):
            from ..formats import fdx

            fdx.parse(data)
            return "fountain"  # Final Draft is a screenplay: it reads as Fountain
        if fmt in ("zh", "fountain"):
            return fmt
        if fmt == "docx" or (fmt == "auto" and (name.endswith(".docx") or data[:2] == b"PK")):
            from ..formats import docx

            # Its first pages tell the format; a big file is not read whole here (the worker does).
            text = docx.text_prefix(data)
            if text is None:
                text = docx.read_text(data)  # says why it cannot be read
        elif name.endswith((".fountain", ".spmd")):
            return "fountain"
        else:
            text = detect.decode_bytes(data)
        return detect.detect_format(text)
    except detect.ScriptFormatError as exc:
        raise ImportFailed(import_report.unreadable(exc)) from exc
