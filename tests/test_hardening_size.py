"""Size: the scene limit holds on every import path, imports are linear and big ones run in the worker,
exports answered in a request are small, and SQLite serves a room of parallel writers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scripts_app.formats import detect, docx
from scripts_app.models import Episode, ImportJob, Scene, SceneVersion
from scripts_app.services import imports
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .base import BaseTestCase

ROOT = Path(__file__).resolve().parent.parent


def zh_series(episodes: int, scenes: int) -> bytes:
    lines = []
    for e in range(1, episodes + 1):
        lines.append(f"第{e}集 第{e}集")
        for s in range(1, scenes + 1):
            lines += [
                f"{e}-{s} 日 内 客厅{s % 7}",
                f"人物：林晚、顾{s % 5}",
                "△她推门进来。",
                f"顾{s % 5}：你来了。",
            ]
    return "\n".join(lines).encode()


class ImportLimitsTestCase(BaseTestCase):
    def fresh(self, slug: str, fmt: str = "zh"):
        return create_project(user=self.alice, title=slug, slug=slug, script_format=fmt)

    def test_an_import_refuses_a_scene_over_the_scene_limit(self) -> None:
        project = self.fresh("big-scene")
        text = "第1集\n1-1 日 内 客厅\n" + "△" + "字" * settings.SCENE_TEXT_MAX_CHARS + "\n"
        with self.assertRaisesMessage(imports.ImportFailed, "a scene may hold at most 200,000 characters"):
            imports.import_script(project=project, data=text.encode(), user=self.alice)
        text = "第1集\n1-1 日 内 客厅\n" + "△字\n" * settings.SCENE_TEXT_MAX_LINES
        with self.assertRaisesMessage(imports.ImportFailed, "a scene may hold at most 20,000 lines"):
            imports.import_script(project=project, data=text.encode(), user=self.alice)
        self.assertFalse(project.episodes.exists())

    @override_settings(IMPORT_MAX_CHARS=2_000)
    def test_an_import_refuses_more_script_than_one_import_may_hold(self) -> None:
        project = self.fresh("too-much")
        with self.assertRaisesMessage(imports.ImportFailed, "one import may hold at most 2,000"):
            imports.import_script(project=project, data=zh_series(5, 20), user=self.alice)
        self.assertFalse(project.episodes.exists())

    def test_a_small_docx_that_unpacks_to_a_huge_document_is_refused_before_it_is_read(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", "<w:document>" + "字" * 8_000_000 + "</w:document>")
        data = buffer.getvalue()
        self.assertLess(len(data), 1_000_000)  # it passes the upload limit easily
        with self.assertRaisesMessage(detect.ScriptFormatError, "too large once unpacked"):
            docx.read_text(data)

    def test_an_import_writes_in_a_fixed_number_of_queries_whatever_the_scene_count(self) -> None:
        counts = {}
        for scenes in (3, 60):
            project = self.fresh(f"linear-{scenes}")
            with CaptureQueriesContext(connection) as queries:
                result = imports.import_script(project=project, data=zh_series(2, scenes), user=self.alice)
            self.assertEqual((result.episodes, result.scenes), (2, 2 * scenes))
            counts[scenes] = len(queries)
        self.assertEqual(counts[3], counts[60])

    def test_an_imported_episode_has_its_runtime_rows_versions_and_bible(self) -> None:
        project = self.fresh("rows")
        imports.import_script(project=project, data=zh_series(2, 4), user=self.alice)
        episode = project.episodes.get(number=2)
        scenes = list(episode.scenes.all())
        self.assertEqual([s.position for s in scenes], [1, 2, 3, 4])
        self.assertEqual(scenes[0].heading, "2-1 日 内 客厅1")
        self.assertEqual(scenes[0].location.name, "客厅1")
        self.assertEqual(episode.runtime_seconds, sum(s.runtime_seconds for s in scenes))
        self.assertGreater(episode.runtime_seconds, 0)
        self.assertEqual(SceneVersion.objects.filter(scene__episode=episode).count(), 4)
        self.assertEqual(
            sorted(project.characters.values_list("name", flat=True)),
            ["林晚", "顾1", "顾2", "顾3", "顾4"],
        )
        # The imported scenes save like any other: their rows are complete.
        self.assertEqual(Scene.objects.filter(episode__project=project, updated_by=self.alice).count(), 8)


@override_settings(IMPORT_INLINE_MAX_BYTES=1000)
class ImportInTheWorkerTestCase(BaseTestCase):
    def post(self, data: bytes, name: str = "series.txt"):
        self.login(self.bob)
        upload = SimpleUploadedFile(name, data)
        with self.captureOnCommitCallbacks(execute=False) as queued:
            response = self.client.post(reverse("import", args=["demo"]), {"file": upload, "format": "auto"})
        return response, queued

    def test_a_big_file_is_imported_by_the_worker_with_progress(self) -> None:
        data = zh_series(4, 10).replace("第1集".encode(), "第11集".encode(), 1)
        data = data.replace("第2集".encode(), "第12集".encode(), 1).replace(
            "第3集".encode(), "第13集".encode(), 1
        )
        data = data.replace("第4集".encode(), "第14集".encode(), 1)
        response, queued = self.post(data)
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("import_job", args=["demo", job.pk]))
        self.assertEqual(len(queued), 1)  # the task is sent once the job row is committed
        page = self.client.get(reverse("import_job", args=["demo", job.pk]))
        self.assertContains(page, 'hx-trigger="every 1s"')
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual((job.status, job.progress), ("done", 100))
        self.assertIn("imported 4 episodes, 40 scenes", job.message)
        self.assertIsNone(job.data)  # the upload is not kept once it is in the series
        self.assertEqual(sorted(self.project.episodes.values_list("number", flat=True)), [1, 11, 12, 13, 14])
        page = self.client.get(reverse("import_job", args=["demo", job.pk]))
        self.assertContains(page, "imported 4 episodes")
        self.assertNotContains(page, "hx-trigger")

    def test_a_big_file_with_a_mistake_imports_nothing(self) -> None:
        data = zh_series(3, 10) + "\n第1集 重复\n1-1 日 内 客厅\n△又来。\n".encode()
        self.post(data)
        job = ImportJob.objects.get()
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("Nothing was imported", job.message)
        self.assertEqual(
            list(Episode.objects.filter(project=self.project).values_list("number", flat=True)), [1]
        )

    def test_only_the_person_who_started_an_import_sees_its_page(self) -> None:
        self.post(zh_series(3, 10))
        job = ImportJob.objects.get()
        self.login(self.alice)
        self.assertEqual(self.client.get(reverse("import_job", args=["demo", job.pk])).status_code, 404)
        self.login(self.mallory)
        self.assertEqual(self.client.get(reverse("import_job", args=["demo", job.pk])).status_code, 404)


def zh_docx(episodes: int, scenes: int, lines: int) -> bytes:
    """A Word file of a Chinese series: small as an upload, its text part unpacks to far more."""
    from docx import Document

    document = Document()
    for e in range(1, episodes + 1):
        document.add_paragraph(f"第{e + 1}集")
        for s in range(1, scenes + 1):
            document.add_paragraph(f"{e + 1}-{s} 日 内 客厅")
            for _ in range(lines):
                document.add_paragraph("△" + "她推门进来，看了一眼。" * 9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class DocxInTheWorkerTestCase(BaseTestCase):
    """Where a Word file is imported is decided by what it holds once unpacked, not by its upload size."""

    def post(self, data: bytes):
        self.login(self.bob)
        upload = SimpleUploadedFile("series.docx", data)
        with self.captureOnCommitCallbacks(execute=False):
            return self.client.post(reverse("import", args=["demo"]), {"file": upload, "format": "auto"})

    def test_it_sends_a_small_word_file_holding_a_big_script_to_the_worker(self) -> None:
        data = zh_docx(6, 10, 30)
        text, _total = docx.unpacked_sizes(data)
        self.assertLess(len(data), settings.IMPORT_INLINE_MAX_BYTES)  # the upload alone would stay inline
        self.assertGreater(text, settings.IMPORT_INLINE_MAX_BYTES)
        response = self.post(data)
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("import_job", args=["demo", job.pk]))
        self.assertEqual(list(self.project.episodes.values_list("number", flat=True)), [1])  # not yet
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "done", job.message)
        self.assertIn("imported 6 episodes, 60 scenes", job.message)

    def test_it_tells_a_big_word_files_format_from_its_first_pages_without_reading_it_whole(self) -> None:
        data = zh_docx(6, 10, 30)
        prefix = docx.text_prefix(data, max_chars=5_000)
        self.assertTrue(prefix.startswith("第2集\n2-1 日 内 客厅\n△她推门进来"))
        self.assertLess(len(prefix), 6_000)
        self.assertEqual(docx.read_text(data)[: len(prefix)], prefix)
        self.screenplay("INT. BANK - DAY\n\nJOE\nHi.\n", user=self.bob)
        self.login(self.bob)
        with mock.patch.object(docx, "read_text", side_effect=AssertionError("read whole in the request")):
            response = self.client.post(
                reverse("import", args=["heist"]),
                {"file": SimpleUploadedFile("series.docx", data), "format": "auto"},
            )
        self.assertContains(response, 'name="pending"')  # "convert this Chinese script?" is asked
        self.assertFalse(ImportJob.objects.exists())

    def test_it_still_imports_a_small_word_file_inside_the_request(self) -> None:
        response = self.post(zh_docx(1, 2, 2))
        self.assertRedirects(response, reverse("project_detail", args=["demo"]))
        self.assertFalse(ImportJob.objects.exists())
        self.assertEqual(self.project.episodes.get(number=2).scenes.count(), 2)

    def test_it_counts_every_part_a_word_file_unpacks_not_only_its_text(self) -> None:
        small = zh_docx(1, 1, 1)
        self.assertFalse(imports.runs_in_worker(data=small))
        # Padding in another part (styles, an image) is unpacked too: over the allowance, the worker.
        padded = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(small)) as source, zipfile.ZipFile(padded, "w") as target:
            for info in source.infolist():
                target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
            pad = imports.DOCX_PARTS_ALLOWANCE * settings.IMPORT_INLINE_MAX_BYTES
            target.writestr("word/media/image1.png", b"\0" * pad, zipfile.ZIP_DEFLATED)
        self.assertLess(len(padded.getvalue()), 100_000)
        self.assertTrue(imports.runs_in_worker(data=padded.getvalue()))

    def test_it_refuses_a_word_file_whose_text_is_not_in_its_text_part(self) -> None:
        # A tiny word/document.xml as a decoy, the real text elsewhere: the size measured would lie.
        source = zipfile.ZipFile(io.BytesIO(zh_docx(1, 1, 1)))
        moved = io.BytesIO()
        with zipfile.ZipFile(moved, "w") as target:
            for info in source.infolist():
                body = source.read(info.filename)
                if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                    body = body.replace(b"word/document.xml", b"word/main.xml")
                name = "word/main.xml" if info.filename == "word/document.xml" else info.filename
                target.writestr(name, body)
                if info.filename == "word/document.xml":
                    target.writestr("word/document.xml", b"<w:document/>")
            rels = source.read("word/_rels/document.xml.rels")
            target.writestr("word/_rels/main.xml.rels", rels)
        with self.assertRaisesMessage(detect.ScriptFormatError, "unusual part"):
            docx.read_text(moved.getvalue())


class ExportSizeTestCase(BaseTestCase):
    @override_settings(EXPORT_INLINE_MAX_CHARS=1_000)
    def test_a_big_single_episode_export_goes_to_the_worker(self) -> None:
        create_scene(episode=self.episode, user=self.bob, text="1-2 夜 外 天台\n" + "△风很大。\n" * 300)
        self.login(self.bob)
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(reverse("export", args=["demo"]), {"format": "pdf", "episodes": "1"})
        job = self.project.export_jobs.get()
        self.assertRedirects(response, reverse("export_job", args=["demo", job.pk]))

    def test_a_small_episode_still_downloads_at_once(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("export", args=["demo"]), {"format": "zh", "episodes": "1"})
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="demo-ep1.txt"')


class SqliteTestCase(BaseTestCase):
    def test_twenty_writers_saving_at_once_on_sqlite_all_succeed(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            run = subprocess.run(
                [sys.executable, str(ROOT / "tests" / "sqlite_parallel_saves.py"), f"{folder}/db.sqlite3"],
                env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
            )  # fmt: skip
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        codes = json.loads(run.stdout.strip().splitlines()[-1])
        self.assertEqual(len(codes), 21)
        self.assertEqual({code for name, code in codes.items() if name != "import"}, {200})
        self.assertEqual(codes["import"], 302)
