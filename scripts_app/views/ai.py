"""AI pages: ask for proposals (bible, episode list, beats, drafts, rewrites, alternatives), watch them
stream in, and accept or reject them; the series' AI settings and usage.

Every view reads its input, checks the role (writers ask and decide, viewers watch, the showrunner
sets limits), calls one service and renders. HTMX requests get the suggestion's card; JSON requests
(the editor's merge view) get JSON; plain form posts are redirected back.
"""

from __future__ import annotations

import json
from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..ai import budget, client, generate, live, provenance, review
from ..models import Episode, Project, Role, Scene, Suggestion
from ..permissions import project_view
from ..services import projects as project_services

MAX_JSON_BODY = 64 * 1024


class AiSettingsForm(forms.ModelForm):
    ai_endpoint = forms.ChoiceField(label=gettext_lazy("AI endpoint"), required=False)

    class Meta:
        model = Project
        fields = ["ai_endpoint", "ai_model", "ai_concurrency_limit", "ai_monthly_token_budget"]
        help_texts = {
            "ai_model": gettext_lazy("Blank: the endpoint's default model."),
            "ai_monthly_token_budget": gettext_lazy(
                "Tokens in and out per calendar month; 0 switches AI off."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Server default"))]
        choices += [(name, ep.label) for name, ep in client.configured_endpoints().items()]
        if self.instance.ai_endpoint and self.instance.ai_endpoint not in dict(choices):
            choices.append(
                (
                    self.instance.ai_endpoint,
                    _("%(name)s (no longer offered)") % {"name": self.instance.ai_endpoint},
                )
            )
        self.fields["ai_endpoint"].choices = choices
        self.fields["ai_concurrency_limit"].widget.attrs.update(min=1, max=20)
        # The names the series' endpoint offers, to pick from (home.html renders the datalist).
        self.fields["ai_model"].widget.attrs.update(list="ai-models", autocomplete="off")

    def clean_ai_concurrency_limit(self) -> int:
        value = self.cleaned_data["ai_concurrency_limit"]
        if not 1 <= value <= 20:
            raise forms.ValidationError(_("Between 1 and 20."))
        return value


# ---- Helpers -------------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"
    )


def _body(request) -> dict:
    """POST data from a form or a JSON body (the editor posts JSON)."""
    if request.content_type == "application/json":
        if len(request.body) > MAX_JSON_BODY:
            raise PermissionDenied
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {
        k: request.POST.getlist(k) if k in ("hunk", "hunks") else request.POST.get(k) for k in request.POST
    }


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _suggestion(project: Project, pk: int) -> Suggestion:
    return get_object_or_404(
        Suggestion.objects.select_related("project", "episode", "requested_by"), pk=pk, project=project
    )


def _card(request, suggestion: Suggestion, *, error: str = "") -> HttpResponse:
    suggestion.refresh_from_db()
    may_write = request.membership.may(Role.WRITER)
    context = {**live.card_context(suggestion=suggestion, may_write=may_write), "oob": False}
    html = render_to_string(live.CARD, context, request=request)
    if error:
        html = f'<p class="error" role="alert">{_escape(error)}</p>' + html
    return HttpResponse(html)


def _escape(text: str) -> str:
    return escape(text)


def _back(request, project: Project) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target.startswith(f"/p/{project.slug}/") and "//" not in target:
        return redirect(target)
    return redirect("ai_home", slug=project.slug)


def _after_request(request, project: Project, make) -> HttpResponse:
    """Run a request service; errors (not configured, over budget, bad input) become a message."""
    try:
        suggestion = make()
    except (client.NotConfigured, budget.OverLimit, generate.RequestError) as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc)}, status=409)
        if request.htmx:
            return HttpResponse(
                f'<p class="error" role="alert">{_escape(str(exc))}</p>',
                status=200,
                headers={"HX-Retarget": "#ai-notice", "HX-Reswap": "innerHTML"},
            )
        messages.error(request, str(exc))
        return _back(request, project)
    if _wants_json(request):
        url = reverse("ai_suggestion_json", args=[project.slug, suggestion.pk])
        return JsonResponse({"id": suggestion.pk, "status": suggestion.status, "url": url}, status=202)
    if request.htmx:
        return _card(request, suggestion)
    messages.success(request, _("Asked the model. The proposal appears below as it is written."))
    return _back(request, project)


