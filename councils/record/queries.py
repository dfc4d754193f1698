"""Reads of the record."""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import BinaryField, Case, Func, IntegerField, Q, QuerySet, Value, When

from councils.core.errors import InvalidInputError, NotFoundError
from councils.core.ledger import merkle
from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.note import b64encode
from councils.record.models import Checkpoint, Entry, Sequence
from councils.record.sequencer import (
    SUMMARY_CACHE,
    current_size,
    has_pending,
    latest_checkpoint,
    lookup_nodes,
    sequence_pending,
)

SUMMARY_SECONDS = 5
_SUMMARY = SUMMARY_CACHE
ENTRIES_PAGE = 1000
# No log reaches this size: its indices are 64-bit database integers.
LARGEST_SIZE = 2**63 - 1


class _BytesPosition(Func):
    """Where `needle` first occurs in a binary column (1-based; 0 when it does not), on either database."""

    function = "INSTR"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        haystack, needle = self.source_expressions
        sql_haystack, params_haystack = compiler.compile(haystack)
        sql_needle, params_needle = compiler.compile(needle)
        return f"POSITION({sql_needle} IN {sql_haystack})", (*params_needle, *params_haystack)


def indexes_containing(needle: bytes) -> list[int]:
    """The log positions of the sequenced entries whose bytes contain `needle`, searched by the database.

    The search reads every entry, but inside the database: at a million entries it costs a scan of the
    table, not their transfer to Python.
    """
    found = Sequence.objects.alias(at=_BytesPosition("entry__data", Value(needle))).filter(at__gt=0)
    return list(found.order_by("index").values_list("index", flat=True))


@dataclass(frozen=True)
class Recorded:
    """A record entry as a page links to it: its event, its log index (None until it is sequenced) and,
    where the page reads its payload, its bytes."""

    event: str
    index: int | None
    data: bytes | None = None


def list_recorded(
    *, council_id: int, events: Iterable[str], key: str, subject: UUID, read: Iterable[str] = ()
) -> list[Recorded]:
    """The entries of the council's `events` whose payload names `subject` under `key`, oldest first.

    The database narrows by event and council, then looks in the bytes for `"key":"uuid"`: canonical
    JSON has no white space, a quote inside a string is escaped, and a UUID names one thing, so only an
    entry that gives the subject under that key matches. The caller has already let the viewer see the
    subject of this council, which is what lets them read its entries (`get_entry_at`).

    Only the entries of `read` come with their bytes: the others stay in the database, where a secret
    vote's close holds its whole ballot set.
    """
    needle = canonical_bytes({key: str(subject)})[1:-1]
    rows = (
        Entry.objects.filter(council_id=council_id, event__in=list(events))
        .alias(at=_BytesPosition("data", Value(needle)))
        .filter(at__gt=0)
        .annotate(read=Case(When(event__in=list(read), then="data"), output_field=BinaryField()))
        .order_by("id")
        .values_list("event", "sequence__index", "read")
    )
    return [Recorded(event, index, None if data is None else bytes(data)) for event, index, data in rows]


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

    Kept in this process for a few seconds and dropped when the sequencer
    signs, so a page footer or a meeting's minutes can quote it for at most
    one query.
    """
    cached = _SUMMARY.get("value")
    if cached is not None and time.monotonic() - _SUMMARY["at"] < SUMMARY_SECONDS:
        return dict(cached)
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
    _SUMMARY.update(value=summary, at=time.monotonic())
    return dict(summary)


def visible_council_ids(*, viewer: Any) -> set[int]:
    from councils.federation.queries import list_visible_councils

    return set(list_visible_councils(viewer=viewer).values_list("id", flat=True))


def ensure_size(size: int) -> int:
    """Return the log's size, sequencing pending entries first when `size` is beyond it."""
    current = current_size()
    if size > current and has_pending():
        sequence_pending()
        current = current_size()
    return current


def _check_size(name: str, value: int, current: int) -> None:
    if value > current:
        raise InvalidInputError(f"{name}={value} is beyond the log's size {current}.")


