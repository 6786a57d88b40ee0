"""The one door for text changes, and the Scene rows derived from the episode document.

Once an episode has a shared document, every change to its text that does not come from a connected
editor (restoring a version, the HTTP save, an import into the episode, an accepted AI proposal, moving
or adding a scene from the scene list) goes through `change_text`: it applies the smallest diff to the
stored document, so open editors receive it as ordinary edits. Before an episode has a document its
Scene rows are the text, and the same functions write them directly.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from ..history_notes import HistoryNote
from ..models import Episode, EpisodeDocument, Scene
from . import broadcast, episode_text, store, textdiff

PROCESS_ORIGIN = "door"  # relayed updates made here carry this origin


def doc_group(episode_id: int) -> str:
    """The server processes holding a room for this episode's document."""
    return f"doc-{episode_id}"


class SceneNotInText(ValueError):
    """The scene is not in the episode's text any more (deleted or omitted meanwhile)."""


def _fresh(episode: Episode) -> Episode:
    """The episode as stored now (a caller's copy may predate a lock)."""
    return Episode.objects.select_related("project").get(pk=episode.pk)


def _stored(episode: Episode) -> list[episode_text.StoredScene]:
    locked = bool(episode.locked_at)
    return [
        episode_text.StoredScene(s.pk, s.text, s.locked_number if locked else "", s.omitted)
        for s in episode.scenes.order_by("position", "id")
    ]


def _edit_doc(doc, old: str, edits: list[textdiff.Edit], attrs: dict | None = None) -> bytes:
    """Apply character edits to the Yjs text (whose indexes are UTF-8 bytes); returns the update.

    Inserted text carries its origin as text attributes (`attrs`: an accepted AI proposal's; else a
    person's, see scripts_app/ai/provenance.py): Yjs would otherwise copy the attributes on its left."""
    from ..ai.provenance import insert_attrs

    text = doc.get(store.TEXT, type=store.pycrdt.Text)
    before = doc.get_state()
    origins = insert_attrs(text=text, old=old, edits=edits, attrs=attrs)
    # Every edit's byte offsets in one pass over the text: encoding the text up to each edit made a
    # diff of thousands of edits quadratic (a second under the row lock for a 200,000-character scene).
    spans, byte, pos = [], 0, 0
    for e in edits:
        byte += len(old[pos : e.start].encode())
        spans.append((byte, byte + len(old[e.start : e.end].encode())))
        byte, pos = spans[-1][1], e.end
    with doc.transaction(origin=PROCESS_ORIGIN):
        # From the end, so the offsets of the edits still to apply stay valid.
        for e, origin, (start, end) in reversed(list(zip(edits, origins, spans, strict=True))):
            if end > start:
                del text[start:end]
            if e.insert:
                text.insert(start, e.insert, origin)
    return doc.get_update(before)


class Changed(NamedTuple):
    """A new text and, when the change knows it, which stored scene each of its scenes is (a move or a
    renumbering keeps every scene's identity exactly, instead of leaving it to similarity)."""

    text: str
    ids: list[int | None] | None = None


def change_text(
    *,
    episode: Episode,
    change: Callable[[str], str | Changed],
    user,
    note: HistoryNote | None = None,
    attrs: dict | None = None,
) -> str:
    """Change the episode's text with `change(old) -> new`, computed on the latest text.

    `attrs`: the Yjs text attributes of the inserted text (an accepted AI proposal's origin).

    With a document: the diff goes into the update log (and to open editors), then the rows follow.
    Without one: the rows are rewritten from the new text. Returns the new text."""
    document = EpisodeDocument.objects.filter(episode=episode).first()
    if document is None and attrs:
        # Text with an origin to remember (an accepted proposal) needs the document that keeps it;
        # rows alone would forget that a model wrote it.
        document = store.get_or_create(episode=episode)
    if document is None:
        with transaction.atomic():
            Episode.objects.select_for_update().get(pk=episode.pk)
            texts = [s.text for s in episode.scenes.order_by("position", "id") if not s.omitted]
            old = episode_text.join(texts, episode.project.script_format)
            new, ids = _changed(change(old))
            _check_scenes(new, episode.project.script_format)
            sync_rows(episode_id=episode.pk, text=new, seq=None, user=user, note=note, assigned=ids)
        return new
    with transaction.atomic():
        loaded = store.load(document=document, lock=True)
        old = store.text_of(loaded.doc)
        new, ids = _changed(change(old))
        _check_scenes(new, episode.project.script_format)
        edits = textdiff.diff(old, new)
        seq = loaded.seq
        if edits:
            update = _edit_doc(loaded.doc, old, edits, attrs)
            seq = store.append(document_id=document.pk, data=update, user_id=getattr(user, "pk", None))
            message = {"type": "doc.update", "seq": seq, "update": update,
                       "user": getattr(user, "pk", None), "origin": PROCESS_ORIGIN}  # fmt: skip
            broadcast.send_after_commit(doc_group(episode.pk), message)
        text = store.text_of(loaded.doc)
        sync_rows(episode_id=episode.pk, text=text, seq=seq, user=user, note=note, assigned=ids)
    return new


