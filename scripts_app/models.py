"""The series and everything a room keeps about it.

A scene's script text is the one source of truth for its content; the heading
fields and runtime on Scene are derived from that text on every save (see
services/scenes.py), so the editor (and later Yjs) only ever edits text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScriptFormat(models.TextChoices):
    ZH = "zh", _("Chinese micro-drama")
    FOUNTAIN = "fountain", _("Screenplay (Fountain)")


class Role(models.TextChoices):
    SHOWRUNNER = "showrunner", _("Showrunner")
    WRITER = "writer", _("Writer")
    VIEWER = "viewer", _("Viewer")


# Higher rank may do everything a lower rank may.
ROLE_RANK = {Role.VIEWER: 0, Role.WRITER: 1, Role.SHOWRUNNER: 2}


class Project(models.Model):
    """A series: its bible and settings. Paywall positions are a per-series setting."""

    class Language(models.TextChoices):
        ZH = "zh", _("Chinese")
        EN = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=False)
    logline = models.TextField(_("logline"), blank=True)
    synopsis = models.TextField(_("synopsis"), blank=True)
    genre = models.CharField(_("genre"), max_length=100, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ZH)
    script_format = models.CharField(
        _("script format"), max_length=10, choices=ScriptFormat.choices, default=ScriptFormat.ZH
    )
    target_episode_count = models.PositiveIntegerField(_("target episode count"), default=80)
    target_episode_seconds = models.PositiveIntegerField(_("target episode length (seconds)"), default=90)
    paywall_episodes = models.JSONField(_("paywall episodes"), default=list, blank=True)
    style_guide = models.TextField(_("style guide"), blank=True)
    glossary = models.TextField(_("glossary"), blank=True)
    # The script's title page as a screenplay prints it: keys title, credit, authors, source,
    # draft_date, contact, copyright, notes (Fountain's title-page keys, FDX's TitlePage). Empty means
    # the series has none and exports print no title page unless asked.
    title_page = models.JSONField(_("title page"), default=dict, blank=True)
    # AI settings, set by the showrunner. The endpoint is one of the names in settings.LLM_ENDPOINTS
    # (the server holds the URLs and keys); blank means the server's first configured endpoint.
    ai_endpoint = models.CharField(_("AI endpoint"), max_length=40, blank=True)
    ai_model = models.CharField(_("AI model"), max_length=100, blank=True)
    ai_concurrency_limit = models.PositiveSmallIntegerField(_("AI requests running at once"), default=2)
    # Tokens in + out per calendar month; 0 switches AI off for the series.
    ai_monthly_token_budget = models.PositiveIntegerField(_("AI tokens per month"), default=1_000_000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.WRITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"

    def may(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    # For templates, which can't call may(role).
    @property
    def may_write(self) -> bool:
        return self.may(Role.WRITER)

    @property
    def is_showrunner(self) -> bool:
        return self.role == Role.SHOWRUNNER


class Character(models.Model):
    """人物小传. The look is the visual anchor that must stay the same across episodes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="characters")
    name = models.CharField(_("name"), max_length=100)
    aliases = models.CharField(_("aliases"), max_length=300, blank=True)
    age = models.CharField(_("age"), max_length=50, blank=True)
    look = models.TextField(_("look and usual costume"), blank=True)
    identity = models.TextField(_("identity"), blank=True)
    relationships = models.TextField(_("relationships"), blank=True)
    personality = models.TextField(_("personality"), blank=True)
    speech_habits = models.TextField(_("speech habits"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    secret = models.TextField(_("secret"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_character_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """场景库 entry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    int_ext = models.CharField(_("interior/exterior"), max_length=10, blank=True)
    look = models.TextField(_("look"), blank=True)
    props = models.TextField(_("recurring props"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_location_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Episode(models.Model):
    class Status(models.TextChoices):
        OUTLINE = "outline", _("Outline")
        DRAFT = "draft", _("Draft")
        REVISED = "revised", _("Revised")
        LOCKED = "locked", _("Locked")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    hook = models.TextField(_("opening hook"), blank=True)
    cliffhanger = models.TextField(_("cliffhanger"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OUTLINE)
    # Sum of its scenes' estimates, kept current by the scene services.
    runtime_seconds = models.PositiveIntegerField(default=0)
    # Set when the showrunner locks the episode for production: scene numbers are fixed from then on.
    locked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="unique_episode_number")]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_paywall(self) -> bool:
        # The series' paywall list is the one source of truth.
        return self.number in (self.project.paywall_episodes or [])


class Scene(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="scenes")
    position = models.PositiveIntegerField(default=0)
    # Derived from the heading line of `text` on every save.
    number = models.CharField(_("scene number"), max_length=20, blank=True)
    time_of_day = models.CharField(_("time of day"), max_length=30, blank=True)
    int_ext = models.CharField(_("interior/exterior"), max_length=10, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="scenes"
    )
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("script"), blank=True)
    runtime_seconds = models.PositiveIntegerField(default=0)
    # Production numbering: fixed once the episode is locked ("12", "12A", "A1", "1-3").
    locked_number = models.CharField(_("locked scene number"), max_length=20, blank=True)
    # A locked scene is never deleted: it prints as "12 OMITTED" so numbers downstream stay put.
    omitted = models.BooleanField(default=False)
    # Bumped on every save; the editor sends the revision it started from so a
    # stale save is refused instead of silently overwriting someone else's words.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.heading or f"Scene {self.pk}"


class SceneVersion(models.Model):
    """A saved state of a scene. Autosaves by one writer within a short window
    refresh that writer's latest version instead of piling up hundreds."""

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What made this version, in no language (history_notes.py): a code and its parameters, said
    # in the reader's language when shown. `note` is the text older versions were saved with.
    note_code = models.CharField(max_length=20, blank=True)
    note_params = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scene} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def display_note(self) -> str:
        """The note in the active language."""
        from .history_notes import render

        return render(code=self.note_code, params=self.note_params, legacy=self.note)


class Beat(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    class Origin(models.TextChoices):
        PERSON = "person", _("Person")
        AI = "ai", _("AI")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="beats")
    scene = models.ForeignKey(Scene, null=True, blank=True, on_delete=models.SET_NULL, related_name="beats")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("beat"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.PERSON)
    model_name = models.CharField(max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ScriptRevision(models.Model):
    """An issued draft of a locked episode: index 0 is the white lock, then blue, pink...

    Its snapshots let any issued revision be reprinted, and the asterisks of the next
    one be computed, without trusting anyone's memory of what changed."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="revisions")
    index = models.PositiveIntegerField()
    color = models.CharField(max_length=12)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "index"], name="unique_revision_index")]
        ordering = ["index"]

    def __str__(self) -> str:
        return f"{self.episode} {self.color}"


class SceneSnapshot(models.Model):
    revision = models.ForeignKey(ScriptRevision, on_delete=models.CASCADE, related_name="snapshots")
    scene = models.ForeignKey(Scene, null=True, on_delete=models.SET_NULL, related_name="snapshots")
    position = models.PositiveIntegerField()
    locked_number = models.CharField(max_length=20)
    omitted = models.BooleanField(default=False)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.locked_number


class ExportJob(models.Model):
    """A season export run by a Celery worker; the browser polls it for progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    result = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched by the running worker every few seconds; a running job without a recent one lost its
    # worker and is taken over or failed (services/job_sweeper.py). Attempts counts the runs started.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The requester's language when it was queued: the worker writes the job's messages in it.
    language = models.CharField(max_length=15, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} export {self.pk} ({self.status})"


class EpisodeDocument(models.Model):
    """The episode as one shared Yjs document (collab/): a snapshot plus the update log after it.

    Created once, from the episode's scenes, the first time anyone needs it; from then on the
    document is the source of the episode's text and the Scene rows are derived from it."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="document")
    # The whole state up to and including update `snapshot_seq` (Yjs update encoding).
    snapshot = models.BinaryField()
    snapshot_seq = models.PositiveBigIntegerField(default=0)
    # The last sequence number handed out; appends take the row lock, so they are numbered in order.
    last_seq = models.PositiveBigIntegerField(default=0)
    # The Scene rows hold the text as of this update (a flush from an older copy is skipped).
    rows_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"document of {self.episode}"


class DocumentUpdate(models.Model):
    """One Yjs update as a client (or the server's one door) sent it, stored before it is relayed."""

    document = models.ForeignKey(EpisodeDocument, on_delete=models.CASCADE, related_name="updates")
    seq = models.PositiveBigIntegerField()
    data = models.BinaryField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "seq"], name="unique_update_seq")]
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"update {self.seq} of {self.document_id}"


class Comment(models.Model):
    """A threaded comment anchored to a range of an episode's script.

    The anchors are Yjs relative positions (encoded by the browser), so the range follows the text as
    it changes; `quote` is the text the range held when the thread was started."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    anchor_start = models.TextField(blank=True)
    anchor_end = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Suggestion(models.Model):
    """One model output, waiting for a person: nothing in it enters the script, the beats or the bible
    until a member accepts it (scripts_app/ai/review.py).

    Text proposals (draft, rewrite) hold the whole proposed text of their target in `text` and the
    text it was made against in `base_text`; review diffs the two and applies accepted hunks through
    the one door (collab/documents.py). Structured proposals (bible, episode list, beats,
    alternatives) hold their items in `content`, each item with its own decision.
    """

    class Kind(models.TextChoices):
        BIBLE = "bible", _("Bible")
        EPISODES = "episodes", _("Episode list")
        BEATS = "beats", _("Beats")
        DRAFT = "draft", _("Draft")
        REWRITE = "rewrite", _("Rewrite")
        ALTERNATIVES = "alternatives", _("Alternatives")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
        FAILED = "failed", _("Failed")
        STALE = "stale", _("Stale")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The target: the series (bible, episode list), an episode, a scene, or a beat. A deleted target
    # leaves the suggestion (and the tokens it used) in place; it can no longer be accepted.
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    scene = models.ForeignKey(
        Scene, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    beat = models.ForeignKey(Beat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What was asked: instruction, selection, scope... (see ai/generate.py).
    request = models.JSONField(default=dict, blank=True)
    content = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)
    base_text = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    endpoint = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost_estimate = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    # The worst case (prompt + the answer's cap) counted against the budget while queued or running.
    tokens_reserved = models.PositiveIntegerField(default=0)
    # Context left out of the prompt to stay within the token budget: [{"part": ..., "tokens": n}].
    dropped_context = models.JSONField(default=list, blank=True)
    # Recorded sample data (seed_demo), never a real model's answer.
    sample = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched by the worker while it runs; a running suggestion without a recent one lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "status"]), models.Index(fields=["project", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_open(self) -> bool:
        """Still waiting for (some) decisions."""
        return self.status == self.Status.PENDING


class ImportJob(models.Model):
    """A large script file imported by a Celery worker, all or nothing, with progress the browser polls."""

    Status = ExportJob.Status

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10, default="auto")
    # The uploaded file until the import ends (then emptied: the series holds what was in it).
    data = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)  # what was imported, or why nothing was
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=15, blank=True)  # the requester's, as on ExportJob

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project} import {self.pk} ({self.status})"


class Invite(models.Model):
    """An invitation into a series' room: nobody becomes a member until they accept it.

    Every invitation has a link (only a hash of its secret is stored). One made for a username that
    names an account also waits on that person's own series list. One made for an e-mail address is
    never matched against accounts (their addresses are not verified): its link is mailed to the
    address, the only way it reaches its person. The inviter is never told whether anything matched,
    so the form cannot be used to find out who has an account.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.WRITER)
    # What the showrunner typed (a name or an address), shown to the room's showrunners only.
    invitee = models.CharField(_("invited"), max_length=254, blank=True)
    # The account the username matched, if any (an address is never matched); never shown to the inviter.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="invites"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"invite to {self.project} as {self.role} ({self.status})"

    @staticmethod
    def is_address(who: str) -> bool:
        """Whether what the inviter typed is an e-mail address: usernames hold no "@"."""
        return "@" in who

    @property
    def by_email(self) -> bool:
        return self.is_address(self.invitee)
