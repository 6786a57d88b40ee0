"""What goes into a prompt: the parts of the series that keep it consistent, within a token budget.

A prompt carries the bible anchors of the characters and locations involved, the style guide, earlier
episodes' summaries, the episode's accepted beats and the text being worked on. Each part has a
relevance; required parts always go in, the others by relevance until the budget is spent, and the
ones left out are recorded on the suggestion. The kept parts are then laid out in a fixed order,
stable parts first (rules, series, style, bible, earlier episodes), so providers' prompt caching
sees the same prefix request after request.

Prompt templates are versioned files in prompts/ (string.Template: a value is substituted once and
never read as template text, so a bible field cannot inject template syntax).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Template

from django.conf import settings

from ..models import Beat, Character, Episode, Location, Project, Scene

PROMPTS = Path(__file__).resolve().parent / "prompts"
VERSION = "v1"

# Ideographs, kana, hangul, fullwidth forms and CJK punctuation: about one token each.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def count_tokens(text: str) -> int:
    """A tokenizer-free estimate, the same for every model: one token per CJK character, one per four
    other characters. Budgets only need to be consistent and a little pessimistic, not exact."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


@cache
def template(name: str) -> Template:
    return Template((PROMPTS / f"{name}.{VERSION}.txt").read_text(encoding="utf-8"))


def prompt_version(level: str) -> str:
    return f"{level}.{VERSION}"


# Sections in prompt order: stable first, the work at hand last.
SECTIONS = (
    "series",
    "style",
    "glossary",
    "characters",
    "locations",
    "earlier",
    "episode",
    "beats",
    "nearby",
    "scene",
)
REQUIRED = math.inf


@dataclass
class Part:
    section: str
    label: str  # what the dropped-context record calls it
    text: str
    relevance: float
    sort: tuple = ()  # order within its section (stable: by name, by number)
    tokens: int = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = count_tokens(self.text)


@dataclass(frozen=True)
class Prompt:
    messages: list[dict]
    tokens: int
    dropped: list[dict]
    version: str


def _guard(text: str) -> str:
    """Material can't close its own block (the rules say what is inside is data)."""
    return re.sub(
        r"</?\s*(material|passage)\s*>",
        lambda m: m.group(0).replace("<", "‹").replace(">", "›"),
        text or "",
        flags=re.I,
    )


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value)


# ---- Parts --------------------------------------------------------------------------------------


def series_part(project: Project) -> Part:
    paywall = ", ".join(str(n) for n in (project.paywall_episodes or [])) or "—"
    text = _lines(
        [
            ("Title", project.title),
            ("Logline", project.logline),
            ("Genre", project.genre),
            ("Audience", project.audience),
            ("Script format", project.get_script_format_display()),
            ("Episodes", f"{project.target_episode_count} × about {project.target_episode_seconds} seconds"),
            ("Paywall episodes", paywall),
            ("Synopsis", project.synopsis),
        ]
    )
    return Part("series", "series facts", text, REQUIRED)


def _names(character: Character) -> list[str]:
    aliases = re.split(r"[,，、;；/]", character.aliases or "")
    return [n.strip() for n in [character.name, *aliases] if n.strip()]


def character_part(character: Character, relevance: float) -> Part:
    text = f"- {character.name}\n" + "\n".join(
        f"  {label}: {value}"
        for label, value in [
            ("aliases", character.aliases),
            ("age", character.age),
            ("look (anchor)", character.look),
            ("identity", character.identity),
            ("relationships", character.relationships),
            ("personality", character.personality),
            ("speech", character.speech_habits),
            ("goal", character.goal),
            ("secret", character.secret),
        ]
        if value
    )
    return Part("characters", f"character {character.name}", text, relevance, (character.name,))


def location_part(location: Location, relevance: float) -> Part:
    text = f"- {location.name}" + "".join(
        f"\n  {label}: {value}"
        for label, value in [
            ("int/ext", location.int_ext),
            ("look", location.look),
            ("props", location.props),
        ]
        if value
    )
    return Part("locations", f"location {location.name}", text, relevance, (location.name,))


def earlier_part(episode: Episode, distance: int) -> Part:
    text = (
        f"- Episode {episode.number}"
        + (f" {episode.title}" if episode.title else "")
        + "\n"
        + "\n".join(
            f"  {label}: {value}"
            for label, value in [("summary", episode.summary), ("cliffhanger", episode.cliffhanger)]
            if value
        )
    )
    # The episode just before matters most; the far past is dropped first.
    return Part(
        "earlier", f"episode {episode.number} summary", text, 60 - min(distance, 59), (episode.number,)
    )


def episode_part(episode: Episode) -> Part:
    text = _lines(
        [
            ("Episode", f"{episode.number}" + (f" {episode.title}" if episode.title else "")),
            ("Paywall episode", "yes" if episode.is_paywall else ""),
            ("Summary", episode.summary),
            ("Opening hook", episode.hook),
            ("Cliffhanger", episode.cliffhanger),
        ]
    )
    return Part("episode", f"episode {episode.number}", text, REQUIRED)


