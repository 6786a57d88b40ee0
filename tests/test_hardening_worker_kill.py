"""A season export whose worker child is killed mid-run (as the OOM killer does) finishes anyway.

A real Celery worker (prefork, one child) runs the export; the test kills the child with SIGKILL while
the job is running. With acks_late and task_reject_on_worker_lost the message goes back to Redis, the
worker's new child takes the run over, and the job ends done on its second attempt: never "running"
forever, and the page has a file to give."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from scripts_app.models import ExportJob
from scripts_app.services import export_jobs
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene
from scripts_app.services.shooting_script import PrintRequest

from .live_asgi import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
EPISODES, SCENES = 40, 8  # big enough that the PDF takes seconds, so the kill lands mid-run


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The parent pid is the 2nd field after the command name, which is in parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _wait_for(predicate, what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextlib.contextmanager
def prefork_worker(**env_extra: str):
    """A real Celery worker (prefork, one child) on the test database and Redis, until the block ends;
    it yields once its pool child is up, so a test can kill that child."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "DEBUG": "1"}
    env.update(env_extra)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "writersroom", "worker", "--pool", "prefork",
         "--concurrency", "1", "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--purge"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(lambda: _children(process.pid), "the worker's pool child", timeout=60)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def worker():
    with prefork_worker() as process:
        yield process


@pytest.fixture
def season():
    user = get_user_model().objects.create_user("showrunner", password="a-long-password")
    project = create_project(user=user, title="长剧", slug="season", script_format="zh")
    line = "△她把信撕成两半，又一片一片拼回去，手指在发抖。\n林晚：（低声）你早就知道了，对不对？\n"
    for n in range(1, EPISODES + 1):
        episode = create_episode(project=project, number=n)
        for s in range(1, SCENES + 1):
            create_scene(episode=episode, user=user, text=f"{n}-{s} 夜 内 客厅\n人物：林晚\n" + line * 12)
    return project, user


def test_a_killed_worker_child_hands_the_export_to_its_successor(worker, season) -> None:
    project, user = season
    job = export_jobs.start_export(project=project, user=user, fmt="pdf", request=PrintRequest())
    # Outside a transaction the job is committed at once, and start_export has sent its message.

    def running_child():
        job.refresh_from_db()
        assert job.status != ExportJob.Status.DONE, "the export ended before the child could be killed"
        return job.status == ExportJob.Status.RUNNING and _children(worker.pid)

    (child,) = _wait_for(running_child, "the export to start")
    os.kill(child, signal.SIGKILL)

    def finished():
        job.refresh_from_db()
        return job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED)

    _wait_for(finished, "the export to finish after the kill", timeout=300)
    assert job.status == ExportJob.Status.DONE, job.message
    assert job.attempts == 2  # the killed run, then its successor's
    assert bytes(job.result).startswith(b"%PDF")
    assert child not in _children(worker.pid)
