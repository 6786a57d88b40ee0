"""The series' title page: kept from an import, edited on the series, written by every export.

``Project.title_page`` holds the Fountain title-page keys as lower-case field names (title, credit,
authors, source, draft_date, contact, copyright, notes); an empty dict means the series has none.
One more key, ``print`` (False), is set when the showrunner does not want it on printed PDFs: the
PDF prints it as its first page by default whenever the series has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..formats.fountain import strip_emphasis
from ..models import Project

# (field, Fountain key written by exports, label on the edit page)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "Title", _("Title")),
    ("credit", "Credit", _("Credit")),
    ("authors", "Author", _("Author(s)")),
    ("source", "Source", _("Source")),
    ("draft_date", "Draft date", _("Draft date")),
    ("contact", "Contact", _("Contact")),
    ("copyright", "Copyright", _("Copyright")),
    ("notes", "Notes", _("Notes")),
)
FIELD_NAMES = tuple(name for name, _key, _label in FIELDS)
PRINT_KEY = "print"
MAX_CHARS = 2000  # per field: a title page, not a treatment

# Keys as scripts spell them (lower case, "_" and "-" read as spaces) -> field.
_ALIASES = {
    "title": "title",
    "credit": "credit",
    "credits": "credit",
    "author": "authors",
    "authors": "authors",
    "source": "source",
    "draft date": "draft_date",
    "date": "draft_date",
    "contact": "contact",
    "contact info": "contact",
    "copyright": "copyright",
    "notes": "notes",
    "note": "notes",
}


def fields_from_entries(entries: list[tuple[str, str]]) -> dict[str, str]:
    """A parsed file's title page (``ScriptDocument.title_page``) as the series' fields.

    A key said twice (two Author lines) keeps both values, one a line; a key the app has no field
    for ("Revision: Blue") is kept in the notes as "Key: value" rather than lost."""
    values: dict[str, list[str]] = {}
    for key, value in entries:
        value = (value or "").strip()
        if not value:
            continue
        name = _ALIASES.get(" ".join(key.replace("_", " ").replace("-", " ").lower().split()))
        if name is None:
            values.setdefault("notes", []).append(f"{key.strip()}: {value}")
        else:
            values.setdefault(name, []).append(value)
    return {name: "\n".join(parts)[:MAX_CHARS] for name, parts in values.items()}


def has_title_page(project: Project) -> bool:
    page = project.title_page or {}
    return any(str(page.get(name) or "").strip() for name in FIELD_NAMES)


def title_page_entries(project: Project) -> list[tuple[str, str]]:
    """The title page as Fountain keys in the usual order, for exports; [] when the series has none.

    A page with no title takes the series' title, so no printed title page lacks one."""
    if not has_title_page(project):
        return []
    page = project.title_page
    entries = [(key, str(page.get(name) or "").strip()) for name, key, _label in FIELDS]
    entries = [(key, value) for key, value in entries if value]
    if entries[0][0] != "Title" and project.title:
        entries.insert(0, ("Title", project.title))
    return entries


def printed_title_page(project: Project) -> list[tuple[str, str]]:
    """What the PDF prints as its first page: the series' title page unless switched off."""
    if (project.title_page or {}).get(PRINT_KEY) is False:
        return []
    return title_page_entries(project)


@dataclass(frozen=True)
class TitlePageMerge:
    filled: list[str]  # fields the import filled in (they were empty)
    differed: list[str]  # fields the series already had with other words (kept as they were)

    @property
    def empty(self) -> bool:
        return not (self.filled or self.differed)


def label(name: str) -> str:
    """A title-page field's label as the edit page shows it ("Author(s)")."""
    return str(next(lbl for field, _key, lbl in FIELDS if field == name))


def _words(value: str) -> str:
    """What a value says, as printed: emphasis marks and spacing do not make it say something else."""
    return " ".join(strip_emphasis(value).split())


def fill_from_import(*, project: Project, entries: list[tuple[str, str]]) -> TitlePageMerge:
    """Fill the series' empty title-page fields from an imported file; never overwrite one."""
    imported = fields_from_entries(entries)
    if not imported:
        return TitlePageMerge([], [])
    with transaction.atomic():
        locked = Project.objects.select_for_update().only("title_page").get(pk=project.pk)
        page = dict(locked.title_page or {})
        filled, differed = [], []
        for name in FIELD_NAMES:
            new = imported.get(name, "")
            old = str(page.get(name) or "").strip()
            if not new:
                continue
            if not old:
                page[name] = new
                filled.append(name)
            elif _words(old) != _words(new):
                differed.append(name)
        if filled:
            Project.objects.filter(pk=project.pk).update(title_page=page)
            project.title_page = page
    return TitlePageMerge(filled, differed)


def update_title_page(*, project: Project, values: dict[str, str], print_in_pdf: bool = True) -> None:
    """Save the title page as edited on the series page (empty fields are dropped)."""
    page: dict[str, object] = {}
    for name in FIELD_NAMES:
        value = str(values.get(name) or "").replace("\r\n", "\n").strip()
        if value:
            page[name] = value[:MAX_CHARS]
    if page and not print_in_pdf:
        page[PRINT_KEY] = False
    project.title_page = page
    project.save(update_fields=["title_page", "updated_at"])
