"""Compare the federations and their council trees in the database with the entries that made them.

Each federation was founded by a `federation.founded` naming it, whose name and time it keeps.
Each council was created by an entry naming its parent and, since entries named it, its
federation: the replay relies on both (a petition's backing from below, a slate's federation).
What the entry states of the council itself (name, kind, whether it is a base council, the
members each delegate stands for and, since entries stated it, its visibility) and its time are
compared too: no action changes them after the creation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from councils.record.verification import (
    Recorded,
    RecordIndex,
    differences,
    each_row,
    matched,
    state_check,
    time_differs,
)


@state_check("federations")
def check_federations(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Federation

    founded = {str(e.payload.get("federation")): e for e in record.events("federation.founded")}
    rows = each_row(Federation.objects.values_list("uuid", "name", "created_at"))

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, name, created_at = row
        yield from differences(f"Federation {key}", {"name": name}, entry.payload)
        yield from time_differs(f"Federation {key} was founded", created_at, entry.at)

    yield from matched(rows, founded, compare, "Federation", "founded it")


@state_check("councils")
def check_councils(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Council

    created = {str(e.payload.get("council")): e for e in record.events("council.created")}
    rows = each_row(
        Council.objects.values_list(
            "uuid",
            "federation__uuid",
            "parent__uuid",
            "name",
            "kind",
            "is_base",
            "members_per_delegate",
            "visibility",
            "created_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, federation_uuid, parent_uuid, name, kind, is_base, members_per_delegate, visibility, created_at = (
            row
        )
        payload = entry.payload
        # No action changes these after the creation; entries written before `council.created` stated
        # `members_per_delegate` or `visibility` say nothing of them.
        stored = {
            "name": name,
            "kind": kind,
            "is_base": is_base,
            "members_per_delegate": members_per_delegate,
            "visibility": visibility,
        }
        yield from differences(f"Council {key}", stored, payload)
        # Entries written before `council.created` named the federation say nothing of it.
        if "federation" in payload and payload["federation"] != str(federation_uuid):
            yield f"Council {key} is in another federation than the record says."
        if payload.get("parent") != (str(parent_uuid) if parent_uuid is not None else None):
            yield f"Council {key} sits below another council than the record says."
        yield from time_differs(f"Council {key} was created", created_at, entry.at)

    yield from matched(rows, created, compare, "Council", "created it")
