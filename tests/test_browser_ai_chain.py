"""From a logline to a drafted scene in the browser, every step reviewed by a person (issue 7's first
acceptance point): a showrunner asks for a bible, accepts it item by item, asks for the episode list and
accepts it, asks for an episode's beats and accepts them, then for a draft of the next scene and accepts
its change; the script then holds the scene, and its characters are marked as the model's.

Real parts: daphne, Redis, Postgres, a Celery worker, chromium, the openai client against the fake
OpenAI-wire server (tests/fake_openai.py) as LLM_BASE_URL."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model

from scripts_app.ai import provenance
from scripts_app.collab import documents
from scripts_app.models import Beat, Character, Episode, Location, Project, Suggestion
from scripts_app.services.projects import create_project

from .fake_openai import fake_llm_fixture  # noqa: F401
from .test_browser_ai import ai_server, click_until_posted, open_page  # noqa: F401  (fixtures)
from .test_browser_editing import browser, pytestmark  # noqa: F401  (fixture and marks)

BIBLE = {
    "synopsis": "县城女孩林晚被退婚后开了一家修车铺，一年后让前未婚夫的车队求上门来。",
    "style_guide": "短句，强冲突，每集结尾留钩子。",
    "characters": [
        {"name": "林晚", "age": "24", "look": "短发，工装背带裤", "identity": "修车铺老板"},
        {"name": "顾承泽", "age": "29", "look": "深灰西装", "identity": "车队老板，前未婚夫"},
    ],
    "locations": [{"name": "修车铺", "int_ext": "内", "look": "满地零件"}],
}
EPISODES = {
    "episodes": [
        {"number": 1, "title": "退婚", "summary": "订婚宴上林晚被当众退婚。", "hook": "戒指落地。",
         "cliffhanger": "她拿起扳手。"},
        {"number": 2, "title": "开张", "summary": "修车铺开张，第一位客人是顾承泽的司机。",
         "hook": "卷帘门拉起。", "cliffhanger": "顾承泽的车停在门口。"},
    ]
}  # fmt: skip
BEATS = {
    "beats": [{"text": "林晚在订婚宴上被当众退婚"}, {"text": "她摘下戒指放在桌上"}, {"text": "她走进雨里"}]
}
DRAFT = (
    "1-1 夜 内 酒店宴会厅\n人物：林晚、顾承泽\n△戒指落在地毯上，没有声音。\n"
    "顾承泽：我们不合适。\n林晚：（笑）合适的是修车铺。\n"
)


def accept_every_item(page, suggestion: Suggestion) -> None:
    card = f"#suggestion-{suggestion.pk}"
    page.wait_for_selector(f"{card}[data-status=pending] .ai-item")
    accept = f"/ai/s/{suggestion.pk}/accept/"
    while (buttons := page.locator(f"{card} .item-actions button", has_text="Accept")).count():
        before = buttons.count()
        click_until_posted(page, buttons, accept)
        # The answer replaces the card: wait for it before counting again.
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length < n", arg=[f"{card} .item-actions", before]
        )
    page.wait_for_selector(f"{card}[data-status=accepted]")


def test_a_showrunner_goes_from_a_logline_to_a_drafted_scene(ai_server, browser, fake_llm) -> None:  # noqa: F811
    showrunner = get_user_model().objects.create_user("sr")
    project = create_project(
        user=showrunner, title="扳手", slug="wrench", script_format="zh", target_episode_count=2,
        logline="被退婚的县城女孩开了一家修车铺，一年后前未婚夫的车队求上门来。",
    )  # fmt: skip
    base = ai_server.url
    page = open_page(browser, base, showrunner, "/p/wrench/ai/")

    fake_llm.script(json.dumps(BIBLE, ensure_ascii=False))
    page.click("#ai-ask-bible")
    page.wait_for_selector("article.suggestion[data-status=pending] .ai-item")
    accept_every_item(page, Suggestion.objects.get(project=project, kind="bible"))
    project = Project.objects.get(pk=project.pk)
    assert project.synopsis == BIBLE["synopsis"]
    assert set(Character.objects.filter(project=project).values_list("name", flat=True)) == {"林晚", "顾承泽"}
    assert Location.objects.filter(project=project, name="修车铺").exists()

    fake_llm.script(json.dumps(EPISODES, ensure_ascii=False))
    page.fill("input[name=last]", "2")
    page.click("#ai-ask-episodes")
    episodes = _wait_for_suggestion(project, "episodes")
    accept_every_item(page, episodes)
    assert list(Episode.objects.filter(project=project).values_list("number", "title", "cliffhanger")) == [
        (1, "退婚", "她拿起扳手。"),
        (2, "开张", "顾承泽的车停在门口。"),
    ]

    page.goto(f"{base}/p/wrench/e/1/ai/")
    fake_llm.script(json.dumps(BEATS, ensure_ascii=False))
    page.click("#ai-ask-beats")
    accept_every_item(page, _wait_for_suggestion(project, "beats"))
    assert Beat.objects.filter(episode__project=project, status="accepted").count() == 3

    page.reload()  # the draft button needs accepted beats
    fake_llm.script(DRAFT)
    page.click("#ai-ask-draft")
    draft = _wait_for_suggestion(project, "draft")
    card = f"#suggestion-{draft.pk}"
    page.wait_for_selector(f"{card}[data-status=pending] form.hunks .hunk")
    click_until_posted(page, page.locator(f"{card} button[name=finish]"), f"/ai/s/{draft.pk}/accept/")
    page.wait_for_selector(f"{card}[data-status=accepted]")

    episode = Episode.objects.get(project=project, number=1)
    text = documents.episode_text_now(episode=episode)
    assert "△戒指落在地毯上，没有声音。" in text
    assert episode.scenes.filter(text__contains="合适的是修车铺").exists()
    shares = provenance.shares(episode=episode)
    assert shares.ai > 0 and shares.human == 0  # every character of the episode came from the draft


def _wait_for_suggestion(project, kind: str) -> Suggestion:
    import time

    deadline = time.monotonic() + 30
    while not (found := Suggestion.objects.filter(project=project, kind=kind).first()):
        assert time.monotonic() < deadline, f"no {kind} suggestion"
        time.sleep(0.05)
    return found
