"""Form validation for the pages; writes go through services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import Beat, Character, Episode, Location, Project, Role

PROJECT_FIELDS = [
    "title", "logline", "synopsis", "genre", "audience", "language", "script_format",
    "target_episode_count", "target_episode_seconds", "style_guide", "glossary",
]  # fmt: skip


class ProjectForm(forms.ModelForm):
    paywall = forms.CharField(
        label=_("Paywall episodes"),
        required=False,
        help_text=_("Episode numbers separated by commas, e.g. 10, 25, 40"),
    )

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            f: forms.Textarea(attrs={"rows": 3}) for f in ("logline", "synopsis", "style_guide", "glossary")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["paywall"].initial = ", ".join(str(n) for n in self.instance.paywall_episodes or [])

    def clean_paywall(self) -> list[int]:
        raw = self.cleaned_data["paywall"].replace("，", ",")
        try:
            numbers = sorted({int(p) for p in raw.split(",") if p.strip()})
        except ValueError:
            raise forms.ValidationError(_("Use episode numbers separated by commas.")) from None
        if any(n < 1 for n in numbers):
            raise forms.ValidationError(_("Episode numbers start at 1."))
        return numbers


class CharacterForm(forms.ModelForm):
    class Meta:
        model = Character
        fields = [
            "name", "aliases", "age", "look", "identity", "relationships",
            "personality", "speech_habits", "goal", "secret",
        ]  # fmt: skip
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in ("look", "identity", "relationships", "personality", "speech_habits", "goal", "secret")
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = self.project.characters.filter(name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The bible already has a character with this name."))
        return name


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "int_ext", "look", "props"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in ("look", "props")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.project.locations.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The bible already has a location with this name."))
        return name


class EpisodeForm(forms.ModelForm):
    is_paywall = forms.BooleanField(label=_("Paywall episode"), required=False)

    class Meta:
        model = Episode
        fields = ["number", "title", "summary", "hook", "cliffhanger", "status"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in ("summary", "hook", "cliffhanger")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if self.instance.pk:
            self.fields["is_paywall"].initial = self.instance.is_paywall
        status = self.fields["status"]
        if self.instance.locked_at:
            # Locked for production by the showrunner (see services/production.py): not a form choice.
            status.disabled = True
            # Its printed scene numbers (3-1, 3-12A) and issued revisions carry this number.
            self.fields["number"].disabled = True
            self.fields["number"].help_text = _("A locked episode keeps its number.")
        else:
            status.choices = [c for c in Episode.Status.choices if c[0] != Episode.Status.LOCKED]

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        if number < 1:
            raise forms.ValidationError(_("Episode numbers start at 1."))
        if number > settings.EPISODE_NUMBER_MAX:
            raise forms.ValidationError(
                _("Episode numbers run from 1 to %(max)d.") % {"max": settings.EPISODE_NUMBER_MAX}
            )
        if self.project.episodes.filter(number=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This series already has an episode %(n)d.") % {"n": number})
        return number


class MemberForm(forms.Form):
    """Inviting someone: by username or address, or (left empty) a link to give to anyone."""

    who = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        required=False,
        help_text=_(
            "An e-mail address gets the invitation's link by mail. "
            "Leave empty for a link to send to someone who has no account yet."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.WRITER)


class InviteSignupForm(UserCreationForm):
    """Someone opening an invitation link without an account chooses a name and a password.

    The e-mail address is theirs to give and is never checked, so nothing trusts it: invitations by
    address travel as mailed links (services/projects.py). A username holds no "@", so that what a
    showrunner types is never both an address and somebody's name."""

    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str:
        username = super().clean_username()  # None when the name is taken (the error is already added)
        if username and "@" in username:
            raise forms.ValidationError(_("A username cannot contain “@”; an e-mail address is not a name."))
        return username


class SignupForm(InviteSignupForm):
    """A new account from the login page: the same fields and checks as an invitation's signup."""


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class BeatForm(forms.ModelForm):
    class Meta:
        model = Beat
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Script file"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("auto", _("Detect")),
            ("fountain", "Fountain"),
            ("zh", _("Chinese micro-drama")),
            ("docx", "DOCX"),
        ],
        initial="auto",
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("pdf", _("Shooting script (PDF)")),
            ("fountain", "Fountain"),
            ("zh", _("Chinese micro-drama (text)")),
            ("fdx", "Final Draft (FDX)"),
            ("docx", _("Word (DOCX, Chinese format)")),
            ("shotlist", _("Shot list (CSV)")),
            ("shotlist-pdf", _("Shot list (PDF)")),
        ],
    )
    episodes = forms.CharField(label=_("Episodes"), required=False, help_text=_("e.g. 1-5; empty for all"))
    profile = forms.ChoiceField(
        label=_("Page"),
        required=False,
        choices=[("", _("Series default")), ("letter", "US Letter"), ("a4", "A4"), ("zh", _("Chinese A4"))],
    )
    revision = forms.ChoiceField(label=_("Revision"), initial="current", required=False)
    watermark = forms.CharField(
        label=_("Watermark"),
        required=False,
        max_length=80,
        help_text=_("The recipient's name, on every page"),
    )
    revised_only = forms.BooleanField(label=_("Only pages with revised lines"), required=False)
    provenance = forms.BooleanField(label=_("Mark AI and AI-edited lines (review copy)"), required=False)
    unwritten_note = forms.BooleanField(
        label=_("Unwritten episodes print a line saying so"),
        required=False,
        help_text=_("Otherwise an episode with no text is left out of the PDF."),
    )

    def clean_episodes(self) -> tuple[int, int] | None:
        from .services.exports import parse_episode_range

        try:
            return parse_episode_range(self.cleaned_data["episodes"])
        except ValueError:
            raise forms.ValidationError(_("Use a range such as 1-5.")) from None

    def __init__(self, *args, revision_colors: list[str] = (), **kwargs):
        """`revision_colors`: the colours issued so far in this series, by index (0 is white)."""
        super().__init__(*args, **kwargs)
        self.fields["revision"].choices = [
            ("current", _("Working draft")),
            ("issued", _("Latest issued revision")),
            *(
                (str(i), _("%(colour)s draft") % {"colour": _(c).upper()})  # 蓝色稿, BLUE draft
                for i, c in enumerate(revision_colors)
            ),
        ]

    def clean_revision(self) -> str:
        return self.cleaned_data["revision"] or "current"


class TitlePageForm(forms.Form):
    """The series' title page (Fountain's keys); empty fields are left off the printed page."""

    title = forms.CharField(label=_("Title"), required=False, max_length=2000)
    credit = forms.CharField(
        label=_("Credit"), required=False, max_length=2000, help_text=_("e.g. Written by")
    )
    authors = forms.CharField(
        label=_("Author(s)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(
        label=_("Source"), required=False, max_length=2000, help_text=_("e.g. Based on the novel by …")
    )
    draft_date = forms.CharField(label=_("Draft date"), required=False, max_length=2000)
    contact = forms.CharField(
        label=_("Contact"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    copyright = forms.CharField(label=_("Copyright"), required=False, max_length=2000)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    print_in_pdf = forms.BooleanField(
        label=_("Print it as the first page of PDF exports"), required=False, initial=True
    )


class DisplayNameForm(forms.Form):
    """The name the room sees (presence, comments, history, title page) instead of the login name."""

    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=150,
        help_text=_("Shown to the room instead of your login name. Leave empty to use your login name."),
    )
