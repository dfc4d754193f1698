"""The one write of this app: the record entry that names what an accepted fork abandoned."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from councils.core.ledger.note import b64encode
from councils.record.actions import append_entry


def record_restored(
    *,
    restored_size: int,
    lost_start: int,
    published_origin: str,
    published_size: int,
    published_root: bytes,
    backup_created_at: str,
    now: datetime,
) -> None:
    """Append `record.restored`: entries [lost_start, published_size) of the published log are lost.

    Run by `manage.py restore --accept-fork` before anything else writes to
    the restored database, so the first entry after the fork says what the
    fork dropped and auditors holding the old checkpoint can see why the new
    one is not consistent with it. The operator is not a member: no actor.
    """
    with transaction.atomic(durable=True):
        append_entry(
            event="record.restored",
            actor=None,
            council=None,
            payload={
                "backup_created_at": backup_created_at,
                "restored_size": restored_size,
                "lost": {"origin": published_origin, "start": lost_start, "end": published_size},
                "published_root": b64encode(published_root),
            },
            now=now,
        )
