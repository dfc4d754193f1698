"""The offline verifier's pure checks: signatures, witnesses, consistency, every leaf and the root."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from councils.core.ledger import merkle, note
from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.verify import (
    Verdict,
    check_consistency,
    check_entries,
    hash_leaves,
    open_signed_checkpoint,
    rotated_to,
)
from tests.core.ledger.uncanonical import UNCANONICAL, WIDE_DOCUMENT, uncanonical

ORIGIN = "log.example/test"
LOG = note.make_signer(ORIGIN, Ed25519PrivateKey.generate())
WITNESS = note.make_signer("witness.example", Ed25519PrivateKey.generate(), key_type=note.COSIGNATURE_V1)


def entry(name: str, *, version: int = 2) -> bytes:
    document = {
        "v": version,
        "event": "council.created",
        "at": "",
        "actor": None,
        "council": name,
        "payload": {"council": name},
    }
    if version == 2:
        document["nonce"] = hashlib.sha256(name.encode()).hexdigest()[:32]
    return canonical_bytes(document)


# A log begun before entries were salted (version 1) and continued after (version 2).
ENTRIES = [entry(f"c-{i}", version=1 if i < 2 else 2) for i in range(4)]
LEAVES = [merkle.hash_leaf(e) for e in ENTRIES]


def checkpoint(size: int = 4, *, cosigned_by: note.Signer | None = None, root: bytes | None = None) -> str:
    body = note.Checkpoint(ORIGIN, size, root or merkle.root_from_leaves(LEAVES[:size])[1]).body()
    signatures = [note.sign_note(body, LOG)]
    if cosigned_by is not None:
        signatures.append(note.cosign(body, cosigned_by, 1_700_000_000))
    return note.Note(body, tuple(signatures)).text()


def opened(text: str | None = None, **options) -> tuple[note.Checkpoint | None, Verdict]:
    verdict = Verdict()
    return open_signed_checkpoint(
        text or checkpoint(), LOG.verifier.vkey(), verdict=verdict, **options
    ), verdict


def test_a_signed_checkpoint_opens_and_its_verdict_is_a_document():
    cp, verdict = opened()
    assert cp is not None and cp.size == 4
    document = verdict.as_json()
    assert document["ok"] is True and document["origin"] == ORIGIN and document["size"] == 4
    assert document["root"] == note.b64encode(cp.root) and document["key"] == LOG.verifier.vkey()
    assert Verdict().as_json()["root"] is None


def test_a_checkpoint_under_another_key_or_a_key_that_cannot_sign_is_refused():
    other = note.make_signer(ORIGIN, Ed25519PrivateKey.generate())
    verdict = Verdict()
    assert open_signed_checkpoint(checkpoint(), other.verifier.vkey(), verdict=verdict) is None
    assert verdict.problems[0].startswith("The checkpoint is not validly signed by the federation's key")
    verdict = Verdict()
    assert open_signed_checkpoint(checkpoint(), WITNESS.verifier.vkey(), verdict=verdict) is None
    assert "the log's key is not an Ed25519 signing key" in verdict.problems[0]
    assert not verdict.ok


def test_witness_cosignatures_are_counted_checked_and_required():
    vkey = WITNESS.verifier.vkey()
    _, verdict = opened(checkpoint(cosigned_by=WITNESS), witnesses=[vkey], require_witnesses=True)
    assert verdict.ok and verdict.warnings == []
    assert verdict.cosignatures == [{"witness": "witness.example", "time": 1_700_000_000}]
    _, verdict = opened(witnesses=[vkey])
    assert verdict.ok and verdict.warnings[0].startswith(
        "The checkpoint carries 0 valid witness cosignatures; 1 is needed"
    )
    _, verdict = opened(witnesses=[vkey], require_witnesses=True)
    assert not verdict.ok
    _, verdict = opened(require_witnesses=True)
    assert "0 valid witness cosignatures; 1 is needed" in verdict.problems[0]
    _, verdict = opened(checkpoint(cosigned_by=WITNESS), witnesses=[vkey], quorum=2)
    assert "1 valid witness cosignature; 2 are needed" in verdict.warnings[0]


def test_a_malformed_witness_key_warns_and_a_forged_cosignature_fails():
    _, verdict = opened(witnesses=["not a key"])
    assert verdict.warnings[0].startswith("The witness key 'not a key' is malformed")
    body = note.Checkpoint(ORIGIN, 4, merkle.root_from_leaves(LEAVES)[1]).body()
    elsewhere = note.cosign(note.Checkpoint(ORIGIN, 3, b"\x02" * 32).body(), WITNESS, 1_700_000_000)
    text = note.Note(body, (note.sign_note(body, LOG), elsewhere)).text()
    _, verdict = opened(text, witnesses=[WITNESS.verifier.vkey()])
    assert verdict.problems[0].startswith("Witness witness.example's cosignature is forged or damaged")


def test_consistency_with_the_checkpoint_seen_last():
    cp, _ = opened()
    assert cp is not None
    old_root = merkle.root_from_leaves(LEAVES[:2])[1]

    def node(n: merkle.Node) -> bytes:
        level, index = n
        return merkle.root_from_leaves(LEAVES[index << level : (index + 1) << level])[1]

    proof = merkle.resolve(merkle.consistency_plan(2, 4), node)
    verdict = Verdict()
    check_consistency(2, old_root, cp, proof, verdict)
    assert verdict.ok
    check_consistency(2, b"\x01" * 32, cp, proof, verdict)
    assert "its history has been rewritten" in verdict.problems[0]
    verdict = Verdict()
    check_consistency(5, old_root, cp, [], verdict)
    assert verdict.problems[0].startswith("The log shrank: you last saw 5 entries and now it claims 4.")


def checked(entries, size: int = 4, root: bytes | None = None) -> tuple[Verdict, list[bytes]]:
    cp, verdict = opened(checkpoint(size, root=root))
    assert cp is not None
    leaves: list[bytes] = []
    check_entries(entries, cp, verdict, leaves=leaves)
    return verdict, leaves


def test_every_entry_hashes_to_the_signed_root():
    verdict, leaves = checked((i, e, None) for i, e in enumerate(ENTRIES))
    assert verdict.ok and verdict.replayed == 4 and leaves == LEAVES


def test_entries_the_reader_may_not_see_are_checked_by_their_leaf_hash():
    verdict, _ = checked((i, None if i == 2 else e, LEAVES[i]) for i, e in enumerate(ENTRIES))
    assert verdict.ok and verdict.replayed == 3 and verdict.not_replayed == 1


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            [(0, ENTRIES[0], None), (2, ENTRIES[2], None)],
            "Entry 1 is missing from the record (got entry 2 next).",
        ),
        ([(0, ENTRIES[0], LEAVES[1])], "Entry 0's content does not match its leaf hash."),
        ([(0, b"\xff\xfe", None)], "Entry 0 is not a readable record entry."),
        ([(0, ENTRIES[0] + b" {}", None)], "Entry 0 is not a readable record entry."),
        ([(0, b'{"v": 2, "nonce": "x"', None)], "Entry 0 is not a readable record entry."),
        ([(0, b"[1, 2]", None)], "Entry 0 is not a readable record entry."),
        ([(0, None, b"short")], "Entry 0 has neither content nor a valid leaf hash."),
        ([(0, None, None)], "Entry 0 has neither content nor a valid leaf hash."),
        (
            [(i, e, None) for i, e in enumerate(ENTRIES[:3])],
            "The checkpoint covers 4 entries but 3 were provided.",
        ),
    ],
)
def test_a_damaged_record_is_explained(entries, expected):
    verdict, _ = checked(entries)
    assert expected in verdict.problems


# Readable, hidden, and a hidden entry whose leaf hash is damaged.
MIXED = [(0, ENTRIES[0], None), (1, None, LEAVES[1]), (2, None, b"short"), (3, ENTRIES[3], None)]


def test_leaves_hashed_elsewhere_give_the_same_tree_and_verdict():
    here, leaves = checked(MIXED)
    size, root, joined = hash_leaves(MIXED)
    assert (size, root) == merkle.root_from_leaves(leaves) and size == 4
    assert joined == b"".join(leaves) and leaves[2] == bytes(32)
    cp, elsewhere = opened()
    assert cp is not None
    check_entries(MIXED, cp, elsewhere, hashed=lambda: (size, root))
    assert (
        elsewhere.problems
        == here.problems
        == [
            "Entry 2 has neither content nor a valid leaf hash.",
            "The entries do not hash to the signed root: some entry was altered, removed, inserted or "
            "reordered after the checkpoint was signed.",
        ]
    )
    assert (elsewhere.replayed, elsewhere.not_replayed) == (here.replayed, here.not_replayed) == (2, 2)
    with pytest.raises(ValueError, match="where they are hashed"):
        check_entries(MIXED, cp, Verdict(), leaves=[], hashed=lambda: (size, root))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"nonce": "guessable"},
            "Entry 1 is in encoding version 2 but has no well-formed nonce (32 lower-case hexadecimal "
            "digits), so anyone could guess its content from its public leaf hash.",
        ),
        (
            {"v": 3},
            "Entry 1 is in an encoding version this verifier does not know (3; it reads versions 1 and 2).",
        ),
        (
            # Past 64 bits: read as written, not as the float nearest it (18446744073709551616.0).
            {"v": 2**64 + 2},
            "Entry 1 is in an encoding version this verifier does not know (18446744073709551618; it reads "
            "versions 1 and 2).",
        ),
    ],
)
def test_an_entry_without_its_nonce_or_in_an_unknown_version_is_explained(change, expected):
    data = [ENTRIES[0], canonical_bytes(json.loads(ENTRIES[3]) | change)]
    root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in data)[1]
    verdict, _ = checked(enumerate_entries(data), size=2, root=root)
    assert verdict.problems == [expected] and verdict.replayed == 2


@pytest.mark.parametrize(("data", "why"), UNCANONICAL)
def test_an_entry_encoded_other_than_canonically_is_explained_and_replayed(data, why):
    entries = [ENTRIES[0], data]
    root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in entries)[1]
    verdict, _ = checked(enumerate_entries(entries), size=2, root=root)
    assert verdict.problems == [f"Entry 1 {uncanonical(why)}."] and verdict.replayed == 2


def test_integers_past_64_bits_and_text_beyond_ascii_are_canonical():
    entries = [ENTRIES[0], canonical_bytes(WIDE_DOCUMENT)]
    root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in entries)[1]
    verdict, _ = checked(enumerate_entries(entries), size=2, root=root)
    assert verdict.ok and verdict.replayed == 2


def test_a_return_to_unsalted_entries_is_explained():
    data = [ENTRIES[0], ENTRIES[2], entry("c-late", version=1), ENTRIES[3]]
    root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in data)[1]
    verdict, _ = checked(enumerate_entries(data), size=4, root=root)
    assert verdict.problems == [
        "Entry 2 is in encoding version 1, without a nonce, after entry 1, which was salted: the server went "
        "back to entries whose content can be guessed from their public leaf hash."
    ]


def test_entries_that_do_not_hash_to_the_root_are_caught():
    altered = [*ENTRIES[:3], entry("c-forged")]
    verdict, _ = checked((i, e, None) for i, e in enumerate(altered))
    assert verdict.problems == [
        "The entries do not hash to the signed root: some entry was altered, removed, inserted or reordered "
        "after the checkpoint was signed."
    ]


def test_broken_rules_and_notes_reach_the_verdict():
    document = json.loads(ENTRIES[0])
    resigned = {"seat": "s-1", "delegate": "u", "reason": "resigned"}
    unseat = canonical_bytes({**document, "event": "delegate.unseated", "actor": "u", "payload": resigned})
    vote = canonical_bytes({**document, "event": "vote.cast", "payload": {"vote": "v", "voter": "u"}})
    data = [unseat, vote]
    root = merkle.root_from_leaves(merkle.hash_leaf(d) for d in data)[1]
    verdict, _ = checked(enumerate_entries(data), size=2, root=root)
    assert verdict.problems == [
        "Rule broken at entry 0: delegate seat s-1 is vacated but the record never seated it."
    ]
    assert verdict.notes == [
        "some ballots belong to votes opened in entries you may not read or before this record"
    ]


def enumerate_entries(data: list[bytes]):
    return ((i, d, None) for i, d in enumerate(data))


def test_the_record_s_key_rotations_reach_the_verdict_and_are_followed():
    new = note.make_signer(ORIGIN, Ed25519PrivateKey.generate())
    endorsement = note.b64encode(LOG.private.sign(new.verifier.vkey().encode()))
    rotation = canonical_bytes(
        {
            **json.loads(ENTRIES[0]),
            "event": "record.key_rotated",
            "payload": {
                "old_key": LOG.verifier.vkey(),
                "new_key": new.verifier.vkey(),
                "endorsement": endorsement,
            },
        }
    )
    root = merkle.root_from_leaves([merkle.hash_leaf(rotation)])[1]
    verdict, _ = checked(enumerate_entries([rotation]), size=1, root=root)
    assert verdict.key_rotations == {LOG.verifier.vkey(): new.verifier.vkey()}
    assert rotated_to(LOG.verifier.vkey(), new.verifier.vkey(), verdict.key_rotations)


def test_a_circle_of_rotations_never_reaches_a_stranger():
    assert not rotated_to("a", "z", {"a": "b", "b": "a"})
    assert not rotated_to("a", "z", {})
    assert rotated_to("a", "c", {"a": "b", "b": "c"})
