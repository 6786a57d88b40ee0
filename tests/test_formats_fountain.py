"""Fountain parser/serialiser: the sample screenplays, forcing marks, and hostile input."""

from __future__ import annotations

import random
import time

import pytest

from scripts_app.formats import fountain
from scripts_app.formats.elements import (
    Element,
    EpisodeText,
    HeadingParts,
    Kind,
    ScriptDocument,
    speaking_characters,
)

from .sample_scripts import read


@pytest.fixture(scope="module")
def heiress() -> ScriptDocument:
    return fountain.parse(read("contract_heiress.fountain"))


@pytest.fixture(scope="module")
def pilot() -> ScriptDocument:
    return fountain.parse(read("short_pilot.fountain"))


def kinds(episode: EpisodeText, kind: Kind) -> list[Element]:
    return [el for el in episode.elements if el.kind == kind]


def all_elements(doc: ScriptDocument) -> list[Element]:
    return [el for ep in doc.episodes for el in ep.elements]


# ------------------------------------------------------------------ the sample files


def test_it_reads_the_title_page_with_multi_line_values(heiress: ScriptDocument) -> None:
    assert heiress.title_page == [
        ("Title", "_**THE CONTRACT HEIRESS**_\nA Vertical Series"),
        ("Credit", "Written by"),
        ("Author", "Mira Chen"),
        ("Source", "An original story"),
        ("Draft date", "2024-11-02"),
        ("Contact", "Writers' Room\nroom@example.com"),
    ]


def test_level_one_sections_start_episodes(heiress: ScriptDocument) -> None:
    assert [(ep.number, ep.title) for ep in heiress.episodes] == [(1, "The Signing"), (2, "The First Dinner")]
    # The episode sections themselves are not elements.
    assert all(el.level != 1 for el in all_elements(heiress))


def test_a_file_without_level_one_sections_is_one_episode_titled_from_the_title_page(
    pilot: ScriptDocument,
) -> None:
    assert [(ep.number, ep.title) for ep in pilot.episodes] == [(1, "Second Chances")]
    assert pilot.title_page == [("Title", "Second Chances"), ("Author", "Mira Chen")]


def test_it_counts_scenes_and_reads_scene_numbers(heiress: ScriptDocument, pilot: ScriptDocument) -> None:
    numbers = [[el.scene_number for el in kinds(ep, Kind.SCENE_HEADING)] for ep in heiress.episodes]
    assert numbers == [["1", "2", "3"], ["4", "5", "5A", "6"]]
    assert [el.text for el in kinds(pilot.episodes[0], Kind.SCENE_HEADING)] == [
        "INT. HOSPITAL ROOM - DAY",
        "EXT. HOSPITAL - NIGHT",
    ]


def test_scene_numbers_are_taken_off_the_heading_text(heiress: ScriptDocument) -> None:
    first = kinds(heiress.episodes[0], Kind.SCENE_HEADING)[0]
    assert first == Element(
        Kind.SCENE_HEADING, "INT. GU GROUP TOWER - PENTHOUSE OFFICE - NIGHT", scene_number="1"
    )


def test_a_forced_heading_drops_its_dot(heiress: ScriptDocument) -> None:
    forced = kinds(heiress.episodes[1], Kind.SCENE_HEADING)[0]
    assert forced.text == "FLASHBACK - LIN FAMILY GARDEN - TEN YEARS AGO"
    assert forced.scene_number == "4"


def test_it_lists_the_speaking_characters_per_episode(heiress: ScriptDocument, pilot: ScriptDocument) -> None:
    assert speaking_characters(heiress.episodes[0].elements) == [
        "GU CHEN",
        "LIN YUE",
        "ASSISTANT ZHOU",
        "张明",
    ]
    assert speaking_characters(heiress.episodes[1].elements) == ["MADAM GU", "LIN YUE", "GU CHEN", "GU YAN"]
    assert speaking_characters(pilot.episodes[0].elements) == ["SU QING", "NURSE"]


def test_the_boneyard_is_removed_with_the_cue_inside_it(heiress: ScriptDocument) -> None:
    everything = " ".join(el.text for el in all_elements(heiress))
    assert "OLD ASSISTANT" not in everything
    assert "cut subplot" not in everything
    assert "/*" not in everything and "*/" not in everything


