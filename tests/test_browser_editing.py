"""In a real browser (Debian's chromium via Playwright): a writer creates a series,
adds an episode, types a scene in the Chinese format, reloads and finds it formatted and saved."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Scene

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# `make test` installs chromium, so a missing browser is a failure there, not a skip; set
# ALLOW_NO_BROWSER=1 to run the rest of the suite on a machine that can't have one.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and os.environ.get("ALLOW_NO_BROWSER") == "1", reason="no chromium here"
    ),
]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def writer():
    return get_user_model().objects.create_user("wen", "wen@example.org", "a-long-password")


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def wait_for_rows(episode_filter: dict, predicate, timeout: float = 15.0):
    """The Scene rows follow the shared text a moment after typing stops."""
    deadline = time.monotonic() + timeout
    while True:
        scenes = list(Scene.objects.filter(**episode_filter).order_by("position"))
        if predicate(scenes):
            return scenes
        if time.monotonic() > deadline:
            raise AssertionError(f"rows did not follow: {[s.text for s in scenes]}")
        time.sleep(0.1)


def test_a_writer_types_a_chinese_scene_and_finds_it_saved_and_formatted(
    asgi_server, browser, writer
) -> None:
    base = asgi_server.url
    page = browser.new_page(locale="en-US")
    log_in(page, base, "wen", "a-long-password")

    page.click("text=New series")
    page.fill("#id_title", "契约新娘")
    page.select_option("#id_script_format", "zh")
    page.click("main button[type=submit]")
    page.click("text=New episode")
    page.fill("#id_title", "订婚宴")
    page.click("main button[type=submit]")

    # The episode page is the whole episode in one live editor.
    page.wait_for_selector("body[data-collab-state=synced]")
    page.click(".cm-content")
    kb = page.keyboard
    kb.type("1-1 日 内 张家客厅")
    kb.press("Enter")  # the editor starts the 人物 line
    kb.type("张明、张父")
    kb.press("Enter")  # then an action line with △
    kb.type("张明推门进来，手里攥着离婚协议。")
    kb.press("Enter")
    kb.press("Enter")  # a second Enter on an empty △ clears it for a speaker
    kb.type("张父：（放下酒杯）你还知道回来？")
    page.wait_for_selector("body[data-collab-state=synced][data-unsynced='0']", timeout=10_000)

    expected = [
        "1-1 日 内 张家客厅",
        "人物：张明、张父",
        "△张明推门进来，手里攥着离婚协议。",
        "张父：（放下酒杯）你还知道回来？",
    ]
    where = {"episode__project__title": "契约新娘"}
    scenes = wait_for_rows(where, lambda rows: len(rows) == 1 and rows[0].text.splitlines() == expected)
    scene = scenes[0]

    page.reload()
    page.wait_for_selector(".cm-line.cm-wr-heading")
    assert page.locator(".cm-line.cm-wr-heading").first.inner_text() == "1-1 日 内 张家客厅"
    assert page.locator(".cm-line.cm-wr-cast").first.inner_text() == "人物：张明、张父"
    assert "张明推门进来" in page.locator(".cm-line.cm-wr-action").first.inner_text()
    dialogue = page.locator(".cm-line.cm-wr-dialogue").first
    assert dialogue.locator(".cm-wr-character").inner_text().startswith("张父")
    assert "cm-wr-parenthetical" in dialogue.inner_html()

    assert (scene.number, scene.time_of_day, scene.int_ext, scene.heading) == (
        "1-1",
        "日",
        "内",
        "1-1 日 内 张家客厅",
    )
    # Typing adds nothing to the bible: the place is "new in the script" until someone adds it.
    assert scene.location is None

    # A second heading typed makes a second scene.
    page.click(".cm-content")
    kb.press("Control+End")
    kb.press("Enter")
    kb.press("Enter")
    kb.type("1-2 夜 外 天台")
    page.wait_for_selector("body[data-collab-state=synced][data-unsynced='0']", timeout=10_000)
    wait_for_rows(where, lambda rows: [r.heading for r in rows] == ["1-1 日 内 张家客厅", "1-2 夜 外 天台"])

    # The episode page shows the scene; the read view formats it.
    page.goto(f"{base}/p/{scene.episode.project.slug}/e/1/read/")
    assert page.locator(".el-heading").all_inner_texts() == ["1-1 日 内 张家客厅", "1-2 夜 外 天台"]
    assert page.locator(".el-speech .el-character").inner_text() == "张父："


def test_the_board_speaks_chinese_to_a_chinese_browser(asgi_server, browser, writer) -> None:
    base = asgi_server.url
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    log_in(page, base, "wen", "a-long-password")
    assert page.locator("h1").inner_text() == "你的剧集"
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("h1").inner_text() == "Your series"
