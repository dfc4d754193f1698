"""The only ways into the record. `append_entry` runs inside other apps' actions' transactions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from councils.core.errors import InvalidInputError, NotFoundError
from councils.core.ledger.encoding import NONCE_BYTES, canonical_bytes, entry_document
from councils.core.ledger.merkle import hash_leaf
from councils.record import signing
from councils.record.backends import RecordingWrapperMixin
from councils.record.models import PersonalDatum

if TYPE_CHECKING:
    from councils.accounts.models import User
    from councils.federation.models import Council

COMMITMENT_PREFIX = "sha256:"

# The text of an actor's or a council's UUID: the same few recur from one action to the next, and str()
# of a UUID costs an action's entry three times a lookup here (callgrind).
_uuid_text = lru_cache(maxsize=4096)(str)


def append_entry(
    *,
    event: str,
    actor: User | None,
    council: Council | None,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Append one entry in the caller's transaction; it commits or rolls back with the change.

    The connection sends the entry with the transaction's COMMIT (see
    councils.record.backends), and the entry takes no lock on the log: the
    sequencer gives it its index after commit.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("append_entry must run inside the action's transaction")
    recorder = connection
    if not isinstance(recorder, RecordingWrapperMixin):
        raise ImproperlyConfigured(
            f"the database engine {connection.settings_dict['ENGINE']} cannot keep the record: "
            "use councils.record.backends.postgresql or councils.record.backends.sqlite3"
        )
    document = entry_document(
        event=event,
        at=now,
        actor=_uuid_text(actor.uuid) if actor is not None else None,
        council=_uuid_text(council.uuid) if council is not None else None,
        payload=payload,
        # Every leaf hash is public: the nonce keeps a hidden entry's content from being guessed from it.
        nonce=secrets.token_hex(NONCE_BYTES),
    )
    data = canonical_bytes(document)
    recorder.keep_entry((event, council.id if council is not None else None, now, data, hash_leaf(data)))


def commitment(salt: bytes, value: str) -> str:
    return COMMITMENT_PREFIX + hashlib.sha256(salt + value.encode()).hexdigest()


def commit_personal(*, value: str, now: datetime) -> str:
    """Keep `value` (a name, an address) beside the record and return the commitment to put in a payload.

    The payload carries "sha256:<hex>" of a random salt and the value; the
    value and salt live in a side table that `erase_personal` can empty
    without changing any entry's bytes.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commit_personal must run inside the action's transaction")
    salt = secrets.token_bytes(32)
    digest = commitment(salt, value)
    PersonalDatum.objects.create(commitment=digest, salt=salt, value=value, created_at=now)
    return digest


def reveal_personal(commitment_text: str) -> str | None:
    """The value behind a commitment, or None once it has been erased (or never existed)."""
    datum = PersonalDatum.objects.filter(commitment=commitment_text).first()
    if datum is None:
        return None
    if not hmac.compare_digest(commitment(bytes(datum.salt), datum.value), commitment_text):
        raise ValueError(f"the personal datum behind {commitment_text} does not match its commitment")
    return datum.value


@transaction.atomic
def erase_personal(*, actor: User | None, commitment_text: str, reason: str, now: datetime) -> None:
    """Delete a committed value and its salt; the record keeps only that an erasure happened."""
    if not reason.strip():
        raise InvalidInputError("Say why the data is erased (for example: the member asked).")
    deleted, _ = PersonalDatum.objects.filter(commitment=commitment_text).delete()
    if not deleted:
        raise NotFoundError("No personal data is kept under that commitment.")
    append_entry(
        event="personal.erased",
        actor=actor,
        council=None,
        payload={"commitment": commitment_text, "reason": reason.strip()},
        now=now,
    )


@transaction.atomic
def record_key_rotation(*, actor: User | None, new_vkey: str, endorsement: str, now: datetime) -> None:
    """Record that the federation's signing key changes to `new_vkey`; the old key endorses it."""
    append_entry(
        event="record.key_rotated",
        actor=actor,
        council=None,
        payload={
            "origin": signing.origin(),
            "old_key": signing.verifier().vkey(),
            "new_key": new_vkey,
            "endorsement": endorsement,
        },
        now=now,
    )
