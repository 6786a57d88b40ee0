"""In a real browser: scenes reorder by keyboard (Alt+Arrow) and by dragging, and the order is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)


@pytest.fixture
def episode():
    user = get_user_model().objects.create_user("wen", "wen@example.org", "a-long-password")
    project = create_project(user=user, title="Order", slug="order", script_format="zh")
    episode = create_episode(project=project, number=1)
    for n in (1, 2, 3):
        create_scene(episode=episode, user=user, text=f"1-{n} 日 内 房间{n}\n△第{n}场。\n")
    return episode


def headings(page) -> list[str]:
    return page.locator("#scene-list .scene-heading").all_inner_texts()


def test_a_writer_moves_a_scene_with_the_keyboard(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    page.locator("#scene-list .scene-link").first.focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[0].innerText.includes('房间2')"
    )
    assert headings(page) == ["1-2 日 内 房间2", "1-1 日 内 房间1", "1-3 日 内 房间3"]
    # Focus stays on the moved scene, so pressing again keeps moving it.
    page.wait_for_function("(document.activeElement.closest('li') || {}).innerText?.includes('房间1')")
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[2].innerText.includes('房间1')"
    )
    assert list(episode.scenes.values_list("heading", flat=True)) == [
        "1-2 日 内 房间2",
        "1-3 日 内 房间3",
        "1-1 日 内 房间1",
    ]


def test_a_writer_drags_a_scene_into_place(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    handles = page.locator("#scene-list .handle")
    handles.nth(2).drag_to(handles.nth(0))
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[0].innerText.includes('房间3')"
    )
    page.reload()
    assert headings(page)[0] == "1-3 日 内 房间3"
    assert episode.scenes.values_list("heading", flat=True)[0] == "1-3 日 内 房间3"
