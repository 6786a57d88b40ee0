"""Live room: edit propagation between writers typing in one episode, against a bare relay.

    python bench/collab.py --clients N [--kill] [--seconds S] [--json]

Starts the real ASGI server (daphne, writersroom.asgi) on a free port, on a scratch PostgreSQL
database made and migrated for the run (bench_collab_<pid>, dropped at the end) and Redis db 12.
This process is the client side: N DocClients (scripts_app/collab/client.py) in one asyncio loop.
With N <= 10 every client types; with more, 10 type and the rest watch. A typist makes 10 edits a
second: each inserts a line carrying a unique marker at a random line start. Propagation of an edit
to a receiver is the time from the typist making the edit to the receiver reading a frame that
carries its marker; both are time.perf_counter() in this one process, so the clocks agree. The
episode starts with --scenes short scenes (12); the typed lines land in all of them.
With --kill the server is SIGKILLed half-way and started again on the same port; the clients
reconnect and resend their unacknowledged edits in their sync step 2.
At the end every client must converge; lost_edits counts markers missing from the text of a fresh
client that joins last (the server's copy). The same workload then runs against bench/bare_relay.py
(a bare pycrdt websocket relay: no auth, no storage, no channel layer) as the baseline.
The last line printed (with --json) is JSON; the exit status is 1 if an edit was lost or the
clients did not converge.

DATABASE_URL (a PostgreSQL URL) gives the server and credentials of the scratch database (default
postgres://postgres:postgres@127.0.0.1:5432); BENCH_REDIS_URL the Redis (redis://127.0.0.1:6379/12).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch import ScratchDatabase, free_port, percentile  # noqa: E402  (bench/, beside this file)

from scripts_app.collab.client import DocClient  # noqa: E402  (pycrdt + websockets only, no Django)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
MAX_TYPISTS = 10
MARKER = re.compile(rb"\[m(\d+)\]")
SLUG = "bench-room"

SETUP = r"""
import json, os
from django.contrib.auth import get_user_model
from django.test import Client
from scripts_app.models import Membership, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

users = [get_user_model().objects.create_user(f"bench{i}") for i in range(int(os.environ["BENCH_USERS"]))]
project = create_project(user=users[0], title="Bench room", slug=os.environ["BENCH_SLUG"], script_format="zh")
Membership.objects.bulk_create([Membership(project=project, user=u, role=Role.WRITER) for u in users[1:]])
episode = create_episode(project=project, number=1)
for i in range(1, int(os.environ["BENCH_SCENES"]) + 1):
    heading = f"1-{i} {'日' if i % 2 else '夜'} {'内' if i % 3 else '外'} 场景{i}"
    create_scene(episode=episode, user=users[0], text=f"{heading}\n△开场{i}。\n张明：第{i}场的台词。\n")
cookies = []
for u in users:
    c = Client()
    c.force_login(u)
    cookies.append(f"sessionid={c.cookies['sessionid'].value}")
print("COOKIES " + json.dumps(cookies))
"""


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# ---- the scratch database -------------------------------------------------------------------------


def create_series(db: ScratchDatabase, env: dict, users: int, scenes: int) -> list[str]:
    """Migrate the scratch database, make the series and its writers; their session cookies."""
    db.create(env)
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT, check=True, capture_output=True, text=True,
        env={**env, "DATABASE_URL": db.url, "BENCH_USERS": str(users), "BENCH_SLUG": SLUG,
             "BENCH_SCENES": str(scenes)},
    )  # fmt: skip
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("COOKIES "))
    return json.loads(line[len("COOKIES ") :])


# ---- the servers ----------------------------------------------------------------------------------


class Server:
    """A server subprocess on a fixed port that can be SIGKILLed and started again."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, log_path: Path):
        self.name, self.argv, self.env, self.port, self.log_path = name, argv, env, port, log_path
        self.process: subprocess.Popen | None = None
        self.cpu = 0.0  # CPU seconds of processes already gone

    async def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                _r, w = await asyncio.open_connection("127.0.0.1", self.port)
                w.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start")

    def cpu_now(self) -> float:
        alive = cpu_seconds(self.process.pid) if self.process and self.process.poll() is None else 0.0
        return self.cpu + alive

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.cpu += cpu_seconds(self.process.pid)
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.cpu += cpu_seconds(self.process.pid)
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# ---- the clients ----------------------------------------------------------------------------------


