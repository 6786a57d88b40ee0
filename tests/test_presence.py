"""Presence: who else is on a series' pages and where, kept in Redis with a heartbeat."""

from __future__ import annotations

import json
import re

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from scripts_app.collab import presence
from scripts_app.collab.presence import contrast_with_white, people, presence_key, user_color

from .test_live_pages import (  # noqa: F401  (fixtures and marks)
    anyio_backend,
    fragment,
    fresh_channel_layer,
    live,
    next_frame,
    pytestmark,
    receive_until,
    room,
    settle,
)


@pytest.fixture
def store(room):  # noqa: F811
    """The series' presence hash in the tests' Redis, empty before and after."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = presence_key(room["project"].pk)
    client.delete(key)
    yield client
    client.delete(key)
    client.close()


def redis_now(client) -> float:
    seconds, micros = client.time()
    return seconds + micros / 1e6


def put_entry(client, project_id: int, channel: str, *, user, place: dict, seen: float) -> None:
    entry = {"user": user.pk, "name": user.get_username(), "place": place, "since": seen, "seen": seen}
    client.hset(presence_key(project_id), channel, json.dumps(entry))


def names_in(bar: str) -> list[str]:
    return re.findall(r'<span class="name">([^<]*)</span>', bar)


# The pure parts


def test_user_colors_are_stable_distinct_and_readable_on_white() -> None:
    colors = [user_color(i) for i in range(1, 301)]
    assert colors == [user_color(i) for i in range(1, 301)]
    for color in colors:
        assert re.fullmatch(r"#[0-9a-f]{6}", color)
        rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        assert contrast_with_white(rgb) >= 4.5
    assert all(a != b for a, b in zip(colors, colors[1:], strict=False))
    assert len(set(colors[:12])) == 12


def test_the_same_person_on_two_tabs_is_listed_once_with_the_latest_place_first() -> None:
    entries = [
        {"user": 2, "name": "Lin", "place": {"kind": "board"}, "since": 10.0, "seen": 30.0},
        {"user": 2, "name": "Lin", "place": {"kind": "episode", "n": 3}, "since": 20.0, "seen": 30.0},
        {"user": 3, "name": "Bob", "place": {"kind": "scene", "n": 2, "i": 4}, "since": 5.0, "seen": 30.0},
        {"user": 1, "name": "Me", "place": {"kind": "bible"}, "since": 1.0, "seen": 30.0},
    ]
    listed = people(entries, exclude_user=1)
    assert [(p.name, p.place) for p in listed] == [("Bob", "Episode 2 · scene 4"), ("Lin", "Episode 3")]
    assert listed[1].places == ["Episode 3", "Board"]
    assert listed[1].color == user_color(2)


# Over a real websocket and Redis


async def test_a_member_sees_who_else_is_here_and_where(room, store) -> None:  # noqa: F811
    async with live(room["alice"], "board") as alice_page:
        await settle(alice_page)
        async with live(room["bob"], "episode:1") as bob_page:
            bar = fragment(await receive_until(alice_page, ">Bob<"), "presence")
            assert names_in(bar) == ["Bob"]
            assert '<span class="place">Episode 1</span>' in bar
            assert f"--person: {user_color(room['bob'].pk)}" in bar

            bob_bar = fragment(await receive_until(bob_page, ">Alice Wang<"), "presence")
            assert names_in(bob_bar) == ["Alice Wang"]  # not bob himself
            assert '<span class="place">Board</span>' in bob_bar


async def test_presence_clears_as_soon_as_a_page_closes(room, store) -> None:  # noqa: F811
    async with live(room["alice"], "board") as alice_page:
        async with live(room["bob"], "members"):
            await receive_until(alice_page, ">Bob<")
        bar = fragment(await receive_until(alice_page, 'id="presence"'), "presence")
        assert names_in(bar) == []
        fields = await sync_to_async(store.hgetall)(presence_key(room["project"].pk))
        assert len(fields) == 1  # alice's own page only


async def test_a_person_with_two_tabs_is_shown_once(room, store) -> None:  # noqa: F811
    async with live(room["alice"], "board") as alice_page:
        await settle(alice_page)
        async with live(room["bob"], "board"):
            await receive_until(alice_page, ">Bob<")
            async with live(room["bob"], "episode:1"):
                bar = fragment(await receive_until(alice_page, "Episode 1"), "presence")
                assert names_in(bar) == ["Bob"]
                assert '<span class="place">Episode 1</span>' in bar  # the latest place
                assert 'title="Bob · Episode 1, Board"' in bar


async def test_an_old_heartbeat_is_never_shown(room, store) -> None:  # noqa: F811
    project_id = room["project"].pk
    old = redis_now(store) - 60
    put_entry(store, project_id, "gone-server!abc", user=room["charlie"], place={"kind": "bible"}, seen=old)
    async with live(room["alice"], "board") as alice_page:
        bar = fragment(await receive_until(alice_page, 'id="presence"'), "presence")
        assert "charlie" not in bar


async def test_a_page_whose_server_died_vanishes_after_its_heartbeats_stop(room, store, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.2)
    project_id = room["project"].pk
    now = redis_now(store)
    put_entry(store, project_id, "dead-server!abc", user=room["charlie"], place={"kind": "bible"}, seen=now)
    async with live(room["alice"], "board") as alice_page:
        bar = fragment(await receive_until(alice_page, ">charlie<"), "presence")
        assert '<span class="place">Bible</span>' in bar
        # charlie's server is killed: nobody refreshes the entry any more, nobody removes it.
        put_entry(
            store, project_id, "dead-server!abc", user=room["charlie"], place={"kind": "bible"}, seen=now - 13
        )
        await settle(alice_page, quiet=0.05)
        bar = fragment(await receive_until(alice_page, 'id="presence"'), "presence")
        assert names_in(bar) == []
        assert not await sync_to_async(store.hexists)(presence_key(project_id), "dead-server!abc")


async def test_the_heartbeat_keeps_an_open_page_listed(room, store, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.2)
    monkeypatch.setattr(presence, "STALE_SECONDS", 0.8)
    async with live(room["alice"], "board") as alice_page, live(room["bob"], "episode:1"):
        await receive_until(alice_page, ">Bob<")
        await settle(alice_page, quiet=2.0)  # well past STALE_SECONDS: nobody dropped out meanwhile
        entries = await sync_to_async(store.hgetall)(presence_key(room["project"].pk))
        seen = [json.loads(v)["seen"] for v in entries.values()]
        assert len(seen) == 2
        assert all(redis_now(store) - s < 0.8 for s in seen)


async def test_a_page_s_second_connection_is_not_a_second_visit(room, store) -> None:  # noqa: F811
    """The episode page's AI panel has its own live connection (presence=0): the writer is shown on
    the episode, not also on its AI page, and the panel draws no second presence bar."""
    async with live(room["alice"], "board") as alice_page:
        await settle(alice_page)
        async with live(room["bob"], "episode:1"):
            await receive_until(alice_page, ">Bob<")
            async with live(room["bob"], "ai-episode:1&presence=0") as panel:
                frames = []
                while (message := await next_frame(panel, timeout=0.5)) is not None:
                    frames.append(message.get("text", ""))
                assert frames  # the panel got its page's fragments...
                assert not any('id="presence"' in f for f in frames)  # ...but no presence bar
                fields = await sync_to_async(store.hgetall)(presence_key(room["project"].pk))
                assert len(fields) == 2  # alice's board and bob's episode page only
