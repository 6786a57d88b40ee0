"""Issue 9, points 1 and 2: the bible holds what people created or accepted; saves never add to it.

Names the script uses that the bible does not know are listed (episode page, bible), with one-click
add or merge as an alias; characters are listed leads first with their counts."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from scripts_app import selectors
from scripts_app.collab import documents, store
from scripts_app.models import Character, Location, Scene
from scripts_app.services import bible, imports
from scripts_app.services.scenes import create_scene, save_scene_text

from .base import BaseTestCase

SLOW_SCENE = "5-2 夜 内 医院走廊\n人物：新角色甲\n"


def prefixes(text: str) -> list[str]:
    """What a row sync sees while a writer types `text` one character at a time."""
    return [text[:i] for i in range(1, len(text) + 1)]


class BibleCleanTestCase(BaseTestCase):
    def bible(self) -> tuple[list[str], list[str]]:
        return (
            sorted(self.project.characters.values_list("name", flat=True)),
            sorted(self.project.locations.values_list("name", flat=True)),
        )

    def test_typing_slowly_into_the_shared_text_adds_nothing_to_the_bible(self) -> None:
        before = self.bible()
        store.get_or_create(episode=self.episode)
        start = documents.episode_text_now(episode=self.episode) + "\n"
        more = [SLOW_SCENE + t for t in prefixes("人物：Lin Wan, Gu Chen")]
        for typed in [*prefixes(SLOW_SCENE), *more]:
            documents.change_text(episode=self.episode, change=lambda _old, t=typed: start + t, user=self.bob)
        self.assertEqual(self.bible(), before)
        self.assertTrue(self.episode.scenes.filter(heading="5-2 夜 内 医院走廊").exists())
        # The writer deletes the scene again: the bible still has nothing of it.
        documents.change_text(episode=self.episode, change=lambda _old: start, user=self.bob)
        self.assertFalse(self.episode.scenes.filter(heading="5-2 夜 内 医院走廊").exists())
        self.assertEqual(self.bible(), before)

    def test_saving_and_creating_scenes_adds_nothing_to_the_bible(self) -> None:
        before = self.bible()
        scene = create_scene(episode=self.episode, user=self.bob, text="1-2 日 外 医院\n人物：王小二\n")
        for typed in prefixes("王小二：你好。\n"):
            scene = save_scene_text(scene=scene, user=self.bob, text="1-2 日 外 医院\n人物：王小二\n" + typed)
        self.assertEqual(self.bible(), before)
        self.assertIsNone(scene.location)

    def test_the_script_s_new_names_are_listed_with_their_scene_counts(self) -> None:
        for n in range(2, 5):
            create_scene(episode=self.episode, user=self.bob, text=f"1-{n} 日 内 医院\n人物：王小二、张明\n")
        use = selectors.bible_use(project=self.project)
        self.assertEqual([(n.name, n.scenes, n.suggested) for n in use.new_characters], [("王小二", 3, None)])
        self.assertEqual([(n.name, n.scenes, n.int_ext) for n in use.new_locations], [("医院", 3, "内")])

        self.login(self.charlie)  # a viewer sees the list too, without the buttons
        for url in (
            reverse("project_detail", args=[self.project.slug]),
            reverse("episode_detail", args=[self.project.slug, 1]),
        ):
            page = self.client.get(url).content.decode()
            self.assertIn("王小二", page)
            self.assertIn("3 scenes", page)
            self.assertNotIn(reverse("script_name_add", args=[self.project.slug]), page)
        self.login(self.bob)
        page = self.client.get(reverse("episode_detail", args=[self.project.slug, 1])).content.decode()
        self.assertIn(reverse("script_name_add", args=[self.project.slug]), page)

    def test_a_writer_adds_a_name_with_one_click_and_its_scenes_point_at_it(self) -> None:
        scene = create_scene(episode=self.episode, user=self.bob, text="1-2 日 内 医院\n人物：王小二\n")
        self.login(self.bob)
        url = reverse("script_name_add", args=[self.project.slug])
        back = reverse("episode_detail", args=[self.project.slug, 1])
        response = self.client.post(url, {"kind": "character", "name": "王小二", "next": back})
        self.assertRedirects(response, back, fetch_redirect_response=False)
        self.client.post(url, {"kind": "location", "name": "医院", "int_ext": "内", "next": back})
        self.assertTrue(Character.objects.filter(project=self.project, name="王小二").exists())
        scene.refresh_from_db()
        self.assertEqual(scene.location.name, "医院")
        self.assertEqual(Location.objects.get(project=self.project, name="医院").int_ext, "内")
        use = selectors.bible_use(project=self.project)
        self.assertEqual((use.new_characters, use.new_locations), ([], []))
        # A second click (a stale page) says so and adds nothing.
        response = self.client.post(url, {"kind": "character", "name": "王小二"}, follow=True)
        self.assertContains(response, "already knows")
        self.assertEqual(Character.objects.filter(project=self.project, name="王小二").count(), 1)

    def test_an_unknown_name_merges_as_an_alias_of_a_known_character(self) -> None:
        lin = Character.objects.create(project=self.project, name="林晚", look="白衬衫")
        create_scene(
            episode=self.episode, user=self.bob, text="1-2 日 内 客厅\n人物：晚晚\n晚晚：我回来了。\n"
        )
        # The merge offers 林晚 first (every letter of 晚晚 is in her name); a writer still clicks.
        self.assertEqual(
            [n.suggested for n in selectors.bible_use(project=self.project).new_characters], [lin.pk]
        )
        self.login(self.bob)
        url = reverse("script_name_merge", args=[self.project.slug])
        self.client.post(url, {"name": "晚晚", "character": lin.pk})
        lin.refresh_from_db()
        self.assertEqual(lin.aliases, "晚晚")
        self.assertEqual(lin.look, "白衬衫")
        use = selectors.bible_use(project=self.project)
        self.assertNotIn("晚晚", [n.name for n in use.new_characters])
        counted = next(c for c in use.characters if c.name == "林晚")
        self.assertEqual((counted.scene_count, counted.line_count), (1, 1))
        bible.merge_alias(project=self.project, name="小晚", character=lin)
        lin.refresh_from_db()
        self.assertEqual(lin.aliases, "晚晚、小晚")

    def test_a_viewer_can_neither_add_nor_merge(self) -> None:
        create_scene(episode=self.episode, user=self.bob, text="1-2 日 内 客厅\n人物：晚晚\n")
        zhang = Character.objects.get(project=self.project, name="张明")
        self.login(self.charlie)
        add = self.client.post(
            reverse("script_name_add", args=[self.project.slug]), {"kind": "character", "name": "晚晚"}
        )
        merge = self.client.post(
            reverse("script_name_merge", args=[self.project.slug]), {"name": "晚晚", "character": zhang.pk}
        )
        self.assertEqual((add.status_code, merge.status_code), (403, 403))
        zhang.refresh_from_db()
        self.assertEqual(zhang.aliases, "")
        self.assertFalse(Character.objects.filter(project=self.project, name="晚晚").exists())

    def test_a_merge_into_another_series_character_is_refused(self) -> None:
        other = self.screenplay("INT. BANK - DAY\n\nJOE\nHi.\n")
        joe = Character.objects.create(project=other, name="JOE")
        self.login(self.bob)
        response = self.client.post(
            reverse("script_name_merge", args=[self.project.slug]), {"name": "晚晚", "character": joe.pk}
        )
        self.assertEqual(response.status_code, 404)

    def test_next_never_leads_off_the_site(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("script_name_add", args=[self.project.slug]),
            {"kind": "character", "name": "王小二", "next": "https://evil.example/"},
        )
        self.assertRedirects(
            response, reverse("project_detail", args=[self.project.slug]), fetch_redirect_response=False
        )

    def test_an_import_still_adds_what_it_finds_once(self) -> None:
        data = "第2集 重逢\n2-1 日 内 咖啡馆\n人物：苏柔、张明\n苏柔：好久不见。\n".encode()
        imports.import_script(project=self.project, data=data, user=self.alice, filename="ep2.txt")
        imports.import_script(
            project=self.project, data=data.replace("第2集".encode(), "第3集".encode()),
            user=self.alice, filename="ep3.txt",
        )  # fmt: skip
        self.assertEqual(Character.objects.filter(project=self.project, name="苏柔").count(), 1)
        self.assertEqual(Location.objects.filter(project=self.project, name="咖啡馆").count(), 1)

    def test_characters_are_listed_leads_first_with_their_counts(self) -> None:
        Character.objects.create(project=self.project, name="阿龙")  # in no scene: last
        create_scene(
            episode=self.episode, user=self.bob, text="1-2 日 内 客厅\n人物：张父\n张父：嗯。\n张父：走吧。\n"
        )
        use = selectors.bible_use(project=self.project)
        self.assertEqual(
            [(c.name, c.scene_count, c.line_count) for c in use.characters],
            [("张父", 2, 3), ("张明", 1, 0), ("阿龙", 0, 0)],
        )
        self.login(self.bob)
        page = self.client.get(reverse("project_detail", args=[self.project.slug])).content.decode()
        self.assertLess(page.index("张父"), page.index("阿龙"))
        self.assertIn("2 scenes / 3 lines", page)

    def test_the_migration_removes_empty_entries_no_scene_uses(self) -> None:
        for name in ("医", "医院", "医院走", "新", "新角"):
            Character.objects.create(project=self.project, name=name)
            Location.objects.create(project=self.project, name=name)
        Character.objects.create(project=self.project, name="路人", look="鸭舌帽")  # a person wrote this
        Location.objects.create(project=self.project, name="天台", look="风大")
        # Used by a scene though empty: stays (and so do the base case's 张明, 张父, 张家客厅).
        create_scene(episode=self.episode, user=self.bob, text="1-2 日 内 医院\n人物：新\n")
        Scene.objects.filter(heading="1-2 日 内 医院").update(location=None)
        migration = importlib.import_module("scripts_app.migrations.0009_clean_bible")
        migration.remove_empty_autocreated(django_apps, None)
        self.assertEqual(self.bible(), (["张明", "张父", "新", "路人"], ["医院", "天台", "张家客厅"]))


def test_the_new_names_follow_the_scenes_live_on_the_board_and_the_episode_page() -> None:
    from scripts_app.collab.live_pages import Where, fragments_for

    assert "bible" in fragments_for(Where("board"), ["scenes"], 3)
    assert "script-names" in fragments_for(Where("episode", 3), ["scenes"], 3)
    assert "script-names" in fragments_for(Where("episode", 3), ["bible"], None)
    assert "script-names" not in fragments_for(Where("episode", 3), ["scenes"], 4)
