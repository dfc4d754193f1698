"""Replace the federation's signing key; the rotation is itself a record entry endorsed by the old key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from councils.core.ledger import note
from councils.core.wording import counted
from councils.record import actions, signing
from councils.record.sequencer import latest_checkpoint


class Command(BaseCommand):
    help = (
        "Make a new Ed25519 signing key, record the rotation (endorsed by the old key) and sign the next "
        "checkpoint with the new key. The old key is kept beside it as <path>.retired-<key id>."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.COUNCILS_SIGNING_KEY_PATH)
        old = signing.signer()
        latest_checkpoint(current=True)
        new_key = Ed25519PrivateKey.generate()
        new = note.make_signer(old.name, new_key).verifier.vkey()
        staged = path.with_name(path.name + ".next")
        if staged.exists():
            raise CommandError(
                f"{staged} exists: a rotation was interrupted; remove it after checking, then retry."
            )
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(signing.private_key_pem(new_key))
        endorsement = note.b64encode(old.private.sign(new.encode()))
        try:
            actions.record_key_rotation(actor=None, new_vkey=new, endorsement=endorsement, now=timezone.now())
        except BaseException:
            staged.unlink()
            raise
        retired = path.with_name(f"{path.name}.retired-{old.verifier.id.hex()}")
        os.replace(path, retired)
        os.replace(staged, path)
        checkpoint = latest_checkpoint(current=True)
        assert checkpoint is not None
        self.stdout.write(
            f"The record is now signed by {new} (checkpoint of "
            f"{counted(checkpoint.size, 'entry', 'entries')})."
        )
        self.stdout.write(
            f"The old key is kept in {retired}; give the new key to your witnesses and members."
        )
