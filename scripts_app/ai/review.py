"""Review: people accept, edit or reject what a model proposed; only then does it enter the series.

Structured proposals (bible, episode list, beats, alternatives) are lists of items, each decided on
its own. Each item remembers what its target looked like when the proposal was made (`base`); if a
colleague changed that target since, accepting the item is refused and the item marked stale.

Text proposals (draft, rewrite) are diffed against the text they were made against; a person accepts
all hunks or some (by index). The accepted hunks are carried onto the current text inside the one
door for text changes (collab/documents.py), under its lock: if a colleague changed the lines a hunk
replaces, nothing is written and the proposal is marked stale.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from ..collab import documents, episode_text
from ..models import Beat, Character, Episode, Location, Project, Scene, Suggestion
from ..services import bible, episodes, projects
from . import hunks as hunk_ops
from . import provenance, schemas

Status = Suggestion.Status
Kind = Suggestion.Kind

CHARACTER_FIELDS = (
    "name",
    "age",
    "look",
    "identity",
    "relationships",
    "personality",
    "speech_habits",
    "goal",
    "secret",
)
LOCATION_FIELDS = ("name", "int_ext", "look", "props")
EPISODE_FIELDS = ("title", "summary", "hook", "cliffhanger")
TEXT_KINDS = (Kind.DRAFT, Kind.REWRITE)


class ReviewError(ValueError):
    """A decision that can't be made; the message is shown to the person."""


class StaleItem(ValueError):
    """The item's target changed since the proposal was made."""


# ---- Items as proposed ---------------------------------------------------------------------------


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _episode_snapshot(episode: Episode) -> dict:
    return {**_snapshot(episode, EPISODE_FIELDS), "paywall": episode.is_paywall}


def bible_items(*, project: Project, proposal: schemas.BibleProposal) -> list[dict]:
    items = []
    for field in ("synopsis", "style_guide"):
        value = getattr(proposal, field)
        if value:
            items.append({"kind": field, "value": value, "base": getattr(project, field), "decision": None})
    known = {c.name: c for c in project.characters.all()}
    for character in proposal.characters:
        existing = known.get(character.name)
        base = _snapshot(existing, CHARACTER_FIELDS) if existing else None
        items.append({"kind": "character", "value": character.model_dump(), "base": base, "decision": None})
    places = {loc.name: loc for loc in project.locations.all()}
    for location in proposal.locations:
        existing = places.get(location.name)
        base = _snapshot(existing, LOCATION_FIELDS) if existing else None
        items.append({"kind": "location", "value": location.model_dump(), "base": base, "decision": None})
    return items


def episode_items(*, project: Project, episodes: list[schemas.EpisodeItem]) -> list[dict]:
    existing = {e.number: e for e in project.episodes.all()}
    items = []
    for item in sorted(episodes, key=lambda e: e.number):
        episode = existing.get(item.number)
        if episode is not None:
            episode.project = project
        base = _episode_snapshot(episode) if episode else None
        items.append({"kind": "episode", "value": item.model_dump(), "base": base, "decision": None})
    return items


# ---- Deciding items ------------------------------------------------------------------------------


