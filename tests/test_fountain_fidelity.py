"""Fountain as fountain.io writes it, printed faithfully (issue 8.5, 8.6, 8.8, 8.9; issue 9.8's PDF half).

The PDF checks read the printed file back with pdfplumber: which face each word is set in, what
text is on the page and where."""

from __future__ import annotations

import io
import tempfile
import time
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pdfplumber
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts_app.formats import detect, fdx, fountain
from scripts_app.formats.elements import Element, Kind
from scripts_app.layout import ShootingScriptOptions, paginate
from scripts_app.layout.markup import RunFinder, strip_notes, styled_text
from scripts_app.layout.wrap import wrap
from scripts_app.models import Project, Scene
from scripts_app.render import render_pdf

from .base import BaseTestCase
from .sample_scripts import SAMPLES

# ------------------------------------------------------------------------------- pure parts


def test_consecutive_centred_lines_are_one_block() -> None:
    elements = fountain.parse("> THREE DAYS LATER <\n> THE SAME NIGHT <\n\n> ALONE <\n").episodes[0].elements
    assert elements == [
        Element(Kind.CENTERED, "THREE DAYS LATER\nTHE SAME NIGHT"),
        Element(Kind.CENTERED, "ALONE"),
    ]
    doc = fountain.parse("> A <\n> B <\nAction.\n")
    assert fountain.parse(fountain.serialise(doc)) == doc


def test_a_centred_block_prints_at_single_spacing() -> None:
    page = paginate(fountain.parse("> THREE DAYS LATER <\n> THE SAME NIGHT <\n")).pages[0]
    rows = {ln.text: ln for ln in page.lines}
    first, second = rows["THREE DAYS LATER"], rows["THE SAME NIGHT"]
    assert second.row == first.row + 1 and first.align == second.align == "center"


def test_notes_come_out_inline_and_over_several_lines() -> None:
    assert strip_notes("Bob waits.[[fix this]] He sits.") == "Bob waits. He sits."
    assert strip_notes("Bob waits. [[fix this]] He sits.") == "Bob waits. He sits."
    assert strip_notes("I said no. [[multi\nline note]] Go.") == "I said no. Go."
    assert strip_notes("An [[unclosed note stays") == "An [[unclosed note stays"


