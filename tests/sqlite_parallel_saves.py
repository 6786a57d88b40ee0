"""Twenty writers save at once on the embedded SQLite database (run by test_hardening_size.py).

    python tests/sqlite_parallel_saves.py /tmp/some/db.sqlite3

Migrates a fresh SQLite file with the project's settings (DATABASE_URL unset means SQLite there too),
then posts twenty autosaves through the real views from twenty threads at the same moment, plus an
import running meanwhile, and prints the status codes as JSON. Every one must be a 200 (or a 302 for
the import): "database is locked" would be a 500.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[1]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "writersroom.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

WRITERS = 20


def main() -> None:
    setup_test_environment()  # the test client's hosts, no real e-mail
    call_command("migrate", verbosity=0)
    from scripts_app.models import Membership, Role
    from scripts_app.services.episodes import create_episode
    from scripts_app.services.projects import create_project
    from scripts_app.services.scenes import create_scene

    users = [
        get_user_model().objects.create_user(f"w{n}", password="a-long-password-1") for n in range(WRITERS)
    ]
    project = create_project(user=users[0], title="Room", slug="room", script_format="zh")
    episode = create_episode(project=project, number=1)
    scenes = []
    for n, user in enumerate(users):
        if n:
            Membership.objects.create(project=project, user=user, role=Role.WRITER)
        scenes.append(create_scene(episode=episode, user=user, text=f"1-{n + 1} 日 内 客厅\n△第{n}场。\n"))
    connection.close()

    start = threading.Barrier(WRITERS + 1)
    codes: dict[str, int] = {}

    def save(n: int) -> None:
        client = Client()
        client.force_login(users[n])
        scene = scenes[n]
        start.wait()
        text = f"1-{n + 1} 夜 外 天台\n△第{n}场改好了。\n林晚：到此为止。\n"
        response = client.post(f"/p/room/scenes/{scene.pk}/save/", {"text": text, "revision": scene.revision})
        codes[f"save {n}"] = response.status_code
        connection.close()

    def import_meanwhile() -> None:
        client = Client()
        client.force_login(users[0])
        script = "".join(f"第{e}集\n{e}-1 日 内 客厅\n△来了。\n张三：好。\n" for e in range(2, 40))
        upload = SimpleUploadedFile("more.txt", script.encode())
        start.wait()
        response = client.post("/p/room/import/", {"file": upload, "format": "auto"})
        codes["import"] = response.status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(WRITERS)]
    threads.append(threading.Thread(target=import_meanwhile))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