def _check_scenes(text: str, fmt: str) -> None:
    """No door opens wider than the scene limit (SceneTooLong, with its message)."""
    from ..services.scenes import check_scene_length

    for chunk in episode_text.split(text, fmt):
        check_scene_length(chunk.text)


def _changed(result: str | Changed) -> tuple[str, list[int | None] | None]:
    return (result.text, result.ids) if isinstance(result, Changed) else (result, None)


def episode_text_now(*, episode: Episode) -> str:
    document = EpisodeDocument.objects.filter(episode=episode).first()
    if document is None:
        fmt = episode.project.script_format
        return episode_text.join([s.text for s in episode.scenes.all() if not s.omitted], fmt)
    return store.text_of(store.load(document=document).doc)


def _replace_chunk(text: str, chunk: episode_text.Chunk, new_scene: str) -> str:
    raw = text[chunk.start : chunk.end]
    separator = raw[len(raw.rstrip()) :] or ("\n" if chunk.end < len(text) else "")
    body = new_scene.rstrip()
    if not body:
        return text[: chunk.start] + text[chunk.end :]
    if chunk.end < len(text) and "\n\n" not in separator:
        separator = "\n\n"  # the next heading needs its blank line
    return text[: chunk.start] + body + (separator if chunk.end < len(text) else "\n") + text[chunk.end :]


def replace_scene_text(*, scene: Scene, text: str, user, note: HistoryNote | None = None) -> Scene | None:
    """The one door for one scene's text (restore, HTTP save, accepted proposal, import into it).

    Returns the scene as stored now; None when blank text removed an unlocked scene's row."""
    episode = _fresh(Episode(pk=scene.episode_id))
    fmt = episode.project.script_format

    def change(old: str) -> Changed:
        chunks = episode_text.split(old, fmt)
        ids = episode_text.match(chunks, _stored(episode), locked=bool(episode.locked_at))
        if scene.pk not in ids:
            raise SceneNotInText(_("This scene is no longer in the episode's script."))
        at = ids.index(scene.pk)
        new = _replace_chunk(old, chunks[at], text)
        kept = ids if text.strip() else ids[:at] + ids[at + 1 :]
        return Changed(new, kept)

    change_text(episode=episode, change=change, user=user, note=note)
    return Scene.objects.select_related("episode__project", "location").filter(pk=scene.pk).first()


def insert_scene(
    *, episode: Episode, text: str, user, index: int | None = None, scene_id: int | None = None
) -> Scene | None:
    """Add a scene's text at scene position `index` (0-based; None: at the end)."""
    episode = _fresh(episode)
    fmt = episode.project.script_format

    def change(old: str) -> Changed:
        chunks = episode_text.split(old, fmt)
        ids = list(episode_text.match(chunks, _stored(episode), locked=bool(episode.locked_at)))
        body = episode_text.scene_text(text)
        if index is None or index >= len(chunks):
            return Changed((old.rstrip() + "\n\n" if old.strip() else "") + body, [*ids, scene_id])
        at = chunks[index].start
        return Changed(old[:at] + body + "\n" + old[at:], ids[:index] + [scene_id] + ids[index:])

    change_text(episode=episode, change=change, user=user)
    found = _scene_with_text(episode, episode_text.scene_text(text))
    return found


def _scene_with_text(episode: Episode, text: str) -> Scene | None:
    return episode.scenes.filter(text=text, omitted=False).order_by("-id").first()


def remove_scene(*, scene: Scene, user) -> None:
    """Take a scene's text out of the episode (a locked scene stays as OMITTED)."""
    replace_scene_text(scene=scene, text="", user=user)