def test_emphasis_gives_styled_runs_that_join_to_the_printed_line() -> None:
    plain, styles = styled_text("a *b* **c** ***d*** _e f_ \\*g")
    assert plain == "a b c d e f *g"
    runs = RunFinder(plain, styles).runs(plain)
    assert runs == (
        ("a ", 0),
        ("b", 2),
        (" ", 0),
        ("c", 1),
        (" ", 0),
        ("d", 3),
        (" ", 0),
        ("e f", 4),
        (" *g", 0),
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab *_\\[]\n", max_size=80), st.integers(min_value=4, max_value=30))
def test_runs_always_spell_the_wrapped_lines(text: str, width: int) -> None:
    styled = styled_text(strip_notes(text))
    if styled is None:
        return
    plain, styles = styled
    finder = RunFinder(plain, styles)
    for line in wrap(plain, width):
        runs = finder.runs(line)
        assert runs is None or "".join(t for t, _f in runs) == line


def test_styling_a_long_line_of_marks_takes_linear_time() -> None:
    text = "*a* _b_ **c [[n]] " * 10_000  # 180,000 characters: about a second
    start = time.perf_counter()
    plain, styles = styled_text(strip_notes(text))
    finder = RunFinder(plain, styles)
    for line in wrap(plain, 60):
        finder.runs(line)
    assert time.perf_counter() - start < 5


def test_a_dual_speech_too_tall_for_two_columns_keeps_its_styles_when_laid_out_again() -> None:
    speech = "\n".join("word *it* " * 5 for _ in range(60))
    doc = fountain.parse(f"INT. A - DAY\n\nBOB\n{speech}\n\nMARY ^\n*Yes*.\n")
    pages = paginate(doc, ShootingScriptOptions(fountain_markup=True)).pages
    lines = [ln for page in pages for ln in page.lines]
    styled = [ln for ln in lines if ln.runs]
    assert len(styled) == 121 and all("".join(t for t, _f in ln.runs) == ln.text for ln in styled)
    assert styled[0].runs[:2] == (("word ", 0), ("it", 2)) and styled[-1].runs == (("Yes", 2), (".", 0))


def test_a_line_that_only_a_note_fills_is_gone_from_the_printed_paragraph() -> None:
    assert (
        strip_notes("The sea is loud.\n[[quiet aside]]\nThe sea is calm.")
        == "The sea is loud.\nThe sea is calm."
    )
    assert strip_notes("The sea is loud.\n[[an aside\nover two lines]]\nCalm.") == "The sea is loud.\nCalm."
    assert strip_notes("The sea is loud.\n[[quiet aside]]") == "The sea is loud."
    assert strip_notes("[[nothing but a note]]") == ""
    assert strip_notes("A line.\n\nA line after a real gap.") == "A line.\n\nA line after a real gap."


def test_a_note_only_line_inside_action_prints_no_blank_row() -> None:
    doc = fountain.parse("INT. A - DAY\n\nThe sea is loud.\n[[quiet aside]]\nThe sea is calm.\n")
    page = paginate(doc, ShootingScriptOptions(fountain_markup=True)).pages[0]
    rows = {ln.text: ln.row for ln in page.lines}
    assert rows["The sea is calm."] == rows["The sea is loud."] + 1
    assert not any("aside" in ln.text for ln in page.lines)
    only_note = fountain.parse("INT. A - DAY\n\nQuiet.\n\nBOB\n[[a note for the actor]]\n")
    texts = [
        ln.text for ln in paginate(only_note, ShootingScriptOptions(fountain_markup=True)).pages[0].lines
    ]
    assert "a note for the actor" not in " ".join(texts)


def test_two_spaces_hold_a_note_together_across_an_empty_line() -> None:
    doc = fountain.parse("Bob waits.[[note with\n  \ntwo-space line]] He sits.\n\n[[standalone\n  \nnote]]\n")
    assert doc.episodes[0].elements == [
        Element(Kind.ACTION, "Bob waits.[[note with\n\ntwo-space line]] He sits."),
        Element(Kind.NOTE, "standalone\n\nnote"),
    ]
    assert strip_notes(doc.episodes[0].elements[0].text) == "Bob waits. He sits."
    written = fountain.serialise(doc)
    assert "[[note with\n  \ntwo-space line]]" in written and "[[standalone\n  \nnote]]" in written
    assert fountain.parse(written) == doc
    # Without a closing "]]" further on, two spaces are an empty line as before: two paragraphs.
    unclosed = fountain.parse("Bob waits.[[never closed\n  \nHe sits.\n").episodes[0].elements
    assert [el.text for el in unclosed] == ["Bob waits.[[never closed", "He sits."]


def test_a_note_on_a_heading_is_neither_location_nor_time() -> None:
    heading = fountain.parse("INT. A - DAY [[heading note]]\n\nQuiet.\n").episodes[0].elements[0]
    assert heading == Element(Kind.SCENE_HEADING, "INT. A - DAY", note="heading note")
    parts = fountain.heading_parts(heading)
    assert (parts.int_ext, parts.location, parts.time_of_day) == ("INT", "A", "DAY")
    numbered = fountain.parse("INT. A [[why here?]] - NIGHT #12#\n\nQuiet.\n").episodes[0].elements[0]
    assert numbered == Element(Kind.SCENE_HEADING, "INT. A - NIGHT", scene_number="12", note="why here?")
    assert fountain.serialise_elements([numbered]) == "INT. A - NIGHT #12# [[why here?]]"
    assert fountain.with_scene_number("INT. A - DAY [[n]]", "3") == "INT. A - DAY #3# [[n]]"
    assert fountain.with_scene_number("INT. A - DAY #2# [[n]]", "3") == "INT. A - DAY #3# [[n]]"


def test_a_note_on_a_cue_keeps_it_a_cue() -> None:
    elements = fountain.parse("INT. A - DAY\n\nBOB [[cue note]]\nHello.\n\nMARY (V.O.) [[a]] [[b]] ^\nHi.\n")
    assert elements.episodes[0].elements[1:] == [
        Element(Kind.CHARACTER, "BOB", note="cue note"),
        Element(Kind.DIALOGUE, "Hello."),
        Element(Kind.CHARACTER, "MARY", extension="V.O.", dual=True, note="a]] [[b"),
        Element(Kind.DIALOGUE, "Hi."),
    ]
    written = fountain.serialise(elements)
    assert "BOB [[cue note]]\nHello." in written and "MARY (V.O.) ^ [[a]] [[b]]\nHi." in written
    assert fountain.parse(written) == elements
    page = paginate(elements, ShootingScriptOptions(fountain_markup=True)).pages[0]
    assert "BOB" in [ln.text for ln in page.lines]
    assert not any("note" in ln.text for ln in page.lines)


def test_emphasis_does_not_carry_across_a_line_break() -> None:
    assert styled_text("*spans\ntwo lines*") is None  # no span: both stars print as written
    plain, styles = styled_text("**bold** then *open\nclosed* **here**")
    assert plain == "bold then *open\nclosed* here"
    assert styles[plain.index("bold")] == 1 and styles[plain.index("here")] == 1
    assert not any(styles[plain.index("*open") : plain.index("here")])
    assert fountain.strip_emphasis("_one\ntwo_ _three_") == "_one\ntwo_ three"


def test_a_fountain_file_name_is_trusted_over_its_lines() -> None:
    assert detect.format_from_filename("Cold Open.FOUNTAIN") == "fountain"
    assert detect.format_from_filename("draft.spmd") == "fountain"
    assert detect.format_from_filename("draft.txt") is None


# --------------------------------------------------------------------------------- printed


def fonts_of(page, word: str) -> set[str]:
    """The faces the characters of `word` are set in ("Bold", "Italic", "BoldItalic", "Regular")."""
    for w in page.extract_words(extra_attrs=["fontname"], keep_blank_chars=False, use_text_flow=True):
        if w["text"].strip(".,:") == word:
            chars = [
                c for c in page.chars if w["x0"] - 0.1 <= c["x0"] < w["x1"] and abs(c["top"] - w["top"]) < 1
            ]
            return {c["fontname"].split("-")[-1] for c in chars if c["text"].strip(".,:")}
    raise AssertionError(f"{word!r} is not on the page")


def underlined(page, word: str) -> bool:
    w = next(w for w in page.extract_words() if w["text"].strip(".,:") == word)
    end = w["x0"] + (w["x1"] - w["x0"]) * len(word) / len(w["text"])  # "nine." is underlined to the "e"
    return any(
        ln["x0"] <= w["x0"] + 1 and ln["x1"] >= end - 1 and w["top"] < ln["top"] <= w["bottom"] + 3
        for ln in page.lines
    )


def test_the_pdf_prints_no_note_and_no_gap_where_a_line_held_only_a_note() -> None:
    doc = fountain.parse(
        "INT. HARBOUR - NIGHT [[heading note]]\n\nThe sea is loud.\n[[quiet aside]]\nThe sea is calm.\n\n"
        "BOB [[cue note]]\nWe wait.[[hold\n  \nthe beat]] Then we go.\n"
    )
    pdf = render_pdf(paginate(doc, ShootingScriptOptions(fountain_markup=True)))
    with pdfplumber.open(io.BytesIO(pdf)) as printed:
        page = printed.pages[0]
        text = page.extract_text()
        tops = {w["text"]: w["top"] for w in page.extract_words()}
    for note in ("note", "aside", "hold", "beat", "[[", "]]"):
        assert note not in text
    assert "INT. HARBOUR - NIGHT" in text and "We wait. Then we go." in text
    assert "BOB" in text.split("\n")
    assert abs(tops["calm."] - tops["loud."] - 12) < 0.5  # the next row: no blank row between them


class FountainFidelityTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        call_command("import_script", str(SAMPLES / "fidelity.fountain"), "--project", "ledger",
                     "--create", "Ledger", stdout=StringIO())  # fmt: skip

    def export(self, fmt: str, *extra: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            call_command(
                "export_script", "ledger", "--format", fmt, *extra, "-o", str(out), stderr=StringIO()
            )
            return out.read_bytes()

    def test_emphasis_prints_in_courier_primes_own_faces(self) -> None:
        with pdfplumber.open(io.BytesIO(self.export("pdf"))) as pdf:
            page = pdf.pages[1]
            self.assertEqual(fonts_of(page, "FADE"), {"Bold"})
            self.assertEqual(fonts_of(page, "IN"), {"Bold"})
            self.assertEqual(fonts_of(page, "loud"), {"Italic"})
            self.assertEqual(fonts_of(page, "stops"), {"Bold"})
            self.assertEqual(fonts_of(page, "Nine"), {"BoldItalic"})
            self.assertEqual(fonts_of(page, "twice"), {"Bold"})
            self.assertEqual(fonts_of(page, "counts"), {"Regular"})
            self.assertTrue(underlined(page, "nine"))
            self.assertFalse(underlined(page, "ships"))
            text = page.extract_text()
            self.assertNotIn("*", text)
            self.assertNotIn("_", text)

    def test_notes_never_print_but_stay_in_the_text_and_the_exports(self) -> None:
        with pdfplumber.open(io.BytesIO(self.export("pdf"))) as pdf:
            text = "\n".join(page.extract_text() for page in pdf.pages)
        for note in ("Welsh", "standalone", "harder", "[[", "]]"):
            self.assertNotIn(note, text)
        self.assertIn("and only eight came", text)
        self.assertIn("writes a number in the ledger.", text)
        self.assertIn("I counted twice. Twice.", text)
        scenes = "\n".join(
            Scene.objects.filter(episode__project__slug="ledger").values_list("text", flat=True)
        )
        self.assertIn("[[Should she count in Welsh?]]", scenes)
        fountain_export = self.export("fountain").decode("utf-8")
        self.assertIn("[[A standalone note\nthat runs over two lines]]", fountain_export)
        self.assertIn("[[make this\nland harder]]", fountain_export)
        doc = fdx.parse(self.export("fdx"))
        notes = [el.text for el in doc.episodes[0].elements if el.kind == Kind.NOTE]
        self.assertEqual(notes, ["A standalone note\nthat runs over two lines"])
        # In Final Draft an inline note is a ScriptNote too (issue 8 B7), never words it prints.
        root = ET.fromstring(self.export("fdx"))
        self.assertNotIn("[[", "".join(t.text or "" for t in root.find("Content").iter("Text")))
        self.assertIn(
            "Should she count in Welsh?", [n.findtext("Paragraph/Text") for n in root.iter("ScriptNote")]
        )
        actions = [el.text for el in doc.episodes[0].elements if el.kind == Kind.ACTION]
        self.assertTrue(
            any("**stops**.[[Should she count in Welsh?]] She writes" in text for text in actions)
        )

    def test_notes_on_a_heading_and_a_cue_name_no_location_or_character(self) -> None:
        from scripts_app.models import Character, Location

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "corners.fountain"
            path.write_text(
                "INT. HARBOUR - NIGHT [[which harbour?]]\n\nBOB [[cue note]]\nWe wait.\n", encoding="utf-8"
            )
            call_command("import_script", str(path), "--project", "corners", "--create", "Corners",
                         stdout=StringIO())  # fmt: skip
        scene = Scene.objects.get(episode__project__slug="corners")
        self.assertEqual(
            (scene.heading, scene.int_ext, scene.time_of_day), ("INT. HARBOUR - NIGHT", "INT", "NIGHT")
        )
        self.assertEqual(scene.location.name, "HARBOUR")
        names = {
            model.__name__: list(model.objects.filter(project__slug="corners").values_list("name", flat=True))
            for model in (Location, Character)
        }
        self.assertEqual(names, {"Location": ["HARBOUR"], "Character": ["BOB"]})
        self.assertIn("[[which harbour?]]", scene.text)  # the notes stay in the text

    def test_scene_headings_print_in_capitals_however_typed(self) -> None:
        with pdfplumber.open(io.BytesIO(self.export("pdf"))) as pdf:
            text = pdf.pages[1].extract_text()
        self.assertIn("EXT. LIGHTHOUSE GALLERY - NIGHT", text)
        self.assertIn("INT. KEEPER'S COTTAGE - CONTINUOUS", text)
        self.assertNotIn("lighthouse gallery", text)

    def test_the_centred_block_and_the_act_end_print_centred(self) -> None:
        with pdfplumber.open(io.BytesIO(self.export("pdf"))) as pdf:
            page = pdf.pages[1]
            found = {w["text"]: w for w in page.extract_words()}
            three, same = found["THREE"], found["SAME"]
            self.assertAlmostEqual(same["top"] - three["top"], 12, delta=0.5)  # one row: single spacing
            self.assertIn("END OF ACT ONE", page.extract_text())

    def test_a_file_named_fountain_is_fountain_however_its_lines_read(self) -> None:
        with self.assertRaises(detect.ScriptFormatError):
            detect.detect_format((SAMPLES / "notes_and_action.fountain").read_text(encoding="utf-8"))
        out = StringIO()
        call_command("import_script", str(SAMPLES / "notes_and_action.fountain"), "--project", "notes",
                     "--create", "Notes", stdout=out)  # fmt: skip
        self.assertEqual(Project.objects.get(slug="notes").script_format, "fountain")
        project = self.screenplay("INT. ROOM - DAY\n\nQuiet.\n", slug="web")
        project.episodes.all().delete()
        self.login(self.alice)
        upload = SimpleUploadedFile("cold open.spmd", (SAMPLES / "notes_and_action.fountain").read_bytes())
        response = self.client.post(reverse("import", args=["web"]), {"file": upload, "format": "auto"})
        self.assertEqual(response.status_code, 302)
        text = Scene.objects.get(episode__project=project).text
        self.assertIn("[[Cold open: keep it under a minute.]]", text)

    def test_the_chinese_format_keeps_its_stars(self) -> None:
        options = ShootingScriptOptions(profile="zh")
        page = paginate([Element(Kind.ACTION, "他说：*不*。")], options).pages[0]
        self.assertIn("△他说：*不*。", [ln.text for ln in page.lines])
