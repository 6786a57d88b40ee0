"""The shapes a model's JSON answers must have, validated with pydantic before anything is stored.

Model output is untrusted: every field has a bound, numbers a range, lists a length. The JSON schema
sent to endpoints that support json_schema is derived from these models (strict: every property
required, nothing extra); validation stays lenient about missing optional fields, for json_object
endpoints that only promise "some JSON".
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SHORT = 200
MEDIUM = 1000
LONG = 5000


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class CharacterItem(_Item):
    name: str = Field(min_length=1, max_length=100)
    age: str = Field(default="", max_length=50)
    look: str = Field(default="", max_length=MEDIUM)
    identity: str = Field(default="", max_length=MEDIUM)
    relationships: str = Field(default="", max_length=MEDIUM)
    personality: str = Field(default="", max_length=MEDIUM)
    speech_habits: str = Field(default="", max_length=MEDIUM)
    goal: str = Field(default="", max_length=MEDIUM)
    secret: str = Field(default="", max_length=MEDIUM)


class LocationItem(_Item):
    name: str = Field(min_length=1, max_length=SHORT)
    int_ext: str = Field(default="", max_length=10)
    look: str = Field(default="", max_length=MEDIUM)
    props: str = Field(default="", max_length=MEDIUM)


class BibleProposal(_Item):
    synopsis: str = Field(default="", max_length=LONG)
    style_guide: str = Field(default="", max_length=LONG)
    characters: list[CharacterItem] = Field(default_factory=list, max_length=40)
    locations: list[LocationItem] = Field(default_factory=list, max_length=40)


class EpisodeItem(_Item):
    number: int = Field(ge=1, le=500)
    title: str = Field(default="", max_length=SHORT)
    summary: str = Field(default="", max_length=2000)
    hook: str = Field(default="", max_length=MEDIUM)
    cliffhanger: str = Field(default="", max_length=MEDIUM)
    paywall: bool = False


class EpisodeListProposal(_Item):
    episodes: list[EpisodeItem] = Field(min_length=1, max_length=200)


class BeatItem(_Item):
    text: str = Field(min_length=1, max_length=MEDIUM)


class BeatsProposal(_Item):
    beats: list[BeatItem] = Field(min_length=1, max_length=40)


class AlternativesProposal(_Item):
    options: list[str] = Field(min_length=3, max_length=5)


SCHEMAS: dict[str, type[BaseModel]] = {
    "bible": BibleProposal,
    "episodes": EpisodeListProposal,
    "beats": BeatsProposal,
    "alternatives": AlternativesProposal,
}

# Keywords strict structured output does not take; pydantic still enforces them on the answer.
_UNSUPPORTED = {"title", "default", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"}


def strict_schema(model: type[BaseModel]) -> dict:
    """The model's JSON schema, strict: every property required, no extra properties."""

    def walk(node):
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("properties", "$defs"):  # maps of names (a property may be called "title")
                out[key] = {name: walk(sub) for name, sub in value.items()}
            elif key not in _UNSUPPORTED:
                out[key] = walk(value)
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    return walk(model.model_json_schema())


class BadAnswer(ValueError):
    """The answer is not the JSON asked for; the message is fed back to the model once to repair it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?```\s*$", re.S)


def parse(kind: str, text: str) -> BaseModel:
    """The validated answer, or BadAnswer with code empty / invalid_json / wrong_shape."""
    if not text.strip():
        raise BadAnswer("The answer was empty.", code="empty")
    body = _FENCE.sub(r"\1", text.strip())
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BadAnswer(
            f"The answer is not valid JSON ({exc.msg} at position {exc.pos}).", code="invalid_json"
        ) from None
    if not isinstance(data, dict):
        raise BadAnswer("The answer must be one JSON object.", code="wrong_shape")
    try:
        return SCHEMAS[kind].model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:8]
        )
        raise BadAnswer(
            f"The JSON does not have the expected shape: {problems}.", code="wrong_shape"
        ) from exc


def strip_fences(text: str) -> str:
    """A plain-text answer (a draft, a rewrite) without a Markdown code fence around it."""
    match = _FENCE.match(text)
    return match.group(1) if match else text
