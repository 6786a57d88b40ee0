"""In Chromium at 1440 and 390 px: no page of the app scrolls sideways, for any role, in either language,
and no page breaks the Content-Security-Policy (the server runs with CSP=1)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from scripts_app.models import Character, Episode, Membership, Project, Role
from scripts_app.services.episodes import create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

from .live_asgi import AsgiServer
from .test_browser_editing import browser, pytestmark  # noqa: F401  (fixture and marks)

WIDTHS = (1440, 390)

SCREENPLAY = (
    "INT. DISPATCH ROOM - NIGHT\n\nPhones ring. MARA (30s) takes three calls at once, a very long line of "
    "action that has to wrap on a phone rather than push the page wider than the screen.\n\n"
    "MARA\n(into the headset)\nDispatch. Where are you? Tell me the name of the nearest cross street.\n\n"
    "CUT TO:\n\nEXT. MOTORWAY BRIDGE - NIGHT\n\nRain. A car sits across two lanes.\n"
)

# Collects CSP violations as the page reports them (the console also says so; both are checked).
CSP_PROBE = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation', "
    "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
OVERFLOW = "[document.scrollingElement.scrollWidth, window.innerWidth]"
# What sticks out, to make a failure readable.
CULPRITS = """() => [...document.querySelectorAll('body *')]
  .map(el => [el, el.getBoundingClientRect()]).filter(([el, r]) => r.right > innerWidth + 1 && r.width > 0)
  .slice(0, 5).map(([el, r]) => el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right))"""


@pytest.fixture
def room(transactional_db):
    """The demo series (seed_demo: its users of every role) and a Fountain series."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = Project.objects.get(language="zh")
    owner = Membership.objects.get(project=demo, role=Role.SHOWRUNNER).user
    heist = create_project(user=owner, title="The Heist", slug="heist", script_format="fountain")
    for membership in demo.memberships.exclude(user=owner):
        Membership.objects.create(project=heist, user=membership.user, role=membership.role)
    episode = create_episode(project=heist, number=1, title="Night Shift")
    create_scene(episode=episode, user=owner, text=SCREENPLAY)
    # As deployed: DEBUG off (so the 404 is the app's page, not Django's debug page), CSP on.
    server = AsgiServer(env={"CSP": "1", "DEBUG": "0", "SECRET_KEY": "layout-test-" + "k" * 50}).start()
    yield server, demo, heist
    server.stop()


def pages(demo: Project, heist: Project) -> dict[str, str]:
    episode = Episode.objects.get(project=demo, number=1)
    scene = episode.scenes.first()
    f_episode = heist.episodes.get(number=1)
    character = Character.objects.filter(project=demo).first()
    urls = {
        "series list": reverse("project_list"),
        "new series": reverse("project_create"),
        "board": reverse("project_detail", args=[demo.slug]),
        "settings": reverse("project_settings", args=[demo.slug]),
        "members": reverse("members", args=[demo.slug]),
        "episode": reverse("episode_detail", args=[demo.slug, 1]),
        "episode form": reverse("episode_edit", args=[demo.slug, 1]),
        "new episode": reverse("episode_create", args=[demo.slug]),
        "read": reverse("episode_read", args=[demo.slug, 1]),
        "scene": reverse("scene_edit", args=[demo.slug, scene.pk]),
        "history": reverse("scene_history", args=[demo.slug, scene.pk]),
        "character": reverse("character_edit", args=[demo.slug, character.pk]),
        "new location": reverse("location_new", args=[demo.slug]),
        "import": reverse("import", args=[demo.slug]),
        "export": reverse("export", args=[demo.slug]),
        "ai": reverse("ai_home", args=[demo.slug]),
        "ai episode": reverse("ai_episode", args=[demo.slug, 1]),
        "ai scene": reverse("ai_scene", args=[demo.slug, scene.pk]),
        "fountain board": reverse("project_detail", args=[heist.slug]),
        "fountain episode": reverse("episode_detail", args=[heist.slug, 1]),
        "fountain scene": reverse("scene_edit", args=[heist.slug, f_episode.scenes.first().pk]),
        "fountain read": reverse("episode_read", args=[heist.slug, 1]),
        "not found": "/no/such/page/",
    }
    try:  # the series-wide find page, where this checkout has it
        urls["find"] = reverse("series_find", args=[demo.slug])
    except NoReverseMatch:
        pass
    return urls


def check_every_page(browser, server, urls: dict[str, str], username: str, language: str) -> list[str]:  # noqa: F811
    problems = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
        context.add_init_script(CSP_PROBE)
        page = context.new_page()
        console: list[str] = []

        def on_console(message, console=console) -> None:
            if "Content Security Policy" in message.text:
                console.append(message.text)

        page.on("console", on_console)
        page.goto(f"{server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "writersroom")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        for name, url in urls.items():
            console.clear()
            page.goto(server.url + url)
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready")
            if page.locator("#editor").count():  # the live editor is the widest thing a page grows
                page.wait_for_selector("#editor .cm-editor")
            scroll_width, inner_width = page.evaluate(OVERFLOW)
            where = f"{username} {language} {width}px {name} ({url})"
            if scroll_width > inner_width:
                problems.append(f"{where}: {scroll_width} > {inner_width}: {page.evaluate(CULPRITS)}")
            violations = page.evaluate("window.__csp") + console
            if violations:
                problems.append(f"{where}: CSP {violations}")
        context.close()
    return problems


@pytest.mark.parametrize("username", ["showrunner", "writer", "viewer"])
def test_no_page_scrolls_sideways_or_breaks_the_csp(room, browser, username) -> None:  # noqa: F811
    server, demo, heist = room
    urls = pages(demo, heist)
    problems = check_every_page(browser, server, urls, username, "en")
    assert problems == []


def test_no_page_scrolls_sideways_in_chinese(room, browser) -> None:  # noqa: F811
    server, demo, heist = room
    problems = check_every_page(browser, server, pages(demo, heist), "showrunner", "zh-hans")
    assert problems == []


def test_the_board_reads_as_cards_on_a_phone(room, browser) -> None:  # noqa: F811
    """At 390 px the board's rows stack (no table header row), each with its hook or a 'missing' mark."""
    server, demo, heist = room
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", "showrunner")
    page.fill("#id_password", "writersroom")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/p/{demo.slug}/")
    rows = page.locator("table.episodes tbody tr")
    row_display = "getComputedStyle(document.querySelector('table.episodes tbody tr')).display"
    assert page.evaluate(row_display) == "grid"
    assert page.locator("table.episodes thead").bounding_box()["height"] <= 1
    for i in range(rows.count()):
        hook = rows.nth(i).locator("td").nth(2)
        assert hook.locator(".present, .missing").count() == 1
    assert page.evaluate("document.querySelector('#lang-select').getBoundingClientRect().width") > 60
