"""AI co-writing in real browsers (Debian's chromium via Playwright), against the fake OpenAI server
with a real Celery worker.

- A writer selects lines of a scene in the editor and asks for a rewrite; both browsers watch it
  stream in (the text shows, then grows), see it in the live script as an inline diff of two hunks,
  one is accepted and the other rejected, and the script and its provenance change for both: the
  "Colour AI text" toggle marks the AI and AI-edited lines, the episode's shares follow.
- From the editor's AI panel: three alternatives for the selected line show in the script and the
  one picked is applied like a hunk; "Redraft this scene" shows its hunks and Accept all takes them.
- Two of five proposed beats are accepted on the AI episode page's card, the rest rejected.

Every page's console stays free of errors while proposals stream in (the live connection's fragments
for cards a page does not hold are dropped quietly). Tests wait for states, never for times.

Real parts: daphne (websockets), Redis (broker and channel layer), Postgres, chromium, the openai client."""

from __future__ import annotations

import json
import math
import time

import pytest
from celery.contrib.testing.worker import start_worker
from channels.layers import channel_layers
from django.test import Client

from scripts_app.ai import generate, provenance
from scripts_app.models import Beat, Membership, Role, Scene, Suggestion
from scripts_app.services.scenes import create_scene
from writersroom.celery import app

from .ai_room import SCENE, make_room
from .fake_openai import Reply, endpoint_settings, fake_llm_fixture  # noqa: F401
from .live_asgi import AsgiServer
from .test_browser_editing import browser, pytestmark  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"
VIEW = "window.WritersRoomLive.session.editor.view"
# A second scene: the selection is in it, so its offsets count from the scene's start.
SCENE2 = (
    "2-2 夜 外 江城大桥\n人物：林晚、顾承泽\n△雨夜，桥上风很大。\n林晚：你为什么要推我？\n"
    "顾承泽：（冷笑）因为你挡了路。\n△林晚攥紧银镯。\n"
)
SELECTED = "△雨夜，桥上风很大。\n林晚：你为什么要推我？\n顾承泽：（冷笑）因为你挡了路。\n"
# The model's rewrite of the selection: two hunks (its first line changed; a line added at its end).
NEW_LINE = "顾承泽：今晚谁也救不了你。"
REWRITE = f"△雨夜，桥上狂风呼啸。\n林晚：你为什么要推我？\n顾承泽：（冷笑）因为你挡了路。\n{NEW_LINE}"
# Records every text the streaming card shows, from the page's first moment (a state to wait for,
# whenever the test looks: the stream may be over by then).
RECORD_STREAM = """
window.__streamed = [];
new MutationObserver(() => {
  const el = document.querySelector("#ai-review article.suggestion[data-status=running] pre.ai-stream");
  if (!el) return;
  const text = el.textContent.replace("\u258d", "");
  const seen = window.__streamed;
  if (seen[seen.length - 1] !== text) seen.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
STREAMED_AND_GREW = (
    "(() => { const s = window.__streamed.filter(t => t.length);"
    " return s.length >= 2 && s[s.length - 1].length > s[0].length; })()"
)
# The text of each editor line that carries `cls` (by the document, not the DOM: a remote caret's
# name label sits inside a line's element).
LINES_WITH = (
    "(cls) => { const v = window.WritersRoomLive.session.editor.view;"
    " return [...v.contentDOM.querySelectorAll('.cm-line.' + cls)]"
    ".map(el => v.state.doc.lineAt(v.posAtDOM(el)).text); }"
)
RUNS_OF = (
    "(origin) => { const s = window.WritersRoomLive.session;"
    " const t = s.ytext.toString();"
    " return s.provenance.runs().filter(r => r[2] === origin).map(r => t.slice(r[0], r[1])).join(''); }"
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
    """A page of its own browser context, logged in as `user`; `page.errors` collects what its
    console reports as errors (and uncaught exceptions)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": m.key, "value": m.value, "url": base} for m in client.cookies.values()])
    context.add_init_script(RECORD_STREAM)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(base + path)
    return page


