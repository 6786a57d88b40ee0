"""Ordering scenes and beats: drag and drop sends a full order, the keyboard moves one step."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet


@transaction.atomic
def reorder(*, queryset: QuerySet, ordered_ids: list[int]) -> None:
    """Set positions 1..n in the given order; unknown ids are ignored, missing ones keep their order last."""
    items = {obj.pk: obj for obj in queryset.select_for_update()}
    wanted = [pk for pk in dict.fromkeys(ordered_ids) if pk in items]
    order = wanted + [pk for pk in items if pk not in wanted]
    for position, pk in enumerate(order, start=1):
        items[pk].position = position
    if items:
        queryset.model.objects.bulk_update(items.values(), ["position"])


def moved(*, ids: list[int], item_id: int, delta: int) -> list[int]:
    """The order with one item moved up (-1) or down (+1)."""
    ids = list(ids)
    i = ids.index(item_id)
    j = max(0, min(len(ids) - 1, i + delta))
    ids.insert(j, ids.pop(i))
    return ids


def move(*, queryset: QuerySet, item, delta: int) -> None:
    """Move one item up (-1) or down (+1) among its siblings."""
    ids = moved(ids=list(queryset.values_list("pk", flat=True)), item_id=item.pk, delta=delta)
    reorder(queryset=queryset, ordered_ids=ids)
