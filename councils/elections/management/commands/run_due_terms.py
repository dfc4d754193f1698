"""End the terms that have passed and run the elections the rules call, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from councils.core.wording import counted
from councils.elections.actions import run_due_terms
from councils.motions import sealing


class Command(BaseCommand):
    help = (
        "End offices and delegate seats whose term has passed, and call, open, close and certify the "
        "elections the rules run, each with its record entry; delete the ballot keys of closed polls and "
        "set aside keys no poll claims. `manage.py serve` runs this every few minutes; run it from cron "
        "(every few minutes) where the task worker does not run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = run_due_terms(now=timezone.now())
        self.stdout.write(
            # The elections are several counts' noun, so it stays plural.
            f"Ended {counted(len(run.ended), 'term', 'terms')}; called {len(run.called)}, opened "
            f"{len(run.opened)}, closed {len(run.closed)}, certified {len(run.certified)} and failed "
            f"{len(run.failed)} elections."
        )
        if run.removed_keys:
            self.stdout.write(
                f"Deleted the ballot keys of {counted(len(run.removed_keys), 'closed poll', 'closed polls')}."
            )
        if run.set_aside_keys:
            self.stdout.write(
                f"Set aside {counted(len(run.set_aside_keys), 'ballot key file', 'ballot key files')} "
                "that no "
                f"poll in this database claims (as {sealing.SET_ASIDE_SUFFIX}; put back by themselves if "
                "their poll needs them)."
            )
        for refusal in run.refused:
            self.stderr.write(f"Not done: {refusal}")
