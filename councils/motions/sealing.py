"""Per-vote keys kept in files outside the database, and the sealing of pending secret ballots.

A dump of the database alone cannot open a pending ballot. The key file is
deleted once the vote has closed, so later copies of the disk cannot either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


def _key_path(vote_uuid: str) -> Path:
    return Path(settings.COUNCILS_BALLOT_KEY_DIR) / f"{vote_uuid}.key"


def create_key(vote_uuid: str) -> None:
    """Make the vote's key file, readable by the server's user only."""
    directory = Path(settings.COUNCILS_BALLOT_KEY_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _key_path(vote_uuid)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(AESGCM.generate_key(bit_length=256))
        handle.flush()
        os.fsync(handle.fileno())


def _load_key(vote_uuid: str) -> bytes:
    try:
        return _key_path(vote_uuid).read_bytes()
    except FileNotFoundError:
        raise RuntimeError(
            f"the ballot key of vote {vote_uuid} is missing from COUNCILS_BALLOT_KEY_DIR"
        ) from None


def delete_key(vote_uuid: str) -> None:
    _key_path(vote_uuid).unlink(missing_ok=True)


def seal(vote_uuid: str, *, choice: str, receipt: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps({"choice": choice, "receipt": receipt}).encode()
    return nonce + AESGCM(_load_key(vote_uuid)).encrypt(nonce, plain, vote_uuid.encode())


def unseal(vote_uuid: str, sealed: bytes) -> tuple[str, str]:
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    plain = json.loads(AESGCM(_load_key(vote_uuid)).decrypt(nonce, body, vote_uuid.encode()))
    return str(plain["choice"]), str(plain["receipt"])


def make_receipt(vote_uuid: str, voter_uuid: str, idempotency_key: str | None) -> str:
    """A random receipt; with an Idempotency-Key, one a retry can recompute but the database cannot.

    The voter is in the MAC: two voters who send the same key (a client that
    derives it from the vote) must not share a receipt, or either would learn
    the other's choice from the published ballot set.
    """
    if not idempotency_key:
        return secrets.token_hex(8)
    message = f"receipt:{voter_uuid}:{idempotency_key}".encode()
    return hmac.new(_load_key(vote_uuid), message, hashlib.sha256).hexdigest()[:16]


def hash_idempotency_key(vote_uuid: str, idempotency_key: str | None) -> str:
    if not idempotency_key:
        return ""
    return hashlib.sha256(f"{vote_uuid}:{idempotency_key}".encode()).hexdigest()
