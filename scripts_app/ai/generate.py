"""AI generation: one request service per level, and the run that turns a queued Suggestion into a
proposal for people to review.

A request is decided in the web process, before any call: the endpoint is configured, the prompt is
built and counted, the series' budget and concurrency limit allow it. The Suggestion then holds
everything the run needs (the messages, the answer's cap), so a worker, `ai_generate --sync` and a
redelivered task all do the same thing, and only once: a run claims its suggestion from "queued".

While it runs, the proposal streams to the series' pages (`ai.progress` every ~150 ms) and a
heartbeat thread keeps `heartbeat_at` fresh and notices a cancel; a suggestion whose worker died
stops looking "running" when `sweep_stale` finds its heartbeat old.

Levels: bible (from the logline), episodes (the episode list), beats (proposed Beat rows, origin AI),
draft (a scene, a new scene or a whole episode, from accepted beats), rewrite (a scene or a selection,
with an instruction), alternatives (three options for a hook, cliffhanger or line).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..collab import broadcast, documents, episode_text
from ..collab.live_pages import announce
from ..formats import fountain, zh
from ..models import Beat, Episode, Project, Scene, Suggestion
from . import budget, client, context, review, schemas
from .client import Cancelled, ModelError, NotConfigured

log = logging.getLogger(__name__)

Kind = Suggestion.Kind
Status = Suggestion.Status


class RequestError(ValueError):
    """A request that can't be made as asked; the message is shown to the writer."""


def _cap(level: str) -> int:
    """The most tokens the answer of a level may take (and the budget reserves for it)."""
    full = settings.LLM_MAX_OUTPUT_TOKENS
    return {"beats": min(full, 1500), "rewrite": min(full, 2500), "alternatives": min(full, 800)}.get(
        level, full
    )


# Rewrite presets: the label people pick, and the note the model gets.
REWRITE_PRESETS = {
    "harsher": (
        gettext_lazy("Harsher (更狠一点)"),
        "更狠一点：sharper conflict, harder lines, higher stakes.",
    ),
    "shorter": (gettext_lazy("Cut to about 45 seconds"), "Cut it to about 45 seconds of screen time."),
    "subtext": (gettext_lazy("More subtext"), "More subtext: say less, imply more."),
    "hook": (gettext_lazy("Stronger opening hook"), "Make the first three seconds grip harder."),
    "spoken": (gettext_lazy("More natural dialogue"), "Make the dialogue sound spoken, not written."),
}
MAX_INSTRUCTION = 500
# A queued request no worker started in this long is given up (requests wait for a free slot, so a
# long batch can legitimately queue for a while).
QUEUED_TOO_LONG = timedelta(hours=3)


# ---- Requests ------------------------------------------------------------------------------------


def _create(
    *,
    project: Project,
    user,
    kind: str,
    prompt: context.Prompt,
    level: str,
    episode: Episode | None = None,
    scene: Scene | None = None,
    base_text: str = "",
    extra: dict | None = None,
    queue: bool = True,
) -> Suggestion:
    endpoint = client.endpoint_for(project=project)
    max_tokens = _cap(level)
    reserve = prompt.tokens + max_tokens
    sweep_stale(project=project)  # a dead worker's "running" suggestion must not hold tokens or a slot
    with transaction.atomic():
        # One decision at a time per series: two requests can't both take the last tokens.
        project = Project.objects.select_for_update().get(pk=project.pk)
        budget.check(project=project, reserve=reserve)
        suggestion = Suggestion.objects.create(
            project=project,
            kind=kind,
            episode=episode,
            scene=scene,
            base_text=base_text,
            request={"level": level, "messages": prompt.messages, "max_tokens": max_tokens, **(extra or {})},
            endpoint=endpoint.name,
            model=endpoint.model,
            prompt_version=prompt.version,
            dropped_context=prompt.dropped,
            tokens_reserved=reserve,
            requested_by=user,
            task_id=str(uuid.uuid4()) if queue else "",
        )
        if queue:
            transaction.on_commit(lambda: _enqueue(suggestion))
        _announce(suggestion)
    return suggestion


def _enqueue(suggestion: Suggestion) -> None:
    from .tasks import run_suggestion_task  # the task module imports this one

    try:
        run_suggestion_task.apply_async(args=[suggestion.pk], task_id=suggestion.task_id)
    except Exception:  # the broker is down: say so rather than leave it queued for ever
        log.exception("could not queue suggestion %s", suggestion.pk)
        _fail(
            suggestion.pk, _("The task queue is unreachable, so no worker got this request. Try again later.")
        )


