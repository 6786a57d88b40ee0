"""AI co-writing in two real browsers (Debian's chromium via Playwright), against the fake OpenAI server
with a real Celery worker: a rewrite asked for on the episode page streams in both browsers, shows in
the live script as an inline diff, one hunk is accepted and another rejected, and the script and its
provenance change for both; and two of five proposed beats are accepted on the beat list.

Real parts: daphne (websockets), Redis (broker and channel layer), Postgres, chromium, the openai client."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from channels.layers import channel_layers
from django.test import Client

from scripts_app.ai import provenance
from scripts_app.models import Beat, Membership, Role, Scene, Suggestion
from writersroom.celery import app

from .ai_room import SCENE, make_room
from .fake_openai import Reply, endpoint_settings, fake_llm_fixture  # noqa: F401
from .live_asgi import AsgiServer
from .test_browser_editing import browser, pytestmark  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"
REWRITE = SCENE.replace("△林晚推门进来。", "△林晚一脚踹开门。").replace(
    "顾承泽：（冷笑）我来收账。", "顾承泽：（冷笑）我来要你的命。"
)


@pytest.fixture
def ai_server(fake_llm, settings, transactional_db):
    """Daphne pointed at the fake model (as LLM_BASE_URL), and a real worker in this process."""
    settings.LLM_ENDPOINTS = {"default": endpoint_settings(fake_llm)}
    channel_layers.backends.clear()
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": "fake-model", "LLM_API_KEY": "sk-test-key"}
    server = AsgiServer(env=env).start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield server
    server.stop()
    channel_layers.backends.clear()


def click_until_posted(page, locator, path: str) -> None:
    """Click until the browser posts to `path`. A card that just arrived over the live connection (or
    was re-rendered by it) may not have its htmx handlers yet, and a click on it sends nothing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(10):
        try:
            with page.expect_response(lambda r: path in r.url and r.request.method == "POST", timeout=5000):
                locator.first.click()
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"no POST to {path} after ten clicks")


def open_page(browser, base: str, user, path: str):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": m.key, "value": m.value, "url": base} for m in client.cookies.values()])
    page = context.new_page()
    page.goto(base + path)
    return page


