"""Send the e-mail digests that are due now (the task worker does this every midnight UTC)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from councils.accounts.models import User
from councils.core.wording import counted
from councils.digests.actions import DUE, FAILED, send_due_digests
from councils.digests.queries import list_recipients


class Command(BaseCommand):
    help = (
        "Send every member's e-mail digest that is due (daily or weekly, as each member chose). "
        "A period already sent is never sent again, so running it twice is harmless."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list the digests that are due; send and mark nothing"
        )
        parser.add_argument("--member", metavar="USERNAME", help="only this member's digest")

    def handle(self, *args: Any, dry_run: bool, member: str | None, **options: Any) -> None:
        user = None
        if member is not None:
            user = User.objects.filter(username=member).first()
            if user is None:
                raise CommandError(f"There is no account with username {member!r}.", returncode=2)
            if not list_recipients(user=user).exists():
                self.stdout.write(
                    f"{member} gets no digest: the account is inactive, has no e-mail address "
                    "or has turned digests off."
                )
                return
        outcomes = send_due_digests(now=timezone.now(), member=user, dry_run=dry_run)
        for outcome in outcomes:
            period = f"{outcome.period.since:%Y-%m-%d %H:%M} to {outcome.period.until:%Y-%m-%d %H:%M} UTC"
            subject = f": {outcome.subject}" if outcome.subject else ""
            status = "would be sent" if outcome.status == DUE else outcome.status
            self.stdout.write(f"{outcome.username}: {status} ({period}){subject}")
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no digest due"
        self.stdout.write(("Dry run, nothing sent: " if dry_run else "") + summary + ".")
        if counts.get(FAILED):
            raise CommandError(
                f"{counted(counts[FAILED], 'digest', 'digests')} could not be sent; the next run tries again."
            )
