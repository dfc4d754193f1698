"""Read the record's size and root from a database, and check a restored record against a backup's manifest.

It reads the record's tables directly (on any database alias, so a backup
can read the very snapshot it archives) and recomputes the tree with
`councils.core.ledger`: nothing here trusts the stored LogState or Node rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from councils.core.ledger import merkle, note
from councils.core.wording import counted
from councils.record.models import Checkpoint, Entry, LogState, Pending, Sequence

CHUNK = 2000


@dataclass(frozen=True)
class RecordState:
    size: int
    root: bytes
    entries: int
    pending: int
    checkpoint: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": note.b64encode(self.root),
            "entries": self.entries,
            "pending": self.pending,
            "checkpoint": self.checkpoint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordState:
        return cls(
            size=int(data["size"]),
            root=note.b64decode(data["root"]),
            entries=int(data["entries"]),
            pending=int(data["pending"]),
            checkpoint=data.get("checkpoint"),
        )


def read_state(using: str = "default") -> RecordState:
    """The log's size and root as its sequencer last stored them, and its latest signed checkpoint."""
    state = LogState.objects.using(using).filter(id=1).values("size", "root").first()
    size = int(state["size"]) if state else 0
    root = bytes(state["root"]) if state and size else merkle.EMPTY_ROOT
    latest = (
        Checkpoint.objects.using(using)
        .order_by("-size", "-id")
        .values("size", "root", "origin", "key", "note", "signed_at")
        .first()
    )
    checkpoint = None
    if latest is not None:
        checkpoint = {
            "size": latest["size"],
            "root": note.b64encode(bytes(latest["root"])),
            "origin": latest["origin"],
            "key": latest["key"],
            "note": latest["note"],
            "signed_at": latest["signed_at"].isoformat(),
        }
    return RecordState(
        size=size,
        root=root,
        entries=Entry.objects.using(using).count(),
        pending=Pending.objects.using(using).count(),
        checkpoint=checkpoint,
    )


def _leaves(using: str, size: int, problems: list[str]) -> list[bytes]:
    """Every sequenced leaf hash, recomputed from the entry's bytes and checked against the stored ones."""
    leaves: list[bytes] = []
    rows = (
        Sequence.objects.using(using)
        .order_by("index")
        .values_list("index", "leaf_hash", "entry__leaf_hash", "entry__data")
        .iterator(chunk_size=CHUNK)
    )
    for index, stored, entry_stored, data in rows:
        if index != len(leaves):
            problems.append(f"the log has no entry at index {len(leaves)} (the next stored index is {index})")
            return leaves
        computed = merkle.hash_leaf(bytes(data))
        if computed != bytes(stored) or computed != bytes(entry_stored):
            problems.append(f"entry {index}: its bytes do not hash to the stored leaf hash")
        leaves.append(computed)
    if len(leaves) != size:
        problems.append(
            f"the log state says {counted(size, 'entry', 'entries')} but {len(leaves)} are sequenced"
        )
    return leaves


def sequenced_leaves(size: int, using: str = "default") -> list[bytes]:
    """The stored leaf hashes of the first `size` entries, in log order."""
    rows = (
        Sequence.objects.using(using)
        .filter(index__lt=size)
        .order_by("index")
        .values_list("leaf_hash", flat=True)
    )
    return [bytes(leaf) for leaf in rows]


def root_of_prefix(leaves: list[bytes], size: int) -> bytes:
    return merkle.root_from_leaves(leaves[:size])[1]


def verify(
    *, expected: RecordState, origin: str, signing_vkey: str, using: str = "default"
) -> tuple[RecordState, list[str]]:
    """Recompute the restored record and list every way it differs from `expected`; [] means it matches.

    `origin` and `signing_vkey` come from the restored var/ files: the latest
    checkpoint must carry that origin, verify under the key it names, and
    that key must be the restored signing key unless the log records a
    rotation to it.
    """
    problems: list[str] = []
    found = read_state(using)
    leaves = _leaves(using, found.size, problems)
    computed = merkle.root_from_leaves(leaves)[1]
    if found.size != expected.size:
        problems.append(
            f"the backup's log has {expected.size} sequenced entries; the restored one has {found.size}"
        )
    if computed != expected.root:
        problems.append(
            f"the restored entries hash to root {note.b64encode(computed)}, "
            f"not the backup's {note.b64encode(expected.root)}"
        )
    if computed != found.root and found.size:
        problems.append("the restored log state's root is not the root of its entries")
    if found.entries != expected.entries or found.pending != expected.pending:
        problems.append(
            f"the backup holds {counted(expected.entries, 'entry', 'entries')} ({expected.pending} not "
            "yet sequenced); "
            f"the restored database holds {found.entries} ({found.pending})"
        )
    checkpoint = found.checkpoint
    if (checkpoint is None) != (expected.checkpoint is None):
        problems.append("the restored database's latest signed checkpoint is not the backup's")
    if checkpoint is not None:
        problems.extend(_check_checkpoint(checkpoint, leaves, origin))
        if checkpoint["key"] != signing_vkey and not _rotated_to(signing_vkey, using):
            problems.append(
                "the restored signing key is not the key of the latest checkpoint, and the log records "
                "no rotation to it: the backup's var/ secrets do not belong to its database"
            )
        if expected.checkpoint is not None and checkpoint["note"] != expected.checkpoint["note"]:
            problems.append("the restored latest checkpoint differs from the backup's")
    return found, problems


def _rotated_to(vkey: str, using: str) -> bool:
    for data in Entry.objects.using(using).filter(event="record.key_rotated").values_list("data", flat=True):
        if json.loads(bytes(data)).get("payload", {}).get("new_key") == vkey:
            return True
    return False


def _check_checkpoint(checkpoint: dict[str, Any], leaves: list[bytes], origin: str) -> list[str]:
    problems = []
    if checkpoint["origin"] != origin:
        problems.append(
            f"the latest checkpoint is for log {checkpoint['origin']!r}, "
            f"but the restored log id makes {origin!r}"
        )
    try:
        opened, _ = note.open_checkpoint(checkpoint["note"], note.parse_vkey(checkpoint["key"]))
    except note.NoteError as exc:
        return [*problems, f"the latest checkpoint does not verify: {exc}"]
    if opened.size > len(leaves):
        problems.append(
            f"the latest checkpoint covers {counted(opened.size, 'entry', 'entries')}; only "
            f"{len(leaves)} are restored"
        )
    elif root_of_prefix(leaves, opened.size) != opened.root:
        problems.append(
            "the latest checkpoint's root is not the root of the first "
            f"{counted(opened.size, 'entry', 'entries')}"
        )
    return problems
