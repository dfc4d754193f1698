"""Sequence every committed entry and sign a checkpoint covering them; with --follow, keep doing so."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from councils.core.wording import counted
from councils.record.sequencer import has_pending, latest_checkpoint, sequence_pending
from councils.record.witnessing import configured_witnesses, request_cosignatures

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Give every committed record entry its log index and sign a checkpoint that covers them all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--cosign",
            action="store_true",
            help="then ask the witnesses in COUNCILS_WITNESSES to cosign it, and wait for them",
        )
        parser.add_argument(
            "--follow",
            type=float,
            metavar="SECONDS",
            help="keep running: every SECONDS, sequence what was committed and sign a checkpoint for it",
        )

    def handle(self, *args: Any, cosign: bool, follow: float | None, **options: Any) -> None:
        if follow is not None:
            self.follow(follow)
            return
        checkpoint = latest_checkpoint(current=True)
        assert checkpoint is not None
        self.stdout.write(
            f"Signed checkpoint: {counted(checkpoint.size, 'entry', 'entries')}, root "
            f"{bytes(checkpoint.root).hex()[:16]}… "
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

    def follow(self, interval: float) -> None:
        """The background sequencer `manage.py serve` runs: a checkpoint follows each batch of actions."""
        if not 0 < interval <= 3600:
            raise CommandError("--follow takes a number of seconds between 0 and 3600.")
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            try:
                if has_pending():
                    sequence_pending()
            except DatabaseError as exc:
                # The database went away for a moment: say so and try again on the next round.
                logger.warning("could not sequence the record: %s", exc)
                connections.close_all()
            time.sleep(interval)
