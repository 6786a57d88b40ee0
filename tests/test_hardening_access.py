"""Logins are rate-limited, passwords validated, the demo seeded only into an empty database, pages
sent with a Content-Security-Policy, and HTTPS=1 passes Django's deployment checks."""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from .base import PASSWORD, BaseTestCase

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 10  # settings.AXES_FAILURE_LIMIT


class LoginLimitTestCase(BaseTestCase):
    def log_in(
        self, username: str, password: str, *, address: str = "10.0.0.1", url: str = "/accounts/login/"
    ):
        return self.client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)

    def test_an_account_is_locked_after_too_many_failed_logins_from_anywhere(self) -> None:
        for n in range(LIMIT):
            self.log_in("alice", "wrong", address=f"10.0.1.{n}")
        response = self.log_in("alice", PASSWORD, address="10.0.2.1")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed logins", status_code=429)
        self.assertEqual(self.log_in("bob", PASSWORD, address="10.0.2.1").status_code, 302)  # others may

    def test_an_address_is_locked_after_too_many_failed_logins_for_any_account(self) -> None:
        for n in range(LIMIT):
            self.log_in(f"guess{n}", "wrong", address="10.0.3.3")
        self.assertEqual(self.log_in("bob", PASSWORD, address="10.0.3.3").status_code, 429)
        self.assertEqual(self.log_in("bob", PASSWORD, address="10.0.3.4").status_code, 302)

    def test_the_admin_login_has_the_same_limits(self) -> None:
        get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
        for n in range(LIMIT):
            self.log_in("root", "wrong", address=f"10.0.4.{n}", url="/admin/login/")
        response = self.log_in("root", PASSWORD, address="10.0.5.1", url="/admin/login/")
        self.assertEqual(response.status_code, 429)

    def test_a_good_login_still_works(self) -> None:
        self.log_in("alice", "wrong")
        self.assertEqual(self.log_in("alice", PASSWORD).status_code, 302)


class PasswordTestCase(BaseTestCase):
    def test_passwords_meet_all_of_djangos_validators(self) -> None:
        user = get_user_model()(username="linwan", email="linwan@example.org")
        for weak in ("short", "12345678901", "password123", "linwan2024x"):
            with self.assertRaises(ValidationError, msg=weak):
                validate_password(weak, user)
        validate_password("a long and unusual phrase", user)


class SeedDemoTestCase(TestCase):
    def seed(self) -> str:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    def test_it_seeds_an_empty_database(self) -> None:
        self.seed()
        showrunner = get_user_model().objects.get(username="showrunner")
        self.assertTrue(showrunner.check_password("writersroom"))
        self.assertTrue(showrunner.memberships.filter(role="showrunner").exists())

    def test_it_never_resets_a_changed_password(self) -> None:
        self.seed()
        showrunner = get_user_model().objects.get(username="showrunner")
        showrunner.set_password("my own secret phrase")
        showrunner.save()
        self.seed()  # `make run` seeds on every start
        showrunner.refresh_from_db()
        self.assertTrue(showrunner.check_password("my own secret phrase"))

    def test_it_adds_no_demo_logins_to_a_database_with_real_users(self) -> None:
        get_user_model().objects.create_user("linwan", password="a long and unusual phrase")
        self.assertIn("only seeded into an empty", self.seed())
        self.assertFalse(get_user_model().objects.filter(username="showrunner").exists())

    def test_the_readme_says_the_demo_logins_exist(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        self.assertIn("showrunner / writersroom", readme)


class ContentSecurityPolicyTestCase(BaseTestCase):
    @override_settings(CSP_ENABLED=True)
    def test_pages_forbid_inline_scripts(self) -> None:
        self.login(self.bob)
        response = self.client.get(reverse("project_detail", args=["demo"]))
        policy = response["Content-Security-Policy"]
        self.assertIn("script-src 'self';", policy)
        self.assertNotIn("unsafe-inline' ;", policy.split("script-src")[1].split(";")[0])
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertIn("ws://testserver", policy)

    def test_it_is_on_whenever_debug_is_off(self) -> None:
        run = subprocess.run(
            [sys.executable, "-c", "from django.conf import settings; print(settings.CSP_ENABLED)"],
            env={**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                 "DJANGO_SETTINGS_MODULE": "writersroom.settings"},
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip
        self.assertEqual(run.stdout.strip(), "True", run.stderr)

    def test_no_template_has_an_inline_handler_or_script(self) -> None:
        # The policy blocks these: each must live in static JavaScript (static/js/app.js: data-confirm,
        # data-autosubmit) or the page silently loses it.
        handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
        inline_script = re.compile(
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
        )
        offenders = [
            str(path.relative_to(ROOT))
            for path in (ROOT / "templates").rglob("*.html")
            if handler.search(text := path.read_text(encoding="utf-8")) or inline_script.search(text)
        ]
        self.assertEqual(offenders, [])


class DeployCheckTestCase(TestCase):
    def test_https_with_debug_off_passes_the_deployment_checks(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the tests' own
        env.update(HTTPS="1", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
        run = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            env=env, capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("no issues", run.stdout)

    def test_https_turns_on_secure_cookies_hsts_and_the_redirect(self) -> None:
        code = (
            "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_PROXY_SSL_HEADER[0])"
        )
        env = {**os.environ, "HTTPS": "1", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
               "DJANGO_SETTINGS_MODULE": "writersroom.settings"}  # fmt: skip
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
        self.assertEqual(
            run.stdout.split(), ["True", "True", "True", "True", "HTTP_X_FORWARDED_PROTO"], run.stderr
        )
