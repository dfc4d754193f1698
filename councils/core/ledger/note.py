"""Signed checkpoints: C2SP signed-note, tlog-checkpoint and tlog-cosignature/v1 with Ed25519.

A checkpoint body is three lines: origin, tree size, base64 root hash. A note
is the body, a blank line, and one signature line per signer:
"— <name> <base64(key id || signature)>". Key ids are the first four bytes of
SHA-256(name || "\\n" || type || public key), type 0x01 for a log's Ed25519
key and 0x04 for a witness's cosignature/v1 key. A cosignature signs
"cosignature/v1\\ntime <seconds>\\n" followed by the checkpoint body and
carries the time as 8 big-endian bytes between key id and signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "\u2014 "


class NoteError(ValueError):
    """A malformed note, key or signature, or a signature that does not verify."""


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"not standard base64: {text[:40]!r}") from None


def _check_name(name: str) -> None:
    if not name or any(c in name for c in " +\n\t\u2014") or not name.isprintable():
        raise NoteError(f"{name!r} cannot name a key (no spaces, '+' or control characters)")


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public key as named in a vkey string."""

    name: str
    key_type: int
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def vkey(self) -> str:
        return f"{self.name}+{self.id.hex()}+{b64encode(bytes([self.key_type]) + self.public)}"

    def _key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public)


def parse_vkey(text: str) -> Verifier:
    """Read `<name>+<hex key id>+<base64(type || key)>` and check that its id matches."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<hex key id>+<base64 key>")
    name, hex_id, encoded = parts
    _check_name(name)
    raw = b64decode(encoded)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 and cosignature/v1 keys of 32 bytes are supported")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.id.hex() != hex_id.lower():
        raise NoteError("the key id does not match the key")
    return verifier


@dataclass(frozen=True)
class Signer:
    name: str
    key_type: int
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, self.key_type, public)


def make_signer(name: str, private: Ed25519PrivateKey, *, key_type: int = ED25519) -> Signer:
    _check_name(name)
    return Signer(name, key_type, private)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_body(body: str) -> Checkpoint:
    if not body.endswith("\n"):
        raise NoteError("a checkpoint body ends with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text, *extensions = lines
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise NoteError("the checkpoint's origin or size is malformed")
    root = b64decode(root_text)
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise NoteError("a checkpoint has no empty lines in its body")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    raw: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.raw)}\n"


@dataclass(frozen=True)
class Note:
    body: str
    signatures: tuple[Signature, ...]

    def text(self) -> str:
        return self.body + "\n" + "".join(s.line() for s in self.signatures)


def parse_note(text: str) -> Note:
    if "\n\n" not in text:
        raise NoteError("a signed note has a blank line between its text and its signatures")
    split = text.rindex("\n\n")
    body, signature_block = text[: split + 1], text[split + 2 :]
    if not signature_block.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    signatures: list[Signature] = []
    for line in signature_block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        raw = b64decode(encoded)
        if not name or len(raw) < 5:
            raise NoteError("a signature line names its key and carries at least a key id")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return Note(body, tuple(signatures))


def sign_note(body: str, signer: Signer) -> Signature:
    if signer.key_type != ED25519:
        raise NoteError("notes are signed with an Ed25519 key")
    return Signature(signer.name, signer.verifier.id, signer.private.sign(body.encode()))


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(body: str, signer: Signer, timestamp: int) -> Signature:
    if signer.key_type != COSIGNATURE_V1:
        raise NoteError("cosignatures are made with a cosignature/v1 key")
    raw = struct.pack(">Q", timestamp) + signer.private.sign(cosignature_message(body, timestamp))
    return Signature(signer.name, signer.verifier.id, raw)


def find_signature(note: Note, verifier: Verifier) -> Signature | None:
    for signature in note.signatures:
        if signature.name == verifier.name and signature.key_id == verifier.id:
            return signature
    return None


def verify_signature(body: str, signature: Signature, verifier: Verifier) -> int | None:
    """Check one signature line; return the cosignature's time (None for a log signature)."""
    if signature.name != verifier.name or signature.key_id != verifier.id:
        raise NoteError(f"the signature is not by {verifier.name}")
    try:
        if verifier.key_type == ED25519:
            if len(signature.raw) != 64:
                raise NoteError("an Ed25519 signature is 64 bytes")
            verifier._key().verify(signature.raw, body.encode())
            return None
        if len(signature.raw) != 72:
            raise NoteError("a cosignature is a time and a 64-byte signature")
        (timestamp,) = struct.unpack(">Q", signature.raw[:8])
        verifier._key().verify(signature.raw[8:], cosignature_message(body, timestamp))
        return int(timestamp)
    except InvalidSignature:
        raise NoteError(f"the signature by {verifier.name} does not verify") from None


def open_checkpoint(text: str, log: Verifier) -> tuple[Checkpoint, Note]:
    """Parse a checkpoint note and check the log's own signature; cosignatures are left to the caller."""
    note = parse_note(text)
    checkpoint = parse_checkpoint_body(note.body)
    if checkpoint.origin != log.name:
        raise NoteError(f"the checkpoint's origin {checkpoint.origin!r} is not the log's {log.name!r}")
    signature = find_signature(note, log)
    if signature is None:
        raise NoteError("the checkpoint is not signed by the log's key")
    verify_signature(note.body, signature, log)
    return checkpoint, note
