"""Find and replace across the series, and the live editor's side data (SmartType names, revision
baseline). Thin: the work is in services/find_replace.py and the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ..collab import episode_text
from ..formats.elements import CAST_GROUP_WORDS
from ..layout.model import REVISION_TINTS, revision_color
from ..models import Episode, Role, SceneSnapshot
from ..permissions import project_view
from ..selectors import bible_use, split_aliases
from ..services import find_replace
from ..services.scenes import SceneTooLong


@project_view()
def editor_data(request, project, number: int):
    """What the editor completes from (the bible's names, then the script's) and, for a locked
    episode, the issued text its revision marks compare against. Every member may read it, as they
    read the bible."""
    episode = Episode.objects.filter(project=project, number=number).first()
    if episode is None:
        raise Http404("No such episode.")
    rows = list(project.characters.order_by("name").values_list("name", "aliases"))
    characters = [name for name, _aliases in rows]  # names first, then their aliases
    for _name, aliases in rows:
        characters += [a for a in split_aliases(aliases) if a not in characters]
    # Then the names this episode's script uses that the bible does not know yet (as the 人物 lines
    # and cues read them: a bracketed note is no part of a name), never a group word (全员, 众人).
    for found in bible_use(project=project, episode=episode).new_characters:
        if found.name not in CAST_GROUP_WORDS and found.name not in characters:
            characters.append(found.name)
    locations = list(project.locations.order_by("name").values_list("name", flat=True))
    revision = None
    latest = episode.revisions.order_by("-index").first() if episode.locked_at else None
    if latest is not None:
        snapshots = SceneSnapshot.objects.filter(revision=latest, omitted=False).order_by("position")
        color = revision_color(latest.index + 1)
        revision = {
            "text": episode_text.join([s.text for s in snapshots], project.script_format),
            "color": color,
            "tint": REVISION_TINTS.get(color, "#dce9ff"),
            "issued": latest.color,
        }
    return JsonResponse({"characters": characters, "locations": locations, "revision": revision})


def _options(data) -> dict:
    return {
        "q": (data.get("q") or "")[: find_replace.MAX_QUERY + 1],
        "replacement": (data.get("replacement") or "")[: find_replace.MAX_QUERY + 1],
        "whole_words": data.get("whole_words") == "1",
        "case_sensitive": data.get("case_sensitive") == "1",
    }


@project_view()
def series_find(request, project):
    options = _options(request.GET)
    hits, more, error = [], False, ""
    if options["q"]:
        try:
            hits, more = find_replace.find_in_series(
                project=project,
                query=options["q"],
                whole_words=options["whole_words"],
                case_sensitive=options["case_sensitive"],
            )
        except find_replace.FindError as exc:
            error = str(exc)
    episodes: list[dict] = []
    for hit in hits:
        if not episodes or episodes[-1]["number"] != hit.episode:
            episodes.append({"number": hit.episode, "hits": []})
        episodes[-1]["hits"].append(hit)
    context = {
        "project": project,
        "options": options,
        "hits": hits,
        "episodes": episodes,
        "more": more,
        "error": error,
        "may_write": request.membership.may(Role.WRITER),
        "max_hits": find_replace.MAX_HITS,
    }
    return render(request, "scripts_app/find.html", context)


@require_POST
@project_view(Role.WRITER)
def series_replace(request, project):
    options = _options(request.POST)
    query = {k: v for k, v in options.items() if v and v is not False}
    query = {k: ("1" if v is True else v) for k, v in query.items()}
    back = reverse("series_find", args=[project.slug]) + "?" + urlencode(query)
    common = {
        "project": project,
        "query": options["q"],
        "replacement": options["replacement"],
        "user": request.user,
        "whole_words": options["whole_words"],
        "case_sensitive": options["case_sensitive"],
    }
    try:
        if request.POST.get("all") == "1":
            count, episodes = find_replace.replace_all(**common)
            where = ngettext("in %(e)d episode", "in %(e)d episodes", episodes) % {"e": episodes}
            said = ngettext(
                "Replaced %(n)d occurrence %(where)s.", "Replaced %(n)d occurrences %(where)s.", count
            )
            messages.success(request, said % {"n": count, "where": where})
        else:
            try:
                number, start = int(request.POST.get("episode", "")), int(request.POST.get("start", ""))
            except ValueError:
                raise find_replace.StaleHit(_("Pick a hit to replace.")) from None
            find_replace.replace_one(episode_number=number, start=start, **common)
            messages.success(request, _("Replaced 1 occurrence in episode %(n)d.") % {"n": number})
    except (find_replace.FindError, SceneTooLong) as exc:
        messages.error(request, str(exc))
    return redirect(back)
