"""403, 404 and 500 pages are in the app's layout with a way back; a 403 is logged as one line."""

from __future__ import annotations

import io
import logging

from django.test import override_settings
from django.urls import reverse

from .base import BaseTestCase


@override_settings(DEBUG=False)
class ErrorPagesTestCase(BaseTestCase):
    def test_a_viewer_gets_a_403_page_in_the_layout_with_the_way_back_to_the_series(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("project_settings", args=["demo"]))
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "base.html")
        self.assertContains(response, 'class="topbar"', status_code=403)
        self.assertContains(response, "Not allowed", status_code=403)
        self.assertContains(response, "Viewer", status_code=403)
        self.assertContains(response, f'href="{reverse("project_detail", args=["demo"])}"', status_code=403)

    def test_a_403_goes_back_to_the_referring_page_of_this_site_only(self) -> None:
        self.login(self.charlie)
        url = reverse("project_settings", args=["demo"])
        ours = "http://testserver" + reverse("project_detail", args=["demo"])
        response = self.client.get(url, HTTP_REFERER=ours)
        self.assertContains(response, f'href="{ours}"', status_code=403)
        response = self.client.get(url, HTTP_REFERER="https://evil.example/x")
        self.assertNotContains(response, "evil.example", status_code=403)

    def test_an_unknown_page_is_a_404_in_the_layout_with_the_way_back_to_the_series_list(self) -> None:
        self.login(self.bob)
        response = self.client.get("/no/such/page/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "base.html")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, f'href="{reverse("project_list")}"', status_code=404)

    def test_an_outsider_gets_the_same_404_and_no_series_name(self) -> None:
        self.login(self.mallory)
        response = self.client.get(reverse("project_settings", args=["demo"]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Demo", status_code=404)

    def test_a_404_page_is_in_chinese_for_a_chinese_reader(self) -> None:
        self.login(self.bob)
        response = self.client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(response, "页面不存在", status_code=404)

    def test_a_server_error_is_a_500_page_in_the_layout(self) -> None:
        from scripts_app.views import errors

        self.login(self.bob)
        request = self.client.get(reverse("project_list")).wsgi_request
        response = errors.server_error(request)
        self.assertEqual(response.status_code, 500)
        self.assertIn(b'class="topbar"', response.content)
        self.assertIn(b"Something went wrong", response.content)
        self.assertIn(reverse("project_list").encode(), response.content)

    def logged(self, url: str) -> list[str]:
        """What the configured handlers (settings.LOGGING on top of Django's own) print for a request."""
        stream = io.StringIO()
        logger: logging.Logger | None = logging.getLogger("django.request")
        while logger is not None:
            for handler in logger.handlers:
                if type(handler) is logging.StreamHandler:  # not pytest's capturing handlers
                    self.addCleanup(handler.setStream, handler.setStream(stream))
            logger = logger.parent if logger.propagate else None
        self.client.get(url)
        return stream.getvalue().strip().splitlines()

    def test_a_403_is_logged_as_one_line_without_a_traceback(self) -> None:
        self.login(self.charlie)
        lines = self.logged(reverse("project_settings", args=["demo"]))
        self.assertEqual(lines, ["Forbidden (Permission denied): /p/demo/settings/"])

    def test_a_403_is_logged_once_in_development_too(self) -> None:
        self.login(self.charlie)
        with override_settings(DEBUG=True):  # Django's own console handler prints only in DEBUG
            lines = self.logged(reverse("project_settings", args=["demo"]))
        self.assertEqual(lines, ["Forbidden (Permission denied): /p/demo/settings/"])

    def test_other_errors_keep_their_traceback(self) -> None:
        from writersroom.log import ForbiddenOneLine

        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
        record.status_code = 500
        ForbiddenOneLine().filter(record)
        self.assertIsNotNone(record.exc_info)

    def test_a_form_without_its_csrf_token_gets_the_403_page_saying_what_to_do(self) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.bob)
        response = client.post(reverse("episode_create", args=["demo"]), {"number": 2})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, 'class="topbar"', status_code=403)
        self.assertContains(response, "Reload the page and try again", status_code=403)
        self.assertFalse(self.project.episodes.filter(number=2).exists())