class Peer:
    def __init__(self, index: int, url: str, cookie: str):
        self.index = index
        self.client = DocClient(url, cookie=cookie, name=f"c{index}")
        self.client.on_remote_update = self._on_update
        self.received: dict[int, float] = {}  # marker -> first time a frame carrying it was read
        self.last_attempt = 0.0
        self.connects = 0

    def _on_update(self, update: bytes, now: float) -> None:
        for match in MARKER.finditer(update):
            self.received.setdefault(int(match.group(1)), now)

    @property
    def ready(self) -> bool:
        return self.client.connected and self.client.synced.is_set()

    async def ensure(self) -> None:
        if self.client.connected:
            return
        now = time.monotonic()
        if now - self.last_attempt < 0.1:
            return
        self.last_attempt = now
        with contextlib.suppress(Exception):
            await self.client.connect(timeout=3)
            self.connects += 1


class Run:
    """One workload against one server."""

    def __init__(self, server: Server, url: str, cookies: list[str], *, clients: int, seconds: float,
                 rate: float, kill: bool, acks: bool, seed: int):  # fmt: skip
        self.server, self.seconds, self.rate, self.kill, self.acks = server, seconds, rate, kill, acks
        self.peers = [Peer(i, url, cookies[i]) for i in range(clients)]
        self.typists = self.peers[:MAX_TYPISTS]
        self.sent: list[tuple[int, float]] = []  # marker -> (typist, time the edit was made)
        self.rng = random.Random(seed)
        self.stop = False
        self.lags: list[float] = []
        self.kill_at = self.restarted_at = self.resynced_at = None
        self.url, self.cookies = url, cookies

    async def _keeper(self) -> None:
        while not self.stop:
            await asyncio.gather(*(p.ensure() for p in self.peers if not p.client.connected))
            await asyncio.sleep(0.05)

    async def _lag_probe(self) -> None:
        """How late this process's event loop wakes up: receipt times are only as exact as this."""
        while not self.stop:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            self.lags.append(time.perf_counter() - t - 0.005)

    async def _typist(self, peer: Peer, rng: random.Random, until: float) -> None:
        period = 1.0 / self.rate
        due = time.perf_counter() + rng.uniform(0, period)
        while True:
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            if time.perf_counter() >= until:
                return
            text = peer.client.value()
            nl = text.find("\n", rng.randrange(len(text) + 1))
            at = nl + 1 if nl >= 0 else 0
            marker = len(self.sent)
            line = f"△[m{marker}]{'人物对话' if marker % 2 else 'beat'}···\n"
            self.sent.append((peer.index, time.perf_counter()))
            await peer.client.insert(at, line)
            # Keep the rate, but a late loop does not make up for missed edits in a burst.
            due = max(due + period, time.perf_counter() - period)

    async def _chaos(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        self.kill_at = time.perf_counter()
        self.server.kill()
        await self.server.start()
        self.restarted_at = time.perf_counter()
        while not all(p.ready for p in self.peers):
            await asyncio.sleep(0.01)
        self.resynced_at = time.perf_counter()

    def _settled(self) -> bool:
        if not all(p.ready for p in self.peers):
            return False
        if self.acks and any(p.client.unsynced for p in self.peers):
            return False
        return len({p.client.value() for p in self.peers}) == 1

    async def run(self) -> dict:
        for p in self.peers:
            await p.client.connect()
            await p.client.wait_synced()
            p.connects = 1
        keeper = asyncio.create_task(self._keeper())
        probe = asyncio.create_task(self._lag_probe())
        cpu0, busy0, wall0 = time.process_time(), machine_busy(), time.perf_counter()
        server_cpu0 = self.server.cpu_now()
        start = time.perf_counter()
        until = start + self.seconds
        tasks = [
            asyncio.create_task(self._typist(p, random.Random(self.rng.random()), until))
            for p in self.typists
        ]
        chaos = asyncio.create_task(self._chaos(start + self.seconds / 2)) if self.kill else None
        await asyncio.gather(*tasks)
        typing_s = time.perf_counter() - start
        if chaos is not None:
            await chaos
        settle_start = time.perf_counter()
        while not self._settled():
            if time.perf_counter() - settle_start > 120:
                break
            await asyncio.sleep(0.02)
        settle_s = time.perf_counter() - settle_start
        converged = self._settled()
        cpu1, busy1, wall1 = time.process_time(), machine_busy(), time.perf_counter()
        server_cpu = self.server.cpu_now() - server_cpu0
        self.stop = True
        await asyncio.gather(keeper, probe)
        # A client that joins last reads the server's own copy.
        late = DocClient(self.url, cookie=self.cookies[0], name="late")
        await late.connect()
        await late.wait_synced()
        await asyncio.sleep(0.3)
        final = late.value()
        converged = converged and all(p.client.value() == final for p in self.peers)
        for c in [late, *(p.client for p in self.peers)]:
            await c.close()
        present = {int(m) for m in MARKER.findall(final.encode())}
        wall = wall1 - wall0
        return self._figures(present, converged, typing_s, settle_s, {
            "client_cpu_pct": round(100 * (cpu1 - cpu0) / wall, 1),
            "server_cpu_pct": round(100 * server_cpu / wall, 1),
            "machine_busy_pct": round(100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]), 1),
        })  # fmt: skip

    def _figures(
        self, present: set[int], converged: bool, typing_s: float, settle_s: float, cpu: dict
    ) -> dict:
        deliveries, outside, per_edit, missing = [], [], [], 0
        for marker, (sender, sent_at) in enumerate(self.sent):
            in_outage = self.kill_at is not None and self.kill_at <= sent_at <= (self.resynced_at or math.inf)
            worst = 0.0
            for p in self.peers:
                if p.index == sender:
                    continue
                got = p.received.get(marker)
                if got is None:
                    missing += 1
                    continue
                deliveries.append(got - sent_at)
                if not in_outage:
                    outside.append(got - sent_at)
                worst = max(worst, got - sent_at)
            per_edit.append(worst)
        deliveries.sort()
        outside.sort()
        per_edit.sort()
        lags = sorted(self.lags)
        figures = {
            "edits": len(self.sent),
            "edits_per_s": round(len(self.sent) / typing_s, 1),
            "deliveries": len(deliveries),
            "p50_ms": ms(percentile(deliveries, 50)),
            "p95_ms": ms(percentile(deliveries, 95)),
            "p99_ms": ms(percentile(deliveries, 99)),
            "max_ms": ms(deliveries[-1] if deliveries else None),
            "all_received_p95_ms": ms(percentile(per_edit, 95)),
            "lost_edits": len(set(range(len(self.sent))) - present),
            "reconnects": sum(p.connects - 1 for p in self.peers),
            "missing_deliveries": missing,
            "converged": converged,
            "settle_s": round(settle_s, 2),
            "client_loop_lag_p99_ms": ms(percentile(lags, 99)),
            **cpu,
        }
        if self.kill_at is not None:
            figures["outage_s"] = round((self.resynced_at or math.inf) - self.kill_at, 2)
            figures["restart_s"] = round((self.restarted_at or math.inf) - self.kill_at, 2)
            figures["outside_outage_p95_ms"] = ms(percentile(outside, 95))
        return figures


