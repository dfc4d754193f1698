"""Sequence every committed entry and sign a checkpoint covering them (run before serving)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from councils.record.sequencer import latest_checkpoint


class Command(BaseCommand):
    help = "Give every committed record entry its log index and sign a checkpoint that covers them all."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = latest_checkpoint(current=True)
        assert checkpoint is not None
        self.stdout.write(
            f"Signed checkpoint: {checkpoint.size} entries, root {bytes(checkpoint.root).hex()[:16]}… "
            f"({checkpoint.origin})."
        )
