"""A whole season exports in a real Celery worker (Redis broker), with progress and a download."""

from __future__ import annotations

import io
import time

import pdfplumber
import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from scripts_app.models import ExportJob
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene
from writersroom.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    # A real worker consuming from Redis, in a thread of this process so it shares the test database.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def season():
    user = get_user_model().objects.create_user("sr", password="a-long-password")
    project = create_project(user=user, title="Season", slug="season", script_format="zh")
    for n in range(1, 6):
        episode = create_episode(project=project, number=n, title=f"第{n}集")
        for s in range(1, 4):
            create_scene(
                episode=episode,
                user=user,
                text=f"{n}-{s} 日 内 客厅\n△第{n}集第{s}场。\n林晚：台词{n}-{s}。\n",
            )
    client = Client()
    client.force_login(user)
    return project, client


def wait_for(job: ExportJob, seconds: float = 60) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"export job still {job.status} after {seconds}s")


def test_a_season_pdf_is_built_by_the_worker_and_downloaded(worker, season) -> None:
    project, client = season
    response = client.post(reverse("export", args=[project.slug]), {"format": "pdf", "revision": "current"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "export_job", args=[project.slug, job.pk]
    )

    page = client.get(response["Location"])
    assert b"<progress" in page.content
    job = wait_for(job)
    assert job.status == "done", job.message
    partial = client.get(reverse("export_job", args=[project.slug, job.pk]), HTTP_HX_REQUEST="true")
    assert b'id="download"' in partial.content and b"hx-trigger" not in partial.content

    download = client.get(reverse("export_job_download", args=[project.slug, job.pk]))
    assert download["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(download.content)) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    for n in range(1, 6):
        assert f"第{n}集第3场" in text


def test_a_failed_export_says_why(worker, season) -> None:
    from scripts_app.services.production import issue_revision, lock_episode
    from scripts_app.services.scenes import save_scene_text

    project, client = season
    episode = project.episodes.get(number=1)
    lock_episode(episode=episode, user=project.created_by)
    scene = episode.scenes.first()
    save_scene_text(scene=scene, user=project.created_by, text=scene.text + "△改。\n")
    issue_revision(episode=episode, user=project.created_by)
    # Episode 1 has a blue draft; episodes 2-5 have none, so the season can't print as "blue".
    client.post(reverse("export", args=[project.slug]), {"format": "pdf", "revision": "1"})
    job = wait_for(ExportJob.objects.get())
    assert job.status == "failed"
    page = client.get(reverse("export_job", args=[project.slug, job.pk]))
    assert b"The export failed" in page.content
    assert b"Episode 2 has no issued revision 1" in page.content


def test_nobody_else_sees_or_downloads_the_export(season) -> None:
    project, client = season
    client.post(reverse("export", args=[project.slug]), {"format": "zh", "revision": "current"})
    job = ExportJob.objects.get()
    other = get_user_model().objects.create_user("x", password="a-long-password")
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(reverse("export_job", args=[project.slug, job.pk])).status_code == 404
    assert stranger.get(reverse("export_job_download", args=[project.slug, job.pk])).status_code == 404
