"""The series' title page (issue 8.7): kept on import, edited on the series, exported, printed first."""

from __future__ import annotations

import io
import shutil
import tempfile
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pdfplumber
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from scripts_app.formats import fdx, fountain, zh
from scripts_app.models import Project
from scripts_app.services.title_page import fields_from_entries, update_title_page

from .base import BaseTestCase
from .sample_scripts import SAMPLES

FIDELITY_PAGE = {
    "title": "_**THE LIGHTHOUSE LEDGER**_",
    "credit": "Written by",
    "authors": "Ada Quill\nBen Marsh",
    "source": "Based on an idea by the room",
    "draft_date": "2026-11-25",
    "contact": "Quill & Marsh\n12 Harbour Row\nledger@example.org",
    "copyright": "(c) 2026 Quill & Marsh",
    "notes": "Second draft for the table read",
}


def test_a_files_keys_map_to_the_series_fields_and_nothing_is_lost() -> None:
    fields = fields_from_entries(
        [("Title", "Ledger"), ("Author", "Ada"), ("Authors", "Ben"), ("Draft Date", "May"),
         ("Revision", "Blue"), ("Contact", ""), ("notes", "n")]
    )  # fmt: skip
    assert fields == {
        "title": "Ledger",
        "authors": "Ada\nBen",
        "draft_date": "May",
        "notes": "Revision: Blue\nn",
    }


def import_file(path: Path, slug: str, *extra: str) -> str:
    out = StringIO()
    call_command("import_script", str(path), "--project", slug, *extra, stdout=out)
    return out.getvalue()


