"""The episode as one shared document: scenes derived from its text, and the one door for changes."""

from __future__ import annotations

import unittest

import pycrdt
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts_app.collab import documents, episode_text, store, textdiff
from scripts_app.models import Beat, EpisodeDocument, Scene, SceneVersion
from scripts_app.services import production
from scripts_app.services.episodes import add_beat, create_episode
from scripts_app.services.scenes import create_scene, delete_scene, restore_omitted, restore_version

from .base import BaseTestCase

SECOND = "1-2 夜 外 天台\n△风很大。\n"


class DocumentTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.second = create_scene(episode=self.episode, user=self.bob, text=SECOND)

    def document(self) -> EpisodeDocument:
        return store.get_or_create(episode=self.episode)

    def text(self) -> str:
        return store.text_of(store.load(document=self.document()).doc)

    def type_into(self, new_text: str, user) -> None:
        """What a connected editor does: an update in the log, then the rows follow."""
        documents.change_text(episode=self.episode, change=lambda _old: new_text, user=user)

    def headings(self) -> list[str]:
        return list(self.episode.scenes.filter(omitted=False).values_list("heading", flat=True))

    def test_it_makes_the_document_once_from_the_scenes(self) -> None:
        first = self.document()
        again = self.document()
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(self.text(), self.scene.text + "\n" + SECOND)

    def test_a_heading_typed_makes_a_new_scene(self) -> None:
        self.document()
        text = self.text() + "\n1-3 日 外 街道\n△雨停了。\n"
        self.type_into(text, self.bob)
        self.assertEqual(self.headings(), ["1-1 日 内 张家客厅", "1-2 夜 外 天台", "1-3 日 外 街道"])
        new = self.episode.scenes.get(heading="1-3 日 外 街道")
        self.assertEqual(new.versions.get().author, self.bob)

    def test_deleting_a_heading_merges_two_scenes_and_keeps_the_beats(self) -> None:
        self.document()
        beat = add_beat(episode=self.episode, user=self.bob, text="天台对峙", scene=self.second)
        self.type_into(self.text().replace("1-2 夜 外 天台\n", ""), self.bob)
        self.assertEqual(self.headings(), ["1-1 日 内 张家客厅"])
        self.assertIn("风很大", self.episode.scenes.get().text)
        self.assertEqual(Beat.objects.get(pk=beat.pk).scene_id, self.scene.pk)

    def test_an_edited_scene_keeps_its_identity_and_history(self) -> None:
        self.document()
        self.type_into(self.text().replace("风很大", "风停了"), self.alice)
        second = Scene.objects.get(pk=self.second.pk)
        self.assertIn("风停了", second.text)
        self.assertEqual(second.versions.first().author, self.alice)
        self.assertEqual(Scene.objects.get(pk=self.scene.pk).text, self.scene.text)

    def test_the_door_merges_with_an_editor_typing_elsewhere(self) -> None:
        document = self.document()
        # A connected editor has the document and types in scene 2; its update is not stored yet.
        editor = pycrdt.Doc()
        editor.apply_update(store.load(document=document).doc.get_update())
        text = editor.get(store.TEXT, type=pycrdt.Text)
        before = editor.get_state()
        at = str(text).index("风很大")
        text.insert(len(str(text)[:at].encode()), "狂")
        typing = editor.get_update(before)
        # Meanwhile a version of scene 1 is restored through the door.
        version = SceneVersion.objects.create(
            scene=self.scene, text="1-1 日 内 张家客厅\n△旧版。\n", author=self.bob
        )
        restore_version(scene=self.scene, version=version, user=self.alice)
        stored = store.load(document=document).doc
        stored.apply_update(typing)
        merged = store.text_of(stored)
        self.assertIn("旧版", merged)
        self.assertIn("狂风很大", merged)
        self.assertNotIn("推门进来", merged)

    def test_the_door_sends_a_small_diff_not_the_whole_text(self) -> None:
        self.document()
        long_scene = "1-2 夜 外 天台\n" + "△风很大，雨也很大。\n" * 300
        self.type_into(self.text().replace(SECOND, long_scene), self.bob)
        documents.replace_scene_text(scene=self.scene, text=self.scene.text + "△加一句。\n", user=self.bob)
        update = bytes(self.document().updates.order_by("-seq").first().data)
        # An insert of a few characters, not a replace-all of the 3,000-character episode.
        self.assertLess(len(update), 120)
        self.assertIn("加一句", self.text())
        self.assertEqual(self.text().count("风很大，雨也很大"), 300)

    def test_scene_order_renumbers_an_unlocked_episode(self) -> None:
        self.document()
        documents.reorder_scenes(
            episode=self.episode, ordered_ids=[self.second.pk, self.scene.pk], user=self.bob
        )
        self.assertTrue(self.text().startswith("1-1 夜 外 天台"))
        self.assertEqual(self.headings(), ["1-1 夜 外 天台", "1-2 日 内 张家客厅"])

    def test_an_unlocked_scene_deleted_from_the_scene_list_leaves_the_text_and_the_rows(self) -> None:
        self.document()
        delete_scene(scene=Scene.objects.get(pk=self.second.pk), user=self.bob)
        self.assertFalse(Scene.objects.filter(pk=self.second.pk).exists())
        self.assertNotIn("天台", self.text())
        self.assertEqual(self.headings(), ["1-1 日 内 张家客厅"])

    def test_a_locked_scene_deleted_from_the_text_prints_as_omitted_and_can_come_back(self) -> None:
        production.lock_episode(episode=self.episode, user=self.alice)
        self.document()
        delete_scene(scene=Scene.objects.get(pk=self.second.pk), user=self.bob)
        second = Scene.objects.get(pk=self.second.pk)
        self.assertTrue(second.omitted)
        self.assertNotIn("天台", self.text())
        restore_omitted(scene=second, user=self.bob)
        self.assertFalse(Scene.objects.get(pk=self.second.pk).omitted)
        self.assertIn("1-2 夜 外 天台", self.text())

    def test_a_locked_fountain_scene_carries_its_number_in_its_heading(self) -> None:
        project = self.screenplay("INT. HOUSE - DAY\n\nBob waits.\n", slug="locked-fountain")
        episode = project.episodes.get()
        create_scene(episode=episode, user=self.alice, text="EXT. ROOF - NIGHT\n\nWind.\n")
        production.lock_episode(episode=episode, user=self.alice)
        document = store.get_or_create(episode=episode)
        text = store.text_of(store.load(document=document).doc)
        self.assertIn("INT. HOUSE - DAY #1#", text)
        self.assertIn("EXT. ROOF - NIGHT #2#", text)
        # A scene typed between them is new: it prints as 1A, and the others keep their numbers.
        new_text = text.replace("EXT. ROOF", "INT. CAR - DAY\n\nDriving.\n\nEXT. ROOF")
        documents.change_text(episode=episode, change=lambda _old: new_text, user=self.bob)
        from scripts_app.selectors import shooting_numbers

        episode.refresh_from_db()
        scenes = list(episode.scenes.all())
        self.assertEqual(list(shooting_numbers(episode=episode, scenes=scenes).values()), ["1", "1A", "2"])

    def test_an_issued_revision_still_marks_what_changed(self) -> None:
        production.lock_episode(episode=self.episode, user=self.alice)
        self.document()
        self.type_into(self.text().replace("风很大", "风停了"), self.bob)
        revision = production.issue_revision(episode=self.episode, user=self.alice)
        self.assertEqual(revision.color, "blue")