def test_it_keeps_dialogue_with_its_speaker(heiress: ScriptDocument) -> None:
    els = heiress.episodes[0].elements
    i = els.index(Element(Kind.CHARACTER, "LIN YUE"))
    assert els[i + 1 : i + 3] == [
        Element(Kind.PARENTHETICAL, "setting the folder down"),
        Element(Kind.DIALOGUE, "I only need thirty."),
    ]


def test_multi_line_dialogue_keeps_its_line_breaks(heiress: ScriptDocument) -> None:
    assert (
        Element(Kind.DIALOGUE, "Sit down, Miss Lin.\nWe should discuss the terms.")
        in heiress.episodes[0].elements
    )


def test_extensions_are_split_off_the_name(heiress: ScriptDocument) -> None:
    cues = {(el.text, el.extension) for el in kinds(heiress.episodes[0], Kind.CHARACTER)}
    assert {("ASSISTANT ZHOU", "O.S."), ("GU CHEN", "O.S."), ("LIN YUE", "V.O."), ("张明", "V.O.")} <= cues


def test_contd_alone_is_kept_as_the_extension(heiress: ScriptDocument, pilot: ScriptDocument) -> None:
    assert Element(Kind.CHARACTER, "GU CHEN", extension="CONT'D") in heiress.episodes[0].elements
    assert Element(Kind.CHARACTER, "SU QING", extension="CONT'D") in pilot.episodes[0].elements


def test_contd_with_another_extension_keeps_the_other_one(heiress: ScriptDocument) -> None:
    cues = kinds(heiress.episodes[0], Kind.CHARACTER)
    # "LIN YUE (V.O.) (CONT'D)" is the same character with the same V.O. extension.
    assert cues[-1] == Element(Kind.CHARACTER, "LIN YUE", extension="V.O.")


@pytest.mark.parametrize(
    ("cue", "name", "extension"),
    [
        ("BOB (CONT'D)", "BOB", "CONT'D"),
        ("BOB (cont'd)", "BOB", "CONT'D"),
        ("BOB (CONT’D)", "BOB", "CONT'D"),
        ("BOB (CONT'D) (O.S.)", "BOB", "O.S."),
        ("BOB (V.O.) (ON PHONE)", "BOB", "V.O., ON PHONE"),
        ("@McCLANE (V.O.)", "McCLANE", "V.O."),
        ("DR. O'NEIL", "DR. O'NEIL", ""),
    ],
)
def test_cue_variants_never_change_who_speaks(cue: str, name: str, extension: str) -> None:
    els = fountain.parse(f"{cue}\nHello.\n").episodes[0].elements
    assert els == [Element(Kind.CHARACTER, name, extension=extension), Element(Kind.DIALOGUE, "Hello.")]


def test_a_forced_cue_keeps_a_chinese_name(heiress: ScriptDocument) -> None:
    assert Element(Kind.CHARACTER, "张明", extension="V.O.") in heiress.episodes[0].elements


def test_a_chinese_name_without_the_at_sign_is_action() -> None:
    els = fountain.parse("张明\n你好。\n").episodes[0].elements
    assert els == [Element(Kind.ACTION, "张明\n你好。")]


def test_dual_dialogue_marks_only_the_second_cue(heiress: ScriptDocument) -> None:
    cues = kinds(heiress.episodes[1], Kind.CHARACTER)
    assert [(c.text, c.dual) for c in cues if c.dual] == [("MADAM GU", True), ("GU YAN", True)]
    assert Element(Kind.CHARACTER, "GU CHEN") in cues  # the left column is a plain cue


def test_transitions_natural_and_forced(heiress: ScriptDocument, pilot: ScriptDocument) -> None:
    assert [el.text for ep in heiress.episodes for el in kinds(ep, Kind.TRANSITION)] == [
        "SMASH CUT:",
        "CUT TO:",
        "FADE TO:",
        "FADE OUT.",
    ]
    # Not ending in "TO:" and not forced: it is action.
    assert pilot.episodes[0].elements[-1] == Element(Kind.ACTION, "FADE TO BLACK.")