def request_bible(*, project: Project, user, queue: bool = True) -> Suggestion:
    """a. The logline (and genre, audience, episode count, paywall setting) -> a bible proposal."""
    if not project.logline.strip():
        raise RequestError(_("Write a logline first: the bible is proposed from it."))
    material = context.Material(project=project, focus=project.logline)
    material.add_series()
    material.add_bible(everyone_matters=True)
    prompt = context.build(level="bible", material=material, values={})
    return _create(
        project=project,
        user=user,
        kind=Kind.BIBLE,
        level="bible",
        prompt=prompt,
        extra={"schema": "bible"},
        queue=queue,
    )


def request_episode_list(
    *, project: Project, user, first: int = 1, last: int | None = None, queue: bool = True
) -> Suggestion:
    """b. The bible -> episode titles, summaries, hooks, cliffhangers and paywall episodes."""
    last = last or min(max(project.target_episode_count, first), first + 19)
    if not (1 <= first <= last <= 500) or last - first >= 60:
        raise RequestError(_("Ask for at most 60 episodes at a time, numbered 1 to 500."))
    material = context.Material(project=project, focus=f"{project.logline}\n{project.synopsis}")
    material.add_series()
    material.add_bible(everyone_matters=True)
    material.add_earlier(None)
    if project.paywall_episodes:
        paywall = (
            "The paywall episodes are fixed at "
            + ", ".join(str(n) for n in project.paywall_episodes)
            + ': mark exactly those with "paywall": true and end each on a reveal or a moment of '
            + "maximum tension."
        )
    else:
        paywall = (
            'Mark with "paywall": true the one episode between 8 and 16 (if in range) that ends on the '
            "biggest reveal, and later ones at similar turns."
        )
    prompt = context.build(
        level="episodes", material=material, values={"first": first, "last": last, "paywall_task": paywall}
    )
    return _create(
        project=project,
        user=user,
        kind=Kind.EPISODES,
        level="episodes",
        prompt=prompt,
        extra={"schema": "episodes", "first": first, "last": last},
        queue=queue,
    )


# How much an episode's accepted beats matter to a prompt that is not about them (a rewrite, three
# alternatives): after the characters involved, before the far past and the scenes around it.
BEATS_RELEVANCE = 75


def _episode_material(
    episode: Episode, *, focus: str = "", beats_relevance: float = BEATS_RELEVANCE
) -> context.Material:
    """What every prompt about an episode carries: the series, the bible anchors of who and what is
    involved, earlier episodes' summaries, this episode and its accepted beats."""
    project = episode.project
    beats = context.accepted_beats(episode)
    text = "\n".join([episode.summary, episode.hook, episode.cliffhanger, focus, *(b.text for b in beats)])
    material = context.Material(project=project, focus=text)
    material.add_series()
    material.add_bible()
    material.add_earlier(episode.number)
    material.add(context.episode_part(episode))
    if beats:
        material.add(context.beats_part(beats, relevance=beats_relevance))
    return material


def request_beats(*, episode: Episode, user, queue: bool = True) -> Suggestion:
    """c. One episode -> its beats, proposed Beat rows of origin AI once the answer is in."""
    material = _episode_material(episode, beats_relevance=context.REQUIRED)
    prompt = context.build(level="beats", material=material, values={"number": episode.number})
    return _create(
        project=episode.project,
        user=user,
        kind=Kind.BEATS,
        level="beats",
        prompt=prompt,
        episode=episode,
        extra={"schema": "beats"},
        queue=queue,
    )


