"""The series' live pages: which fragments a page needs after a change, rendered for one member.

Services call `announce` (after commit) with the topics a write touched; every LiveConsumer of the
series hears it, works out with `fragments_for` what its own page shows of those topics, and renders
them here with the very partial templates the page itself includes, for the member's current role
(read again from the database on every render: a viewer never gets edit buttons).

Topics: "board" (the episode table), "episode" (an episode's facts: title, hook, cliffhanger, status,
runtime, paywall), "scenes" (an episode's scene list), "beats", "bible" (characters, locations,
synopsis...), "members", "comments" (an episode's comment threads), "suggestions" (AI proposals, on
the AI pages). `episode` is the episode's number, or None for "any episode".

Everything here is synchronous and touches the database: consumers call it through
database_sync_to_async, never on the event loop's thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from .. import selectors
from ..forms import BeatForm, MemberForm
from ..models import Episode, Membership, Project, Role, Scene
from . import broadcast, presence

TOPICS = frozenset({"board", "episode", "scenes", "beats", "bible", "members", "comments", "suggestions"})


def announce(*, project_id: int, topics: Iterable[str], episode: int | None = None) -> None:
    """Tell the series' live pages, once the current transaction commits, what changed."""
    message = {"type": "live.changed", "topics": sorted(set(topics)), "episode": episode}
    broadcast.send_after_commit(broadcast.project_group(project_id), message)


# Pages. `where` is what the page asked for in its websocket URL; anything unknown is "series".

SIMPLE_PLACES = frozenset(
    {"series", "board", "bible", "members", "export", "import", "settings", "episode-new", "ai"}
)
NUMBERED_PLACES = frozenset({"episode", "episode-edit", "read", "scene", "ai-episode", "ai-scene"})
AI_PLACES = frozenset({"ai", "ai-episode", "ai-scene"})
WHERE_RE = re.compile(r"(?P<kind>[a-z-]{1,20})(?::(?P<n>[0-9]{1,9}))?")


@dataclass(frozen=True)
class Where:
    kind: str = "series"
    n: int | None = None  # the episode's number; for "scene", the scene's id

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}" if self.n is not None else self.kind


def parse_where(value: str | None) -> Where:
    match = WHERE_RE.fullmatch((value or "").strip())
    if not match:
        return Where()
    kind, n = match["kind"], match["n"]
    if kind in SIMPLE_PLACES and n is None:
        return Where(kind)
    if kind in NUMBERED_PLACES and n is not None and int(n) > 0:
        return Where(kind, int(n))
    return Where()


# The fragments each page shows, in the order they are sent. Every page also has the presence bar
# and "who" (the signed-in user and role) in its top bar.
PAGE_FRAGMENTS = {
    "board": ("board-actions", "board", "bible"),
    "episode": ("episode-title", "episode-facts", "scenes", "script-names", "beats", "comments"),
    "members": ("members",),
    "ai": ("suggestions",),
    "ai-episode": ("suggestions",),
    "ai-scene": ("suggestions",),
}
ORDER = (
    "who", "notice", "board-actions", "board", "bible",
    "episode-title", "episode-facts", "scenes", "script-names", "beats", "comments", "members", "suggestions",
)  # fmt: skip


def page_fragments(where: Where) -> set[str]:
    return set(PAGE_FRAGMENTS.get(where.kind, ()))


def fragments_for(where: Where, topics: Iterable[str], episode: int | None) -> set[str]:
    """What of this page a change of `topics` (of episode `episode`, None: any) makes stale."""
    topics = set(topics) & TOPICS
    names: set[str] = set()
    if where.kind == "board":
        if topics & {"board", "episode", "scenes"}:
            names.add("board")  # titles, status, paywall, scene counts and runtimes are all on it
        if topics & {"bible", "scenes"}:
            names.add("bible")  # its counts and the script's new names follow the scenes
    elif where.kind == "episode" and (episode is None or episode == where.n):
        if "episode" in topics:
            names.add("episode-title")
        if topics & {"episode", "scenes"}:
            names.add("episode-facts")  # the runtime is the sum of the scenes'
        if topics & {"scenes", "bible"}:
            names.add("scenes")  # a scene card shows its location's name
            names.add("script-names")  # names the script uses that the bible does not know
        if "beats" in topics:
            names.add("beats")
        if "comments" in topics:
            names.add("comments")
    elif where.kind == "members" and "members" in topics:
        names.add("members")
    elif where.kind in AI_PLACES and "suggestions" in topics:
        # A scene's page lists that scene's proposals: its episode is not known here, so any will do.
        if where.kind != "ai-episode" or episode is None or episode == where.n:
            names.add("suggestions")
    return names