def beats_part(beats: list[Beat], *, relevance: float = REQUIRED) -> Part:
    """The episode's accepted beats: required where the work follows them (beats, drafts)."""
    text = "\n".join(f"{n}. {b.text}" for n, b in enumerate(beats, start=1))
    return Part("beats", "accepted beats", text, relevance)


# ---- Assembly ------------------------------------------------------------------------------------


@dataclass
class Material:
    """The parts a level asked for, and the text they are about (to tell who and where is involved)."""

    project: Project
    parts: list[Part] = field(default_factory=list)
    focus: str = ""  # text whose characters and locations count as "involved"

    def add(self, part: Part) -> None:
        if part.text.strip():
            self.parts.append(part)

    def add_bible(self, *, everyone_matters: bool = False) -> None:
        focus = self.focus
        for character in self.project.characters.all():
            involved = everyone_matters or any(n in focus for n in _names(character))
            self.add(character_part(character, 80 if involved else 20))
        for location in self.project.locations.all():
            involved = everyone_matters or (location.name in focus)
            self.add(location_part(location, 70 if involved else 15))

    def add_series(self) -> None:
        self.add(series_part(self.project))
        if self.project.style_guide:
            self.add(Part("style", "style guide", f"Style guide:\n{self.project.style_guide}", REQUIRED))
        if self.project.glossary:
            self.add(Part("glossary", "glossary", f"Glossary:\n{self.project.glossary}", 30))

    def add_earlier(self, episode_number: int | None) -> None:
        earlier = self.project.episodes.all()
        if episode_number is not None:
            earlier = earlier.filter(number__lt=episode_number)
        last = episode_number or (max((e.number for e in earlier), default=0) + 1)
        for episode in earlier:
            episode.project = self.project
            self.add(earlier_part(episode, last - episode.number))


HEADINGS = {
    "series": "SERIES",
    "style": "STYLE",
    "glossary": "GLOSSARY",
    "characters": "CHARACTERS (bible anchors)",
    "locations": "LOCATIONS",
    "earlier": "EARLIER EPISODES",
    "episode": "THIS EPISODE",
    "beats": "ACCEPTED BEATS",
    "nearby": "NEARBY SCENES",
    "scene": "SCENE",
}


def fit(parts: list[Part], budget: int) -> tuple[list[Part], list[Part]]:
    """Keep required parts, then the most relevant others while they fit; (kept, dropped)."""
    kept = [p for p in parts if p.relevance == REQUIRED]
    used = sum(p.tokens for p in kept)
    dropped = []
    optional = sorted((p for p in parts if p.relevance != REQUIRED), key=lambda p: -p.relevance)
    for part in optional:
        if used + part.tokens <= budget:
            kept.append(part)
            used += part.tokens
        else:
            dropped.append(part)
    return kept, dropped


def render_material(parts: list[Part]) -> str:
    blocks = []
    for section in SECTIONS:
        texts = [p.text for p in sorted((p for p in parts if p.section == section), key=lambda p: p.sort)]
        if texts:
            blocks.append(f"## {HEADINGS[section]}\n" + "\n".join(texts))
    return _guard("\n\n".join(blocks))


def language_name(project: Project) -> str:
    return "Simplified Chinese" if project.language == "zh" else "English"


def build(*, level: str, material: Material, values: dict[str, str]) -> Prompt:
    """The messages for `level` (a prompts/ template), material fitted to the prompt budget."""
    rules = template("rules").substitute(language=language_name(material.project))
    fmt = "zh" if material.project.script_format == "zh" else "fountain"
    values = {k: _guard(str(v)) for k, v in values.items()}
    values.setdefault("format_rules", template(f"format.{fmt}").template.rstrip())
    system_text, user_template = template(level).template.split("=== user ===\n", 1)
    system = Template(system_text).substitute(rules=rules.rstrip(), **values).strip()
    # The fixed text around the material counts against the budget too.
    frame = count_tokens(system) + count_tokens(
        Template(user_template).safe_substitute(material="", **values)
    )
    kept, dropped = fit(material.parts, max(0, settings.LLM_PROMPT_TOKEN_BUDGET - frame))
    user = Template(user_template).substitute(material=render_material(kept), **values).strip()
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Prompt(
        messages=messages,
        tokens=count_tokens(system) + count_tokens(user),
        dropped=[{"part": p.label, "tokens": p.tokens} for p in dropped],
        version=prompt_version(level),
    )


def accepted_beats(episode: Episode) -> list[Beat]:
    return list(episode.beats.filter(status=Beat.Status.ACCEPTED).order_by("position", "id"))


def scene_neighbours(scene: Scene) -> list[Part]:
    """The scenes just before and after, for continuity (dropped first when space is short)."""
    scenes = [s for s in scene.episode.scenes.all() if not s.omitted]
    ids = [s.pk for s in scenes]
    if scene.pk not in ids:
        return []
    i = ids.index(scene.pk)
    parts = []
    if i > 0:
        parts.append(Part("nearby", "scene before", f"(scene before)\n{scenes[i - 1].text}", 40, (0,)))
    if i + 1 < len(scenes):
        parts.append(Part("nearby", "scene after", f"(scene after)\n{scenes[i + 1].text}", 35, (1,)))
    return parts
