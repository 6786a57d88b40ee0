"""Pages beside the runtime: the episode's printed length by the PDF's paginator, on the episode
page and per episode on the board (services/page_count.py, templatetags/page_tags.py)."""

from __future__ import annotations

from django.urls import reverse

from scripts_app.services import page_count
from scripts_app.services.episodes import create_episode
from scripts_app.services.scenes import create_scene, save_scene_text
from scripts_app.services.shooting_script import PrintRequest, build_pdf

from .base import BaseTestCase


class PageCountTests(BaseTestCase):
    def test_eighths_read_as_a_production_office_writes_them(self):
        self.assertEqual(
            [page_count.format_eighths(n) for n in (0, 3, 8, 11, 16)], ["0", "3/8", "1", "1 3/8", "2"]
        )

    def test_a_short_scene_is_a_fraction_and_a_long_one_pages_as_the_pdf(self):
        short = page_count.episode_eighths(episode=self.episode)
        self.assertTrue(1 <= short < 8, short)
        body = "".join(f"张明：第{i}句台词，说得很长很长，长到要折行才能放下。\n" for i in range(120))
        save_scene_text(scene=self.scene, user=self.alice, text=self.scene.text + body)
        self.episode.refresh_from_db()
        long = page_count.episode_eighths(episode=self.episode)
        _pdf, script = build_pdf(project=self.project, request=PrintRequest(episode_range=(1, 1)))
        printed = [p for p in script.pages if p.episode == 1]  # a title page is not the episode's
        self.assertGreater(long, 16)
        self.assertEqual((long + 7) // 8, len(printed))

    def test_the_episode_page_and_the_board_show_pages(self):
        empty = create_episode(project=self.project, number=2)
        self.login(self.charlie)
        page = self.client.get(reverse("episode_detail", args=["demo", 1]))
        self.assertContains(page, 'id="episode-pages"')
        self.assertContains(page, "/8 pp.")
        board = self.client.get(reverse("project_detail", args=["demo"]))
        self.assertContains(board, "/8 pp.")
        self.assertContains(board, "0 pp.")  # the unwritten episode
        create_scene(episode=empty, user=self.alice, text="2-1 夜 外 街\n△雨。\n")
        self.assertEqual(page_count.series_eighths(project=self.project)[empty.pk], 1)

    def test_a_fountain_episode_counts_the_pages_its_pdf_prints_without_notes_or_marks(self):
        note = "[[" + " ".join(["a long aside for the room only"] * 40) + "]]"
        body = "".join(f"**Beat {i}.** The *kettle* screams.{note} She waits.\n\n" for i in range(3))
        project = self.screenplay("INT. KITCHEN - DAY\n\n" + body)
        episode = project.episodes.get(number=1)
        eighths = page_count.episode_eighths(episode=episode)
        _pdf, script = build_pdf(project=project, request=PrintRequest(episode_range=(1, 1)))
        printed = [p for p in script.pages if p.episode == 1]
        self.assertEqual(len(printed), 1)
        self.assertLessEqual(eighths, 8)  # on one page, as printed; with its notes it counted 5 pages
        self.assertEqual(page_count.series_eighths(project=project)[episode.pk], eighths)

    def test_the_count_includes_the_episode_title_line_the_pdf_prints(self):
        project = self.screenplay(
            "INT. KITCHEN - DAY\n\n" + "She waits.\n\n" * 13
        )  # 4/8 without the title line
        episode = project.episodes.get(number=1)
        episode.title = "The Kettle"
        episode.save()
        _pdf, script = build_pdf(project=project, request=PrintRequest(episode_range=(1, 1)))
        printed = [p for p in script.pages if p.episode == 1]
        rows = [ln.row for ln in printed[-1].lines if ln.row is not None and ln.row >= 0]
        self.assertEqual(len(printed), 1)
        per_page = script.profile.lines_per_page
        self.assertEqual(page_count.episode_eighths(episode=episode), -(-(max(rows) + 1) * 8 // per_page))
