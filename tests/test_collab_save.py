"""The SAVE frame (Ctrl/Cmd+S, leaving the page): the server writes the Scene rows at once and says
so; a viewer's save writes nothing; an unreadable one is refused. Real websockets, daphne, Postgres."""

from __future__ import annotations

import asyncio

from scripts_app.collab import protocol
from scripts_app.models import Scene

from .live_asgi import session_cookie
from .test_collab_permissions import DocClient, _url, _wait, pytestmark, series, server  # noqa: F401


def _save_frame(request: int) -> bytes:
    return bytes([protocol.SAVE]) + protocol.write_var_uint(request)


def test_a_writers_save_writes_the_rows_now(server, series) -> None:  # noqa: F811
    _project, episode, people = series

    async def run() -> str:
        client = DocClient(_url(server), cookie=session_cookie(people["bob"]))
        await client.connect()
        await client.wait_synced()
        await client.insert(len(client.value()), "△马上保存。\n")
        await client.ws.send(_save_frame(7))  # right behind the update: no wait for its ACK
        await _wait(lambda: any(n["code"] == "saved" and n["id"] == 7 for n in client.notices))
        # The rows would follow 1.5 s after typing stops; the save's answer comes once they are written.
        text = await asyncio.to_thread(lambda: Scene.objects.get(episode=episode).text)
        await client.close()
        return text

    assert "马上保存" in asyncio.run(run())


def test_a_viewers_save_writes_nothing_and_junk_is_refused(server, series) -> None:  # noqa: F811
    _project, episode, people = series

    async def run() -> None:
        viewer = DocClient(_url(server), cookie=session_cookie(people["charlie"]))
        await viewer.connect()
        await viewer.wait_synced()
        await viewer.ws.send(_save_frame(1))
        await _wait(lambda: any(n["code"] == "saved" and n["id"] == 1 for n in viewer.notices))
        await viewer.ws.send(bytes([protocol.SAVE]))  # no request id
        await viewer.ws.send(bytes([protocol.SAVE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))  # id out of range
        await _wait(lambda: sum(n["code"] == "bad_message" for n in viewer.notices) == 2)
        await viewer.close()

    asyncio.run(run())
    assert Scene.objects.get(episode=episode).text == "1-1 日 内 客厅\n△开场。\n"
