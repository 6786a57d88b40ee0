"""Reads. Each page's data in a fixed number of queries, whatever the number of scenes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from .formats.elements import Kind
from .layout import revision_color
from .models import Beat, Character, Episode, Location, Membership, Project, Role, Scene, ScriptRevision
from .numbering import fill_numbers


def projects_for(*, user) -> QuerySet[Project]:
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(episode_count=Count("episodes", distinct=True))
        .order_by("-updated_at")
    )


def project_board(*, project: Project) -> dict:
    scene_count = Count("scenes", filter=Q(scenes__omitted=False))
    episodes = list(project.episodes.annotate(scene_count=scene_count).order_by("number"))
    for ep in episodes:
        ep.project = project  # is_paywall reads the series' list without a query per episode
    return {"episodes": episodes, **bible_context(project=project)}


def bible_context(*, project: Project) -> dict:
    """What the bible partial shows: entries leads first with their counts, and the script's new names."""
    use = bible_use(project=project)
    return {
        "characters": use.characters,
        "locations": use.locations,
        "new_characters": use.new_characters,
        "new_locations": use.new_locations,
        "known_characters": sorted(use.characters, key=lambda c: c.name),
    }


ROLE_ORDER = Case(
    *(When(role=role, then=Value(i)) for i, role in enumerate(Role)), output_field=IntegerField()
)


def members_of(*, project: Project) -> list[Membership]:
    """Showrunners first, then writers, then viewers; by name within a role."""
    qs = Membership.objects.filter(project=project).select_related("user")
    return list(qs.order_by(ROLE_ORDER, "user__username"))


def episode_page(*, project: Project, number: int) -> Episode:
    """The episode with its scenes (and their locations) and beats (and their scenes) prefetched."""
    episode = (
        Episode.objects.filter(project=project, number=number)
        .prefetch_related(
            Prefetch("scenes", queryset=Scene.objects.select_related("location", "updated_by")),
            Prefetch("beats", queryset=Beat.objects.select_related("scene", "author")),
            Prefetch("revisions", queryset=ScriptRevision.objects.order_by("index")),
        )
        .get()
    )
    episode.project = project
    return episode


def neighbours(*, episode: Episode) -> tuple[int | None, int | None]:
    numbers = Episode.objects.filter(project_id=episode.project_id)
    prev = (
        numbers.filter(number__lt=episode.number).order_by("-number").values_list("number", flat=True).first()
    )
    nxt = (
        numbers.filter(number__gt=episode.number).order_by("number").values_list("number", flat=True).first()
    )
    return prev, nxt


def revision_colors(*, project: Project) -> list[str]:
    """The colours issued so far anywhere in the series, by revision index."""
    last = ScriptRevision.objects.filter(episode__project=project).order_by("-index").first()
    return [] if last is None else [revision_color(i) for i in range(last.index + 1)]


def episodes_for_print(
    *, project: Project, episode_range: tuple[int, int] | None = None
) -> QuerySet[Episode]:
    """Episodes with their scenes and every issued revision's snapshots, in a fixed number of queries."""
    revisions = ScriptRevision.objects.order_by("index").prefetch_related("snapshots")
    qs = project.episodes.order_by("number").prefetch_related(
        Prefetch("scenes", queryset=Scene.objects.all()), Prefetch("revisions", queryset=revisions)
    )
    if episode_range:
        qs = qs.filter(number__gte=episode_range[0], number__lte=episode_range[1])
    return qs


def shooting_numbers(*, episode: Episode, scenes: list[Scene]) -> dict[int, str]:
    """Scene id -> the number it prints with. Locked numbers stay; new scenes get 12A-style ones."""
    if not episode.locked_at or not any(s.locked_number for s in scenes):
        # Unlocked, or locked while empty: nothing is fixed yet, so numbers follow the order.
        chinese = episode.project.script_format == "zh"
        live = [s for s in scenes if not s.omitted]
        return {s.pk: f"{episode.number}-{i}" if chinese else str(i) for i, s in enumerate(live, start=1)} | {
            s.pk: s.number for s in scenes if s.omitted
        }
    filled = fill_numbers([s.locked_number or None for s in scenes])
    return {s.pk: n for s, n in zip(scenes, filled, strict=True)}


def numbered_scenes(*, episode: Episode, scenes: list[Scene]) -> list[Scene]:
    """Give each scene the number it prints with (locked, 12A-style, or as typed)."""
    numbers = shooting_numbers(episode=episode, scenes=scenes)
    for scene in scenes:
        scene.shooting_number = numbers[scene.pk]
    return scenes


