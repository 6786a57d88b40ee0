"""Import speed: scenes per second for a file of 300 and of 3,000 scenes (and 30,000 with --big).

    DATABASE_URL=postgres://... DEBUG=1 python bench/import.py [--big] [--json]

Runs in a throwaway test database. Each size is imported into a fresh series (best of --runs) through
the same service as the import page and the worker (services/imports.py: parse, check, bulk insert).
Linear time shows as the same scenes per second at every size; the last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "writersroom.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SCENES_PER_EPISODE = 30


def series(scenes: int, *, slim: bool = False) -> bytes:
    """A Chinese-format file: episodes of 30 scenes, each with a cast line, action and dialogue
    (`slim`: a heading and one line, about 120 bytes a scene like the issue's 3.7 MB FDX of 30,000)."""
    lines = []
    for n in range(scenes):
        episode, scene = divmod(n, SCENES_PER_EPISODE)
        if scene == 0:
            lines.append(f"第{episode + 1}集 第{episode + 1}集")
        lines.append(f"{episode + 1}-{scene + 1} {'日' if scene % 2 else '夜'} 内 地点{scene % 12}")
        if slim:
            lines.append(f"林晚：第{scene + 1}次了。")
            continue
        lines += [
            f"人物：林晚、顾承泽、角色{scene % 9}",
            "△林晚推门进来，手里攥着一叠转账复印件，目光扫过满屋子的人。",
            f"顾承泽：（放下酒杯）你来做什么？第{scene + 1}次了。",
            "林晚：来拿回属于我的东西。",
            f"角色{scene % 9}（OS）：这一次，她不会再忍。",
        ]
    return "\n".join(lines).encode()


def measure(user, scenes: int, runs: int) -> dict:
    from scripts_app.services import imports
    from scripts_app.services.projects import create_project

    data = series(scenes, slim=scenes > 3_000)
    best, best_cpu = float("inf"), float("inf")
    for run in range(runs):
        project = create_project(user=user, title=f"Bench {scenes} {run}", script_format="zh")
        start, cpu = time.perf_counter(), time.process_time()
        result = imports.import_script(project=project, data=data, user=user, filename="bench.txt")
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, time.process_time() - cpu)
        assert result.scenes == scenes, result
    return {
        "scenes": scenes,
        "bytes": len(data),
        "seconds": round(best, 3),
        "cpu_s": round(best_cpu, 3),  # this process only; the rest of the wall time is the database
        "scenes_per_s": round(scenes / best),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", action="store_true", help="also 30,000 scenes (the issue's FDX size)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    sizes = (300, 3_000, 30_000) if args.big else (300, 3_000)

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "writersroom_bench_import"  # never the test suite's database
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = get_user_model().objects.create_user("bench", password="bench-password")
        results = [measure(user, n, 1 if n > 3_000 else args.runs) for n in sizes]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if not args.json:
        print(f"{'scenes':>7} {'KB':>7} {'seconds':>8} {'cpu s':>7} {'scenes/s':>9}")
        for r in results:
            kb = r["bytes"] // 1024
            print(f"{r['scenes']:>7} {kb:>7} {r['seconds']:>8} {r['cpu_s']:>7} {r['scenes_per_s']:>9}")
    ratio = results[1]["scenes_per_s"] / results[0]["scenes_per_s"]
    print(json.dumps({"results": results, "rate_ratio_3000_vs_300": round(ratio, 2)}))


if __name__ == "__main__":
    main()