def test_centered_text_and_page_breaks(heiress: ScriptDocument) -> None:
    ep2 = heiress.episodes[1]
    assert kinds(ep2, Kind.CENTERED) == [Element(Kind.CENTERED, "THE END OF EPISODE TWO")]
    assert kinds(ep2, Kind.PAGE_BREAK) == [Element(Kind.PAGE_BREAK)]


def test_sections_keep_their_level_and_synopses_their_text(heiress: ScriptDocument) -> None:
    sections = [(el.text, el.level) for ep in heiress.episodes for el in kinds(ep, Kind.SECTION)]
    assert sections == [("Cold Open", 2), ("Act One", 2), ("Beat: the watch", 3)]
    assert kinds(heiress.episodes[1], Kind.SYNOPSIS)[-1] == Element(
        Kind.SYNOPSIS, "The watch is the first clue."
    )


def test_standalone_notes_become_elements_and_inline_notes_stay_in_action(heiress: ScriptDocument) -> None:
    notes = [el.text for ep in heiress.episodes for el in kinds(ep, Kind.NOTE)]
    assert notes == [
        "Hook must land in the first five seconds.",
        "Cliffhanger: who is 张明?\nReveal in episode 5.",
    ]
    assert Element(Kind.ACTION, "Zhou nearly drops the umbrella. [[Comic beat, keep it short.]]") in (
        heiress.episodes[0].elements
    )


def test_forced_action_keeps_an_all_caps_line_as_action(heiress: ScriptDocument) -> None:
    assert Element(Kind.ACTION, "GU CHEN LAUGHS.") in heiress.episodes[0].elements


def test_emphasis_is_kept_as_raw_markup(heiress: ScriptDocument) -> None:
    texts = [el.text for el in all_elements(heiress)]
    assert "You are very *young*." in texts
    assert "And you are very _observant_." in texts
    assert any("**UNKNOWN NUMBER**" in t for t in texts)


@pytest.mark.parametrize("name", ["contract_heiress.fountain", "short_pilot.fountain"])
def test_round_trip_keeps_every_element(name: str) -> None:
    doc = fountain.parse(read(name))
    again = fountain.parse(fountain.serialise(doc))
    assert again == doc
    assert fountain.serialise(again) == fountain.serialise(doc)


def test_a_single_episode_is_written_without_an_episode_section(pilot: ScriptDocument) -> None:
    assert "\n# " not in fountain.serialise(pilot)


# ------------------------------------------------------------------ episodes


def test_episode_numbers_come_from_section_titles_or_count_on() -> None:
    doc = fountain.parse(
        "# 3 The Deal\n\nA.\n\n# Episode 7: Payback\n\nB.\n\n# Pilot\n\nC.\n\n# 第十集 重生\n\nD.\n"
    )
    assert [(ep.number, ep.title) for ep in doc.episodes] == [
        (3, "The Deal"),
        (7, "Payback"),
        (8, "Pilot"),
        (10, "重生"),
    ]


def test_content_before_the_first_episode_section_belongs_to_that_episode() -> None:
    doc = fountain.parse("Cold open action.\n\n# Episode 1: Start\n\nINT. ROOM - DAY\n")
    assert len(doc.episodes) == 1
    assert doc.episodes[0].elements == [
        Element(Kind.ACTION, "Cold open action."),
        Element(Kind.SCENE_HEADING, "INT. ROOM - DAY"),
    ]
    assert fountain.parse(fountain.serialise(doc)) == doc


def test_a_file_without_a_title_page_has_an_untitled_episode() -> None:
    doc = fountain.parse("INT. ROOM - DAY\n\nShe waits.\n")
    assert doc.title_page == []
    assert [(ep.number, ep.title) for ep in doc.episodes] == [(1, "")]


# ------------------------------------------------------------------ serialising