def request_draft(
    *, episode: Episode, user, scene: Scene | None = None, new_scene: bool = False, queue: bool = True
) -> Suggestion:
    """d. Accepted beats -> a scene (redrafted or new) or the whole episode, in the series' format."""
    beats = context.accepted_beats(episode)
    if not beats:
        raise RequestError(_("Accept some beats first: a draft follows the episode's accepted beats."))
    documents.ensure_rows_current(episode=episode)
    project = episode.project
    seconds = project.target_episode_seconds
    live = [s for s in episode.scenes.all() if not s.omitted]
    if scene is not None:
        scene = Scene.objects.get(pk=scene.pk)
        scope, base_text = "scene", scene.text
        task = (
            "Redraft the scene shown under SCENE as a full scene with the same heading line, covering the "
            "beats that belong to it."
        )
        seconds = max(15, seconds // max(1, len(live)))
    elif new_scene:
        scope, base_text = "new_scene", documents.episode_text_now(episode=episode)
        number = f"{episode.number}-{len(live) + 1}" if project.script_format == "zh" else str(len(live) + 1)
        task = (
            f"Draft the next scene of episode {episode.number} (scene {number}), continuing from the scene "
            "before, covering the next accepted beat(s) the script has not covered yet."
        )
        seconds = max(15, seconds // max(1, len(live) + 1))
    else:
        scope, base_text = "episode", documents.episode_text_now(episode=episode)
        task = (
            f"Draft the whole of episode {episode.number}, scene by scene (number the scenes "
            f"{episode.number}-1, {episode.number}-2… in the Chinese format)."
        )
    material = _episode_material(episode, focus=base_text, beats_relevance=context.REQUIRED)
    if scope == "scene":
        material.add(context.Part("scene", "the scene", scene.text, context.REQUIRED))
        for part in context.scene_neighbours(scene):
            material.add(part)
    elif scope == "new_scene" and live:
        material.add(context.Part("nearby", "scene before", f"(scene before)\n{live[-1].text}", 40))
    prompt = context.build(level="draft", material=material, values={"task": task, "seconds": seconds})
    return _create(
        project=project,
        user=user,
        kind=Kind.DRAFT,
        level="draft",
        prompt=prompt,
        episode=episode,
        scene=scene,
        base_text=base_text,
        extra={"scope": scope},
        queue=queue,
    )


def instruction_for(*, preset: str = "", text: str = "") -> str:
    """The note the model gets: a preset's, a writer's own words, or both."""
    parts = []
    if preset:
        if preset not in REWRITE_PRESETS:
            raise RequestError(_("Unknown rewrite preset."))
        parts.append(REWRITE_PRESETS[preset][1])
    if text.strip():
        parts.append(text.strip())
    instruction = " ".join(parts)
    if not instruction:
        raise RequestError(_("Say how to rewrite it: pick a preset or write a note."))
    if len(instruction) > MAX_INSTRUCTION:
        raise RequestError(_("The note is too long (at most %(n)s characters).") % {"n": MAX_INSTRUCTION})
    return instruction


def _selection(text: str, selection: tuple[int, int] | None, selected: str | None) -> tuple[int, int] | None:
    if selection is None:
        return None
    start, end = selection
    if selected is not None and text[start:end] != selected:
        # Browsers count offsets in UTF-16 units and may drop a leading newline: trust the selected
        # text when it occurs exactly once.
        found = text.find(selected) if selected else -1
        if found < 0 or text.find(selected, found + 1) >= 0:
            raise RequestError(_("The scene changed under the selection; select again."))
        start, end = found, found + len(selected)
    if not (0 <= start < end <= len(text)):
        raise RequestError(_("The selection is outside the scene's text; select again."))
    return start, end


def request_rewrite(
    *,
    scene: Scene,
    user,
    instruction: str,
    selection: tuple[int, int] | None = None,
    selected_text: str | None = None,
    queue: bool = True,
) -> Suggestion:
    """e. A scene, or a selection in it, rewritten following a writer's note."""
    episode = Episode.objects.select_related("project").get(pk=scene.episode_id)
    documents.ensure_rows_current(episode=episode)
    scene = Scene.objects.get(pk=scene.pk)
    if not scene.text.strip():
        raise RequestError(_("The scene is empty: draft it first."))
    span = _selection(scene.text, selection, selected_text)
    passage = scene.text[span[0] : span[1]] if span else scene.text
    material = _episode_material(episode, focus=f"{scene.text}\n{instruction}")
    for part in context.scene_neighbours(scene):
        material.add(part)
    prompt = context.build(
        level="rewrite", material=material, values={"passage": passage, "instruction": instruction}
    )
    return _create(
        project=episode.project,
        user=user,
        kind=Kind.REWRITE,
        level="rewrite",
        prompt=prompt,
        episode=episode,
        scene=scene,
        base_text=scene.text,
        extra={"instruction": instruction, "selection": list(span) if span else None},
        queue=queue,
    )


ALTERNATIVE_FIELDS = {"hook": "opening hook", "cliffhanger": "cliffhanger"}


def request_alternatives(
    *,
    user,
    episode: Episode | None = None,
    field: str = "",
    scene: Scene | None = None,
    selection: tuple[int, int] | None = None,
    selected_text: str | None = None,
    queue: bool = True,
) -> Suggestion:
    """f. Three options for an episode's hook or cliffhanger, or for a selected line of a scene."""
    if scene is not None:
        episode = Episode.objects.select_related("project").get(pk=scene.episode_id)
        documents.ensure_rows_current(episode=episode)
        scene = Scene.objects.get(pk=scene.pk)
        span = _selection(scene.text, selection, selected_text)
        if span is None:
            raise RequestError(_("Select the line to vary."))
        passage, what, base_text = scene.text[span[0] : span[1]], "line", scene.text
        extra = {"schema": "alternatives", "target": "line", "selection": list(span)}
    elif episode is not None and field in ALTERNATIVE_FIELDS:
        passage, what = getattr(episode, field), ALTERNATIVE_FIELDS[field]
        base_text = passage
        extra = {"schema": "alternatives", "target": field}
    else:
        raise RequestError(_("Pick a hook, a cliffhanger or a line to vary."))
    material = _episode_material(episode, focus=passage)
    if scene is not None:
        material.add(context.Part("scene", "the scene", scene.text, context.REQUIRED))
    note = "" if passage.strip() else f"There is no {what} yet: propose three."
    prompt = context.build(
        level="alternatives",
        material=material,
        values={"what": what, "passage": passage or "(none yet)", "note": note},
    )
    return _create(
        project=episode.project,
        user=user,
        kind=Kind.ALTERNATIVES,
        level="alternatives",
        prompt=prompt,
        episode=episode,
        scene=scene,
        base_text=base_text,
        extra=extra,
        queue=queue,
    )


# ---- Cancelling, failing, sweeping ---------------------------------------------------------------


def cancel(*, suggestion: Suggestion, user) -> bool:
    """Stop a queued or running request; the worker's heartbeat sees it and closes the connection."""
    now = timezone.now()
    done = Suggestion.objects.filter(pk=suggestion.pk, status__in=budget.ACTIVE).update(
        status=Status.CANCELLED, finished_at=now, decided_by=user, decided_at=now
    )
    if done:
        suggestion.refresh_from_db()
        _announce(suggestion)
        _send_progress(suggestion, text=suggestion.text)
    return bool(done)


def _fail(suggestion_id: int, reason: str, **fields) -> bool:
    now = timezone.now()
    done = Suggestion.objects.filter(pk=suggestion_id, status__in=budget.ACTIVE).update(
        status=Status.FAILED, error=reason[:2000], finished_at=now, **fields
    )
    if done:
        suggestion = Suggestion.objects.select_related("project", "episode").get(pk=suggestion_id)
        _announce(suggestion)
        _send_progress(suggestion, text=suggestion.text)
    return bool(done)


def fail(*, suggestion_id: int, reason: str) -> bool:
    return _fail(suggestion_id, reason)


def sweep_stale(*, project: Project | None = None) -> int:
    """Running suggestions whose worker stopped beating, and queued ones no worker took, end as failed."""
    now = timezone.now()
    running = Suggestion.objects.filter(
        status=Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=settings.AI_STALE_AFTER_SECONDS)
    )
    queued = Suggestion.objects.filter(status=Status.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    if project is not None:
        running, queued = running.filter(project=project), queued.filter(project=project)
    count = 0
    for pk in running.values_list("pk", flat=True):
        count += _fail(
            pk,
            _(
                "The worker stopped while writing this proposal (it was restarted or killed). "
                "The partial text is kept; ask again."
            ),
        )
    for pk in queued.values_list("pk", flat=True):
        count += _fail(pk, _("No worker took this request for hours. Is the Celery worker running?"))
    return count


# ---- Running -------------------------------------------------------------------------------------


def _announce(suggestion: Suggestion) -> None:
    episode = suggestion.episode.number if suggestion.episode_id and suggestion.episode else None
    announce(project_id=suggestion.project_id, topics=["suggestions"], episode=episode)


def _send_progress(suggestion: Suggestion, *, text: str, tokens: int | None = None) -> None:
    started = suggestion.started_at or suggestion.created_at
    end = suggestion.finished_at or timezone.now()
    message = {
        "type": "ai.progress",
        "suggestion": suggestion.pk,
        "slug": suggestion.project.slug,
        "status": suggestion.status,
        "kind": suggestion.kind,
        "episode": suggestion.episode.number if suggestion.episode_id and suggestion.episode else None,
        "scene": suggestion.scene_id,
        "text": text,
        "tokens": tokens if tokens is not None else suggestion.tokens_out or context.count_tokens(text),
        "elapsed_ms": int((end - started).total_seconds() * 1000) if started else 0,
    }
    try:
        broadcast.send_now(broadcast.project_group(suggestion.project_id), message)
    except Exception:  # live progress is a courtesy; the run goes on without it
        log.exception("could not send progress of suggestion %s", suggestion.pk)


class _Heartbeat(threading.Thread):
    """Keeps `heartbeat_at` fresh while the run lasts, and notices when the suggestion stops being
    "running" (cancelled, or swept): `stop` is then set, and the model client closes its request."""

    def __init__(self, suggestion_id: int) -> None:
        super().__init__(name=f"ai-heartbeat-{suggestion_id}", daemon=True)
        self.suggestion_id = suggestion_id
        self.stop = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        last_beat = time.monotonic()
        try:
            while not self.done.wait(0.5):
                rows = Suggestion.objects.filter(pk=self.suggestion_id).values_list("status", flat=True)
                status = next(iter(rows), None)
                # None: the row is not visible to this thread (a test's open transaction); keep going.
                if status is not None and status != Status.RUNNING:
                    self.stop.set()
                    return
                if time.monotonic() - last_beat >= settings.AI_HEARTBEAT_SECONDS:
                    Suggestion.objects.filter(pk=self.suggestion_id, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                    last_beat = time.monotonic()
        except Exception:
            log.exception("heartbeat of suggestion %s failed", self.suggestion_id)
        finally:
            connection.close()  # this thread's own database connection


class _Progress:
    """The text so far, sent to the room every AI_PROGRESS_INTERVAL and saved with each heartbeat (a
    killed worker's partial text survives)."""

    def __init__(self, suggestion: Suggestion) -> None:
        self.suggestion = suggestion
        self.text = ""
        self.last_sent = 0.0
        self.last_saved = time.monotonic()

    def __call__(self, text: str) -> None:
        self.text = text
        now = time.monotonic()
        if now - self.last_sent >= settings.AI_PROGRESS_INTERVAL:
            self.last_sent = now
            _send_progress(self.suggestion, text=text, tokens=context.count_tokens(text))
        if now - self.last_saved >= settings.AI_HEARTBEAT_SECONDS:
            self.last_saved = now
            Suggestion.objects.filter(pk=self.suggestion.pk, status=Status.RUNNING).update(
                text=text, heartbeat_at=timezone.now()
            )


class Busy(Exception):
    """The series already runs as many requests as its showrunner allows; try again shortly."""


def _claim(suggestion_id: int) -> bool:
    """Queued -> running, for one run only (a redelivered task finds it taken), within the series'
    concurrency limit (Busy: wait for a free slot)."""
    with transaction.atomic():
        row = Suggestion.objects.filter(pk=suggestion_id, status=Status.QUEUED).values("project_id").first()
        if row is None:
            return False
        project = Project.objects.select_for_update().get(pk=row["project_id"])
        if not budget.may_start(project=project):
            raise Busy()
        now = timezone.now()
        return bool(
            Suggestion.objects.filter(pk=suggestion_id, status=Status.QUEUED).update(
                status=Status.RUNNING, started_at=now, heartbeat_at=now, error=""
            )
        )


def run_suggestion(*, suggestion_id: int) -> Suggestion | None:
    """Fill a queued suggestion with the model's proposal; None if it was not queued (idempotent).

    Raises Busy when the series is at its concurrency limit: the caller retries later."""
    if not _claim(suggestion_id):
        return None
    suggestion = Suggestion.objects.select_related("project", "episode", "scene").get(pk=suggestion_id)
    # The card turns "running" through its own progress message: no list re-render for every page
    # just before the first token, when the room is waiting for it.
    _send_progress(suggestion, text="")
    heartbeat = _Heartbeat(suggestion.pk)
    heartbeat.start()
    progress = _Progress(suggestion)
    spent = client.Spent()  # tokens in and out over every call and attempt, however each ended
    try:
        endpoint = _endpoint_of(suggestion)
        text, parsed = _ask(suggestion, endpoint, progress, heartbeat.stop, spent)
        _finish(suggestion, endpoint, text=text, parsed=parsed, spent=spent)
    except Cancelled as exc:
        # Cancelled by a person (the row already says so): what the model sent until then is paid.
        Suggestion.objects.filter(pk=suggestion.pk).update(
            text=exc.partial or progress.text, **_usage_fields(suggestion, spent)
        )
    except (ModelError, NotConfigured, schemas.BadAnswer, budget.OverLimit) as exc:
        partial = getattr(exc, "partial", "") or progress.text
        _fail(suggestion.pk, str(exc), text=partial, **_usage_fields(suggestion, spent))
    except SoftTimeLimitExceeded:
        _fail(
            suggestion.pk,
            _("The request took longer than %(s)s seconds and was stopped.")
            % {"s": settings.AI_TASK_SOFT_TIME_LIMIT},
            text=progress.text,
            **_usage_fields(suggestion, spent),
        )
    except Exception:
        log.exception("suggestion %s failed", suggestion.pk)
        _fail(
            suggestion.pk,
            _("An unexpected error stopped this request (see the server log)."),
            text=progress.text,
            **_usage_fields(suggestion, spent),
        )
    finally:
        heartbeat.done.set()
        heartbeat.join(timeout=2)
    suggestion.refresh_from_db()
    return suggestion


def _endpoint_of(suggestion: Suggestion) -> client.Endpoint:
    endpoint = client.configured_endpoints().get(suggestion.endpoint)
    if endpoint is None:
        raise NotConfigured(
            _("The AI endpoint “%(name)s” is no longer configured on this server.")
            % {"name": suggestion.endpoint}
        )
    return client.Endpoint(**{**endpoint.__dict__, "model": suggestion.model})


def _usage_fields(suggestion: Suggestion, spent: client.Spent) -> dict:
    endpoint = client.configured_endpoints().get(suggestion.endpoint)
    tokens_in, tokens_out = spent.tokens_in, spent.tokens_out
    cost = (
        client.estimate_cost(endpoint=endpoint, tokens_in=tokens_in, tokens_out=tokens_out) if endpoint else 0
    )
    return {"tokens_in": tokens_in, "tokens_out": tokens_out, "cost_estimate": round(cost, 4)}


def _reserve_call(
    suggestion: Suggestion, spent: client.Spent, messages: list[dict], *, why: str = ""
) -> None:
    """Before calling the model again: reserve what is spent so far plus this call's worst case
    (its prompt and the level's answer cap), or raise budget.OverLimit and make no call."""
    prompt = sum(context.count_tokens(str(m.get("content", ""))) for m in messages)
    try:
        budget.reserve_more(
            suggestion=suggestion, need=spent.total + prompt + suggestion.request["max_tokens"]
        )
    except budget.OverLimit as over:
        if not why:
            raise
        raise budget.OverLimit(f"{why} {over}") from over


def _retry_reserve(suggestion: Suggestion, messages: list[dict], spent: client.Spent, error) -> None:
    why = _("%(why)s It was not tried again:") % {"why": error}
    _reserve_call(suggestion, spent, messages, why=why)


def _ask(suggestion, endpoint, progress, stop: threading.Event, spent: client.Spent):
    """The answer's text and, for structured levels, its validated content; one repair if unusable.

    The request's reservation covers one call; a retry of an attempt that was paid for, or the
    repair, reserves its own worst case first, or fails with the budget's reason, uncalled."""
    request = suggestion.request
    kind = request.get("schema")
    messages = list(request["messages"])
    fmt = None
    if kind:
        fmt = client.response_format(
            endpoint=endpoint, name=kind, schema=schemas.strict_schema(schemas.SCHEMAS[kind])
        )
    for attempt in (1, 2):
        answer = client.complete(
            endpoint=endpoint,
            messages=messages,
            max_tokens=request["max_tokens"],
            response_format=fmt,
            on_text=progress,
            should_stop=stop.is_set,
            spent=spent,
            before_retry=partial(_retry_reserve, suggestion, messages),
        )
        try:
            if kind:
                parsed = schemas.parse(kind, answer.text)
                _check_content(suggestion, parsed)
                return answer.text, parsed
            text = schemas.strip_fences(answer.text).strip("\n")
            if not text.strip():
                raise schemas.BadAnswer("The answer was empty.", code="empty")
            return text, None
        except schemas.BadAnswer as bad:
            if attempt == 2:
                raise ModelError(
                    _("The model's answer was not usable, even after one repair: %(why)s") % {"why": bad},
                    code=bad.code,
                    partial=answer.text,
                ) from bad
            # One bounded repair: show the model its answer and what is wrong with it.
            messages = [
                *request["messages"],
                {"role": "assistant", "content": answer.text[:8000] or "(empty)"},
                {
                    "role": "user",
                    "content": f"{bad} Answer again with the complete answer only"
                    + (", as one JSON object of the shape the system message gives." if kind else "."),
                },
            ]
            why = _("The model's answer was not usable (%(why)s) and was not repaired:") % {"why": bad}
            _reserve_call(suggestion, spent, messages, why=why)
            log.info("suggestion %s: repairing a %s answer", suggestion.pk, bad.code)
    raise AssertionError("unreachable")


def _check_content(suggestion: Suggestion, parsed) -> None:
    """Level-specific checks a schema can't express."""
    if suggestion.request.get("schema") == "episodes":
        first, last = suggestion.request["first"], suggestion.request["last"]
        if not any(first <= e.number <= last for e in parsed.episodes):
            raise schemas.BadAnswer(f"The episodes must be numbered {first} to {last}.", code="wrong_shape")


def _finish(
    suggestion: Suggestion, endpoint: client.Endpoint, *, text: str, parsed, spent: list[int]
) -> None:
    fields = _usage_fields(suggestion, spent)
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if locked.status != Status.RUNNING:  # cancelled (or swept) meanwhile: keep what it says
            Suggestion.objects.filter(pk=locked.pk).update(text=text, **fields)
            return
        locked.text, locked.content = _proposal(locked, text, parsed)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.status = Status.PENDING
        locked.finished_at = timezone.now()
        locked.save()
    suggestion.refresh_from_db()
    _announce(suggestion)
    _send_progress(suggestion, text=suggestion.text)


def _proposal(suggestion: Suggestion, text: str, parsed) -> tuple[str, dict]:
    """(text, content) of a finished proposal: full target text for text levels, items for the rest."""
    kind = suggestion.kind
    if kind == Kind.DRAFT:
        scope = suggestion.request.get("scope")
        if scope == "new_scene":
            base = suggestion.base_text.rstrip()
            return (base + "\n\n" if base else "") + _with_heading(suggestion, text.strip()) + "\n", {}
        if scope == "episode":
            return _with_heading(suggestion, text.strip()) + "\n", {}
        return text.strip() + "\n", {}
    if kind == Kind.REWRITE:
        return _with_selection(suggestion, text), {}
    if kind == Kind.BIBLE:
        return text, {"items": review.bible_items(project=suggestion.project, proposal=parsed)}
    if kind == Kind.EPISODES:
        first, last = suggestion.request["first"], suggestion.request["last"]
        episodes = [e for e in parsed.episodes if first <= e.number <= last]
        return text, {"items": review.episode_items(project=suggestion.project, episodes=episodes)}
    if kind == Kind.BEATS:
        return text, {"items": _proposed_beats(suggestion, parsed)}
    if kind == Kind.ALTERNATIVES:
        return text, {
            "items": [{"kind": "option", "value": o.strip(), "decision": None} for o in parsed.options[:3]]
        }
    raise ValueError(kind)


# The heading a new scene or a whole episode's draft gets when the model wrote none: the location is a
# placeholder for the writer to fix (in the zh format, "2-3 日 内 地点待定").
ZH_HEADING = "{episode}-{n} 日 内 地点待定"
FOUNTAIN_HEADING = "INT. LOCATION - DAY"


def _starts_with_heading(text: str, fmt: str) -> bool:
    """Whether a draft's first line (after a 第N集 title line, in the zh format) is a scene heading."""
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if fmt == "fountain":
            return fountain.scene_heading(s, prev_blank=True) is not None
        if zh.episode_number(s) is not None:
            continue
        return zh.scene_heading(s) is not None
    return False


def _with_heading(suggestion: Suggestion, text: str) -> str:
    """A new scene's or a whole episode's draft, starting with a scene heading in the series' format.

    Without one, a new scene's text would join the scene before it, and an episode's first lines
    would be a scene with no heading; so a heading line is put first, numbered as the scene's place."""
    fmt = suggestion.project.script_format
    if not text or _starts_with_heading(text, fmt):
        return text
    if fmt == "fountain":
        return f"{FOUNTAIN_HEADING}\n\n{text}"
    n = 1
    if suggestion.request.get("scope") == "new_scene":
        n = len(episode_text.split(suggestion.base_text, fmt)) + 1
    return ZH_HEADING.format(episode=suggestion.episode.number, n=n) + "\n" + text


def _with_selection(suggestion: Suggestion, replacement: str) -> str:
    base = suggestion.base_text
    span = suggestion.request.get("selection")
    if not span:
        return replacement.strip("\n") + "\n"
    start, end = span
    # Keep the selection's own line ends: the model often drops or adds one.
    selected = base[start:end]
    tail = selected[len(selected.rstrip("\n")) :]
    return base[:start] + replacement.strip("\n") + tail + base[end:]


def _proposed_beats(suggestion: Suggestion, parsed) -> list[dict]:
    """Beats go in as proposed rows after the episode's others; they count once a person accepts them."""
    episode = suggestion.episode
    position = episode.beats.aggregate(m=Max("position"))["m"] or 0
    rows = Beat.objects.bulk_create(
        Beat(
            episode=episode,
            position=position + n,
            text=item.text,
            status=Beat.Status.PROPOSED,
            origin=Beat.Origin.AI,
            model_name=suggestion.model[:100],
            author=None,
        )
        for n, item in enumerate(parsed.beats, start=1)
    )
    announce(project_id=suggestion.project_id, topics=["beats"], episode=episode.number)
    return [{"kind": "beat", "beat": row.pk, "value": row.text, "decision": None} for row in rows]


# ---- Batches (manage.py ai_generate) -------------------------------------------------------------

BATCH_LEVELS = ("bible", "episodes", "beats", "scene", "rewrite")


def request_batch(
    *,
    project: Project,
    user,
    level: str,
    episodes: list[int] | None = None,
    instruction: str = "",
    next_scene: bool = False,
    queue: bool = True,
) -> list[tuple[str, Suggestion | None, str]]:
    """The requests a batch makes, as the browser would make them one by one: the series' bible or
    episode list, or one suggestion per episode (beats, drafts) or per scene (rewrites).

    Returns (what, suggestion, error) per request; a refused request has no suggestion and says why."""
    if level not in BATCH_LEVELS:
        raise RequestError(_("Unknown level."))
    with budget.batch():  # a batch queues beyond the concurrency limit; the worker starts them in turn
        return _batch_requests(
            project=project,
            user=user,
            level=level,
            episodes=episodes,
            instruction=instruction,
            next_scene=next_scene,
            queue=queue,
        )


def _batch_requests(*, project, user, level, episodes, instruction, next_scene, queue):
    if level == "bible":
        return [_attempt("bible", partial(request_bible, project=project, user=user, queue=queue))]
    if level == "episodes":
        first, last = (min(episodes), max(episodes)) if episodes else (1, None)
        make = partial(request_episode_list, project=project, user=user, first=first, last=last, queue=queue)
        return [_attempt("episodes", make)]
    if level == "rewrite":
        note = instruction_for(text=instruction)
    rows = project.episodes.select_related("project").order_by("number")
    if episodes:
        rows = rows.filter(number__in=episodes)
    rows = list(rows)
    results = _missing_episodes(episodes or [], found={e.number for e in rows})
    for episode in rows:
        label = f"episode {episode.number}"
        if level == "beats":
            results.append(_attempt(label, partial(request_beats, episode=episode, user=user, queue=queue)))
        elif level == "scene":
            make = partial(request_draft, episode=episode, user=user, new_scene=next_scene, queue=queue)
            results.append(_attempt(label, make))
        else:
            for scene in episode.scenes.filter(omitted=False).order_by("position", "id"):
                make = partial(request_rewrite, scene=scene, user=user, instruction=note, queue=queue)
                results.append(_attempt(f"{label} scene {scene.pk}", make))
    return results


def _missing_episodes(asked: list[int], *, found: set[int]) -> list[tuple[str, None, str]]:
    """A refused request for each run of asked-for episode numbers the series doesn't have."""
    missing = sorted(set(asked) - found)
    runs: list[list[int]] = []
    for n in missing:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    out = []
    for run in runs:
        if len(run) == 1:
            what, error = f"episode {run[0]}", _("This series has no episode %(n)s.") % {"n": run[0]}
        else:
            span = f"{run[0]}-{run[-1]}"
            what, error = f"episodes {span}", _("This series has no episodes %(span)s.") % {"span": span}
        out.append((what, None, error))
    return out


def _attempt(what: str, make) -> tuple[str, Suggestion | None, str]:
    try:
        return what, make(), ""
    except (RequestError, NotConfigured, budget.OverLimit) as exc:
        return what, None, str(exc)


def run_when_free(*, suggestion_id: int, wait: float = 1.0) -> Suggestion | None:
    """Run in this process (ai_generate --sync), waiting for a free slot like a queued task would."""
    deadline = time.monotonic() + settings.AI_TASK_SOFT_TIME_LIMIT
    while True:
        try:
            return run_suggestion(suggestion_id=suggestion_id)
        except Busy:
            if time.monotonic() > deadline:
                _fail(
                    suggestion_id,
                    _("No free slot for this request: the series' other requests ran too long."),
                )
                return None
            time.sleep(wait)