@dataclass(frozen=True)
class PageInfo:
    project_id: int
    role: str
    where: Where
    place: dict  # for the presence bar: {"kind": ..., "n": episode number, "i": scene position}


def open_page(*, slug: str, user, where: Where) -> PageInfo | None:
    """The page a member opened, its place checked against the series; None if not a member."""
    project = Project.objects.filter(slug=slug).first()
    if project is None or not getattr(user, "is_authenticated", False):
        return None
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        return None
    place: dict = {"kind": where.kind}
    if where.kind in ("scene", "ai-scene"):
        scene = Scene.objects.filter(pk=where.n, episode__project=project).select_related("episode").first()
        if scene is None:
            where, place = Where(), {"kind": "series"}
        else:
            ids = list(scene.episode.scenes.filter(omitted=False).values_list("pk", flat=True))
            place.update(n=scene.episode.number, i=ids.index(scene.pk) + 1 if scene.pk in ids else None)
    elif where.n is not None:
        place["n"] = where.n
    return PageInfo(project_id=project.pk, role=membership.role, where=where, place=place)


@dataclass(frozen=True)
class Rendered:
    html: str
    role: str | None  # None: no longer a member


def render(
    *,
    project_id: int,
    user,
    where: Where,
    names: Iterable[str],
    previous_role: str | None = None,
    cookies: dict | None = None,
    accept_language: str = "",
) -> Rendered:
    """The named fragments of `where` for `user`, each with hx-swap-oob, concatenated.

    If the user's role is not `previous_role` any more, the whole page's fragments are rendered (and
    a notice and the top bar's role) whatever was asked: edit buttons come and go with the role.
    """
    project = Project.objects.filter(pk=project_id).first()
    membership = (
        Membership.objects.filter(project_id=project_id, user_id=user.pk).select_related("user").first()
        if project is not None
        else None
    )
    if membership is None:
        return Rendered("", None)
    names = set(names)
    role_changed = previous_role is not None and membership.role != previous_role
    if role_changed:
        names |= page_fragments(where) | {"who", "notice"}
    request = _request_for(
        user=membership.user, project=project, membership=membership, cookies=cookies or {},
        accept_language=accept_language,
    )  # fmt: skip
    base = {"project": project, "membership": membership, "user": membership.user, "oob": True}
    if role_changed:
        base["notice"] = "role"
    cache: dict = {}
    parts = []
    with translation.override(_language(request.COOKIES, accept_language)):
        for name in ORDER:
            if name in names:
                template, context = _FRAGMENTS[name](project, membership, where, cache)
                if template:
                    parts.append(render_to_string(template, {**base, **context}, request=request))
    return Rendered("".join(parts), membership.role)


def render_notice(*, kind: str, cookies: dict | None = None, accept_language: str = "") -> str:
    """The notice shown before the socket closes (kind "removed"); no membership needed."""
    with translation.override(_language(cookies or {}, accept_language)):
        return render_to_string("scripts_app/partials/live_notice.html", {"notice": kind, "oob": True})


def render_presence(
    *, entries: list[dict], exclude_user: int, cookies: dict | None = None, accept_language: str = ""
) -> str:
    """The presence bar: everyone else on the series' pages, once each, where they are."""
    with translation.override(_language(cookies or {}, accept_language)):
        people = presence.people(entries, exclude_user=exclude_user)
        return render_to_string("scripts_app/partials/presence.html", {"people": people, "oob": True})


def _language(cookies: dict, accept_language: str) -> str:
    """The page's language, chosen as LocaleMiddleware chose it: language cookie, then the browser's."""
    request = HttpRequest()
    request.COOKIES = cookies
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return translation.get_language_from_request(request)


