"""Filling the series bible from the preamble a script file carries (大纲, 人物小传, 场景表, 分集大纲).

An import fills only what the bible leaves empty: a field the room wrote is never overwritten, and
where the file says something else the report names it, so the room can look. Characters and
locations the bible does not know are added with everything the file says about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..collab.live_pages import announce
from ..formats import zh, zh_preamble
from ..formats.elements import ScriptDocument
from ..formats.fountain import strip_emphasis
from ..models import Character, Episode, Location, Project

# Preamble text section -> the project's field and its width (None: a text field).
_PROJECT_FIELDS = {
    "Synopsis": ("synopsis", None),
    "Logline": ("logline", None),
    "Genre": ("genre", 100),
    "Audience": ("audience", 200),
    "Style": ("style_guide", None),
}
_WIDTHS = {"age": 50, "aliases": 300, "int_ext": 10}


@dataclass
class BibleReport:
    """What an import did to the bible, for the message the user reads."""

    filled: list[str] = field(default_factory=list)  # "synopsis", "马一花" (a character whose bio was filled)
    added_characters: list[str] = field(default_factory=list)
    added_locations: list[str] = field(default_factory=list)
    differed: list[str] = field(default_factory=list)  # "synopsis", "马一花: age" — the bible's kept
    summaries: int = 0  # episode summaries filled from the 分集大纲

    @property
    def empty(self) -> bool:
        return not (
            self.filled or self.added_characters or self.added_locations or self.differed or self.summaries
        )


def preamble_of(doc: ScriptDocument) -> zh_preamble.Preamble:
    return zh_preamble.read(doc.title_page, episode_number=zh.episode_number)


def character_names(doc: ScriptDocument) -> list[str]:
    """The names the preamble gives bios for."""
    return [bio.name for bio in preamble_of(doc).characters]


def fill_bible(*, project: Project, doc: ScriptDocument) -> BibleReport:
    """Fill the empty parts of the bible from the document's preamble; add whom and what it lacks.

    Runs inside the import's transaction, before the scenes' names are added (so a character the
    preamble describes is created with its bio rather than empty)."""
    preamble = preamble_of(doc)
    report = BibleReport()
    if preamble.empty:
        return report
    _fill_project(project, preamble, report)
    _fill_characters(project, preamble.characters, report)
    _fill_locations(project, preamble.locations, report)
    if report.filled or report.added_characters or report.added_locations:
        announce(project_id=project.pk, topics=["bible"])
    return report


def fill_outline(*, project: Project, doc: ScriptDocument, numbers: list[int], report: BibleReport) -> None:
    """Episode summaries from the 分集大纲, for the episodes this import created (left empty by it)."""
    outline = preamble_of(doc).outline
    wanted = [n for n in numbers if outline.get(n)]
    if not wanted:
        return
    episodes = list(Episode.objects.filter(project=project, number__in=wanted, summary=""))
    for episode in episodes:
        episode.summary = outline[episode.number]
    Episode.objects.bulk_update(episodes, ["summary"])
    report.summaries = len(episodes)


def _fill_project(project: Project, preamble: zh_preamble.Preamble, report: BibleReport) -> None:
    changed = []
    texts = preamble.texts
    # Series-wide props and whatever else the preamble says go to the glossary, as the file says them.
    glossary = zh_preamble.glossary_text(texts)
    for key, (name, width) in _PROJECT_FIELDS.items():
        value = texts.get(key, "").strip()
        if value and _offer(project, name, value[:width] if width else value, changed):
            report.differed.append(str(Project._meta.get_field(name).verbose_name))
    if glossary and _offer(project, "glossary", glossary, changed):
        report.differed.append(str(Project._meta.get_field("glossary").verbose_name))
    # The words of the title, as printed: "**Night Ferry**" on a title page is the title Night Ferry.
    title = " ".join(strip_emphasis(preamble.title).split())
    if title and title != " ".join(project.title.split()):
        report.differed.append(_("the title (“%(title)s” in the file)") % {"title": title})
    if changed:
        project.save(update_fields=[*changed, "updated_at"])
        report.filled.extend(str(Project._meta.get_field(name).verbose_name) for name in changed)


def _offer(obj, name: str, value: str, changed: list[str]) -> bool:
    """Set an empty field; True when the field holds something else (which is kept)."""
    width = _WIDTHS.get(name)
    value = value[:width] if width else value
    current = getattr(obj, name)
    if not current.strip():
        setattr(obj, name, value)
        changed.append(name)
        return False
    return current.strip() != value.strip()


def _known_characters(project: Project) -> dict[str, Character]:
    known: dict[str, Character] = {}
    for character in Character.objects.filter(project=project):
        known.setdefault(character.name, character)
        for alias in character.aliases.replace("，", ",").replace("、", ",").split(","):
            if alias.strip():
                known.setdefault(alias.strip(), character)
    return known


def _fill_characters(project: Project, bios: list[zh_preamble.CharacterBio], report: BibleReport) -> None:
    if not bios:
        return
    known = _known_characters(project)
    new, updated = [], []
    for bio in bios:
        name = bio.name[:100]
        character = known.get(name)
        if character is None:
            character = Character(project=project, name=name)
            for key, value in bio.fields().items():
                width = _WIDTHS.get(key)
                setattr(character, key, value[:width] if width else value)
            known[name] = character
            new.append(character)
            continue
        if character.pk is None:
            continue  # named twice in the preamble: the first entry stands
        changed: list[str] = []
        differ = [
            str(Character._meta.get_field(key).verbose_name)
            for key, value in bio.fields().items()
            if value.strip() and _offer(character, key, value, changed)
        ]
        if changed:
            updated.append((character, changed))
            report.filled.append(character.name)
        if differ:
            report.differed.append(_about(character.name, differ))
    Character.objects.bulk_create(new, ignore_conflicts=True)
    for character, changed in updated:
        character.save(update_fields=changed)
    report.added_characters.extend(c.name for c in new)


def _about(name: str, fields: list[str]) -> str:
    """ "马一花: age, look" — in Chinese "马一花：年龄、外貌", as each language writes a list."""
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return _("%(name)s: %(fields)s") % {"name": name, "fields": separator.join(fields)}


def _fill_locations(project: Project, entries: list[zh_preamble.LocationEntry], report: BibleReport) -> None:
    if not entries:
        return
    known = {loc.name: loc for loc in Location.objects.filter(project=project)}
    new = []
    for entry in entries:
        location = known.get(entry.name)
        if location is None:
            location = Location(project=project, name=entry.name)
            for key, value in entry.fields().items():
                width = _WIDTHS.get(key)
                setattr(location, key, value[:width] if width else value)
            known[entry.name] = location
            new.append(location)
            continue
        if location.pk is None:
            continue
        changed: list[str] = []
        differ = [
            str(Location._meta.get_field(key).verbose_name)
            for key, value in entry.fields().items()
            if value.strip() and _offer(location, key, value, changed)
        ]
        if changed:
            location.save(update_fields=changed)
            report.filled.append(location.name)
        if differ:
            report.differed.append(_about(location.name, differ))
    Location.objects.bulk_create(new, ignore_conflicts=True)
    report.added_locations.extend(loc.name for loc in new)


def preamble_pairs(
    *, project: Project, episode_range: tuple[int, int] | None = None
) -> list[tuple[str, str]]:
    """The bible as the preamble pairs a Chinese export writes before 第1集 (re-imported by fill_bible).

    Characters come in the order they were created (leads are usually written first); a location is
    listed only when the bible says more than its name, since the headings name every one anyway. The
    glossary follows as 道具表 and 备注, which an import puts back into it."""
    pairs: list[tuple[str, str]] = []
    for key, (name, _width) in _PROJECT_FIELDS.items():
        pairs += zh_preamble.text_pairs(key, getattr(project, name), reads_as_text=zh.reads_as_text)
    for character in Character.objects.filter(project=project).order_by("pk"):
        if not zh_preamble.is_entry_name(character.name):
            continue  # "lin wan" would read back as "lin", 男主 as a role; the scenes still name them
        fields = {key: getattr(character, key) for key in zh_preamble.CharacterBio.__dataclass_fields__}
        pairs.append(("Character", zh_preamble.character_entry(character.name, fields)))
    for location in Location.objects.filter(project=project).exclude(look="", props="").order_by("pk"):
        fields = {"int_ext": location.int_ext, "look": location.look, "props": location.props}
        pairs.append(("Location", zh_preamble.location_entry(location.name, fields)))
    glossary = zh_preamble.glossary_pairs(project.glossary, reads_as_text=zh.reads_as_text)
    if glossary and not pairs and glossary[0][0] == "Note":
        glossary.insert(0, ("Props", ""))  # 备注 alone opens no preamble: an empty 道具表 says there is one
    pairs += glossary
    episodes = Episode.objects.filter(project=project).exclude(summary="")
    if episode_range:
        episodes = episodes.filter(number__gte=episode_range[0], number__lte=episode_range[1])
    for number, summary in episodes.order_by("number").values_list("number", "summary"):
        lines = [line.strip() for line in summary.splitlines() if line.strip()]
        pairs.append(("Outline", "\n".join([f"第{number}集：{lines[0]}", *lines[1:]])))
    return pairs
