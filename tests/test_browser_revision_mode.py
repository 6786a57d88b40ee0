"""Revision mode: in a locked episode the live editor marks the lines changed since the last issued
draft with the next revision's colour and an asterisk, as the shooting script PDF marks them (a new
scene's heading included). Real chromium, daphne, Postgres."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from scripts_app.formats.elements import Kind
from scripts_app.models import Episode, Scene
from scripts_app.services import production
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene
from scripts_app.services.shooting_script import PrintRequest, printed_episodes

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

VIEW = "window.WritersRoomLive.session.editor.view"
MARKED = ".cm-line.wr-revised"


@pytest.fixture
def locked():
    lin = get_user_model().objects.create_user("lin", "lin@example.org", "a-long-password")
    project = create_project(user=lin, title="同屋", slug="room", script_format="zh")
    episode = create_episode(project=project, number=1, title="合租")
    create_scene(episode=episode, user=lin, text="1-1 日 内 客厅\n人物：林晚\n△门开着。\n林晚：谁？\n")
    create_scene(episode=episode, user=lin, text="1-2 夜 外 街\n△雨。\n")
    with transaction.atomic():
        production.lock_episode(episode=episode, user=lin)
    return episode


def test_changed_lines_carry_the_next_colour_and_an_asterisk_as_the_pdf_prints(
    asgi_server,
    browser,  # noqa: F811
    locked,
) -> None:
    page = browser.new_context(locale="en").new_page()
    log_in(page, asgi_server.url, "lin", "a-long-password")
    page.goto(f"{asgi_server.url}/p/room/e/1/")
    page.wait_for_selector("body[data-collab-state=synced][data-revision-mode=blue]")
    assert page.locator(MARKED).count() == 0
    assert "white" in page.inner_text("#status-revision") and "blue" in page.inner_text("#status-revision")

    # An edited line.
    page.click(".cm-content .cm-line:has-text('门开着')")
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("，风进来")
    page.wait_for_selector(f"{MARKED}:has-text('门开着，风进来')")
    # A new scene: its heading is marked too.
    scene = "\\n1-3 夜 内 医院走廊\\n△白墙。\\n"
    page.evaluate(f"{VIEW}.dispatch({{changes: {{from: {VIEW}.state.doc.length, insert: '{scene}'}}}})")
    page.wait_for_selector(f"{MARKED}:has-text('1-3 夜 内 医院走廊')")
    marked = page.locator(MARKED).all_inner_texts()
    assert marked == ["△门开着，风进来。", "1-3 夜 内 医院走廊", "△白墙。"]
    star = page.evaluate(f"getComputedStyle(document.querySelector('{MARKED}'), '::after').content")
    assert star == '"*"'
    assert page.locator(MARKED).first.get_attribute("data-revised") == "blue"

    # Saved, the PDF marks the same lines.
    page.keyboard.press("Control+s")
    page.wait_for_selector("body[data-save-state=saved]")
    assert Scene.objects.filter(episode=locked, text__contains="医院走廊").exists()
    project = Episode.objects.select_related("project").get(pk=locked.pk).project
    (printed,) = printed_episodes(project=project, request=PrintRequest())
    revised = [el for el, meta in zip(printed.elements, printed.meta, strict=True) if meta.revised]
    assert [el.kind for el in revised] == [Kind.ACTION, Kind.SCENE_HEADING, Kind.ACTION]
    assert "风进来" in revised[0].text and "白墙" in revised[2].text
