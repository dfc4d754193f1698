"""Compare the council tree in the database with the `council.created` entries of the record.

Each council was created by an entry naming its parent and, since entries named it, its
federation: the replay relies on both (a petition's backing from below, a slate's federation).
"""

from __future__ import annotations

from collections.abc import Iterator

from councils.record.verification import RecordIndex, state_check


@state_check("councils")
def check_councils(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Council

    created = {e.payload.get("council"): e for e in record.events("council.created")}
    present = set()
    rows = Council.objects.values_list("uuid", "federation__uuid", "parent__uuid")
    for uuid, federation_uuid, parent_uuid in rows.iterator():
        key = str(uuid)
        present.add(key)
        entry = created.get(key)
        if entry is None:
            yield f"Council {key} exists but the record never created it."
            continue
        payload = entry.payload
        # Entries written before `council.created` named the federation say nothing of it.
        if "federation" in payload and payload["federation"] != str(federation_uuid):
            yield f"Council {key} is in another federation than the record says."
        if payload.get("parent") != (str(parent_uuid) if parent_uuid is not None else None):
            yield f"Council {key} sits below another council than the record says."
    for key in sorted(str(k) for k in created.keys() - present):
        yield f"Council {key} is in the record but has vanished from the database."
