"""The scene limit holds for text typed or pasted into the live editor, as for every other door.

A paste that makes a scene too long is stored (later keystrokes may build on it) and then taken back by
the server for everyone, and its writer is told why; nothing else anyone typed is lost."""

from __future__ import annotations

import asyncio
import time

import pytest
from django.contrib.auth import get_user_model

from scripts_app.collab import store
from scripts_app.collab.client import DocClient
from scripts_app.models import EpisodeDocument, Membership, Role, Scene
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .live_asgi import AsgiServer, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 3000  # characters per scene in these tests (the server process gets it by environment)


@pytest.fixture
def server():
    s = AsgiServer(env={"SCENE_TEXT_MAX_CHARS": str(LIMIT)}).start()
    yield s
    s.stop()


@pytest.fixture
def series():
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.org", "a-long-password")
    bob = users.create_user("bob", "bob@example.org", "a-long-password")
    project = create_project(user=alice, title="限长", slug="limit", script_format="zh")
    Membership.objects.create(project=project, user=bob, role=Role.WRITER)
    episode = create_episode(project=project, number=1)
    create_scene(episode=episode, user=alice, text="1-1 日 内 客厅\n△开场。\n")
    create_scene(episode=episode, user=alice, text="1-2 夜 外 街道\n△雨。\n")
    return episode, alice, bob


async def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def _stored_text(episode) -> str:
    return store.text_of(store.load(document=EpisodeDocument.objects.get(episode=episode)).doc)


def test_it_takes_back_a_paste_that_makes_a_scene_too_long(server, series) -> None:
    episode, alice, bob = series
    url = f"{server.ws_url}/ws/p/limit/e/1/doc/"
    novel = "△" + "很长的一段小说。" * 600 + "\n"  # 4,800 characters: over the limit

    async def run():
        writer = DocClient(url, cookie=session_cookie(bob))
        other = DocClient(url, cookie=session_cookie(alice))
        for c in (writer, other):
            await c.connect()
            await c.wait_synced()
        at = writer.value().index("△雨")
        await writer.insert(len(writer.value()), "△他走远。\n")  # an ordinary edit first
        await writer.insert(at, novel)
        await _wait(lambda: any(n["code"] == "too_long" for n in writer.notices))
        await _wait(lambda: "很长的一段小说" not in writer.value() and "很长的一段小说" not in other.value())
        await _wait(lambda: writer.unsynced == 0)
        await writer.insert(len(writer.value()), "△之后照常写。\n")
        await _wait(lambda: "之后照常写" in other.value())
        notice = next(n for n in writer.notices if n["code"] == "too_long")
        texts = writer.value(), other.value()
        for c in (writer, other):
            await c.close()
        return notice, texts

    notice, (mine, theirs) = asyncio.run(run())
    assert str(LIMIT) in notice["message"].replace(",", "")
    assert mine == theirs
    assert "他走远" in mine and "之后照常写" in mine
    stored = _stored_text(episode)
    assert stored == mine
    assert all(len(s.text) <= LIMIT for s in Scene.objects.filter(episode=episode))


def test_it_keeps_a_long_paste_that_fits(server, series) -> None:
    episode, _alice, bob = series
    url = f"{server.ws_url}/ws/p/limit/e/1/doc/"
    passage = "△" + "一段能放下的戏。" * 300 + "\n"  # 2,400 characters: within the limit

    async def run():
        writer = DocClient(url, cookie=session_cookie(bob))
        await writer.connect()
        await writer.wait_synced()
        await writer.insert(len(writer.value()), passage)
        await _wait(lambda: writer.unsynced == 0)
        await writer.close()
        return writer.notices

    notices = asyncio.run(run())
    assert not any(n["code"] == "too_long" for n in notices)
    assert passage.strip() in _stored_text(episode)


def test_a_new_heading_splits_the_text_so_both_halves_fit(server, series) -> None:
    """The limit is per scene: typing a heading into a long scene is fine when both parts fit."""
    episode, _alice, bob = series
    url = f"{server.ws_url}/ws/p/limit/e/1/doc/"
    half = "△" + "前半场的戏。" * 300 + "\n"  # 1,800 characters

    async def run():
        writer = DocClient(url, cookie=session_cookie(bob))
        await writer.connect()
        await writer.wait_synced()
        await writer.insert(len(writer.value()), half + "\n1-3 日 内 厨房\n" + half)
        await _wait(lambda: writer.unsynced == 0)
        await writer.close()
        return writer.notices

    notices = asyncio.run(run())
    assert not any(n["code"] == "too_long" for n in notices)
    assert "1-3 日 内 厨房" in _stored_text(episode)


def test_two_server_processes_cannot_each_let_half_a_scene_too_many_in(series) -> None:
    """Each process counts what the other relays: two pastes that fit alone but not together are
    caught by the process that receives the second, whichever it is."""
    episode, alice, bob = series
    first, second = (AsgiServer(env={"SCENE_TEXT_MAX_CHARS": str(LIMIT)}).start() for _ in range(2))
    try:
        # 1,601 characters, in ASCII so that the update's size in bytes is its length: two are too many.
        half = "△" + "fits alone. " * 133 + "\n"

        async def run():
            one = DocClient(f"{first.ws_url}/ws/p/limit/e/1/doc/", cookie=session_cookie(alice))
            two = DocClient(f"{second.ws_url}/ws/p/limit/e/1/doc/", cookie=session_cookie(bob))
            for c in (one, two):
                await c.connect()
                await c.wait_synced()
            await one.insert(len(one.value()), half)
            await _wait(lambda: one.unsynced == 0 and half.strip() in two.value())
            await two.insert(len(two.value()), half.replace("fits", "also"))
            await _wait(lambda: any(n["code"] == "too_long" for n in two.notices))
            await _wait(lambda: "also" not in one.value() and "also" not in two.value())
            for c in (one, two):
                await c.close()
            return one.value()

        text = asyncio.run(run())
    finally:
        first.stop()
        second.stop()
    assert half.strip() in text
    assert "also" not in _stored_text(episode)
