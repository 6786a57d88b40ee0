"""Why a file was not imported, in the reader's language (issues 9.15 and 10.10): the errors of formats/
(binary, empty, damaged Word or Final Draft files, encodings, limits) carry an English template and its
parameters, so a Chinese writer reads them in Chinese in the browser, the worker's job and the convert
question, while the command line and str() stay English."""

from __future__ import annotations

import ast
import io
import re
import tempfile
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from scripts_app.formats import detect, docx, fdx
from scripts_app.formats.messages import Message, Plural
from scripts_app.models import ImportJob, Membership, Role
from scripts_app.services import import_report, imports

from . import test_i18n_complete as catalogue
from .base import BaseTestCase
from .test_import_messages import FOUNTAIN, said

FORMATS = Path(settings.BASE_DIR) / "scripts_app" / "formats"
# Words a Chinese message may keep: the catalogue test's, the names of file parts and XML terms
# (and an FDX's root tag, which is the file's data).
ALLOWED = catalogue.ALLOWED | set("doc xml zip doctype cdata finaldraft document.xml mb zh html".split())

BINARY = b"%PDF-1.7\n\x00\x01\x02\x03binary" * 50
BROKEN_FDX = b'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content><Paragraph Type="Action">'
NOT_A_ZIP = b"PK\x03\x04 not really a zip archive"


def english_words(text: str) -> list[str]:
    words = [w for w in catalogue.WORD.findall(text) if w.lower().strip("._-") not in ALLOWED]
    return [w for w in words if len(w) > 1]


