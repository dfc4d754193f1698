"""End the terms that have passed and run the elections the rules call, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

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
            f"Ended {len(run.ended)} term(s); called {len(run.called)}, opened {len(run.opened)}, "
            f"closed {len(run.closed)}, certified {len(run.certified)} and failed {len(run.failed)} "
            "election(s)."
        )
        if run.removed_keys:
            self.stdout.write(f"Deleted the ballot keys of {len(run.removed_keys)} closed poll(s).")
        if run.set_aside_keys:
            self.stdout.write(
                f"Set aside {len(run.set_aside_keys)} ballot key file(s) that no poll in this database "
                f"claims (as {sealing.SET_ASIDE_SUFFIX}; put back by themselves if their poll needs them)."
            )
        for refusal in run.refused:
            self.stderr.write(f"Not done: {refusal}")
