"""Ctrl/Cmd+S in the live editor saves at once (the rows are written now, no browser dialog), and
every in-app link saves first, so leaving right after typing loses nothing. Real chromium, daphne."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Membership, Role, Scene
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

# A listener after ours (bubbling, on window) sees whether the browser's own action was stopped.
WATCH_KEYS = (
    "window.addEventListener('keydown', "
    "(e) => { if (e.key === 's') window.__sPrevented = e.defaultPrevented; })"
)


@pytest.fixture
def series():
    users = get_user_model().objects
    lin = users.create_user("lin", "lin@example.org", "a-long-password")
    zhou = users.create_user("zhou", "zhou@example.org", "a-long-password")
    project = create_project(user=lin, title="同屋", slug="room", script_format="zh")
    Membership.objects.create(project=project, user=zhou, role=Role.VIEWER)
    for n in (1, 2):
        episode = create_episode(project=project, number=n)
        create_scene(episode=episode, user=lin, text=f"{n}-1 日 内 客厅\n△门开着。\n")
    return project


def open_episode(browser, base, user="lin"):  # noqa: F811
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, user, "a-long-password")
    page.goto(f"{base}/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    page.evaluate(WATCH_KEYS)
    return page


def type_at_end(page, text: str) -> None:
    page.click(".cm-content .cm-line:has-text('门开着')")
    page.keyboard.press("End")
    page.keyboard.type(text)


def scene_text(number: int) -> str:
    return Scene.objects.get(episode__project__slug="room", episode__number=number).text


def test_ctrl_s_writes_the_rows_at_once(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_episode(browser, asgi_server.url)
    type_at_end(page, "风进来")
    page.keyboard.press("Control+s")
    page.wait_for_selector("body[data-save-state=saved]")
    assert page.evaluate("window.__sPrevented") is True  # no "Save page" dialog
    assert page.inner_text("#save-status") == "已保存"
    assert page.locator("#collab-notice").is_hidden()  # a save is no alert
    # Without a save the rows follow 1.5 s after typing stops; saved, they are there now.
    assert "门开着。风进来" in scene_text(1)


def test_leaving_by_a_link_right_after_typing_loses_nothing(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_episode(browser, asgi_server.url)
    type_at_end(page, "下一集之前")
    page.click("a[rel=next]")
    page.wait_for_url("**/p/room/e/2/")
    assert "下一集之前" in scene_text(1)
    # The board too: type, follow the series link, the board shows the saved rows.
    page.wait_for_selector("body[data-collab-state=synced]")
    type_at_end(page, "看板之前")
    page.click("#save-now")  # the button does what Ctrl+S does
    page.wait_for_selector("body[data-save-state=saved]")
    assert "看板之前" in scene_text(2)


def test_a_viewer_has_nothing_to_save(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_episode(browser, asgi_server.url, user="zhou")
    assert page.locator("#save-now").count() == 0
    page.click(".cm-content")
    page.keyboard.press("Control+s")
    page.wait_for_function("window.__sPrevented === true")
    page.click("a[rel=next]")  # a viewer's link is a plain link
    page.wait_for_url("**/p/room/e/2/")
