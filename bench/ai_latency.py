"""AI streaming: what the pipeline adds between the model's first token and a member's page.

    python bench/ai_latency.py [--runs 100] [--delay 0.3] [--prompts] [--json]

Starts everything it needs: a scratch PostgreSQL database (bench_ai_<pid>, migrated, dropped at the
end), Redis db 13, a local OpenAI-wire server (tests/fake_openai.py, in this process) that answers
every request after a fixed delay, the ASGI server (daphne, writersroom.asgi) and a Celery worker,
both pointed at that server through LLM_BASE_URL. This process also holds a websocket on the scene's
AI page (/ws/p/<slug>/live/?where=ai-scene:<id>), as a second member's browser would.

Each run asks for a rewrite of the scene through the same service the browser's request calls (in a
helper Django process, so the bench needs no URL of the site), waits for it to finish, and measures
from the moment the fake server flushed the first token to the moment the websocket received the
first frame showing streamed text of that suggestion. Both instants are time.perf_counter() in this
one process, so the clocks agree. What is measured: the worker reading the token, the progress
message through the Redis channel layer, the consumer rendering the card, the websocket frame.

With --prompts it also counts the prompt tokens of each level on the demo series (seed_demo, grown to
80 episodes, in a second scratch database): beats by episode number show how the earlier episodes'
summaries grow a prompt until the budget (LLM_PROMPT_TOKEN_BUDGET) drops the oldest.

The last line (with --json, the only line) is JSON: runs, failed, overhead_p50_ms, overhead_p95_ms,
overhead_max_ms, the target (p95 <= 100 ms) and, with --prompts, prompt_tokens. Exit status 1 if a
run failed.

DATABASE_URL (a PostgreSQL URL) gives the server and credentials for the scratch database (default
postgres://postgres:postgres@127.0.0.1:5432); BENCH_AI_REDIS_URL the Redis (redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import websockets  # noqa: E402
from scratch import ScratchDatabase, free_port, percentile  # noqa: E402  (bench/, beside this file)

from tests.fake_openai import FakeOpenAI, Reply  # noqa: E402  (no Django needed to serve)

REDIS_URL = os.environ.get("BENCH_AI_REDIS_URL", "redis://127.0.0.1:6379/13")
SLUG = "bench-ai"
ANSWER = "林晚：（冷冷地）你终于敢来了。我等这一天，等了一辈子。"
TARGET_P95_MS = 100

# Run with `manage.py shell -c`: makes the series, prints the page's cookie and the scene, then asks
# for one rewrite per line read on stdin, printing each suggestion's id (what the browser's POST does).
HELPER = r"""
import json, sys
from django.contrib.auth import get_user_model
from django.test import Client
from scripts_app.ai import generate
from scripts_app.models import Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

writer = get_user_model().objects.create_user("bench-writer")
viewer = get_user_model().objects.create_user("bench-viewer")
project = create_project(user=writer, title="Bench AI", slug="bench-ai", script_format="zh",
                         ai_monthly_token_budget=2_000_000_000, ai_concurrency_limit=4)
Membership.objects.create(project=project, user=viewer, role=Role.VIEWER)
episode = create_episode(project=project, number=1)
scene = create_scene(episode=episode, user=writer, text="1-1 夜 内 林家客厅\n人物：林晚\n林晚：你来了。\n")
client = Client()
client.force_login(viewer)
print("READY " + json.dumps({"cookie": f"sessionid={client.cookies['sessionid'].value}", "scene": scene.pk}),
      flush=True)
for line in sys.stdin:
    suggestion = generate.request_rewrite(scene=scene, user=writer, instruction="更狠一点")
    print("ASKED " + str(suggestion.pk), flush=True)
"""

# Run with `manage.py shell -c` on its own scratch database: the demo series (seed_demo) grown to 80
# episodes, and the prompt tokens of each level, for beats by episode number (earlier summaries grow).
PROMPTS = r"""
import io, json
from django.core.management import call_command
from scripts_app.ai import generate
from scripts_app.models import Beat, Project, Suggestion

