"""A real ASGI server (daphne) in its own process, on the test database: websockets over real sockets.

pytest-django's live_server speaks WSGI only; the live room needs Channels. The server process can be
killed (SIGKILL) and started again mid-test, and several can run at once against one Redis.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database, as the server process must reach it."""
    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    user, password = d.get("USER") or "postgres", d.get("PASSWORD") or ""
    host, port = d.get("HOST") or "127.0.0.1", d.get("PORT") or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{d['NAME']}"


class AsgiServer:
    def __init__(self, *, redis_url: str | None = None, port: int | None = None, env: dict | None = None):
        self.port = port or free_port()
        self.redis_url = redis_url or settings.REDIS_URL
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log = open(os.devnull, "wb")  # noqa: SIM115

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> AsgiServer:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "writersroom.settings",
            **self.extra_env,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        log_path = os.environ.get("ASGI_TEST_LOG")
        out = open(log_path, "ab") if log_path else self.log  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "--ping-interval", "5", "--ping-timeout", "10", "writersroom.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the ASGI server exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the ASGI server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
