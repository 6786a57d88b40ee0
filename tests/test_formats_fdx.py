"""Final Draft XML: the hand-written sample, round trips, conventions and hostile input."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from scripts_app.formats import fdx, fountain, zh
from scripts_app.formats.detect import ScriptFormatError
from scripts_app.formats.elements import Element, EpisodeText, Kind, ScriptDocument

from .sample_scripts import SAMPLES

K = Kind


def _sample() -> ScriptDocument:
    return fdx.parse((SAMPLES / "every_paragraph.fdx").read_bytes())


def test_sample_title_page_keys_are_recovered_from_layout():
    assert _sample().title_page == [
        ("Title", "_**THE CONTRACT HEIRESS**_"),  # a Bold+Underline run: Fountain emphasis (issue 8 B12)
        ("Credit", "Written by"),
        ("Author", "Mira Chen & 林墨"),
        ("Contact", "Writers' Room\nroom@example.com"),
    ]


def test_sample_parses_to_expected_elements():
    doc = _sample()
    assert [(e.number, e.title) for e in doc.episodes] == [(1, "The Harbour Job"), (2, "订婚宴")]
    assert doc.episodes[0].elements == [
        Element(K.ACTION, "AERIAL SHOT - VICTORIA HARBOUR"),  # Shot has no kind of its own
        Element(K.SCENE_HEADING, "INT. GU GROUP TOWER - PENTHOUSE - NIGHT", scene_number="12"),
        Element(
            K.ACTION,
            "Rain on the glass. LIN YUE (24) steps out of the lift, ***soaked***, "
            "a folder pressed to her chest.",
        ),
        Element(K.CAST, "LIN YUE、GU CHEN、王秘书"),
        Element(K.CHARACTER, "GU CHEN"),
        Element(K.PARENTHETICAL, "without looking up"),
        Element(K.DIALOGUE, "You have *ninety* seconds."),
        Element(K.CHARACTER, "王秘书", extension="V.O."),
        Element(K.DIALOGUE, "顾总，车备好了。"),
        Element(K.CHARACTER, "LIN YUE"),
        Element(K.DIALOGUE, "I only need thirty."),
        Element(K.CHARACTER, "GU CHEN", extension="CONT'D", dual=True),
        Element(K.PARENTHETICAL, "overlapping"),
        Element(K.DIALOGUE, "Then start talking."),
        Element(K.CENTERED, "THREE YEARS EARLIER"),
        Element(K.FLASHBACK_START),
        Element(K.CAPTION, "三年前"),
        Element(K.VOICE_OVER, "那一年，她什么都没有。"),
        Element(K.FLASHBACK_END),
        Element(K.NOTE, "Hook lands here."),
        Element(K.SYNOPSIS, "Lin Yue names her price."),
        Element(K.ACTION, "The clock on the wall reads 11:58."),
        Element(K.TRANSITION, "CUT TO:"),
        Element(K.PAGE_BREAK),
        Element(K.SCENE_HEADING, "EXT. ROOFTOP - CONTINUOUS", scene_number="12A"),
        Element(K.ACTION, '<script>alert("x")</script> is spray-painted on the vent & nobody cleans it.'),
        Element(K.END_ACT, "END OF EPISODE"),  # issue 8.10: acts are kept and printed
    ]
    assert doc.episodes[1].elements == [
        Element(K.NEW_ACT, "ACT ONE"),  # an act that is not an episode
        Element(K.SCENE_HEADING, "INT. BALLROOM - NIGHT", scene_number="13"),
        Element(K.SECTION, "The Slap", level=2),
        Element(K.ACTION, "Crystal chandeliers. Two hundred guests."),
    ]


def test_sample_round_trips():
    doc = _sample()
    assert fdx.parse(fdx.serialise(doc)) == doc


def test_export_is_final_draft_shaped():
    text = fdx.serialise(_sample())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "FinalDraft"
    assert root.attrib == {"DocumentType": "Script", "Template": "No", "Version": "5"}
    paragraphs = root.find("Content").findall("Paragraph")
    types = {p.get("Type") for p in paragraphs}
    assert {"New Act", "Scene Heading", "Action", "Character", "Parenthetical", "Dialogue"} <= types
    assert {"Transition", "General", "Cast List"} <= types
    heading = next(p for p in paragraphs if p.get("Number") == "12A")
    assert heading.get("Type") == "Scene Heading" and heading.get("StartsNewPage") == "Yes"
    dual = [p for p in paragraphs if p.find("DualDialogue") is not None]
    assert len(dual) == 1
    cues = [p.findtext("Text") for p in dual[0].iter("Paragraph") if p.get("Type") == "Character"]
    assert cues == ["LIN YUE", "GU CHEN (CONT'D)"]
    centered = [p for p in paragraphs if p.get("Alignment") == "Center"]
    assert [p.findtext("Text") for p in centered] == ["THREE YEARS EARLIER"]
    assert root.find("TitlePage/Content/Paragraph") is not None
    # Script text is escaped data, never markup.
    assert "&lt;script&gt;" in text and "<script>" not in text


@pytest.mark.parametrize(
    "path, parser",
    [
        ("contract_heiress.fountain", fountain.parse),
        ("short_pilot.fountain", fountain.parse),
        ("rebirth_revenge_zh.txt", zh.parse),
    ],
)
def test_samples_round_trip_through_fdx(path, parser):
    doc = parser((SAMPLES / path).read_text(encoding="utf-8"))
    assert fdx.parse(fdx.serialise(doc)) == doc
    assert fdx.parse(fdx.serialise(doc).encode("utf-8")) == doc


def test_fountain_episode_is_a_new_act_and_reads_back_as_level_one_section():
    doc = fountain.parse(
        "# Episode 3: The Deal\n\nINT. ROOM - DAY\n\nShe waits.\n\n# Episode 4\n\nHe leaves.\n"
    )
    text = fdx.serialise(doc)
    root = ET.fromstring(text)
    acts = [p.findtext("Text") for p in root.iter("Paragraph") if p.get("Type") == "New Act"]
    assert acts == ["Episode 3: The Deal", "Episode 4"]
    back = fdx.parse(text)
    assert [(e.number, e.title) for e in back.episodes] == [(3, "The Deal"), (4, "")]
    # ... and the same document written as Fountain has level-1 sections again.
    assert fountain.parse(fountain.serialise(back)) == doc


def test_chinese_episode_titles_use_di_n_ji():
    doc = zh.parse("第7集 订婚宴\n7-1 夜 内 宴会厅\n△灯亮。\n")
    text = fdx.serialise(doc)
    assert "<Text>第7集 订婚宴</Text>" in text
    assert fdx.parse(text) == doc


def test_single_episode_with_page_title_writes_no_act():
    doc = fountain.parse("Title: Short\n\nINT. ROOM - DAY\n\nQuiet.\n")
    text = fdx.serialise(doc)
    assert "New Act" not in text
    assert fdx.parse(text) == doc


def test_page_breaks_consecutive_and_at_the_end():
    doc = ScriptDocument(
        episodes=[
            EpisodeText(
                number=1,
                title="A",
                elements=[
                    Element(K.ACTION, "one"),
                    Element(K.PAGE_BREAK),
                    Element(K.PAGE_BREAK),
                    Element(K.ACTION, "two"),
                    Element(K.PAGE_BREAK),
                ],
            ),
            EpisodeText(number=2, title="B", elements=[Element(K.PAGE_BREAK), Element(K.ACTION, "three")]),
        ]
    )
    assert fdx.parse(fdx.serialise(doc)) == doc


def test_dual_dialogue_variants_round_trip():
    elements = [
        Element(K.CHARACTER, "A", dual=True),  # a right column with no left beside it
        Element(K.DIALOGUE, "lone"),
        Element(K.CHARACTER, "B"),
        Element(K.DIALOGUE, "left"),
        Element(K.CHARACTER, "C", extension="O.S.", dual=True),
        Element(K.PARENTHETICAL, "(really)"),
        Element(K.DIALOGUE, "right"),
        Element(K.CHARACTER, "D", dual=True),
        Element(K.DIALOGUE, "also right"),
        Element(K.PAGE_BREAK),
        Element(K.CHARACTER, "E"),
        Element(K.DIALOGUE, "e"),
        Element(K.CHARACTER, "F", dual=True),
        Element(K.DIALOGUE, "f"),
    ]
    doc = ScriptDocument(episodes=[EpisodeText(number=2, title="Dual", elements=elements)])
    assert fdx.parse(fdx.serialise(doc)) == doc


def test_bare_dual_dialogue_in_content_is_read():
    data = """<FinalDraft><Content><DualDialogue>
      <Paragraph Type="Character"><Text>A</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>x</Text></Paragraph>
      <Paragraph Type="Character"><Text>B</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>y</Text></Paragraph>
    </DualDialogue></Content></FinalDraft>"""
    assert fdx.parse(data).episodes[0].elements == [
        Element(K.CHARACTER, "A"),
        Element(K.DIALOGUE, "x"),
        Element(K.CHARACTER, "B", dual=True),
        Element(K.DIALOGUE, "y"),
    ]


def test_every_kind_round_trips():
    elements = [
        Element(K.SECTION, "Level three", level=3),
        Element(K.SECTION, "Level one inside", level=1),
        Element(K.SYNOPSIS, "A synopsis"),
        Element(K.NOTE, "two\nlines"),
        Element(K.SCENE_HEADING, "日 内 张家客厅", scene_number="1-1"),
        Element(K.CAST, "张明、张父"),
        Element(K.ACTION, "#not a section, = not a synopsis, [[not a note]]"),
        Element(K.ACTION, "  indented\nsecond line"),
        Element(K.CHARACTER, "张明", extension="OS"),
        Element(K.DIALOGUE, "这一次，我不会再忍。"),
        Element(K.CHARACTER, "BOB", extension="V.O., ON PHONE"),
        Element(K.PARENTHETICAL, "beat"),
        Element(K.DIALOGUE, "line one\n\nline three"),
        Element(K.CAPTION, "含】括号"),
        Element(K.CAPTION, ""),
        Element(K.VOICE_OVER, "旁白"),
        Element(K.FLASHBACK_START),
        Element(K.FLASHBACK_END),
        Element(K.CENTERED, "THE END"),
        Element(K.TRANSITION, "SMASH CUT TO:"),
        Element(K.SCENE_HEADING, "", scene_number="7"),  # a numbered heading with no text yet
    ]
    doc = ScriptDocument(
        title_page=[("Title", "Mixed"), ("Notes", "first draft"), ("Copyright", "(c) 2024")],
        episodes=[EpisodeText(number=5, title="Everything", elements=elements)],
    )
    assert fdx.parse(fdx.serialise(doc)) == doc


def test_unusual_title_page_falls_back_to_key_value_lines():
    doc = ScriptDocument(
        title_page=[("Contact", "Email: a@b.c"), ("Title", "Late title"), ("Author", "")],
        episodes=[EpisodeText(number=1, title="", elements=[Element(K.ACTION, "x")])],
    )
    text = fdx.serialise(doc)
    assert "Contact: Email: a@b.c" in text
    assert fdx.parse(text).title_page == doc.title_page


def test_xml_invalid_control_characters_are_dropped():
    doc = ScriptDocument(
        episodes=[EpisodeText(number=2, title="", elements=[Element(K.ACTION, "a\x00b\x07c")])]
    )
    assert fdx.parse(fdx.serialise(doc)).episodes[0].elements == [Element(K.ACTION, "abc")]


def test_utf16_file_with_declaration_is_read():
    data = fdx.serialise(_sample()).replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert fdx.parse(data) == _sample()


# ------------------------------------------------------------------ hostile input

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&lol3;</Text></Paragraph></Content></FinalDraft>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph></Content></FinalDraft>"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b'<!DOCTYPE FinalDraft SYSTEM "http://example.com/x.dtd"><FinalDraft/>',
    ],
)
def test_doctype_and_entities_are_refused(data):
    with pytest.raises(ScriptFormatError, match="DOCTYPE or entities"):
        fdx.parse(data)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<FinalDraft><Content><Paragraph>", "This is not a Final Draft file: "),
        (b"INT. HOUSE - DAY\n\nA fountain file.", "This is not a Final Draft file: "),
        (b"<html><body>hi</body></html>", "not <FinalDraft>"),
        (
            "<FinalDraft><Content><Paragraph Type='Action'><Text>&nope;</Text></Paragraph>"
            "</Content></FinalDraft>",
            "undefined entity",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a Final Draft file: "),
        (b"   ", "empty"),
    ],
)
def test_malformed_input_gives_a_clear_error(data, message):
    with pytest.raises(ScriptFormatError, match=message):
        fdx.parse(data)


def test_markup_in_text_is_kept_verbatim():
    hostile = ["<script>alert(1)</script>", "]]><x/>", "&amp; literal", "\"quoted\" 'single'"]
    elements = [Element(K.ACTION, s) for s in hostile] + [
        Element(K.CHARACTER, "<B>"),
        Element(K.DIALOGUE, "</Text>"),
    ]
    doc = ScriptDocument(episodes=[EpisodeText(number=3, title="<i>x</i>", elements=elements)])
    text = fdx.serialise(doc)
    assert fdx.parse(text) == doc
    ET.fromstring(text)  # well-formed


def test_oversized_input_is_refused(monkeypatch):
    monkeypatch.setattr(fdx, "MAX_BYTES", 100)
    with pytest.raises(ScriptFormatError, match="too large"):
        fdx.parse(b"<FinalDraft>" + b" " * 200 + b"</FinalDraft>")


# ------------------------------------------------------------- notes and emphasis (issue 8 B7, B12)

NOTES_FOUNTAIN = """INT. HARBOUR - NIGHT [[which harbour?]]

