"""Two writers in two browsers type in the same scene of one episode at once; a viewer watches.

Real parts throughout: Debian's chromium, daphne serving websockets, Redis, Postgres."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.collab import store
from scripts_app.models import EpisodeDocument, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"


@pytest.fixture
def room():
    users = get_user_model().objects
    people = {}
    for name, full in (("lin", "林晚"), ("gu", "Gu Chen"), ("zhou", "周导")):
        people[name] = users.create_user(name, f"{name}@example.org", "a-long-password", first_name=full)
    project = create_project(user=people["lin"], title="同屋", slug="room", script_format="zh")
    Membership.objects.create(project=project, user=people["gu"], role=Role.WRITER)
    Membership.objects.create(project=project, user=people["zhou"], role=Role.VIEWER)
    episode = create_episode(project=project, number=1, title="合租")
    create_scene(episode=episode, user=people["lin"], text="1-1 日 内 客厅\n△门开着。\n")
    return episode


def open_episode(browser, base: str, username: str):  # noqa: F811
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, username, "a-long-password")
    page.goto(f"{base}/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    return page


def end_of_scene(page) -> None:
    page.click(".cm-content .cm-line >> nth=1")
    page.keyboard.press("End")


def test_two_writers_type_in_one_scene_at_once_and_a_viewer_watches(asgi_server, browser, room) -> None:  # noqa: F811
    base = asgi_server.url
    lin = open_episode(browser, base, "lin")
    gu = open_episode(browser, base, "gu")

    # Both type into the same scene, interleaved, without waiting for each other.
    end_of_scene(lin)
    end_of_scene(gu)
    for a, b in (("林晚进门", "顾辰抬头"), ("，放下包。", "，没说话。")):
        lin.keyboard.type(a)
        gu.keyboard.type(b)
    for page in (lin, gu):
        page.wait_for_function(f"{TEXT}.includes('放下包') && {TEXT}.includes('没说话')")
        page.wait_for_selector("body[data-unsynced='0']")
    assert lin.evaluate(TEXT) == gu.evaluate(TEXT)

    # Each sees the other's named cursor.
    lin.wait_for_selector(".cm-ySelectionInfo:has-text('Gu Chen')")
    gu.wait_for_selector(".cm-ySelectionInfo:has-text('林晚')")

    # A viewer sees the edits live and cannot type.
    zhou = open_episode(browser, base, "zhou")
    zhou.wait_for_function(f"{TEXT}.includes('放下包')")
    assert zhou.locator(".cm-content").get_attribute("contenteditable") == "false"
    gu.keyboard.type("又一句")
    zhou.wait_for_function(f"{TEXT}.includes('又一句')")
    zhou.click(".cm-content")
    zhou.keyboard.type("观众")
    gu.wait_for_selector("body[data-unsynced='0']")

    # A reload shows the same text, and so does the stored document (the viewer changed nothing).
    final = gu.evaluate(TEXT)
    lin.wait_for_function(f"{TEXT} === {final!r}")
    lin.reload()
    lin.wait_for_selector("body[data-collab-state=synced]")
    assert lin.evaluate(TEXT) == final
    assert "观众" not in final
    stored = store.text_of(store.load(document=EpisodeDocument.objects.get(episode=room)).doc)
    assert stored == final


def test_undo_takes_back_only_the_writers_own_typing(asgi_server, browser, room) -> None:  # noqa: F811
    base = asgi_server.url
    lin = open_episode(browser, base, "lin")
    gu = open_episode(browser, base, "gu")
    end_of_scene(lin)
    lin.keyboard.type("林晚的话")
    gu.wait_for_function(f"{TEXT}.includes('林晚的话')")
    end_of_scene(gu)
    gu.keyboard.type("顾辰的话")
    lin.wait_for_function(f"{TEXT}.includes('顾辰的话')")
    lin.keyboard.press("Control+z")
    for page in (lin, gu):
        page.wait_for_function(f"!{TEXT}.includes('林晚的话') && {TEXT}.includes('顾辰的话')")


def test_a_writer_keeps_typing_through_a_server_restart(asgi_server, browser, room) -> None:  # noqa: F811
    base = asgi_server.url
    lin = open_episode(browser, base, "lin")
    end_of_scene(lin)
    asgi_server.kill()
    lin.wait_for_selector("body[data-collab-state=reconnecting], body[data-collab-state=offline]")
    lin.keyboard.type("断线时写的")
    lin.wait_for_function("Number(document.body.dataset.unsynced) > 0")
    assert "未同步" in lin.locator("#collab-status").inner_text()
    asgi_server.start()
    lin.wait_for_selector("body[data-collab-state=synced][data-unsynced='0']", timeout=30_000)
    stored = store.text_of(store.load(document=EpisodeDocument.objects.get(episode=room)).doc)
    assert "断线时写的" in stored