class TextDiffTestCase(unittest.TestCase):
    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet="ab\n中文😀 ", max_size=60), st.text(alphabet="ab\n中文😀 ", max_size=60))
    def test_diff_turns_one_text_into_the_other(self, old: str, new: str) -> None:
        self.assertEqual(textdiff.apply(old, textdiff.diff(old, new)), new)

    @settings(max_examples=100, deadline=None)
    @given(
        st.text(alphabet="1-2 日内夜外△人物：张\nINT.EXT #", max_size=200),
        st.sampled_from(["zh", "fountain"]),
    )
    def test_splitting_an_episode_loses_no_text(self, text: str, fmt: str) -> None:
        chunks = episode_text.split(text, fmt)
        if text.strip():
            self.assertEqual("".join(text[c.start : c.end] for c in chunks), text)
        else:
            self.assertEqual(chunks, [])

    def test_a_long_hostile_line_splits_in_linear_time(self) -> None:
        # 200,000 characters of one repeated shape: no quadratic blow-up (fast enough to run in a test).
        for line in ("【" + " " * 200_000, "1-" * 100_000, "INT." + "#" * 200_000):
            episode_text.split(line + "\n△x\n", "zh")
            episode_text.split("\n" + line + "\n\nx\n", "fountain")


class EmptyEpisodeTestCase(BaseTestCase):
    def test_a_new_episode_gets_an_empty_document_and_its_first_heading_makes_a_scene(self) -> None:
        episode = create_episode(project=self.project, number=2)
        document = store.get_or_create(episode=episode)
        self.assertEqual(store.text_of(store.load(document=document).doc), "")
        documents.change_text(episode=episode, change=lambda _old: "2-1 日 内 医院\n△醒来。\n", user=self.bob)
        self.assertEqual(list(episode.scenes.values_list("heading", flat=True)), ["2-1 日 内 医院"])


class HttpSaveTestCase(BaseTestCase):
    def test_the_http_save_for_clients_without_websockets_goes_through_the_document(self) -> None:
        from django.urls import reverse

        document = store.get_or_create(episode=self.episode)
        self.login(self.bob)
        scene = Scene.objects.get(pk=self.scene.pk)
        text = scene.text + "△张明转身离开。\n"
        response = self.client.post(
            reverse("scene_save", args=["demo", scene.pk]), {"text": text, "revision": scene.revision}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("张明转身离开", store.text_of(store.load(document=document).doc))
        self.assertEqual(Scene.objects.get(pk=scene.pk).text, text)
        # A save from an older revision is refused, not merged by hand.
        response = self.client.post(
            reverse("scene_save", args=["demo", scene.pk]),
            {"text": "1-1 日 内 别处\n", "revision": scene.revision},
        )
        self.assertEqual(response.status_code, 409)


class MoveKeepsIdentityTestCase(BaseTestCase):
    def test_moving_a_scene_moves_the_row_not_the_text(self) -> None:
        third = create_scene(episode=self.episode, user=self.bob, text="1-3 日 内 房间3\n△第3场。\n")
        second = create_scene(
            episode=self.episode, user=self.bob, text="1-2 日 内 房间2\n△第2场。\n", position=2
        )
        store.get_or_create(episode=self.episode)
        beat = add_beat(episode=self.episode, user=self.bob, text="第一场的戏", scene=self.scene)
        documents.reorder_scenes(
            episode=self.episode, ordered_ids=[second.pk, self.scene.pk, third.pk], user=self.bob
        )
        first_row = Scene.objects.get(pk=self.scene.pk)
        self.assertIn("张家客厅", first_row.text)  # the row kept its own text
        self.assertEqual(first_row.position, 2)
        self.assertTrue(first_row.text.startswith("1-2 "))  # renumbered to its new place
        self.assertEqual(Beat.objects.get(pk=beat.pk).scene_id, self.scene.pk)
        self.assertTrue(Scene.objects.get(pk=second.pk).text.startswith("1-1 日 内 房间2"))
