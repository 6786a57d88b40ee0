"""403, 404 and 500 pages in the app's own layout, each with a way back (writersroom/urls.py's handlers).

A 403 here is a member whose role is too low (non-members get a 404, permissions.py), so its way back
is the series' board; the others go back to the page the person came from when it is on this site,
and to the series list otherwise.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import Membership

logger = logging.getLogger(__name__)


def _back(request: HttpRequest) -> str:
    """The referring page when it is ours (and not the failing page itself), else ''."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer.endswith(request.path):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if allowed else ""


def _series(request: HttpRequest):
    """The series of the URL, for a member only (so a 403 never reveals a series to an outsider)."""
    slug = (getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get("slug")) or ""
    if not slug or not request.user.is_authenticated:
        return None, None
    membership = (
        Membership.objects.select_related("project").filter(project__slug=slug, user=request.user).first()
    )
    return (membership.project, membership) if membership else (None, None)


def _page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    project, membership = _series(request) if status == 403 else (None, None)
    context.update(
        back=_back(request),
        home=reverse("project_detail", args=[project.slug]) if project else reverse("project_list"),
        series=project,
        membership=membership,
    )
    return render(request, template, context, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (an old tab, cookies off): same layout, and what to do."""
    return _page(request, "403.html", 403, csrf=True)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The layout needs the request's context (user, language); if even that fails, plain text."""
    try:
        return _page(request, "500.html", 500)
    except Exception:  # the page must answer whatever broke; the original error is already logged
        logger.exception("the 500 page itself failed")
        return HttpResponseServerError(
            b"<!doctype html><title>Server error</title><h1>Server error</h1>"
            b"<p><a href='/'>Writers' Room</a></p>"
        )
