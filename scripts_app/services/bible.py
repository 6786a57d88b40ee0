"""The series bible: characters and locations."""

from __future__ import annotations

from ..collab.live_pages import announce
from ..models import Character, Location, Project


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
    location.save()
    announce(project_id=project.pk, topics=["bible"])
    return location


def ensure_characters(*, project: Project, names: list[str]) -> int:
    """Add the names the bible does not know yet (by name or alias); return how many were new."""
    known = set()
    for name, aliases in Character.objects.filter(project=project).values_list("name", "aliases"):
        known.add(name)
        known.update(a.strip() for a in aliases.replace("，", ",").replace("、", ",").split(",") if a.strip())
    # Cut to the column's width before comparing, so a very long name is "known" the second time too.
    names = [n[:100] for n in names if n]
    new = [Character(project=project, name=n) for n in dict.fromkeys(names) if n not in known]
    Character.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        announce(project_id=project.pk, topics=["bible"])
    return len(new)


def ensure_location(*, project: Project, name: str, int_ext: str = "") -> Location | None:
    if not name:
        return None
    location, created = Location.objects.get_or_create(
        project=project, name=name[:200], defaults={"int_ext": int_ext}
    )
    if created:
        announce(project_id=project.pk, topics=["bible"])
    return location
