"""Series list, creation, settings, the room's members and invitations into it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms import PROJECT_FIELDS, InviteSignupForm, MemberForm, ProjectForm, RoleForm
from ..models import Invite, Membership, Role
from ..permissions import project_view
from ..services import projects as project_services


@login_required
def project_list(request):
    context = {
        "projects": selectors.projects_for(user=request.user),
        "invites": project_services.pending_invites_for(user=request.user),
    }
    return render(request, "scripts_app/project_list.html", context)


@login_required
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in PROJECT_FIELDS}
        project = project_services.create_project(
            user=request.user, paywall_episodes=form.cleaned_data["paywall"], **fields
        )
        messages.success(request, _("Series “%(title)s” created.") % {"title": project.title})
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
    """Invite: the same answer whether or not the name or address belongs to an account."""
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role for the invitation."))
        return redirect("members", slug=project.slug)
    who = form.cleaned_data["who"].strip()
    try:
        new = project_services.invite(
            project=project, invited_by=request.user, who=who, role=form.cleaned_data["role"],
            site_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except project_services.MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("members", slug=project.slug)
    link = request.build_absolute_uri(reverse("invite_link", args=[new.token]))
    if new.invite.by_email:
        # The link goes only to the address: whoever reads that mail is the person invited.
        text = _("Invitation sent to “%(who)s”. It can be accepted only through the link in that e-mail.") % {
            "who": who
        }
    elif who:
        text = _(
            "Invitation made for “%(who)s”. If they have an account here, it waits on their series list; "
            "you can also send them this link (shown only now): %(link)s"
        ) % {"who": who, "link": link}
    else:
        text = _("Invitation link (shown only now; anyone who opens it can join as %(role)s): %(link)s") % {
            "role": Role(new.invite.role).label,
            "link": link,
        }
    messages.success(request, text)
    return redirect("members", slug=project.slug)


@project_view(Role.SHOWRUNNER)
@require_POST
def invite_withdraw(request, project, pk: int):
    invite = get_object_or_404(Invite, pk=pk, project=project)
    try:
        project_services.withdraw_invite(invite=invite, user=request.user)
        messages.success(request, _("Invitation withdrawn."))
    except project_services.MembershipError as exc:
        messages.error(request, str(exc))
    return redirect("members", slug=project.slug)


@login_required
@require_POST
def invite_answer(request, pk: int):
    """Accept or decline an invitation waiting on one's own series list."""
    invite = project_services.listed_invite(user=request.user, pk=pk)
    if invite is None:
        raise Http404("No such invitation on your list.")
    return _answer(request, invite)


def invite_link(request, token: str):
    """An invitation link: accept or decline when signed in; with no account, pick a name and a password."""
    invite = project_services.invite_for_token(token)
    if invite is None:
        return render(request, "scripts_app/invite.html", {"invite": None}, status=404)
    # An invitation mailed to an address: whoever opened it reads that mail, so the address is theirs.
    initial = {"email": invite.invitee} if invite.by_email else {}
    form = InviteSignupForm(
        request.POST if request.method == "POST" and "signup" in request.POST else None, initial=initial
    )
    if request.method == "POST":
        if request.user.is_authenticated:
            return _answer(request, invite)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return _answer(request, invite, action="accept")
    return render(request, "scripts_app/invite.html", {"invite": invite, "form": form, "token": token})


def _answer(request, invite: Invite, action: str | None = None):
    action = action or request.POST.get("action")
    try:
        if action == "accept":
            project_services.accept_invite(invite=invite, user=request.user)
            messages.success(request, _("Welcome to “%(title)s”.") % {"title": invite.project.title})
            return redirect("project_detail", slug=invite.project.slug)
        if action == "decline":
            project_services.decline_invite(invite=invite, user=request.user)
            messages.success(request, _("Invitation declined."))
        else:
            raise Http404("No such answer.")
    except project_services.MembershipError as exc:
        messages.error(request, str(exc))
    return redirect("project_list")


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
