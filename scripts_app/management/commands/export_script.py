"""python manage.py export_script SLUG --format pdf|fdx|docx|shotlist|shotlist-pdf|fountain|zh
[--episodes 1-10] [--profile letter|a4|zh] [--revision current|issued|N] [--watermark NAME]
[--revised-only] [--provenance] [--no-title-page] [--unwritten-note] -o FILE"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scripts_app.models import Project
from scripts_app.services import exports
from scripts_app.services.shooting_script import NothingToPrint, PrintRequest, RevisionNotIssued


class Command(BaseCommand):
    help = "Export a series: shooting-script PDF, FDX, DOCX, shot list, Fountain or the Chinese format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", required=True, choices=list(exports.FORMATS))
        parser.add_argument("--episodes", default="", help="a range such as 1-5 (default: all)")
        parser.add_argument("--profile", default="", choices=["", "letter", "a4", "zh"])
        parser.add_argument(
            "--revision", default="current", help="current, issued, or an issued revision's index"
        )
        parser.add_argument("--watermark", default="", help="recipient's name printed across every page")
        parser.add_argument("--revised-only", action="store_true", help="only pages with revised lines")
        parser.add_argument("--provenance", action="store_true", help="mark AI and AI-edited lines")
        parser.add_argument(
            "--no-title-page", action="store_true", help="leave the series' title page out of the PDF"
        )
        parser.add_argument(
            "--unwritten-note",
            action="store_true",
            help="an episode with no text prints a line saying so (by default it prints nothing)",
        )
        parser.add_argument("-o", "--output", required=True, help="file to write ('-' for standard output)")

    def handle(self, *args, slug: str, format: str, episodes: str, output: str, **opts):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f'No series "{slug}".')
        try:
            episode_range = exports.parse_episode_range(episodes)
        except ValueError:
            raise CommandError(f"--episodes takes a range such as 1-5, not {episodes!r}.") from None
        request = PrintRequest(
            episode_range=episode_range, profile=opts["profile"], revision=opts["revision"],
            watermark=opts["watermark"], revised_only=opts["revised_only"], provenance=opts["provenance"],
            title_page=not opts["no_title_page"], unwritten_note=opts["unwritten_note"],
        )  # fmt: skip
        try:
            exported = exports.export_file(project=project, fmt=format, request=request)
        except (NothingToPrint, RevisionNotIssued) as exc:
            raise CommandError(str(exc)) from exc
        if output == "-" and exported.content_type.startswith(("text/", "application/xml")):
            self.stdout.write(exported.data.decode("utf-8"), ending="")
        elif output == "-":
            sys.stdout.buffer.write(exported.data)
        else:
            Path(output).write_bytes(exported.data)
            self.stderr.write(f"wrote {output} ({len(exported.data):,} bytes)")