# ---- Pages ---------------------------------------------------------------------------------------


def _ai_state(project: Project) -> dict:
    try:
        endpoint = client.endpoint_for(project=project)
        return {"ai_ready": True, "ai_endpoint": endpoint, "ai_problem": ""}
    except client.NotConfigured as exc:
        return {"ai_ready": False, "ai_endpoint": None, "ai_problem": str(exc)}


def _cards(request, suggestions) -> list[dict]:
    may_write = request.membership.may(Role.WRITER)
    episodes: dict = {}
    return [live.card_context(suggestion=s, may_write=may_write, episodes=episodes) for s in suggestions]


def _offered_models(project: Project, state: dict) -> list[str]:
    """The models the series' endpoint offers, for the showrunner's settings form."""
    endpoint = state["ai_endpoint"]
    if endpoint is None:
        endpoints = client.configured_endpoints()
        endpoint = endpoints.get(project.ai_endpoint) or next(iter(endpoints.values()), None)
    return client.offered_models(endpoint=endpoint) if endpoint is not None else []


@project_view()
def ai_home(request, project):
    """The series' AI page: bible and episode-list requests, usage, settings, and every suggestion."""
    generate.sweep_stale(project=project)
    state = _ai_state(project)
    showrunner = request.membership.is_showrunner
    context = {
        "project": project,
        **state,
        "ai_models": _offered_models(project, state) if showrunner else [],
        "usage": budget.usage(project=project),
        "provenance": provenance.series_shares(project=project),
        "settings_form": AiSettingsForm(instance=project) if showrunner else None,
        "cards": _cards(request, live.suggestions_for(project=project)),
        "episodes": project.episodes.order_by("number").only("number"),  # every one, not the first few
        "may_write": request.membership.may(Role.WRITER),
        "live_where": "ai",
    }
    return render(request, "scripts_app/ai/home.html", context)


@project_view(Role.SHOWRUNNER)
@require_POST
def ai_settings(request, project):
    form = AiSettingsForm(request.POST, instance=Project.objects.get(pk=project.pk))
    if form.is_valid():
        project_services.update_project(project=project, **form.cleaned_data)
        messages.success(request, _("AI settings saved."))
    else:
        messages.error(
            request,
            _("The AI settings were not saved: %(errors)s")
            % {"errors": "; ".join(e for errs in form.errors.values() for e in errs)},
        )
    return redirect("ai_home", slug=project.slug)


@project_view()
def ai_episode(request, project, number: int):
    episode = get_object_or_404(Episode.objects.select_related("project"), project=project, number=number)
    context = {
        "project": project,
        "episode": episode,
        **_ai_state(project),
        "accepted_beats": list(episode.beats.filter(status="accepted")),
        "cards": _cards(request, live.suggestions_for(project=project, episode=episode)),
        "may_write": request.membership.may(Role.WRITER),
        "live_where": f"ai-episode:{episode.number}",
    }
    return render(request, "scripts_app/ai/episode.html", context)


@project_view()
def editor_panel(request, project, number: int):
    """The episode page's AI panel (loaded into templates/scripts_app/ai/_editor_review.html): ask for
    a rewrite of the scene at the cursor, this episode's proposals as they stream in, and the script's
    provenance (shares, and the toggle that colours it in the editor)."""
    episode = _episode(project, number)
    context = {
        "project": project,
        "episode": episode,
        **_ai_state(project),
        "presets": [(key, label) for key, (label, _note) in generate.REWRITE_PRESETS.items()],
        "cards": _cards(request, live.suggestions_for(project=project, episode=episode, limit=10)),
        "may_write": request.membership.may(Role.WRITER),
        "shares": provenance.shares(episode=episode),
    }
    return render(request, "scripts_app/ai/_editor_panel.html", context)


