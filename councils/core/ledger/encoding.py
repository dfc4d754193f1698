"""Canonical entry encoding, version 2.

An entry's bytes are the UTF-8 of a JSON object with keys sorted, no
insignificant white space, and only strings, integers, booleans, null, lists
and objects as values (no floats: decimals travel as strings). The same
document always gives the same bytes, so anyone can recompute a leaf hash.

Version 2 adds a random `nonce` (128 bits, 32 lower-case hexadecimal
digits) to every entry. Every leaf hash is public, also of entries only some
may read; without the nonce, someone who knows the UUIDs involved could
hash every plausible content of a hidden entry (a named vote's choice, its
time to within a second) until one matches. Version 1 entries, written
before, have no nonce and stay valid.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

ENCODING_VERSION = 2
NONCE_BYTES = 16
_WELL_FORMED_NONCE = re.compile(f"[0-9a-f]{{{2 * NONCE_BYTES}}}").fullmatch
# Built once: every action encodes an entry, and json.dumps would build an encoder each time.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not canonical; pass a decimal string")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            # Strings are most of every payload: skip the call (and the path it would format).
            if type(item) is not str:
                _check(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings")
            if type(item) is not str:
                _check(item, f"{path}.{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not canonical")


def canonical_bytes(value: Mapping[str, Any]) -> bytes:
    """Encode `value` canonically; refuse anything that could encode two ways."""
    _check(value, "$")
    return _ENCODER.encode(value).encode()


def format_time(moment: datetime) -> str:
    """Render an aware datetime as UTC ISO 8601 (a four-digit year) with microseconds and a Z."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("record times must be timezone-aware")
    return (moment - offset).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entry_document(
    *,
    event: str,
    at: datetime,
    actor: str | None,
    council: str | None,
    payload: Mapping[str, Any],
    nonce: str,
) -> dict[str, Any]:
    """Build the versioned document whose canonical bytes are the entry.

    `nonce` is `secrets.token_hex(NONCE_BYTES)`, drawn afresh for every entry.
    """
    return {
        "v": ENCODING_VERSION,
        "nonce": nonce,
        "event": event,
        "at": format_time(at),
        "actor": actor,
        "council": council,
        "payload": dict(payload),
    }


def version_problem(document: Mapping[str, Any]) -> str | None:
    """What is wrong with a decoded entry's encoding version and nonce, in plain language; None if nothing."""
    version = document.get("v")
    if version == 2 and type(version) is int:
        nonce = document.get("nonce")
        if type(nonce) is str and _WELL_FORMED_NONCE(nonce) is not None:
            return None
        return (
            f"is in encoding version 2 but has no well-formed nonce ({2 * NONCE_BYTES} lower-case "
            "hexadecimal digits), so anyone could guess its content from its public leaf hash"
        )
    if version == 1 and type(version) is int:
        return None
    if version is None:
        return "states no encoding version"
    return (
        f"is in an encoding version this verifier does not know ({json.dumps(version)}; "
        "it reads versions 1 and 2)"
    )


class EncodingCheck:
    """Check readable entries in log order: each one's version and nonce, and no return to unsalted ones.

    A version 1 entry after a salted one means the server went back to entries
    whose hidden content anyone could guess from their public leaf hashes.
    """

    def __init__(self) -> None:
        self.salted = False
        self.salted_from: int | None = None  # the first salted entry's index, if it has one yet

    def problem(self, index: int | None, document: Mapping[str, Any]) -> str | None:
        wrong = version_problem(document)
        if wrong is not None:
            return wrong
        if document["v"] == ENCODING_VERSION:
            if not self.salted:
                self.salted, self.salted_from = True, index
        elif self.salted:
            after = (
                "a salted entry"
                if self.salted_from is None
                else f"entry {self.salted_from}, which was salted"
            )
            return (
                f"is in encoding version 1, without a nonce, after {after}: the server went back to "
                "entries whose content can be guessed from their public leaf hash"
            )
        return None


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()
