"""In a real browser: scenes reorder by keyboard (Alt+Arrow) and by dragging, and the order is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Membership, Role
from scripts_app.services.episodes import add_beat, create_episode
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
        add_beat(episode=episode, user=user, text=f"节拍{n}")
    return episode


# htmx wires the buttons of a freshly swapped list only when the swap settles (20 ms later by
# default, longer on a slow machine). Slowing that down here makes a page that depends on it fail
# every time instead of now and then.
SLOW_SETTLE = "addEventListener('DOMContentLoaded', () => { htmx.config.defaultSettleDelay = 400 })"


def places(headings) -> list[str]:
    # The order is what is checked; a move may renumber the headings ("1-2" -> "1-1"), not the places.
    return [heading.split()[-1] for heading in headings]


def page_order(page) -> list[str]:
    return places(page.locator("#scene-list .scene-heading").all_inner_texts())


def saved_order(episode) -> list[str]:
    return places(episode.scenes.values_list("heading", flat=True))


def test_a_writer_moves_a_scene_with_the_keyboard(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    page.add_init_script(SLOW_SETTLE)
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    page.locator("#scene-list .scene-link").first.focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[0].innerText.includes('房间2')"
    )
    assert page_order(page) == ["房间2", "房间1", "房间3"]
    # Focus stays on the moved scene, so pressing again keeps moving it.
    page.wait_for_function("(document.activeElement.closest('li') || {}).innerText?.includes('房间1')")
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[2].innerText.includes('房间1')"
    )
    assert saved_order(episode) == ["房间2", "房间3", "房间1"]


def test_a_writer_drags_a_scene_into_place(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    handles = page.locator("#scene-list .handle")
    # The drop moves the item in the page at once; wait for the server's answer before reloading.
    with page.expect_response(lambda r: r.url.endswith("/scenes/order/") and r.ok):
        handles.nth(2).drag_to(handles.nth(0))
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[0].innerText.includes('房间3')"
    )
    page.reload()
    assert page_order(page)[0] == "房间3"
    assert saved_order(episode)[0] == "房间3"


def test_two_quick_presses_move_a_scene_two_steps(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    page.add_init_script(SLOW_SETTLE)
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    page.locator("#scene-list .scene-link").first.focus()
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("Alt+ArrowDown")  # before the first move has come back
    page.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[2].innerText.includes('房间1')"
    )
    assert saved_order(episode) == ["房间2", "房间3", "房间1"]
    assert "房间1" in page.evaluate("document.activeElement.closest('li').innerText")


def test_a_writer_moves_a_beat_twice_with_the_keyboard(live_server, browser, episode) -> None:  # noqa: F811
    page = browser.new_page(locale="en-US")
    page.add_init_script(SLOW_SETTLE)
    log_in(page, live_server.url, "wen", "a-long-password")
    page.goto(f"{live_server.url}/p/order/e/1/")
    page.locator("#beats li[data-id] .move button").first.focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function("document.querySelectorAll('#beats .beat-text')[1].innerText === '节拍1'")
    page.wait_for_function("(document.activeElement.closest('li') || {}).innerText?.includes('节拍1')")
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_function("document.querySelectorAll('#beats .beat-text')[2].innerText === '节拍1'")
    assert list(episode.beats.values_list("text", flat=True)) == ["节拍2", "节拍3", "节拍1"]


def test_keyboard_moves_survive_the_live_echo(asgi_server, browser, episode) -> None:  # noqa: F811
    """On a live page each move also comes back over the websocket (to the mover too): the list is
    swapped again, and the focus must stay on the moved scene for the next key press. The other
    member's page follows without a reload."""
    lu = get_user_model().objects.create_user("lu", "lu@example.org", "a-long-password")
    Membership.objects.create(project=episode.project, user=lu, role=Role.VIEWER)
    pages = {}
    for name in ("wen", "lu"):
        page = browser.new_context(locale="en-US").new_page()
        page.add_init_script(SLOW_SETTLE)
        log_in(page, asgi_server.url, name, "a-long-password")
        page.goto(f"{asgi_server.url}/p/order/e/1/")
        page.wait_for_function("document.body.dataset.live === 'open'")
        pages[name] = page
    wen, viewer = pages["wen"], pages["lu"]
    wen.wait_for_function("document.querySelector('#presence').textContent.includes('lu · Episode 1')")

    wen.locator("#scene-list .scene-link").first.focus()
    wen.keyboard.press("Alt+ArrowDown")
    viewer.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[1].innerText.includes('房间1')"
    )
    wen.wait_for_timeout(300)  # the echo of the first move has arrived and been swapped in
    assert "房间1" in wen.evaluate("document.activeElement.closest('li').innerText")
    wen.keyboard.press("Alt+ArrowDown")
    viewer.wait_for_function(
        "document.querySelectorAll('#scene-list .scene-heading')[2].innerText.includes('房间1')"
    )
    assert saved_order(episode) == ["房间2", "房间3", "房间1"]
    assert viewer.locator("#scene-list .handle").count() == 0  # pushed to a viewer: no edit controls