@project_view()
def ai_scene(request, project, pk: int):
    scene = get_object_or_404(
        Scene.objects.select_related("episode__project"), pk=pk, episode__project=project
    )
    context = {
        "project": project,
        "episode": scene.episode,
        "scene": scene,
        **_ai_state(project),
        "presets": [(key, label) for key, (label, _note) in generate.REWRITE_PRESETS.items()],
        "cards": _cards(request, live.suggestions_for(project=project, scene=scene)),
        "may_write": request.membership.may(Role.WRITER),
        "live_where": f"ai-scene:{scene.pk}",
    }
    return render(request, "scripts_app/ai/scene.html", context)


# ---- Requests ------------------------------------------------------------------------------------


@project_view(Role.WRITER)
@require_POST
def request_bible(request, project):
    return _after_request(
        request, project, lambda: generate.request_bible(project=project, user=request.user)
    )


@project_view(Role.WRITER)
@require_POST
def request_episodes(request, project):
    data = _body(request)
    first = _int(data.get("first"), 1)
    last = _int(data.get("last"))
    return _after_request(
        request,
        project,
        lambda: generate.request_episode_list(project=project, user=request.user, first=first, last=last),
    )


def _episode(project: Project, number: int) -> Episode:
    return get_object_or_404(Episode.objects.select_related("project"), project=project, number=number)


@project_view(Role.WRITER)
@require_POST
def request_beats(request, project, number: int):
    episode = _episode(project, number)
    return _after_request(
        request, project, lambda: generate.request_beats(episode=episode, user=request.user)
    )


@project_view(Role.WRITER)
@require_POST
def request_draft(request, project, number: int):
    episode = _episode(project, number)
    data = _body(request)
    scene = None
    if data.get("scene"):
        scene = get_object_or_404(Scene, pk=_int(data.get("scene"), 0), episode=episode)
    new_scene = data.get("scope") == "new_scene"
    return _after_request(
        request,
        project,
        lambda: generate.request_draft(episode=episode, user=request.user, scene=scene, new_scene=new_scene),
    )


def _selection(data: dict) -> tuple[int, int] | None:
    start, end = _int(data.get("start")), _int(data.get("end"))
    if start is None or end is None or start == end:
        return None
    return (start, end)


@project_view(Role.WRITER)
@require_POST
def request_rewrite(request, project, pk: int):
    scene = get_object_or_404(Scene, pk=pk, episode__project=project)
    data = _body(request)

    def make():
        instruction = generate.instruction_for(
            preset=data.get("preset") or "", text=data.get("instruction") or ""
        )
        return generate.request_rewrite(
            scene=scene,
            user=request.user,
            instruction=instruction,
            selection=_selection(data),
            selected_text=data.get("selected") if _selection(data) else None,
        )

    return _after_request(request, project, make)


@project_view(Role.WRITER)
@require_POST
def request_alternatives(request, project):
    data = _body(request)
    if data.get("scene"):
        scene = get_object_or_404(Scene, pk=_int(data.get("scene"), 0), episode__project=project)
        return _after_request(
            request,
            project,
            lambda: generate.request_alternatives(
                user=request.user, scene=scene, selection=_selection(data), selected_text=data.get("selected")
            ),
        )
    episode = _episode(project, _int(data.get("episode"), 0))
    field = data.get("field") or ""
    return _after_request(
        request,
        project,
        lambda: generate.request_alternatives(user=request.user, episode=episode, field=field),
    )


# ---- One suggestion ------------------------------------------------------------------------------


@project_view()
def suggestion_detail(request, project, pk: int):
    suggestion = _suggestion(project, pk)
    if request.htmx:
        return _card(request, suggestion)
    context = {
        "project": project,
        "episode": suggestion.episode,
        "cards": _cards(request, [suggestion]),
        "live_where": "ai",
    }
    return render(request, "scripts_app/ai/suggestion.html", context)


