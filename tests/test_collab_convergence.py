"""Several writers type in one episode at once over real websockets, against real server processes:
every client, the server, the update log rebuilt from Postgres and the Scene rows end identical, and
no inserted line is lost, also when the server is killed (SIGKILL) or Redis restarts mid-run."""

from __future__ import annotations

import asyncio
import random
import shutil
import socket
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model

from scripts_app.collab import episode_text, store
from scripts_app.collab.client import DocClient
from scripts_app.models import Episode, EpisodeDocument, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .live_asgi import AsgiServer, free_port, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

FILLER = "·"


@pytest.fixture
def room():
    users = get_user_model().objects
    writers = [users.create_user(f"w{i}", f"w{i}@example.org", "a-long-password") for i in range(4)]
    project = create_project(user=writers[0], title="合租", slug="room", script_format="zh")
    for w in writers[1:]:
        Membership.objects.create(project=project, user=w, role=Role.WRITER)
    episode = create_episode(project=project, number=1)
    create_scene(episode=episode, user=writers[0], text="1-1 日 内 客厅\n△开场。\n")
    create_scene(episode=episode, user=writers[0], text="1-2 夜 外 天台\n△风。\n")
    return episode, writers


class Redis:
    """A Redis of the test's own, so it can be restarted without touching anyone else's."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis did not start")

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()


async def _ensure(client: DocClient, last_try: dict) -> None:
    if client.connected:
        return
    now = time.monotonic()
    if now - last_try.get(id(client), 0) < 0.3:
        return
    last_try[id(client)] = now
    try:
        await client.connect(timeout=2)
    except (OSError, Exception):
        pass


async def _typist(client: DocClient, n: int, rng: random.Random, name: str, markers: list, last_try: dict):
    for k in range(n):
        await _ensure(client, last_try)
        text = client.value()
        if rng.random() < 0.75 or FILLER not in text:
            marker = f"{name}-{k}"
            markers.append(marker)
            starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
            line = f"△[{marker}]{'人物对话' if k % 2 else 'beat'}{FILLER * 3}\n"
            await client.insert(rng.choice(starts), line)
        else:
            spots = [i for i, ch in enumerate(text) if ch == FILLER]
            await client.delete(rng.choice(spots), 1)
        await asyncio.sleep(rng.uniform(0.0, 0.02))


async def _settle(clients: list[DocClient], last_try: dict, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for c in clients:
            await _ensure(c, last_try)
        if all(c.connected and c.synced.is_set() and c.unsynced == 0 for c in clients):
            if len({c.value() for c in clients}) == 1:
                return
        await asyncio.sleep(0.1)
    states = [(c.connected, c.unsynced, len(c.value())) for c in clients]
    raise AssertionError(f"clients did not converge: {states}")


def _run(urls: list[str], cookies: list[str], *, during=None, edits: int = 25) -> tuple[list[str], str]:
    """Four typists (spread over the given server urls); `during` runs mid-way (kill, restart)."""

    async def main():
        clients = [DocClient(urls[i % len(urls)], cookie=cookies[i]) for i in range(len(cookies))]
        last_try: dict = {}
        for c in clients:
            await c.connect()
            await c.wait_synced()
        markers: list[str] = []
        rngs = [random.Random(i) for i in range(len(clients))]
        tasks = [
            asyncio.create_task(_typist(c, edits, rngs[i], f"c{i}", markers, last_try))
            for i, c in enumerate(clients)
        ]
        if during is not None:
            await asyncio.sleep(0.4)
            await asyncio.get_running_loop().run_in_executor(None, during)
        await asyncio.gather(*tasks)
        await _settle(clients, last_try)
        # A late joiner sees the server's own copy.
        late = DocClient(urls[-1], cookie=cookies[0])
        await late.connect()
        await late.wait_synced()
        await asyncio.sleep(0.2)
        text = clients[0].value()
        assert late.value() == text
        for c in [*clients, late]:
            await c.close()
        return markers, text

    return asyncio.run(main())


def _check_storage(episode: Episode, text: str, markers: list[str]) -> None:
    for marker in markers:
        assert f"[{marker}]" in text, f"lost {marker}"
    rebuilt = store.text_of(store.load(document=EpisodeDocument.objects.get(episode=episode)).doc)
    assert rebuilt == text
    # The rows follow the text once typing stops (and at the last disconnect).
    deadline = time.monotonic() + 15
    wanted = [c.text for c in episode_text.split(text, "zh")]
    while time.monotonic() < deadline:
        rows = list(episode.scenes.filter(omitted=False).order_by("position").values_list("text", flat=True))
        if rows == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"the Scene rows did not follow the text: {rows} != {wanted}")


def test_four_writers_converge_on_one_server(room) -> None:
    episode, writers = room
    server = AsgiServer().start()
    try:
        url = f"{server.ws_url}/ws/p/room/e/1/doc/"
        markers, text = _run([url], [session_cookie(w) for w in writers])
        assert len(markers) > 50
        _check_storage(episode, text, markers)
    finally:
        server.stop()


def test_nothing_is_lost_when_the_server_is_killed_mid_run(room) -> None:
    episode, writers = room
    server = AsgiServer().start()
    try:
        url = f"{server.ws_url}/ws/p/room/e/1/doc/"
        markers, text = _run([url], [session_cookie(w) for w in writers], during=server.restart, edits=40)
        _check_storage(episode, text, markers)
    finally:
        server.stop()


def test_two_server_processes_converge_through_a_redis_restart(room) -> None:
    episode, writers = room
    redis = Redis().start()
    servers = [AsgiServer(redis_url=redis.url).start() for _ in range(2)]

    def restart_redis():
        redis.stop()
        time.sleep(0.3)
        redis.start()

    try:
        urls = [f"{s.ws_url}/ws/p/room/e/1/doc/" for s in servers]
        markers, text = _run(urls, [session_cookie(w) for w in writers], during=restart_redis, edits=40)
        _check_storage(episode, text, markers)
    finally:
        for s in servers:
            s.stop()
        redis.stop()
