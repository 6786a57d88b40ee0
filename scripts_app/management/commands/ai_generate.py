"""manage.py ai_generate SLUG --level bible|episodes|beats|scene|rewrite [--episodes 1-10]
[--instruction TEXT] [--sync] [--user NAME] [--next-scene]

Batch AI requests, made as the browser makes them: one suggestion for the bible or the episode list,
one per episode for beats and drafts ("scene"), one per scene for rewrites. Without --sync they are
queued for the Celery worker; with --sync the same task code runs here, one after the other.

Prints a line per suggestion, then one JSON line: requested, queued, pending, failed, errors (the
readable reasons). Exits 1 if any request failed or was refused, also when the batch can't be made
as asked (a rewrite without --instruction: nothing requested, the reason in errors) and for
--episodes numbers the series has no episode for (each run of them one refused request). It never
changes the script: what comes back waits for a person to accept it.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from scripts_app.ai import generate
from scripts_app.models import Membership, Project, Role


def episode_numbers(value: str) -> list[int]:
    """ "1-10", "3", "1,3,5-7" -> the episode numbers."""
    numbers: set[int] = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                if high < low or high - low > 500:
                    raise ValueError
                numbers.update(range(low, high + 1))
            else:
                numbers.add(int(part))
        except ValueError:
            raise CommandError(f"Not an episode range: {part!r} (use 1-10, 3 or 1,3,5-7).") from None
    return sorted(numbers)


class Command(BaseCommand):
    help = "Ask the model for proposals in bulk (bible, episode list, beats, drafts, rewrites)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--level", required=True, choices=generate.BATCH_LEVELS)
        parser.add_argument("--episodes", default="", help="episode numbers: 1-10, 3 or 1,3,5-7")
        parser.add_argument("--instruction", default="", help="the note for rewrites")
        parser.add_argument("--sync", action="store_true", help="run here and wait, instead of queueing")
        parser.add_argument("--user", default="", help="who asks (default: the series' showrunner)")
        parser.add_argument("--next-scene", action="store_true", help="draft the next scene, not the episode")

    def handle(self, *args, **options) -> None:
        project = Project.objects.filter(slug=options["slug"]).first()
        if project is None:
            raise CommandError(f"No series {options['slug']!r}.")
        user = self._user(project, options["user"])
        episodes = episode_numbers(options["episodes"]) if options["episodes"] else None
        try:
            results = generate.request_batch(
                project=project,
                user=user,
                level=options["level"],
                episodes=episodes,
                instruction=options["instruction"],
                next_scene=options["next_scene"],
                queue=not options["sync"],
            )
        except generate.RequestError as exc:
            # The batch as asked can't be made (a rewrite without --instruction): no request at all,
            # but the summary still says why, for the script that reads it.
            counts = {"requested": 0, "queued": 0, "pending": 0, "failed": 0}
            self.stdout.write(f"-\t{options['level']}\trefused\t{exc}")
            self.stdout.write(
                json.dumps({**counts, "errors": [f"{options['level']}: {exc}"]}, ensure_ascii=False)
            )
            raise SystemExit(1) from exc
        counts = {"requested": len(results), "queued": 0, "pending": 0, "failed": 0}
        errors = []
        for what, suggestion, error in results:
            if suggestion is not None and options["sync"]:
                suggestion = generate.run_when_free(suggestion_id=suggestion.pk) or suggestion
                suggestion.refresh_from_db()
            if suggestion is None:
                counts["failed"] += 1
                errors.append(f"{what}: {error}")
                self.stdout.write(f"-\t{what}\trefused\t{error}")
                continue
            status = suggestion.status
            if status in ("queued", "running"):
                counts["queued"] += 1
            elif status == "pending":
                counts["pending"] += 1
            else:
                counts["failed"] += 1
                errors.append(f"{what}: {suggestion.error or status}")
            reason = f"\t{suggestion.error}" if suggestion.error else ""
            tokens = suggestion.tokens_in + suggestion.tokens_out
            self.stdout.write(f"#{suggestion.pk}\t{what}\t{status}\t{tokens} tokens{reason}")
        self.stdout.write(json.dumps({**counts, "errors": errors}, ensure_ascii=False))
        if counts["failed"]:
            raise SystemExit(1)

    def _user(self, project: Project, username: str):
        members = Membership.objects.filter(project=project).select_related("user")
        if username:
            membership = members.filter(user__username=username).first()
            if membership is None or not membership.may(Role.WRITER):
                raise CommandError(f"{username!r} is not a writer of this series.")
            return membership.user
        membership = members.filter(role=Role.SHOWRUNNER).order_by("pk").first()
        return membership.user if membership else None