def open_episode(browser, base, user, room):  # noqa: F811
    page = open_page(browser, base, user, f"/p/{room.project.slug}/e/{room.episode.number}/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    page.wait_for_selector("#ai-editor-panel form.ai-rewrite, #ai-editor-panel #provenance")
    page.wait_for_selector("body[data-live=open]")
    return page


def select_lines(page, first: str, count: int) -> None:
    """Select `count` whole lines of the editor from the line reading `first`, as a person does:
    click into it, Home, then Shift+Down."""
    page.locator(".cm-content .cm-line", has_text=first).first.click()
    page.keyboard.press("Home")
    for _ in range(count):
        page.keyboard.press("Shift+ArrowDown")


def put_cursor(page, anchor: int, head: int | None = None) -> None:
    page.evaluate(
        f"([a, h]) => {{ const v = {VIEW}; v.dispatch({{selection: {{anchor: a, head: h}}}}); v.focus(); }}",
        [anchor, anchor if head is None else head],
    )


def js_percent(part: int, total: int) -> str:
    return f"{math.floor(100 * part / total + 0.5) if total else 0}%"  # as Math.round in the page


def visible(text: str) -> int:
    return len("".join(text.split()))


def test_a_rewrite_of_a_selection_streams_in_two_browsers_and_is_reviewed_hunk_by_hunk_in_the_script(
    ai_server,
    browser,  # noqa: F811
    fake_llm,
) -> None:
    room = make_room("ai-browser")
    Membership.objects.filter(project=room.project, user=room.showrunner).update(role=Role.SHOWRUNNER)
    scene2 = create_scene(episode=room.episode, user=room.showrunner, text=SCENE2)
    # Two characters a chunk, every 0.12 s: the stream takes a few seconds, long enough to watch.
    fake_llm.script(Reply(text=REWRITE, chunk_size=2, chunk_delay=0.12))
    base = ai_server.url
    writer = open_episode(browser, base, room.writer, room)
    other = open_episode(browser, base, room.showrunner, room)
    before = writer.evaluate(TEXT)
    assert before == SCENE + "\n" + SCENE2

    # The writer selects three lines of the second scene in the editor and asks for a rewrite.
    select_lines(writer, "△雨夜，桥上风很大。", 3)
    assert writer.evaluate(f"(() => {{ const v = {VIEW}, r = v.state.selection.main;"
                           " return v.state.sliceDoc(r.from, r.to); })()") == SELECTED  # fmt: skip
    writer.fill("#ai-editor-panel input[name=instruction]", "更狠一点")
    writer.click("#ai-ask-rewrite")
    # Both pages watch it stream in: the text shows, then grows, each text the one before and more.
    for page in (writer, other):
        page.wait_for_function(STREAMED_AND_GREW)
    for page in (writer, other):
        streamed = [t for t in page.evaluate("window.__streamed") if t]
        assert all(REWRITE.startswith(t) for t in streamed), streamed
        assert all(a == b[: len(a)] for a, b in zip(streamed, streamed[1:], strict=False)), streamed
    suggestion = Suggestion.objects.get(kind="rewrite")
    # The selection, counted from its own scene's start, is what the model was asked to rewrite.
    assert suggestion.scene_id == scene2.pk
    start = SCENE2.index(SELECTED)
    assert suggestion.request["selection"] == [start, start + len(SELECTED)]
    prompt = fake_llm.requests[-1]["messages"][-1]["content"]
    assert f"<passage>\n{SELECTED}\n</passage>" in prompt

    # Once it is done, it opens in both scripts as an inline diff with two hunks, over the selection.
    for page in (writer, other):
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 2")
        assert page.locator(".cm-ai-removed").inner_text() == "△雨夜，桥上风很大。"
        assert "狂风呼啸" in page.locator(".cm-ai-hunk[data-hunk='0']").inner_text()
        assert NEW_LINE in page.locator(".cm-ai-hunk[data-hunk='1']").inner_text()
        assert page.evaluate(TEXT) == before  # a proposal is not in the shared text
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
    assert Scene.objects.get(pk=scene2.pk).text == SCENE2

    # The writer accepts the second hunk in the script; the other browser sees it enter the text.
    writer.click(".cm-ai-hunk[data-hunk='1'] .cm-ai-accept")
    for page in (writer, other):
        page.wait_for_function(f"{TEXT}.includes('{NEW_LINE}')")
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 1")
    # ...and rejects the first, in the other browser: the review closes everywhere.
    other.click(".cm-ai-hunk[data-hunk='0'] .cm-ai-reject")
    for page in (writer, other):
        page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 0")
        page.wait_for_function("!document.body.dataset.aiReview")
    suggestion.refresh_from_db()
    assert suggestion.status == "partly_accepted"
    assert suggestion.content["hunks"] == {"1": "accepted", "0": "rejected"}
    # Only the selected lines changed, and only as the accepted hunk says.
    after = SCENE + "\n" + SCENE2.replace("因为你挡了路。\n", f"因为你挡了路。\n{NEW_LINE}\n")
    for page in (writer, other):
        assert page.evaluate(TEXT) == after

    # Provenance: the accepted line carries the suggestion, in both browsers.
    for page in (writer, other):
        assert page.evaluate(RUNS_OF, "ai") == NEW_LINE + "\n"
        runs = page.evaluate("window.WritersRoomLive.session.provenance.runs()")
        assert all(s == str(suggestion.pk) for _a, _b, origin, s in runs if origin == "ai")
    # "Colour AI text": the new line is the model's, nothing else; the shares say so.
    for page in (writer, other):
        page.check("#provenance-toggle")
        page.wait_for_function(f"({LINES_WITH})('cm-prov-line-ai').length === 1")
        assert page.evaluate(LINES_WITH, "cm-prov-line-ai") == [NEW_LINE]
        assert page.evaluate(LINES_WITH, "cm-prov-line-ai-edited") == []
        assert page.locator(".cm-prov-ai").first.inner_text() == NEW_LINE
        page.wait_for_function(
            "(p) => document.querySelector('#provenance-shares [data-share=ai]').textContent === p",
            arg=js_percent(visible(NEW_LINE), visible(after)),
        )
        assert page.locator("#provenance-shares [data-share=ai_edited]").inner_text() == "0%"
    origins = dict(provenance.line_origins(episode=room.episode))
    assert origins[NEW_LINE] == "ai"
    assert origins["顾承泽：（冷笑）因为你挡了路。"] == origins["△雨夜，桥上风很大。"] == "human"

    # A person typing inside the model's line makes it AI-edited, for everyone.
    put_cursor(writer, after.index("谁也救不了"))
    writer.keyboard.type("，")
    for page in (writer, other):
        page.wait_for_function(f"({RUNS_OF})('ai_edited') === '，'")
        page.wait_for_function(f"({LINES_WITH})('cm-prov-line-ai').length === 0")
        assert page.evaluate(LINES_WITH, "cm-prov-line-ai-edited") == ["顾承泽：今晚，谁也救不了你。"]
    # Cutting a character out of the model's text (typing nothing in its place) leaves it edited too.
    at = writer.evaluate(TEXT).index("也救不了")
    put_cursor(writer, at, at + 1)
    writer.keyboard.press("Backspace")
    other.wait_for_function(f"({RUNS_OF})('ai_edited') === '，谁'")
    final = other.evaluate(TEXT)
    assert final == after.replace(NEW_LINE, "顾承泽：今晚，谁救不了你。")
    edited, ai_now = visible("，谁"), visible("顾承泽：今晚救不了你。")
    for page in (writer, other):
        page.wait_for_function(
            "(p) => document.querySelector('#provenance-shares [data-share=ai_edited]').textContent === p",
            arg=js_percent(edited, visible(final)),
        )
        share = page.locator("#provenance-shares [data-share=ai]").inner_text()
        assert share == js_percent(ai_now, visible(final))
    # The server's record (what the episode page, the series page and the review copy read) agrees.
    wanted = provenance.Shares(human=visible(final) - ai_now - edited, ai=ai_now, ai_edited=edited)
    deadline = time.monotonic() + 20
    while provenance.shares(episode=room.episode) != wanted:
        assert time.monotonic() < deadline, provenance.shares(episode=room.episode)
        time.sleep(0.2)
    assert dict(provenance.line_origins(episode=room.episode))["顾承泽：今晚，谁救不了你。"] == "ai_edited"
    # Nothing went to the console as an error on either page, while it streamed or after.
    assert writer.errors == [] and other.errors == []


def test_alternatives_for_a_line_and_a_redraft_are_asked_for_from_the_editor_and_applied_in_the_script(
    ai_server,
    browser,  # noqa: F811
    fake_llm,
) -> None:
    room = make_room("ai-editor-asks")
    options = ["顾承泽：（冷笑）我来讨债。", "顾承泽：（冷笑）我来要你的命。", "顾承泽：（冷笑）我来了。"]
    fake_llm.script(Reply(text=json.dumps({"options": options}, ensure_ascii=False), chunk_delay=0.02))
    page = open_episode(browser, ai_server.url, room.writer, room)

    # Three alternatives for the selected line: they show in the script, under the line struck through.
    select_lines(page, "顾承泽：（冷笑）我来收账。", 0)
    page.keyboard.press("Shift+End")
    page.click("#ai-ask-alternatives")
    page.wait_for_function("document.querySelectorAll('.cm-ai-choice .cm-ai-option').length === 3")
    suggestion = Suggestion.objects.get(kind="alternatives")
    assert suggestion.request["target"] == "line" and suggestion.scene_id == room.scene.pk
    assert page.locator(".cm-ai-removed").inner_text() == "顾承泽：（冷笑）我来收账。"
    assert "我来要你的命" in page.locator(".cm-ai-option[data-option='1']").inner_text()
    assert page.locator("#ai-review-bar").is_visible()
    assert not page.locator("#ai-accept-all").is_visible()  # one is picked, never all three
    # Picking one applies it like a hunk: through the server, into the shared text, as the model's.
    page.click(".cm-ai-option[data-option='1'] .cm-ai-pick")
    page.wait_for_function(f"{TEXT}.includes('我来要你的命')")
    page.wait_for_function("!document.body.dataset.aiReview && !document.querySelector('.cm-ai-choice')")
    assert page.evaluate(TEXT) == SCENE.replace("我来收账", "我来要你的命")
    assert page.evaluate(RUNS_OF, "ai") == "要你的命"
    suggestion.refresh_from_db()
    assert [i["decision"] for i in suggestion.content["items"]] == ["rejected", "accepted", "rejected"]

    # A proposal for the whole series (a bible) streams to this page's live connection too, which
    # holds no card for it: its fragments are dropped quietly, nothing goes to the console.
    bible = {"synopsis": "林晚步步反击。", "style_guide": "", "characters": [], "locations": []}
    fake_llm.script(Reply(text=json.dumps(bible, ensure_ascii=False), chunk_delay=0.02))
    series_wide = generate.request_bible(project=room.project, user=room.showrunner)
    deadline = time.monotonic() + 30
    while Suggestion.objects.get(pk=series_wide.pk).status != "pending":
        assert time.monotonic() < deadline, Suggestion.objects.get(pk=series_wide.pk).status
        time.sleep(0.2)

    # "Redraft this scene" from the accepted beats: its hunks show in the script; Accept all takes them.
    redraft = SCENE.replace("我来收账", "我来要你的命").replace(
        "△林晚推门进来。", "△雨夜，林晚推门进来，浑身湿透。"
    )
    redraft += "△林晚亮出手机里的录音。\n"
    fake_llm.script(Reply(text=redraft, chunk_delay=0.02))
    page.locator(".cm-content .cm-line", has_text="林晚：你来了。").click()
    page.click("#ai-ask-redraft")
    page.wait_for_function("document.querySelectorAll('.cm-ai-hunk').length === 2")
    draft = Suggestion.objects.get(kind="draft")
    assert draft.request["scope"] == "scene" and draft.scene_id == room.scene.pk
    page.click("#ai-accept-all")
    page.wait_for_function(f"{TEXT}.includes('亮出手机里的录音')")
    page.wait_for_function("!document.body.dataset.aiReview")
    assert page.evaluate(TEXT) == redraft
    draft.refresh_from_db()
    assert draft.status == "accepted"
    # Nothing went to the console as an error, while the proposals streamed (the bible's too) or after.
    assert page.errors == []


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
