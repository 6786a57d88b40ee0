"""Import and export of script files from the browser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import selectors
from ..forms import ExportForm, ImportForm
from ..models import ExportJob, ImportJob, Role
from ..permissions import project_view
from ..services import export_jobs, exports, import_pending, import_report, imports
from ..services.shooting_script import NothingToPrint, PrintRequest, RevisionNotIssued


@project_view(Role.WRITER)
def import_view(request, project):
    form = ImportForm(request.POST or None, request.FILES or None)
    if getattr(request, "upload_too_large", False):  # set by uploads.py while the file streamed in
        limit = settings.SCRIPT_UPLOAD_MAX_BYTES / 1e6
        messages.error(
            request, _("The file is too large to be a script (limit %(mb).0f MB).") % {"mb": limit}
        )
        form = ImportForm()
    elif request.method == "POST" and "pending" in request.POST:
        return _confirmed(request, project)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data, fmt = upload.read(), form.cleaned_data["format"]
        try:
            source = import_pending.source_format(data=data, filename=upload.name, fmt=fmt)
            if source and source != project.script_format:
                # Converting rewrites every scene in the series' format: the writer says so first.
                token = import_pending.stash(
                    project=project, user=request.user, data=data, filename=upload.name, fmt=fmt,
                    source_format=source,
                )  # fmt: skip
                return render(request, "scripts_app/import.html", {
                    "project": project, "form": ImportForm(), "pending": token, "filename": upload.name,
                    "source": import_report.format_name(source),
                    "target": import_report.format_name(project.script_format),
                })  # fmt: skip
            return _import(request, project, data=data, filename=upload.name, fmt=fmt)
        except imports.ImportFailed as exc:
            messages.error(request, imports.failure_message(exc))
    return render(request, "scripts_app/import.html", {"project": project, "form": form})


def _confirmed(request, project):
    """The answer to "convert this file to the series' format?"."""
    token = request.POST.get("pending", "")
    if request.POST.get("action") != "convert":
        import_pending.discard(project=project, user=request.user, token=token)
        messages.info(request, _("Nothing was imported."))
        return redirect("import", slug=project.slug)
    pending = import_pending.take(project=project, user=request.user, token=token)
    if pending is None:
        messages.error(
            request,
            _("The file waited too long for an answer; nothing was imported. Please choose it again."),
        )
        return redirect("import", slug=project.slug)
    try:
        return _import(request, project, data=pending.data, filename=pending.filename, fmt=pending.fmt)
    except imports.ImportFailed as exc:
        messages.error(request, imports.failure_message(exc))
        return redirect("import", slug=project.slug)


def _import(request, project, *, data: bytes, filename: str, fmt: str):
    if imports.runs_in_worker(data=data):
        # A big file is parsed and written by the worker; the page shows its progress.
        job = imports.start_import(project=project, user=request.user, data=data, filename=filename, fmt=fmt)
        return redirect("import_job", slug=project.slug, pk=job.pk)
    result = imports.import_script(project=project, data=data, user=request.user, filename=filename, fmt=fmt)
    messages.success(request, result.summary())
    for note in result.notes():
        messages.info(request, note)
    return redirect("project_detail", slug=project.slug)


@project_view(Role.WRITER)
def import_job(request, project, pk: int):
    jobs = ImportJob.objects.defer("data")
    job = get_object_or_404(jobs, pk=pk, project=project, requested_by=request.user)
    template = "scripts_app/partials/import_job.html" if request.htmx else "scripts_app/import_job.html"
    return render(request, template, {"project": project, "job": job})


def _download(exported: exports.ExportedFile) -> HttpResponse:
    response = HttpResponse(exported.data, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


@project_view()
def export_view(request, project):
    """One episode downloads at once; a longer run goes to a Celery worker with a progress bar."""
    initial = {"format": "pdf", "episodes": request.GET.get("episodes", ""), "revision": "current"}
    form = ExportForm(
        request.POST or None, initial=initial, revision_colors=selectors.revision_colors(project=project)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        episode_range = data["episodes"]
        print_request = PrintRequest(
            episode_range=episode_range, profile=data["profile"], revision=data["revision"],
            watermark=data["watermark"], revised_only=data["revised_only"], provenance=data["provenance"],
            unwritten_note=data["unwritten_note"],
        )  # fmt: skip
        single = episode_range is not None and episode_range[0] == episode_range[1]
        # Only a small export is answered inside the request; a big one would hold a web worker (and
        # its memory) for as long as it takes, so it goes to the worker like a season does.
        if (single or project.episodes.count() <= 1) and exports.fits_in_request(
            project=project, episode_range=episode_range
        ):
            try:
                return _download(
                    exports.export_file(project=project, fmt=data["format"], request=print_request)
                )
            except (NothingToPrint, RevisionNotIssued) as exc:
                messages.error(request, str(exc))
        else:
            try:
                job = export_jobs.start_export(
                    project=project, user=request.user, fmt=data["format"], request=print_request
                )
            except export_jobs.TooManyExports as exc:
                messages.error(request, str(exc))
            else:
                return redirect("export_job", slug=project.slug, pk=job.pk)
    jobs = project.export_jobs.filter(requested_by=request.user).defer("result")[:5]
    return render(request, "scripts_app/export.html", {"project": project, "form": form, "jobs": jobs})


@project_view()
def export_job(request, project, pk: int):
    job = get_object_or_404(
        ExportJob.objects.defer("result"), pk=pk, project=project, requested_by=request.user
    )
    template = "scripts_app/partials/export_job.html" if request.htmx else "scripts_app/export_job.html"
    return render(request, template, {"project": project, "job": job})


@project_view()
def export_job_download(request, project, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, project=project, requested_by=request.user)
    if job.status != ExportJob.Status.DONE or job.result is None:
        raise Http404("The export is not ready.")
    return _download(exports.ExportedFile(bytes(job.result), job.filename, job.content_type))
