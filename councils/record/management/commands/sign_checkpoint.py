"""Sequence every committed entry and sign a checkpoint covering them (run before serving)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from councils.record.sequencer import latest_checkpoint
from councils.record.witnessing import configured_witnesses, request_cosignatures


class Command(BaseCommand):
    help = "Give every committed record entry its log index and sign a checkpoint that covers them all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--cosign",
            action="store_true",
            help="then ask the witnesses in COUNCILS_WITNESSES to cosign it, and wait for them",
        )

    def handle(self, *args: Any, cosign: bool, **options: Any) -> None:
        checkpoint = latest_checkpoint(current=True)
        assert checkpoint is not None
        self.stdout.write(
            f"Signed checkpoint: {checkpoint.size} entries, root {bytes(checkpoint.root).hex()[:16]}… "
            f"({checkpoint.origin})."
        )
        if not cosign:
            return
        if not configured_witnesses():
            raise CommandError("No witnesses are configured (COUNCILS_WITNESSES).")
        cosignatures = request_cosignatures(checkpoint)
        for cosignature in cosignatures:
            self.stdout.write(f"Cosigned by {cosignature.witness}.")
        missing = len(configured_witnesses()) - len(cosignatures)
        if missing:
            self.stderr.write(f"{missing} witness(es) did not cosign; see the log for why.")
