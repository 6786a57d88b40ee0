"""The episode document in the database: a snapshot plus an append-only log of Yjs updates.

Every update is stored before anyone is told about it, under a per-document sequence number that
the document row's lock hands out in order; a document is rebuilt from the snapshot and the log after
it, and compacted into a new snapshot from time to time. Sync code (run it in a thread from async).
"""

from __future__ import annotations

from dataclasses import dataclass

import pycrdt
from django.db import IntegrityError, connection, transaction

from ..models import DocumentUpdate, Episode, EpisodeDocument
from . import episode_text

TEXT = "script"  # the one shared type: the episode's script as text
COMPACT_AFTER = 500  # updates in the log after the snapshot


def new_doc() -> tuple[pycrdt.Doc, pycrdt.Text]:
    doc = pycrdt.Doc()
    return doc, doc.get(TEXT, type=pycrdt.Text)


def text_of(doc: pycrdt.Doc) -> str:
    return str(doc.get(TEXT, type=pycrdt.Text))


@dataclass
class Loaded:
    document: EpisodeDocument
    doc: pycrdt.Doc
    seq: int  # every update up to this one is in `doc`


def initial_text(episode: Episode) -> str:
    """The episode's text made from its scenes, the one time its document is created.

    In a locked episode each heading carries its production number, so identity survives editing."""
    episode = Episode.objects.select_related("project").get(pk=episode.pk)
    scenes = [s for s in episode.scenes.order_by("position", "id") if not s.omitted]
    fmt = episode.project.script_format
    texts = []
    for s in scenes:
        text = s.text
        if episode.locked_at and s.locked_number:
            text = episode_text.renumbered(text, fmt, s.locked_number)
        texts.append(text)
    return episode_text.join(texts, fmt)


def get_or_create(*, episode: Episode) -> EpisodeDocument:
    """The episode's document, created from its scenes if it has none yet (exactly once, even in a race)."""
    found = EpisodeDocument.objects.filter(episode=episode).first()
    if found is not None:
        return found
    doc, text = new_doc()
    text += initial_text(episode)
    try:
        with transaction.atomic():
            return EpisodeDocument.objects.create(episode=episode, snapshot=doc.get_update())
    except IntegrityError:
        # Someone else created it meanwhile: theirs is the one; ours was never seen by anyone.
        return EpisodeDocument.objects.get(episode=episode)


def load(*, document: EpisodeDocument, lock: bool = False) -> Loaded:
    """Rebuild the document from storage. With lock=True (inside a transaction) no update can be
    appended until the transaction ends, so the text read is the latest."""
    for _attempt in range(5):
        if lock:
            document = EpisodeDocument.objects.select_for_update().get(pk=document.pk)
        else:
            document.refresh_from_db()
        doc, _text = new_doc()
        doc.apply_update(bytes(document.snapshot))
        seq = document.snapshot_seq
        rows = DocumentUpdate.objects.filter(document=document, seq__gt=seq).values_list("seq", "data")
        for seq_, data in rows:
            doc.apply_update(bytes(data))
            seq = seq_
        if lock or _snapshot_seq(document.pk) == document.snapshot_seq:
            return Loaded(document, doc, seq)
        # The log was folded while we read it: read again from the new snapshot.
    raise RuntimeError("the document kept changing under a read")


def _snapshot_seq(document_id: int) -> int:
    return EpisodeDocument.objects.filter(pk=document_id).values_list("snapshot_seq", flat=True).get()


def append(*, document_id: int, data: bytes, user_id: int | None) -> int:
    """Store one update; returns its sequence number. Committed when this returns."""
    return append_many(document_id=document_id, items=[(data, user_id)])[0]


def append_many(*, document_id: int, items: list[tuple[bytes, int | None]]) -> list[int]:
    """Store updates in one transaction (what arrived while the last write was under way)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The row lock taken by this UPDATE numbers concurrent appends in order.
            cursor.execute(
                f"UPDATE {EpisodeDocument._meta.db_table} SET last_seq = last_seq + %s "
                "WHERE id = %s RETURNING last_seq",
                [len(items), document_id],
            )
            row = cursor.fetchone()
        if row is None:
            raise EpisodeDocument.DoesNotExist(document_id)
        first = row[0] - len(items) + 1
        DocumentUpdate.objects.bulk_create(
            DocumentUpdate(document_id=document_id, seq=first + i, data=data, user_id=user_id)
            for i, (data, user_id) in enumerate(items)
        )
    return [first + i for i in range(len(items))]


def since(
    *, document_id: int, seq: int
) -> tuple[tuple[int, bytes] | None, list[tuple[int, bytes, int | None]]]:
    """Updates after `seq`, and the snapshot (seq, state) first when the log no longer reaches back."""
    for _attempt in range(5):
        document = EpisodeDocument.objects.get(pk=document_id)
        snapshot, after = None, seq
        if document.snapshot_seq > seq:
            snapshot = (document.snapshot_seq, bytes(document.snapshot))
            after = document.snapshot_seq
        rows = DocumentUpdate.objects.filter(document_id=document_id, seq__gt=after)
        updates = [(s, bytes(d), u) for s, d, u in rows.values_list("seq", "data", "user_id")]
        if _snapshot_seq(document_id) == document.snapshot_seq:
            return snapshot, updates
    raise RuntimeError("the document kept changing under a read")


def last_seq(*, document_id: int) -> int:
    return EpisodeDocument.objects.filter(pk=document_id).values_list("last_seq", flat=True).first() or 0


def compact(*, document_id: int) -> int:
    """Fold the log into the snapshot; returns how many updates were folded.

    Built without the document row's lock (appends go on meanwhile): every update up to the
    committed last_seq read first is already in the log, and only those are folded."""
    document = EpisodeDocument.objects.get(pk=document_id)
    upto = document.last_seq
    if upto <= document.snapshot_seq:
        return 0
    doc, _text = new_doc()
    doc.apply_update(bytes(document.snapshot))
    for data in DocumentUpdate.objects.filter(
        document=document, seq__gt=document.snapshot_seq, seq__lte=upto
    ).values_list("data", flat=True):
        doc.apply_update(bytes(data))
    with transaction.atomic():
        folded = EpisodeDocument.objects.filter(pk=document_id, snapshot_seq=document.snapshot_seq).update(
            snapshot=doc.get_update(), snapshot_seq=upto
        )
        if not folded:
            return 0  # someone else folded meanwhile
        DocumentUpdate.objects.filter(document=document, seq__lte=upto).delete()
    return upto - document.snapshot_seq


def needs_compaction(*, document_id: int) -> bool:
    document = EpisodeDocument.objects.filter(pk=document_id).values("last_seq", "snapshot_seq").first()
    return bool(document) and document["last_seq"] - document["snapshot_seq"] >= COMPACT_AFTER
