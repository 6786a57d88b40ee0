"""Issue 9, point 12: a Chinese series title gets a readable, unique slug, never "series"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from scripts_app.models import Project
from scripts_app.services.projects import create_project, unique_slug

from .base import BaseTestCase


class SlugTestCase(BaseTestCase):
    def test_a_chinese_title_is_written_out_in_pinyin(self) -> None:
        self.assertEqual(unique_slug(title="契约新娘"), "qi-yue-xin-niang")
        self.assertEqual(
            unique_slug(title="重生之我是神医 2：归来"), "chong-sheng-zhi-wo-shi-shen-yi-2-gui-lai"
        )
        self.assertEqual(unique_slug(title="Night Shift 夜班"), "night-shift-ye-ban")

    def test_two_series_of_one_title_get_two_slugs(self) -> None:
        first = create_project(user=self.alice, title="契约新娘")
        second = create_project(user=self.alice, title="契约新娘")
        self.assertEqual((first.slug, second.slug), ("qi-yue-xin-niang", "qi-yue-xin-niang-2"))

    def test_a_title_with_nothing_to_romanise_is_still_not_generic(self) -> None:
        a, b = unique_slug(title="🔥🔥"), unique_slug(title="💔")
        self.assertTrue(a.startswith("series-") and b.startswith("series-"))
        self.assertNotEqual(a, b)

    def test_a_series_created_from_the_form_opens_at_its_pinyin_address(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("project_create"),
            {"title": "豪门千金", "language": "zh", "script_format": "zh", "target_episode_count": 80,
             "target_episode_seconds": 90},
        )  # fmt: skip
        project = Project.objects.get(title="豪门千金")
        self.assertEqual(project.slug, "hao-men-qian-jin")
        self.assertRedirects(response, reverse("project_detail", args=["hao-men-qian-jin"]))


@pytest.mark.django_db
@given(st.text(max_size=200))
@example("0_0")
@example("-_-")
def test_any_title_gets_a_slug_the_urls_accept(title: str) -> None:
    slug = unique_slug(title=title)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
    assert len(slug) <= 80
    reverse("project_detail", args=[slug])
