"""Celery tasks: thin, each calls one service.

Job tasks acknowledge their message only when done (acks_late) and hand it back if the worker's
child dies under them (reject_on_worker_lost), so a run killed by the OOM killer starts again at
once; services/jobs.py makes sure only one delivery runs a job and gives up after a few attempts.
The time limits stay below the broker's visibility timeout (settings), so Redis never redelivers
a message whose run is still going.
"""

from celery import shared_task
from django.conf import settings

from .services import export_jobs, imports, jobs

JOB_TASK = dict(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.JOB_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.JOB_TIME_LIMIT_SECONDS,
    ignore_result=True,
)


def _redelivered(task) -> bool:
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(**JOB_TASK)
def run_export_job(self, job_id: int, generation: int | None = None) -> None:
    export_jobs.run_export(job_id=job_id, generation=generation, redelivered=_redelivered(self))


@shared_task(**JOB_TASK)
def run_import_job(self, job_id: int, generation: int | None = None) -> None:
    imports.run_import(job_id=job_id, generation=generation, redelivered=_redelivered(self))


@shared_task(ignore_result=True)
def sweep_stalled_jobs() -> int:
    """Every minute (celery beat): requeue or fail jobs whose worker went quiet."""
    return jobs.sweep()
