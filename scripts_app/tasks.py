"""Celery tasks: thin, each calls one service."""

from celery import shared_task

from .services import export_jobs


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> None:
    export_jobs.run_export(job_id=job_id)