def reorder_scenes(*, episode: Episode, ordered_ids: list[int], user) -> None:
    """Put the scenes in this order; before locking their headings are renumbered to follow it."""
    episode = _fresh(episode)
    fmt = episode.project.script_format

    def change(old: str) -> Changed:
        chunks = episode_text.split(old, fmt)
        ids = episode_text.match(chunks, _stored(episode), locked=bool(episode.locked_at))
        rank = {pk: n for n, pk in enumerate(dict.fromkeys(ordered_ids))}
        order = sorted(range(len(chunks)), key=lambda i: (rank.get(ids[i], len(rank)), i))
        texts = [chunks[i].text for i in order]
        if not episode.locked_at:
            texts = [
                episode_text.renumbered(t, fmt, _order_number(episode, fmt, n)) if chunks[i].number else t
                for n, (i, t) in enumerate(zip(order, texts, strict=True), start=1)
            ]
        return Changed(episode_text.join(texts, fmt), [ids[i] for i in order])

    change_text(episode=episode, change=change, user=user)


def _order_number(episode: Episode, fmt: str, n: int) -> str:
    return f"{episode.number}-{n}" if fmt == "zh" else str(n)


def write_numbers(*, episode: Episode, numbers: dict[int, str], user) -> None:
    """Write production numbers into the headings (at lock and at each issued revision)."""
    episode = _fresh(episode)
    fmt = episode.project.script_format
    if not EpisodeDocument.objects.filter(episode=episode).exists():
        return  # the document, once made, takes them from the rows (store.initial_text)

    def change(old: str) -> Changed:
        chunks = episode_text.split(old, fmt)
        ids = episode_text.match(chunks, _stored(episode), locked=False)
        texts = [
            episode_text.renumbered(c.text, fmt, numbers[pk]) if pk in numbers and c.has_heading else c.text
            for c, pk in zip(chunks, ids, strict=True)
        ]
        return Changed(episode_text.join(texts, fmt), ids)

    change_text(episode=episode, change=change, user=user)


# ---- Scene rows from the text -------------------------------------------------------------------


def sync_rows(
    *,
    episode_id: int,
    text: str,
    seq: int | None,
    edits: Iterable[tuple[int | None, int]] = (),
    user=None,
    note: HistoryNote | None = None,
    assigned: list[int | None] | None = None,
) -> bool:
    """Make the episode's Scene rows say what its text says; False if a newer text was already synced.

    `edits` are (user id, character offset) of the changes since the last sync, so each scene's new
    version is credited to the writer who typed it; `user` credits everything to one person."""
    from ..services.scenes import commit_scene_text, create_scene_row, refresh_episode_runtime

    with transaction.atomic():
        # The episode row's lock keeps row syncs in order. The document row is only written at the
        # end: its lock is what numbers new updates, so holding it here would stall typing.
        episode = Episode.objects.select_for_update().select_related("project").get(pk=episode_id)
        if seq is not None:
            synced = EpisodeDocument.objects.filter(episode_id=episode_id).values_list("rows_seq", flat=True)
            if (synced.first() or 0) > seq:
                return False
        fmt = episode.project.script_format
        rows = list(episode.scenes.order_by("position", "id"))
        for row in rows:
            row.episode = episode
        chunks = episode_text.split(text, fmt)
        if assigned is not None and len(assigned) == len(chunks):
            ids = assigned  # the change knew which scene is which (a move, a renumbering)
        else:
            ids = episode_text.match(chunks, _stored_from(rows, episode), locked=bool(episode.locked_at))
        authors = _authors(chunks, edits, user)
        by_id = {r.pk: r for r in rows}
        kept: list[Scene] = []
        changed = False
        for i, chunk in enumerate(chunks):
            row = by_id.get(ids[i])
            author = authors[i]
            if row is None:
                row = create_scene_row(episode=episode, user=author, text=chunk.text, position=0)
                changed = True
            else:
                if row.omitted:
                    row.omitted = False
                    row.save(update_fields=["omitted", "updated_at"])
                    changed = True
                if row.text != chunk.text:
                    commit_scene_text(scene=row, user=author, text=chunk.text, note=note, runtime=False)
                    changed = True
            kept.append(row)
        kept_ids = {r.pk for r in kept}
        for i, row in enumerate(rows):
            if row.pk in kept_ids or row.omitted:
                continue
            changed = True
            if row.locked_number:
                row.omitted = True
                row.runtime_seconds = 0
                row.save(update_fields=["omitted", "runtime_seconds", "updated_at"])
            else:
                # Its beats go with its text: to the scene before it (merged into it), else the next.
                heir = next((r for r in reversed(rows[:i]) if r.pk in kept_ids), None) or next(
                    (r for r in rows[i + 1 :] if r.pk in kept_ids), None
                )
                row.beats.update(scene=heir)
                row.delete()
        changed |= _reposition(rows, kept)
        if seq is not None:
            EpisodeDocument.objects.filter(episode_id=episode_id, rows_seq__lt=seq).update(rows_seq=seq)
        if changed:
            refresh_episode_runtime(episode=episode)
            topics = ["scenes", "episode", "board"]
            broadcast.send_after_commit(
                broadcast.project_group(episode.project_id),
                {"type": "live.changed", "topics": topics, "episode": episode.number},
            )
    return True