def test_serialise_writes_forcing_marks_where_needed() -> None:
    elements = [
        Element(Kind.SCENE_HEADING, "ROOFTOP - NIGHT", scene_number="12A"),
        Element(Kind.SCENE_HEADING, "INT. HOUSE - DAY"),
        Element(Kind.CHARACTER, "张明", extension="OS"),
        Element(Kind.DIALOGUE, "你好。\n\n再见。"),
        Element(Kind.CHARACTER, "McCLANE", dual=True),
        Element(Kind.PARENTHETICAL, "beat"),
        Element(Kind.DIALOGUE, "Yippee."),
        Element(Kind.ACTION, "BOOM."),
        Element(Kind.ACTION, "INT. IS NOT A HEADING HERE"),
        Element(Kind.ACTION, "CUT TO:"),
        Element(Kind.ACTION, "!Bang\n# not a section\n> not a transition\n\nstill action"),
        Element(Kind.ACTION, "[[not a note]]"),
        Element(Kind.TRANSITION, "Burn to white."),
        Element(Kind.TRANSITION, "DISSOLVE TO:"),
        Element(Kind.ACTION, "BOB\nlooks around."),
    ]
    doc = ScriptDocument(episodes=[EpisodeText(number=1, elements=elements)])
    text = fountain.serialise(doc)
    assert text == (
        ".ROOFTOP - NIGHT #12A#\n\n"
        "INT. HOUSE - DAY\n\n"
        "@张明 (OS)\n你好。\n  \n再见。\n\n"
        "McCLANE ^\n(beat)\nYippee.\n\n"
        "BOOM.\n\n"
        "!INT. IS NOT A HEADING HERE\n\n"
        "!CUT TO:\n\n"
        "!!Bang\n!# not a section\n!> not a transition\n!\nstill action\n\n"
        "![[not a note]]\n\n"
        "> Burn to white.\n\n"
        "DISSOLVE TO:\n\n"
        "!BOB\nlooks around.\n"
    ).replace("McCLANE ^", "@McCLANE ^")
    assert fountain.parse(text) == doc


def test_serialise_keeps_in_episode_sections_below_level_one() -> None:
    doc = ScriptDocument(episodes=[EpisodeText(number=1, elements=[Element(Kind.SECTION, "Act", level=1)])])
    assert fountain.serialise(doc) == "## Act\n"


def test_serialise_of_an_empty_document_is_empty() -> None:
    assert fountain.serialise(ScriptDocument()) == ""


# ------------------------------------------------------------------ heading parts


@pytest.mark.parametrize(
    ("text", "number", "parts"),
    [
        (
            "INT. GU GROUP TOWER - PENTHOUSE OFFICE - NIGHT",
            "1",
            HeadingParts("1", "NIGHT", "INT", "GU GROUP TOWER - PENTHOUSE OFFICE"),
        ),
        ("EXT. ROOFTOP - CONTINUOUS", "", HeadingParts("", "CONTINUOUS", "EXT", "ROOFTOP")),
        ("INT./EXT. CAR - MOVING - NIGHT", "3", HeadingParts("3", "NIGHT", "INT/EXT", "CAR - MOVING")),
        ("I/E CAR - DAY", "", HeadingParts("", "DAY", "INT/EXT", "CAR")),
        ("EST. HARBOUR BRIDGE - DAWN", "6", HeadingParts("6", "DAWN", "EXT", "HARBOUR BRIDGE")),
        ("int. kitchen", "", HeadingParts("", "", "INT", "kitchen")),
        (
            "FLASHBACK - GARDEN - TEN YEARS AGO",
            "4",
            HeadingParts("4", "", "", "FLASHBACK - GARDEN - TEN YEARS AGO"),
        ),
    ],
)
def test_heading_parts(text: str, number: str, parts: HeadingParts) -> None:
    assert fountain.heading_parts(Element(Kind.SCENE_HEADING, text, scene_number=number)) == parts


# ------------------------------------------------------------------ hostile and edge input


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "\r\n\r\n"])
def test_empty_or_blank_text_has_no_episodes(text: str) -> None:
    assert fountain.parse(text) == ScriptDocument()


def test_crlf_and_lf_parse_the_same() -> None:
    text = read("contract_heiress.fountain")
    assert fountain.parse(text.replace("\n", "\r\n")) == fountain.parse(text)
    assert fountain.parse(text.replace("\n", "\r")) == fountain.parse(text)


