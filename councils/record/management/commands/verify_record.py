"""Check, read-only and offline, that the database matches its own record."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from councils.record.verification import verify_database


class Command(BaseCommand):
    help = (
        "Recompute every record hash, the tree and the signed checkpoints from the database, and compare "
        "motions, votes, memberships, seats and offices with the record. Exit 1 with one line per "
        "discrepancy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_database()
        if problems:
            for line in problems:
                self.stdout.write(line)
            self.stderr.write(f"The database does not match its record: {len(problems)} discrepancies.")
            sys.exit(1)
        self.stdout.write("The database matches its record.")
