"""A writer who types the prefix the editor already put at the start of a line gets it once.

Enter after a zh heading starts "人物：" and after the 人物 line "△"; typing them again would make a
character called "人物：林晚" and print two triangles."""

from __future__ import annotations

from scripts_app.models import Scene

from .test_browser_editing import browser, pytestmark, wait_for_rows  # noqa: F401  (fixture and marks)
from .test_browser_live_room import TEXT, end_of_scene, open_episode, room  # noqa: F401


def test_a_prefix_typed_again_is_kept_once(asgi_server, browser, room) -> None:  # noqa: F811
    page = open_episode(browser, asgi_server.url, "gu")
    end_of_scene(page)
    kb = page.keyboard
    kb.press("Enter")
    kb.press("Enter")
    kb.type("1-2 夜 内 医院走廊")
    kb.press("Escape")  # SmartType's list, if it opened
    kb.press("End")
    kb.press("Enter")  # the editor starts the line with 人物：
    kb.type("人物：林晚")
    kb.press("Escape")
    kb.press("End")
    kb.press("Enter")  # ... and this one with △
    kb.type("△她推门进来。")
    page.wait_for_function(f"{TEXT}.includes('她推门进来')")
    text = page.evaluate(TEXT)
    assert "人物：林晚\n" in text and "人物：人物" not in text
    assert "△她推门进来。" in text and "△△" not in text
    page.wait_for_selector("body[data-unsynced='0']")
    scenes = wait_for_rows({"episode": room}, lambda rows: len(rows) == 2 and "推门" in rows[1].text)
    assert "人物：林晚\n△她推门进来。" in scenes[1].text
    assert Scene.objects.filter(episode=room).count() == 2