def comment_threads(*, episode: Episode) -> list:
    """An episode's threads, open ones first, each with its replies, in two queries."""
    from .models import Comment

    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    threads = (
        Comment.objects.filter(episode=episode, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )
    return sorted(threads, key=lambda c: (c.resolved_at is not None, c.created_at))


# ---- the bible and the names the script uses ------------------------------------------------------


def split_aliases(aliases: str) -> list[str]:
    """Aliases as rooms type them: separated by commas (either width) or 、."""
    parts = aliases.replace("，", ",").replace("、", ",").split(",")
    return [a.strip() for a in parts if a.strip()]


def name_key(name: str) -> str:
    """Names compare without case: a Fountain cue is LIN WAN, the bible says Lin Wan."""
    return name.strip().casefold()


def character_names(*, project: Project) -> dict[str, int]:
    """Every name and alias the bible knows (by name_key) -> the character's id."""
    rows = list(Character.objects.filter(project=project).values_list("pk", "name", "aliases"))
    known: dict[str, int] = {}
    for pk, _name, aliases in rows:
        for alias in split_aliases(aliases):
            known.setdefault(name_key(alias), pk)
    for pk, name, _aliases in rows:
        known[name_key(name)] = pk  # a name wins over another character's alias
    return known


@dataclass
class ScriptName:
    """A name the script uses that the bible does not know, with how much the script uses it."""

    name: str
    scenes: int = 0
    lines: int = 0
    int_ext: str = ""  # locations: as the first heading that names it says
    suggested: int | None = None  # characters: the known one it most likely names (晚晚 -> 林晚)


@dataclass
class BibleUse:
    characters: list[Character]  # each with .scene_count and .line_count, leads first
    locations: list[Location]  # each with .scene_count
    new_characters: list[ScriptName] = field(default_factory=list)
    new_locations: list[ScriptName] = field(default_factory=list)


def bible_use(*, project: Project, episode: Episode | None = None) -> BibleUse:
    """The bible's entries with how often the script (or one episode of it) uses them, leads first,
    and the names the script uses that the bible does not know yet.

    One query for the live scenes' texts; what each text says about names is remembered per text
    (_scene_names), so a page of an 80-episode series re-reads no scene it has seen before."""
    fmt = project.script_format
    characters = list(project.characters.all())
    locations = list(project.locations.all())
    by_id = {c.pk: c for c in characters}
    known = character_names(project=project)
    places = {name_key(loc.name): loc for loc in locations}
    for item in (*characters, *locations):
        item.scene_count, item.line_count = 0, 0
    new_characters: dict[str, ScriptName] = {}
    new_locations: dict[str, ScriptName] = {}
    scenes = Scene.objects.filter(episode__project=project, omitted=False)
    if episode is not None:
        scenes = scenes.filter(episode=episode)
    for text in scenes.values_list("text", flat=True).iterator(chunk_size=200):
        names, place, int_ext = _scene_names(text, fmt)
        counted: set = set()
        for name, key, lines in names:
            pk = known.get(key)
            if pk is not None:
                entry = by_id[pk]
                entry.line_count += lines
                if pk not in counted:  # 林晚 and her alias 晚晚 in one scene: one scene
                    counted.add(pk)
                    entry.scene_count += 1
            else:
                found = new_characters.setdefault(key, ScriptName(name))
                found.lines += lines
                found.scenes += 1
        if place:
            loc = places.get(name_key(place))
            if loc is not None:
                loc.scene_count += 1
            else:
                new_locations.setdefault(name_key(place), ScriptName(place, int_ext=int_ext)).scenes += 1
    characters.sort(key=lambda c: (-c.scene_count, -c.line_count, c.name))
    locations.sort(key=lambda loc: (-loc.scene_count, loc.name))

    def most_used(names: dict[str, ScriptName]) -> list[ScriptName]:
        return sorted(names.values(), key=lambda n: (-n.scenes, -n.lines, n.name))

    for new in new_characters.values():
        new.suggested = _likely_character(new.name, characters)
    return BibleUse(characters, locations, most_used(new_characters), most_used(new_locations))


@lru_cache(maxsize=16_384)
def _scene_names(text: str, fmt: str) -> tuple[tuple[tuple[str, str, int], ...], str, str]:
    """What a scene's text says about names: ((name, name_key, lines spoken), ...), location, int/ext.

    Keyed by the text, as the parse cache is: the same text always says the same. Names are cut to
    the column's width, so a long name the bible holds cut is known the next time too."""
    from .formats.elements import speaking_characters
    from .script_text import scene_facts

    facts = scene_facts(text, fmt)
    lines: dict[str, int] = {}
    for el in facts.elements:
        if el.kind == Kind.CHARACTER and el.text:
            key = name_key(el.text[:100])
            lines[key] = lines.get(key, 0) + 1
    names: dict[str, tuple[str, str, int]] = {}
    for name in speaking_characters(list(facts.elements)):
        key = name_key(name[:100])
        names.setdefault(key, (name[:100], key, lines.get(key, 0)))
    return tuple(names.values()), facts.parts.location[:200], facts.parts.int_ext


def _likely_character(name: str, characters: list[Character]) -> int | None:
    """The known character whose name holds every letter of `name` (晚晚 -> 林晚, "Wan" -> "Lin Wan"),
    if exactly one does: only a preselection for the merge, which a writer still clicks."""
    letters = set(name_key(name)) - set(" .-'·")
    if not letters:
        return None
    found = [c.pk for c in characters if letters <= set(name_key(c.name))]
    return found[0] if len(found) == 1 else None


def episode_new_names(*, episode: Episode) -> dict:
    """The names one episode's script uses that the bible does not know (for its page's list)."""
    use = bible_use(project=episode.project, episode=episode)
    return {
        "new_characters": use.new_characters,
        "new_locations": use.new_locations,
        "known_characters": sorted(use.characters, key=lambda c: c.name),
    }
