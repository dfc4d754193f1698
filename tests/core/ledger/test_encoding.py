"""Canonical entry encoding: one payload, one byte string; anything that could encode two ways is refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from councils.core.ledger.encoding import canonical_bytes, entry_document, format_time, leaf_hash


def test_keys_are_sorted_without_white_space() -> None:
    assert canonical_bytes({"b": [1, True, None], "a": {"z": "é", "y": 2}}) == (
        '{"a":{"y":2,"z":"é"},"b":[1,true,null]}'.encode()
    )


def test_a_float_is_refused_with_its_path() -> None:
    with pytest.raises(TypeError, match=r"^\$\.result\.share\[1\]: floats are not canonical; pass a decimal"):
        canonical_bytes({"result": {"share": ["0.5", 0.25]}})


def test_a_non_string_key_is_refused_with_its_path() -> None:
    with pytest.raises(TypeError, match=r"^\$\.counts: object keys must be strings"):
        canonical_bytes({"counts": {1: "3"}})


def test_other_types_are_refused_with_their_name_and_path() -> None:
    with pytest.raises(TypeError, match=r"^\$\.amount: Decimal is not canonical"):
        canonical_bytes({"amount": Decimal("1.50")})


def test_times_are_written_in_utc_and_naive_times_are_refused() -> None:
    east = timezone(timedelta(hours=2))
    assert format_time(datetime(2026, 3, 1, 11, 0, tzinfo=east)) == "2026-03-01T09:00:00.000000Z"
    assert format_time(datetime(2026, 3, 1, 9, 0, 0, 5, tzinfo=UTC)) == "2026-03-01T09:00:00.000005Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 3, 1, 9, 0))


def test_an_entry_is_a_versioned_document_whose_leaf_hash_anyone_can_recompute() -> None:
    document = entry_document(
        event="vote.closed",
        at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        actor=None,
        council="c-1",
        payload={"vote": "v-1"},
    )
    entry = canonical_bytes(document)

    assert entry == (
        b'{"actor":null,"at":"2026-03-01T09:00:00.000000Z","council":"c-1","event":"vote.closed",'
        b'"payload":{"vote":"v-1"},"v":1}'
    )
    assert leaf_hash(entry) == hashlib.sha256(b"\x00" + entry).digest()
