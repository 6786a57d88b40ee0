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
        ("Title", "THE CONTRACT HEIRESS"),
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
            "Rain on the glass. LIN YUE (24) steps out of the lift, soaked, a folder pressed to her chest.",
        ),
        Element(K.CAST, "LIN YUE、GU CHEN、王秘书"),
        Element(K.CHARACTER, "GU CHEN"),
        Element(K.PARENTHETICAL, "without looking up"),
        Element(K.DIALOGUE, "You have ninety seconds."),
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
