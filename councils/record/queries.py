"""Reads of the record."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet

from councils.record.models import Entry


def entry_document(entry: Entry) -> dict[str, Any]:
    return dict(json.loads(bytes(entry.data)))


def list_entries(*, council_ids: list[int] | None = None, event_prefix: str = "") -> QuerySet[Entry]:
    entries = Entry.objects.select_related("council")
    if council_ids is not None:
        entries = entries.filter(council_id__in=council_ids)
    if event_prefix:
        entries = entries.filter(event__startswith=event_prefix)
    return entries
