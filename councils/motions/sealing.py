"""Per-vote keys kept in files outside the database, and the sealing of pending secret ballots.

A dump of the database alone cannot open a pending ballot. The key file is
deleted once the vote has closed, so later copies of the disk cannot either.

A key file is written inside the transaction that opens the poll, before it commits, and the
file system takes no part in a rollback: a poll whose opening rolled back leaves its key behind,
as does a close whose commit was not followed by the deletion (the process stopped in between).
The rules' sweep (`remove_stale_keys`, run with the terms every few minutes) removes both.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
KEY_SUFFIX = ".key"
# A key file names no poll the database knows until the transaction opening it commits. The sweep
# leaves such a file alone this long after it was written: far longer than any transaction lasts,
# so it never takes the key of a poll whose opening is still under way.
UNCLAIMED_KEY_GRACE = timedelta(hours=1)
# A key no poll of the database claims may still belong to another database (a server pointed at the
# wrong one): past the grace it is set aside under this suffix, never deleted, and put back as soon
# as a poll needs it.
SET_ASIDE_SUFFIX = ".unclaimed"


def _key_path(vote_uuid: str) -> Path:
    return Path(settings.COUNCILS_BALLOT_KEY_DIR) / f"{vote_uuid}{KEY_SUFFIX}"


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


def _set_aside_path(vote_uuid: str) -> Path:
    path = _key_path(vote_uuid)
    return path.with_name(path.name + SET_ASIDE_SUFFIX)


def _load_key(vote_uuid: str) -> bytes:
    path = _key_path(vote_uuid)
    if not path.exists():
        # Set aside while its poll was unknown to the database the sweep read: its poll needs it now.
        with contextlib.suppress(FileNotFoundError):
            os.replace(_set_aside_path(vote_uuid), path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RuntimeError(
            f"the ballot key of vote {vote_uuid} is missing from COUNCILS_BALLOT_KEY_DIR"
        ) from None


def delete_key(vote_uuid: str) -> None:
    _key_path(vote_uuid).unlink(missing_ok=True)


def _written_keys() -> dict[str, datetime]:
    """When each key file was written, by the poll it is for; files not named as keys are left out."""
    directory = Path(settings.COUNCILS_BALLOT_KEY_DIR)
    if not directory.is_dir():
        return {}
    written = {}
    for path in directory.iterdir():
        try:
            poll = str(uuid.UUID(path.name.removesuffix(KEY_SUFFIX)))
        except ValueError:
            continue
        if path.name == f"{poll}{KEY_SUFFIX}" and path.is_file():
            written[poll] = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return written


def remove_stale_keys(
    *, now: datetime, polls: Callable[[Collection[str]], Mapping[str, bool]]
) -> tuple[list[str], list[str]]:
    """Delete the keys of closed polls and set aside those no poll claims; return both lists of polls.

    `polls` tells, of the polls it is given, those whose opening the database holds committed,
    each with whether it is still open. The key of an open poll always stays. The key of a closed
    one is deleted at once: nothing reads it again. Any other key is set aside once
    `UNCLAIMED_KEY_GRACE` has passed since it was written: the transaction that opened its poll
    rolled back, or the database is not the one the poll is in (`SET_ASIDE_SUFFIX`).
    """
    written = _written_keys()
    known = polls(written.keys())
    closed = sorted(poll for poll in written if poll in known and not known[poll])
    unclaimed = sorted(
        poll for poll, at in written.items() if poll not in known and now - at >= UNCLAIMED_KEY_GRACE
    )
    for poll in closed:
        delete_key(poll)
    for poll in unclaimed:
        os.replace(_key_path(poll), _set_aside_path(poll))
    return closed, unclaimed


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
