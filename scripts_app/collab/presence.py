"""Who is on which page of a series: one Redis hash per series, refreshed by a heartbeat.

Each open live page (one websocket) owns one field of the hash `writersroom:presence:<project id>`,
named by its channel name, holding JSON: the user, their display name, the place (what page) and two
Redis-clock times, `since` (connected) and `seen` (last heartbeat). A connection rewrites its field
every HEARTBEAT_SECONDS and deletes it on disconnect; anyone reading ignores, and the next heartbeat
of any connection deletes, fields not seen for STALE_SECONDS. So the people on a server process that
was killed disappear from everyone's bar within seconds, without anyone saying goodbye.

Times come from Redis (TIME), not from each server's clock, so several servers agree on staleness.
"""

from __future__ import annotations

import colorsys
import json
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from django.conf import settings
from django.utils.translation import gettext as _

HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 12.0
# A series nobody has looked at for this long loses its hash altogether.
KEY_TTL_SECONDS = 120

GOLDEN_ANGLE = 137.50776405003785


def presence_key(project_id: int) -> str:
    return f"writersroom:presence:{project_id}"


def _relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(rgb: tuple[int, int, int]) -> float:
    return 1.05 / (_relative_luminance(rgb) + 0.05)


def user_color(user_id: int) -> str:
    """A stable colour for a person, the same everywhere (presence bar, editor cursors).

    Hues step by the golden angle, so people with neighbouring ids get well separated colours; the
    lightness starts at 42% and goes down until the colour has a WCAG contrast of at least 4.5:1
    against white, so a name written in it (or white text on it) stays readable.
    """
    hue = (int(user_id) * GOLDEN_ANGLE) % 360 / 360
    lightness = 0.42
    while True:
        rgb = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, 0.75))
        if contrast_with_white(rgb) >= 4.5 or lightness <= 0.1:
            return "#{:02x}{:02x}{:02x}".format(*rgb)
        lightness -= 0.02


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


# Places: what `where` a page gave, checked and completed by the consumer (episode number of a
# scene, its position). Labels are made when the bar is rendered, in the reader's language.


def place_label(place: dict) -> str:
    kind, n, i = place.get("kind", "series"), place.get("n"), place.get("i")
    if kind == "episode" and n:
        return _("Episode %(n)s") % {"n": n}
    if kind == "episode-edit" and n:
        return _("Episode %(n)s · details") % {"n": n}
    if kind == "read" and n:
        return _("Episode %(n)s · reading") % {"n": n}
    if kind == "scene" and n and i:
        return _("Episode %(n)s · scene %(i)s") % {"n": n, "i": i}
    if kind == "scene" and n:
        return _("Episode %(n)s") % {"n": n}
    if kind == "ai-episode" and n:
        return _("Episode %(n)s · AI") % {"n": n}
    if kind == "ai-scene" and n and i:
        return _("Episode %(n)s · scene %(i)s · AI") % {"n": n, "i": i}
    if kind == "ai-scene" and n:
        return _("Episode %(n)s · AI") % {"n": n}
    labels = {
        "board": _("Board"),
        "bible": _("Bible"),
        "members": _("Members"),
        "export": _("Export"),
        "import": _("Import"),
        "settings": _("Settings"),
        "episode-new": _("New episode"),
        "ai": _("AI"),
    }
    return labels.get(kind, _("Series"))


@dataclass
class Person:
    user_id: int
    name: str
    color: str
    places: list[str] = field(default_factory=list)  # labels, the latest first

    @property
    def place(self) -> str:
        return self.places[0] if self.places else ""


def people(entries: list[dict], *, exclude_user: int | None = None) -> list[Person]:
    """One person per user, however many tabs they have open: their places, the latest first."""
    by_user: dict[int, list[dict]] = {}
    for entry in entries:
        if entry.get("user") == exclude_user:
            continue
        by_user.setdefault(entry["user"], []).append(entry)
    result = []
    for user_id, tabs in by_user.items():
        tabs.sort(key=lambda e: e.get("since", 0), reverse=True)
        labels = list(dict.fromkeys(place_label(e.get("place") or {}) for e in tabs))
        result.append(
            Person(user_id=user_id, name=tabs[0].get("name", ""), color=user_color(user_id), places=labels)
        )
    result.sort(key=lambda p: (p.name.casefold(), p.user_id))
    return result


class PresenceStore:
    """The Redis side. One per connection: redis.asyncio clients belong to one event loop."""

    def __init__(self, url: str | None = None) -> None:
        self.redis = aioredis.from_url(url or settings.REDIS_URL)

    async def close(self) -> None:
        await self.redis.aclose()

    async def now(self) -> float:
        seconds, micros = await self.redis.time()
        return seconds + micros / 1e6

    async def beat(self, *, project_id: int, channel: str, entry: dict) -> bool:
        """Write (or refresh) this connection's field; True if it was not there (new, or pruned)."""
        now = await self.now()
        entry = {**entry, "seen": now, "since": entry.get("since") or now}
        key = presence_key(project_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, channel, json.dumps(entry))
            pipe.expire(key, KEY_TTL_SECONDS)
            added, _expire = await pipe.execute()
        return bool(added)

    async def leave(self, *, project_id: int, channel: str) -> bool:
        return bool(await self.redis.hdel(presence_key(project_id), channel))

    async def _all(self, project_id: int) -> dict[str, dict]:
        raw = await self.redis.hgetall(presence_key(project_id))
        entries = {}
        for name, value in raw.items():
            try:
                entries[name.decode()] = json.loads(value)
            except (ValueError, UnicodeDecodeError):
                entries[name.decode(errors="replace")] = {}
        return entries

    async def entries(self, *, project_id: int) -> list[dict]:
        """The connections seen within STALE_SECONDS."""
        now = await self.now()
        all_entries = await self._all(project_id)
        return [e for e in all_entries.values() if _fresh(e, now)]

    async def prune(self, *, project_id: int) -> int:
        """Delete stale fields; the number this call deleted (another connection may race us to it)."""
        now = await self.now()
        stale = [name for name, e in (await self._all(project_id)).items() if not _fresh(e, now)]
        if not stale:
            return 0
        return int(await self.redis.hdel(presence_key(project_id), *stale))


def _fresh(entry: dict, now: float) -> bool:
    try:
        return now - float(entry["seen"]) <= STALE_SECONDS and "user" in entry
    except (KeyError, TypeError, ValueError):
        return False