call_command("seed_demo", stdout=io.StringIO())
project = Project.objects.get(slug="rebirth-demo")
Project.objects.filter(pk=project.pk).update(ai_monthly_token_budget=2_000_000_000)
project.refresh_from_db()
for n in range(6, 81):
    summary = f"第{n}集：林晚与顾承泽的较量升级，一个新的秘密浮出水面。"
    project.episodes.create(number=n, title=f"第{n}集", summary=summary, cliffhanger="门外传来脚步声。")
Beat.objects.filter(episode__project=project).update(status="accepted")
who = {"user": project.memberships.get(role="showrunner").user, "queue": False}
first = project.episodes.get(number=1)
scene = first.scenes.order_by("position").first()
asks = {
    "bible": lambda: generate.request_bible(project=project, **who),
    "episodes 1-20": lambda: generate.request_episode_list(project=project, first=1, last=20, **who),
    "draft episode 1": lambda: generate.request_draft(episode=first, **who),
    "rewrite scene 1-1": lambda: generate.request_rewrite(scene=scene, instruction="更狠一点", **who),
    "alternatives hook 1": lambda: generate.request_alternatives(episode=first, field="hook", **who),
}
for n in (1, 2, 5, 10, 20, 40, 80):
    episode = project.episodes.get(number=n)
    asks[f"beats episode {n}"] = lambda e=episode: generate.request_beats(episode=e, **who)
result = {}
for name, ask in asks.items():
    s = ask()
    prompt = s.tokens_reserved - s.request["max_tokens"]
    result[name] = {"prompt_tokens": prompt, "dropped": len(s.dropped_context)}
    Suggestion.objects.filter(pk=s.pk).delete()
print("PROMPTS " + json.dumps(result, ensure_ascii=False))
"""

CARD = re.compile(r'id="suggestion-(\d+)"[^>]*data-status="(\w+)"')
STREAM = re.compile(r'<pre class="ai-stream"[^>]*>([^<]*)')


def start(argv: list[str], env: dict, log: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT, **kwargs
    )  # noqa: SIM115


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


class Page:
    """The websocket of a member's AI page: every frame, with the instant it arrived."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url, self.cookie = url, cookie
        self.frames: list[tuple[float, str]] = []
        self.socket = None

    async def open(self) -> None:
        self.socket = await websockets.connect(
            self.url, additional_headers={"Cookie": self.cookie, "Origin": "http://127.0.0.1"}, max_size=None
        )
        asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.socket:
                self.frames.append((time.perf_counter(), frame if isinstance(frame, str) else frame.decode()))

    def first_streamed(self, suggestion: int, since: int) -> float | None:
        """When the first frame showing streamed text of `suggestion` arrived."""
        for at, text in self.frames[since:]:
            card = CARD.search(text)
            stream = STREAM.search(text)
            if card and int(card.group(1)) == suggestion and card.group(2) == "running" and stream:
                if stream.group(1).strip():
                    return at
        return None

    def finished(self, suggestion: int, since: int) -> str | None:
        for _at, text in self.frames[since:]:
            card = CARD.search(text)
            if card and int(card.group(1)) == suggestion and card.group(2) not in ("queued", "running"):
                return card.group(2)
        return None


async def measure(args, fake: FakeOpenAI, helper: subprocess.Popen, page: Page) -> tuple[list[float], int]:
    overheads, failed = [], 0
    for run in range(args.runs):
        fake.script(Reply(text=ANSWER, delay=args.delay, chunk_size=3, chunk_delay=0.02))
        since = len(page.frames)
        sent_before = len(fake.first_token_at)
        helper.stdin.write("ask\n")
        helper.stdin.flush()
        line = await asyncio.to_thread(helper.stdout.readline)
        suggestion = int(line.split()[1])
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and (status := page.finished(suggestion, since)) is None:
            await asyncio.sleep(0.02)
        arrived = page.first_streamed(suggestion, since)
        if status != "pending" or arrived is None or len(fake.first_token_at) <= sent_before:
            failed += 1
            print(f"run {run}: suggestion {suggestion} ended {status}", file=sys.stderr)
            continue
        overheads.append(arrived - fake.first_token_at[sent_before])
    return overheads, failed


