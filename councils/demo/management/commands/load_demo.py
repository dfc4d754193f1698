from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from councils.core.wording import counted
from councils.demo.build import CAST, PASSWORD, build
from councils.federation.models import Federation


class Command(BaseCommand):
    help = "Load the demo federation through actions (only into an empty database with --if-empty)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when a federation exists")

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if Federation.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds a federation; the demo is not loaded again.")
                call_command("sign_checkpoint", stdout=self.stdout)
                self._print_logins()
                return
            raise CommandError(
                "The database already holds a federation; the demo loads only into an empty one."
            )
        started = time.monotonic()
        self.stdout.write("Loading the demo federation through actions…")
        demo = build()
        self.stdout.write(
            f"Loaded {len(demo.workplaces)} workplace councils and "
            f"{counted(sum(len(m) for m in demo.members.values()), 'member', 'members')} in "
            f"{time.monotonic() - started:.0f} s."
        )
        call_command("sign_checkpoint", stdout=self.stdout)
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password: {PASSWORD}): {', '.join(CAST)}, member0002")
        self.stdout.write(
            "  alice: chair of Riverside Depot · bob: member there and its delegate to Eastside "
            "District · carol: observer of Riverside Depot · dave: member of Harbour Works only"
        )
        self.stdout.write(
            "  erin: member of Riverside Depot, who has the floor in its meeting in session · "
            "frank: member there, waiting to speak in it"
        )
        self.stdout.write(
            "  member0002: secretary of Riverside Depot, whose special meeting on safety is in session"
        )