def broken_docx() -> bytes:
    """A readable zip whose document part is not XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "this is not xml")
    return buffer.getvalue()


def many_parts_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(docx.MAX_MEMBERS + 1):  # 2,002 parts in all
            archive.writestr(f"word/media/p{n}.txt", "")
    return buffer.getvalue()


def error_of(call, data) -> detect.ScriptFormatError:
    with pytest.raises(detect.ScriptFormatError) as caught:
        call(data)
    return caught.value


# ------------------------------------------------------------------------------- the messages


BAD_FILES = [
    (detect.decode_bytes, BINARY),
    (detect.decode_bytes, b"  \n\n "),
    (detect.decode_bytes, b"\xef\xbb\xbf\xff\xfe\xfa"),  # a UTF-8 BOM, then bytes UTF-8 never writes
    (detect.decode_bytes, "\ufeff第1集".encode("utf-16-le")[:-1] + b"\x00\xd8"),
    (detect.detect_format, "just some words\nand more words\n"),
    (lambda fmt: detect.parse("text", fmt), "pdf"),
    (docx.read_text, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    (docx.read_text, b"plain text, not a zip"),
    (docx.read_text, NOT_A_ZIP),
    (docx.read_text, broken_docx()),
    (fdx.parse, BROKEN_FDX),
    (fdx.parse, b"<html><body>hi</body></html>"),
    (fdx.parse, "<FinalDraft><Content><Paragraph><Text>&nope;</Text></Paragraph></Content></FinalDraft>"),
    (fdx.parse, b'<!DOCTYPE FinalDraft [<!ENTITY a "b">]><FinalDraft/>'),
    (fdx.parse, b"<FinalDraft></Other>"),
    (fdx.parse, b"   "),
]


@pytest.mark.parametrize(("call", "data"), BAD_FILES)
def test_each_error_is_english_as_text_and_chinese_when_said_to_a_chinese_reader(call, data) -> None:
    error = error_of(call, data)
    english = str(error)
    assert english == str(error.message)
    assert english.isascii() or "(第1集, 1-1 日 内 场景" in english, english  # the Chinese layout's own words
    with translation.override("zh-hans"):
        chinese = import_report.unreadable(error)
    assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), chinese
    assert english_words(chinese) == [], chinese
    with translation.override("en"):
        assert import_report.unreadable(error) == english


def test_a_damaged_final_draft_file_says_where_in_chinese() -> None:
    error = error_of(fdx.parse, BROKEN_FDX)
    assert str(error) == "This is not a Final Draft file: no element found at line 2, column 69."
    with translation.override("zh-hans"):
        assert (
            import_report.unreadable(error)
            == "这不是 Final Draft 文件：第 2 行第 69 列出错（找不到任何元素）。"
        )


def test_a_number_chooses_the_plural_form() -> None:
    error = error_of(docx.read_text, many_parts_docx())
    assert str(error).startswith("This Word file holds 2,002 parts, far more than a document has")
    with translation.override("zh-hans"):
        assert import_report.unreadable(error).startswith("这个 Word 文件包含 2,002 个部件")
    one = Message(Plural("%(n)d part", "%(n)d parts", "n"), {"n": 1})  # what ngettext_lazy makes
    assert (str(one), str(Message(one.template, {"n": 3}))) == ("1 part", "3 parts")


def test_a_message_carries_its_template_and_its_parameters() -> None:
    template = "The file says it is %(encoding)s but is not valid text."  # as detect.py marks it
    error = detect.ScriptFormatError(template, encoding="UTF-16")
    assert str(error) == "The file says it is UTF-16 but is not valid text."
    assert error.message.template == template
    assert error.message.params == {"encoding": "UTF-16"}
    with translation.override("zh-hans"):
        assert import_report.unreadable(error) == "文件标明是 UTF-16 编码，但内容不是有效的文本。"


def _templates() -> list[str]:
    """Every template formats/ marks (the arguments of gettext_noop and ngettext_lazy calls)."""
    found = []
    for path in FORMATS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "gettext_noop",
                "ngettext_lazy",
            ):
                found.append(Plural(*(a.value for a in node.args[:2]), "n") if len(node.args) > 1
                             else node.args[0].value)  # fmt: skip
    return found


def test_every_template_in_formats_has_a_chinese_translation() -> None:
    templates = _templates()
    assert len(templates) > 40
    with translation.override("zh-hans"):
        for template in templates:
            said_zh = (
                translation.ngettext(template.singular, template.plural, 2)
                if isinstance(template, Plural)
                else translation.gettext(template)
            )
            assert said_zh != (template.plural if isinstance(template, Plural) else template), template


def test_formats_imports_no_django() -> None:
    for path in FORMATS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "django" for a in node.names), path.name
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "django", path.name


# ---------------------------------------------------------------------------- the import flow


class ChineseImportErrorsTestCase(BaseTestCase):
    def upload(self, name: str, data: bytes, *, project=None, follow: bool = True, **fields):
        self.login(self.bob)
        self.client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "zh-hans"})
        return self.client.post(
            reverse("import", args=[(project or self.project).slug]),
            {"file": SimpleUploadedFile(name, data), "format": "auto", **fields},
            follow=follow,
            headers={"accept-language": "zh-hans"},
        )

    def assert_chinese(self, message: str, reason: str = "") -> None:
        self.assertTrue(message.startswith("未导入任何内容："), message)
        self.assertEqual(message.count("未导入任何内容"), 1, message)
        self.assertEqual(english_words(message), [], message)
        if reason:
            self.assertIn(reason, message)

    def test_a_binary_file_is_refused_in_chinese(self) -> None:
        (message,) = said(self.upload("scan.pdf", BINARY))
        self.assert_chinese(message, "这看起来是二进制文件（比如 PDF、图片或旧版 Word .doc 文件）")
        for name in (".fountain", ".fdx", ".docx", ".txt"):
            self.assertIn(name, message)
        self.assertEqual(self.project.episodes.count(), 1)

    def test_an_empty_file_is_refused_in_chinese(self) -> None:
        (message,) = said(self.upload("blank.txt", b" \n\n  \n"))
        self.assertEqual(message, "未导入任何内容：文件是空的。")
        response = self.upload("nothing.txt", b"")  # the form itself refuses a file of no bytes
        self.assertContains(response, "所提交的是空文件。")
        self.assertEqual(self.project.episodes.count(), 1)

    def test_a_damaged_word_file_is_refused_in_chinese(self) -> None:
        heist = self.screenplay(FOUNTAIN)
        Membership.objects.create(project=heist, user=self.bob, role=Role.WRITER)
        for project in (self.project, heist):  # a Chinese series, and one a .docx would be converted into
            with self.subTest(project=project.slug):
                (message,) = said(self.upload("broken.docx", NOT_A_ZIP, project=project))
                self.assertEqual(
                    message, "未导入任何内容：这个 Word 文件已损坏（不是可以读取的 zip 压缩包）。"
                )
        (message,) = said(self.upload("broken.docx", broken_docx()))
        self.assertEqual(message, "未导入任何内容：这个 Word 文件已损坏，无法读取。")

    def test_a_damaged_final_draft_file_is_refused_in_chinese(self) -> None:
        response = self.upload("broken.fdx", BROKEN_FDX)  # a Chinese series: it would be converted
        self.assertNotContains(response, 'name="pending"')
        (message,) = said(response)
        self.assertEqual(
            message, "未导入任何内容：这不是 Final Draft 文件：第 2 行第 69 列出错（找不到任何元素）。"
        )

    @override_settings(IMPORT_INLINE_MAX_BYTES=10)
    def test_a_file_for_the_worker_is_refused_in_chinese_before_any_job(self) -> None:
        for name, data in (("broken.fdx", BROKEN_FDX), ("broken.docx", NOT_A_ZIP), ("scan.pdf", BINARY)):
            with self.subTest(name=name):
                (message,) = said(self.upload(name, data))
                self.assert_chinese(message)
        self.assertFalse(ImportJob.objects.exists())

    def test_the_worker_says_it_in_the_requesters_language(self) -> None:
        job = ImportJob.objects.create(
            project=self.project, requested_by=self.bob, data=BROKEN_FDX, filename="broken.fdx",
            language="zh-hans",
        )  # fmt: skip
        imports.run_import(job_id=job.pk, generation=0)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertEqual(
            job.message, "未导入任何内容：这不是 Final Draft 文件：第 2 行第 69 列出错（找不到任何元素）。"
        )
        self.login(self.bob)
        page = self.client.get(reverse("import_job", args=[self.project.slug, job.pk]))
        self.assertContains(page, "找不到任何元素")

    def test_the_answer_to_the_convert_question_is_in_chinese_too(self) -> None:
        # A Fountain file into the Chinese series asks first; its episode 1 exists, so the import
        # the writer agreed to refuses it, in Chinese.
        response = self.upload("pilot.fountain", ("# Episode 1\n\n" + FOUNTAIN).encode())
        token = response.context["pending"]
        response = self.client.post(
            reverse("import", args=[self.project.slug]),
            {"pending": token, "action": "convert"},
            follow=True,
            headers={"accept-language": "zh-hans"},
        )
        (message,) = said(response)
        self.assert_chinese(message, "第 1 集")
        self.assertEqual(self.project.episodes.count(), 1)

    def test_the_command_line_says_it_in_english(self) -> None:
        for name, data, reason in (
            ("scan.pdf", BINARY, "This looks like a binary file"),
            ("blank.txt", b" \n", "The file is empty."),
            ("broken.fdx", BROKEN_FDX, "This is not a Final Draft file: no element found at line 2"),
            ("broken.docx", NOT_A_ZIP, "This Word file is damaged (it is not a readable zip archive)."),
        ):
            with self.subTest(name=name):
                path = Path(self.tmp_dir()) / name
                path.write_bytes(data)
                with self.assertRaises(CommandError) as caught:
                    call_command("import_script", str(path), "--project", "demo", stdout=StringIO())
                text = str(caught.exception)
                self.assertTrue(text.startswith("Nothing was imported: " + reason), text)
                self.assertFalse(re.search(r"[\u4e00-\u9fff]", text), text)
        self.assertEqual(self.project.episodes.count(), 1)

    def tmp_dir(self) -> str:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name
