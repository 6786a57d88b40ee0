"""An AI request whose worker child is killed mid-stream (as the OOM killer does) ends failed, not
"running" for ever.

A real Celery worker (prefork, one child, Redis broker) runs a rewrite against the OpenAI-wire server,
which streams slowly; the test kills the child with SIGKILL while the proposal is streaming in. The
message goes back to Redis (acks_late, reject_on_worker_lost) and the worker's new child finds the
suggestion already claimed, so it asks the model nothing twice. The heartbeat stops; the sweeper then
ends the suggestion failed with its partial text kept, and the script is untouched."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings

from scripts_app.ai import generate
from scripts_app.collab import documents
from scripts_app.models import Beat, Scene, Suggestion

from .ai_room import SCENE, make_room
from .fake_openai import FakeOpenAI, Reply, endpoint_settings
from .test_hardening_worker_kill import _children, _wait_for, prefork_worker

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "林晚：" + "不" * 400  # two characters every 0.1 s: twenty seconds of streaming


@pytest.fixture
def fake_server():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def ai_worker(fake_server, settings, monkeypatch):
    # The worker reads the server's default endpoint from its environment, as in production.
    monkeypatch.setenv("LLM_API_KEY", "sk-test-key")
    settings.LLM_ENDPOINTS = {"default": {**endpoint_settings(fake_server), "api_key_env": "LLM_API_KEY"}}
    settings.AI_STALE_AFTER_SECONDS = 3  # the sweeper, in this process
    with prefork_worker(
        LLM_BASE_URL=fake_server.base_url,
        LLM_MODEL="fake-model",
        LLM_API_KEY="sk-test-key",
        AI_HEARTBEAT_SECONDS="0.3",  # the partial text is saved with each heartbeat
    ) as process:
        yield process


def test_a_killed_worker_leaves_a_failed_suggestion_with_its_partial_text_and_the_script_untouched(
    ai_worker, fake_server
) -> None:
    room = make_room("killed")
    text_before = documents.episode_text_now(episode=room.episode)
    fake_server.script(Reply(text=ANSWER, chunk_size=2, chunk_delay=0.1))
    suggestion = generate.request_rewrite(scene=room.scene, user=room.writer, instruction="更狠一点")
    assert suggestion.endpoint == "default"

    def streaming():
        suggestion.refresh_from_db()
        assert suggestion.status in ("queued", "running"), suggestion.error
        return suggestion.status == "running" and len(suggestion.text) >= 10 and _children(ai_worker.pid)

    (child,) = _wait_for(streaming, "the proposal to stream in", timeout=60)
    assert generate.sweep_stale(project=room.project) == 0  # a live worker's request is left alone
    os.kill(child, signal.SIGKILL)
    saved = Suggestion.objects.get(pk=suggestion.pk).text
    killed_at = time.monotonic()

    # The heartbeat stops with the child; once it is older than AI_STALE_AFTER_SECONDS, the sweep ends it.
    _wait_for(lambda: generate.sweep_stale(project=room.project), "the sweep to find it stale", timeout=60)
    assert time.monotonic() - killed_at >= settings.AI_STALE_AFTER_SECONDS - 1
    suggestion.refresh_from_db()
    assert suggestion.status == "failed" and "worker stopped" in suggestion.error
    assert suggestion.finished_at is not None
    assert suggestion.text == saved and ANSWER.startswith(saved) and len(saved) < len(ANSWER)

    # The worker's next child may get the message again (acks_late): the suggestion is no longer
    # queued, so no run claims it and the model is asked once only.
    _wait_for(lambda: [c for c in _children(ai_worker.pid) if c != child], "the worker's next child")
    _wait_for(lambda: fake_server.disconnects == 1, "the dead child's stream to be closed", timeout=30)
    time.sleep(1)
    assert len(fake_server.requests) == 1
    suggestion.refresh_from_db()
    assert suggestion.status == "failed"

    # Nothing reached the script: not the scene, not the episode's text, no beats.
    assert Scene.objects.get(pk=room.scene.pk).text == SCENE
    assert documents.episode_text_now(episode=room.episode) == text_before
    assert not Beat.objects.filter(origin="ai").exists()
