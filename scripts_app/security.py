"""The Content-Security-Policy header (on with DEBUG off; settings.CSP_ENABLED).

Scripts only from our own static files: no inline <script>, no on…= attributes, no eval, so text a
writer or a model put into a scene can never run even if some template forgot to escape it. Styles
may be inline (htmx and the editor add <style> elements). The live pages and the editor talk to
this host over websockets, which older browsers do not count as 'self'.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self' {websockets}; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CSP_ENABLED and "Content-Security-Policy" not in response:
            host = request.get_host()
            response["Content-Security-Policy"] = POLICY.format(websockets=f"ws://{host} wss://{host}")
        return response
