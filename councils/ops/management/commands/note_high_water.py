"""`manage.py note_high_water`: raise var/record_high_water to the latest signed checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from councils.core.ledger.note import b64encode
from councils.ops import highwater


class Command(BaseCommand):
    help = (
        "Raise the record's high-water mark (var/record_high_water) to the latest checkpoint in the "
        "database, so that a later restore of an older backup is recognised as a fork. Run it after "
        "sign_checkpoint (the checkpoint timer in docs/deployment.md does)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mark = highwater.note_published()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if mark is None:
            self.stdout.write("No checkpoint has been signed yet; the high-water mark is unchanged.")
            return
        self.stdout.write(f"High-water mark: {mark.origin} at size {mark.size}, root {b64encode(mark.root)}.")
