"""History notes in no language: a code and its parameters, translated when shown (history_notes.py).

Versions saved before were noted in their writer's language ("created" or 创建, "Replaced “a” with
“b”" or 已将“a”替换为“b”...). The notes this app wrote are recognised in both languages and given
their code, so they read in each reader's language too; their text stays in `note` (a reverse
migration loses nothing), and any other text is shown as it was.
"""

import re

from django.db import migrations, models

LEGACY = [
    ("created", re.compile(r"^(?:created|创建)$"), ()),
    ("ai_proposal", re.compile(r"^(?:AI proposal|AI 提议) #(\d+)$"), ("n",)),
    ("replaced", re.compile(r"^Replaced “(.*)” with “(.*)”$", re.S), ("old", "new")),
    ("replaced", re.compile(r"^已将“(.*)”替换为“(.*)”$", re.S), ("old", "new")),
    ("restored", re.compile(r"^restored from (.+)$"), ("when",)),
    ("restored", re.compile(r"^从 (.+) 的版本恢复$"), ("when",)),
]


def code_for(note: str) -> tuple[str, dict] | None:
    for code, pattern, names in LEGACY:
        m = pattern.match(note)
        if m:
            params = dict(zip(names, m.groups(), strict=True))
            if "n" in params:
                params["n"] = int(params["n"])
            return code, params
    return None


def add_codes(apps, schema_editor):
    SceneVersion = apps.get_model("scripts_app", "SceneVersion")
    batch = []
    for version in SceneVersion.objects.exclude(note="").filter(note_code="").only("pk", "note").iterator():
        found = code_for(version.note)
        if found:
            version.note_code, version.note_params = found
            batch.append(version)
        if len(batch) >= 1000:
            SceneVersion.objects.bulk_update(batch, ["note_code", "note_params"])
            batch = []
    SceneVersion.objects.bulk_update(batch, ["note_code", "note_params"])


class Migration(migrations.Migration):
    dependencies = [
        ("scripts_app", "0010_job_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="sceneversion",
            name="note_code",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="sceneversion",
            name="note_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(add_codes, migrations.RunPython.noop),
    ]
