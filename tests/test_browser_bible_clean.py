"""Issue 9, point 1, in Chromium: a writer types a scene slowly, with pauses that let the rows follow
the text each time, and the bible gains nothing until someone chooses to add a name (or merge it as
an alias of a known character) from the list of new names on the episode page.

Real parts throughout: Debian's chromium, daphne serving websockets, Redis, Postgres."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Character, Location, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark, wait_for_rows  # noqa: F401  (fixture and marks)

TEXT = "window.WritersRoomLive.session.ytext.toString()"
WHERE = {"episode__project__slug": "clean", "omitted": False}


@pytest.fixture
def room():
    users = get_user_model().objects
    lin = users.create_user("lin", "lin@example.org", "a-long-password")
    zhou = users.create_user("zhou", "zhou@example.org", "a-long-password")
    project = create_project(user=lin, title="干净的圣经", slug="clean", script_format="zh")
    Membership.objects.create(project=project, user=zhou, role=Role.VIEWER)
    Character.objects.create(project=project, name="林晚", look="白衬衫")
    Location.objects.create(project=project, name="客厅", int_ext="内")
    episode = create_episode(project=project, number=5, title="夜班")
    create_scene(episode=episode, user=lin, text="5-1 日 内 客厅\n△门开着。\n")
    return project


def open_episode(browser, base: str, username: str):  # noqa: F811
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, username, "a-long-password")
    page.goto(f"{base}/p/clean/e/5/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    return page


def bible_now(project) -> tuple[list[str], list[str]]:
    return (
        sorted(project.characters.values_list("name", flat=True)),
        sorted(project.locations.values_list("name", flat=True)),
    )


def type_slowly(page, pieces: list[str]) -> None:
    """Type piece by piece; after each, wait until the Scene rows have followed the text (the pause
    in which autosave used to file every prefix in the bible: 医, 医院, 医院走...)."""
    for piece in pieces:
        for i, line in enumerate(piece.split("\n")):
            if i:
                page.keyboard.press("Escape")  # no completion popup takes the Enter
                page.keyboard.press("Enter")
                page.keyboard.press("Shift+Home")  # what the editor put on the new line, typed over
            if line:
                page.keyboard.type(line)
        page.wait_for_selector("body[data-unsynced='0']")
        typed = page.evaluate(TEXT).rstrip("\n").rsplit("\n", 1)[-1]
        wait_for_rows(WHERE, lambda rows, t=typed: any(t in r.text for r in rows))


def test_typing_a_scene_slowly_adds_nothing_to_the_bible_until_a_writer_adds_a_name(
    asgi_server,
    browser,  # noqa: F811
    room,
) -> None:
    before = bible_now(room)
    lin = open_episode(browser, asgi_server.url, "lin")
    lin.click(".cm-content")
    lin.keyboard.press("Control+End")
    type_slowly(lin, ["\n5-2 夜 内 医", "院", "走", "廊", "\n人物：新", "角", "色", "甲"])
    wait_for_rows(WHERE, lambda rows: any(r.heading == "5-2 夜 内 医院走廊" for r in rows))
    assert bible_now(room) == before

    # The room sees the new names, live, where it looks: the episode page.
    new = lin.locator("#script-names .new-name[data-name='新角色甲']")
    new.wait_for()
    assert lin.locator("#script-names .new-name[data-name='医院走廊']").count() == 1
    assert lin.locator("#script-names .new-name[data-name='医院走']").count() == 0
    zhou = open_episode(browser, asgi_server.url, "zhou")  # a viewer sees the list, not the buttons
    zhou.locator("#script-names .new-name[data-name='新角色甲']").wait_for()
    assert zhou.locator("#script-names button").count() == 0

    new.locator("button.add-name").click()
    lin.wait_for_selector(".messages >> text=新角色甲")
    assert lin.locator("#script-names .new-name[data-name='新角色甲']").count() == 0
    assert bible_now(room) == (sorted([*before[0], "新角色甲"]), before[1])
    zhou.wait_for_function("!document.querySelector(\"#script-names .new-name[data-name='新角色甲']\")")


def test_a_name_the_script_uses_merges_as_an_alias_of_a_known_character(
    asgi_server,
    browser,  # noqa: F811
    room,
) -> None:
    lin = open_episode(browser, asgi_server.url, "lin")
    lin.click(".cm-content")
    lin.keyboard.press("Control+End")
    type_slowly(lin, ["\n5-2 夜 外 客厅", "\n人物：晚", "晚"])
    item = lin.locator("#script-names .new-name[data-name='晚晚']")
    item.wait_for()
    item.locator("select[name=character]").select_option(label="林晚")
    item.locator("button.merge-name").click()
    lin.wait_for_selector(".messages >> text=晚晚")
    assert lin.locator("#script-names .new-name[data-name='晚晚']").count() == 0
    assert Character.objects.get(project=room, name="林晚").aliases == "晚晚"
    assert not Character.objects.filter(project=room, name__in=["晚", "晚晚"]).exists()