def test_tabs_indent_action_and_do_not_hide_cues() -> None:
    doc = fountain.parse("INT. ROOM - DAY\n\n\tShe waits.\n\n\tBOB\n\tHello.\n")
    assert doc.episodes[0].elements == [
        Element(Kind.SCENE_HEADING, "INT. ROOM - DAY"),
        Element(Kind.ACTION, "\tShe waits."),
        Element(Kind.CHARACTER, "BOB"),
        Element(Kind.DIALOGUE, "Hello."),
    ]
    assert fountain.parse(fountain.serialise(doc)) == doc


def test_markup_is_kept_verbatim_as_data() -> None:
    doc = fountain.parse('<script>alert("x")</script>\n\nBOB\n<img src=x onerror=alert(1)>\n')
    assert doc.episodes[0].elements == [
        Element(Kind.ACTION, '<script>alert("x")</script>'),
        Element(Kind.CHARACTER, "BOB"),
        Element(Kind.DIALOGUE, "<img src=x onerror=alert(1)>"),
    ]


def test_very_long_lines_parse_quickly_and_intact() -> None:
    long_action = "word " * 40_000
    long_cue = "A" * 50_000 + " (" * 2_000
    text = f"{long_action}\n\n{long_cue}\nHi.\n\n" + "(" * 30_000 + "\n"
    started = time.perf_counter()
    doc = fountain.parse(text)
    assert time.perf_counter() - started < 2
    assert doc.episodes[0].elements[0] == Element(Kind.ACTION, long_action.rstrip())
    assert fountain.parse(fountain.serialise(doc)) == doc


def test_an_unclosed_boneyard_swallows_the_rest() -> None:
    doc = fountain.parse("Before.\n\n/* never closed\n\nBOB\nHello.\n")
    assert doc.episodes[0].elements == [Element(Kind.ACTION, "Before.")]


def test_an_inline_boneyard_is_cut_out_of_the_line() -> None:
    doc = fountain.parse("She /* secretly */ smiles.\n")
    assert doc.episodes[0].elements == [Element(Kind.ACTION, "She  smiles.")]


def test_a_heading_needs_a_blank_line_before_it() -> None:
    doc = fountain.parse("He says the word\nINT. is short for interior.\n")
    assert doc.episodes[0].elements == [Element(Kind.ACTION, "He says the word\nINT. is short for interior.")]


def test_an_empty_episode_section_survives_a_round_trip() -> None:
    doc = fountain.parse("#")
    assert [(ep.number, ep.title, ep.elements) for ep in doc.episodes] == [(1, "", [])]
    assert fountain.parse(fountain.serialise(doc)) == doc


_FUZZ_LINES = [
    "",
    "",
    "  ",
    "INT. HOUSE - DAY",
    ".ROOF",
    "BOB",
    "BOB (V.O.) (CONT'D)",
    "@张明",
    "(beat)",
    "Hello there.",
    "CUT TO:",
    "> FADE",
    "> MID <",
    "===",
    "# Episode 2: X",
    "## Act",
    "= syn",
    "[[note]]",
    "[[multi",
    "line]]",
    "!FORCED",
    "action *x*",
    "Title: T",
    "\tTabbed",
    "MARY ^",
    "INT. A #3A#",
    "x]] y",
    "!",
    "!!",
    "Key: v",
    "   indented",
    "1984",
    "# 5 Five",
    "EST. X",
    "I/E CAR",
    "FADE TO BLACK.",
    "<script>alert(1)</script>",
]


def test_whatever_it_parses_it_writes_back_the_same() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = "\n".join(rng.choice(_FUZZ_LINES) for _ in range(rng.randint(0, 14)))
        doc = fountain.parse(text)
        assert fountain.parse(fountain.serialise(doc)) == doc, text


def test_it_strips_emphasis_for_print_but_keeps_literal_stars_and_snake_case() -> None:
    from scripts_app.formats.fountain import strip_emphasis

    assert strip_emphasis("a *promise nobody keeps*.") == "a promise nobody keeps."
    assert strip_emphasis("**BOLD** and _under_ and ***both***") == "BOLD and under and both"
    assert strip_emphasis("**_nested_**") == "nested"
    assert strip_emphasis(r"5 \* 3 = 15") == "5 * 3 = 15"
    assert strip_emphasis("snake_case_name and a * b * c") == "snake_case_name and a * b * c"
