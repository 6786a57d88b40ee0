"""python manage.py export_script SLUG --format fountain|zh [--episodes 1-5] -o FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scripts_app.models import Project
from scripts_app.services import exports


class Command(BaseCommand):
    help = "Export a series' script as Fountain or the Chinese micro-drama format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", required=True, choices=["fountain", "zh"])
        parser.add_argument("--episodes", default="", help="a range such as 1-5 (default: all)")
        parser.add_argument("-o", "--output", required=True, help="file to write ('-' for standard output)")

    def handle(self, *args, slug: str, format: str, episodes: str, output: str, **kw):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f'No series "{slug}".')
        try:
            episode_range = exports.parse_episode_range(episodes)
        except ValueError:
            raise CommandError(f"--episodes takes a range such as 1-5, not {episodes!r}.") from None
        text = exports.export_text(project=project, fmt=format, episode_range=episode_range)
        if output == "-":
            self.stdout.write(text)
        else:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
