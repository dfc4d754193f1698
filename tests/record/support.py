"""Verify a test's record as `councils verify` does, and forge variants of it as a rogue server could."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from councils.core.ledger import merkle, note
from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.verify import Verdict, check_entries, open_signed_checkpoint
from councils.record import queries, sequencer
from councils.record.models import Sequence


def verify_genuine() -> Verdict:
    """Verify the whole log, sequenced up to now, against the federation's own latest checkpoint."""
    checkpoint = sequencer.latest_checkpoint()
    assert checkpoint is not None
    verdict = Verdict()
    opened = open_signed_checkpoint(queries.checkpoint_note_of(checkpoint), checkpoint.key, verdict=verdict)
    assert opened is not None
    rows = Sequence.objects.order_by("index").values_list("index", "entry__data", "leaf_hash")
    check_entries(((i, bytes(d), bytes(h)) for i, d, h in rows), opened, verdict)
    return verdict


def documents() -> list[dict[str, Any]]:
    """Every entry of the log, in log order, as documents a forger can edit."""
    sequencer.sequence_pending()
    rows = Sequence.objects.order_by("index").values_list("entry__data", flat=True)
    return [json.loads(bytes(d)) for d in rows]


def sign(docs: list[dict[str, Any]]) -> tuple[str, str, list[bytes]]:
    """A validly signed log of `docs` under a throwaway key: (checkpoint note, vkey, entry bytes)."""
    signer = note.make_signer("rogue.example/log", Ed25519PrivateKey.generate())
    data = [canonical_bytes(d) for d in docs]
    _, root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in data)
    body = note.Checkpoint(signer.name, len(data), root).body()
    return note.Note(body, (note.sign_note(body, signer),)).text(), signer.verifier.vkey(), data


def verify_forged(docs: list[dict[str, Any]]) -> Verdict:
    """Verify `docs`, re-signed as a rogue server would, exactly as `councils verify --bundle` does."""
    text, vkey, data = sign(docs)
    verdict = Verdict()
    checkpoint = open_signed_checkpoint(text, vkey, verdict=verdict)
    assert checkpoint is not None
    check_entries(((i, d, None) for i, d in enumerate(data)), checkpoint, verdict)
    return verdict


def signed_bundle(tmp_path: Path, docs: list[dict[str, Any]]) -> Path:
    """A validly signed bundle of `docs`, as a rogue server could publish it."""
    text, vkey, data = sign(docs)
    path = tmp_path / "rogue.bundle"
    header = {"format": "councils-record-bundle/1", "checkpoint": text, "key": vkey, "size": len(data)}
    path.write_bytes(json.dumps(header).encode() + b"\n" + b"".join(d + b"\n" for d in data))
    return path


def find(docs: list[dict[str, Any]], event: str, nth: int = 0) -> int:
    """The position of the `nth` entry of `event` in `docs`."""
    return [i for i, d in enumerate(docs) if d["event"] == event][nth]
