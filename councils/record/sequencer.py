"""The single sequencer: gives committed entries their log index, stores subtree hashes, signs.

Actions never touch the log's tail: they insert an entry and a pending
marker in their own transaction. `sequence_pending` takes the sequencer's
lock (the one LogState row), numbers every committed pending entry in order
of discovery, each transaction's entries together (`in_log_order`), stores
the perfect-subtree hashes each batch completes and signs one checkpoint per
batch, which never ends inside an action. It
runs when anything needs the log to be current: the checkpoint endpoint,
proofs and entries for sizes beyond the last checkpoint, the record pages,
`manage.py sign_checkpoint`, and the demo loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from councils.core.ledger import merkle, note
from councils.record import signing
from councils.record.models import Checkpoint, LogState, Node, Pending, Sequence

BATCH = 5000
T = TypeVar("T")
# The footer's checkpoint summary, kept per process (see queries.current_checkpoint_summary).
SUMMARY_CACHE: dict[str, Any] = {}


def lookup_nodes(nodes: Iterable[merkle.Node]) -> dict[merkle.Node, bytes]:
    """Fetch stored perfect-subtree hashes in one round trip: leaves from Sequence, the rest from Node."""
    wanted = set(nodes)
    leaves = [index for level, index in wanted if level == 0]
    inner = [(level, index) for level, index in wanted if level]
    parts: list[str] = []
    params: list[int] = []
    if leaves:
        marks = ", ".join(["%s"] * len(leaves))
        # Only placeholders are interpolated; the values travel as parameters.
        parts.append(f'SELECT 0, "index", leaf_hash FROM record_sequence WHERE "index" IN ({marks})')  # noqa: S608
        params.extend(leaves)
    if inner:
        pairs = ", ".join(["(%s, %s)"] * len(inner))
        inner_sql = f'SELECT level, "index", hash FROM record_node WHERE (level, "index") IN (VALUES {pairs})'  # noqa: S608
        parts.append(inner_sql)
        params.extend(x for node in inner for x in node)
    found: dict[merkle.Node, bytes] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for level, index, h in cursor.fetchall():
                found[(int(level), int(index))] = bytes(h)
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"the record is missing {len(missing)} stored subtree hashes, e.g. {min(missing)}")
    return found


def resolve_plan(plan: list[list[merkle.Node]]) -> list[bytes]:
    found = lookup_nodes(merkle.plan_nodes(plan))
    return merkle.resolve(plan, found.__getitem__)


def root_at(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.fold(resolve_plan([merkle.root_plan(size)]))


def current_size() -> int:
    state = LogState.objects.filter(id=1).values_list("size", flat=True).first()
    return int(state or 0)


def has_pending() -> bool:
    return Pending.objects.exists()


def sign(size: int, root: bytes, *, now: datetime) -> Checkpoint:
    signer = signing.signer()
    body = note.Checkpoint(signer.name, size, root).body()
    text = note.Note(body, (note.sign_note(body, signer),)).text()
    return Checkpoint.objects.create(
        size=size, root=root, origin=signer.name, key=signer.verifier.vkey(), note=text, signed_at=now
    )


def in_log_order(rows: list[tuple[int, int | None, T]]) -> list[tuple[int, int | None, T]]:
    """Rows (entry id, its transaction, any value) in the order the log takes them: transactions whole.

    An action's entries normally reach the database with its COMMIT, but are sent earlier before a
    savepoint or a read of the record, and another action committing meanwhile takes ids between
    them. So each transaction's entries stand together, in the order they were written, and the
    transactions follow one another in the order of their last entries: that one is sent with the
    COMMIT, so a transaction that waited on another's commit comes after it. A row of no transaction
    stands alone at its id.
    """
    last: dict[int, int] = {}
    for entry_id, xact, _ in rows:
        if xact is not None:
            last[xact] = max(last.get(xact, entry_id), entry_id)
    return sorted(rows, key=lambda row: (row[0] if row[1] is None else last[row[1]], row[0]))


def _sequence_batch(now: datetime) -> Checkpoint | None:
    with transaction.atomic():
        state, _ = LogState.objects.select_for_update().get_or_create(id=1)
        pending = Pending.objects.order_by("entry_id").values_list("entry_id", "xact", "entry__leaf_hash")
        batch = list(pending[:BATCH])
        if not batch:
            return None
        if len(batch) == BATCH:
            # A checkpoint ends where an action does: the rest of the entries of the batch's transactions
            # join it (they committed with those taken, so they are there). A verifier then judges the
            # log's last action as over (`replay.finish`). The transactions are those the first query
            # saw: one committed since may have taken ids among them and is left whole for the next batch.
            transactions = {xact for _, xact, _ in batch if xact is not None}
            batch += pending.filter(entry_id__gt=batch[-1][0], xact__in=transactions)
        plan = merkle.root_plan(state.size)
        frontier = lookup_nodes(plan) if plan else {}
        builder = merkle.TreeBuilder(state.size, [frontier[n] for n in plan])
        sequences: list[Sequence] = []
        nodes: list[Node] = []
        for entry_id, _, leaf in in_log_order(batch):
            leaf = bytes(leaf)
            sequences.append(Sequence(index=builder.size, entry_id=entry_id, leaf_hash=leaf))
            for (level, index), h in builder.append(leaf):
                nodes.append(Node(level=level, index=index, hash=h))
        Sequence.objects.bulk_create(sequences, batch_size=1000)
        Node.objects.bulk_create(nodes, batch_size=1000)
        Pending.objects.filter(entry_id__in=[entry_id for entry_id, _, _ in batch]).delete()
        state.size, state.root = builder.size, builder.root()
        state.save(update_fields=["size", "root"])
        checkpoint = sign(state.size, state.root, now=now)
        transaction.on_commit(SUMMARY_CACHE.clear)
        if settings.COUNCILS_WITNESSES:
            from councils.record.witnessing import request_cosignatures_task

            checkpoint_id = checkpoint.id
            transaction.on_commit(lambda: request_cosignatures_task.enqueue(checkpoint_id))
        return checkpoint


def sequence_pending(*, now: datetime | None = None) -> Checkpoint | None:
    """Sequence every entry committed so far, in batches; return the last checkpoint signed, if any."""
    last = None
    while True:
        checkpoint = _sequence_batch(now or timezone.now())
        if checkpoint is None:
            return last
        last = checkpoint


def latest_checkpoint(*, current: bool = True) -> Checkpoint | None:
    """The newest signed checkpoint; with `current`, first sequence whatever is pending."""
    if current and has_pending():
        sequence_pending()
    checkpoint = Checkpoint.objects.order_by("-id").first()
    if checkpoint is None and current:
        # An empty log still has a signed checkpoint, so clients can start.
        with transaction.atomic():
            LogState.objects.select_for_update().get_or_create(id=1)
            checkpoint = Checkpoint.objects.order_by("-id").first() or sign(
                0, merkle.EMPTY_ROOT, now=timezone.now()
            )
    return checkpoint
