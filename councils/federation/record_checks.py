"""Compare the council tree in the database with the `council.created` entries of the record.

Each council was created by an entry naming its parent and, since entries named it, its
federation: the replay relies on both (a petition's backing from below, a slate's federation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from councils.record.verification import Recorded, RecordIndex, matched, state_check


@state_check("councils")
def check_councils(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Council

    created = {str(e.payload.get("council")): e for e in record.events("council.created")}
    rows = Council.objects.values_list("uuid", "federation__uuid", "parent__uuid").iterator()

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, federation_uuid, parent_uuid = row
        payload = entry.payload
        # Entries written before `council.created` named the federation say nothing of it.
        if "federation" in payload and payload["federation"] != str(federation_uuid):
            yield f"Council {key} is in another federation than the record says."
        if payload.get("parent") != (str(parent_uuid) if parent_uuid is not None else None):
            yield f"Council {key} sits below another council than the record says."

    yield from matched(rows, created, compare, "Council", "created it")
