"""What an import says (issue 9, point 13): counts of what it added with English plurals and what it
found, an error's reason said once, the binary-file message naming every format the form reads, and a
file in the other script format converted only after the writer agrees, saying what it converted."""

from __future__ import annotations

import re

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from scripts_app.models import Character, Episode, ImportJob, Membership, Role, Scene
from scripts_app.services import import_pending, imports

from .base import BaseTestCase

ZH_EPISODE = "第{n}集 摊牌\n{n}-1 夜 外 天台\n人物：林晚、张明\n△风很大。\n林晚：到此为止。\n"
FOUNTAIN = "INT. ROOFTOP - NIGHT\n\nWind.\n\nLIN\nEnough.\n"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)] or re.findall(
        r'<li class="msg-[a-z]+"[^>]*>(.*?)</li>', response.content.decode(), flags=re.S
    )


class ImportMessagesTestCase(BaseTestCase):
    def upload(self, name: str, data: bytes, *, project=None, user=None, follow: bool = True):
        self.login(user or self.bob)
        return self.client.post(
            reverse("import", args=[(project or self.project).slug]),
            {"file": SimpleUploadedFile(name, data), "format": "auto"},
            follow=follow,
        )

    def test_counts_use_singular_and_plural_forms(self) -> None:
        response = self.upload("ep2.txt", "第2集\n2-1 夜 外 天台\n△风。\n林晚：好。\n".encode())
        self.assertContains(response, "imported 1 episode, 1 scene, 1 character<")
        text = "".join(f"第{n}集\n{n}-1 日 内 客厅\n路人{n}：嗯。\n" for n in (3, 4))
        response = self.upload("ep3-4.txt", text.encode())
        self.assertContains(response, "imported 2 episodes, 2 scenes, 2 characters<")

    def test_it_counts_what_was_added_and_says_what_was_found(self) -> None:
        # 张明 is in the bible already; 林晚 is new.
        response = self.upload("ep2.txt", ZH_EPISODE.format(n=2).encode())
        self.assertContains(
            response,
            "imported 1 episode, 1 scene, 1 new character "
            "(the file names 2 characters; 1 was already in the bible)",
        )
        self.assertEqual(Character.objects.filter(project=self.project, name="林晚").count(), 1)

    def test_names_are_listed_the_way_each_language_lists_them(self) -> None:
        from django.utils import translation

        from scripts_app.services.import_report import _listed

        with translation.override("zh-hans"):
            self.assertEqual(_listed(["周小满", "林知夏"]), "周小满、林知夏")
        with translation.override("en"):
            self.assertEqual(_listed(["Lin", "Gu"]), "Lin, Gu")

    def test_an_error_says_its_reason_once(self) -> None:
        for name, text in (
            ("dup.txt", ZH_EPISODE.format(n=1)),  # episode 1 exists
            ("twice.txt", ZH_EPISODE.format(n=5) + ZH_EPISODE.format(n=5)),
            ("huge.txt", "第3000000000集 太长\n" + ZH_EPISODE.format(n=2)),
        ):
            with self.subTest(name=name):
                messages = said(self.upload(name, text.encode()))
                self.assertEqual(len(messages), 1, messages)
                self.assertEqual(messages[0].lower().count("nothing was imported"), 1, messages)
                self.assertTrue(messages[0].startswith("Nothing was imported: "), messages)
        self.assertEqual(list(self.project.episodes.values_list("number", flat=True)), [1])

    def test_a_binary_file_is_told_which_formats_the_form_reads(self) -> None:
        response = self.upload("scan.pdf", b"%PDF-1.7\n\x00\x01\x02\x03binary" * 50)
        messages = said(response)
        self.assertEqual(len(messages), 1, messages)
        for name in (".fountain", ".fdx", ".docx", ".txt"):
            self.assertIn(name, messages[0])
        self.assertContains(response, "Final Draft (.fdx)")  # and the form's own text says so too

    def test_a_chinese_file_into_a_fountain_series_asks_before_converting(self) -> None:
        heist = self.screenplay(FOUNTAIN)
        Membership.objects.create(project=heist, user=self.bob, role=Role.WRITER)
        text = ZH_EPISODE.format(n=2) + "张明：好。\n"
        response = self.upload("ep2.txt", text.encode(), project=heist)
        self.assertContains(response, "Convert this file?")
        self.assertContains(response, "is written in the Chinese micro-drama format")
        self.assertFalse(heist.episodes.filter(number=2).exists())  # nothing yet
        token = response.context["pending"]
        response = self.client.post(
            reverse("import", args=[heist.slug]), {"pending": token, "action": "convert"}, follow=True
        )
        self.assertContains(response, "imported 1 episode, 1 scene, 2 characters<")
        self.assertContains(
            response,
            "Converted 1 scene from the Chinese micro-drama format to Fountain, the format of this series.",
        )
        scene = Scene.objects.get(episode__project=heist, episode__number=2)
        self.assertTrue(scene.text.startswith("EXT. 天台 - NIGHT"), scene.text)
        self.assertIn("林晚", scene.text)
        # The token was used up: sending it again imports nothing more.
        response = self.client.post(
            reverse("import", args=[heist.slug]), {"pending": token, "action": "convert"}, follow=True
        )
        self.assertContains(response, "waited too long")
        self.assertEqual(heist.episodes.count(), 2)

    def test_cancel_imports_nothing(self) -> None:
        heist = self.screenplay(FOUNTAIN)
        Membership.objects.create(project=heist, user=self.bob, role=Role.WRITER)
        token = self.upload("ep2.txt", ZH_EPISODE.format(n=2).encode(), project=heist).context["pending"]
        response = self.client.post(
            reverse("import", args=[heist.slug]), {"pending": token, "action": "cancel"}, follow=True
        )
        self.assertContains(response, "Nothing was imported.")
        self.assertEqual(heist.episodes.count(), 1)
        self.assertIsNone(import_pending.take(project=heist, user=self.bob, token=token))

    def test_a_fountain_file_into_a_chinese_series_asks_too(self) -> None:
        response = self.upload("pilot.fountain", ("# Episode 2\n\n" + FOUNTAIN).encode())
        self.assertContains(response, "is written in Fountain; this series is written in the Chinese")

    def test_someone_elses_token_imports_nothing(self) -> None:
        heist = self.screenplay(FOUNTAIN)
        for user in (self.bob, self.charlie):
            Membership.objects.create(project=heist, user=user, role=Role.WRITER)
        token = self.upload("ep2.txt", ZH_EPISODE.format(n=2).encode(), project=heist).context["pending"]
        self.login(self.charlie)
        response = self.client.post(
            reverse("import", args=[heist.slug]), {"pending": token, "action": "convert"}, follow=True
        )
        self.assertContains(response, "waited too long")
        self.assertEqual(heist.episodes.count(), 1)

    def test_a_viewer_can_not_answer_the_question(self) -> None:
        self.login(self.charlie)  # a viewer of the demo series
        response = self.client.post(
            reverse("import", args=[self.project.slug]), {"pending": "x", "action": "convert"}
        )
        self.assertEqual(response.status_code, 403)

    def test_the_worker_job_says_the_same_as_the_page(self) -> None:
        job = ImportJob.objects.create(
            project=self.project,
            requested_by=self.bob,
            data=ZH_EPISODE.format(n=2).encode(),
            filename="e.txt",
        )
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "done")
        self.assertTrue(job.message.startswith("imported 1 episode, 1 scene, 1 new character"), job.message)
        dup = ImportJob.objects.create(
            project=self.project,
            requested_by=self.bob,
            data=ZH_EPISODE.format(n=2).encode(),
            filename="e.txt",
        )
        imports.run_import(job_id=dup.pk, generation=0)
        dup.refresh_from_db()
        self.assertEqual(dup.message.lower().count("nothing was imported"), 1, dup.message)
        self.assertEqual(Episode.objects.filter(project=self.project, number=2).count(), 1)

    def test_a_damaged_final_draft_file_is_refused_before_anyone_is_asked_to_convert_it(self) -> None:
        broken = (
            b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content><Paragraph Type="Action">'
        )
        response = self.upload("broken.fdx", broken)  # a Chinese series: an FDX would be converted
        self.assertNotIn("pending", response.context)
        self.assertNotContains(response, 'name="pending"')
        (message,) = said(response)
        self.assertTrue(message.startswith("Nothing was imported:"), message)
        self.assertEqual(self.project.episodes.count(), 1)

    def test_a_damaged_word_file_is_refused_before_anyone_is_asked_to_convert_it(self) -> None:
        heist = self.screenplay(FOUNTAIN)
        Membership.objects.create(project=heist, user=self.bob, role=Role.WRITER)
        response = self.upload("broken.docx", b"PK\x03\x04 not really a zip archive", project=heist)
        self.assertNotContains(response, 'name="pending"')
        self.assertTrue(said(response)[0].startswith("Nothing was imported:"), said(response))

    def test_a_final_draft_file_holding_no_script_is_refused_before_the_question(self) -> None:
        empty = b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content></Content></FinalDraft>'
        response = self.upload("empty.fdx", empty)
        self.assertNotContains(response, 'name="pending"')
        self.assertIn("holds no script", said(response)[0])

    @override_settings(IMPORT_INLINE_MAX_BYTES=10)
    def test_a_damaged_final_draft_file_for_the_worker_is_refused_before_the_question_too(self) -> None:
        broken = (
            b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content><Paragraph Type="Action">'
        )
        response = self.upload("broken.fdx", broken)
        self.assertNotContains(response, 'name="pending"')
        self.assertTrue(said(response)[0].startswith("Nothing was imported:"), said(response))
        self.assertFalse(ImportJob.objects.exists())

    def test_a_chinese_reader_is_told_what_was_converted_in_plain_chinese(self) -> None:
        self.client.cookies.load({"django_language": "zh-hans"})
        response = self.upload("pilot.fountain", ("# Episode 2\n\n" + FOUNTAIN).encode())
        response = self.client.post(
            reverse("import", args=[self.project.slug]),
            {"pending": response.context["pending"], "action": "convert"},
            follow=True,
        )
        self.assertIn("已将 1 场戏转换为本剧使用的格式（Fountain → 中文微短剧格式）。", said(response))
