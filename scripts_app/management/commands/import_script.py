"""python manage.py import_script PATH --project SLUG [--create "Title"]
[--format auto|fountain|zh|fdx|docx]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from scripts_app.models import Project
from scripts_app.services import imports
from scripts_app.services.projects import create_project


class Command(BaseCommand):
    help = "Import a script file (Fountain, Chinese micro-drama, DOCX) into a series; all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--project", required=True, help="the series' slug")
        parser.add_argument(
            "--create", metavar="TITLE", help="create the series with this title if it is new"
        )
        parser.add_argument("--format", default="auto", choices=["auto", "fountain", "zh", "fdx", "docx"])
        parser.add_argument("--user", help="username recorded as the author (default: the first superuser)")

    def handle(self, *args, path: str, project: str, create: str | None, format: str, user: str | None, **kw):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        if file.stat().st_size > settings.SCRIPT_UPLOAD_MAX_BYTES:
            raise CommandError(
                f"{path} is {file.stat().st_size / 1e6:.1f} MB; "
                f"the limit is {settings.SCRIPT_UPLOAD_MAX_BYTES / 1e6:.1f} MB."
            )
        author = self._author(user)
        try:
            doc, fmt = imports.read_document(data=file.read_bytes(), filename=file.name, fmt=format)
            with transaction.atomic():
                series = Project.objects.filter(slug=project).first()
                if series is None:
                    if not create:
                        raise CommandError(f'No series "{project}". Add --create "Title" to create it.')
                    series = create_project(user=author, title=create, slug=project, script_format=fmt,
                                            language="zh" if fmt == "zh" else "en")  # fmt: skip
                result = imports.import_document(project=series, doc=doc, user=author, source_format=fmt)
        except imports.ImportFailed as exc:
            raise CommandError(imports.failure_message(exc)) from exc
        for note in result.notes():  # the bible filled from the file's preamble, any conversion
            self.stdout.write(note)
        self.stdout.write(result.summary())  # last, as scripts reading the output expect

    def _author(self, username: str | None):
        users = get_user_model().objects
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"No user {username!r}.")
            return found
        author = users.filter(is_superuser=True).order_by("pk").first() or users.order_by("pk").first()
        if author is None:
            raise CommandError(
                "There are no users yet: create one (manage.py createsuperuser) or pass --user."
            )
        return author
