"""In Chromium at 1440 and 390 px: no page of the app scrolls sideways, for any role, in either language,
and no page breaks the Content-Security-Policy (the server runs with CSP=1).

One browser session per role and width walks every page in English, then in Chinese; the pages a
visitor sees logged out (the login page, an invitation link) come first."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from scripts_app.models import Character, Episode, ExportJob, ImportJob, Membership, Project, Role
from scripts_app.services import projects
from scripts_app.services.accounts import set_display_name
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


# A file in the other script format than the demo series' own: the import asks before converting it.
FOUNTAIN_FILE = b"# Episode 9\n\nINT. DISPATCH ROOM - NIGHT\n\nPhones ring.\n\nMARA\nDispatch.\n"
IMPORTED = (
    "imported 3 episodes, 42 scenes, 7 new characters (the file names 12 characters; 5 were already in the "
    "bible). 7 characters came with bios from the file's character list (人物小传): 林晚, 顾承泽, 小桃, "
    "苏柔, 林父, 林母 and 1 more."
)


@pytest.fixture
def room(transactional_db):
    """The demo series (seed_demo: its users of every role), a Fountain series, a series where everyone
    is only a viewer (its settings are the 403 page), one that invites everyone, and each person's
    import and export jobs."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = Project.objects.get(language="zh")
    owner = Membership.objects.get(project=demo, role=Role.SHOWRUNNER).user
    heist = create_project(user=owner, title="The Heist", slug="heist", script_format="fountain")
    for membership in demo.memberships.exclude(user=owner):
        Membership.objects.create(project=heist, user=membership.user, role=membership.role)
    episode = create_episode(project=heist, number=1, title="Night Shift")
    create_scene(episode=episode, user=owner, text=SCREENPLAY)
    stranger = get_user_model().objects.create_user("stranger", password="x" * 20)
    set_display_name(user=stranger, name="外请统筹·欧阳娜娜（制片中心）")
    forbidden = create_project(user=stranger, title="别人的剧", slug="theirs", script_format="zh")
    inviting = create_project(
        user=stranger, title="一部名字很长很长的新剧：总裁的契约新娘与她的三个秘密", slug="inviting",
        script_format="zh",
    )  # fmt: skip
    for membership in demo.memberships.all():
        Membership.objects.create(project=forbidden, user=membership.user, role=Role.VIEWER)
        projects.invite(project=inviting, invited_by=stranger, who=membership.user.username, role=Role.WRITER)
        ExportJob.objects.create(
            project=demo, requested_by=membership.user, params={"format": "pdf"}, status="done",
            progress=100, filename=f"{demo.slug}-ep1-80-shooting-script.pdf", content_type="application/pdf",
            result=b"%PDF",
        )  # fmt: skip
        ImportJob.objects.create(
            project=demo, requested_by=membership.user, status="done", progress=100, message=IMPORTED,
            filename="重生之千金归来_第1-80集_完整剧本_终稿_v3.txt",
        )  # fmt: skip
    link = projects.invite(project=inviting, invited_by=stranger, who="", role=Role.VIEWER)
    # As deployed: DEBUG off (so the 404 is the app's page, not Django's debug page), CSP on.
    server = AsgiServer(env={"CSP": "1", "DEBUG": "0", "SECRET_KEY": "layout-test-" + "k" * 50}).start()
    yield server, demo, heist, reverse("invite_link", args=[link.token])
    server.stop()


def upload_for_conversion(page, server, demo: Project) -> None:
    """The import page asking "Convert this file?" (a Fountain file into the Chinese series)."""
    page.goto(server.url + reverse("import", args=[demo.slug]))
    if not page.locator("input[type=file]").count():  # a viewer gets the 403 page, measured as it is
        return
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "pilot.fountain", "mimeType": "text/plain", "buffer": FOUNTAIN_FILE}],
    )
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector(".import-confirm")