def _request_for(*, user, project, membership, cookies: dict, accept_language: str) -> HttpRequest:
    """A stand-in request, so the partials render as in a page: context processors, CSRF tokens.

    The page's CSRF cookie (sent with the websocket handshake) is the secret the tokens in pushed
    forms are made from, so a form that arrives over the socket posts like one that came with the page.
    """
    request = HttpRequest()
    request.user = user
    request.project = project
    request.membership = membership
    request.COOKIES = cookies
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    secret = cookies.get(settings.CSRF_COOKIE_NAME, "")
    if re.fullmatch(r"[A-Za-z0-9]{32}", secret):
        request.META["CSRF_COOKIE"] = secret
    return request


# One function per fragment: (project, membership, where, cache) -> (template, context). A page that
# is not about an episode any more (renumbered, deleted) renders nothing rather than failing.


def _episode(project: Project, where: Where, cache: dict) -> Episode | None:
    if where.kind != "episode":
        return None
    if "episode" not in cache:
        episode = Episode.objects.filter(project=project, number=where.n).first()
        if episode is not None:
            episode.project = project
        cache["episode"] = episode
    return cache["episode"]


def _who(project, membership, where, cache):
    return "scripts_app/partials/who.html", {}


def _notice(project, membership, where, cache):
    return "scripts_app/partials/live_notice.html", {}


def _board_actions(project, membership, where, cache):
    return "scripts_app/partials/board_actions.html", {}


def _board(project, membership, where, cache):
    return "scripts_app/partials/board.html", {
        "episodes": selectors.project_board(project=project)["episodes"]
    }


def _bible(project, membership, where, cache):
    return "scripts_app/partials/bible.html", selectors.bible_context(project=project)


def _episode_title(project, membership, where, cache):
    episode = _episode(project, where, cache)
    return ("scripts_app/partials/episode_title.html", {"episode": episode}) if episode else ("", {})


def _episode_facts(project, membership, where, cache):
    episode = _episode(project, where, cache)
    if episode is None:
        return "", {}
    return "scripts_app/partials/episode_facts.html", {
        "episode": episode,
        "revisions": list(episode.revisions.order_by("index")),
    }


def _scenes(project, membership, where, cache):
    episode = _episode(project, where, cache)
    if episode is None:
        return "", {}
    scenes = selectors.numbered_scenes(
        episode=episode, scenes=list(episode.scenes.select_related("location"))
    )
    return "scripts_app/partials/scenes.html", {
        "episode": episode,
        "scenes": scenes,
        "may_write": membership.may(Role.WRITER),
    }


def _script_names(project, membership, where, cache):
    episode = _episode(project, where, cache)
    if episode is None:
        return "", {}
    return "scripts_app/partials/script_names.html", {
        "episode": episode,
        **selectors.episode_new_names(episode=episode),
    }


def _beats(project, membership, where, cache):
    episode = _episode(project, where, cache)
    if episode is None:
        return "", {}
    return "scripts_app/partials/beats.html", {
        "episode": episode,
        "beats": list(episode.beats.select_related("scene", "author")),
        "beat_form": BeatForm(),
        "may_write": membership.may(Role.WRITER),
    }


def _comments(project, membership, where, cache):
    episode = _episode(project, where, cache)
    if episode is None:
        return "", {}
    return "scripts_app/partials/comments.html", {
        "episode": episode,
        "threads": selectors.comment_threads(episode=episode),
        "may_write": membership.may(Role.WRITER),
    }


def _suggestions(project, membership, where, cache):
    from ..ai.live import suggestions_fragment  # the AI pages' own partial and context

    return suggestions_fragment(project, membership, where, cache)


def _members(project, membership, where, cache):
    return "scripts_app/partials/members.html", {
        "members": selectors.members_of(project=project),
        "form": MemberForm(),
        "roles": Role.choices,
    }


_FRAGMENTS = {
    "who": _who,
    "notice": _notice,
    "board-actions": _board_actions,
    "board": _board,
    "bible": _bible,
    "episode-title": _episode_title,
    "episode-facts": _episode_facts,
    "scenes": _scenes,
    "script-names": _script_names,
    "beats": _beats,
    "comments": _comments,
    "members": _members,
    "suggestions": _suggestions,
}
