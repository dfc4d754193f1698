"""The federation's signing key and log id: made once in var/, kept across restarts."""

from __future__ import annotations

import contextlib
import os
import uuid
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

from councils.core.ledger import note


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def log_id() -> str:
    path = Path(settings.COUNCILS_LOG_ID_PATH)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, uuid.uuid4().hex.encode())
    return path.read_text().strip()


def origin() -> str:
    """The checkpoint origin (and key name): unique per log because it carries the log id."""
    return f"councils.record/{log_id()}"


@cache
def _signer_for(path: str, mtime_ns: int, name: str) -> note.Signer:
    return note.make_signer(name, load_private_key(Path(path)))


def signer() -> note.Signer:
    path = Path(settings.COUNCILS_SIGNING_KEY_PATH)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, private_key_pem(Ed25519PrivateKey.generate()))
    return _signer_for(str(path), path.stat().st_mtime_ns, origin())


def verifier() -> note.Verifier:
    return signer().verifier
