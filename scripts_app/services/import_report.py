"""The sentences an import answers with: what was added, what was found, what the bible got, and why a
file could not be read.

Counts are of what the import added ("imported 2 episodes, 3 scenes, 4 characters"), with English
plurals from ngettext; when the file names characters the bible already had, it says how many. A
format's error (formats/ has no Django) carries an English template and its parameters; `said` puts
it in the reader's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ..formats.messages import Message
from .title_page import label

if TYPE_CHECKING:
    from ..formats.detect import ScriptFormatError
    from .imports import ImportResult

_MAX_LISTED = 8  # names listed in one sentence; the rest are counted


def say(message: Message) -> str:
    """A message from formats/ in the active language: its template translated, then its parameters."""
    return message.say(_, ngettext)


def unreadable(error: ScriptFormatError) -> str:
    """Why a file could not be read, in the active language (str(error) is the English)."""
    return say(error.message)


def format_name(fmt: str) -> str:
    return {"zh": _("the Chinese micro-drama format"), "fountain": "Fountain"}.get(fmt, fmt)


def summary(result: ImportResult) -> str:
    counts = {
        "episodes": ngettext("%(n)d episode", "%(n)d episodes", result.episodes) % {"n": result.episodes},
        "scenes": ngettext("%(n)d scene", "%(n)d scenes", result.scenes) % {"n": result.scenes},
    }
    found = result.characters if result.found is None else result.found
    if found == result.characters:
        counts["characters"] = ngettext("%(n)d character", "%(n)d characters", result.characters) % {
            "n": result.characters
        }
        return _("imported %(episodes)s, %(scenes)s, %(characters)s") % counts
    counts["characters"] = ngettext("%(n)d new character", "%(n)d new characters", result.characters) % {
        "n": result.characters
    }
    known = found - result.characters
    counts["found"] = ngettext("the file names %(n)d character", "the file names %(n)d characters", found) % {
        "n": found
    }
    counts["known"] = ngettext("%(n)d was already in the bible", "%(n)d were already in the bible", known) % {
        "n": known
    }
    return _("imported %(episodes)s, %(scenes)s, %(characters)s (%(found)s; %(known)s)") % counts


def notes(result: ImportResult) -> list[str]:
    out: list[str] = []
    bible = result.bible
    if bible is not None and not bible.empty:
        if bible.added_characters:
            n = len(bible.added_characters)
            out.append(
                ngettext(
                    "%(n)d character came with a bio from the file's character list (人物小传): %(names)s.",
                    "%(n)d characters came with bios from the file's character list (人物小传): %(names)s.",
                    n,
                )
                % {"n": n, "names": _listed(bible.added_characters)}
            )
        if bible.added_locations:
            n = len(bible.added_locations)
            out.append(
                ngettext(
                    "%(n)d location was added from the file's list.",
                    "%(n)d locations were added from the file's list.",
                    n,
                )
                % {"n": n}
            )
        if bible.filled:
            out.append(_("Filled in from the file where the bible was empty: %(what)s.") % {
                "what": _listed(bible.filled)
            })  # fmt: skip
        if bible.summaries:
            out.append(
                ngettext(
                    "%(n)d episode summary came from the file's episode outline.",
                    "%(n)d episode summaries came from the file's episode outline.",
                    bible.summaries,
                )
                % {"n": bible.summaries}
            )
        if bible.differed:
            out.append(
                _("The file says something else about %(what)s; the bible was kept as the room wrote it.")
                % {"what": _listed(bible.differed, separator="; ")}
            )
    merge = result.title_page
    if merge is not None and not merge.empty:
        if merge.filled:
            out.append(
                _("The title page was filled in from the file: %(what)s.")
                % {"what": _listed([label(name) for name in merge.filled])}
            )
        if merge.differed:
            out.append(
                _("The file's title page says something else about %(what)s; the series' was kept.")
                % {"what": _listed([label(name) for name in merge.differed])}
            )
    if result.converted:
        source, target = result.converted
        out.append(
            ngettext(
                "Converted %(n)d scene from %(source)s to %(target)s, the format of this series.",
                "Converted %(n)d scenes from %(source)s to %(target)s, the format of this series.",
                result.scenes,
            )
            % {"n": result.scenes, "source": format_name(source), "target": format_name(target)}
        )
    return out


def failure(reason: str) -> str:
    """ "Nothing was imported: <why>." — once, however the reason was worded."""
    reason = reason.strip()
    for phrase in ("nothing was imported", _("nothing was imported")):
        at = reason.lower().find(phrase.lower())
        if at >= 0:
            before = reason[:at].rstrip(" ;,:.；，：。")
            tail = reason[at + len(phrase) :]
            stop = tail[:1] if tail[:1] in ".。" else "."  # the sentence ends as it was written
            after = tail.lstrip(" .。")
            space = "" if stop == "。" else " "
            reason = f"{before}{stop}{space + after if after else ''}" if before else after
            break
    return _("Nothing was imported: %(why)s") % {"why": reason}


def _listed(items: list[str], separator: str | None = None) -> str:
    if separator is None:  # Chinese lists names with 、, English with commas
        separator = "、" if (get_language() or "").startswith("zh") else ", "
    shown = separator.join(items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        more = len(items) - _MAX_LISTED
        shown += separator + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
    return shown
