"""One place that answers "may this user do this to this project".

Non-members get 404 (a series' existence is not revealed); members whose role
is too low get 403. Every view goes through `project_view`; websocket
consumers call `membership_for` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership, Project, Role


def membership_for(*, user, project: Project) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(project=project, user=user).first()


def require_role(*, user, project: Project, role: str) -> Membership:
    membership = membership_for(user=user, project=project)
    if membership is None:
        raise Http404("No such series.")
    if not membership.may(role):
        raise PermissionDenied("Your role on this series does not allow that.")
    return membership


def project_view(role: str = Role.VIEWER) -> Callable:
    """Decorate a view taking (request, slug, ...): it receives project and membership instead of slug."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            project = Project.objects.filter(slug=slug).first()
            if project is None:
                raise Http404("No such series.")
            membership = require_role(user=request.user, project=project, role=role)
            request.project = project
            request.membership = membership
            return view(request, project, *args, **kwargs)

        return wrapper

    return decorator
