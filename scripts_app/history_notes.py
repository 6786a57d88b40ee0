"""The note on a scene's history line, stored in no language and said in the reader's.

A version stores a code and its parameters (`SceneVersion.note_code`, `note_params`): "created",
"restored" from a version's time, "replaced" one text with another, "ai_proposal" #n. The history
pages translate it when they show it, so a note a Chinese writer made reads in English to an English
reader and the other way round. Versions saved before codes existed keep their text in `note`
(English, or whatever language the writer was using), shown translated when the catalogue knows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

CREATED = "created"
RESTORED = "restored"  # params: when (the restored version's time, ISO 8601)
REPLACED = "replaced"  # params: old, new
AI_PROPOSAL = "ai_proposal"  # params: n (the suggestion's id)


@dataclass(frozen=True)
class HistoryNote:
    code: str
    params: dict = field(default_factory=dict)


def created() -> HistoryNote:
    return HistoryNote(CREATED)


def restored(*, when: datetime) -> HistoryNote:
    return HistoryNote(RESTORED, {"when": when.isoformat()})


def replaced(*, old: str, new: str) -> HistoryNote:
    return HistoryNote(REPLACED, {"old": old, "new": new})


def ai_proposal(*, n: int) -> HistoryNote:
    return HistoryNote(AI_PROPOSAL, {"n": n})


def _when(value: str) -> str:
    """An ISO time in the site's time zone, to the minute; text that is not one, as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def render(*, code: str, params: dict | None = None, legacy: str = "") -> str:
    """The note in the active language."""
    params = params or {}
    if code == CREATED:
        return _("created")
    if code == RESTORED:
        return _("restored from %(when)s") % {"when": _when(params.get("when", ""))}
    if code == REPLACED:
        return _("Replaced “%(old)s” with “%(new)s”") % {
            "old": params.get("old", ""),
            "new": params.get("new", ""),
        }
    if code == AI_PROPOSAL:
        return _("AI proposal #%(n)s") % {"n": params.get("n", "")}
    if code:
        return code  # a code this version of the app does not know
    return _(legacy) if legacy else ""
