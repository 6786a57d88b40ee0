"""What the benches that start their own servers share: a free port, a scratch database, percentiles."""

from __future__ import annotations

import contextlib
import math
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class ScratchDatabase:
    """A PostgreSQL database of the bench's own on the server of `base_url`, migrated, dropped at the end."""

    def __init__(self, base_url: str, name: str) -> None:
        parts = urlsplit(base_url)
        self.name = name
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self, env: dict) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        self.execute(f'CREATE DATABASE "{self.name}"')
        env = {**env, "DATABASE_URL": self.url}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    def drop(self) -> None:
        with contextlib.suppress(Exception):
            self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
