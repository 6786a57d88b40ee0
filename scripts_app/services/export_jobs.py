"""Season exports run by a Celery worker, with progress the browser can poll."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ExportJob, Project
from .exports import export_file
from .shooting_script import PrintRequest

log = logging.getLogger(__name__)


def start_export(*, project: Project, user, fmt: str, request: PrintRequest) -> ExportJob:
    from ..tasks import run_export_job  # the task module imports this one

    params = {"format": fmt, **asdict(request)}
    job = ExportJob.objects.create(project=project, requested_by=user, params=params)
    # Only once the row is committed can the worker see it.
    transaction.on_commit(lambda: run_export_job.delay(job.pk))
    return job


def _set_progress(job: ExportJob, pct: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress=pct)


# A job still "running" after this long lost its worker (killed, machine restarted): a
# redelivered task may take it over instead of leaving the progress bar spinning for ever.
STALE_AFTER = timedelta(minutes=10)


def _claim(job_id: int) -> bool:
    """Mark the job running; True only for the one task that gets it (redeliveries race for it)."""
    fresh = Q(status=ExportJob.Status.QUEUED)
    stale = Q(status=ExportJob.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER)
    claimed = ExportJob.objects.filter(fresh | stale, pk=job_id).update(
        status=ExportJob.Status.RUNNING, progress=5, started_at=timezone.now()
    )
    return claimed == 1


def run_export(*, job_id: int) -> None:
    if not _claim(job_id):
        return
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    params = dict(job.params)
    fmt = params.pop("format")
    if params.get("episode_range"):
        params["episode_range"] = tuple(params["episode_range"])
    try:
        exported = export_file(
            project=job.project,
            fmt=fmt,
            request=PrintRequest(**params),
            progress=lambda p: _set_progress(job, p),
        )
    except Exception as exc:  # the job must end in a state the browser can show, whatever went wrong
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, progress=100, result=exported.data, filename=exported.filename,
        content_type=exported.content_type, finished_at=timezone.now(),
    )  # fmt: skip
