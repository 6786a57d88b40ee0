"""Find and replace across the series (services/find_replace.py, views/find.py)."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts_app.collab import documents, store
from scripts_app.models import Scene, SceneVersion
from scripts_app.services import find_replace
from scripts_app.services.episodes import create_episode
from scripts_app.services.scenes import create_scene

from .base import BaseTestCase

SECOND = "2-1 夜 外 医院门口\n人物：林晚、Linda\n△林晚说完转身。张明追出来。\nLinda：Lin, wait.\n"


class FindReplaceTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.episode2 = create_episode(project=self.project, number=2, title="二")
        self.scene2 = create_scene(episode=self.episode2, user=self.alice, text=SECOND)

    def find(self, query: str, **kw):
        hits, more = find_replace.find_in_series(project=self.project, query=query, **kw)
        self.assertFalse(more)
        return hits

    def test_it_finds_hits_in_every_episode_with_a_preview(self):
        hits = self.find("张明")
        self.assertEqual([(h.episode, h.line) for h in hits], [(1, 2), (1, 3), (2, 3)])
        last = hits[-1]
        self.assertEqual(last.scene, "2-1 夜 外 医院门口")
        self.assertEqual((last.before, last.match, last.after), ("△林晚说完转身。", "张明", "追出来。"))

    def test_whole_words_keep_latin_words_whole_but_not_chinese(self):
        self.assertEqual(len(self.find("Lin")), 3)  # Linda twice, Lin once
        whole = self.find("Lin", whole_words=True)
        self.assertEqual([h.match for h in whole], ["Lin"])
        self.assertEqual(len(self.find("林晚", whole_words=True)), 2)  # 林晚说: Chinese has no spaces

    def test_case_and_regex_characters_are_literal(self):
        self.assertEqual(len(self.find("lin", case_sensitive=True)), 0)
        create_scene(episode=self.episode2, user=self.alice, text="2-2 日 内 书房\n△他写下 (.*) 和 a+b。\n")
        self.assertEqual([h.match for h in self.find("(.*)")], ["(.*)"])
        self.assertEqual(self.find("a+b")[0].match, "a+b")

    def test_bad_queries_get_a_message(self):
        for query in ("", "   ", "x" * 201, "a\nb"):
            with self.assertRaises(find_replace.FindError):
                self.find(query)

    def test_replace_all_is_one_step_in_each_touched_scene_history(self):
        store.get_or_create(episode=self.episode2)  # one episode live (a document), one not
        before = {s.pk: s.versions.count() for s in Scene.objects.all()}
        count, episodes = find_replace.replace_all(
            project=self.project, query="张明", replacement="张小明", user=self.bob
        )
        self.assertEqual((count, episodes), (3, 2))
        self.assertIn("张小明推门进来", Scene.objects.get(pk=self.scene.pk).text)
        self.assertIn("张小明追出来", documents.episode_text_now(episode=self.episode2))
        for scene in Scene.objects.all():
            self.assertEqual(scene.versions.count(), before[scene.pk] + 1, scene.text)
            self.assertEqual(scene.versions.order_by("-id").first().author, self.bob)
        self.assertEqual(self.find("张明"), [])

    def test_replace_one_changes_only_that_hit_and_refuses_a_stale_one(self):
        first = self.find("张明")[0]
        find_replace.replace_one(
            project=self.project,
            episode_number=1,
            start=first.start,
            query="张明",
            replacement="阿明",
            user=self.bob,
        )
        text = Scene.objects.get(pk=self.scene.pk).text
        self.assertIn("人物：阿明、张父", text)
        self.assertIn("△张明推门进来", text)
        with self.assertRaises(find_replace.StaleHit):
            find_replace.replace_one(
                project=self.project,
                episode_number=1,
                start=first.start,
                query="张明",
                replacement="x",
                user=self.bob,
            )

    def test_the_page_previews_hits_and_viewers_cannot_replace(self):
        url = reverse("series_find", args=["demo"])
        self.login(self.charlie)
        page = self.client.get(url, {"q": "林晚"})
        self.assertContains(page, "<mark>林晚</mark>说完转身", html=False)
        self.assertNotContains(page, "replace-one")
        post = self.client.post(
            reverse("series_replace", args=["demo"]), {"q": "林晚", "replacement": "x", "all": "1"}
        )
        self.assertEqual(post.status_code, 403)
        self.assertIn("林晚", Scene.objects.get(pk=self.scene2.pk).text)
        self.login(self.mallory)
        self.assertIn(self.client.get(url, {"q": "林晚"}).status_code, (403, 404))

    def test_a_writer_replaces_all_from_the_page(self):
        self.login(self.bob)
        response = self.client.post(
            reverse("series_replace", args=["demo"]),
            {"q": "林晚", "replacement": "苏晚", "all": "1"},
            follow=True,
        )
        self.assertContains(response, "Replaced 2 occurrences in 1 episode.")
        self.assertIn("人物：苏晚、Linda", Scene.objects.get(pk=self.scene2.pk).text)
        self.assertTrue(SceneVersion.objects.filter(scene=self.scene2, author=self.bob).exists())

    def test_user_text_is_escaped_in_the_preview(self):
        create_scene(
            episode=self.episode2, user=self.alice, text="2-2 日 内 书房\n△<script>alert(1)</script>\n"
        )
        self.login(self.bob)
        page = self.client.get(
            reverse("series_find", args=["demo"]), {"q": "alert", "replacement": "<b>x</b>"}
        )
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;")
        self.assertContains(page, "&lt;b&gt;x&lt;/b&gt;")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet="ab林晚 \n-", max_size=300),
    query=st.text(alphabet="ab林晚 ", min_size=1, max_size=4),
)
def test_hits_are_the_literal_occurrences(text, query):
    """Every hit is the query at its offset, on the line it says (a fuzz of the hit walk)."""
    if not query.strip():
        return
    regex = find_replace.pattern(query=query, case_sensitive=True)

    class Ep:  # the bits of an Episode the walk reads
        number = 1

        class project:  # noqa: N801
            script_format = "zh"

    hits = find_replace._hits_in(text, Ep, regex, 10_000)
    for hit in hits:
        assert text[hit.start : hit.end] == query
        assert text.count("\n", 0, hit.start) + 1 == hit.line
        assert hit.before.lstrip("…") in text.split("\n")[hit.line - 1]
