"""Import and export of script files from the browser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..forms import ExportForm, ImportForm
from ..models import Role
from ..permissions import project_view
from ..services import exports, imports

EXTENSIONS = {"fountain": "fountain", "zh": "txt"}


@project_view(Role.WRITER)
def import_view(request, project):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.SCRIPT_UPLOAD_MAX_BYTES:
            messages.error(request, _("The file is too large to be a script."))
        else:
            try:
                result = imports.import_script(
                    project=project, data=upload.read(), user=request.user,
                    filename=upload.name, fmt=form.cleaned_data["format"],
                )  # fmt: skip
                messages.success(request, result.summary())
                return redirect("project_detail", slug=project.slug)
            except imports.ImportFailed as exc:
                messages.error(request, _("Nothing was imported: %(why)s") % {"why": exc})
    return render(request, "scripts_app/import.html", {"project": project, "form": form})


@project_view()
def export_view(request, project):
    form = ExportForm(request.GET or None, initial={"format": project.script_format})
    if form.is_bound and form.is_valid():
        try:
            episode_range = exports.parse_episode_range(form.cleaned_data["episodes"])
        except ValueError:
            form.add_error("episodes", _("Use a range such as 1-5."))
        else:
            fmt = form.cleaned_data["format"]
            text = exports.export_text(project=project, fmt=fmt, episode_range=episode_range)
            response = HttpResponse(text, content_type="text/plain; charset=utf-8")
            name = f"{slugify(project.slug) or 'series'}.{EXTENSIONS[fmt]}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "scripts_app/export.html", {"project": project, "form": form})