def pages(demo: Project, heist: Project, username: str) -> dict[str, object]:
    """Name -> the page's address, or a function that opens it in the browser (a form's answer)."""
    user = get_user_model().objects.get(username=username)
    episode = Episode.objects.get(project=demo, number=1)
    scene = episode.scenes.first()
    f_episode = heist.episodes.get(number=1)
    character = Character.objects.filter(project=demo).first()
    urls: dict[str, object] = {
        "series list": reverse("project_list"),
        "new series": reverse("project_create"),
        "account": reverse("account"),
        "password change": reverse("password_change"),
        "board": reverse("project_detail", args=[demo.slug]),
        "settings": reverse("project_settings", args=[demo.slug]),
        "members": reverse("members", args=[demo.slug]),
        "title page": reverse("title_page", args=[demo.slug]),
        "episode": reverse("episode_detail", args=[demo.slug, 1]),
        "episode form": reverse("episode_edit", args=[demo.slug, 1]),
        "new episode": reverse("episode_create", args=[demo.slug]),
        "read": reverse("episode_read", args=[demo.slug, 1]),
        "scene": reverse("scene_edit", args=[demo.slug, scene.pk]),
        "history": reverse("scene_history", args=[demo.slug, scene.pk]),
        "scene version": reverse("scene_version", args=[demo.slug, scene.pk, scene.versions.first().pk]),
        "character": reverse("character_edit", args=[demo.slug, character.pk]),
        "new location": reverse("location_new", args=[demo.slug]),
        "import": reverse("import", args=[demo.slug]),
        "import confirm": lambda page, server: upload_for_conversion(page, server, demo),
        "import job": reverse("import_job", args=[demo.slug, ImportJob.objects.get(requested_by=user).pk]),
        "export": reverse("export", args=[demo.slug]),
        "export job": reverse("export_job", args=[demo.slug, ExportJob.objects.get(requested_by=user).pk]),
        "find with hits": reverse("series_find", args=[demo.slug]) + "?q=林晚",
        "ai": reverse("ai_home", args=[demo.slug]),
        "ai episode": reverse("ai_episode", args=[demo.slug, 1]),
        "ai scene": reverse("ai_scene", args=[demo.slug, scene.pk]),
        "fountain board": reverse("project_detail", args=[heist.slug]),
        "fountain episode": reverse("episode_detail", args=[heist.slug, 1]),
        "fountain scene": reverse("scene_edit", args=[heist.slug, f_episode.scenes.first().pk]),
        "fountain read": reverse("episode_read", args=[heist.slug, 1]),
        "forbidden": reverse("project_settings", args=["theirs"]),
        "find": reverse("series_find", args=[demo.slug]),
        "not found": "/no/such/page/",
    }
    return urls


def measure(page, where: str, console: list[str]) -> list[str]:
    """What is wrong with the page on screen: sideways scrolling, CSP violations."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    if page.locator("#editor").count():  # the live editor is the widest thing a page grows
        page.wait_for_selector("#editor .cm-editor")
    problems = []
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        problems.append(f"{where}: {scroll_width} > {inner_width}: {page.evaluate(CULPRITS)}")
    violations = page.evaluate("window.__csp") + console
    if violations:
        problems.append(f"{where}: CSP {violations}")
    return problems


def check_every_page(browser, server, urls: dict[str, object], username: str, *, logged_out: dict[str, str]):  # noqa: F811
    """Each width: one session that sees the logged-out pages, logs in, and walks `urls` in both languages."""
    problems = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        context.add_init_script(CSP_PROBE)
        page = context.new_page()
        console: list[str] = []

        def on_console(message, console=console) -> None:
            if "Content Security Policy" in message.text:
                console.append(message.text)

        page.on("console", on_console)
        for language in ("en", "zh-hans"):
            context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
            for name, url in logged_out.items():
                console.clear()
                page.goto(server.url + url)
                problems += measure(page, f"logged out {language} {width}px {name} ({url})", console)
        page.goto(f"{server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "writersroom")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        for language in ("en", "zh-hans"):
            context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
            for name, url in urls.items():
                console.clear()
                if callable(url):
                    url(page, server)
                    url = "(a form's answer)"
                else:
                    page.goto(server.url + url)
                problems += measure(page, f"{username} {language} {width}px {name} ({url})", console)
        context.close()
    return problems


@pytest.mark.parametrize("username", ["showrunner", "writer", "viewer"])
def test_no_page_scrolls_sideways_or_breaks_the_csp_in_either_language(room, browser, username) -> None:  # noqa: F811
    server, demo, heist, invite_link = room
    logged_out = {"login": "/accounts/login/", "signup": "/accounts/signup/", "invitation link": invite_link}
    problems = check_every_page(
        browser, server, pages(demo, heist, username), username, logged_out=logged_out
    )
    assert problems == [], "\n".join(problems)


def test_the_board_reads_as_cards_on_a_phone(room, browser) -> None:  # noqa: F811
    """At 390 px the board's rows stack (no table header row), each with its hook or a 'missing' mark."""
    server, demo, heist, _invite_link = room
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
