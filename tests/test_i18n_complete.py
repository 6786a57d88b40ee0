"""The zh-Hans UI is complete: every message has a translation, and the main pages read in Chinese
without leftover English (OMITTED, revision colours, "created" in history, half-translated sentences)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from scripts_app.services import production
from scripts_app.services.scenes import create_scene, delete_scene

from .base import BaseTestCase

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# English that belongs on a Chinese page: names of formats, tools, keys and settings, the industry's own
# words (OMITTED is printed in English in Chinese shooting scripts too, beside 已删除), and this test's data.
ALLOWED = set(
    """ai os vo v.o o.s omitted fountain pdf fdx docx csv txt word final draft courier prime noto cjk utf
    gb18030 letter a4 openai deepseek qwen ollama vllm llm llm_base_url llm_api_key llm_model llm_presets
    settings.py writersroom ctrl alt cmd shift tab enter esc demo alice bob charlie mallory example.org
    int ext day night cut fade cont'd more e-mail json markdown md dashscope worker token english hongguo
    douyin kuaishou reelshort dramabox shortmax us api gb""".split()
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’._-]*[A-Za-z]|[A-Za-z]")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}


class VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes (not scripts or styles), labels, titles, confirmations,
    and the sentences handed to JavaScript in data-* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if not value:
                continue
            if name in SHOWN_ATTRIBUTES or (name.startswith("data-") and " " in value.strip()):
                self.parts.append(value)
            elif tag == "input" and name == "value" and dict(attrs).get("type") in ("submit", "button"):
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data) -> None:
        if not self.skip and data.strip():
            self.parts.append(data)


def english_left(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        part = re.sub(r"%%|%\(\w+\)[sd]", " ", part)  # placeholders the page's JavaScript fills in
        words = [w for w in WORD.findall(part) if w.lower().strip("._-") not in ALLOWED]
        # Single letters are not English (A1, 12A).
        words = [w for w in words if len(w) > 1]
        if words:
            found.append(f"{part.strip()[:120]!r}: {words}")
    return found


class CatalogueTestCase(BaseTestCase):
    def test_every_message_has_a_chinese_translation(self) -> None:
        text = PO.read_text(encoding="utf-8")
        entries = text.split("\n\n")[1:]  # the first is the header
        empty = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\n?\Z', e.strip() + "\n", re.M)
                 and not re.search(r'^"', e.split("msgstr", 1)[1], re.M)]  # fmt: skip
        fuzzy = [e for e in entries if "#, fuzzy" in e and not e.lstrip().startswith("#~")]
        self.assertEqual(empty, [])
        self.assertEqual(fuzzy, [])


class ChinesePagesTestCase(BaseTestCase):
    maxDiff = None

    def setUp(self) -> None:
        super().setUp()
        self.second = create_scene(episode=self.episode, user=self.alice, text="1-2 夜 外 街道\n△雨。\n")
        create_scene(episode=self.episode, user=self.alice, text="1-3 夜 内 仓库\n△门开了。\n")
        production.lock_episode(episode=self.episode, user=self.alice)
        self.second.refresh_from_db()  # the lock gave it its number
        delete_scene(scene=self.second, user=self.alice)  # so it prints as OMITTED
        self.login(self.alice)

    def page(self, url: str, status: int = 200) -> str:
        response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(response.status_code, status, url)
        return response.content.decode()

    def test_the_main_pages_have_no_english_left(self) -> None:
        urls = [
            reverse("project_list"),
            reverse("project_detail", args=["demo"]),
            reverse("episode_detail", args=["demo", 1]),
            reverse("episode_read", args=["demo", 1]),
            reverse("scene_edit", args=["demo", self.scene.pk]),
            reverse("scene_history", args=["demo", self.scene.pk]),
            reverse("members", args=["demo"]),
            reverse("import", args=["demo"]),
            reverse("export", args=["demo"]),
            reverse("project_settings", args=["demo"]),
            reverse("episode_edit", args=["demo", 1]),
            reverse("character_new", args=["demo"]),
            reverse("ai_home", args=["demo"]),
            reverse("ai_episode", args=["demo", 1]),
        ]
        left = {url: english_left(self.page(url)) for url in urls}
        self.assertEqual({url: found for url, found in left.items() if found}, {})

    def test_omitted_scenes_revision_colours_and_history_read_in_chinese(self) -> None:
        episode = self.page(reverse("episode_detail", args=["demo", 1]))
        self.assertIn("已删除（OMITTED）", episode)
        self.assertIn("白色", episode)  # the white draft the lock issued
        history = self.page(reverse("scene_history", args=["demo", self.scene.pk]))
        self.assertIn("创建", history)
        self.assertNotIn(">created<", history)

    def test_error_pages_read_in_chinese(self) -> None:
        self.login(self.charlie)
        with self.settings(DEBUG=False):
            self.assertEqual(english_left(self.page(reverse("project_settings", args=["demo"]), 403)), [])
            self.assertEqual(english_left(self.page("/no/such/page/", 404)), [])