def prompt_tokens(env: dict) -> dict:
    """Prompt tokens per level on the demo series (its own scratch database)."""
    database = ScratchDatabase(env["DATABASE_URL"], f"bench_ai_{os.getpid()}_prompts")
    env = {**env, "DATABASE_URL": database.url, "LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    try:
        database.create(env)
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", PROMPTS],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("PROMPTS "))
        return json.loads(line[len("PROMPTS ") :])
    finally:
        database.drop()


async def main(args) -> int:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres:postgres@127.0.0.1:5432/postgres"
    database = ScratchDatabase(base, f"bench_ai_{os.getpid()}")
    fake = FakeOpenAI().start()
    logs = Path(tempfile.mkdtemp(prefix="bench-ai-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "writersroom.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LLM_BASE_URL": fake.base_url,
        "LLM_API_KEY": "bench",
        "LLM_MODEL": "fake-model",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    processes: list[subprocess.Popen] = []
    try:
        database.create(env)
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "writersroom", "purge", "-f"],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )
        # The helper's stdin and stdout are its protocol: one "ask" line in, one "ASKED <id>" line out.
        helper = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", HELPER],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(logs / "helper.log", "ab"),  # noqa: SIM115
        )
        processes.append(helper)
        ready = ""
        while not ready.startswith("READY "):  # skip whatever the shell prints first
            ready = await asyncio.to_thread(helper.stdout.readline)
            if not ready:
                raise RuntimeError(f"the helper did not start (see {logs})")
        setup = json.loads(ready[len("READY ") :])
        processes.append(
            start(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "writersroom.asgi:application",
                ],
                env,
                logs / "daphne.log",
            )
        )
        processes.append(
            start(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "writersroom",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "WARNING",
                ],
                env,
                logs / "worker.log",
            )
        )
        await asyncio.to_thread(wait_http, f"http://127.0.0.1:{port}/accounts/login/")
        page = Page(
            f"ws://127.0.0.1:{port}/ws/p/{SLUG}/live/?where=ai-scene:{setup['scene']}", setup["cookie"]
        )
        await page.open()
        await asyncio.sleep(1.0)  # the page's first render, and the worker ready
        await measure(argparse.Namespace(runs=2, delay=args.delay), fake, helper, page)  # warm-up
        overheads, failed = await measure(args, fake, helper, page)
        prompts = await asyncio.to_thread(prompt_tokens, env) if args.prompts else None
    finally:
        for process in reversed(processes):
            with contextlib.suppress(Exception):
                process.terminate()
                process.wait(10)
        fake.stop()
        database.drop()
    result = {
        "runs": args.runs,
        "failed": failed,
        "first_token_delay_ms": round(args.delay * 1000),
        "overhead_p50_ms": round(percentile(overheads, 50) * 1000, 2) if overheads else None,
        "overhead_p95_ms": round(percentile(overheads, 95) * 1000, 2) if overheads else None,
        "overhead_max_ms": round(max(overheads) * 1000, 2) if overheads else None,
        "target_p95_ms": TARGET_P95_MS,
    }
    if prompts is not None:
        result["prompt_tokens"] = prompts
    if not args.json:
        print(f"AI streaming overhead over {len(overheads)} runs (logs in {logs}):")
        print(
            f"  p50 {result['overhead_p50_ms']} ms, p95 {result['overhead_p95_ms']} ms "
            f"(target <= {TARGET_P95_MS} ms), max {result['overhead_max_ms']} ms; failed runs: {failed}"
        )
    print(json.dumps(result))
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds before the model's first token")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--prompts", action="store_true", help="also count each level's prompt tokens")
    sys.exit(asyncio.run(main(parser.parse_args())))
