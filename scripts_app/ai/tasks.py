"""Celery tasks for AI (thin: each calls one service).

acks_late: a worker that dies mid-task leaves the message to be redelivered, and the run is idempotent
(it only claims a suggestion that is still queued). A request beyond the series' concurrency limit
waits: the task retries until a slot is free. The soft time limit raises inside the run, which
ends the suggestion as failed with its partial text; the hard limit is the backstop.
"""

from celery import shared_task
from django.conf import settings

from . import generate


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=settings.AI_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.AI_TASK_TIME_LIMIT,
    ignore_result=True,
    max_retries=None,
)
def run_suggestion_task(self, suggestion_id: int) -> None:
    try:
        generate.run_suggestion(suggestion_id=suggestion_id)
    except generate.Busy:
        # The series runs as many requests as its showrunner allows: wait for a free slot.
        raise self.retry(countdown=settings.AI_BUSY_RETRY_SECONDS) from None


@shared_task(ignore_result=True)
def sweep_stale_suggestions() -> int:
    """For a beat schedule: running suggestions whose worker died end as failed (requests sweep too)."""
    return generate.sweep_stale()
