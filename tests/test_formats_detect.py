"""Decoding uploads, telling the two formats apart, and dispatching by format name."""

from __future__ import annotations

import codecs

import pytest

from scripts_app.formats import detect, fountain, zh
from scripts_app.formats.detect import ScriptFormatError, decode_bytes, detect_format

from .sample_scripts import SAMPLES

ZH_TEXT = (SAMPLES / "rebirth_revenge_zh.txt").read_text(encoding="utf-8")
FOUNTAIN_TEXT = (SAMPLES / "contract_heiress.fountain").read_text(encoding="utf-8")
PILOT_TEXT = (SAMPLES / "short_pilot.fountain").read_text(encoding="utf-8")


# ------------------------------------------------------------------ decoding


@pytest.mark.parametrize(
    "data",
    [
        ZH_TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + ZH_TEXT.encode("utf-8"),
        ZH_TEXT.encode("utf-16"),  # Python writes a BOM
        codecs.BOM_UTF16_LE + ZH_TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + ZH_TEXT.encode("utf-16-be"),
        ZH_TEXT.encode("utf-32"),
        ZH_TEXT.encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-le", "utf16-be", "utf32", "gb18030"],
)
def test_it_decodes_every_supported_encoding(data: bytes) -> None:
    assert decode_bytes(data) == ZH_TEXT


def test_the_committed_gb18030_sample_decodes_to_the_utf8_sample() -> None:
    data = (SAMPLES / "rebirth_revenge_zh.gb18030.txt").read_bytes()
    assert data == ZH_TEXT.encode("gb18030")
    assert decode_bytes(data) == ZH_TEXT
    assert zh.parse(decode_bytes(data)) == zh.parse(ZH_TEXT)


def test_plain_ascii_fountain_decodes_as_is() -> None:
    assert decode_bytes(PILOT_TEXT.encode("ascii")) == PILOT_TEXT


def test_a_few_stray_control_characters_are_tolerated() -> None:
    assert (
        decode_bytes(b"INT. ROOM - DAY\x1a\n\nShe waits.\x07\n") == "INT. ROOM - DAY\x1a\n\nShe waits.\x07\n"
    )


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n\n"])
def test_empty_input_is_refused_with_a_clear_message(data: bytes) -> None:
    with pytest.raises(ScriptFormatError, match="empty"):
        decode_bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n\x00\x01\x02binary stream",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00docx",
        bytes(range(1, 32)) * 20,
    ],
    ids=["pdf", "zip", "control-chars"],
)
def test_binary_input_is_refused_with_a_clear_message(data: bytes) -> None:
    with pytest.raises(ScriptFormatError, match="binary file"):
        decode_bytes(data)


def test_undecodable_bytes_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ScriptFormatError, match="encoding is not recognised"):
        decode_bytes(b"INT. ROOM \xff\xff\xff")


def test_a_bom_that_lies_is_refused() -> None:
    with pytest.raises(ScriptFormatError, match="not valid text"):
        decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfd")


# ------------------------------------------------------------------ detection


def test_it_detects_the_samples() -> None:
    assert detect_format(FOUNTAIN_TEXT) == "fountain"
    assert detect_format(PILOT_TEXT) == "fountain"
    assert detect_format(ZH_TEXT) == "zh"


def test_chinese_text_without_episode_lines_is_detected_from_headings_and_triangles() -> None:
    assert detect_format("1-1 日 内 客厅\n△张明坐下。\n张父：你好。\n") == "zh"
    assert detect_format("△张明坐下。\n△张父站起来。\n") == "zh"


def test_fountain_with_chinese_names_and_dialogue_is_still_fountain() -> None:
    text = "INT. 张家客厅 - NIGHT\n\n@张明\n你还知道回来？\n\n@张父\n（冷笑）走。\n"
    assert detect_format(text) == "fountain"


def test_fountain_episode_sections_written_in_chinese_do_not_make_it_zh() -> None:
    assert detect_format("# 第1集 重生\n\nINT. ROOM - DAY\n\nBOB\nHi.\n") == "fountain"


@pytest.mark.parametrize(
    "text", ["", "   \n", "Hello world.\nThis is a letter, not a script.", "<script>x</script>"]
)
def test_it_refuses_to_guess_without_a_signal(text: str) -> None:
    with pytest.raises(ScriptFormatError, match="Could not tell the script format"):
        detect_format(text)


def test_crlf_does_not_change_detection() -> None:
    assert detect_format(FOUNTAIN_TEXT.replace("\n", "\r\n")) == "fountain"
    assert detect_format(ZH_TEXT.replace("\n", "\r\n")) == "zh"


# ------------------------------------------------------------------ dispatch


def test_parse_and_serialise_dispatch_by_name() -> None:
    assert detect.parse(FOUNTAIN_TEXT, "fountain") == fountain.parse(FOUNTAIN_TEXT)
    assert detect.parse(ZH_TEXT, "zh") == zh.parse(ZH_TEXT)
    assert detect.parse(ZH_TEXT, "auto") == zh.parse(ZH_TEXT)
    doc = zh.parse(ZH_TEXT)
    assert detect.serialise(doc, "zh") == zh.serialise(doc)
    assert detect.serialise(doc, "fountain") == fountain.serialise(doc)


@pytest.mark.parametrize("fmt", ["fountain", "zh"])
@pytest.mark.parametrize("text", [FOUNTAIN_TEXT, PILOT_TEXT, ZH_TEXT], ids=["heiress", "pilot", "zh"])
def test_round_trip_through_the_dispatcher(fmt: str, text: str) -> None:
    doc = detect.parse(text, fmt)
    assert detect.parse(detect.serialise(doc, fmt), fmt) == doc


def test_unknown_format_names_are_refused() -> None:
    with pytest.raises(ScriptFormatError, match="Unknown script format"):
        detect.parse("x", "docx")
    with pytest.raises(ScriptFormatError, match="Unknown script format"):
        detect.serialise(zh.parse(ZH_TEXT), "fdx")


def test_script_format_error_is_a_value_error() -> None:
    assert issubclass(ScriptFormatError, ValueError)
