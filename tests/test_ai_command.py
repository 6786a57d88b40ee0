"""manage.py ai_generate: batch requests, a line per suggestion, a JSON summary, exit 1 on failure."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from scripts_app.models import Beat, Scene, Suggestion

from .ai_room import SCENE, room_fixture  # noqa: F401
from .fake_openai import Reply, fake_llm_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def generate(*args: str) -> tuple[int, list[str], dict]:
    out = io.StringIO()
    code = 0
    try:
        call_command("ai_generate", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    return code, lines[:-1], json.loads(lines[-1])


def test_it_proposes_beats_for_a_range_of_episodes_and_waits_with_sync(room, fake_llm) -> None:
    fake_llm.script('{"beats": [{"text": "一"}]}', '{"beats": [{"text": "二"}, {"text": "三"}]}')
    code, lines, summary = generate(room.project.slug, "--level", "beats", "--episodes", "1-2", "--sync")
    assert code == 0
    assert summary == {"requested": 2, "queued": 0, "pending": 2, "failed": 0, "errors": []}
    assert len(lines) == 2 and "episode 1\tpending" in lines[0] and "episode 2\tpending" in lines[1]
    assert Beat.objects.filter(origin="ai", status="proposed").count() == 3  # proposed, not accepted
    assert Scene.objects.get(pk=room.scene.pk).text == SCENE
    assert Suggestion.objects.filter(requested_by=room.showrunner).count() == 2


def test_it_exits_1_with_the_readable_reason_when_a_request_fails(room, fake_llm) -> None:
    fake_llm.script(Reply(status=401))
    code, lines, summary = generate(room.project.slug, "--level", "bible", "--sync")
    assert code == 1
    assert summary["failed"] == 1 and "refused the API key" in summary["errors"][0]
    assert "\tfailed\t" in lines[0]


def test_a_request_the_series_refuses_counts_as_failed(room, fake_llm) -> None:
    code, lines, summary = generate(room.project.slug, "--level", "scene", "--episodes", "3", "--sync")
    assert code == 1 and summary["requested"] == 1 and fake_llm.requests == []
    assert "Accept some beats first" in summary["errors"][0] and "refused" in lines[0]


def test_without_sync_it_queues_one_rewrite_per_scene_for_the_worker(room, fake_llm) -> None:
    code, lines, summary = generate(room.project.slug, "--level", "rewrite", "--instruction", "更狠一点")
    assert code == 0 and summary["queued"] == 1 and summary["requested"] == 1
    suggestion = Suggestion.objects.get()
    assert suggestion.status == "queued" and suggestion.scene_id == room.scene.pk
    assert suggestion.request["instruction"] == "更狠一点"
    assert fake_llm.requests == []


def test_a_batch_that_can_t_be_made_as_asked_still_ends_with_the_summary_and_exits_1(room, fake_llm) -> None:
    code, lines, summary = generate(room.project.slug, "--level", "rewrite", "--sync")  # no --instruction
    assert code == 1
    assert summary["requested"] == 0 and summary["pending"] == 0 and summary["failed"] == 0
    (error,) = summary["errors"]
    assert error.startswith("rewrite: ") and "Say how to rewrite it" in error
    assert lines == ["-\trewrite\trefused\t" + error.removeprefix("rewrite: ")]
    assert Suggestion.objects.count() == 0 and fake_llm.requests == []


def test_episode_numbers_the_series_does_not_have_are_errors_not_a_silent_skip(room, fake_llm) -> None:
    fake_llm.script('{"beats": [{"text": "一"}]}')
    code, lines, summary = generate(room.project.slug, "--level", "beats", "--episodes", "2,7-9,40", "--sync")
    assert code == 1
    assert summary["requested"] == 3 and summary["pending"] == 1 and summary["failed"] == 2
    assert summary["errors"] == [
        "episodes 7-9: This series has no episodes 7-9.",
        "episode 40: This series has no episode 40.",
    ]
    assert any("episode 2\tpending" in line for line in lines)
    assert Suggestion.objects.count() == 1 and len(fake_llm.requests) == 1

    code, lines, summary = generate(room.project.slug, "--level", "scene", "--episodes", "12")
    assert code == 1 and summary["requested"] == 1 and summary["failed"] == 1
    assert summary["errors"] == ["episode 12: This series has no episode 12."]
    assert lines == ["-\tepisode 12\trefused\tThis series has no episode 12."]


def test_without_a_model_it_refuses_each_request_readably_and_exits_1(room, settings) -> None:
    settings.LLM_ENDPOINTS = {}
    code, lines, summary = generate(room.project.slug, "--level", "beats", "--sync")
    assert code == 1
    assert summary["requested"] == 3 and summary["failed"] == 3 and summary["pending"] == 0
    assert len(lines) == 3 and all("\trefused\tNo AI model is configured on this server." in x for x in lines)
    assert all("LLM_BASE_URL" in e for e in summary["errors"])
    assert Suggestion.objects.count() == 0 and Scene.objects.get(pk=room.scene.pk).text == SCENE
