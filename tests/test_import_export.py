"""import_script and export_script on the command line, and import in the browser."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from scripts_app.formats import detect
from scripts_app.models import Character, Episode, Location, Project, Scene

from .base import BaseTestCase
from .sample_scripts import SAMPLES


def import_file(path: Path | str, slug: str, *extra: str) -> str:
    out = StringIO()
    call_command("import_script", str(path), "--project", slug, *extra, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def elements_of(project: Project) -> list:
    """Every element of the series, episode by episode, as the parsers see them."""
    from scripts_app.script_text import scene_elements

    return [
        (scene.episode.number, el)
        for scene in Scene.objects.filter(episode__project=project)
        .select_related("episode")
        .order_by("episode__number", "position")
        for el in scene_elements(scene.text, project.script_format)
    ]


class ImportCommandTestCase(BaseTestCase):
    def test_it_imports_a_chinese_script_into_episodes_scenes_and_the_bible(self) -> None:
        last = import_file(SAMPLES / "rebirth_revenge_zh.txt", "rebirth", "--create", "重生")
        self.assertEqual(last, "imported 3 episodes, 8 scenes, 6 characters")
        project = Project.objects.get(slug="rebirth")
        self.assertEqual(project.script_format, "zh")
        self.assertEqual(list(project.episodes.values_list("number", "title")),
                         [(1, "重生归来"), (2, "订婚宴上的耳光"), (3, "")])  # fmt: skip
        self.assertEqual(Scene.objects.filter(episode__project=project).count(), 8)
        names = set(Character.objects.filter(project=project).values_list("name", flat=True))
        self.assertEqual(names, {"张明", "张父", "林婉", "沈总", "保镖1", "约翰·史密斯"})
        self.assertTrue(Location.objects.filter(project=project, name="张家客厅").exists())
        first = Scene.objects.filter(episode__project=project).order_by("episode__number", "position").first()
        self.assertEqual((first.number, first.time_of_day, first.int_ext), ("1-1", "日", "内"))

    def test_it_reads_gb18030_like_utf8(self) -> None:
        import_file(SAMPLES / "rebirth_revenge_zh.txt", "utf8", "--create", "A")
        last = import_file(SAMPLES / "rebirth_revenge_zh.gb18030.txt", "gbk", "--create", "B")
        self.assertEqual(last, "imported 3 episodes, 8 scenes, 6 characters")
        a, b = Project.objects.get(slug="utf8"), Project.objects.get(slug="gbk")
        self.assertEqual([el for _, el in elements_of(a)], [el for _, el in elements_of(b)])

    def test_it_imports_a_fountain_screenplay(self) -> None:
        last = import_file(SAMPLES / "contract_heiress.fountain", "heiress", "--create", "Heiress")
        self.assertEqual(last, "imported 2 episodes, 7 scenes, 6 characters")
        project = Project.objects.get(slug="heiress")
        self.assertEqual(project.script_format, "fountain")
        self.assertEqual(
            list(project.episodes.values_list("title", flat=True)), ["The Signing", "The First Dinner"]
        )
        self.assertIn("张明", set(project.characters.values_list("name", flat=True)))

    def test_export_and_reimport_give_the_same_series(self) -> None:
        for sample, fmt in (("rebirth_revenge_zh.txt", "zh"), ("contract_heiress.fountain", "fountain")):
            with self.subTest(sample=sample):
                import_file(SAMPLES / sample, f"src-{fmt}", "--create", "Source")
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / f"out.{fmt}"
                    call_command(
                        "export_script", f"src-{fmt}", "--format", fmt, "-o", str(out), stderr=StringIO()
                    )
                    first = import_file(out, f"copy-{fmt}", "--create", "Copy")
                source, copy = Project.objects.get(slug=f"src-{fmt}"), Project.objects.get(slug=f"copy-{fmt}")
                self.assertTrue(first.startswith("imported "), first)
                self.assertEqual(elements_of(source), elements_of(copy))
                self.assertEqual(
                    list(source.episodes.values_list("number", "title")),
                    list(copy.episodes.values_list("number", "title")),
                )
                self.assertEqual(
                    set(source.characters.values_list("name", flat=True)),
                    set(copy.characters.values_list("name", flat=True)),
                )

    def test_it_exports_a_range_of_episodes(self) -> None:
        import_file(SAMPLES / "rebirth_revenge_zh.txt", "ranged", "--create", "R")
        out = StringIO()
        call_command("export_script", "ranged", "--format", "zh", "--episodes", "2-3", "-o", "-", stdout=out)
        text = out.getvalue()
        self.assertNotIn("第1集", text)
        self.assertIn("第2集 订婚宴上的耳光", text)
        doc = detect.parse(text, "zh")
        self.assertEqual([ep.number for ep in doc.episodes], [2, 3])

    def test_it_refuses_bad_files_and_changes_nothing(self) -> None:
        before = (
            Project.objects.count(),
            Episode.objects.count(),
            Scene.objects.count(),
            Character.objects.count(),
        )
        with tempfile.TemporaryDirectory() as tmp:
            cases = {
                "empty.txt": b"",
                "binary.bin": bytes(range(256)) * 64,
                "huge.txt": b"\xe2\x96\xb3" + b"a" * (6 * 1024 * 1024),
            }
            for name, data in cases.items():
                path = Path(tmp) / name
                path.write_bytes(data)
                with self.subTest(name=name), self.assertRaises(CommandError) as caught:
                    import_file(path, "bad", "--create", "Bad")
                self.assertTrue(str(caught.exception))
            with self.assertRaises(CommandError):
                import_file(Path(tmp) / "missing.txt", "bad", "--create", "Bad")
        # An episode that already exists: the whole file is refused, the first episodes included.
        with self.assertRaisesMessage(CommandError, "Episode 1 already exists"):
            import_file(SAMPLES / "rebirth_revenge_zh.txt", self.project.slug)
        after = (
            Project.objects.count(),
            Episode.objects.count(),
            Scene.objects.count(),
            Character.objects.count(),
        )
        self.assertEqual(before, after)

    def test_it_needs_create_for_a_new_series(self) -> None:
        with self.assertRaisesMessage(CommandError, "--create"):
            import_file(SAMPLES / "short_pilot.fountain", "nope")


class ImportPageTestCase(BaseTestCase):
    def upload(self, name: str, data: bytes):
        self.login(self.bob)
        return self.client.post(
            reverse("import", args=[self.project.slug]),
            {"file": SimpleUploadedFile(name, data), "format": "auto"},
            follow=True,
        )

    def test_it_imports_from_the_browser(self) -> None:
        text = "第2集 摊牌\n2-1 夜 外 天台\n人物：林晚\n△风很大。\n林晚：到此为止。\n"
        response = self.upload("ep2.txt", text.encode("gb18030"))
        self.assertContains(response, "imported 1 episode, 1 scene, 1 character")
        self.assertTrue(self.project.episodes.filter(number=2, title="摊牌").exists())

    def test_it_explains_a_hostile_upload_and_imports_nothing(self) -> None:
        response = self.upload("evil.txt", b"\x00\x01\x02<script>alert(1)</script>" * 100)
        self.assertContains(response, "Nothing was imported")
        self.assertNotContains(response, "<script>alert(1)")
        self.assertEqual(self.project.episodes.count(), 1)


class ExchangeFormatsTestCase(BaseTestCase):
    """FDX, DOCX and shot lists through the commands a room would use."""

    def export(self, slug: str, fmt: str, *extra: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            call_command("export_script", slug, "--format", fmt, *extra, "-o", str(out), stderr=StringIO())
            return out.read_bytes()

    def reimport(self, data: bytes, name: str, slug: str) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            return import_file(path, slug, "--create", "Copy")

    def test_fdx_export_and_import_give_the_same_screenplay(self) -> None:
        import_file(SAMPLES / "contract_heiress.fountain", "fdx-src", "--create", "Heiress")
        data = self.export("fdx-src", "fdx")
        self.assertIn(b"<FinalDraft", data)
        self.assertEqual(
            self.reimport(data, "heiress.fdx", "fdx-copy"), "imported 2 episodes, 7 scenes, 6 characters"
        )
        source, copy = Project.objects.get(slug="fdx-src"), Project.objects.get(slug="fdx-copy")
        self.assertEqual(elements_of(source), elements_of(copy))

    def test_it_imports_the_hand_written_fdx(self) -> None:
        last = import_file(SAMPLES / "every_paragraph.fdx", "every", "--create", "Every")
        self.assertTrue(last.startswith("imported "), last)
        self.assertGreater(Scene.objects.filter(episode__project__slug="every").count(), 0)

    def test_docx_export_in_the_chinese_format_imports_back(self) -> None:
        import_file(SAMPLES / "rebirth_revenge_zh.txt", "docx-src", "--create", "重生")
        data = self.export("docx-src", "docx")
        self.assertEqual(data[:2], b"PK")
        self.assertEqual(
            self.reimport(data, "重生.docx", "docx-copy"), "imported 3 episodes, 8 scenes, 6 characters"
        )
        source, copy = Project.objects.get(slug="docx-src"), Project.objects.get(slug="docx-copy")
        self.assertEqual(elements_of(source), elements_of(copy))

    def test_the_shot_list_carries_the_bible_anchors(self) -> None:
        character = Character.objects.get(project=self.project, name="张明")
        character.look = "黑色风衣，左眉有疤"
        character.save()
        csv_text = self.export(self.project.slug, "shotlist").decode("utf-8-sig")
        self.assertIn("景别", csv_text.splitlines()[0])
        self.assertIn("黑色风衣，左眉有疤", csv_text)
        pdf = self.export(self.project.slug, "shotlist-pdf")
        self.assertEqual(pdf[:5], b"%PDF-")

    def test_a_pdf_export_from_the_command_line(self) -> None:
        data = self.export(
            self.project.slug, "pdf", "--episodes", "1", "--profile", "a4", "--watermark", "Wang"
        )
        self.assertEqual(data[:5], b"%PDF-")
        with self.assertRaisesMessage(CommandError, "nothing to print"):
            self.export(self.project.slug, "pdf", "--revised-only")
