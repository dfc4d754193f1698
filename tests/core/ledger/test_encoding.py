"""Canonical entry encoding: one payload, one byte string; anything that could encode two ways is refused."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum, StrEnum

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from councils.core.ledger.encoding import (
    ENCODING_VERSION,
    canonical_bytes,
    entry_document,
    format_time,
    read_entry,
    version_problem,
)
from councils.core.ledger.merkle import hash_leaf
from tests.core.ledger.uncanonical import UNCANONICAL, WIDE_DOCUMENT, uncanonical


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


@given(
    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
def test_times_keep_the_form_every_entry_so_far_was_written_in(moment: datetime, minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    as_written = (aware - timedelta(minutes=minutes)).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert format_time(aware) == as_written


NONCE = "0123456789abcdef0123456789abcdef"
# Golden entries: these bytes and leaf hashes must never change, or every log written so far breaks.
VERSION_1 = (
    b'{"actor":null,"at":"2026-03-01T09:00:00.000000Z","council":"c-1","event":"vote.closed",'
    b'"payload":{"vote":"v-1"},"v":1}'
)
VERSION_1_LEAF = "04950e115255743874b0977f1bb59b1cd43cc78d8e19ee870aa0894da1870d87"
VERSION_2 = (
    b'{"actor":null,"at":"2026-03-01T09:00:00.000000Z","council":"c-1","event":"vote.closed",'
    b'"nonce":"0123456789abcdef0123456789abcdef","payload":{"vote":"v-1"},"v":2}'
)
VERSION_2_LEAF = "e0940b71f8f686266f1c37edbbd4aeccc9a0fb6df64cb4c901c9c9a252f8c0d4"


def test_an_entry_is_a_salted_versioned_document_whose_leaf_hash_anyone_can_recompute() -> None:
    document = entry_document(
        event="vote.closed",
        at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        actor=None,
        council="c-1",
        payload={"vote": "v-1"},
        nonce=NONCE,
    )
    entry = canonical_bytes(document)

    assert ENCODING_VERSION == 2
    assert entry == VERSION_2
    assert hash_leaf(entry) == hashlib.sha256(b"\x00" + entry).digest()
    assert hash_leaf(entry).hex() == VERSION_2_LEAF
    assert version_problem(document) is None


def test_version_1_entries_written_before_the_nonce_stay_valid() -> None:
    document = json.loads(VERSION_1)

    assert canonical_bytes(document) == VERSION_1
    assert hash_leaf(VERSION_1).hex() == VERSION_1_LEAF
    assert version_problem(document) is None


def test_the_same_content_salted_twice_hashes_apart() -> None:
    first, second = (json.loads(VERSION_2) | {"nonce": n} for n in (NONCE, NONCE[::-1]))

    assert hash_leaf(canonical_bytes(first)) != hash_leaf(canonical_bytes(second))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"nonce": None}, "is in encoding version 2 but has no well-formed nonce (32 lower-case hexadecimal"),
        ({"nonce": NONCE[:-2]}, "but has no well-formed nonce"),
        ({"nonce": NONCE.upper()}, "but has no well-formed nonce"),
        ({"nonce": NONCE + "\n"}, "but has no well-formed nonce"),
        ({"nonce": 12345}, "but has no well-formed nonce"),
        ({"v": None}, "states no encoding version"),
        ({"v": 3}, "is in an encoding version this verifier does not know (3; it reads versions 1 and 2)"),
        ({"v": "2"}, 'is in an encoding version this verifier does not know ("2";'),
        ({"v": True}, "is in an encoding version this verifier does not know (true;"),
    ],
)
def test_a_malformed_version_or_nonce_is_explained(change: dict[str, object], problem: str) -> None:
    document = {k: v for k, v in (json.loads(VERSION_2) | change).items() if v is not None}

    message = version_problem(document)

    assert message is not None and problem in message


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), JSON_VALUES))
def test_canonical_bytes_read_back_exactly_and_canonical(document: dict[str, object]) -> None:
    assert read_entry(canonical_bytes(document)) == (document, None)


def test_lists_nested_deeper_than_orjson_writes_are_canonical_as_written() -> None:
    document: dict[str, object] = {"n": []}
    for _ in range(300):
        document = {"n": [document]}

    assert read_entry(canonical_bytes(document)) == (document, None)


def test_integers_past_64_bits_and_text_beyond_ascii_are_canonical_as_written() -> None:
    data = canonical_bytes(WIDE_DOCUMENT)

    document, problem = read_entry(data)

    assert problem is None and document == WIDE_DOCUMENT and type(document["payload"]["seats"]) is int


@pytest.mark.parametrize(("data", "why"), UNCANONICAL)
def test_an_entry_encoded_other_than_canonically_is_read_and_explained(data: bytes, why: str) -> None:
    document, problem = read_entry(data)

    assert problem == uncanonical(why)
    assert document == json.loads(data)  # the standard library's reading: the last of two equal keys


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"n":[1,{"m":25E-1}]}', "it holds the number 2.5, written with a fraction or an exponent"),
        (b'{"n":NaN}', "it holds the number NaN, written with a fraction or an exponent"),
        (b'{"n":-0}', "from byte 5 it reads `-0}` where the canonical encoding has `0}`"),
        (b'{"n":"\\u00e9"}', 'from byte 6 it reads `\\u00e9"}` where the canonical encoding has `é"}`'),
        (b'{"n":{"b":1,"b":2},"a":1}', 'it names the key "b" twice in one object'),
    ],
)
def test_every_other_way_of_encoding_an_entry_is_told_apart(data: bytes, why: str) -> None:
    _, problem = read_entry(data)

    assert problem is not None and problem.startswith(f"is not canonically encoded: {why}")


@pytest.mark.parametrize(
    "data",
    [
        b"[1]",
        b"\xff\xfe",
        b'{"n":1} {}',
        b'{"n":',
        b'{"n":"\\ud800"}',
        b"[" * 100_000,
        '{"n":1}'.encode("utf-16"),
        b"\xef\xbb\xbf[1]",
    ],
)
def test_bytes_that_are_no_json_object_are_unreadable(data: bytes) -> None:
    with pytest.raises(ValueError):
        read_entry(data)


def standard_encoding(document: object) -> bytes:
    """The canonical encoding as the standard library writes it: what defines it."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_orjson_writes_every_character_and_orders_keys_as_the_canonical_encoding_does() -> None:
    """What lets `canonical_bytes` write with orjson, and `read_entry` take orjson's encoding of a document
    without floats for the canonical one."""
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    document = {"text": "".join(characters), **{c: i for i, c in enumerate(characters[::97])}}

    assert orjson.dumps(document, option=orjson.OPT_SORT_KEYS) == standard_encoding(document)
    assert canonical_bytes(document) == standard_encoding(document)


@given(st.dictionaries(st.text(), JSON_VALUES))
def test_canonical_bytes_are_the_standard_librarys_encoding(document: dict[str, object]) -> None:
    assert canonical_bytes(document) == standard_encoding(document)


class Choice(StrEnum):
    YES = "yes"


class Seats(IntEnum):
    THREE = 3


class Text(str):
    pass


@pytest.mark.parametrize(
    "document",
    [
        {"choice": Choice.YES, "seats": Seats.THREE, Text("b"): Text("x"), "a": True},
        {"ranking": ("a", ("b", "c")), "counts": OrderedDict([("z", 1), ("y", 2)])},
        {"seats": 2**64, "small": -(2**63) - 1, "n": [2**64 - 1, -(2**63)]},
        {"text": '\x00\x1f\x7f"\\/\u2028\U0001f600'},
    ],
)
def test_subclasses_tuples_and_the_widest_integers_encode_as_the_standard_library_does(
    document: dict[str, object],
) -> None:
    assert canonical_bytes(document) == standard_encoding(document)


def test_text_that_is_no_unicode_is_refused_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        canonical_bytes({"n": "\ud800"})