def _stored_from(rows: list[Scene], episode: Episode) -> list[episode_text.StoredScene]:
    locked = bool(episode.locked_at)
    return [
        episode_text.StoredScene(s.pk, s.text, s.locked_number if locked else "", s.omitted) for s in rows
    ]


def _authors(chunks: list[episode_text.Chunk], edits: Iterable[tuple[int | None, int]], user) -> list:
    if user is not None or not chunks:
        return [user] * len(chunks)
    starts = [c.start for c in chunks]
    counts: list[Counter] = [Counter() for _ in chunks]
    for user_id, offset in edits:
        if user_id is not None:
            counts[max(0, bisect.bisect_right(starts, offset) - 1)][user_id] += 1
    wanted = {uid for c in counts for uid in c}
    users = get_user_model().objects.in_bulk(wanted) if wanted else {}
    return [users.get(c.most_common(1)[0][0]) if c else None for c in counts]


def _reposition(rows: list[Scene], kept: list[Scene]) -> bool:
    """Positions follow the text; an omitted scene stays after the scene it followed."""
    kept_ids = {r.pk for r in kept}
    follows: dict[int | None, list[Scene]] = {}
    previous = None
    for row in rows:
        if row.pk in kept_ids:
            previous = row.pk
        elif row.omitted and row.pk:
            follows.setdefault(previous, []).append(row)
    order = list(follows.get(None, []))
    for row in kept:
        order.append(row)
        order += follows.get(row.pk, [])
    moved = []
    for position, row in enumerate(order, start=1):
        if row.position != position:
            row.position = position
            moved.append(row)
    if moved:
        Scene.objects.bulk_update(moved, ["position"])
    return bool(moved)


def ensure_rows_current(*, episode: Episode) -> None:
    """Bring the rows up to the stored document if a sync was missed (a server stopped mid-debounce)."""
    state = EpisodeDocument.objects.filter(episode=episode).values("pk", "last_seq", "rows_seq").first()
    if state is None or state["rows_seq"] >= state["last_seq"]:
        return
    loaded = store.load(document=EpisodeDocument.objects.get(pk=state["pk"]))
    sync_rows(episode_id=episode.pk, text=store.text_of(loaded.doc), seq=loaded.seq)


def doc_ws_path(*, episode: Episode) -> str:
    return f"/ws/p/{episode.project.slug}/e/{episode.number}/doc/"


# ---- the scene limit, for rooms checking what editors type ------------------------------------------


def scene_limit_problem(text: str, fmt: str) -> str | None:
    """The limit's message when a scene of the episode text is over it, else None."""
    from ..services.scenes import SceneTooLong

    try:
        _check_scenes(text, fmt)
    except SceneTooLong as exc:
        return str(exc)
    return None


def largest_scene(text: str, fmt: str) -> tuple[int, int]:
    """(characters, lines) of the longest scene in the episode text, each the largest of any scene."""
    chunks = episode_text.split(text, fmt)
    return (
        max((len(c.text) for c in chunks), default=0),
        max((c.text.count("\n") for c in chunks), default=0),
    )


def take_back(doc, now: str, before: str) -> bytes:
    """An update that turns the document's text `now` back into `before` (a refused change undone)."""
    return _edit_doc(doc, now, textdiff.diff(now, before))