@project_view()
def suggestion_json(request, project, pk: int):
    """For the editor's merge view: base, proposed and current text with the hunks, or the items."""
    suggestion = _suggestion(project, pk)
    review.sync_beats(suggestion=suggestion)
    data = review.detail(suggestion=suggestion)
    data["accept_url"] = reverse("ai_accept", args=[project.slug, pk])
    data["reject_url"] = reverse("ai_reject", args=[project.slug, pk])
    data["cancel_url"] = reverse("ai_cancel", args=[project.slug, pk])
    return JsonResponse(data)


def _decided(request, project: Project, suggestion: Suggestion, decide) -> HttpResponse:
    try:
        decide()
        error = ""
    except review.ReviewError as exc:
        error = str(exc)
    suggestion.refresh_from_db()
    if _wants_json(request):
        if error:
            return JsonResponse({"error": error}, status=409)
        data = review.detail(suggestion=suggestion)
        return JsonResponse(data)
    if request.htmx:
        return _card(request, suggestion, error=error)
    if error:
        messages.error(request, error)
    elif suggestion.status == Suggestion.Status.STALE:
        messages.warning(request, suggestion.error)
    return redirect("ai_suggestion", slug=project.slug, pk=suggestion.pk)


def _hunk_indexes(data: dict) -> list[int] | None:
    raw = data.get("hunks", data.get("hunk"))
    if raw is None or raw == "all":
        return None
    if not isinstance(raw, list):
        raw = [raw]
    return [i for i in (_int(v) for v in raw) if i is not None]


def _item_value(data: dict):
    """An edited item: `value` (text items) or `f_<field>` inputs (bible entries, episodes)."""
    fields = {k[2:]: v for k, v in data.items() if k.startswith("f_")}
    if fields:
        fields["paywall"] = bool(fields.get("paywall"))  # an unticked checkbox sends nothing
        return fields
    return data.get("value")


@project_view(Role.WRITER)
@require_POST
def suggestion_accept(request, project, pk: int):
    suggestion = _suggestion(project, pk)
    data = _body(request)
    if suggestion.kind in review.TEXT_KINDS:
        indexes = _hunk_indexes(data)
        if indexes is None and "hunks" not in data and "hunk" not in data and not _wants_json(request):
            indexes = []  # a form with nothing ticked accepts nothing
        finish = str(data.get("finish", "1")).lower() not in ("0", "false", "")
        decide = partial(review.accept_hunks, indexes=indexes, finish=finish)
    else:
        index = _int(data.get("item"))
        if index is None:
            raise Http404("No such item.")
        decide = partial(review.decide_item, index=index, accept=True, value=_item_value(data))
    return _decided(request, project, suggestion, partial(decide, suggestion=suggestion, user=request.user))


@project_view(Role.WRITER)
@require_POST
def suggestion_reject(request, project, pk: int):
    suggestion = _suggestion(project, pk)
    data = _body(request)
    index = _int(data.get("item"))
    if index is not None and suggestion.kind not in review.TEXT_KINDS:
        decide = partial(review.decide_item, index=index, accept=False)
    else:
        decide = partial(review.reject, indexes=_hunk_indexes(data))
    return _decided(request, project, suggestion, partial(decide, suggestion=suggestion, user=request.user))


@project_view(Role.WRITER)
@require_POST
def suggestion_edit(request, project, pk: int):
    suggestion = _suggestion(project, pk)
    text = str(_body(request).get("text") or "")
    return _decided(
        request,
        project,
        suggestion,
        lambda: review.edit_text(suggestion=suggestion, user=request.user, text=text),
    )


@project_view(Role.WRITER)
@require_POST
def suggestion_cancel(request, project, pk: int):
    suggestion = _suggestion(project, pk)
    generate.cancel(suggestion=suggestion, user=request.user)
    if _wants_json(request):
        suggestion.refresh_from_db()
        return JsonResponse({"id": suggestion.pk, "status": suggestion.status})
    if request.htmx:
        return _card(request, suggestion)
    return redirect("ai_suggestion", slug=project.slug, pk=suggestion.pk)
