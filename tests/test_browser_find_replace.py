"""Find and replace in chromium: in the episode (the editor's panel) and across the series (the server
page), whose replacement reaches an open editor live. Viewers cannot replace."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Membership, Role, Scene
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"


@pytest.fixture
def series():
    users = get_user_model().objects
    lin = users.create_user("lin", "lin@example.org", "a-long-password")
    zhou = users.create_user("zhou", "zhou@example.org", "a-long-password")
    project = create_project(user=lin, title="同屋", slug="room", script_format="zh")
    Membership.objects.create(project=project, user=zhou, role=Role.VIEWER)
    one = create_episode(project=project, number=1)
    create_scene(episode=one, user=lin, text="1-1 日 内 客厅\n人物：晚晚\n△晚晚推门。\n晚晚：我回来了。\n")
    two = create_episode(project=project, number=2)
    create_scene(episode=two, user=lin, text="2-1 夜 外 街\n△晚晚跑过街角。\n")
    return project


def open_page(browser, base, user, path):  # noqa: F811
    page = browser.new_context(locale="en").new_page()
    log_in(page, base, user, "a-long-password")
    page.goto(base + path)
    return page


def test_find_and_replace_in_the_episode(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_page(browser, asgi_server.url, "lin", "/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=synced]")
    page.click("#find-open")
    page.fill(".cm-search input[name=search]", "晚晚")
    page.fill(".cm-search input[name=replace]", "林晚")
    page.click(".cm-search button[name=next]")  # selects a hit
    page.click(".cm-search button[name=replace]")  # replaces it
    page.wait_for_function(f"{TEXT}.split('林晚').length === 2")
    page.click(".cm-search button[name=replaceAll]")
    page.wait_for_function(f"!{TEXT}.includes('晚晚') && {TEXT}.split('林晚').length === 4")


def test_a_viewer_finds_but_cannot_replace(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_page(browser, asgi_server.url, "zhou", "/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=readonly]")
    page.click("#find-open")
    page.wait_for_selector(".cm-search input[name=search]")
    assert page.locator(".cm-search input[name=replace]").count() == 0
    series_page = open_page(browser, asgi_server.url, "zhou", "/p/room/find/?q=晚晚")
    assert series_page.locator(".find-hit").count() == 4
    assert series_page.locator(".replace-one, #replace-all").count() == 0


def test_a_series_replace_reaches_an_open_editor_live(asgi_server, browser, series) -> None:  # noqa: F811
    editor = open_page(browser, asgi_server.url, "lin", "/p/room/e/1/")
    editor.wait_for_selector("body[data-collab-state=synced]")
    finder = open_page(browser, asgi_server.url, "lin", "/p/room/find/")
    finder.fill("#find-q", "晚晚")
    finder.fill("#find-replacement", "林晚")
    finder.click("#find-submit")
    finder.wait_for_selector("#find-count")
    previews = finder.locator(".find-preview").all_inner_texts()
    assert previews[1] == "△晚晚林晚推门。"  # the hit, struck through, and its replacement
    assert finder.locator(".find-episode").count() == 2

    # Replace one (episode 2's), then all the rest.
    finder.locator(".find-episode[data-episode='2'] .replace-one").click()
    finder.wait_for_selector(".msg-success")
    assert "林晚跑过街角" in Scene.objects.get(episode__number=2).text
    assert finder.locator(".find-hit").count() == 3
    finder.once("dialog", lambda dialog: dialog.accept())
    finder.click("#replace-all")
    finder.wait_for_selector(".msg-success:has-text('Replaced 3 occurrences')")
    editor.wait_for_function(f"!{TEXT}.includes('晚晚') && {TEXT}.includes('林晚推门')")
    assert finder.locator(".find-hit").count() == 0
