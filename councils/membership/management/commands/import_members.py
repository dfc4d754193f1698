"""`manage.py import_members FILE.csv`: enrol founding members, only before the federation's first vote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from councils.federation.models import Federation
from councils.membership.management.founding import (
    CSV_HEADER,
    FoundingError,
    first_vote_held,
    import_founding_members,
    parse_members,
    refusal_after_first_vote,
)


class Command(BaseCommand):
    help = (
        f"Add founding members from a CSV file with the header {','.join(CSV_HEADER)}. "
        "Every row is checked first; nothing is written if any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file: " + ",".join(CSV_HEADER))
        parser.add_argument(
            "--federation", help="name or UUID of the federation (needed when there are several)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        federation = self._federation(options["federation"])
        held = first_vote_held(federation)
        if held is not None:
            raise CommandError(refusal_after_first_vote(held))
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}.") from None
        try:
            rows = parse_members(text, federation=federation)
            if options["dry_run"]:
                self.stdout.write(
                    self.style.SUCCESS(f"{len(rows)} rows are good; nothing was written (dry run).")
                )
                return
            count = import_founding_members(federation=federation, rows=rows, now=timezone.now())
        except FoundingError as exc:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  - {p}" for p in exc.problems)
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Enrolled {count} founding members of {federation.name}."))

    def _federation(self, given: str | None) -> Federation:
        federations = Federation.objects.all()
        if given:
            match = [f for f in federations if f.name == given or str(f.uuid) == given]
            if not match:
                raise CommandError(f"No federation called {given!r}.")
            return match[0]
        found = list(federations[:2])
        if not found:
            raise CommandError("There is no federation yet; found one with manage.py init_federation.")
        if len(found) > 1:
            raise CommandError("There are several federations; say which with --federation NAME.")
        return found[0]
