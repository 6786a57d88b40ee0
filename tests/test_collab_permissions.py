"""Who may open and change an episode's shared script, checked on the server over real websockets."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets
from django.contrib.auth import get_user_model

from scripts_app.collab import protocol, store
from scripts_app.collab.client import DocClient
from scripts_app.models import EpisodeDocument, Membership, Role
from scripts_app.services import projects as project_services
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .live_asgi import AsgiServer, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    # One per test: stopped before the test database is emptied, so no room is still writing to it.
    s = AsgiServer().start()
    yield s
    s.stop()


@pytest.fixture
def series():
    users = get_user_model().objects
    people = {name: users.create_user(name, f"{name}@example.org", "a-long-password")
              for name in ("alice", "bob", "charlie", "mallory")}  # fmt: skip
    project = create_project(user=people["alice"], title="权限", slug="perm", script_format="zh")
    Membership.objects.create(project=project, user=people["bob"], role=Role.WRITER)
    Membership.objects.create(project=project, user=people["charlie"], role=Role.VIEWER)
    episode = create_episode(project=project, number=1)
    create_scene(episode=episode, user=people["alice"], text="1-1 日 内 客厅\n△开场。\n")
    return project, episode, people


def _url(server) -> str:
    return f"{server.ws_url}/ws/p/perm/e/1/doc/"


def _stored_text(episode) -> str:
    return store.text_of(store.load(document=EpisodeDocument.objects.get(episode=episode)).doc)


async def _close_code(url: str, cookie: str = "", origin: str = "http://127.0.0.1") -> int:
    headers = {"Origin": origin, **({"Cookie": cookie} if cookie else {})}
    async with websockets.connect(url, additional_headers=headers) as ws:
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed:
            return ws.close_code


async def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def test_it_refuses_anonymous_visitors(server, series) -> None:
    assert asyncio.run(_close_code(_url(server))) == 4401


def test_it_refuses_people_outside_the_series(server, series) -> None:
    _project, _episode, people = series
    assert asyncio.run(_close_code(_url(server), session_cookie(people["mallory"]))) == 4403


def test_it_refuses_a_foreign_origin(server, series) -> None:
    _project, _episode, people = series
    with pytest.raises(websockets.InvalidStatus):
        asyncio.run(_close_code(_url(server), session_cookie(people["bob"]), origin="http://evil.example"))


def test_it_says_when_the_episode_does_not_exist(server, series) -> None:
    _project, _episode, people = series
    url = f"{server.ws_url}/ws/p/perm/e/99/doc/"
    assert asyncio.run(_close_code(url, session_cookie(people["bob"]))) == 4404


def test_it_rejects_viewer_edits_but_shows_them_the_script(server, series) -> None:
    _project, episode, people = series

    async def run():
        viewer = DocClient(_url(server), cookie=session_cookie(people["charlie"]))
        await viewer.connect()
        await viewer.wait_synced()
        assert "开场" in viewer.value()
        await viewer.insert(0, "△观众偷改。\n")
        await _wait(lambda: any(n["code"] == "read_only" for n in viewer.notices[1:]))
        writer = DocClient(_url(server), cookie=session_cookie(people["bob"]))
        await writer.connect()
        await writer.wait_synced()
        await writer.insert(len(writer.value()), "△编剧加戏。\n")
        await _wait(lambda: "编剧加戏" in viewer.value())  # viewers receive edits live
        await _wait(lambda: writer.unsynced == 0)
        await viewer.close()
        await writer.close()
        return writer.value()

    writer_text = asyncio.run(run())
    stored = _stored_text(episode)
    assert "观众偷改" not in stored and "观众偷改" not in writer_text
    assert "编剧加戏" in stored


def test_a_demoted_writer_becomes_read_only_at_once(server, series) -> None:
    project, episode, people = series

    async def run():
        client = DocClient(_url(server), cookie=session_cookie(people["bob"]))
        await client.connect()
        await client.wait_synced()
        membership = Membership.objects.get(project=project, user=people["bob"])
        await asyncio.to_thread(project_services.set_member_role, membership=membership, role=Role.VIEWER)
        await _wait(lambda: any(n["code"] == "role_changed" for n in client.notices))
        await client.insert(0, "△降级后偷改。\n")
        await _wait(lambda: any(n["code"] == "read_only" for n in client.notices))
        await client.close()

    asyncio.run(run())
    assert "降级后偷改" not in _stored_text(episode)


def test_a_removed_member_is_disconnected(server, series) -> None:
    project, _episode, people = series

    async def run():
        client = DocClient(_url(server), cookie=session_cookie(people["bob"]))
        await client.connect()
        await client.wait_synced()
        membership = Membership.objects.get(project=project, user=people["bob"])
        await asyncio.to_thread(project_services.remove_member, membership=membership)
        await _wait(lambda: client.close_code is not None)
        return client.close_code, client.notices

    code, notices = asyncio.run(run())
    assert code == 4403
    assert any(n["code"] == "removed" for n in notices)


def test_it_refuses_frames_it_cannot_read_and_keeps_the_script(server, series) -> None:
    _project, episode, people = series

    async def run():
        headers = {"Origin": "http://127.0.0.1", "Cookie": session_cookie(people["bob"])}
        async with websockets.connect(_url(server), additional_headers=headers) as ws:
            await ws.send(protocol.update_message(b"\x07junk that is no yjs update"))
            await ws.send(b"\x09\x01\x02")
            notices = []
            while len(notices) < 2:
                frame = await asyncio.wait_for(ws.recv(), 5)
                if frame[0] == protocol.NOTICE:
                    notices.append(frame)
            return notices

    assert len(asyncio.run(run())) == 2
    assert "开场" in _stored_text(episode)


def test_it_closes_a_connection_that_sends_too_much(server, series) -> None:
    _project, _episode, people = series

    async def run():
        headers = {"Origin": "http://127.0.0.1", "Cookie": session_cookie(people["bob"])}
        async with websockets.connect(_url(server), additional_headers=headers, max_size=None) as ws:
            await ws.send(b"\x00\x02" + b"\x00" * (950 * 1024))
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            except websockets.ConnectionClosed:
                return ws.close_code

    assert asyncio.run(run()) == 4409
