"""Series list, creation, settings and the room's members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms import PROJECT_FIELDS, MemberForm, ProjectForm, RoleForm
from ..models import Membership, Role
from ..permissions import project_view
from ..services import projects as project_services


@login_required
def project_list(request):
    return render(
        request, "scripts_app/project_list.html", {"projects": selectors.projects_for(user=request.user)}
    )


@login_required
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in PROJECT_FIELDS}
        project = project_services.create_project(
            user=request.user, paywall_episodes=form.cleaned_data["paywall"], **fields
        )
        return redirect("project_detail", slug=project.slug)
    return render(request, "scripts_app/project_form.html", {"form": form})


@project_view()
def project_detail(request, project):
    context = {"project": project, **selectors.project_board(project=project)}
    return render(request, "scripts_app/project_detail.html", context)


@project_view(Role.SHOWRUNNER)
def project_settings(request, project):
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in PROJECT_FIELDS}
        project_services.update_project(
            project=project, paywall_episodes=form.cleaned_data["paywall"], **fields
        )
        messages.success(request, _("Series settings saved."))
        return redirect("project_detail", slug=project.slug)
    return render(request, "scripts_app/project_form.html", {"form": form, "project": project})


@project_view()
def members(request, project):
    context = {
        "project": project,
        "members": selectors.members_of(project=project),
        "form": MemberForm(),
        "roles": Role.choices,
    }
    return render(request, "scripts_app/members.html", context)


@project_view(Role.SHOWRUNNER)
@require_POST
def member_add(request, project):
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            project_services.add_member(
                project=project, who=form.cleaned_data["who"], role=form.cleaned_data["role"]
            )
            messages.success(request, _("Member saved."))
        except project_services.MembershipError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Give a username or email and a role."))
    return redirect("members", slug=project.slug)


@project_view(Role.SHOWRUNNER)
@require_POST
def member_role(request, project, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, project=project)
    form = RoleForm(request.POST)
    try:
        if request.POST.get("remove"):
            project_services.remove_member(membership=membership)
        elif form.is_valid():
            project_services.set_member_role(membership=membership, role=form.cleaned_data["role"])
        messages.success(request, _("Member saved."))
    except project_services.MembershipError as exc:
        messages.error(request, str(exc))
    return redirect("members", slug=project.slug)
