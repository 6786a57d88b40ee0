"""Limits and cost: the monthly token budget refuses a request before any call; the concurrency limit
refuses a request beyond it (a batch waits for a free slot instead); usage per series and per member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scripts_app.ai import budget, generate
from scripts_app.models import Suggestion

from .ai_room import room_fixture  # noqa: F401
from .fake_openai import Reply, fake_llm_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def spent(room, user, tokens_in: int, tokens_out: int, **fields) -> Suggestion:
    return Suggestion.objects.create(
        project=room.project,
        kind="beats",
        status="accepted",
        requested_by=user,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_estimate=0.01,
        **fields,
    )


def test_it_refuses_a_request_over_budget_before_any_call(room, fake_llm) -> None:
    room.project.ai_monthly_token_budget = 5_000
    room.project.save()
    spent(room, room.writer, 3_000, 1_000)
    with pytest.raises(budget.OverLimit) as caught:
        generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    assert "used 4,000 of its 5,000 AI tokens this month" in str(caught.value)
    assert "raise the budget" in str(caught.value)
    assert fake_llm.requests == []
    assert Suggestion.objects.filter(status="queued").count() == 0


def test_a_budget_of_zero_switches_ai_off_for_the_series(room, fake_llm) -> None:
    room.project.ai_monthly_token_budget = 0
    room.project.save()
    with pytest.raises(budget.OverLimit, match="switched off"):
        generate.request_bible(project=room.project, user=room.writer, queue=False)


def test_waiting_requests_count_at_their_worst_case_until_they_are_done(room, fake_llm, settings) -> None:
    settings.LLM_MAX_OUTPUT_TOKENS = 1_000
    first = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    assert first.tokens_reserved > 1_000
    room.project.ai_monthly_token_budget = first.tokens_reserved + 500
    room.project.save()
    with pytest.raises(budget.OverLimit):
        generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    fake_llm.script(Reply(text='{"beats": [{"text": "一"}]}', usage=(300, 20)))
    generate.run_suggestion(suggestion_id=first.pk)
    assert budget.tokens_used(project=room.project) == 320  # the real use replaces the reservation
    generate.request_beats(episode=room.episode, user=room.writer, queue=False)


def test_usage_is_counted_per_series_and_per_member_for_this_month_only(room) -> None:
    spent(room, room.writer, 100, 50)
    spent(room, room.writer, 10, 5)
    spent(room, room.showrunner, 1_000, 0)
    old = spent(room, room.writer, 99_999, 0)
    Suggestion.objects.filter(pk=old.pk).update(created_at=budget.month_start() - timedelta(days=3))
    Suggestion.objects.create(
        project=room.project, kind="beats", status="pending", sample=True, tokens_in=777
    )
    usage = budget.usage(project=room.project)
    assert usage.tokens == 1_165 and usage.requests == 3
    assert [(m.name, m.requests, m.tokens) for m in usage.members] == [
        (room.showrunner.username, 1, 1_000),
        (room.writer.username, 2, 165),
    ]


def test_a_request_over_the_concurrency_limit_is_refused_before_any_call(room, fake_llm) -> None:
    room.project.ai_concurrency_limit = 1
    room.project.save()
    first = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    with pytest.raises(budget.OverLimit, match="limit"):
        generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    assert Suggestion.objects.filter(project=room.project).count() == 1 and fake_llm.requests == []
    Suggestion.objects.filter(pk=first.pk).update(status="pending")  # done: the slot is free again
    assert generate.request_beats(episode=room.episode, user=room.writer, queue=False).status == "queued"


def test_a_batch_queues_beyond_the_concurrency_limit_and_waits_for_a_free_slot(room, fake_llm) -> None:
    room.project.ai_concurrency_limit = 1
    room.project.save()
    results = generate.request_batch(project=room.project, user=room.writer, level="beats", queue=False)
    assert [error for _what, _s, error in results] == ["", "", ""]  # three episodes, none refused
    first, second = results[0][1], results[1][1]
    Suggestion.objects.filter(pk=first.pk).update(status="running", heartbeat_at=timezone.now())
    with pytest.raises(generate.Busy):
        generate.run_suggestion(suggestion_id=second.pk)
    assert Suggestion.objects.get(pk=second.pk).status == "queued" and fake_llm.requests == []
    Suggestion.objects.filter(pk=first.pk).update(status="pending")
    fake_llm.script('{"beats": [{"text": "一"}]}')
    assert generate.run_suggestion(suggestion_id=second.pk).status == "pending"


def test_a_repair_the_budget_can_t_take_fails_with_the_budget_s_reason_without_a_second_call(
    room, fake_llm
) -> None:
    suggestion = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    # The month fits this request's one call, and little more.
    room.project.ai_monthly_token_budget = suggestion.tokens_reserved + 50
    room.project.save()
    fake_llm.script(Reply(text="{beats: oops", usage=(100, 10)), Reply(text='{"beats": [{"text": "好"}]}'))
    generate.run_suggestion(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.status == "failed"
    assert "not repaired" in suggestion.error and "more tokens" in suggestion.error
    assert "raise the budget" in suggestion.error
    assert len(fake_llm.requests) == 1 and fake_llm.pending == 1  # the repair was never sent
    assert suggestion.text == "{beats: oops"  # the unusable answer is kept, as failed
    assert (suggestion.tokens_in, suggestion.tokens_out) == (100, 10)
    assert budget.tokens_used(project=room.project) == 110
    assert room.episode.beats.filter(origin="ai").count() == 0


def test_a_repair_within_the_budget_reserves_its_own_worst_case_and_both_calls_count(room, fake_llm) -> None:
    suggestion = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    first_reservation = suggestion.tokens_reserved
    fake_llm.script(
        Reply(text="{beats: oops", usage=(100, 10)),
        Reply(text='{"beats": [{"text": "好"}]}', usage=(130, 12)),
    )
    generate.run_suggestion(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.status == "pending", suggestion.error
    assert len(fake_llm.requests) == 2
    # The repair's prompt (the first prompt, the bad answer, the note) and cap were reserved on top.
    assert suggestion.tokens_reserved > first_reservation + 100
    assert budget.tokens_used(project=room.project) == 100 + 10 + 130 + 12


def test_a_retry_after_a_paid_cut_stream_the_budget_can_t_take_is_not_sent(room, fake_llm) -> None:
    suggestion = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    room.project.ai_monthly_token_budget = suggestion.tokens_reserved + 50
    room.project.save()
    # The stream opens and closes before its first token: the prompt was sent and is paid for.
    fake_llm.script(Reply(text='{"beats": []}', cut_after=0), Reply(text='{"beats": [{"text": "好"}]}'))
    generate.run_suggestion(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.status == "failed"
    assert "cut off midway" in suggestion.error and "not tried again" in suggestion.error
    assert "more tokens" in suggestion.error
    assert len(fake_llm.requests) == 1
    assert suggestion.tokens_in > 0 and budget.tokens_used(project=room.project) == suggestion.tokens_in


def test_a_retry_after_a_paid_cut_stream_within_the_budget_counts_both_attempts(room, fake_llm) -> None:
    suggestion = generate.request_beats(episode=room.episode, user=room.writer, queue=False)
    fake_llm.script(
        Reply(text='{"beats": []}', cut_after=0), Reply(text='{"beats": [{"text": "好"}]}', usage=(300, 9))
    )
    generate.run_suggestion(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.status == "pending", suggestion.error
    assert len(fake_llm.requests) == 2
    assert suggestion.tokens_in > 300 and suggestion.tokens_out == 9  # the cut attempt's prompt too
    assert budget.tokens_used(project=room.project) == suggestion.tokens_in + 9
