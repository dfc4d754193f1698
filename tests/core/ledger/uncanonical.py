"""One entry encoded other than canonically in each way a server could, shared by every verifier's tests."""

from __future__ import annotations

import codecs

import pytest

from councils.core.ledger.encoding import canonical_bytes

# An entry of a test event, and what each way of encoding it other than canonically is told apart by.
UNCANONICAL_DOCUMENT = {
    "v": 2,
    "nonce": "0123456789abcdef0123456789abcdef",
    "event": "test.happened",
    "at": "2026-03-01T09:00:00.000000Z",
    "actor": None,
    "council": None,
    "payload": {"name": "A", "seats": 3},
}
_CANONICAL = canonical_bytes(UNCANONICAL_DOCUMENT)
UNCANONICAL = [
    pytest.param(
        _CANONICAL.replace(b'"seats":3', b'"seats":3.0'),
        "it holds the number 3.0, written with a fraction or an exponent, where the canonical encoding has "
        "only integers (decimals travel as strings)",
        id="float-for-an-integer",
    ),
    pytest.param(
        _CANONICAL.replace(b',"payload"', b', "payload"'),
        "it has white space outside its strings",
        id="white-space",
    ),
    pytest.param(
        _CANONICAL.replace(b'{"name":"A","seats":3}', b'{"seats":3,"name":"A"}'),
        'its keys are out of order ("seats" before "name")',
        id="reordered-keys",
    ),
    pytest.param(
        _CANONICAL.replace(b'"seats":3', b'"seats":2,"seats":3'),
        'it names the key "seats" twice in one object, and readers may take either value',
        id="duplicate-key",
    ),
    pytest.param(
        _CANONICAL.replace(b'"name":"A"', b'"name":"\\u0041"'),
        'from byte 150 it reads `\\u0041","seats":3},"v":2` where the canonical encoding has '
        '`A","seats":3},"v":2}`',
        id="escaped-ascii",
    ),
    pytest.param(_CANONICAL + b"\n", "it has white space outside its strings", id="trailing-newline"),
    pytest.param(codecs.BOM_UTF8 + _CANONICAL, "it begins with a byte order mark", id="byte-order-mark"),
]


def uncanonical(why: str) -> str:
    """The problem verifiers report, after "Entry N" and the event, for an entry not canonically encoded."""
    return (
        f"is not canonically encoded: {why}; an entry must be exactly the canonical encoding of what it "
        "says, or the same content could have two leaf hashes"
    )


# Canonical, though orjson alone misreads it: integers past 64 bits and text beyond ASCII, as written.
WIDE_DOCUMENT = UNCANONICAL_DOCUMENT | {
    "payload": {"name": "Zoë \u2028\x7f\x1f 😀", "seats": 2**64 + 1, "votes": [-(2**70), 10**400]}
}
