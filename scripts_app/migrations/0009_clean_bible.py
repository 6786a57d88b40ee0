"""Remove the bible entries that autosave made while writers typed (医, 医院, 医院走 ...).

Saving a scene no longer adds to the bible. What such saves left behind is recognisable: an entry with
nothing but a name that no scene uses (no live or omitted scene names it as a speaker, on a 人物 line
or as its location). Anything a person wrote into (an age, a look, an alias) stays, and so does every
name the script still uses: those are listed as "new in the script" or are real entries.
"""

from django.db import migrations

CHARACTER_FIELDS = (
    "aliases", "age", "look", "identity", "relationships", "personality", "speech_habits", "goal", "secret",
)  # fmt: skip
LOCATION_FIELDS = ("look", "props")  # int_ext is derived from the heading, so it does not count


def remove_empty_autocreated(apps, schema_editor):
    from scripts_app.formats.elements import speaking_characters
    from scripts_app.script_text import parse_scene_uncached

    Project = apps.get_model("scripts_app", "Project")
    Character = apps.get_model("scripts_app", "Character")
    Location = apps.get_model("scripts_app", "Location")
    Scene = apps.get_model("scripts_app", "Scene")
    for project in Project.objects.all().iterator():
        empty_characters = {
            c.name: c.pk for c in Character.objects.filter(project=project) if _empty(c, CHARACTER_FIELDS)
        }
        empty_locations = {
            loc.name: loc.pk
            for loc in Location.objects.filter(project=project)
            if _empty(loc, LOCATION_FIELDS)
        }
        if not empty_characters and not empty_locations:
            continue
        used_locations = set(
            Scene.objects.filter(episode__project=project, location__isnull=False).values_list(
                "location_id", flat=True
            )
        )
        for text in Scene.objects.filter(episode__project=project).values_list("text", flat=True).iterator():
            facts = parse_scene_uncached(text, project.script_format)
            for name in speaking_characters(list(facts.elements)):
                empty_characters.pop(name[:100], None)
            empty_locations.pop(facts.parts.location[:200], None)
        Character.objects.filter(pk__in=empty_characters.values()).delete()
        Location.objects.filter(
            pk__in=[pk for pk in empty_locations.values() if pk not in used_locations]
        ).delete()


def _empty(entry, fields) -> bool:
    return not any((getattr(entry, f) or "").strip() for f in fields)


class Migration(migrations.Migration):
    dependencies = [("scripts_app", "0008_title_page")]

    operations = [migrations.RunPython(remove_empty_autocreated, migrations.RunPython.noop)]
