"""Background jobs (season exports, large imports) that survive a dying worker.

A job row says what the browser shows; a Celery message says which worker runs it. Either can be
lost: the OOM killer takes a worker's child mid-run, a whole worker stops, a message waits in Redis
for its visibility timeout. So:

- a running job's worker touches `heartbeat_at` every few seconds (a thread, so a long PDF render
  without progress callbacks still counts as alive);
- a task claims its job with one conditional UPDATE, so of two deliveries of the same message only
  one runs it; a message Celery hands back after the worker's child died (reject_on_worker_lost)
  takes over the run it started at once;
- the sweeper (`sweep`, run every minute by celery beat) puts a running job whose heartbeat stopped
  back in the queue with a new message, or fails it after JOB_MAX_ATTEMPTS runs, with a message the
  job page shows. A job no worker took for a long time fails with a message too.

A job remembers the language its requester was using (`language`); everything the worker or the
sweeper writes into its message is written in that language (`in_language`).

Messages carry the job's attempt count when they were sent ("generation"), so a stale message that
Redis redelivers later cannot start a second copy of a run that a newer message already restarted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ExportJob, ImportJob

log = logging.getLogger(__name__)

Status = ExportJob.Status  # ImportJob.Status is the same class
JobModel = type[ExportJob] | type[ImportJob]


def requester_language() -> str:
    """The language of the request being served (the one a job's messages will be written in)."""
    return translation.get_language() or settings.LANGUAGE_CODE


def in_language(language: str):
    """A context in which gettext speaks a job's language (the site's default for older jobs)."""
    return translation.override(language or settings.LANGUAGE_CODE)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)


def _stale(now) -> Q:
    """Running, and its worker has not been heard from within the stale limit."""
    cutoff = now - stale_after()
    return Q(status=Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def claim(model: JobModel, job_id: int, *, generation: int | None = None, redelivered: bool = False) -> bool:
    """Mark the job running for this delivery; True only for the one delivery that gets it.

    A queued job is taken by a message of its generation (None: any). A running job is taken over
    when it is stale, or when this is the redelivery of the very message that started the run (its
    worker died: Celery gives it back at once with reject_on_worker_lost)."""
    now = timezone.now()
    queued = Q(status=Status.QUEUED)
    if generation is not None:
        queued &= Q(attempts=generation)
    takeover = _stale(now)
    if redelivered and generation is not None:
        takeover |= Q(status=Status.RUNNING, attempts=generation + 1)
    candidates = model.objects.filter(queued | takeover, pk=job_id)
    if candidates.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS).exists():
        job = candidates.get()
        with in_language(job.language):
            fail(model, job_id, _gave_up_message(model, job.attempts))
        return False
    claimed = candidates.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).update(
        status=Status.RUNNING, progress=5, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
        message="",
    )  # fmt: skip
    return claimed == 1


def set_progress(model: JobModel, job_id: int, pct: int) -> None:
    model.objects.filter(pk=job_id, status=Status.RUNNING).update(progress=pct, heartbeat_at=timezone.now())


def fail(model: JobModel, job_id: int, message: str) -> None:
    model.objects.filter(pk=job_id).exclude(status=Status.DONE).update(
        status=Status.FAILED, message=message[:2000], finished_at=timezone.now()
    )


@contextmanager
def heartbeat(model: JobModel, job_id: int) -> Iterator[None]:
    """Touch the job's heartbeat from a thread while the block runs (it may not call back for a while)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                model.objects.filter(pk=job_id, status=Status.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat only makes the job look stale sooner
            log.exception("heartbeat of %s %s failed", model.__name__, job_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


# ---- the sweeper ---------------------------------------------------------------------------------

# Each job model and the Celery task that runs it, filled in by the services that own them.
_DISPATCHERS: dict[JobModel, Callable[[models.Model], None]] = {}


def register(model: JobModel, dispatch: Callable[[models.Model], None]) -> None:
    _DISPATCHERS[model] = dispatch


def sweep() -> int:
    """Requeue (or fail) running jobs whose worker went quiet, fail jobs no worker took; return how many."""
    now = timezone.now()
    handled = 0
    for model, dispatch in _DISPATCHERS.items():
        for job in model.objects.filter(_stale(now)).only("pk", "attempts", "status", "language"):
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                with in_language(job.language):
                    fail(model, job.pk, _gave_up_message(model, job.attempts))
                handled += 1
                continue
            with in_language(job.language):
                message = _retry_message(job.attempts)
            requeued = model.objects.filter(_stale(now), pk=job.pk).update(
                status=Status.QUEUED, progress=0, message=message
            )
            if requeued:
                job.refresh_from_db(fields=["attempts"])
                dispatch(job)
                handled += 1
        too_long = now - timedelta(seconds=settings.JOB_QUEUED_TOO_LONG_SECONDS)
        waiting = Q(status=Status.QUEUED) & (
            Q(heartbeat_at__isnull=True, created_at__lt=too_long) | Q(heartbeat_at__lt=too_long)
        )
        for pk, language in model.objects.filter(waiting).values_list("pk", "language"):
            with in_language(language):
                fail(model, pk, _("No worker took this job. Is the Celery worker running? Please try again."))
            handled += 1
    return handled


def _retry_message(attempts: int) -> str:
    return _(
        "The worker stopped while running this (it was restarted or ran out of memory); "
        "it is queued again (attempt %(next)d of %(max)d)."
    ) % {"next": attempts + 1, "max": settings.JOB_MAX_ATTEMPTS}


def _gave_up_message(model: JobModel, attempts: int) -> str:
    if model is ImportJob:
        return ngettext(
            "The import stopped %(n)d time without finishing (the worker restarted or ran out of memory). "
            "Nothing was imported; try a smaller file.",
            "The import stopped %(n)d times without finishing (the worker restarted or ran out of memory). "
            "Nothing was imported; try a smaller file.",
            attempts,
        ) % {"n": attempts}
    return ngettext(
        "The export stopped %(n)d time without finishing (the worker restarted or ran out of memory). "
        "Try exporting fewer episodes at a time.",
        "The export stopped %(n)d times without finishing (the worker restarted or ran out of memory). "
        "Try exporting fewer episodes at a time.",
        attempts,
    ) % {"n": attempts}
