"""Comments anchored to the script, in two real browsers: a viewer comments on a phrase, a writer
types before it and the highlight stays on the phrase; resolving removes the highlight, reopening
brings it back, deleting the phrase detaches the thread.

Real parts throughout: Debian's chromium, daphne serving websockets, Redis, Postgres."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Comment, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"
RANGES = "window.WritersRoomLive.comments.ranges()"
# [[id, text covered]] of the open threads, as the highlight shows them
COVERED = f"{RANGES}.map(r => [r.id, {TEXT}.slice(r.from, r.to)])"
PHRASE = "门开着"


@pytest.fixture
def room():
    users = get_user_model().objects
    people = {}
    for name, full in (("lin", "林晚"), ("zhou", "周导")):
        people[name] = users.create_user(name, f"{name}@example.org", "a-long-password", first_name=full)
    project = create_project(user=people["lin"], title="同屋", slug="room", script_format="zh")
    Membership.objects.create(project=project, user=people["zhou"], role=Role.VIEWER)
    episode = create_episode(project=project, number=1, title="合租")
    create_scene(episode=episode, user=people["lin"], text="1-1 日 内 客厅\n△门开着。\n林晚：有人吗？\n")
    return episode


def open_episode(browser, base: str, username: str):  # noqa: F811
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    log_in(page, base, username, "a-long-password")
    page.goto(f"{base}/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    page.wait_for_function(f"{TEXT}.includes({PHRASE!r})")
    if username == "zhou":
        # The viewer is told once that the script is read-only; the notice moves the editor down.
        page.wait_for_selector("body[data-collab-notice=read_only]")
    return page


def select_with_mouse(page, phrase: str) -> None:
    """Drag over `phrase` in the editor, as a person would."""
    page.evaluate(
        """(phrase) => {
          const view = window.WritersRoomLive.session.editor.view;
          const at = view.state.doc.toString().indexOf(phrase);
          const { EditorView } = window.WritersRoomEditor.cm.view;
          view.dispatch({effects: EditorView.scrollIntoView(at, {y: "center"})});
        }""",
        phrase,
    )
    page.evaluate("new Promise(requestAnimationFrame)")
    box = page.evaluate(
        """(phrase) => {
          const view = window.WritersRoomLive.session.editor.view;
          const at = view.state.doc.toString().indexOf(phrase);
          const a = view.coordsAtPos(at, 1), b = view.coordsAtPos(at + phrase.length, -1);
          return {x1: a.left + 1, x2: b.right - 1, y: (a.top + a.bottom) / 2};
        }""",
        phrase,
    )
    page.mouse.move(box["x1"], box["y"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y"], steps=3)
    page.mouse.move(box["x2"], box["y"], steps=3)
    page.mouse.up()


def comment_on(page, phrase: str, body: str) -> None:
    select_with_mouse(page, phrase)
    page.wait_for_function(
        f"document.querySelector('#comments input[name=quote]').value === {phrase!r}"
        " && document.querySelector('#comments input[name=anchor_start]').value !== ''"
        " && document.querySelector('#comments input[name=anchor_end]').value !== ''"
    )
    quote = page.locator("#comments form.comment-form .comment-quote")
    assert quote.is_visible() and quote.text_content() == phrase
    page.fill("#comment-body", body)
    page.click("#add-comment")
    page.wait_for_selector(f"#comments li.thread:has-text({body!r})")


def test_a_viewer_comments_on_a_phrase_and_the_highlight_follows_it(asgi_server, browser, room) -> None:  # noqa: F811
    base = asgi_server.url
    lin = open_episode(browser, base, "lin")  # writer
    zhou = open_episode(browser, base, "zhou")  # viewer: read-only editor, may comment
    assert zhou.locator(".cm-content").get_attribute("contenteditable") == "false"

    comment_on(zhou, PHRASE, "<b>太平淡</b>，加点悬念")
    thread = Comment.objects.get()
    assert (thread.quote, thread.author.username, thread.parent) == (PHRASE, "zhou", None)
    assert thread.anchor_start and thread.anchor_end and thread.anchor_start != thread.anchor_end
    # escaped, as written
    assert zhou.locator("#comments li.thread .prewrap").text_content() == "<b>太平淡</b>，加点悬念"
    assert zhou.locator("#comments li.thread b").count() == 0
    zhou.wait_for_function(f"{COVERED}.length === 1 && {COVERED}[0][1] === {PHRASE!r}")
    assert zhou.evaluate(COVERED) == [[thread.pk, PHRASE]]
    zhou.wait_for_function(f"document.querySelector('.cm-wr-comment')?.textContent === {PHRASE!r}")

    # The writer sees the thread (after a reload, without the live push) and types before the phrase:
    # on the line above, and right before its first character.
    lin.reload()
    lin.wait_for_selector("body[data-collab-state=synced]")
    lin.wait_for_function(f"{COVERED}.length === 1 && {COVERED}[0][1] === {PHRASE!r}")
    lin.click(".cm-content .cm-line >> nth=0")
    lin.keyboard.press("End")
    lin.keyboard.type("，傍晚")
    lin.evaluate(
        """(phrase) => {
          const view = window.WritersRoomLive.session.editor.view;
          view.dispatch({selection: {anchor: view.state.doc.toString().indexOf(phrase)}});
        }""",
        PHRASE,
    )
    lin.keyboard.type("大")
    lin.wait_for_selector("body[data-unsynced='0']")
    for page in (lin, zhou):
        page.wait_for_function(f"{TEXT}.includes('傍晚') && {TEXT}.includes('大门开着')")
        page.wait_for_function(f"{COVERED}.length === 1 && {COVERED}[0][1] === {PHRASE!r}")
        page.wait_for_function(f"document.querySelector('.cm-wr-comment')?.textContent === {PHRASE!r}")
        assert page.locator(".cm-wr-comment").count() == 1

    # Clicking the thread selects its range; hovering it emphasizes the highlight.
    lin.click("#comments li.thread .comment-quote")
    lin.wait_for_function(
        f"""(() => {{ const s = window.WritersRoomLive.session.editor.view.state;
             return s.sliceDoc(s.selection.main.from, s.selection.main.to) === {PHRASE!r}; }})()"""
    )
    lin.hover("#comments li.thread .comment-quote")
    lin.wait_for_selector("#comments li.thread.emphasized")
    lin.wait_for_selector(".cm-wr-comment.cm-wr-comment-active", state="attached")
    lin.hover("#comments-title")
    lin.wait_for_selector(".cm-wr-comment-active", state="detached")

    # Resolving removes the highlight; reopening brings it back.
    zhou.click("#comments li.thread button[value=resolve]")
    zhou.wait_for_selector("#comments li.thread.resolved")
    zhou.wait_for_function(f"{RANGES}.length === 0")
    zhou.mouse.move(5, 5)
    zhou.wait_for_selector(".cm-wr-comment", state="detached")
    zhou.click("#comments li.thread button[value=reopen]")
    zhou.wait_for_selector("#comments li.thread:not(.resolved)")
    zhou.wait_for_function(f"{COVERED}.length === 1 && {COVERED}[0][1] === {PHRASE!r}")
    zhou.wait_for_selector(".cm-wr-comment")

    # The writer deletes the phrase: the thread is detached ("text removed"), nothing is highlighted.
    lin.evaluate(
        """(phrase) => {
          const view = window.WritersRoomLive.session.editor.view;
          const at = view.state.doc.toString().indexOf(phrase);
          view.dispatch({selection: {anchor: at - 1, head: at + phrase.length}});
          view.focus();
        }""",
        PHRASE,
    )
    lin.keyboard.press("Backspace")
    lin.wait_for_selector("body[data-unsynced='0']")
    zhou.wait_for_function(f"!{TEXT}.includes('门开') && {TEXT}.includes('傍晚')")
    zhou.wait_for_selector("#comments li.thread.detached .detached-note:not([hidden])")
    zhou.wait_for_function(f"{RANGES}.length === 1 && {RANGES}[0].from === {RANGES}[0].to")
    assert zhou.locator(".cm-wr-comment").count() == 0

    # A comment the server refuses (a tampered anchor) says why and keeps what was typed.
    select_with_mouse(zhou, "有人吗")
    zhou.wait_for_function("document.querySelector('#comments input[name=quote]').value === '有人吗'")
    zhou.evaluate("document.querySelector('#comments input[name=anchor_start]').value = '\"><b>'")
    zhou.fill("#comment-body", "再想想")
    zhou.click("#add-comment")
    zhou.wait_for_selector("#comments .comment-error:not([hidden])")
    assert zhou.input_value("#comment-body") == "再想想"
    assert Comment.objects.count() == 1


def test_a_comment_appears_live_in_the_other_browser(asgi_server, browser, room) -> None:  # noqa: F811
    """The live connection pushes the fresh thread list (topic "comments"); the highlight follows."""
    base = asgi_server.url
    lin = open_episode(browser, base, "lin")
    zhou = open_episode(browser, base, "zhou")
    lin.wait_for_function("document.body.dataset.live === 'open'")
    comment_on(zhou, PHRASE, "这里要停顿")
    lin.wait_for_selector("#comments li.thread:has-text('这里要停顿')", timeout=8000)
    lin.wait_for_function(f"{COVERED}.length === 1 && {COVERED}[0][1] === {PHRASE!r}")
    lin.wait_for_selector(".cm-wr-comment")
    # The writer resolves it: the viewer's highlight goes.
    lin.click("#comments li.thread button[value=resolve]")
    zhou.wait_for_selector("#comments li.thread.resolved", timeout=8000)
    zhou.mouse.move(5, 5)
    zhou.wait_for_selector(".cm-wr-comment", state="detached")
