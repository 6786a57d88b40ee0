"""The bible: characters and locations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..collab.live_pages import announce
from ..forms import CharacterForm, LocationForm
from ..models import Character, Location, Role
from ..permissions import project_view
from ..services import bible
from .params import bad_request, parse_id


def _edit(request, project, *, form_class, model, pk, save, new_title: str, delete_view: str):
    # Viewers read the bible; only writers and showrunners change it.
    if request.method == "POST" and not request.membership.may(Role.WRITER):
        raise PermissionDenied
    if pk is None and not request.membership.may(Role.WRITER):
        raise PermissionDenied
    obj = get_object_or_404(model, pk=pk, project=project) if pk else None
    form = form_class(request.POST or None, instance=obj, project=project)
    if request.method == "POST" and form.is_valid():
        save(project, obj, form.cleaned_data)
        messages.success(request, _("“%(name)s” saved.") % {"name": form.cleaned_data["name"]})
        return redirect("project_detail", slug=project.slug)
    context = {
        "project": project,
        "form": form,
        "object": obj,
        "new_title": new_title,
        "delete_url": reverse(delete_view, args=[project.slug, obj.pk]) if obj else "",
    }
    return render(request, "scripts_app/bible_entry_form.html", context)


@project_view()
def character_edit(request, project, pk: int | None = None):
    return _edit(
        request, project, form_class=CharacterForm, model=Character, pk=pk,
        save=lambda p, obj, data: bible.save_character(project=p, character=obj, **data),
        new_title=_("New character"), delete_view="character_delete",
    )  # fmt: skip


@project_view()
def location_edit(request, project, pk: int | None = None):
    return _edit(
        request, project, form_class=LocationForm, model=Location, pk=pk,
        save=lambda p, obj, data: bible.save_location(project=p, location=obj, **data),
        new_title=_("New location"), delete_view="location_delete",
    )  # fmt: skip


@project_view(Role.WRITER)
@require_POST
def character_delete(request, project, pk: int):
    entry = get_object_or_404(Character, pk=pk, project=project)
    entry.delete()
    announce(project_id=project.pk, topics=["bible"])
    messages.success(request, _("“%(name)s” deleted from the bible.") % {"name": entry.name})
    return redirect("project_detail", slug=project.slug)


@project_view(Role.WRITER)
@require_POST
def location_delete(request, project, pk: int):
    entry = get_object_or_404(Location, pk=pk, project=project)
    entry.delete()
    announce(project_id=project.pk, topics=["bible"])
    messages.success(request, _("“%(name)s” deleted from the bible.") % {"name": entry.name})
    return redirect("project_detail", slug=project.slug)


def _back(request, project):
    """Back to the page the form was on (the board or an episode), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("project_detail", slug=project.slug)


@project_view(Role.WRITER)
@require_POST
def script_name_add(request, project):
    """One click: a name the script uses becomes a bible entry."""
    kind = request.POST.get("kind", "")
    name = request.POST.get("name", "")
    try:
        entry = bible.add_script_name(
            project=project, kind=kind, name=name, int_ext=request.POST.get("int_ext", "")
        )
    except bible.BibleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” added to the bible.") % {"name": entry.name})
    return _back(request, project)


@project_view(Role.WRITER)
@require_POST
def script_name_merge(request, project):
    """A name the script uses (晚晚) becomes an alias of a character the bible knows (林晚)."""
    pk = parse_id(request.POST.get("character"))
    if pk is None:
        return bad_request(_("Choose the character of the bible the name is an alias of."))
    character = get_object_or_404(Character, pk=pk, project=project)
    name = request.POST.get("name", "")
    try:
        bible.merge_alias(project=project, name=name, character=character)
    except bible.BibleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("“%(name)s” is now an alias of %(character)s.")
            % {"name": name.strip(), "character": character.name},
        )
    return _back(request, project)
