"""Comments on an episode's script: every member may comment (producers and script editors too)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..models import Comment, Episode, Role
from ..permissions import project_view
from ..services import comments as comment_services


def comments_partial(request, project, episode: Episode) -> HttpResponse:
    context = {
        "project": project,
        "episode": episode,
        "threads": selectors.comment_threads(episode=episode),
        "may_write": request.membership.may(Role.WRITER),
    }
    return render(request, "scripts_app/partials/comments.html", context)


def _done(request, project, episode: Episode, error: str = "") -> HttpResponse:
    if request.htmx:
        response = comments_partial(request, project, episode)
        if error:
            response["HX-Trigger"] = '{"comment-error": ' + _json(error) + "}"
        return response
    if error:
        messages.error(request, error)
    return redirect("episode_detail", slug=project.slug, number=episode.number)


def _json(text: str) -> str:
    import json

    return json.dumps(text)


@project_view()
def episode_comments(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    return comments_partial(request, project, episode)


@project_view()
@require_POST
def comment_add(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    try:
        comment_services.add_comment(
            episode=episode,
            user=request.user,
            body=request.POST.get("body", ""),
            anchor_start=request.POST.get("anchor_start", ""),
            anchor_end=request.POST.get("anchor_end", ""),
            quote=request.POST.get("quote", ""),
        )
    except comment_services.CommentError as exc:
        return _done(request, project, episode, str(exc))
    return _done(request, project, episode)


def _comment(project, pk: int) -> Comment:
    return get_object_or_404(Comment.objects.select_related("episode"), pk=pk, episode__project=project)


@project_view()
@require_POST
def comment_reply(request, project, pk: int):
    comment = _comment(project, pk)
    try:
        comment_services.reply(comment=comment, user=request.user, body=request.POST.get("body", ""))
    except comment_services.CommentError as exc:
        return _done(request, project, comment.episode, str(exc))
    return _done(request, project, comment.episode)


@project_view()
@require_POST
def comment_resolve(request, project, pk: int):
    comment = _comment(project, pk)
    resolved = request.POST.get("action") != "reopen"
    comment_services.set_resolved(comment=comment, user=request.user, resolved=resolved)
    return _done(request, project, comment.episode)
