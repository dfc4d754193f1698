"""Cheap reads for monitors: the record's size and whether its latest checkpoint is current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from councils.record.models import Checkpoint, LogState, Pending


def record_health(*, now: datetime) -> dict[str, Any]:
    """Size, latest checkpoint and whether it is recent: nothing committed waits longer than the limit.

    A quiet log keeps an old checkpoint that is still current, so the age
    that matters is that of the oldest entry not yet covered by one.
    """
    limit = int(settings.COUNCILS_CHECKPOINT_MAX_AGE)
    size = LogState.objects.filter(id=1).values_list("size", flat=True).first() or 0
    latest = Checkpoint.objects.order_by("-id").values("size", "signed_at").first()
    oldest = Pending.objects.order_by("entry_id").values_list("entry__created_at", flat=True).first()
    waiting = int((now - oldest).total_seconds()) if oldest is not None else 0
    return {
        "size": int(size),
        "checkpoint_size": latest["size"] if latest else None,
        "checkpoint_signed_at": latest["signed_at"].isoformat() if latest else None,
        "unsigned_seconds": max(waiting, 0),
        "checkpoint_recent": (latest is not None or not size) and waiting <= limit,
    }
