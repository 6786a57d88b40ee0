"""Every page works under the Content-Security-Policy that DEBUG-off serves (CSP=1 here).

Chromium reports each refused script, style or connection as a console error; a page that needs an
inline handler or an eval would break for real users in production while working in development."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from scripts_app.models import Episode, ExportJob, ImportJob, Project, Suggestion

from .live_asgi import AsgiServer
from .test_browser_editing import browser, log_in, pytestmark  # noqa: F401  (fixture and marks)


@pytest.fixture
def csp_server(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    server = AsgiServer(env={"CSP": "1"}).start()
    yield server
    server.stop()


def _pages(project: Project) -> list[str]:
    slug = project.slug
    episode = project.episodes.order_by("number").first()
    scene = episode.scenes.order_by("position").first()
    character = project.characters.first()
    location = project.locations.first()
    suggestion = Suggestion.objects.filter(project=project).first()
    pages = [
        "/", "/new/", f"/p/{slug}/", f"/p/{slug}/settings/", f"/p/{slug}/members/",
        f"/p/{slug}/characters/new/", f"/p/{slug}/characters/{character.pk}/",
        f"/p/{slug}/locations/{location.pk}/", f"/p/{slug}/episodes/new/",
        f"/p/{slug}/e/{episode.number}/edit/", f"/p/{slug}/e/{episode.number}/read/",
        f"/p/{slug}/scenes/{scene.pk}/history/", f"/p/{slug}/import/", f"/p/{slug}/export/",
        f"/p/{slug}/ai/", f"/p/{slug}/e/{episode.number}/ai/", f"/p/{slug}/scenes/{scene.pk}/ai/",
    ]  # fmt: skip
    version = scene.versions.order_by("pk").first()
    showrunner = get_user_model().objects.get(username="showrunner")  # a job's page is its requester's
    export_job = ExportJob.objects.create(
        project=project, requested_by=showrunner, status=ExportJob.Status.RUNNING, progress=40
    )
    import_job = ImportJob.objects.create(
        project=project, requested_by=showrunner, filename="big.fdx", status=ImportJob.Status.QUEUED
    )
    pages += [
        "/accounts/", "/accounts/password/", f"/p/{slug}/title-page/", f"/p/{slug}/find/?q=林晚",
        f"/p/{slug}/locations/new/", f"/p/{slug}/e/{episode.number}/comments/",
        f"/p/{slug}/scenes/{scene.pk}/history/{version.pk}/", f"/p/{slug}/exports/{export_job.pk}/",
        f"/p/{slug}/imports/{import_job.pk}/", "/admin/login/",
    ]  # fmt: skip
    if suggestion is not None:
        pages.append(f"/p/{slug}/ai/s/{suggestion.pk}/")
    return pages


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and ("Content Security Policy" in m.text or "Refused to" in m.text)
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_every_page_runs_under_the_content_security_policy(csp_server, browser) -> None:  # noqa: F811
    base = csp_server.url
    project = Project.objects.get(slug="rebirth-demo")
    page = browser.new_page(locale="zh-CN")
    problems = _watch(page)
    log_in(page, base, "showrunner", "writersroom")
    response = page.goto(f"{base}/p/{project.slug}/")
    assert "script-src" in response.headers["content-security-policy"]
    for path in _pages(project):
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert not problems, (path, problems)
    # The error pages share the layout and its scripts.
    for path, status in (("/p/no-such-series/", 404), (f"/p/{project.slug}/e/99999/", 404)):
        assert page.goto(base + path).status == status, path
        page.wait_for_load_state("load")
        assert not problems, (path, problems)


def test_the_live_editor_syncs_under_the_policy_for_each_role(csp_server, browser) -> None:  # noqa: F811
    base = csp_server.url
    episode = Episode.objects.filter(project__slug="rebirth-demo").order_by("number").first()
    scene = episode.scenes.order_by("position").first()
    for username, state in (("writer", "synced"), ("viewer", "readonly")):
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        problems = _watch(page)
        log_in(page, base, username, "writersroom")
        for path in (f"/p/rebirth-demo/e/{episode.number}/", f"/p/rebirth-demo/scenes/{scene.pk}/"):
            page.goto(base + path)
            page.wait_for_selector(f"body[data-collab-state={state}]")
            page.wait_for_selector(".cm-content")
            assert not problems, (username, path, problems)
            # Nothing under review: the AI review bar (shown by script) is hidden, whatever its CSS.
            assert not page.locator("#ai-review-bar").is_visible()
        context.close()
