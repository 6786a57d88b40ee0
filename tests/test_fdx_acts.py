"""Final Draft acts (issue 8.10, 8.11): kept, printed, written back; a one-episode FDX adds no act."""

from __future__ import annotations

import io
import tempfile
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pdfplumber
from django.core.management import call_command

from scripts_app.formats import fdx, fountain
from scripts_app.formats.elements import Element, EpisodeText, Kind, ScriptDocument
from scripts_app.layout import ShootingScriptOptions, paginate

from .base import BaseTestCase
from .sample_scripts import SAMPLES

FDX = (SAMPLES / "tv_episode.fdx").read_bytes()
TWIN = (SAMPLES / "tv_episode.fountain").read_text(encoding="utf-8")


def paragraphs(text: str) -> list[tuple[str, str, str]]:
    root = ET.fromstring(text.encode("utf-8"))
    return [
        (p.get("Type", ""), "".join(t.text or "" for t in p.findall("Text")), p.get("StartsNewPage", ""))
        for p in root.find("Content").iter("Paragraph")
    ]


def test_new_act_and_end_of_act_in_any_capitalisation_are_act_elements() -> None:
    elements = fdx.parse(FDX).episodes[0].elements
    acts = [(el.kind, el.text) for el in elements if el.kind in (Kind.NEW_ACT, Kind.END_ACT)]
    assert acts == [
        (Kind.NEW_ACT, "TEASER"),
        (Kind.END_ACT, "END OF TEASER"),  # written "End Of Act" in the file
        (Kind.NEW_ACT, "ACT ONE"),
        (Kind.END_ACT, "END OF ACT ONE"),
        (Kind.NEW_ACT, "ACT TWO"),
        (Kind.END_ACT, "END OF ACT TWO"),
    ]
    # StartsNewPage on an act is a page break before it; the first act starts the script anyway.
    kinds = [el.kind for el in elements]
    assert [kinds[i + 1] for i, k in enumerate(kinds) if k == Kind.PAGE_BREAK] == [Kind.NEW_ACT] * 2


def test_the_fdx_episode_reads_as_its_fountain_twin() -> None:
    assert fdx.parse(FDX) == fountain.parse(TWIN)


def test_fdx_export_writes_acts_as_act_paragraphs_never_as_general_sections() -> None:
    text = fdx.serialise(fountain.parse(TWIN))
    paras = paragraphs(text)
    assert ("New Act", "ACT ONE", "Yes") in paras and ("New Act", "ACT TWO", "Yes") in paras
    assert ("New Act", "TEASER", "") in paras
    assert [t for kind, t, _ in paras if kind == "End of Act"] == [
        "END OF TEASER", "END OF ACT ONE", "END OF ACT TWO",
    ]  # fmt: skip
    assert not any(kind == "General" and t.startswith("#") for kind, t, _ in paras)
    assert fdx.parse(text) == fountain.parse(TWIN)


def test_acts_print_centred_and_a_new_act_marked_so_starts_a_page() -> None:
    script = paginate(fdx.parse(FDX), ShootingScriptOptions(fountain_markup=True))
    body = [page for page in script.pages if page.number >= 1]
    firsts = [next((ln.text for ln in page.lines if ln.kind == Kind.NEW_ACT), None) for page in body]
    assert firsts == ["TEASER", "ACT ONE", "ACT TWO"]
    act = next(ln for page in body for ln in page.lines if ln.text == "END OF ACT ONE")
    assert act.align == "center" and act.underline


def test_a_tv_episode_from_final_draft_prints_as_many_pages_as_its_fountain_twin() -> None:
    for profile in ("letter", "a4"):
        options = ShootingScriptOptions(profile=profile, fountain_markup=True)
        assert (
            paginate(fdx.parse(FDX), options).page_count == paginate(fountain.parse(TWIN), options).page_count
        )


def test_a_one_episode_document_can_be_written_without_any_episode_act() -> None:
    doc = ScriptDocument(
        title_page=[("Title", "Series title")],
        episodes=[EpisodeText(1, "Pilot", [Element(Kind.SCENE_HEADING, "INT. ROOM - DAY")])],
    )
    assert "Episode 1" in fdx.serialise(doc)  # the format keeps an episode it cannot otherwise name
    assert not any(kind == "New Act" for kind, _t, _s in paragraphs(fdx.serialise(doc, episode_acts=False)))


class FinalDraftInTheAppTestCase(BaseTestCase):
    def run_command(self, *args: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            call_command(*args, "-o", str(out), stderr=StringIO())
            return out.read_bytes()

    def test_an_imported_tv_episode_prints_and_exports_its_acts(self) -> None:
        call_command("import_script", str(SAMPLES / "tv_episode.fdx"), "--project", "shift",
                     "--create", "Night Shift", stdout=StringIO())  # fmt: skip
        call_command("import_script", str(SAMPLES / "tv_episode.fountain"), "--project", "twin",
                     "--create", "Night Shift", stdout=StringIO())  # fmt: skip
        pdfs = [self.run_command("export_script", slug, "--format", "pdf") for slug in ("shift", "twin")]
        texts = []
        for data in pdfs:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                texts.append([page.extract_text() or "" for page in pdf.pages])
        assert len(texts[0]) == len(texts[1]) == 4  # the title page and one page per act
        assert texts[0] == texts[1]
        assert "ACT ONE" in texts[0][2].splitlines()[1] and "ACT TWO" in texts[0][3]

        paras = paragraphs(self.run_command("export_script", "shift", "--format", "fdx").decode("utf-8"))
        assert [(kind, t) for kind, t, _s in paras if kind in ("New Act", "End of Act")] == [
            ("New Act", "TEASER"), ("End of Act", "END OF TEASER"), ("New Act", "ACT ONE"),
            ("End of Act", "END OF ACT ONE"), ("New Act", "ACT TWO"), ("End of Act", "END OF ACT TWO"),
        ]  # fmt: skip

    def test_a_one_episode_fdx_export_adds_no_act_of_its_own(self) -> None:
        project = self.screenplay("INT. VAULT - NIGHT\n\nThe door swings open.\n")
        project.episodes.update(title="Pilot")  # a title unlike the series': the old export named it
        paras = paragraphs(self.run_command("export_script", project.slug, "--format", "fdx").decode())
        assert [kind for kind, _t, _s in paras] == ["Scene Heading", "Action"]
        assert not any("Episode" in t for _k, t, _s in paras)
