"""Signed notes, checkpoints and cosignatures in the C2SP formats."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from councils.core.ledger import note
from councils.core.ledger.note import NoteError

# The example of golang.org/x/mod/sumdb/note's documentation: another implementation's key and note.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def signer(name: str, kind: int = note.ED25519) -> note.Signer:
    return note.make_signer(name, Ed25519PrivateKey.generate(), key_type=kind)


def test_another_implementations_note_verifies() -> None:
    verifier = note.parse_vkey(GO_VKEY)
    parsed = note.parse_note(GO_NOTE)
    assert verifier.vkey() == GO_VKEY
    signature = note.find_signature(parsed, verifier)
    assert signature is not None
    assert note.verify_signature(parsed.body, signature, verifier) is None
    tampered = parsed.body.replace("cryptography", "cryptograph")
    with pytest.raises(NoteError):
        note.verify_signature(tampered, signature, verifier)


def test_checkpoint_round_trips_and_checks_its_signer() -> None:
    log = signer("example.org/log/abc")
    cp = note.Checkpoint("example.org/log/abc", 5, hashlib.sha256(b"r").digest())
    text = note.Note(cp.body(), (note.sign_note(cp.body(), log),)).text()
    assert text.startswith("example.org/log/abc\n5\n")
    opened, _ = note.open_checkpoint(text, log.verifier)
    assert opened == cp
    with pytest.raises(NoteError):
        note.open_checkpoint(text, signer("example.org/log/abc").verifier)
    with pytest.raises(NoteError):
        note.open_checkpoint(text.replace("\n5\n", "\n6\n"), log.verifier)


def test_cosignature_verifies_and_carries_its_time() -> None:
    witness = signer("witness.example", note.COSIGNATURE_V1)
    body = note.Checkpoint("o", 1, b"\x00" * 32).body()
    cosignature = note.cosign(body, witness, 1_700_000_000)
    assert note.verify_signature(body, cosignature, witness.verifier) == 1_700_000_000
    assert note.parse_vkey(witness.verifier.vkey()) == witness.verifier
    with pytest.raises(NoteError):
        note.verify_signature(body.replace("1", "2"), cosignature, witness.verifier)
    with pytest.raises(NoteError):
        note.cosign(body, signer("log"), 1)
    with pytest.raises(NoteError):
        note.sign_note(body, witness)


@pytest.mark.parametrize(
    "text",
    [
        "no blank line\n\u2014 a AAAA\n",
        "body\n\n\u2014 a not-base64!\n",
        "body\n\nnot a signature\n",
        "body\n\n\u2014 a AAAAAA==",
        "body\n\n",
    ],
)
def test_malformed_notes_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        note.parse_note(text)


@pytest.mark.parametrize(
    "body",
    ["o\n1\n", "o\n01\nAAAA\n", "o\n1\nAAAA\n", "\n1\n" + "A" * 43 + "=\n", "o\nx\n" + "A" * 43 + "=\n"],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(NoteError):
        note.parse_checkpoint_body(body)


@pytest.mark.parametrize(
    "vkey", ["a+b", "a+00000000+AAAA", "bad name+00+AA==", GO_VKEY.replace("c74f", "c74e")]
)
def test_malformed_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        note.parse_vkey(vkey)


def test_checkpoint_body_errors_say_what_is_wrong() -> None:
    root = "A" * 43 + "="
    with pytest.raises(NoteError, match="ends with a newline"):
        note.parse_checkpoint_body(f"o\n1\n{root}")
    with pytest.raises(NoteError, match="no empty lines"):
        note.parse_checkpoint_body(f"o\n1\n{root}\nextension\n\n")


def test_a_signature_line_without_a_key_id_is_refused() -> None:
    with pytest.raises(NoteError, match="names its key and carries at least a key id"):
        note.parse_note("body\n\n\u2014 a AAAA\n")
    with pytest.raises(NoteError, match="names its key"):
        note.parse_note("body\n\n\u2014  AAAAAAAA\n")


def test_signatures_of_the_wrong_length_are_refused() -> None:
    log, witness = signer("log"), signer("witness", note.COSIGNATURE_V1)
    body = note.Checkpoint("log", 1, b"\x01" * 32).body()
    signature = note.sign_note(body, log)
    short = note.Signature(signature.name, signature.key_id, signature.raw[:-1])
    with pytest.raises(NoteError, match="an Ed25519 signature is 64 bytes"):
        note.verify_signature(body, short, log.verifier)
    cosignature = note.cosign(body, witness, 1)
    short = note.Signature(cosignature.name, cosignature.key_id, cosignature.raw[8:])
    with pytest.raises(NoteError, match="a cosignature is a time and a 64-byte signature"):
        note.verify_signature(body, short, witness.verifier)


def test_a_checkpoint_of_another_log_is_refused() -> None:
    other = signer("other")
    body = note.Checkpoint("other", 1, b"\x01" * 32).body()
    text = note.Note(body, (note.sign_note(body, other),)).text()
    with pytest.raises(NoteError, match="origin 'other' is not the log's 'log'"):
        note.open_checkpoint(text, signer("log").verifier)
    with pytest.raises(NoteError, match="the signature is not by log"):
        note.verify_signature(body, note.parse_note(text).signatures[0], signer("log").verifier)
