"""SmartType in the live editor: cues, 人物 names, headings and transitions complete from the bible,
in both formats; Tab and Enter accept; nothing pops up in dialogue. Real chromium, daphne, Postgres."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Character, Location, Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)

LINE = "(() => { const v = window.WritersRoomLive.session.editor.view; return v.state.doc.lineAt(v.state.selection.main.head).text; })()"  # noqa: E501
POPUP = ".cm-tooltip-autocomplete"
VIEW = "window.WritersRoomLive.session.editor.view"


@pytest.fixture
def series():
    users = get_user_model().objects
    lin = users.create_user("lin", "lin@example.org", "a-long-password", first_name="林晚")
    zh = create_project(user=lin, title="同屋", slug="room", script_format="zh")
    for name in ("林晚", "顾辰", "林父"):
        Character.objects.create(project=zh, name=name)
    Location.objects.create(project=zh, name="医院走廊")
    create_scene(
        episode=create_episode(project=zh, number=1), user=lin, text="1-1 日 内 客厅\n人物：林晚\n△门开着。\n"
    )
    fountain = create_project(user=lin, title="Heist", slug="heist", script_format="fountain")
    for name in ("Gu Chen", "Lin Wan"):
        Character.objects.create(project=fountain, name=name)
    Location.objects.create(project=fountain, name="Warehouse")
    create_scene(
        episode=create_episode(project=fountain, number=1), user=lin, text="INT. OFFICE - DAY\n\nRain.\n"
    )
    viewer = users.create_user("zhou", "zhou@example.org", "a-long-password")
    Membership.objects.create(project=zh, user=viewer, role=Role.VIEWER)
    return zh


def open_editor(browser, base: str, slug: str, user: str = "lin", episode: int = 1):  # noqa: F811
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, base, user, "a-long-password")
    page.goto(f"{base}/p/{slug}/e/{episode}/")
    page.wait_for_selector("body[data-collab-state=synced], body[data-collab-state=readonly]")
    # SmartType's names come from the server once the page is up.
    page.wait_for_function(
        "window.WritersRoomLive.features && document.body.dataset.revisionMode !== undefined"
    )
    return page


def at_end(page) -> None:
    page.click(".cm-content .cm-line >> nth=-1")
    page.keyboard.press("Control+End")


def line(page) -> str:
    return page.evaluate(LINE)


def popup_offers(page, label: str) -> None:
    page.wait_for_selector(f"{POPUP} li:has-text('{label}')")


def test_zh_cues_cast_and_headings_complete_from_the_bible(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_editor(browser, asgi_server.url, "room")
    at_end(page)

    # A cue at the start of an empty line: Tab accepts and writes the colon.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # "△" then an empty line
    page.keyboard.type("顾")
    popup_offers(page, "顾辰")
    page.keyboard.press("Tab")
    page.wait_for_function(f"{LINE} === '顾辰：'")

    # In dialogue nothing pops up, even for a name.
    page.keyboard.type("林")
    page.wait_for_function(f"{LINE} === '顾辰：林'")
    assert page.evaluate("window.WritersRoomLive.features.query()") == []
    assert page.locator(POPUP).count() == 0

    # A new heading: time of day, then 内/外, then the bible's location; Enter accepts.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("1-2 ")
    popup_offers(page, "夜")
    page.keyboard.type("夜")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{LINE} === '1-2 夜 '")
    popup_offers(page, "内外")
    page.keyboard.press("Tab")  # the first: 内
    page.wait_for_function(f"{LINE} === '1-2 夜 内 '")
    page.keyboard.type("医")
    popup_offers(page, "医院走廊")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{LINE} === '1-2 夜 内 医院走廊'")

    # The 人物 line offers the names not listed yet.
    page.keyboard.press("End")
    page.keyboard.press("Enter")  # the flow writes "人物："
    page.wait_for_function(f"{LINE}.startsWith('人物')")
    page.keyboard.type("林")
    popup_offers(page, "林父")
    assert sorted(page.evaluate("window.WritersRoomLive.features.completions()")) == ["林晚", "林父"]
    page.keyboard.press("Enter")
    page.keyboard.type("、")
    popup_offers(page, "顾辰")
    assert "林晚" not in page.evaluate("window.WritersRoomLive.features.completions()")


def test_zh_cues_offer_character_names_only(asgi_server, browser, series) -> None:  # noqa: F811
    """A 人物 line's notes (苏晓（旁观）) and group words (全员, 众人) are no names; a name the script
    uses that the bible does not know yet (沈星晴, a cue) is one."""
    text = "2-1 夜 内 客厅\n人物：苏晓（旁观）、全员、顾辰\n沈星晴：走。\n众人：（齐声）是！\n△门开着。\n"
    lin = get_user_model().objects.get(username="lin")
    create_scene(episode=create_episode(project=series, number=2), user=lin, text=text)
    page = open_editor(browser, asgi_server.url, "room", episode=2)
    names = page.evaluate("fetch('/p/room/e/2/editor-data/').then(r => r.json())")["characters"]
    # The bible's names, then the ones the script uses: never a note, never 全员 or 众人.
    assert set(names[:3]) == {"林晚", "顾辰", "林父"} and set(names[3:]) == {"苏晓", "沈星晴"}
    at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # "△" then an empty line
    page.keyboard.type("苏")
    popup_offers(page, "苏晓")
    assert page.evaluate("window.WritersRoomLive.features.query()") == ["苏晓"]
    page.keyboard.press("Tab")
    page.wait_for_function(f"{LINE} === '苏晓：'")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("沈")
    popup_offers(page, "沈星晴")
    assert page.evaluate("window.WritersRoomLive.features.query()") == ["沈星晴"]
    page.keyboard.press("Escape")
    for group in ("全", "众", "所"):
        page.keyboard.press("Backspace")
        page.keyboard.type(group)
        page.wait_for_function(f"{LINE} === '{group}'")
        assert page.evaluate("window.WritersRoomLive.features.query()") == []
    assert page.locator(POPUP).count() == 0


def test_fountain_headings_cues_and_transitions_complete(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_editor(browser, asgi_server.url, "heist")
    at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("INT")
    popup_offers(page, "INT./EXT.")
    page.keyboard.press("Tab")
    page.wait_for_function(f"{LINE} === 'INT. '")
    page.keyboard.type("wa")
    popup_offers(page, "WAREHOUSE")
    page.keyboard.press("Tab")
    page.wait_for_function(f"{LINE} === 'INT. WAREHOUSE - '")
    page.keyboard.type("NI")
    popup_offers(page, "NIGHT")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{LINE} === 'INT. WAREHOUSE - NIGHT'")
    # The status bar shows the heading as it prints: in capitals.
    page.wait_for_selector("#status-heading:has-text('INT. WAREHOUSE - NIGHT')")

    # A cue after a blank line, in capitals; the transitions are among the offers.
    page.keyboard.press("End")
    page.keyboard.press("Enter")  # the flow leaves a blank line and starts action
    page.keyboard.type("G")
    popup_offers(page, "GU CHEN")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{LINE} === 'GU CHEN'")
    page.keyboard.press("End")
    page.keyboard.press("Enter")  # to the dialogue line
    page.keyboard.type("Gu")
    page.wait_for_function(f"{LINE} === 'Gu'")
    assert page.evaluate("window.WritersRoomLive.features.query()") == []
    assert page.locator(POPUP).count() == 0
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("CU")
    popup_offers(page, "CUT TO:")
    page.keyboard.press("Escape")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into a cue: the cast is offered at once
    popup_offers(page, "LIN WAN")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{LINE} === 'LIN WAN'")

    # A heading typed in lower case shows in capitals in the status bar, as the PDF prints it.
    heading = "int. dock - day #4#\\n\\n"
    page.evaluate(f"{VIEW}.dispatch({{changes: {{from: 0, insert: '{heading}'}}, selection: {{anchor: 3}}}})")
    page.wait_for_selector("#status-heading:text-is('INT. DOCK - DAY')")


def test_the_bible_names_are_for_members_only(asgi_server, browser, series) -> None:  # noqa: F811
    page = open_editor(browser, asgi_server.url, "room", user="zhou")
    names = page.evaluate("fetch('/p/room/e/1/editor-data/').then(r => r.json())")
    assert set(names["characters"]) == {"林晚", "顾辰", "林父"}
    assert names["locations"] == ["医院走廊"]
    status = page.evaluate("fetch('/p/heist/e/1/editor-data/').then(r => r.status)")
    assert status in (403, 404)
