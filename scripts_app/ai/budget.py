"""Limits and cost: how much AI a series may use, checked before any call is made.

The showrunner sets a monthly token budget and how many requests may run at once. A request's cost
is known before it is sent (its prompt is counted, its answer is capped at the level's max tokens),
so a request that could exceed the month's budget is refused up front with a message saying why.
Requests still queued or running count with that worst case until their real usage is known. A
request that must call the model again (one repair of an unusable answer, a retry of an attempt that
had started answering) first reserves that call's worst case too (`reserve_more`), or fails with the
budget's reason without calling; whatever ends a request (done, failed, cancelled, cut by its time
limit), the tokens it really spent are recorded and counted.
A request from the browser beyond the concurrency limit (as many of the series' requests queued or
running as the showrunner allows) is refused before any call, with a message saying so. Only a batch
from `ai_generate` (inside `batch()`) queues beyond it: it makes a suggestion per episode on purpose,
and the worker starts them in turn as slots free up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Project, Suggestion

ACTIVE = (Suggestion.Status.QUEUED, Suggestion.Status.RUNNING)
# Requests beyond the concurrency limit wait in the queue; past this many the series is refused.
MAX_WAITING = 200


# Set inside `batch()`: requests then wait for a free slot instead of being refused at the limit.
_BATCH: ContextVar[bool] = ContextVar("ai_batch", default=False)


class OverLimit(Exception):
    """A request refused before any call; the message is shown to the writer as it is."""


@contextmanager
def batch() -> Iterator[None]:
    """Requests made inside queue beyond the concurrency limit (ai_generate's batches)."""
    token = _BATCH.set(True)
    try:
        yield
    finally:
        _BATCH.reset(token)


def month_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _this_month(project: Project):
    return Suggestion.objects.filter(project=project, sample=False, created_at__gte=month_start())


def tokens_used(*, project: Project) -> int:
    """Tokens in + out this month, with running and queued requests at their reserved worst case."""
    rows = _this_month(project).aggregate(
        done=Sum(F("tokens_in") + F("tokens_out"), filter=~Q(status__in=ACTIVE)),
        reserved=Sum("tokens_reserved", filter=Q(status__in=ACTIVE)),
    )
    return int(rows["done"] or 0) + int(rows["reserved"] or 0)


def check(*, project: Project, reserve: int) -> None:
    """Refuse a request that needs up to `reserve` tokens if it could take the series over its monthly
    budget (or too many of its requests are already waiting)."""
    _check_tokens(project=project, reserve=reserve)
    waiting = Suggestion.objects.filter(project=project, status__in=ACTIVE, sample=False).count()
    limit = max(1, project.ai_concurrency_limit)
    if waiting >= limit and not _BATCH.get():
        raise OverLimit(
            _(
                "This series already has %(n)s AI requests queued or running, its limit at once "
                "(%(limit)s). Wait for one to finish or cancel one; the showrunner can raise the "
                "limit in the AI settings."
            )
            % {"n": waiting, "limit": limit}
        )
    if waiting >= MAX_WAITING:
        raise OverLimit(
            _(
                "%(n)s AI requests are already waiting for this series. "
                "Wait for some to finish or cancel some."
            )
            % {"n": waiting}
        )


def _check_tokens(*, project: Project, reserve: int, more: bool = False) -> None:
    budget = project.ai_monthly_token_budget
    if budget == 0:
        raise OverLimit(
            _(
                "AI is switched off for this series (its monthly token budget is 0). "
                "The showrunner can set a budget in the AI settings."
            )
        )
    used = tokens_used(project=project)
    if used + reserve > budget:
        values = {"need": f"{reserve:,}", "used": f"{used:,}", "budget": f"{budget:,}"}
        if more:
            raise OverLimit(
                _(
                    "Asking the model again needs up to %(need)s more tokens, but this series has used "
                    "%(used)s of its %(budget)s AI tokens this month. The showrunner can raise the "
                    "budget in the AI settings."
                )
                % values
            )
        raise OverLimit(
            _(
                "This request needs up to %(need)s tokens, but this series has used %(used)s of its "
                "%(budget)s AI tokens this month. The showrunner can raise the budget in the AI settings."
            )
            % values
        )


def reserve_more(*, suggestion: Suggestion, need: int) -> None:
    """Before a running request calls the model again (a repair, a retry of an attempt that was
    paid for), raise its reservation to `need`: its real use so far plus that call's worst case.
    Refused with OverLimit, and nothing reserved, when the month's budget can't take the difference;
    the caller then makes no call. A need within the reservation asks nothing of the database."""
    if need <= suggestion.tokens_reserved:
        return
    with transaction.atomic():
        # The same lock as a new request's check: two requests can't both take the last tokens.
        project = Project.objects.select_for_update().get(pk=suggestion.project_id)
        # This request already counts at its reservation while it is queued or running.
        _check_tokens(project=project, reserve=need - suggestion.tokens_reserved, more=True)
        Suggestion.objects.filter(pk=suggestion.pk, status__in=ACTIVE).update(tokens_reserved=need)
    suggestion.tokens_reserved = need


def may_start(*, project: Project) -> bool:
    """Whether another request of the series may start now (the showrunner's concurrency limit)."""
    running = Suggestion.objects.filter(project=project, status=Suggestion.Status.RUNNING).count()
    return running < max(1, project.ai_concurrency_limit)


@dataclass(frozen=True)
class MemberUsage:
    user_id: int | None
    name: str
    requests: int
    tokens: int
    cost: float


@dataclass(frozen=True)
class Usage:
    tokens: int
    budget: int
    cost: float
    requests: int
    members: list[MemberUsage]

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.tokens / self.budget)) if self.budget else 100


def usage(*, project: Project) -> Usage:
    """This month's use by the series and by each member who asked."""
    rows = (
        _this_month(project)
        .values("requested_by", "requested_by__username")
        .annotate(n=Count("id"), tokens=Sum(F("tokens_in") + F("tokens_out")), cost=Sum("cost_estimate"))
        .order_by("-tokens")
    )
    members = [
        MemberUsage(
            r["requested_by"],
            r["requested_by__username"] or "—",
            r["n"],
            int(r["tokens"] or 0),
            float(r["cost"] or 0),
        )
        for r in rows
    ]
    return Usage(
        tokens=tokens_used(project=project),
        budget=project.ai_monthly_token_budget,
        cost=sum(m.cost for m in members),
        requests=sum(m.requests for m in members),
        members=members,
    )
