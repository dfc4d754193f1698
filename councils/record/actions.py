"""The only way into the record. Called by other apps' actions inside their transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from councils.core.ledger.encoding import canonical_bytes, entry_document, leaf_hash
from councils.record.models import Entry, Head

if TYPE_CHECKING:
    from councils.accounts.models import User
    from councils.federation.models import Council


def append_entry(
    *,
    event: str,
    actor: User | None,
    council: Council | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> Entry:
    """Append one entry in the caller's transaction; it commits or rolls back with the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_entry must run inside the action's transaction")
    document = entry_document(
        event=event,
        at=now,
        actor=str(actor.uuid) if actor is not None else None,
        council=str(council.uuid) if council is not None else None,
        payload=payload,
    )
    data = canonical_bytes(document)
    head, _ = Head.objects.select_for_update().get_or_create(id=1)
    entry = Entry.objects.create(
        index=head.size,
        event=event,
        council=council,
        created_at=now,
        data=data,
        leaf_hash=leaf_hash(data),
    )
    head.size += 1
    head.save(update_fields=["size"])
    return entry
