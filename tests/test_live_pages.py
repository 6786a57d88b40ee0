"""The series' live pages over a real websocket (writersroom.asgi, Redis channel layer, Postgres):
who may connect, what each member's page receives after a change, and for which role."""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from scripts_app.collab import live_pages
from scripts_app.collab.live_pages import Where, fragments_for, parse_where
from scripts_app.models import Membership, Role
from scripts_app.services import bible, comments, episodes, projects
from writersroom.asgi import application

PASSWORD = "password-for-tests"

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A channel layer of the test's own. Each test runs on a new event loop, and the process-wide
    layer keeps per-loop state (a backlog cleaner's lock) that a finished test's loop can leave held."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def room(db):
    """A series with a showrunner (alice), a writer (bob), a viewer (charlie) and an outsider (mallory)."""
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.org", PASSWORD, first_name="Alice", last_name="Wang")
    bob = users.create_user("bob", "bob@example.org", PASSWORD, first_name="Bob")
    charlie = users.create_user("charlie", "charlie@example.org", PASSWORD)
    mallory = users.create_user("mallory", "mallory@example.org", PASSWORD)
    project = projects.create_project(user=alice, title="Demo", slug="demo", script_format="zh")
    Membership.objects.create(project=project, user=bob, role=Role.WRITER)
    Membership.objects.create(project=project, user=charlie, role=Role.VIEWER)
    episode = episodes.create_episode(project=project, number=1, title="开端")
    episodes.create_episode(project=project, number=2, title="反转")
    episodes.add_beat(episode=episode, user=alice, text="张明推门进来")
    return {"alice": alice, "bob": bob, "charlie": charlie, "mallory": mallory, "project": project}


# Connecting as a signed-in browser would: the session and CSRF cookies of a real login, and an
# Origin the AllowedHostsOriginValidator accepts.


def browser_cookies(user) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
        client.get(reverse("project_list"))  # sets the CSRF cookie, as any page does
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


async def open_live(user, where: str = "series", *, slug: str = "demo") -> WebsocketCommunicator:
    cookie = await sync_to_async(browser_cookies)(user)
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"accept-language", b"en")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, f"/ws/p/{slug}/live/?where={where}", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


@contextlib.asynccontextmanager
async def live(user, where: str = "series", *, slug: str = "demo"):
    """An open page. Leaving the block disconnects, as a browser would: a consumer, even one that
    closed the socket itself, runs until it hears the disconnect."""
    communicator = await open_live(user, where, slug=slug)
    try:
        yield communicator
    finally:
        with contextlib.suppress(Exception):
            await communicator.disconnect(timeout=5)


async def next_frame(communicator, *, timeout: float) -> dict | None:
    """The next output, or None after `timeout` seconds of silence. (receive_output's own timeout
    would cancel the application, which a test that goes on listening must not do.)"""
    if await communicator.receive_nothing(timeout=timeout, interval=0.01):
        return None
    return await communicator.receive_output()


async def receive_until(communicator, contains: str, *, timeout: float = 5.0) -> str:
    """The first text frame containing `contains`, skipping others (presence updates, the resync)."""
    deadline = time.monotonic() + timeout
    seen = []
    while (left := deadline - time.monotonic()) > 0:
        message = await next_frame(communicator, timeout=left)
        if message is None:
            break
        if message["type"] == "websocket.close":
            raise AssertionError(f"closed with {message.get('code')} while waiting for {contains!r}")
        seen.append(message.get("text", ""))
        if contains in seen[-1]:
            return seen[-1]
    raise AssertionError(f"no frame with {contains!r}; got {seen!r}")


async def settle(communicator, quiet: float = 0.3) -> None:
    """Drain what connecting sent (the page's fragments, presence) until the socket is quiet."""
    while (message := await next_frame(communicator, timeout=quiet)) is not None:
        assert message["type"] == "websocket.send", message


