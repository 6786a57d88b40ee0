"""Suggestions on the series' live pages: the HTML fragment of one suggestion, pushed with hx-swap-oob.

The worker sends `{"type": "ai.progress", "suggestion": id, "status": ..., "text": <text so far>,
"tokens": n, "elapsed_ms": n, ...}` to the series' group every ~150 ms while a proposal streams in, and
once more on every status change. The LiveConsumer hands each message to `render_progress`, which
renders the suggestion's card for that member: while queued or running straight from the message
(no database read on the hot path), afterwards from the database (the review controls depend on the
member's role and on the decisions so far).

Everything the model wrote is rendered by Django templates with autoescaping: never as markup.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from ..models import ROLE_RANK, Membership, Role, Suggestion
from . import review

ACTIVE = (Suggestion.Status.QUEUED, Suggestion.Status.RUNNING)
CARD = "scripts_app/partials/suggestion.html"
LIST = "scripts_app/partials/suggestions.html"
LIST_LIMIT = 30


def _language(cookies: dict, accept_language: str) -> str:
    request = HttpRequest()
    request.COOKIES = cookies
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return translation.get_language_from_request(request)


def card_context(*, suggestion: Suggestion, may_write: bool, episodes: dict | None = None) -> dict:
    """What partials/suggestion.html needs for a suggestion as stored (`episodes`: a cache shared by
    the cards of one list, so each episode's text is read once)."""
    if suggestion.kind == Suggestion.Kind.BEATS:
        review.sync_beats(suggestion=suggestion)
    detail = None if suggestion.is_active else review.detail(suggestion=suggestion, episodes=episodes)
    now = ""  # what alternatives would replace, as it reads now
    if suggestion.kind == Suggestion.Kind.ALTERNATIVES:
        span = suggestion.request.get("selection")
        now = suggestion.base_text[span[0] : span[1]] if span else suggestion.base_text
    return {
        "s": suggestion,
        "slug": suggestion.project.slug,
        "status": suggestion.status,
        "status_label": suggestion.get_status_display(),
        "kind_label": suggestion.get_kind_display(),
        "text": suggestion.text,
        "tokens": suggestion.tokens_in + suggestion.tokens_out,
        "elapsed_ms": _elapsed_ms(suggestion),
        "active": suggestion.is_active,
        "detail": detail,
        "now": now,
        "may_write": may_write,
    }


def _elapsed_ms(s: Suggestion) -> int:
    if not s.started_at:
        return 0
    from django.utils import timezone

    end = s.finished_at or timezone.now()
    return int((end - s.started_at).total_seconds() * 1000)


def render_card(*, suggestion: Suggestion, may_write: bool, oob: bool = False, request=None) -> str:
    context = {**card_context(suggestion=suggestion, may_write=may_write), "oob": oob}
    return render_to_string(CARD, context, request=request)


def render_progress(
    *, event: dict, user, role: str | None = None, cookies: dict | None = None, accept_language: str = ""
) -> str:
    """The OOB HTML for one `ai.progress` message, for `user` ("" if they may not see it).

    `role` is the member's role as the consumer knows it; given it, a streaming update is rendered
    without touching the database. Synchronous: call it through database_sync_to_async."""
    with translation.override(_language(cookies or {}, accept_language)):
        if event.get("status") in ACTIVE:
            if role is None:
                membership = Membership.objects.filter(
                    project__suggestions__pk=event.get("suggestion"), user_id=user.pk
                ).first()
                if membership is None:
                    return ""
                role = membership.role
            labels = dict(Suggestion.Status.choices)
            kinds = dict(Suggestion.Kind.choices)
            context = {
                "s": {"pk": event.get("suggestion")},
                "slug": event.get("slug", ""),
                "status": event.get("status"),
                "status_label": labels.get(event.get("status"), ""),
                "kind_label": kinds.get(event.get("kind"), ""),
                "text": event.get("text") or "",
                "tokens": event.get("tokens") or 0,
                "elapsed_ms": event.get("elapsed_ms") or 0,
                "active": True,
                "detail": None,
                "may_write": ROLE_RANK.get(role, 0) >= ROLE_RANK[Role.WRITER],
                "oob": True,
            }
            return render_to_string(CARD, context)
        suggestion = (
            Suggestion.objects.select_related("project", "episode").filter(pk=event.get("suggestion")).first()
        )
        if suggestion is None:
            return ""
        membership = Membership.objects.filter(project_id=suggestion.project_id, user_id=user.pk).first()
        if membership is None:
            return ""
        return render_card(suggestion=suggestion, may_write=membership.may(Role.WRITER), oob=True)


def suggestions_for(*, project, episode=None, scene=None, limit: int = LIST_LIMIT) -> list[Suggestion]:
    rows = Suggestion.objects.filter(project=project).select_related("project", "episode", "requested_by")
    if scene is not None:
        rows = rows.filter(scene=scene)
    elif episode is not None:
        rows = rows.filter(episode=episode)
    return list(rows[:limit])


def suggestions_fragment(project, membership, where, cache):
    """For collab/live_pages._FRAGMENTS["suggestions"]: (template, context) of the suggestion list of an
    AI page (`where` kinds "ai", "ai-episode:<number>", "ai-scene:<scene id>")."""
    episode = scene = None
    if where.kind == "ai-episode":
        episode = project.episodes.filter(number=where.n).first()
        if episode is None:
            return "", {}
    elif where.kind == "ai-scene":
        from ..models import Scene

        scene = Scene.objects.filter(pk=where.n, episode__project=project).first()
        if scene is None:
            return "", {}
    elif where.kind != "ai":
        return "", {}
    may_write = membership.may(Role.WRITER)
    episodes: dict = {}
    cards = [
        card_context(suggestion=s, may_write=may_write, episodes=episodes)
        for s in suggestions_for(project=project, episode=episode, scene=scene)
    ]
    return LIST, {"cards": cards}
