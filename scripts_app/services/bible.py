"""The series bible: characters and locations.

The bible holds what people created or accepted (and what an import found). Saving a scene never
adds to it: a writer typing `医院走廊` slowly would otherwise leave 医, 医院, 医院走 behind. Names the
script uses that the bible does not know are listed by selectors.script_names, and a writer adds one
(`add_script_name`) or files it under a known character as an alias (`merge_alias`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ..collab.live_pages import announce
from ..models import Character, Location, Project, Scene
from ..script_text import scene_facts
from ..selectors import character_names, name_key, split_aliases


class BibleError(ValueError):
    """A bible change that cannot be made; the message is shown to the user."""


def save_character(*, project: Project, character: Character | None = None, **fields) -> Character:
    character = character or Character(project=project)
    for name, value in fields.items():
        setattr(character, name, value)
    character.save()
    announce(project_id=project.pk, topics=["bible"])
    return character


def save_location(*, project: Project, location: Location | None = None, **fields) -> Location:
    location = location or Location(project=project)
    for name, value in fields.items():
        setattr(location, name, value)
    with transaction.atomic():
        location.save()
        link_scenes(project=project, location=location)
    announce(project_id=project.pk, topics=["bible", "scenes"])
    return location


def link_scenes(*, project: Project, location: Location) -> int:
    """Point the scenes whose heading names this location (and that point nowhere yet) at it."""
    fmt = project.script_format
    key = name_key(location.name)
    scenes = Scene.objects.filter(episode__project=project, location__isnull=True).exclude(heading="")
    ids = [pk for pk, text in scenes.values_list("pk", "text") if _location_key(text, fmt) == key]
    return Scene.objects.filter(pk__in=ids).update(location=location) if ids else 0


def _location_key(text: str, fmt: str) -> str:
    return name_key(scene_facts(text, fmt).parts.location[:200])


def known_location(*, project: Project, name: str) -> Location | None:
    """The bible's location of this name, if it has one; never creates one (see the module's note)."""
    if not name:
        return None
    return Location.objects.filter(project=project, name=name[:200]).first()


def add_script_name(*, project: Project, kind: str, name: str, int_ext: str = "") -> Character | Location:
    """A name from the script, added to the bible by a writer's choice."""
    name = name.strip()
    if kind == "character":
        name = name[:100]
        if not name:
            raise BibleError(_("A character needs a name."))
        if name_key(name) in character_names(project=project):
            raise BibleError(_("The bible already knows “%(name)s”.") % {"name": name})
        return save_character(project=project, name=name)
    if kind == "location":
        name = name[:200]
        if not name:
            raise BibleError(_("A location needs a name."))
        if Location.objects.filter(project=project, name=name).exists():
            raise BibleError(_("The bible already knows “%(name)s”.") % {"name": name})
        return save_location(project=project, name=name, int_ext=int_ext[:10])
    raise BibleError(_("Unknown kind of bible entry."))


def merge_alias(*, project: Project, name: str, character: Character) -> Character:
    """File a name the script uses (晚晚) under a known character (林晚) as one of its aliases."""
    name = name.strip()
    if not name:
        raise BibleError(_("Which name should become an alias?"))
    if name_key(name) in character_names(project=project):
        raise BibleError(_("The bible already knows “%(name)s”.") % {"name": name})
    aliases = split_aliases(character.aliases) + [name]
    joined = ("、" if project.script_format == "zh" else ", ").join(aliases)
    if len(joined) > Character._meta.get_field("aliases").max_length:
        raise BibleError(
            _("%(character)s has too many aliases to add “%(name)s”.")
            % {"character": character.name, "name": name}
        )
    return save_character(project=project, character=character, aliases=joined)


def ensure_characters(*, project: Project, names: list[str]) -> int:
    """Imports only: add the names the bible does not know yet (by name or alias); return how many."""
    known = set(character_names(project=project))
    # Cut to the column's width before comparing, so a very long name is "known" the second time too.
    names = [n[:100] for n in names if n]
    new = []
    for name in names:
        if name_key(name) not in known:
            known.add(name_key(name))
            new.append(Character(project=project, name=name))
    Character.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        announce(project_id=project.pk, topics=["bible"])
    return len(new)