async def close_code(communicator, *, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message = await next_frame(communicator, timeout=left)
        if message is None:
            break
        if message["type"] == "websocket.close":
            return message.get("code")
    raise AssertionError("the socket stayed open")


def fragment(html: str, element_id: str) -> str:
    """The pushed element with that id (up to the next top-level pushed element)."""
    match = re.search(rf'<(\w+) [^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no #{element_id} in {html[:300]!r}"
    rest = html[match.start() :]
    following = re.search(r'<\w+ [^>]*hx-swap-oob="true"', rest[1:])
    return rest[: following.start() + 1] if following else rest


# Who may connect


async def test_it_turns_away_an_anonymous_visitor_with_4401(room) -> None:
    async with live(None, "board") as communicator:
        assert await close_code(communicator) == 4401


async def test_it_turns_away_an_outsider_with_4403(room) -> None:
    async with live(room["mallory"], "board") as communicator:
        assert await close_code(communicator) == 4403


async def test_it_turns_away_a_member_asking_for_a_series_that_does_not_exist(room) -> None:
    async with live(room["alice"], "board", slug="no-such-series") as communicator:
        assert await close_code(communicator) == 4403


async def test_it_closes_a_connection_that_sends_more_than_4kb_with_4409(room) -> None:
    async with live(room["bob"], "board") as communicator:
        await settle(communicator)
        await communicator.send_to(text_data="x" * 4097)
        assert await close_code(communicator) == 4409


async def test_it_ignores_small_messages_from_the_page(room) -> None:
    async with live(room["bob"], "board") as communicator:
        await settle(communicator)
        await communicator.send_to(text_data='{"HEADERS": {}}')
        assert await next_frame(communicator, timeout=0.3) is None


# What a page receives


async def test_a_viewer_receives_the_episode_page_without_edit_buttons(room) -> None:
    async with live(room["charlie"], "episode:1") as viewer, live(room["bob"], "episode:1") as writer:
        # On connecting, a page gets all its fragments at once: it may have missed a change.
        seen = await receive_until(viewer, 'id="beats"')
        beats = fragment(seen, "beats")
        assert 'hx-swap-oob="true"' in beats
        assert "张明推门进来" in beats
        assert "Move beat up" not in beats and "beat-form" not in beats and "sortable" not in beats
        assert "handle" not in fragment(seen, "scene-list")
        assert 'id="lock-episode"' not in fragment(seen, "episode-facts")

        writer_beats = fragment(await receive_until(writer, 'id="beats"'), "beats")
        assert "Move beat up" in writer_beats and "beat-form" in writer_beats


async def test_a_beat_added_by_a_writer_reaches_another_members_page(room) -> None:
    async with live(room["alice"], "episode:1") as alice_page:
        await settle(alice_page)

        def bob_adds_a_beat():
            client = Client()
            client.force_login(room["bob"])
            url = reverse("beat_add", args=["demo", 1])
            return client.post(url, {"text": "<b>张父摔杯</b>"}, headers={"HX-Request": "true"})

        response = await sync_to_async(bob_adds_a_beat)()
        assert response.status_code == 200
        beats = fragment(await receive_until(alice_page, "张父摔杯"), "beats")
        assert beats.startswith('<div id="beats" hx-swap-oob="true">')
        assert "&lt;b&gt;张父摔杯&lt;/b&gt;" in beats and "<b>张父摔杯" not in beats  # escaped
        assert "Move beat up" in beats  # alice is the showrunner


async def test_a_page_hears_a_change_while_an_episode_room_in_the_same_process_waits(room) -> None:
    """An open episode (its room waiting on the channel layer for document updates) must not hold up
    the messages to the process's pages: channels_redis receives every channel of a process through
    one lock, and a room on a channel prefix of its own kept it while nobody typed."""
    from scripts_app.collab import rooms

    class Quiet:
        user_id = None
        user_info: dict = {}

        def push(self, message: bytes) -> None:
            pass

    episode = await sync_to_async(lambda: room["project"].episodes.get(number=1))()
    quiet = Quiet()
    open_room = await rooms.join(episode.pk, quiet)
    try:
        async with live(room["alice"], "episode:1") as page:
            await settle(page)
            await sync_to_async(episodes.add_beat)(episode=episode, user=room["bob"], text="张父摔杯")
            await receive_until(page, "张父摔杯", timeout=3)
    finally:
        await rooms.leave(open_room, quiet)


async def test_a_change_to_another_episode_does_not_reach_this_episodes_page(room) -> None:
    async with live(room["bob"], "episode:1") as page:
        await settle(page)
        episode_2 = await sync_to_async(room["project"].episodes.get)(number=2)
        await sync_to_async(episodes.add_beat)(episode=episode_2, user=room["alice"], text="别处的节拍")
        assert await next_frame(page, timeout=0.5) is None


async def test_episode_fields_reach_the_board_and_the_episode_page(room) -> None:
    async with live(room["charlie"], "board") as board, live(room["bob"], "episode:1") as episode_page:
        await settle(board)
        await settle(episode_page)

        def alice_edits_episode_1():
            episode = room["project"].episodes.get(number=1)
            episodes.update_episode(episode=episode, title="订婚宴", hook="戒指掉进酒杯", is_paywall=True)

        await sync_to_async(alice_edits_episode_1)()
        rows = fragment(await receive_until(board, "订婚宴"), "board")
        assert "戒指掉进酒杯" in rows and 'class="badge paywall"' in rows
        facts = await receive_until(episode_page, 'id="episode-facts"')
        assert "戒指掉进酒杯" in fragment(facts, "episode-facts")
        assert "订婚宴" in fragment(facts, "episode-title")


async def test_a_comment_reaches_everyone_on_the_episode_page(room) -> None:
    async with live(room["charlie"], "episode:1") as page:
        await settle(page)
        episode = await sync_to_async(room["project"].episodes.get)(number=1)
        await sync_to_async(comments.add_comment)(episode=episode, user=room["bob"], body="这里节奏太慢")
        threads = fragment(await receive_until(page, "这里节奏太慢"), "comments")
        assert threads.startswith('<div id="comments" class="comments" hx-swap-oob="true">')


async def test_a_message_of_an_unknown_type_on_the_series_group_is_ignored(room) -> None:
    async with live(room["bob"], "episode:1") as page:
        await settle(page)
        group = f"project-{room['project'].pk}"
        await get_channel_layer().group_send(group, {"type": "something.new", "x": 1})
        await sync_to_async(episodes.add_beat)(
            episode=await sync_to_async(room["project"].episodes.get)(number=1), user=room["bob"], text="还在"
        )
        assert "还在" in await receive_until(page, 'id="beats"')


async def test_a_bible_change_reaches_the_board_for_a_viewer_without_add_links(room) -> None:
    async with live(room["charlie"], "board") as board:
        await settle(board)
        await sync_to_async(bible.save_character)(project=room["project"], name="林晚", age="24")
        lists = fragment(await receive_until(board, "林晚"), "bible")
        assert "+ Add" not in lists


async def test_the_members_page_shows_a_member_added_by_the_showrunner(room) -> None:
    async with live(room["bob"], "members") as page:
        await settle(page)
        await sync_to_async(projects.add_member)(project=room["project"], who="mallory", role=Role.VIEWER)
        members = fragment(await receive_until(page, "mallory"), "members")
        assert "<select" not in members  # bob is no showrunner: roles are read, not edited


async def test_a_pushed_form_carries_a_csrf_token_the_server_accepts(room) -> None:
    cookie = await sync_to_async(browser_cookies)(room["alice"])
    headers = [(b"origin", b"http://localhost"), (b"cookie", cookie.encode())]
    page = WebsocketCommunicator(application, "/ws/p/demo/live/?where=members", headers=headers)
    assert (await page.connect(timeout=5))[0]
    try:
        members = fragment(await receive_until(page, 'id="members"'), "members")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', members)[1]
        bob = await sync_to_async(Membership.objects.get)(user=room["bob"])

        def post_with_the_pushed_token():
            client = Client(enforce_csrf_checks=True)
            client.force_login(room["alice"])
            for part in cookie.split("; "):
                name, value = part.split("=", 1)
                if name == "csrftoken":
                    client.cookies[name] = value
            url = reverse("member_role", args=["demo", bob.pk])
            return client.post(url, {"role": Role.VIEWER, "csrfmiddlewaretoken": token})

        response = await sync_to_async(post_with_the_pushed_token)()
        assert response.status_code == 302
        await sync_to_async(bob.refresh_from_db)()
        assert bob.role == Role.VIEWER
    finally:
        await page.disconnect()


# Membership changes


async def test_a_demoted_writer_loses_the_edit_buttons_at_once(room) -> None:
    async with live(room["bob"], "episode:1") as page:
        await settle(page)
        bob = await sync_to_async(Membership.objects.get)(user=room["bob"])
        await sync_to_async(projects.set_member_role)(membership=bob, role=Role.VIEWER)
        seen = await receive_until(page, 'id="beats"')
        assert "Move beat up" not in fragment(seen, "beats")
        assert "Viewer" in fragment(seen, "who")
        assert "Your role on this series is now Viewer." in fragment(seen, "live-notice")


async def test_a_promoted_viewer_gets_the_edit_buttons(room) -> None:
    async with live(room["charlie"], "board") as page:
        await settle(page)
        charlie = await sync_to_async(Membership.objects.get)(user=room["charlie"])
        await sync_to_async(projects.set_member_role)(membership=charlie, role=Role.WRITER)
        actions = fragment(await receive_until(page, 'id="board-actions"'), "board-actions")
        assert "New episode" in actions


async def test_a_removed_member_is_told_and_disconnected_with_4403(room) -> None:
    async with live(room["bob"], "episode:1") as page:
        await settle(page)
        bob = await sync_to_async(Membership.objects.get)(user=room["bob"])
        await sync_to_async(projects.remove_member)(membership=bob)
        notice = await receive_until(page, 'id="live-notice"')
        assert "no longer a member" in notice
        assert await close_code(page) == 4403


# The rules, without a socket


def test_where_is_parsed_strictly() -> None:
    assert parse_where("episode:3") == Where("episode", 3)
    assert parse_where("board") == Where("board")
    assert parse_where("scene:12") == Where("scene", 12)
    for junk in ("", "episode", "episode:x", "board:1", "episode:0", "<script>", "a" * 50, None):
        assert parse_where(junk) == Where()


def test_a_page_is_sent_only_the_fragments_a_change_made_stale() -> None:
    episode_3 = Where("episode", 3)
    assert fragments_for(episode_3, ["beats"], 3) == {"beats"}
    assert fragments_for(episode_3, ["beats"], 4) == set()
    assert fragments_for(episode_3, ["scenes"], 3) == {"scenes", "episode-facts", "script-names"}
    assert fragments_for(episode_3, ["episode"], None) == {"episode-title", "episode-facts"}
    assert fragments_for(Where("board"), ["episode"], 7) == {"board"}
    assert fragments_for(Where("board"), ["beats"], 7) == set()
    assert fragments_for(Where("members"), ["members"], None) == {"members"}
    assert fragments_for(Where("bible"), ["bible", "board"], None) == set()
    assert fragments_for(episode_3, ["comments"], 3) == {"comments"}
    assert fragments_for(Where("ai-episode", 3), ["suggestions"], 3) == {"suggestions"}
    assert fragments_for(Where("ai-episode", 3), ["suggestions"], 4) == set()
    assert fragments_for(episode_3, ["suggestions", "unknown"], 3) == set()
    assert live_pages.page_fragments(Where("series")) == set()
