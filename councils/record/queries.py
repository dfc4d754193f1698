"""Reads of the record."""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from councils.record.models import Checkpoint, Entry
from councils.record.sequencer import FOOTER_CACHE_KEY

SUMMARY_SECONDS = 30


def entry_document(entry: Entry) -> dict[str, Any]:
    return dict(json.loads(bytes(entry.data)))


def list_entries(*, council_ids: list[int] | None = None, event_prefix: str = "") -> QuerySet[Entry]:
    entries = Entry.objects.select_related("council")
    if council_ids is not None:
        entries = entries.filter(council_id__in=council_ids)
    if event_prefix:
        entries = entries.filter(event__startswith=event_prefix)
    return entries


def current_checkpoint_summary() -> dict[str, Any] | None:
    """The latest signed checkpoint as {"size", "root" (hex), "fingerprint", "origin", "signed_at"}.

    Cached and refreshed when the sequencer signs, so a page footer or the
    minutes of a meeting can quote it for the cost of one cache read.
    """
    summary = cache.get(FOOTER_CACHE_KEY)
    if summary is None:
        latest = Checkpoint.objects.order_by("-id").values("size", "root", "origin", "signed_at").first()
        if latest is None:
            return None
        root = bytes(latest["root"]).hex()
        summary = {
            "size": latest["size"],
            "root": root,
            "fingerprint": root[:16],
            "origin": latest["origin"],
            "signed_at": latest["signed_at"],
        }
        cache.set(FOOTER_CACHE_KEY, summary, SUMMARY_SECONDS)
    return dict(summary)
