"""End to end: a rewrite asked for in the browser runs in a real Celery worker (Redis broker), streams
from the OpenAI-wire server through the Redis channel layer to a member's live page over a websocket,
and is accepted into the script."""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from asgiref.sync import sync_to_async
from celery.contrib.testing.worker import start_worker
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from scripts_app.models import Scene, Suggestion
from writersroom.asgi import application
from writersroom.celery import app

from .ai_room import SCENE, make_room
from .fake_openai import Reply, fake_llm_fixture  # noqa: F401

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

ANSWER = "林晚：（冷冷地）你终于敢来了。我等这一天，等了一辈子。"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # Each test runs on a new event loop; the process-wide layer keeps per-loop state.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def worker():
    # A real worker consuming from Redis, in a thread of this process so it shares the test database.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def browser(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    client.get(reverse("project_list"))  # the CSRF cookie, as any page sets it
    return client, "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


@contextlib.asynccontextmanager
async def live_page(cookie: str, path: str):
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", cookie.encode())]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    assert (await communicator.connect(timeout=5))[0]
    try:
        yield communicator
    finally:
        with contextlib.suppress(Exception):
            await communicator.disconnect(timeout=5)


async def frames_until(communicator, marker: str, *, timeout: float = 30.0) -> list[str]:
    frames = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if await communicator.receive_nothing(timeout=min(left, 0.5), interval=0.01):
            continue
        message = await communicator.receive_output()
        assert message["type"] == "websocket.send", message
        frames.append(message.get("text", ""))
        if marker in frames[-1]:
            return frames
    raise AssertionError(f"no frame with {marker!r} in {len(frames)} frames")


def streamed_texts(frames: list[str], suggestion_id: int) -> list[str]:
    card = re.compile(
        rf'id="suggestion-{suggestion_id}" [^>]*data-status="running".*?<pre class="ai-stream"[^>]*>(.*?)<',
        re.S,
    )
    return [m.group(1) for f in frames for m in [card.search(f)] if m]


async def test_a_rewrite_streams_from_the_worker_to_a_second_member_s_page_and_is_accepted(
    fake_llm, worker
) -> None:
    room = await sync_to_async(make_room)("e2e")
    fake_llm.script(Reply(text=ANSWER, chunk_size=3, chunk_delay=0.08))
    writer, writer_cookie = await sync_to_async(browser)(room.writer)
    _viewer, viewer_cookie = await sync_to_async(browser)(room.viewer)
    path = f"/ws/p/{room.project.slug}/live/?where=ai-scene:{room.scene.pk}"
    async with live_page(viewer_cookie, path) as viewer_page:
        await frames_until(viewer_page, 'id="ai-suggestions"', timeout=5)  # the page's first render
        started = time.monotonic()
        url = reverse("ai_request_rewrite", args=[room.project.slug, room.scene.pk])
        line = "林晚：你来了。\n"
        start = SCENE.index(line)
        form = {"preset": "harsher", "start": start, "end": start + len(line), "selected": line}
        answer = await sync_to_async(writer.post)(url, form, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        suggestion = await sync_to_async(Suggestion.objects.get)()
        frames = await frames_until(viewer_page, 'data-status="pending"')
        texts = streamed_texts(frames, suggestion.pk)
        assert len(texts) >= 3, frames  # the proposal grew on the page while the worker wrote it
        assert all(len(a) <= len(b) for a, b in zip(texts, texts[1:], strict=False))
        assert texts[-1] and ANSWER.startswith(texts[-1].split("<")[0])
        assert "Cancel" not in frames[-2]  # a viewer gets no cancel button
        assert time.monotonic() - started < 20
        await sync_to_async(suggestion.refresh_from_db)()
        assert suggestion.status == "pending" and suggestion.tokens_out > 0

        accept = reverse("ai_accept", args=[room.project.slug, suggestion.pk])
        await sync_to_async(writer.post)(accept, {"hunk": ["0"]}, HTTP_HX_REQUEST="true")
        await frames_until(viewer_page, "status-accepted")
    scene = await sync_to_async(Scene.objects.get)(pk=room.scene.pk)
    assert scene.text == SCENE.replace("林晚：你来了。\n", ANSWER + "\n")