def export(slug: str, fmt: str, *extra: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        call_command("export_script", slug, "--format", fmt, *extra, "-o", str(out), stderr=StringIO())
        return out.read_bytes()


def words(page) -> dict[str, dict]:
    return {w["text"]: w for w in page.extract_words()}


class TitlePageTestCase(BaseTestCase):
    def test_a_fountain_import_keeps_every_title_page_field(self) -> None:
        import_file(SAMPLES / "fidelity.fountain", "ledger", "--create", "Ledger")
        self.assertEqual(Project.objects.get(slug="ledger").title_page, FIDELITY_PAGE)

    def test_a_final_draft_import_keeps_its_title_page(self) -> None:
        import_file(SAMPLES / "tv_episode.fdx", "shift", "--create", "Night Shift")
        self.assertEqual(
            Project.objects.get(slug="shift").title_page,
            {"title": "Night Shift", "credit": "Written by", "authors": "Ada Quill"},
        )

    def test_an_import_fills_only_empty_fields(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n", slug="ledger")
        update_title_page(project=project, values={"title": "Our Title", "authors": "The Room"})
        project.episodes.all().delete()
        import_file(SAMPLES / "fidelity.fountain", "ledger")
        project.refresh_from_db()
        self.assertEqual(project.title_page["title"], "Our Title")
        self.assertEqual(project.title_page["authors"], "The Room")
        self.assertEqual(project.title_page["contact"], FIDELITY_PAGE["contact"])

    def test_the_browser_import_keeps_the_title_page(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n", slug="web")
        project.episodes.all().delete()
        self.login(self.alice)
        upload = SimpleUploadedFile("ledger.fountain", (SAMPLES / "fidelity.fountain").read_bytes())
        response = self.client.post(reverse("import", args=["web"]), {"file": upload, "format": "auto"})
        self.assertEqual(response.status_code, 302)
        project.refresh_from_db()
        self.assertEqual(project.title_page, FIDELITY_PAGE)

    def test_writers_edit_it_viewers_read_it_outsiders_get_nothing(self) -> None:
        url = reverse("title_page", args=[self.project.slug])
        self.login(self.mallory)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.charlie)
        self.assertContains(self.client.get(url), "<fieldset disabled>")
        self.assertEqual(self.client.post(url, {"title": "Hijacked"}).status_code, 403)
        self.login(self.bob)
        fields = {"title": "重生", "authors": "林墨\n周舟", "contact": "room@example.org"}
        response = self.client.post(url, {**fields, "print_in_pdf": "on"})
        self.assertRedirects(response, url)
        self.project.refresh_from_db()
        self.assertEqual(
            self.project.title_page, {"title": "重生", "authors": "林墨\n周舟", "contact": "room@example.org"}
        )
        page = self.client.get(reverse("project_detail", args=[self.project.slug]))
        self.assertContains(page, f'href="{url}"')

    def test_fountain_and_fdx_exports_write_it_back(self) -> None:
        import_file(SAMPLES / "fidelity.fountain", "ledger", "--create", "Ledger")
        text = export("ledger", "fountain").decode("utf-8")
        self.assertTrue(text.startswith("Title: _**THE LIGHTHOUSE LEDGER**_\nCredit: Written by\nAuthor:\n"))
        self.assertEqual(fields_from_entries(fountain.parse(text).title_page), FIDELITY_PAGE)
        back = fdx.parse(export("ledger", "fdx"))
        self.assertEqual(fields_from_entries(back.title_page), FIDELITY_PAGE)

    def test_the_chinese_export_keeps_several_authors_on_one_line(self) -> None:
        update_title_page(project=self.project, values={"title": "Demo", "authors": "林墨\n周舟"})
        text = export("demo", "zh").decode("utf-8")
        self.assertIn("编剧：林墨、周舟\n", text)
        doc = zh.parse(text)
        self.assertEqual(dict(doc.title_page)["Author"], "林墨、周舟")
        self.assertNotIn("周舟", [el.text for el in doc.episodes[0].elements])

    def test_fountain_to_fdx_to_fountain_keeps_the_title_page_and_the_script(self) -> None:
        import_file(SAMPLES / "fidelity.fountain", "src", "--create", "Ledger")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ledger.fdx"
            path.write_bytes(export("src", "fdx"))
            import_file(path, "copy", "--create", "Ledger")
        self.assertEqual(Project.objects.get(slug="copy").title_page, FIDELITY_PAGE)
        self.assertEqual(export("copy", "fountain"), export("src", "fountain"))

    def test_the_pdf_prints_it_first_in_the_industry_layout(self) -> None:
        import_file(SAMPLES / "fidelity.fountain", "ledger", "--create", "Ledger")
        with pdfplumber.open(io.BytesIO(export("ledger", "pdf"))) as pdf:
            page = pdf.pages[0]
            found = words(page)
            text = page.extract_text()
            for value in FIDELITY_PAGE.values():
                for line in value.replace("_**", "").replace("**_", "").split("\n"):
                    self.assertIn(line, text)
            self.assertNotIn("*", text)
            title = found["LIGHTHOUSE"]
            # Centred a third of the way down, in bold.
            self.assertAlmostEqual((title["top"] + title["bottom"]) / 2 / page.height, 1 / 3, delta=0.03)
            line = [w for w in page.extract_words() if abs(w["top"] - title["top"]) < 1]
            centre = (line[0]["x0"] + line[-1]["x1"]) / 2
            self.assertAlmostEqual(centre / 72, (1.5 + 7.5) / 2, delta=0.1)
            self.assertIn("Bold", next(c for c in page.chars if c["text"] == "L")["fontname"])
            # The contact block sits at the bottom left, on the action margin.
            contact = found["ledger@example.org"]
            self.assertAlmostEqual(contact["x0"] / 72, 1.5, delta=0.02)
            self.assertGreater(contact["top"] / page.height, 0.8)
            self.assertNotIn("LIGHTHOUSE GALLERY", text)
            self.assertIn("LIGHTHOUSE GALLERY", pdf.pages[1].extract_text())
            # A one-episode script named as its title page prints no "EPISODE 1: ..." line of its own.
            self.assertNotIn("EPISODE 1", pdf.pages[1].extract_text())

    def test_no_title_page_unless_the_series_has_one_or_when_switched_off(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n", slug="plain")

        def first_page() -> str:
            with pdfplumber.open(io.BytesIO(export("plain", "pdf"))) as pdf:
                return pdf.pages[0].extract_text()

        self.assertIn("INT. ROOM - DAY", first_page())  # no "Written by" the importing account
        update_title_page(project=project, values={"title": "Heist", "authors": "Ada"})
        self.assertNotIn("INT. ROOM", first_page())
        with pdfplumber.open(io.BytesIO(export("plain", "pdf", "--no-title-page"))) as pdf:
            self.assertIn("INT. ROOM - DAY", pdf.pages[0].extract_text())
        update_title_page(project=project, values={"title": "Heist"}, print_in_pdf=False)
        self.assertIn("INT. ROOM - DAY", first_page())

    def write(self, name: str, text: str) -> Path:
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def test_a_title_in_bold_is_the_same_title_and_the_report_says_what_the_title_page_got(self) -> None:
        night = self.write(
            "night.fountain", "Title: **Night Ferry**\nAuthor: Ada Quill\n\nINT. DECK - NIGHT\n\nFog.\n"
        )
        lines = import_file(night, "ferry", "--create", "Night Ferry").strip().splitlines()
        report = " ".join(lines)
        self.assertNotIn("something else about the title", report)
        self.assertNotIn("bible was kept", report)
        self.assertIn("The title page was filled in from the file: Title, Author(s).", lines)
        self.assertEqual(lines[-1], "imported 1 episode, 1 scene, 0 characters")
        self.assertEqual(Project.objects.get(slug="ferry").title_page["title"], "**Night Ferry**")

    def test_the_report_names_the_title_page_fields_the_series_kept(self) -> None:
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n", slug="ferry")
        update_title_page(project=project, values={"title": "Night Ferry", "authors": "The Room"})
        project.episodes.all().delete()
        text = (
            "Title: _**Night  Ferry**_\nAuthor: Ada Quill\nContact: ada@example.org\n\n"
            "INT. DECK - NIGHT\n\nFog.\n"
        )
        lines = import_file(self.write("night.fountain", text), "ferry").strip().splitlines()
        self.assertIn("The title page was filled in from the file: Contact.", lines)
        self.assertIn(
            "The file's title page says something else about Author(s); the series' was kept.", lines
        )
        report = " ".join(lines)
        self.assertIn(
            "something else about the title (“Night Ferry” in the file)", report
        )  # the series: Heist
        self.assertNotIn("Title,", report)  # same words as the series' title page, only in bold
        project.refresh_from_db()
        self.assertEqual(project.title_page["authors"], "The Room")
        self.assertEqual(project.title_page["contact"], "ada@example.org")

    def test_a_final_draft_title_in_bold_is_the_series_title_and_comes_in_as_emphasis(self) -> None:
        data = (
            '<FinalDraft><Content><Paragraph Type="Action"><Text>Fog.</Text></Paragraph></Content>'
            '<TitlePage><Content><Paragraph Alignment="Center"><Text Style="Bold">Night Ferry</Text>'
            "</Paragraph></Content></TitlePage></FinalDraft>"
        )
        lines = import_file(self.write("night.fdx", data), "ferry", "--create", "Night Ferry").splitlines()
        self.assertNotIn("something else about the title", " ".join(lines))
        self.assertIn("The title page was filled in from the file: Title.", lines)
        self.assertEqual(Project.objects.get(slug="ferry").title_page["title"], "**Night Ferry**")
        root = ET.fromstring(export("ferry", "fdx"))
        title = root.find("TitlePage").find(".//Text[@Style]")
        self.assertEqual((title.text, title.get("Style")), ("Night Ferry", "Bold"))  # no literal stars
