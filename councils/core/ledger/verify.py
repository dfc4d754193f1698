"""Verify a downloaded record without trusting whoever served it.

Pure: callers fetch the checkpoint, the log's key, the entries and proofs
(over HTTP or from a bundle file) and pass them in. The verdict lists
`problems` (the record is not what it claims: exit 1), `warnings` (for
example missing cosignatures) and how many entries were replayed.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from councils.core.ledger import merkle, minutes, note, replay
from councils.core.ledger.encoding import EncodingCheck, read_entry
from councils.core.wording import counted


@dataclass
class Verdict:
    origin: str = ""
    size: int = 0
    root: bytes = b""
    key: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cosignatures: list[dict[str, Any]] = field(default_factory=list)
    replayed: int = 0
    not_replayed: int = 0
    notes: list[str] = field(default_factory=list)
    key_rotations: dict[str, str] = field(default_factory=dict)
    # What the replay kept to check approved minutes by (`councils.core.ledger.minutes.facts`).
    minutes: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "origin": self.origin,
            "size": self.size,
            "root": note.b64encode(self.root) if self.root else None,
            "key": self.key,
            "cosignatures": self.cosignatures,
            "replayed": self.replayed,
            "not_replayed": self.not_replayed,
            "problems": self.problems,
            "warnings": self.warnings,
            "notes": self.notes,
        }


def open_signed_checkpoint(
    text: str,
    log_key: str,
    *,
    witnesses: Sequence[str] = (),
    quorum: int = 0,
    require_witnesses: bool = False,
    verdict: Verdict,
) -> note.Checkpoint | None:
    """Check the log's signature and the witnesses' cosignatures; fill `verdict`."""
    try:
        log = note.parse_vkey(log_key)
        if log.key_type != note.ED25519:
            raise note.NoteError("the log's key is not an Ed25519 signing key")
        checkpoint, parsed = note.open_checkpoint(text, log)
    except note.NoteError as exc:
        verdict.problems.append(f"The checkpoint is not validly signed by the federation's key: {exc}.")
        return None
    verdict.origin, verdict.size, verdict.root, verdict.key = (
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root,
        log_key,
    )
    valid = 0
    for vkey in witnesses:
        try:
            witness = note.parse_vkey(vkey)
        except note.NoteError as exc:
            verdict.warnings.append(f"The witness key {vkey[:40]!r} is malformed: {exc}.")
            continue
        signature = note.find_signature(parsed, witness)
        if signature is None:
            continue
        try:
            timestamp = note.verify_signature(parsed.body, signature, witness)
        except note.NoteError as exc:
            verdict.problems.append(f"Witness {witness.name}'s cosignature is forged or damaged: {exc}.")
            continue
        valid += 1
        verdict.cosignatures.append({"witness": witness.name, "time": timestamp})
    needed = max(quorum, 1 if witnesses else 0)
    if valid < needed or (require_witnesses and valid == 0):
        message = (
            "The checkpoint carries "
            f"{counted(valid, 'valid witness cosignature', 'valid witness cosignatures')}; "
            f"{counted(max(needed, 1), 'is', 'are')} needed "
            "before anyone else has vouched that this is the one history the server shows everybody."
        )
        (verdict.problems if require_witnesses else verdict.warnings).append(message)
    return checkpoint


def check_consistency(
    previous_size: int,
    previous_root: bytes,
    checkpoint: note.Checkpoint,
    proof: Sequence[bytes],
    verdict: Verdict,
) -> None:
    """The log must extend the checkpoint this verifier saw last; anything else is a forked history."""
    if checkpoint.size < previous_size:
        verdict.problems.append(
            f"The log shrank: you last saw {counted(previous_size, 'entry', 'entries')} and now it "
            f"claims {checkpoint.size}. "
            "Entries have been removed from the record."
        )
        return
    try:
        merkle.verify_consistency(previous_size, checkpoint.size, previous_root, checkpoint.root, proof)
    except merkle.ProofError as exc:
        verdict.problems.append(
            f"The log is not an extension of the {counted(previous_size, 'entry', 'entries')} you saw "
            f"last ({exc}): "
            "its history has been rewritten."
        )


Entries = Iterable[tuple[int, bytes | None, bytes | None]]
ZERO_LEAF = bytes(merkle.HASH_SIZE)


def check_entries(
    entries: Entries,
    checkpoint: note.Checkpoint,
    verdict: Verdict,
    *,
    leaves: list[bytes] | None = None,
    hashed: Callable[[], tuple[int, bytes]] | None = None,
) -> None:
    """Recompute every leaf and the root from (index, data or None, leaf hash or None), replaying the rules.

    An entry without data (one the reader may not see) is checked by its leaf
    hash only and counted as not replayed. With `leaves`, the leaf hashes are
    also appended there. One pass, in order: this is the verifier's hot loop.
    Once as many entries as the checkpoint covers are read, the rules judge
    the log's last action too (`replay.finish`).

    With `hashed`, the leaves and the tree are computed elsewhere, by
    `hash_leaves` over the same entries (a bundle is hashed in a second process
    while this one replays): the entries are only read and replayed here, and
    `hashed()` gives the size and root to check against the checkpoint.
    """
    if hashed is not None and leaves is not None:
        raise ValueError("leaves are collected where they are hashed")
    sha256 = hashlib.sha256
    loads = read_entry
    from_document = replay.Item.from_document
    feed = replay.feed
    result = replay.Replay()
    encoding = EncodingCheck()
    hashing = hashed is None

    def walk() -> Iterator[bytes]:
        expected = 0
        for index, data, claimed in entries:
            if index != expected:
                verdict.problems.append(
                    f"Entry {expected} is missing from the record (got entry {index} next)."
                )
                expected = index
            item = None
            current = ZERO_LEAF
            if data is not None:
                if hashing:
                    current = sha256(b"\x00" + data).digest()
                    if claimed is not None and claimed != current:
                        verdict.problems.append(f"Entry {index}'s content does not match its leaf hash.")
                try:
                    document, uncanonical = loads(data)
                except ValueError:
                    verdict.problems.append(f"Entry {index} is not a readable record entry.")
                else:
                    item = from_document(index, document)
                    if uncanonical is not None:
                        verdict.problems.append(f"Entry {index} {uncanonical}.")
                    wrong = encoding.problem(index, document)
                    if wrong is not None:
                        verdict.problems.append(f"Entry {index} {wrong}.")
            elif claimed is not None and len(claimed) == merkle.HASH_SIZE:
                current = claimed
            else:
                verdict.problems.append(f"Entry {index} has neither content nor a valid leaf hash.")
            feed(result, item)
            if leaves is not None:
                leaves.append(current)
            yield current
            expected += 1

    if hashed is None:
        size, root = merkle.root_from_leaves(walk())
    else:
        deque(walk(), maxlen=0)
        size, root = hashed()
    if size != checkpoint.size:
        # Not the entries the checkpoint covers: the last read may not end its action, so it is not judged.
        verdict.problems.append(
            f"The checkpoint covers {counted(checkpoint.size, 'entry', 'entries')} but {size} were provided."
        )
    else:
        # Every entry the checkpoint covers was read, and a checkpoint ends where an action does.
        replay.finish(result)
        if root != checkpoint.root:
            verdict.problems.append(
                "The entries do not hash to the signed root: some entry was altered, removed, inserted or "
                "reordered after the checkpoint was signed."
            )
    verdict.replayed += result.replayed
    verdict.not_replayed += result.not_replayed
    verdict.problems.extend(f"Rule broken at {p}." for p in result.problems)
    verdict.notes.extend(result.notes)
    verdict.key_rotations.update(result.table("key_rotations"))
    verdict.minutes = minutes.facts(result)


def hash_leaves(entries: Entries) -> tuple[int, bytes, bytes]:
    """The size, the root and every leaf hash (joined) of the tree `check_entries` computes over `entries`.

    Only hashes: what is wrong with an entry is reported by `check_entries`,
    which reads the same entries with `hashed`.
    """
    sha256 = hashlib.sha256
    joined = bytearray()

    def walk() -> Iterator[bytes]:
        for _, data, claimed in entries:
            if data is not None:
                current = sha256(b"\x00" + data).digest()
            elif claimed is not None and len(claimed) == merkle.HASH_SIZE:
                current = claimed
            else:
                current = ZERO_LEAF
            joined.extend(current)
            yield current

    size, root = merkle.root_from_leaves(walk())
    return size, root, bytes(joined)


def rotated_to(old_key: str, new_key: str, rotations: dict[str, str]) -> bool:
    """Whether the record's endorsed rotations lead from `old_key` to `new_key`."""
    seen = {old_key}
    key = old_key
    while key in rotations:
        key = rotations[key]
        if key == new_key:
            return True
        if key in seen:
            return False
        seen.add(key)
    return False