ROWS = [
    ("edits", "edits"), ("edits_per_s", "edits/s"), ("deliveries", "deliveries"),
    ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"), ("p99_ms", "p99 ms"), ("max_ms", "max ms"),
    ("all_received_p95_ms", "all-received p95 ms"), ("lost_edits", "lost edits"),
    ("converged", "converged"), ("reconnects", "reconnects"), ("outage_s", "outage s"),
    ("outside_outage_p95_ms", "p95 outside outage"), ("server_cpu_pct", "server CPU %"),
    ("client_cpu_pct", "client CPU %"), ("machine_busy_pct", "machine busy %"),
    ("client_loop_lag_p99_ms", "client loop lag p99"),
]  # fmt: skip

# ---- main -----------------------------------------------------------------------------------------


async def measure(args, cookies: list[str], db_url: str, workdir: Path) -> tuple[dict, dict]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "writersroom.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-collab-not-secret-" + "x" * 32,
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COLLAB_MESSAGES_PER_SECOND": "1000",
        "COLLAB_MESSAGE_BURST": "5000",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # As ops/run.sh runs it.
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "--ping-interval", "5",
            "--ping-timeout", "15", "writersroom.asgi:application"]  # fmt: skip
    server = Server("daphne", argv, env, port, workdir / "daphne.log")
    await server.start()
    try:
        url = f"ws://127.0.0.1:{port}/ws/p/{SLUG}/e/1/doc/"
        room = await Run(server, url, cookies, clients=args.clients, seconds=args.seconds, rate=args.rate,
                         kill=args.kill, acks=True, seed=1).run()  # fmt: skip
    finally:
        server.stop()

    port = free_port()
    argv = [sys.executable, str(ROOT / "bench" / "bare_relay.py"), "--port", str(port)]
    relay = Server("bare relay", argv, {**os.environ}, port, workdir / "relay.log")
    await relay.start()
    try:
        url = f"ws://127.0.0.1:{port}/ws/p/{SLUG}/e/1/doc/"
        base = await Run(relay, url, cookies, clients=args.clients, seconds=args.seconds, rate=args.rate,
                         kill=args.kill, acks=False, seed=1).run()  # fmt: skip
    finally:
        relay.stop()
    return room, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--kill", action="store_true", help="SIGKILL and restart the server half-way")
    parser.add_argument("--seconds", type=float, default=15.0, help="typing time")
    parser.add_argument("--rate", type=float, default=10.0, help="edits a second per typist")
    parser.add_argument("--scenes", type=int, default=12, help="scenes in the episode at the start")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs and print where")
    args = parser.parse_args()

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        base_url = "postgres://postgres:postgres@127.0.0.1:5432/postgres"
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own Redis db: no groups left by an earlier run

    workdir = Path(tempfile.mkdtemp(prefix="bench_collab_"))
    db = ScratchDatabase(base_url, f"bench_collab_{os.getpid()}")
    setup_env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench-collab-not-secret-" + "x" * 32,
                 "LOG_LEVEL": "WARNING", "REDIS_URL": REDIS_URL}  # fmt: skip
    try:
        cookies = create_series(db, setup_env, args.clients, args.scenes)
        room, base = asyncio.run(measure(args, cookies, db.url, workdir))
    finally:
        db.drop()
    # Daphne's access log (one line a connection) aside, the server should have said nothing.
    access = re.compile(r'^\S+ - - \[[^]]*\] "')
    log_path = workdir / "daphne.log"
    log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    log_lines = [ln for ln in log_text.splitlines() if ln.strip() and not access.match(ln)]
    crashes = log_text.count("Exception inside application")
    if not args.keep_logs:
        for f in workdir.iterdir():
            f.unlink()
        workdir.rmdir()

    typing = min(args.clients, MAX_TYPISTS)
    watching = args.clients - typing
    ratio = round(room["p95_ms"] / base["p95_ms"], 2) if room["p95_ms"] and base["p95_ms"] else None
    result = {
        "clients": args.clients,
        "typing": typing,
        "watching": watching,
        "kill": args.kill,
        "seconds": args.seconds,
        **room,
        "baseline_p50_ms": base["p50_ms"],
        "baseline_p95_ms": base["p95_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "ratio": ratio,
        "server_log_lines": len(log_lines),
        "consumer_crashes": crashes,
        "baseline": base,
    }

    kill_note = ", server killed half-way" if args.kill else ""
    print(f"Live room, {args.clients} clients ({typing} typing at {args.rate:g} edits/s, "
          f"{watching} watching), {args.seconds:g} s of typing{kill_note}")  # fmt: skip
    print(f"{'':24}{'server':>12}{'bare relay':>12}")
    for key, label in ROWS:
        if key in room:
            print(f"{label:24}{room[key]!s:>12}{base.get(key)!s:>12}")
    print(f"p95 / bare relay p95: {ratio}")
    if log_lines:
        print(
            f"server log: {len(log_lines)} lines besides the access log, "
            f"{crashes} 'Exception inside application'; the last lines:"
        )
        for ln in log_lines[-5:]:
            print("  " + ln[:200])
    if args.json:
        print(json.dumps(result))
    if room["lost_edits"] or not room["converged"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
