"""Reads. Each page's data in a fixed number of queries, whatever the number of scenes."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from .layout import revision_color
from .models import Beat, Episode, Membership, Project, Role, Scene, ScriptRevision
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
    return {
        "episodes": episodes,
        "characters": list(project.characters.all()),
        "locations": list(project.locations.all()),
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