def _lock(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    # Related rows are read fresh, outside the lock's FOR UPDATE (which can't follow nullable joins).
    locked.project = Project.objects.get(pk=locked.project_id)
    if locked.episode_id:
        locked.episode = Episode.objects.select_related("project").get(pk=locked.episode_id)
    if locked.status != Status.PENDING:
        raise ReviewError(
            _("This proposal is not waiting for review (it is %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _clean(item: dict, value):
    """An edited value, validated like a model's answer (a person's edit is bounded the same way)."""
    kind = item["kind"]
    try:
        if kind == "character":
            return schemas.CharacterItem.model_validate({**item["value"], **(value or {})}).model_dump()
        if kind == "location":
            return schemas.LocationItem.model_validate({**item["value"], **(value or {})}).model_dump()
        if kind == "episode":
            data = {**item["value"], **(value or {}), "number": item["value"]["number"]}
            return schemas.EpisodeItem.model_validate(data).model_dump()
    except ValidationError as exc:
        raise ReviewError(
            _("The edited item is not valid: %(why)s") % {"why": exc.errors()[0]["msg"]}
        ) from exc
    text = str(value).strip()
    if not text:
        raise ReviewError(_("The edited text is empty."))
    if len(text) > schemas.LONG:
        raise ReviewError(_("The edited text is too long."))
    return text


def decide_item(*, suggestion: Suggestion, user, index: int, accept: bool, value=None) -> Suggestion:
    """Accept (with `value`: as edited) or reject item `index` of a structured proposal."""
    with transaction.atomic():
        locked = _lock(suggestion)
        items = locked.content.get("items") or []
        if not 0 <= index < len(items):
            raise ReviewError(_("No such item in this proposal."))
        item = items[index]
        if item.get("decision"):
            raise ReviewError(_("This item was already decided."))
        now = timezone.now().isoformat()
        if accept:
            clean = _clean(item, value) if value is not None else item["value"]
            edited = clean != item["value"]
            try:
                with transaction.atomic():
                    _apply_item(locked, item, clean, user)
                item["decision"] = "edited" if edited else "accepted"
                if edited:
                    item["edited"] = clean
            except StaleItem as exc:
                item["decision"], item["reason"] = "stale", str(exc)
            if item["kind"] == "option" and item["decision"] != "stale":
                # Alternatives are one choice: the others are declined with it.
                for other in items:
                    if other is not item and not other.get("decision"):
                        other.update(decision="rejected", by=user.pk, at=now)
        else:
            _reject_item(locked, item)
            item["decision"] = "rejected"
        item.update(by=user.pk, at=now)
        _settle(locked, user)
    return locked


def _apply_item(s: Suggestion, item: dict, value, user) -> None:
    kind = item["kind"]
    project = s.project
    if kind in ("synopsis", "style_guide"):
        if getattr(project, kind) != item["base"]:
            raise StaleItem(_("Someone changed this since the proposal was made."))
        projects.update_project(project=project, **{kind: value})
    elif kind == "character":
        _apply_bible_entry(
            project,
            item,
            value,
            model=Character,
            fields=CHARACTER_FIELDS,
            save=bible.save_character,
            arg="character",
        )
    elif kind == "location":
        _apply_bible_entry(
            project,
            item,
            value,
            model=Location,
            fields=LOCATION_FIELDS,
            save=bible.save_location,
            arg="location",
        )
    elif kind == "episode":
        _apply_episode(project, item, value)
    elif kind == "beat":
        beat = (
            Beat.objects.filter(pk=item.get("beat"), episode__project=project)
            .select_related("episode")
            .first()
        )
        if beat is None:
            raise StaleItem(_("This beat was deleted meanwhile."))
        episodes.update_beat(beat=beat, status=Beat.Status.ACCEPTED, text=value)
    elif kind == "option":
        _apply_option(s, value, user)
    else:
        raise ReviewError(_("This item can't be accepted."))


def _apply_bible_entry(project, item, value, *, model, fields, save, arg) -> None:
    existing = model.objects.filter(project=project, name=value["name"]).first()
    if item["base"] is None:
        if existing is not None:
            raise StaleItem(
                _("The bible already has “%(name)s” (added since the proposal).") % {"name": value["name"]}
            )
        save(project=project, **{f: value.get(f, "") for f in fields})
        return
    original = model.objects.filter(project=project, name=item["base"]["name"]).first()
    if original is None or _snapshot(original, fields) != item["base"]:
        raise StaleItem(
            _("Someone changed “%(name)s” since the proposal was made.") % {"name": item["base"]["name"]}
        )
    if existing is not None and existing.pk != original.pk:
        raise StaleItem(_("The bible already has “%(name)s”.") % {"name": value["name"]})
    save(project=project, **{arg: original}, **{f: value.get(f, "") for f in fields})


def _apply_episode(project: Project, item: dict, value: dict) -> None:
    number = item["value"]["number"]
    episode = Episode.objects.select_related("project").filter(project=project, number=number).first()
    fields = {f: value.get(f, "") for f in EPISODE_FIELDS}
    if item["base"] is None:
        if episode is not None:
            raise StaleItem(_("Episode %(n)s was added since the proposal was made.") % {"n": number})
        episodes.create_episode(
            project=project, number=number, is_paywall=bool(value.get("paywall")), **fields
        )
        return
    if episode is None or _episode_snapshot(episode) != item["base"]:
        raise StaleItem(_("Someone changed episode %(n)s since the proposal was made.") % {"n": number})
    episodes.update_episode(episode=episode, is_paywall=bool(value.get("paywall")), **fields)


def _with_option(s: Suggestion, value: str) -> str:
    """The scene's text with an alternative in place of the selected line (its own line end kept)."""
    start, end = s.request["selection"]
    selected = s.base_text[start:end]
    tail = selected[len(selected.rstrip("\n")) :]
    return s.base_text[:start] + value.strip("\n") + tail + s.base_text[end:]


def _apply_option(s: Suggestion, value: str, user) -> None:
    target = s.request.get("target")
    if target in ("hook", "cliffhanger"):
        episode = s.episode
        if getattr(episode, target) != s.base_text:
            raise StaleItem(_("Someone changed the %(what)s since the proposal was made.") % {"what": target})
        episodes.update_episode(episode=episode, **{target: value})
        return
    all_hunks = hunk_ops.diff(s.base_text, _with_option(s, value))
    try:
        _write(s, all_hunks, {h.index for h in all_hunks}, user)
    except (hunk_ops.Conflict, documents.SceneNotInText) as exc:
        raise StaleItem(_("Someone changed this line since the proposal was made.")) from exc


def _reject_item(s: Suggestion, item: dict) -> None:
    if item["kind"] == "beat":
        beat = (
            Beat.objects.filter(pk=item.get("beat"), episode__project=s.project)
            .select_related("episode")
            .first()
        )
        if beat is not None and beat.status == Beat.Status.PROPOSED:
            episodes.update_beat(beat=beat, status=Beat.Status.REJECTED)


def _settle(s: Suggestion, user) -> None:
    """The proposal's status from its items' (or hunks') decisions."""
    if s.kind in TEXT_KINDS:
        count = len(hunk_ops.diff(s.base_text, s.text))
        decisions = [s.content.get("hunks", {}).get(str(i)) for i in range(count)]
    else:
        decisions = [i.get("decision") for i in s.content.get("items") or []]
    s.decided_by, s.decided_at = user, timezone.now()
    if any(d is None for d in decisions):
        s.status = Status.PENDING
    else:
        taken = sum(d in ("accepted", "edited") for d in decisions)
        if decisions and taken == len(decisions):
            s.status = Status.ACCEPTED
        elif taken:
            s.status = Status.PARTLY_ACCEPTED
        elif "stale" in decisions:
            s.status = Status.STALE
        else:
            s.status = Status.REJECTED
    s.save()
    _announce(s)


def _announce(s: Suggestion) -> None:
    from .generate import _announce as announce_suggestion  # generate imports this module

    announce_suggestion(s)


def sync_beats(*, suggestion: Suggestion) -> None:
    """Beats accepted or rejected on the beat list count as decisions on their proposal too."""
    if suggestion.kind != Kind.BEATS or suggestion.status != Status.PENDING:
        return
    items = suggestion.content.get("items") or []
    open_items = {i["beat"]: i for i in items if not i.get("decision")}
    if not open_items:
        return
    rows = dict(Beat.objects.filter(pk__in=open_items).values_list("pk", "status"))
    changed = False
    for pk, item in open_items.items():
        status = rows.get(pk)
        if status in (Beat.Status.ACCEPTED, Beat.Status.REJECTED):
            item["decision"] = "accepted" if status == Beat.Status.ACCEPTED else "rejected"
            changed = True
        elif status is None:
            item["decision"], item["reason"] = "stale", _("This beat was deleted meanwhile.")
            changed = True
    if changed:
        with transaction.atomic():
            locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
            if locked.status == Status.PENDING:
                locked.content = suggestion.content
                _settle(locked, suggestion.decided_by)
                suggestion.status = locked.status


# ---- Text proposals ------------------------------------------------------------------------------


def _scope(s: Suggestion) -> str:
    """Whether the proposal's text is one scene's or the whole episode's."""
    if s.kind == Kind.DRAFT and s.request.get("scope") != "scene":
        return "episode"
    return "scene"  # rewrites, redrafted scenes and alternative lines


def _stored_scenes(episode: Episode) -> list[episode_text.StoredScene]:
    locked = bool(episode.locked_at)
    return [
        episode_text.StoredScene(s.pk, s.text, s.locked_number if locked else "", s.omitted)
        for s in episode.scenes.order_by("position", "id")
    ]


def _scene_span(episode: Episode, text: str, scene_id: int) -> episode_text.Chunk:
    chunks = episode_text.split(text, episode.project.script_format)
    ids = episode_text.match(chunks, _stored_scenes(episode), locked=bool(episode.locked_at))
    if scene_id not in ids:
        raise documents.SceneNotInText(_("This scene is no longer in the episode's script."))
    return chunks[ids.index(scene_id)]


def _write(s: Suggestion, all_hunks: list[hunk_ops.Hunk], accept: set[int], user) -> None:
    """Apply the accepted hunks to the current text, through the one door (under its lock)."""
    episode = Episode.objects.select_related("project").filter(pk=s.episode_id).first()
    scope = _scope(s)
    if episode is None or (scope == "scene" and s.scene_id is None):
        raise documents.SceneNotInText(_("The text this proposal was made for no longer exists."))

    def change(old: str) -> str:
        if scope == "episode":
            return hunk_ops.apply(base=s.base_text, current=old, hunks=all_hunks, accept=accept)
        chunk = _scene_span(episode, old, s.scene_id)
        new_scene = hunk_ops.apply(base=s.base_text, current=chunk.text, hunks=all_hunks, accept=accept)
        raw = old[chunk.start : chunk.end]
        separator = raw[len(raw.rstrip()) :]
        return old[: chunk.start] + new_scene.rstrip() + separator + old[chunk.end :]

    documents.change_text(
        episode=episode,
        change=change,
        user=user,
        note=documents.HistoryNote("ai_proposal", {"n": s.pk}),  # history_notes.AI_PROPOSAL
        attrs=provenance.ai_attrs(suggestion_id=s.pk),  # its characters remember the proposal
    )


def current_text(*, suggestion: Suggestion, episodes: dict | None = None) -> str:
    """The target's text as it is now (the scene's, or the whole episode's; "" if it is gone).

    `episodes` caches (episode, its text) by id across the cards of one list."""
    episodes = {} if episodes is None else episodes
    if suggestion.episode_id not in episodes:
        episode = Episode.objects.select_related("project").filter(pk=suggestion.episode_id).first()
        episodes[suggestion.episode_id] = (
            episode,
            documents.episode_text_now(episode=episode) if episode else "",
        )
    episode, text = episodes[suggestion.episode_id]
    if episode is None:
        return ""
    if _scope(suggestion) == "episode":
        return text
    if suggestion.scene_id is None:
        return ""
    try:
        return _scene_span(episode, text, suggestion.scene_id).text
    except documents.SceneNotInText:
        return ""


def _scene_offset(s: Suggestion, episodes: dict | None) -> int:
    """Where the proposal's text starts in the episode's text now (-1: not there any more)."""
    if _scope(s) == "episode":
        return 0
    cache = {} if episodes is None else episodes
    current_text(suggestion=s, episodes=cache)  # fills the cache with (episode, text)
    episode, text = cache.get(s.episode_id, (None, ""))
    if episode is None or s.scene_id is None:
        return -1
    try:
        return _scene_span(episode, text, s.scene_id).start
    except documents.SceneNotInText:
        return -1


def text_hunks(*, suggestion: Suggestion) -> list[hunk_ops.Hunk]:
    return hunk_ops.diff(suggestion.base_text, suggestion.text)


def accept_hunks(
    *, suggestion: Suggestion, user, indexes: list[int] | None = None, finish: bool = True
) -> Suggestion:
    """Accept hunks `indexes` (None: all) of a draft or rewrite; with `finish`, the rest are declined.

    If the text changed since the proposal, the hunks are rebased onto it; if one of them no longer
    applies, nothing is written and the proposal is marked stale."""
    if suggestion.kind not in TEXT_KINDS:
        raise ReviewError(_("Only drafts and rewrites are accepted by hunk."))
    with transaction.atomic():
        locked = _lock(suggestion)
        all_hunks = text_hunks(suggestion=locked)
        decided = locked.content.setdefault("hunks", {})
        wanted = set(range(len(all_hunks))) if indexes is None else set(indexes)
        if any(not 0 <= i < len(all_hunks) for i in wanted):
            raise ReviewError(_("No such change in this proposal."))
        if any(str(i) in decided for i in wanted):
            raise ReviewError(_("One of these changes was already decided."))
        try:
            with transaction.atomic():
                _write(locked, all_hunks, wanted, user)
        except (hunk_ops.Conflict, documents.SceneNotInText) as exc:
            locked.status = Status.STALE
            locked.error = _(
                "The text changed since this proposal was made, where the proposal changes it; "
                "nothing was applied. Ask again for a fresh proposal."
            )
            if isinstance(exc, documents.SceneNotInText):
                locked.error = str(exc)
            locked.decided_by, locked.decided_at = user, timezone.now()
            locked.save()
            _announce(locked)
            return locked
        for i in wanted:
            decided[str(i)] = "accepted"
        if finish:
            for i in range(len(all_hunks)):
                decided.setdefault(str(i), "rejected")
        _settle(locked, user)
    return locked


def reject(*, suggestion: Suggestion, user, indexes: list[int] | None = None) -> Suggestion:
    """Decline the whole proposal (every undecided item or hunk), or only hunks `indexes`."""
    with transaction.atomic():
        locked = _lock(suggestion)
        now = timezone.now().isoformat()
        if locked.kind in TEXT_KINDS:
            decided = locked.content.setdefault("hunks", {})
            count = len(text_hunks(suggestion=locked))
            for i in range(count) if indexes is None else indexes:
                if 0 <= i < count:
                    decided.setdefault(str(i), "rejected")
        else:
            for item in locked.content.get("items") or []:
                if not item.get("decision"):
                    _reject_item(locked, item)
                    item.update(decision="rejected", by=user.pk, at=now)
        _settle(locked, user)
    return locked


def edit_text(*, suggestion: Suggestion, user, text: str) -> Suggestion:
    """A person's edit of a proposed text before any of it is decided (the edit is what gets applied)."""
    if suggestion.kind not in TEXT_KINDS:
        raise ReviewError(_("Only drafts and rewrites are edited as text."))
    if len(text) > 200_000:
        raise ReviewError(_("The edited text is too long."))
    with transaction.atomic():
        locked = _lock(suggestion)
        if locked.content.get("hunks"):
            raise ReviewError(_("Some changes of this proposal were already decided."))
        locked.content.setdefault("original_text", locked.text)
        locked.text = text
        locked.save(update_fields=["text", "content"])
        _announce(locked)
    return locked


def detail(*, suggestion: Suggestion, episodes: dict | None = None) -> dict:
    """What a review view needs: for text proposals base, proposed and current text with the hunks
    (each with its decision and, while it waits for review, whether it still applies); for the rest,
    the items. `episodes` is a cache shared by the cards of one list (see current_text)."""
    s = suggestion
    data = {
        "id": s.pk,
        "kind": s.kind,
        "status": s.status,
        "error": s.error,
        "sample": s.sample,
        "model": s.model,
        "endpoint": s.endpoint,
        "prompt_version": s.prompt_version,
        "tokens_in": s.tokens_in,
        "tokens_out": s.tokens_out,
        "cost_estimate": float(s.cost_estimate),
        "dropped_context": s.dropped_context,
        "episode": s.episode.number if s.episode_id else None,
        "scene": s.scene_id,
        "request": {k: v for k, v in s.request.items() if k != "messages"},
    }
    if s.kind in TEXT_KINDS:
        all_hunks = text_hunks(suggestion=s)
        # Only an open proposal needs the text as it is now (a decided one is history).
        now = current_text(suggestion=s, episodes=episodes) if s.status == Status.PENDING else s.base_text
        conflicts = set(hunk_ops.conflicting(base=s.base_text, current=now, hunks=all_hunks))
        decided = s.content.get("hunks", {})
        # Where each open hunk sits in the episode's text now, for the editor's inline review.
        places = {}
        if s.status == Status.PENDING:
            places = hunk_ops.placed(base=s.base_text, current=now, hunks=all_hunks)
            offset = _scene_offset(s, episodes)
            places = {i: (a + offset, b + offset) for i, (a, b) in places.items()} if offset >= 0 else {}
        data.update(
            base_text=s.base_text,
            text=s.text,
            current_text=now,
            changed_since=now != s.base_text,
            hunks=[
                {
                    **h.as_dict(),
                    "decision": decided.get(str(h.index)),
                    "conflict": h.index in conflicts,
                    "at": places.get(h.index),
                }
                for h in all_hunks
            ],
        )
    else:
        data["items"] = s.content.get("items") or []
        data["text"] = s.text if s.status in (Status.RUNNING, Status.FAILED, Status.CANCELLED) else ""
        if s.kind == Kind.ALTERNATIVES and s.request.get("target") == "line":
            data["line"] = _line_choice(s, episodes)
    return data


def _line_choice(s: Suggestion, episodes: dict | None) -> dict | None:
    """Alternatives for a selected line, for the editor to show in place like a hunk: the whole lines
    the selection touches (`removed`), where they sit in the episode's text now (`at`, None once they
    changed or while nothing waits for review) and each option as those lines would read (`options`)."""
    span = s.request.get("selection")
    if not span:
        return None
    base = s.base_text
    start, end = span
    line_from = base.rfind("\n", 0, start) + 1
    newline = base.find("\n", max(start, end - 1))
    line_to = len(base) if newline < 0 else newline + 1
    removed = base[line_from:line_to]
    options = []
    for item in s.content.get("items") or []:
        whole = _with_option(s, str(item.get("value") or ""))
        options.append(whole[line_from : len(whole) - (len(base) - line_to)])
    at = None
    if s.status == Status.PENDING:
        now = current_text(suggestion=s, episodes=episodes)
        first = base.count("\n", 0, line_from)
        hunk = hunk_ops.Hunk(
            index=0,
            base_start=first,
            base_end=first + len(removed.splitlines()),
            lines=(),
            base_from=line_from,
            base_to=line_to,
            new_from=line_from,
            new_to=line_to,
            removed=removed,
            added="",
        )
        place = hunk_ops.placed(base=base, current=now, hunks=[hunk]).get(0)
        offset = _scene_offset(s, episodes)
        if place is not None and offset >= 0:
            at = (place[0] + offset, place[1] + offset)
    return {"removed": removed, "at": at, "options": options}


def scene_of(suggestion: Suggestion) -> Scene | None:
    return Scene.objects.filter(pk=suggestion.scene_id).first() if suggestion.scene_id else None
