"""Season exports run by a Celery worker, with progress the browser can poll (jobs.py: dying workers)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExportJob, Project
from . import jobs
from .exports import export_file
from .shooting_script import PrintRequest

log = logging.getLogger(__name__)


class TooManyExports(Exception):
    """This person already has as many exports waiting or running in this series as one may."""


def start_export(*, project: Project, user, fmt: str, request: PrintRequest) -> ExportJob:
    """Queue a season export. One person may have EXPORT_JOBS_PER_PERSON of them waiting or running in
    a series (a viewer may export too: without a limit one could fill the worker's queue), and only
    the newest EXPORT_RESULTS_KEPT finished files per person are kept (each holds a whole PDF)."""
    active = ExportJob.objects.filter(
        project=project, requested_by=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).count()
    if active >= settings.EXPORT_JOBS_PER_PERSON:
        raise TooManyExports(
            _("You already have %(n)d exports waiting or running in this series; wait for one to finish.")
            % {"n": active}
        )
    params = {"format": fmt, **asdict(request)}
    job = ExportJob.objects.create(
        project=project, requested_by=user, params=params, language=jobs.requester_language()
    )
    old = ExportJob.objects.filter(project=project, requested_by=user, result__isnull=False)
    stale = old.order_by("-created_at", "-pk").values_list("pk", flat=True)[settings.EXPORT_RESULTS_KEPT :]
    ExportJob.objects.filter(pk__in=list(stale)).update(result=None)
    # Only once the row is committed can the worker see it.
    transaction.on_commit(lambda: dispatch(job))
    return job


def dispatch(job: ExportJob) -> None:
    from ..tasks import run_export_job  # the task module imports this one

    run_export_job.delay(job.pk, job.attempts)


jobs.register(ExportJob, dispatch)


def run_export(*, job_id: int, generation: int | None = None, redelivered: bool = False) -> None:
    if not jobs.claim(ExportJob, job_id, generation=generation, redelivered=redelivered):
        return
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    params = dict(job.params)
    fmt = params.pop("format")
    if params.get("episode_range"):
        params["episode_range"] = tuple(params["episode_range"])
    with jobs.in_language(job.language):  # what it says, in the requester's language
        _run(job, fmt, params)


def _run(job: ExportJob, fmt: str, params: dict) -> None:
    try:
        with jobs.heartbeat(ExportJob, job.pk):
            exported = export_file(
                project=job.project,
                fmt=fmt,
                request=PrintRequest(**params),
                progress=lambda p: jobs.set_progress(ExportJob, job.pk, p),
            )
    except SoftTimeLimitExceeded:
        minutes = settings.JOB_SOFT_TIME_LIMIT_SECONDS // 60
        jobs.fail(
            ExportJob,
            job.pk,
            _("The export took longer than %(n)d minutes and was stopped; export fewer episodes at a time.")
            % {"n": minutes},
        )
        return
    except Exception as exc:  # the job must end in a state the browser can show, whatever went wrong
        log.exception("export job %s failed", job.pk)
        jobs.fail(ExportJob, job.pk, str(exc))
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, progress=100, result=exported.data, filename=exported.filename,
        content_type=exported.content_type, finished_at=timezone.now(), message="",
    )  # fmt: skip
