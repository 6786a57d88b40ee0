"""Errors that used to be a 500 are a clear message, with nothing changed."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from scripts_app.formats import detect, docx
from scripts_app.models import Character, Episode, Membership, Role
from scripts_app.services import episodes, imports, production, projects
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .base import PASSWORD, BaseTestCase

ZH_EPISODE = "1-1 日 内 客厅\n△他来了。\n张三：你好。\n"


class EpisodeNumberTestCase(BaseTestCase):
    def import_file(self, text: str, name: str = "script.txt", user=None):
        self.login(user or self.bob)
        upload = SimpleUploadedFile(name, text.encode("utf-8"))
        return self.client.post(
            reverse("import", args=["demo"]), {"file": upload, "format": "auto"}, follow=True
        )

    def test_it_refuses_an_episode_number_past_the_integer_range(self) -> None:
        for heading in (
            "第99999999999999999999集",
            "第一二三四五六七八九一二三四五六七八九一二三集",
            "第3000000000集",
        ):
            response = self.import_file(f"{heading} 太长\n{ZH_EPISODE}")
            self.assertEqual(response.status_code, 200, heading)
            self.assertContains(response, "Nothing was imported")
            self.assertContains(response, "episodes are numbered 1 to 99,999")
        self.assertEqual(list(self.project.episodes.values_list("number", flat=True)), [1])

    def test_it_refuses_a_fountain_episode_past_the_integer_range(self) -> None:
        for number in ("99999999999999999999", "3000000000", "9" * 5000):
            project = create_project(
                user=self.alice, title="S", slug=f"s{len(number)}", script_format="fountain"
            )
            text = f"# Episode {number}\n\nINT. ROOM - DAY\n\nBob waits.\n".encode()
            with self.assertRaisesMessage(imports.ImportFailed, "episodes are numbered 1 to 99,999"):
                imports.import_script(project=project, data=text, user=self.alice, filename="x.fountain")
            self.assertFalse(project.episodes.exists())

    def test_the_episode_form_refuses_numbers_past_the_range(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("episode_create", args=["demo"]),
            {"number": 3_000_000_000, "title": "x", "status": "draft"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Episode numbers run from 1 to 99999.")
        self.assertFalse(self.project.episodes.filter(number=3_000_000_000).exists())

    def test_the_episode_service_refuses_numbers_past_the_range(self) -> None:
        with self.assertRaises(episodes.EpisodeNumberError):
            episodes.create_episode(project=self.project, number=2**31)
        with self.assertRaises(episodes.EpisodeNumberError):
            episodes.update_episode(episode=self.episode, number=2**31)


class LockedEpisodeNumberTestCase(BaseTestCase):
    def lock(self) -> None:
        Episode.objects.filter(pk=self.episode.pk).update(locked_at=timezone.now(), status="locked")
        self.episode.refresh_from_db()

    def test_a_writer_cannot_renumber_a_locked_episode_through_its_form(self) -> None:
        self.lock()
        for user in (self.bob, self.alice):
            self.login(user)
            self.client.post(
                reverse("episode_edit", args=["demo", 1]), {"number": 7, "title": "改名", "status": "locked"}
            )
            self.episode.refresh_from_db()
            self.assertEqual(self.episode.number, 1)
        self.assertEqual(self.episode.title, "改名")  # the rest of the form still saves

    def test_the_service_keeps_a_locked_episodes_number(self) -> None:
        self.lock()
        with self.assertRaisesMessage(episodes.EpisodeNumberError, "A locked episode keeps its number."):
            episodes.update_episode(episode=self.episode, number=7)


class LockRaceTestCase(BaseTestCase):
    """A writer's edit loaded before the showrunner locked the episode, saved after: the lock wins.

    Deterministic: the episode is loaded, locked through production.py, then updated with the instance
    loaded before (what the edit request held), as scratch10/lock_race.py did."""

    def stale_then_locked(self) -> Episode:
        stale = Episode.objects.get(pk=self.episode.pk)  # the writer's edit request loads the episode
        production.lock_episode(episode=Episode.objects.get(pk=self.episode.pk), user=self.alice)
        return stale

    def assert_still_locked(self, number: int = 1) -> Episode:
        episode = Episode.objects.get(pk=self.episode.pk)
        self.assertEqual(episode.number, number)
        self.assertIsNotNone(episode.locked_at)
        self.assertEqual(episode.status, Episode.Status.LOCKED)
        self.assertEqual(list(episode.scenes.values_list("locked_number", flat=True)), ["1-1"])
        return episode

    def test_a_stale_edit_cannot_renumber_an_episode_locked_meanwhile(self) -> None:
        stale = self.stale_then_locked()
        with self.assertRaisesMessage(episodes.EpisodeNumberError, "A locked episode keeps its number."):
            episodes.update_episode(episode=stale, number=7, title="t", status="draft")
        episode = self.assert_still_locked()
        self.assertEqual(episode.title, "开端")  # nothing of the refused edit was written

    def test_a_stale_edit_saves_its_words_but_leaves_the_lock_alone(self) -> None:
        stale = self.stale_then_locked()
        episodes.update_episode(episode=stale, number=1, title="改名", summary="新的梗概", status="draft")
        episode = self.assert_still_locked()
        self.assertEqual((episode.title, episode.summary), ("改名", "新的梗概"))
        self.assertIsNotNone(stale.locked_at)  # the caller's instance is brought up to date
        self.assertEqual(stale.status, Episode.Status.LOCKED)

    def test_an_edit_writes_only_the_fields_it_changes(self) -> None:
        stale = Episode.objects.get(pk=self.episode.pk)
        Episode.objects.filter(pk=self.episode.pk).update(hook="别人刚写的钩子")
        episodes.update_episode(episode=stale, title="改名")
        episode = Episode.objects.get(pk=self.episode.pk)
        self.assertEqual((episode.title, episode.hook), ("改名", "别人刚写的钩子"))

    def test_the_edit_service_never_locks_an_episode(self) -> None:
        episodes.update_episode(episode=self.episode, status=Episode.Status.LOCKED, title="改名")
        episode = Episode.objects.get(pk=self.episode.pk)
        self.assertIsNone(episode.locked_at)
        self.assertNotEqual(episode.status, Episode.Status.LOCKED)
        self.assertEqual(episode.title, "改名")


class SceneSaveRevisionTestCase(BaseTestCase):
    def test_it_refuses_a_save_without_a_revision_that_is_a_number(self) -> None:
        self.login(self.bob)
        url = reverse("scene_save", args=["demo", self.scene.pk])
        for revision in (None, "", "abc", "-1", "²", "9" * 5000, "1.5"):
            data = {"text": "1-1 日 内 客厅\n△改了。\n"}
            if revision is not None:
                data["revision"] = revision
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 400, repr(revision)[:20])
            self.assertFalse(response.json()["ok"])
        self.scene.refresh_from_db()
        self.assertNotIn("改了", self.scene.text)
        response = self.client.post(
            url, {"text": "1-1 日 内 客厅\n△改了。\n", "revision": self.scene.revision}
        )
        self.assertEqual(response.status_code, 200)


class IdParameterTestCase(BaseTestCase):
    """Ids that str.isdigit() accepts but int() or the database cannot take are a 400, not a 500."""

    NOT_IDS = ("²", "١٢", "9" * 5000, "9" * 19, "-1", "1.5", " 1", "")

    def setUp(self) -> None:
        super().setUp()
        self.second = create_scene(episode=self.episode, user=self.bob, text="1-2 夜 外 天台\n△风很大。\n")
        self.beats = [episodes.add_beat(episode=self.episode, user=self.bob, text=t) for t in ("甲", "乙")]
        self.login(self.bob)

    def test_it_refuses_a_scene_order_that_is_not_ids_and_moves_nothing(self) -> None:
        url = reverse("scenes_reorder", args=["demo", 1])
        for bad in self.NOT_IDS:
            response = self.client.post(url, {"order": [str(self.second.pk), bad]})
            self.assertEqual(response.status_code, 400, repr(bad)[:20])
            self.assertIn("must list scenes by their ids", response.content.decode())
        self.assertEqual(
            list(self.episode.scenes.values_list("pk", flat=True)), [self.scene.pk, self.second.pk]
        )
        response = self.client.post(
            url, {"order": [str(self.second.pk), str(self.scene.pk)]}, headers={"HX-Request": "true"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            list(self.episode.scenes.values_list("pk", flat=True)), [self.second.pk, self.scene.pk]
        )

    def test_it_refuses_a_beat_order_that_is_not_ids_and_moves_nothing(self) -> None:
        url = reverse("beats_reorder", args=["demo", 1])
        first, second = self.beats
        for bad in self.NOT_IDS:
            response = self.client.post(url, {"order": [bad, str(first.pk)]})
            self.assertEqual(response.status_code, 400, repr(bad)[:20])
            self.assertIn("must list beats by their ids", response.content.decode())
        self.assertEqual(list(self.episode.beats.values_list("text", flat=True)), ["甲", "乙"])
        response = self.client.post(
            url, {"order": [str(second.pk), str(first.pk)]}, headers={"HX-Request": "true"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(self.episode.beats.values_list("text", flat=True)), ["乙", "甲"])

    def test_it_refuses_an_alias_merge_into_a_character_that_is_not_an_id(self) -> None:
        url = reverse("script_name_merge", args=["demo"])
        zhang = Character.objects.get(project=self.project, name="张明")
        for bad in self.NOT_IDS:
            response = self.client.post(url, {"name": "小明", "character": bad})
            self.assertEqual(response.status_code, 400, repr(bad)[:20])
            self.assertIn("Choose the character", response.content.decode())
        zhang.refresh_from_db()
        self.assertEqual(zhang.aliases, "")
        self.client.post(url, {"name": "小明", "character": str(zhang.pk)})
        zhang.refresh_from_db()
        self.assertEqual(zhang.aliases, "小明")


class MisleadingMessagesTestCase(BaseTestCase):
    def test_utf16_without_a_byte_order_mark_is_read_not_called_binary(self) -> None:
        text = f"第1集 开端\n{ZH_EPISODE}第2集 对峙\n2-1 夜 外 天台\n△风很大。\n"
        for encoding in ("utf-16-le", "utf-16-be"):
            self.assertEqual(detect.decode_bytes(text.encode(encoding)), text)
        project = create_project(user=self.alice, title="U", slug="utf16", script_format="zh")
        result = imports.import_script(project=project, data=text.encode("utf-16-le"), user=self.alice)
        self.assertEqual(result.episodes, 2)

    def test_binary_files_are_still_called_binary(self) -> None:
        for data in (b"%PDF-1.7\x00\x00\x01\x02" * 50, bytes(range(256)) * 20, b"\x00" * 400):
            with self.assertRaisesMessage(detect.ScriptFormatError, "binary file"):
                detect.decode_bytes(data)

    def test_a_docx_with_too_many_parts_says_so_not_that_it_is_too_large(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
            for n in range(docx.MAX_MEMBERS + 1):
                archive.writestr(f"word/media/p{n}.txt", "")
        with self.assertRaises(detect.ScriptFormatError) as caught:
            docx.read_text(buffer.getvalue())
        self.assertIn("parts", str(caught.exception))
        self.assertNotIn("MB", str(caught.exception))


class RacesTestCase(TransactionTestCase):
    """Two people at once: the loser gets a message, not a 500 (and never a deadlock)."""

    def setUp(self) -> None:
        users = get_user_model().objects
        self.alice = users.create_user("alice", "alice@example.org", PASSWORD)
        self.bob = users.create_user("bob", "bob@example.org", PASSWORD)
        self.project = create_project(user=self.alice, title="Race", slug="race", script_format="zh")
        Membership.objects.create(project=self.project, user=self.bob, role=Role.SHOWRUNNER)

    def hold_episode(self, number: int, seconds: float) -> threading.Thread:
        """Another connection inserts episode `number` and commits only after `seconds`."""
        inserted = threading.Event()

        def other_writer() -> None:
            try:
                with transaction.atomic():
                    Episode.objects.create(project=self.project, number=number)
                    inserted.set()
                    time.sleep(seconds)
            finally:
                connection.close()

        thread = threading.Thread(target=other_writer)
        thread.start()
        self.assertTrue(inserted.wait(10))
        return thread

    def test_it_says_so_when_an_episode_number_is_taken_meanwhile(self) -> None:
        thread = self.hold_episode(2, 0.5)
        with self.assertRaisesMessage(episodes.EpisodeExists, "already has an episode 2"):
            episodes.create_episode(project=self.project, number=2)
        thread.join()

    def test_an_import_racing_another_for_the_same_number_imports_nothing(self) -> None:
        thread = self.hold_episode(2, 0.5)
        text = f"第1集\n{ZH_EPISODE}第2集\n2-1 夜 外 天台\n△风很大。\n".encode()
        with self.assertRaisesMessage(imports.ImportFailed, "nothing was imported"):
            imports.import_script(project=self.project, data=text, user=self.alice)
        thread.join()
        self.assertEqual(list(self.project.episodes.values_list("number", flat=True)), [2])

    def test_two_showrunners_demoting_each_other_at_once_leaves_one(self) -> None:
        both_checked = threading.Barrier(2)
        original = projects._ensure_another_showrunner

        def checked_then_wait(membership) -> None:
            original(membership)
            try:  # both past their check before either writes: the old order deadlocked here
                both_checked.wait(timeout=1.5)
            except threading.BrokenBarrierError:
                pass

        outcomes: dict[str, str] = {}

        def demote(who: str) -> None:
            membership = Membership.objects.get(project=self.project, user__username=who)
            try:
                projects.set_member_role(membership=membership, role=Role.WRITER)
                outcomes[who] = "demoted"
            except projects.MembershipError as exc:
                outcomes[who] = str(exc)
            except Exception as exc:  # a deadlock or anything else: the test reports it
                outcomes[who] = repr(exc)
            finally:
                connection.close()

        with mock.patch.object(projects, "_ensure_another_showrunner", checked_then_wait):
            threads = [threading.Thread(target=demote, args=(who,)) for who in ("alice", "bob")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertEqual(sorted(outcomes.values()), ["A series needs at least one showrunner.", "demoted"])
        self.assertEqual(self.project.memberships.filter(role=Role.SHOWRUNNER).count(), 1)
