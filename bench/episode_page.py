"""Episode page: server time and query count for 5 and for 100 scenes.

    DATABASE_URL=postgres://... DEBUG=1 python bench/episode_page.py [--json]

Runs in a throwaway test database. The 5-scene page is the baseline measured in
the same run; the ratios show how the page grows with the scenes.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "writersroom.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = 15
SCENE = (
    "{n} 日 内 张家客厅\n人物：张明、张父\n△张明推门进来，手里攥着离婚协议。\n"
    "张父：（放下酒杯）你还知道回来？\n张明（OS）：这一次，我不会再忍。\n"
)


def build(user, scenes: int):
    from scripts_app.models import Beat
    from scripts_app.services.episodes import create_episode
    from scripts_app.services.projects import create_project
    from scripts_app.services.scenes import create_scene

    project = create_project(user=user, title=f"Bench {scenes}", script_format="zh")
    episode = create_episode(project=project, number=1, title="bench")
    for i in range(scenes):
        scene = create_scene(episode=episode, user=user, text=SCENE.format(n=f"1-{i + 1}"))
        Beat.objects.create(episode=episode, scene=scene, position=i, text=f"beat {i}")
    return f"/p/{project.slug}/e/1/"


def measure(client: Client, url: str) -> dict:
    reset_queries()  # a request resets the log; start from empty so the capture lines up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return {"queries": len(queries), "median_ms": round(statistics.median(times) * 1000, 2)}


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "writersroom_bench"  # never the test suite's database
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = get_user_model().objects.create_user("bench", password="bench-password")
        client = Client()
        client.force_login(user)
        results = {n: measure(client, build(user, n)) for n in (5, 100)}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    base, big = results[5], results[100]
    print(f"{'scenes':>6} {'queries':>8} {'median ms':>10}")
    for n, r in results.items():
        print(f"{n:>6} {r['queries']:>8} {r['median_ms']:>10}")
    ratios = {
        "query_ratio_100_vs_5": round(big["queries"] / base["queries"], 2),
        "time_ratio_100_vs_5": round(big["median_ms"] / base["median_ms"], 2),
    }
    print(f"ratios against the 5-scene baseline: queries x{ratios['query_ratio_100_vs_5']}, "
          f"time x{ratios['time_ratio_100_vs_5']}")  # fmt: skip
    if "--json" in sys.argv:
        print(json.dumps({"scenes_5": base, "scenes_100": big, **ratios}))


if __name__ == "__main__":
    main()
