"""Recorded sample suggestions for the demo series, so the review flow can be tried without a model.

They are labelled as sample data (`sample=True`, shown as such on every card), cost no tokens and are
not counted in the series' usage. They are ordinary proposals otherwise: accepting one goes through
the same review services as a real one.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import Beat, Episode, Project, Suggestion

SAMPLE_MODEL = gettext_noop("sample data (recorded)")  # stored as is; translated where it is shown

BEATS = [
    "顾承泽连夜销毁城南项目的账本，被小桃撞见",
    "小桃被绑，林晚收到一段只有呼吸声的语音",
    "林晚用银镯里的定位反查到废弃码头",
    "苏柔假意通风报信，把林晚引进陷阱",
    "林晚早有准备：警笛声响起，顾承泽的人四散",
]
HOOKS = [
    "顾承泽把婚戒丢进江里：那就让她永远闭嘴。",
    "手机亮起：未知号码发来一张小桃被绑的照片。",
    "林晚对着镜子摘下银镯——里面藏着一枚芯片。",
]


def add_samples(*, project: Project, user) -> int:
    """Add the sample suggestions once; returns how many were added (0 if they exist already)."""
    if project.suggestions.filter(sample=True).exists():
        return 0
    now = timezone.now()
    common = {
        "project": project,
        "sample": True,
        "model": SAMPLE_MODEL,
        "status": Suggestion.Status.PENDING,
        "requested_by": user,
        "started_at": now,
        "finished_at": now,
        "prompt_version": "sample",
    }
    made = 0
    episode = project.episodes.filter(number=4).first() or project.episodes.order_by("-number").first()
    if episode is not None:
        made += _beats(episode, common)
    first = project.episodes.filter(number=1).first()
    scene = first.scenes.filter(omitted=False).order_by("position", "id").first() if first else None
    if scene is not None and "林晚：顾承泽，我把命都给了你！" in scene.text:
        proposal = scene.text.replace(
            "林晚：顾承泽，我把命都给了你！", "林晚：（死死攥住他的袖口）顾承泽，我把命都给了你……"
        ).replace("△顾承泽松手。", "△顾承泽一根一根掰开她的手指，松手。")
        Suggestion.objects.create(
            **common,
            kind=Suggestion.Kind.REWRITE,
            episode=first,
            scene=scene,
            base_text=scene.text,
            text=proposal,
            request={"instruction": "更狠一点：sharper conflict, harder lines.", "selection": None},
        )
        made += 1
    second = project.episodes.filter(number=2).first()
    if second is not None:
        Suggestion.objects.create(
            **common,
            kind=Suggestion.Kind.ALTERNATIVES,
            episode=second,
            base_text=second.cliffhanger,
            request={"target": "cliffhanger"},
            content={"items": [{"kind": "option", "value": h, "decision": None} for h in HOOKS]},
        )
        made += 1
    return made


def _beats(episode: Episode, common: dict) -> int:
    position = episode.beats.aggregate(m=Max("position"))["m"] or 0
    rows = Beat.objects.bulk_create(
        Beat(
            episode=episode,
            position=position + n,
            text=text,
            status=Beat.Status.PROPOSED,
            origin=Beat.Origin.AI,
            model_name=SAMPLE_MODEL,
        )
        for n, text in enumerate(BEATS, start=1)
    )
    items = [{"kind": "beat", "beat": row.pk, "value": row.text, "decision": None} for row in rows]
    Suggestion.objects.create(**common, kind=Suggestion.Kind.BEATS, episode=episode, content={"items": items})
    return 1