Bob waits.[[fix this]] He sits. [[too slow]] He stands.
The sea is loud.
[[quiet aside]]
The sea is calm.

[[A standalone note
that runs over two lines]]

BOB [[cue note]]
(quietly)
I said *no*. [[make this
land harder]] Go.

MARY
Left.

JON ^
Right.[[dual note]]

[[the last word]]
"""


def script_texts(root: ET.Element) -> list[str]:
    """Every <Text> Final Draft prints: the script's, not its notes'."""
    out: list[str] = []

    def walk(node: ET.Element) -> None:
        for child in node:
            if child.tag == "Text":
                out.append(child.text or "")
            elif child.tag != "ScriptNote":
                walk(child)

    walk(root.find("Content"))
    return out


def test_notes_are_script_notes_that_final_draft_never_prints():
    doc = fountain.parse(NOTES_FOUNTAIN)
    text = fdx.serialise(doc)
    root = ET.fromstring(text.encode("utf-8"))
    printed = "\n".join(script_texts(root))
    for note in ("harbour?", "fix this", "too slow", "aside", "standalone", "cue note", "harder", "dual note",
                 "last word", "[[", "]]"):  # fmt: skip
        assert note not in printed
    assert "Bob waits. He sits. He stands.\nThe sea is loud.\nThe sea is calm." in printed
    assert "I said " in printed and "no" in printed and ". Go." in printed
    assert all(p.get("Type") != "General" or not (p.findtext("Text") or "").startswith("[[")
               for p in root.iter("Paragraph"))  # fmt: skip
    notes = root.find("ScriptNotes").findall("ScriptNote")
    assert len(notes) == 8 and all(n.get("Range") for n in notes)  # the dual's note is in its paragraph
    # Each Range lands on the words Final Draft counts: paragraph texts and one unit per break.
    paragraphs = [p for p in root.find("Content") if p.tag == "Paragraph"]
    starts, offset = [], 0
    for p in paragraphs:
        starts.append(offset)
        words = "".join(t.text or "" for t in p.findall("Text"))
        offset += (2 if p.find("DualDialogue") is not None else len(words)) + 1
    ranges = {"\n".join(t.text for t in n.iter("Text")): n.get("Range") for n in notes}
    heading = len("INT. HARBOUR - NIGHT")
    assert ranges["which harbour?"] == f"{heading},{heading}"  # at the end of the heading's line
    bob = starts[1] + len("Bob waits.")
    assert ranges["fix this"] == f"{bob},{bob}"  # where it stood
    stands = starts[1] + len("Bob waits. He sits. ")
    assert ranges["too slow"] == f"{stands - 1},{stands}"  # the space left before its place
    calm = starts[1] + len("Bob waits. He sits. He stands.\nThe sea is loud.\n")
    assert ranges["quiet aside"] == f"{calm - 1},{calm}"  # the line break left before its place
    cue = starts[2]  # the standalone note covers the whole of the next paragraph, BOB's cue
    assert ranges["A standalone note\nthat runs over two lines"] == f"{cue},{cue + len('BOB') + 1}"
    dual = paragraphs[-2].find("DualDialogue")
    assert [n.findtext("Paragraph/Text") for n in dual.iter("ScriptNote")] == ["dual note"]
    assert paragraphs[-1].get("Type") == "General" and not paragraphs[-1].findtext("Text")  # carries the last
    assert fdx.parse(text) == doc
    assert fountain.parse(fountain.serialise(fdx.parse(text))) == doc


def test_final_draft_script_notes_are_read_as_fountain_notes():
    # Paragraph starts: heading 0, action 15, cue 26, dialogue 31; the script ends at 43.
    data = """<FinalDraft DocumentType="Script" Version="6"><Content>
    <Paragraph Type="Scene Heading"><ScriptNote ID="1"><Paragraph><Text>Note in scene heading.</Text>
      </Paragraph></ScriptNote><Text>INT. LAB - DAY</Text></Paragraph>
    <Paragraph Type="Action"><Text>She waits.</Text></Paragraph>
    <Paragraph Type="Character"><Text>MARA</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>You're late.</Text></Paragraph>
    </Content><ScriptNotes>
    <ScriptNote Range="15,18" WriterName="Dir"><Paragraph><Text>Why is she waiting?</Text></Paragraph>
      <Paragraph/><Paragraph><Text>Really [x]]</Text></Paragraph></ScriptNote>
    <ScriptNote Range="31,44"><Paragraph><Text>Softer.</Text></Paragraph></ScriptNote>
    <ScriptNote Range="37,37"><Paragraph><Text>beat</Text></Paragraph></ScriptNote>
    <ScriptNote Range="900,950"><Paragraph><Text>Stale.</Text></Paragraph></ScriptNote>
    <ScriptNote Range="abc"><Paragraph><Text>Unreadable.</Text></Paragraph></ScriptNote>
    </ScriptNotes></FinalDraft>"""
    elements = fdx.parse(data).episodes[0].elements
    assert elements == [
        Element(K.SCENE_HEADING, "INT. LAB - DAY", note="Note in scene heading."),
        Element(K.ACTION, "She[[Why is she waiting?\n\nReally [x] ] ]] waits."),  # after the words it is on
        Element(K.CHARACTER, "MARA"),
        Element(K.DIALOGUE, "[[Softer.]]You're[[beat]] late."),  # on the whole line, inside the speech
        Element(K.NOTE, "Stale."),
        Element(K.NOTE, "Unreadable."),
    ]
    written = fountain.serialise(fdx.parse(data))
    assert "[[Why is she waiting?\n  \nReally [x] ] ]]" in written
    assert fountain.parse(written).episodes[0].elements == elements


def test_a_range_counts_utf16_units_as_final_draft_does():
    doc = fountain.parse("INT. A - DAY\n\nThe 😀 sea.[[after the sea]] Calm.\n")
    text = fdx.serialise(doc)
    note = ET.fromstring(text.encode("utf-8")).find("ScriptNotes/ScriptNote")
    start = len("INT. A - DAY") + 1 + len("The ") + 2 + len(" sea.")
    assert note.get("Range") == f"{start},{start}"
    assert fdx.parse(text) == doc


def test_styled_runs_are_fountain_emphasis_both_ways():
    doc = fountain.parse(
        "Title: _**NIGHT FERRY**_\n\n**FADE IN:**\n\nINT. DECK - NIGHT\n\n"
        "The *fog* is **bold _and under_**, ***thick***.\nA second *line*.\n\n"
        "BOB\n(*quietly*)\nI said _no_.\n"
    )
    text = fdx.serialise(doc)
    root = ET.fromstring(text.encode("utf-8"))
    assert "*" not in "".join(script_texts(root)) and "_" not in "".join(script_texts(root))
    styled = [(t.text, t.get("Style")) for t in root.iter("Text") if t.get("Style")]
    assert styled == [
        ("FADE IN:", "Bold"),
        ("fog", "Italic"),
        ("bold ", "Bold"),
        ("and under", "Bold+Underline"),
        ("thick", "Bold+Italic"),
        ("line", "Italic"),
        ("quietly", "Italic"),
        ("no", "Underline"),
        ("NIGHT FERRY", "Bold+Underline"),
    ]
    assert fdx.parse(text) == doc


def test_final_draft_styles_read_as_emphasis_except_where_the_type_sets_the_look():
    data = """<FinalDraft><Content>
    <Paragraph Type="New Act"><Text Style="Underline">ACT ONE</Text></Paragraph>
    <Paragraph Type="Scene Heading"><Text Style="Bold">INT. LAB - DAY</Text></Paragraph>
    <Paragraph Type="Action"><Text Style="Bold+Italic">Soaked</Text><Text>, she </Text>
      <Text Style="AllCaps+Underline">waits </Text><Text>here.</Text></Paragraph>
    <Paragraph Type="Action"><Text>un</Text><Text Style="Underline">believ</Text>
      <Text>able *stars*</Text></Paragraph>
    <Paragraph Type="Character"><Text Style="Bold">MARA</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text Style="Italic">Late</Text><Text Style="Bold">again</Text></Paragraph>
    </Content></FinalDraft>"""
    assert fdx.parse(data).episodes[0].elements == [
        Element(K.NEW_ACT, "ACT ONE"),
        Element(K.SCENE_HEADING, "INT. LAB - DAY"),
        Element(K.ACTION, "***Soaked***, she _waits_ here."),
        Element(K.ACTION, "unbelievable *stars*"),  # a style inside a word: Fountain cannot say it
        Element(K.CHARACTER, "MARA"),
        Element(K.DIALOGUE, "Lateagain"),  # two styles meeting with no space: plain words
    ]


def test_emphasis_that_would_not_come_back_as_written_keeps_its_marks():
    for words in ("**_both_** at once", "an escaped \\*star\\*", "***a** b*"):
        doc = ScriptDocument(episodes=[EpisodeText(number=2, elements=[Element(K.ACTION, words)])])
        text = fdx.serialise(doc)
        assert fdx.parse(text) == doc, words
