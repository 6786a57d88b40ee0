"""Bridge between stored scene text and the element list (formats/ stays Django-free)."""

from __future__ import annotations

from dataclasses import dataclass

from .formats import detect, fountain, zh
from .formats.elements import Element, HeadingParts, Kind
from .formats.runtime import estimate_seconds

HEADING_PARSERS = {"zh": zh.heading_parts, "fountain": fountain.heading_parts}


@dataclass(frozen=True)
class SceneFacts:
    """What a scene's text says about the scene: derived, never edited directly."""

    elements: list[Element]
    heading: str
    parts: HeadingParts
    runtime_seconds: int


def scene_elements(text: str, fmt: str) -> list[Element]:
    doc = detect.parse(text, fmt)
    return [el for episode in doc.episodes for el in episode.elements]


def scene_facts(text: str, fmt: str) -> SceneFacts:
    elements = scene_elements(text, fmt)
    heading_el = next((el for el in elements if el.kind == Kind.SCENE_HEADING), None)
    if heading_el is None:
        return SceneFacts(elements, "", HeadingParts(), estimate_seconds(elements, fmt))
    parts = HEADING_PARSERS[fmt](heading_el)
    heading = f"{heading_el.scene_number} {heading_el.text}".strip() if fmt == "zh" else heading_el.text
    return SceneFacts(elements, heading, parts, estimate_seconds(elements, fmt))