def list_sequenced(*, start: int, end: int, viewer: Any, limit: int = ENTRIES_PAGE) -> list[dict[str, Any]]:
    """Entries [start, min(end, start + limit)) with their data where `viewer` may read them."""
    if start < 0 or end <= start:
        raise InvalidInputError("Ask for 0 <= start < end.")
    _check_size("end", end, ensure_size(end))
    rows = (
        Sequence.objects.filter(index__gte=start, index__lt=min(end, start + limit))
        .order_by("index")
        .values_list(
            "index", "leaf_hash", "entry__data", "entry__event", "entry__council_id", "entry__council__uuid"
        )
    )
    visible: set[int] | None = None
    out: list[dict[str, Any]] = []
    for index, leaf, data, event, council_id, council_uuid in rows:
        readable = council_id is None
        if not readable:
            if visible is None:
                visible = visible_council_ids(viewer=viewer)
            readable = council_id in visible
        out.append(
            {
                "index": index,
                "leaf_hash": b64encode(bytes(leaf)),
                "data": b64encode(bytes(data)) if readable else None,
                "event": event if readable else None,
                "council": str(council_uuid) if readable and council_uuid else None,
            }
        )
    return out


def inclusion_proof(*, index: int, size: int) -> list[bytes]:
    if size < 1 or not 0 <= index < size:
        raise InvalidInputError("Ask for 0 <= index < size.")
    return _resolve(merkle.inclusion_plan(index, size), "size", size)


def consistency_proof(*, old: int, new: int) -> list[bytes]:
    if not 0 <= old <= new:
        raise InvalidInputError("Ask for 0 <= old <= new.")
    return _resolve(merkle.consistency_plan(old, new), "new", new)


def _resolve(plan: list[list[merkle.Node]], name: str, size: int) -> list[bytes]:
    """Fold `plan` from stored hashes, in one query when the tree of `size` exists.

    The root's nodes are fetched too: they cover every leaf below `size`, so
    finding them all proves the log has that size without asking for it.
    """
    if size > LARGEST_SIZE:
        # The plan's node indices would not fit the database's integers; the log is smaller anyway.
        _check_size(name, size, current_size())
    wanted = merkle.plan_nodes(plan) | set(merkle.root_plan(size))
    for attempt in range(2):
        try:
            found = lookup_nodes(wanted)
            return merkle.resolve(plan, found.__getitem__)
        except LookupError:
            if attempt:
                raise
            _check_size(name, size, ensure_size(size))
    raise AssertionError("unreachable")


def checkpoint_note() -> str:
    """The latest checkpoint covering every entry committed so far, with its witnesses' cosignatures."""
    checkpoint = latest_checkpoint(current=True)
    assert checkpoint is not None
    return checkpoint_note_of(checkpoint)


def get_entry_at(*, index: int, viewer: Any) -> tuple[Sequence, bool]:
    """The entry at log position `index` and whether `viewer` may read it; NotFoundError if none."""
    sequence = Sequence.objects.select_related("entry", "entry__council").filter(index=index).first()
    if sequence is None:
        raise NotFoundError("No entry has that index.")
    council = sequence.entry.council
    if council is None:
        return sequence, True
    from councils.federation.queries import can_view_council

    return sequence, can_view_council(viewer=viewer, council=council)


def list_readable(
    *, visible: Collection[int], council_id: int | None = None, event_prefix: str = ""
) -> QuerySet[Sequence]:
    """Sequenced entries a viewer who sees the councils `visible` (`visible_council_ids`) may read, newest
    first; `event_prefix` is a family ("vote") or an event."""
    rows = Sequence.objects.select_related("entry", "entry__council").order_by("-index")
    if council_id is not None:
        rows = rows.filter(entry__council_id=council_id)
    else:
        rows = rows.filter(Q(entry__council__isnull=True) | Q(entry__council_id__in=visible))
    if event_prefix:
        if "." in event_prefix:
            rows = rows.filter(entry__event=event_prefix)
        else:
            rows = rows.filter(entry__event__startswith=event_prefix + ".")
    return rows


def checkpoint_note_of(checkpoint: Checkpoint) -> str:
    return checkpoint.note + "".join(c.line for c in checkpoint.cosignatures.order_by("witness"))
