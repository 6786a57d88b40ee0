"""The episode page: its plan (hook, cliffhanger, beats) and its scenes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import read_view, selectors
from ..collab import documents
from ..collab.live_pages import announce
from ..collab.presence import user_color
from ..forms import BeatForm, EpisodeForm
from ..models import Beat, Episode, Role
from ..permissions import project_view
from ..services import episodes as episode_services
from ..services import ordering, production
from .params import bad_request, parse_ids

EPISODE_FIELDS = ["number", "title", "summary", "hook", "cliffhanger", "status"]


def _episode(project, number: int) -> Episode:
    try:
        return selectors.episode_page(project=project, number=number)
    except Episode.DoesNotExist:
        raise Http404("No such episode.") from None


@project_view(Role.WRITER)
def episode_create(request, project):
    initial = {"number": episode_services.next_episode_number(project=project)}
    form = EpisodeForm(request.POST or None, initial=initial, project=project)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in EPISODE_FIELDS}
        try:
            episode = episode_services.create_episode(
                project=project, is_paywall=form.cleaned_data["is_paywall"], **data
            )
        except episode_services.EpisodeNumberError as exc:  # the number was taken meanwhile
            form.add_error("number", str(exc))
        else:
            messages.success(request, _("Episode %(n)d created.") % {"n": episode.number})
            return redirect("episode_detail", slug=project.slug, number=episode.number)
    return render(request, "scripts_app/episode_form.html", {"project": project, "form": form})


@project_view(Role.WRITER)
def episode_edit(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    form = EpisodeForm(request.POST or None, instance=episode, project=project)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in EPISODE_FIELDS}
        try:
            episode_services.update_episode(
                episode=episode, is_paywall=form.cleaned_data["is_paywall"], **data
            )
        except episode_services.EpisodeNumberError as exc:
            form.add_error("number", str(exc))
        else:
            messages.success(request, _("Episode %(n)d saved.") % {"n": episode.number})
            return redirect("episode_detail", slug=project.slug, number=episode.number)
    return render(
        request, "scripts_app/episode_form.html", {"project": project, "form": form, "episode": episode}
    )


def live_editor_context(request, project, episode: Episode, focus_index: int | None = None) -> dict:
    """What the live editor partial needs: where its document is, who is typing, what they may do."""
    scenes = [s for s in episode.scenes.all() if not s.omitted]
    if focus_index is not None:
        scenes = scenes[focus_index : focus_index + 1]
    return {
        "fallback_html": [read_view.scene_html(text=s.text, fmt=project.script_format) for s in scenes],
        "doc_ws_path": documents.doc_ws_path(episode=episode),
        "user_color": user_color(request.user.pk),
        "focus_index": focus_index,
    }


@project_view()
def episode_detail(request, project, number: int):
    documents.ensure_rows_current(episode=Episode(pk=_episode_id(project, number)))
    episode = _episode(project, number)
    prev_number, next_number = selectors.neighbours(episode=episode)
    context = {
        "project": project,
        "episode": episode,
        "scenes": selectors.numbered_scenes(episode=episode, scenes=list(episode.scenes.all())),
        "revisions": list(episode.revisions.all()),
        "beats": list(episode.beats.all()),
        "beat_form": BeatForm(),
        "prev_number": prev_number,
        "next_number": next_number,
        "may_write": request.membership.may(Role.WRITER),
        "threads": selectors.comment_threads(episode=episode),
        **selectors.episode_new_names(episode=episode),
        **live_editor_context(request, project, episode),
    }
    return render(request, "scripts_app/episode_detail.html", context)


def _episode_id(project, number: int) -> int:
    found = Episode.objects.filter(project=project, number=number).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("No such episode.")
    return found


@project_view(Role.SHOWRUNNER)
@require_POST
def episode_delete(request, project, number: int):
    """Showrunners only, after a confirmation on the page; a locked episode is refused."""
    episode = get_object_or_404(Episode, project=project, number=number)
    try:
        episode_services.delete_episode(episode=episode)
    except episode_services.EpisodeLocked as exc:
        messages.error(request, str(exc))
        return redirect("episode_detail", slug=project.slug, number=number)
    messages.success(request, _("Episode %(n)d deleted.") % {"n": number})
    return redirect("project_detail", slug=project.slug)


@project_view(Role.SHOWRUNNER)
@require_POST
def episode_lock(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    try:
        production.lock_episode(episode=episode, user=request.user)
        messages.success(request, _("Episode locked: scene numbers are fixed from now on."))
    except production.ProductionError as exc:
        messages.error(request, str(exc))
    return redirect("episode_detail", slug=project.slug, number=number)


@project_view(Role.SHOWRUNNER)
@require_POST
def episode_issue_revision(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    try:
        revision = production.issue_revision(episode=episode, user=request.user)
        messages.success(request, _("%(colour)s revision issued.") % {"colour": _(revision.color).upper()})
    except production.ProductionError as exc:
        messages.error(request, str(exc))
    return redirect("episode_detail", slug=project.slug, number=number)


@project_view()
def episode_read(request, project, number: int):
    """The formatted read view of a whole episode."""
    episode = _episode(project, number)
    all_scenes = list(episode.scenes.all())
    numbers = selectors.shooting_numbers(episode=episode, scenes=all_scenes)
    fmt = project.script_format
    scenes = [
        (scene, read_view.scene_html(text=scene.text, fmt=fmt, number=numbers[scene.pk]))
        for scene in all_scenes
        if not scene.omitted
    ]
    return render(
        request, "scripts_app/episode_read.html", {"project": project, "episode": episode, "scenes": scenes}
    )


def _beats_partial(request, project, episode: Episode, error: str = "") -> HttpResponse:
    context = {
        "project": project,
        "episode": episode,
        "beats": list(episode.beats.select_related("scene", "author")),
        "beat_form": BeatForm(),
        "may_write": True,
        "beat_error": error,
    }
    return render(request, "scripts_app/partials/beats.html", context)


def _after_beat_change(request, project, episode: Episode) -> HttpResponse:
    if request.htmx:
        return _beats_partial(request, project, episode)
    return redirect("episode_detail", slug=project.slug, number=episode.number)


@project_view(Role.WRITER)
@require_POST
def beat_add(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    try:
        text = episode_services.clean_beat_text(request.POST.get("text", ""))
    except episode_services.BeatTextMissing as exc:
        return _beat_refused(request, project, episode, str(exc))
    episode_services.add_beat(episode=episode, user=request.user, text=text)
    return _after_beat_change(request, project, episode)


def _beat_refused(request, project, episode: Episode, message: str) -> HttpResponse:
    """Say why nothing happened, where the writer is looking (the beats list, or the page's messages)."""
    if request.htmx:
        # A 200: htmx swaps no 4xx response, and the list must show the message where the form is.
        return _beats_partial(request, project, episode, error=message)
    messages.error(request, message)
    return redirect("episode_detail", slug=project.slug, number=episode.number)


@project_view(Role.WRITER)
@require_POST
def beat_update(request, project, pk: int):
    beat = get_object_or_404(Beat.objects.select_related("episode"), pk=pk, episode__project=project)
    action = request.POST.get("action", "")
    if action in Beat.Status.values:
        episode_services.update_beat(beat=beat, status=action)
    elif action == "delete":
        beat.delete()
    elif action in ("up", "down"):
        ordering.move(queryset=beat.episode.beats.all(), item=beat, delta=-1 if action == "up" else 1)
    elif action == "edit":
        try:
            text = episode_services.clean_beat_text(request.POST.get("text", ""))
        except episode_services.BeatTextMissing as exc:
            return _beat_refused(request, project, beat.episode, str(exc))
        episode_services.update_beat(beat=beat, text=text)
    announce(project_id=project.pk, topics=["beats"], episode=beat.episode.number)
    return _after_beat_change(request, project, beat.episode)


@project_view(Role.WRITER)
@require_POST
def beats_reorder(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    ids = parse_ids(request.POST.getlist("order"))
    if ids is None:
        return bad_request(_("The new order must list beats by their ids; nothing was moved."))
    ordering.reorder(queryset=episode.beats.all(), ordered_ids=ids)
    announce(project_id=project.pk, topics=["beats"], episode=episode.number)
    return _after_beat_change(request, project, episode)
