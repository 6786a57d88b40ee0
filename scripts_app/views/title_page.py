"""The series' title page: read by every member, edited by writers and the showrunner."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import TitlePageForm
from ..models import Role
from ..permissions import project_view
from ..services.accounts import default_contact
from ..services.title_page import FIELD_NAMES, PRINT_KEY, title_page_entries, update_title_page


@project_view()
def title_page_edit(request, project):
    may_write = request.membership.may(Role.WRITER)
    if request.method == "POST" and not may_write:
        raise PermissionDenied
    page = project.title_page or {}
    initial = {name: page.get(name, "") for name in FIELD_NAMES}
    initial["print_in_pdf"] = page.get(PRINT_KEY) is not False
    if not page:  # never saved: the contact block starts as the showrunner's name, not a login name
        initial["contact"] = default_contact(user=project.created_by or request.user)
    form = TitlePageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in FIELD_NAMES}
        update_title_page(project=project, values=values, print_in_pdf=data["print_in_pdf"])
        messages.success(request, _("Title page saved."))
        return redirect("title_page", slug=project.slug)
    entries = title_page_entries(project)
    context = {"project": project, "form": form, "may_write": may_write, "entries": entries}
    return render(request, "scripts_app/title_page_form.html", context)
