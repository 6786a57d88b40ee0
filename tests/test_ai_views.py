"""AI pages and endpoints: who may ask, decide and configure; HTMX cards, JSON for the editor, escaping."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from scripts_app.ai import live
from scripts_app.models import Project, Scene, Suggestion

from .ai_room import SCENE, room_fixture  # noqa: F401
from .fake_openai import fake_llm_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rewrite(room, text: str) -> Suggestion:
    return Suggestion.objects.create(
        project=room.project,
        kind="rewrite",
        episode=room.episode,
        scene=room.scene,
        base_text=SCENE,
        text=text,
        status="pending",
        model="fake-model",
    )


def test_without_a_model_the_ai_page_says_how_to_configure_one_and_the_rest_works(room, settings) -> None:
    settings.LLM_ENDPOINTS = {}
    client = client_for(room.writer)
    page = client.get(reverse("ai_home", args=[room.project.slug]))
    assert page.status_code == 200
    assert b"LLM_BASE_URL" in page.content and b"LLM_MODEL" in page.content
    assert b'id="ai-ask-bible"' not in page.content
    assert client.get(reverse("project_detail", args=[room.project.slug])).status_code == 200
    answer = client.post(
        reverse("ai_request_bible", args=[room.project.slug]), HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 409 and "LLM_BASE_URL" in answer.json()["error"]


def test_without_a_model_the_episode_s_ai_pages_and_the_editor_panel_say_how_and_offer_no_ask(
    room, settings
) -> None:
    settings.LLM_ENDPOINTS = {}
    client = client_for(room.writer)  # a writer: with a model, every one of these pages offers asks
    slug, number = room.project.slug, room.episode.number
    ask_urls = [
        reverse("ai_request_beats", args=[slug, number]),
        reverse("ai_request_draft", args=[slug, number]),
        reverse("ai_request_alternatives", args=[slug]),
        reverse("ai_request_rewrite", args=[slug, room.scene.pk]),
        reverse("ai_episode", args=[slug, number]),  # the editor panel's rewrite form posts here
    ]
    pages = {
        "panel": reverse("ai_editor_panel", args=[slug, number]),
        "episode": reverse("ai_episode", args=[slug, number]),
        "scene": reverse("ai_scene", args=[slug, room.scene.pk]),
    }
    for name, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200, name
        html = page.content.decode()
        assert "AI is not available for this series yet." in html, name
        assert "LLM_BASE_URL" in html and "LLM_MODEL" in html, name
        assert 'id="ai-ask-' not in html and 'class="ai-rewrite"' not in html, name
        assert 'class="ai-selection"' not in html and 'name="field"' not in html, name
        assert not any(f'action="{ask}"' in html or f'hx-post="{ask}"' in html for ask in ask_urls), name
    assert "<button" not in client.get(pages["panel"]).content.decode()  # the panel: nothing to press
    # The scene is still shown (read-only) and the rest of the series works.
    assert "林晚：你来了。" in client.get(pages["scene"]).content.decode()
    assert client.get(reverse("episode_detail", args=[slug, number])).status_code == 200
    # Asking anyway is refused with the same advice, and nothing is queued.
    for url, data in (
        (ask_urls[0], {}),
        (ask_urls[3], {"instruction": "更狠一点"}),
        (ask_urls[2], {"episode": number, "field": "hook"}),
    ):
        answer = client.post(url, data, HTTP_ACCEPT="application/json")
        assert answer.status_code == 409 and "LLM_BASE_URL" in answer.json()["error"], url
    assert Suggestion.objects.count() == 0


def test_a_writer_asks_through_htmx_and_gets_the_queued_card(room, fake_llm) -> None:
    client = client_for(room.writer)
    page = client.get(reverse("ai_episode", args=[room.project.slug, room.episode.number]))
    assert b'id="ai-ask-beats"' in page.content
    url = reverse("ai_request_beats", args=[room.project.slug, room.episode.number])
    card = client.post(url, HTTP_HX_REQUEST="true")
    suggestion = Suggestion.objects.get()
    assert card.status_code == 200 and f'id="suggestion-{suggestion.pk}"'.encode() in card.content
    assert suggestion.status == "queued" and suggestion.requested_by == room.writer


def test_a_viewer_watches_but_may_not_ask_or_decide(room, fake_llm) -> None:
    suggestion = rewrite(room, SCENE.replace("你来了", "你终于来了"))
    client = client_for(room.viewer)
    page = client.get(reverse("ai_scene", args=[room.project.slug, room.scene.pk]))
    assert page.status_code == 200 and b'id="ai-ask-rewrite"' not in page.content
    assert b"Accept the ticked changes" not in page.content
    url = reverse("ai_request_rewrite", args=[room.project.slug, room.scene.pk])
    assert client.post(url, {"instruction": "x"}).status_code == 403
    assert client.post(reverse("ai_accept", args=[room.project.slug, suggestion.pk])).status_code == 403


def test_an_outsider_learns_nothing_about_the_series(room) -> None:
    suggestion = rewrite(room, SCENE + "△一行。\n")
    client = client_for(room.outsider)
    assert client.get(reverse("ai_home", args=[room.project.slug])).status_code == 404
    assert (
        client.get(reverse("ai_suggestion_json", args=[room.project.slug, suggestion.pk])).status_code == 404
    )


def test_a_suggestion_of_another_series_is_not_found_through_this_one(room) -> None:
    other = Project.objects.create(title="Other", slug="other")
    suggestion = Suggestion.objects.create(project=other, kind="bible", status="pending")
    client = client_for(room.writer)
    assert (
        client.get(reverse("ai_suggestion_json", args=[room.project.slug, suggestion.pk])).status_code == 404
    )


def test_model_output_is_escaped_wherever_it_is_shown(room) -> None:
    hostile = SCENE + '<script>alert("x")</script><img src=x onerror=alert(1)>\n'
    suggestion = rewrite(room, hostile)
    Suggestion.objects.create(
        project=room.project,
        kind="beats",
        status="pending",
        content={
            "items": [{"kind": "beat", "beat": 0, "value": "<b onmouseover=x>hi</b>", "decision": None}]
        },
    )
    page = client_for(room.writer).get(reverse("ai_home", args=[room.project.slug]))
    assert b"<script>alert" not in page.content and b"<img src=x" not in page.content
    assert b"&lt;script&gt;alert" in page.content and b"&lt;b onmouseover=x&gt;" in page.content
    progress = live.render_progress(
        event={
            "type": "ai.progress",
            "suggestion": suggestion.pk,
            "status": "running",
            "slug": room.project.slug,
            "text": "<script>x</script>",
            "tokens": 3,
            "elapsed_ms": 400,
            "kind": "rewrite",
        },
        user=room.writer,
        role="writer",
    )
    assert "<script>x" not in progress and "&lt;script&gt;x" in progress
    assert 'hx-swap-oob="true"' in progress and f'id="suggestion-{suggestion.pk}"' in progress


def test_the_editor_gets_base_proposed_and_current_text_with_hunks_and_accepts_by_index(room) -> None:
    proposal = SCENE.replace("推门进来", "踹门进来").replace("我来收账。", "我来要你的命。")
    suggestion = rewrite(room, proposal)
    client = client_for(room.writer)
    data = client.get(reverse("ai_suggestion_json", args=[room.project.slug, suggestion.pk])).json()
    assert data["base_text"] == SCENE and data["text"] == proposal and data["current_text"] == SCENE
    assert [(h["removed"], h["added"], h["conflict"]) for h in data["hunks"]] == [
        ("△林晚推门进来。\n", "△林晚踹门进来。\n", False),
        ("顾承泽：（冷笑）我来收账。\n", "顾承泽：（冷笑）我来要你的命。\n", False),
    ]
    answer = client.post(
        data["accept_url"], json.dumps({"hunks": [1], "finish": False}), content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["hunks"][1]["decision"] == "accepted"
    answer = client.post(data["reject_url"], json.dumps({"hunks": [0]}), content_type="application/json")
    assert answer.json()["status"] == "partly_accepted"
    assert Scene.objects.get(pk=room.scene.pk).text == SCENE.replace("我来收账。", "我来要你的命。")


def test_the_review_form_accepts_the_ticked_hunks_and_rejects_the_rest(room) -> None:
    proposal = SCENE.replace("推门进来", "踹门进来").replace("我来收账。", "我来要你的命。")
    suggestion = rewrite(room, proposal)
    card = client_for(room.writer).post(
        reverse("ai_accept", args=[room.project.slug, suggestion.pk]), {"hunk": ["0"]}, HTTP_HX_REQUEST="true"
    )
    assert b"status-partly_accepted" in card.content
    assert Scene.objects.get(pk=room.scene.pk).text == SCENE.replace("推门进来", "踹门进来")


def test_items_are_accepted_as_edited_from_the_card(room) -> None:
    items = [{"kind": "synopsis", "value": "模型写的", "base": "", "decision": None}]
    suggestion = Suggestion.objects.create(
        project=room.project, kind="bible", status="pending", content={"items": items}
    )
    client_for(room.writer).post(
        reverse("ai_accept", args=[room.project.slug, suggestion.pk]), {"item": "0", "value": "人改过的"}
    )
    room.project.refresh_from_db()
    assert room.project.synopsis == "人改过的"
    assert Suggestion.objects.get(pk=suggestion.pk).status == "accepted"


def test_a_request_over_budget_shows_the_reason_in_the_page(room, fake_llm) -> None:
    room.project.ai_monthly_token_budget = 10
    room.project.save()
    answer = client_for(room.writer).post(
        reverse("ai_request_beats", args=[room.project.slug, room.episode.number]), HTTP_HX_REQUEST="true"
    )
    assert b"AI tokens this month" in answer.content and answer["HX-Retarget"] == "#ai-notice"
    assert fake_llm.requests == [] and not Suggestion.objects.exists()


def test_only_the_showrunner_sets_the_endpoint_model_and_limits(room, fake_llm) -> None:
    url = reverse("ai_settings", args=[room.project.slug])
    values = {
        "ai_endpoint": "fake",
        "ai_model": "bigger-model",
        "ai_concurrency_limit": 3,
        "ai_monthly_token_budget": 50_000,
    }
    assert client_for(room.writer).post(url, values).status_code == 403
    page = client_for(room.showrunner).get(reverse("ai_home", args=[room.project.slug]))
    assert b"sk-test-key" not in page.content and b'name="ai_monthly_token_budget"' in page.content
    client_for(room.showrunner).post(url, values)
    room.project.refresh_from_db()
    assert (room.project.ai_endpoint, room.project.ai_model, room.project.ai_concurrency_limit) == (
        "fake",
        "bigger-model",
        3,
    )
    client_for(room.showrunner).post(url, {**values, "ai_endpoint": "not-offered"})
    room.project.refresh_from_db()
    assert room.project.ai_endpoint == "fake"


def test_the_settings_offer_the_models_the_endpoint_lists_escaped_and_only_to_the_showrunner(
    room, fake_llm
) -> None:
    from django.core.cache import cache

    cache.clear()  # nothing remembered from an earlier test's server
    fake_llm.models = ("deepseek-chat", "qwen-plus", '<img src=x onerror="alert(1)">')
    page = client_for(room.showrunner).get(reverse("ai_home", args=[room.project.slug])).content.decode()
    assert 'list="ai-models"' in page
    datalist = page[page.index('<datalist id="ai-models">') : page.index("</datalist>")]
    assert '<option value="deepseek-chat"></option>' in datalist and '<option value="qwen-plus">' in datalist
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in datalist
    assert "offers 3 models" in page
    assert fake_llm.model_listings == 1
    client_for(room.showrunner).get(reverse("ai_home", args=[room.project.slug]))
    assert fake_llm.model_listings == 1  # remembered, not asked on every visit
    writer_page = client_for(room.writer).get(reverse("ai_home", args=[room.project.slug])).content
    assert b"ai-models" not in writer_page


def test_an_endpoint_that_won_t_list_its_models_leaves_the_model_to_be_typed(room, settings) -> None:
    settings.LLM_ENDPOINTS = {"down": {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key_env": "X"}}
    page = client_for(room.showrunner).get(reverse("ai_home", args=[room.project.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<datalist id="ai-models"></datalist>' in html and 'name="ai_model"' in html
    assert "ai-models-note" not in html


def test_the_ai_page_links_to_every_episode_s_ai_page(room) -> None:
    for number in range(4, 31):
        room.project.episodes.create(number=number)
    page = client_for(room.viewer).get(reverse("ai_home", args=[room.project.slug])).content.decode()
    nav = page[page.index('class="ai-episode-links"') :]
    nav = nav[: nav.index("</nav>")]
    for number in (1, 12, 13, 30):
        assert f'href="{reverse("ai_episode", args=[room.project.slug, number])}"' in nav


def test_a_running_request_is_cancelled_from_its_card(room, fake_llm) -> None:
    suggestion = rewrite(room, "")
    Suggestion.objects.filter(pk=suggestion.pk).update(status="running")
    card = client_for(room.writer).post(
        reverse("ai_cancel", args=[room.project.slug, suggestion.pk]), HTTP_HX_REQUEST="true"
    )
    assert b"status-cancelled" in card.content
    assert Suggestion.objects.get(pk=suggestion.pk).status == "cancelled"


def test_the_demo_series_has_sample_suggestions_labelled_as_such_and_reviewable_without_a_model(
    settings,
) -> None:
    from django.core.management import call_command

    settings.LLM_ENDPOINTS = {}
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # run again: no second set
    samples = Suggestion.objects.filter(sample=True)
    assert sorted(samples.values_list("kind", flat=True)) == ["alternatives", "beats", "rewrite"]
    project = samples.first().project
    showrunner = project.memberships.get(role="showrunner").user
    page = client_for(showrunner).get(reverse("ai_home", args=[project.slug]))
    assert b"Sample data, not a real model" in page.content
    rewrite = samples.get(kind="rewrite")
    client_for(showrunner).post(reverse("ai_accept", args=[project.slug, rewrite.pk]), {"hunk": ["0"]})
    assert "一根一根掰开她的手指" in Scene.objects.get(pk=rewrite.scene_id).text


def test_a_request_over_the_concurrency_limit_is_refused_with_a_clear_message(room, fake_llm) -> None:
    room.project.ai_concurrency_limit = 1
    room.project.save()
    client = client_for(room.writer)
    url = reverse("ai_request_beats", args=[room.project.slug, room.episode.number])
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 202
    refused = client.post(url, HTTP_ACCEPT="application/json")
    assert refused.status_code == 409 and "limit" in refused.json()["error"]
    assert Suggestion.objects.count() == 1 and fake_llm.requests == []


def test_a_pending_rewrite_links_to_its_review_in_the_script(room) -> None:
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="rewrite",
        episode=room.episode,
        scene=room.scene,
        base_text=SCENE,
        text=SCENE.replace("我来收账。", "我来要你的命。"),
        status="pending",
        requested_by=room.writer,
    )
    page = client_for(room.viewer).get(reverse("ai_scene", args=[room.project.slug, room.scene.pk]))
    link = (
        f"{reverse('episode_detail', args=[room.project.slug, room.episode.number])}?review={suggestion.pk}"
    )
    assert link.encode() in page.content


def test_a_card_names_its_requester_by_display_name_and_labels_samples_in_the_readers_language(
    settings,
) -> None:
    from django.core.management import call_command

    from scripts_app.services.accounts import set_display_name

    settings.LLM_ENDPOINTS = {}
    call_command("seed_demo", stdout=io.StringIO())
    project = Suggestion.objects.filter(sample=True).first().project
    showrunner = project.memberships.get(role="showrunner").user
    set_display_name(user=showrunner, name="林墨")
    page = client_for(showrunner).get(reverse("ai_home", args=[project.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "示例数据（录制）" in text and "sample data (recorded)" not in text
    assert " · 林墨</span>" in text and f" · {showrunner.get_username()}</span>" not in text