def open_episode(browser, base, user, room):  # noqa: F811
    page = open_page(browser, base, user, f"/p/{room.project.slug}/e/{room.episode.number}/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    page.wait_for_selector("#ai-editor-panel form.ai-rewrite, #ai-editor-panel #provenance")
    return page


def test_a_rewrite_streams_in_two_browsers_and_is_reviewed_hunk_by_hunk_in_the_script(
    ai_server,
    browser,  # noqa: F811
    fake_llm,
) -> None:
    room = make_room("ai-browser")
    Membership.objects.filter(project=room.project, user=room.showrunner).update(role=Role.SHOWRUNNER)
    fake_llm.script(Reply(text=REWRITE, chunk_size=4, chunk_delay=0.05))
    base = ai_server.url
    writer = open_episode(browser, base, room.writer, room)
    other = open_episode(browser, base, room.showrunner, room)

    # The writer asks for a rewrite of the scene the cursor is in; both pages watch it stream in.
    writer.click(".cm-content .cm-line >> nth=2")
    writer.fill("#ai-editor-panel input[name=instruction]", "更狠一点")
    writer.click("#ai-ask-rewrite")
    for page in (writer, other):
        page.wait_for_selector("#ai-review article.suggestion[data-status=running] pre.ai-stream")
    # Once it is done, it opens in both scripts as an inline diff with two hunks.
    for page in (writer, other):
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 2")
        assert page.locator(".cm-ai-removed").count() == 2
        assert "一脚踹开门" in page.locator(".cm-ai-hunk >> nth=0").inner_text()
    suggestion = Suggestion.objects.get(kind="rewrite")
    assert suggestion.status == "pending" and "推门进来" in Scene.objects.get(pk=room.scene.pk).text

    # The writer accepts the second hunk in the script; the other browser sees it enter the text.
    writer.click(".cm-ai-hunk[data-hunk='1'] .cm-ai-accept")
    for page in (writer, other):
        page.wait_for_function(f"{TEXT}.includes('我来要你的命')")
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 1")
    # ...and rejects the first, in the other browser: the review closes everywhere.
    other.click(".cm-ai-hunk[data-hunk='0'] .cm-ai-reject")
    for page in (writer, other):
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 0")
        page.wait_for_function("!document.body.dataset.aiReview")
    suggestion.refresh_from_db()
    assert suggestion.status == "partly_accepted"
    assert suggestion.content["hunks"] == {"1": "accepted", "0": "rejected"}
    text = writer.evaluate(TEXT)
    assert "△林晚推门进来。" in text and "一脚踹开门" not in text

    # Provenance: the accepted words carry the suggestion; the shares say so, the toggle colours it.
    runs = writer.evaluate("window.WritersRoomLive.session.provenance.runs()")
    ai_text = "".join(text[a:b] for a, b, origin, _s in runs if origin == "ai")
    assert ai_text == "要你的命"
    assert all(s == str(suggestion.pk) for _a, _b, origin, s in runs if origin == "ai")
    writer.check("#provenance-toggle")
    writer.wait_for_selector(".cm-prov-ai")
    assert writer.locator(".cm-prov-ai").first.inner_text() == "要你的命"
    writer.wait_for_function(
        "document.querySelector('#provenance-shares [data-share=ai]').textContent !== '0%'"
    )

    # A person typing inside the AI words makes them AI-edited, for everyone.
    at = text.index("你的命")
    writer.evaluate(
        "(at) => { const v = window.WritersRoomLive.session.editor.view;"
        " v.dispatch({selection: {anchor: at}}); v.focus(); }",
        at,
    )
    writer.keyboard.type("和")
    other.wait_for_function(
        "window.WritersRoomLive.session.provenance.runs().some(r => r[2] === 'ai_edited')"
    )
    edited = other.evaluate(
        f"window.WritersRoomLive.session.provenance.runs().filter(r => r[2] === 'ai_edited')"
        f".map(r => {TEXT}.slice(r[0], r[1])).join('')"
    )
    assert edited == "和"
    # Cutting a word out of the AI text (typing nothing in its place) leaves it edited too.
    at = writer.evaluate(TEXT).index("的命")
    writer.evaluate(
        "(at) => { const v = window.WritersRoomLive.session.editor.view;"
        " v.dispatch({selection: {anchor: at, head: at + 1}}); v.focus(); }",
        at,
    )
    writer.keyboard.press("Backspace")
    other.wait_for_function(
        f"window.WritersRoomLive.session.provenance.runs().filter(r => r[2] === 'ai_edited')"
        f".map(r => {TEXT}.slice(r[0], r[1])).join('') === '和你'"
    )
    # The server's record (what the episode page, the series page and the review copy read) agrees.
    deadline = time.monotonic() + 20
    while provenance.shares(episode=room.episode) != provenance.Shares(
        human=provenance.shares(episode=room.episode).human, ai=len("要命"), ai_edited=len("和你")
    ):
        assert time.monotonic() < deadline, provenance.shares(episode=room.episode)
        time.sleep(0.2)
    origins = dict(provenance.line_origins(episode=room.episode))
    assert origins["顾承泽：（冷笑）我来要和你命。"] == "ai_edited"


def test_two_of_five_proposed_beats_are_accepted_in_the_browser(ai_server, browser, fake_llm) -> None:  # noqa: F811
    room = make_room("ai-beats")
    beats = ", ".join(f'{{"text": "节拍{i}"}}' for i in range(1, 6))
    fake_llm.script(f'{{"beats": [{beats}]}}')
    base = ai_server.url
    page = open_page(browser, base, room.writer, f"/p/{room.project.slug}/e/{room.episode.number}/ai/")
    page.click("#ai-ask-beats")
    page.wait_for_selector("article.suggestion[data-status=pending] .ai-item")
    suggestion = Suggestion.objects.get(kind="beats")
    for text in ("节拍2", "节拍4"):
        item = page.locator(".ai-item", has_text=text)
        accept = item.get_by_role("button", name="Accept", exact=True)
        click_until_posted(page, accept, f"/ai/s/{suggestion.pk}/accept/")
        page.wait_for_function(
            "(t) => [...document.querySelectorAll('.ai-item.decided-accepted')]"
            ".some(e => e.textContent.includes(t))",
            arg=text,
        )
    page.get_by_role("button", name="Reject the rest").click()
    page.wait_for_selector("article.suggestion[data-status=partly_accepted]")
    suggestion.refresh_from_db()
    assert suggestion.status == "partly_accepted"
    statuses = dict(
        Beat.objects.filter(episode=room.episode, text__startswith="节拍").values_list("text", "status")
    )
    assert statuses == {f"节拍{i}": "accepted" if i in (2, 4) else "rejected" for i in range(1, 6)}
