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

An entry is valid only if its bytes are exactly the canonical encoding of the
document they decode to (`read_entry`): a second encoding of the same content
would give the same decision a second leaf hash, and room to hide data.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any

import orjson

ENCODING_VERSION = 2
NONCE_BYTES = 16
_WELL_FORMED_NONCE = re.compile(f"[0-9a-f]{{{2 * NONCE_BYTES}}}").fullmatch
# Built once: every action encodes an entry, and json.dumps would build an encoder each time.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Values written as they are; the check calls itself only for anything else (and formats no path for these).
_SCALARS = frozenset((str, int, bool, type(None)))


def _check(value: Any, path: str) -> None:
    if type(value) in _SCALARS or isinstance(value, (str, int)):
        return
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not canonical; pass a decimal string")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if type(item) not in _SCALARS:
                _check(item, f"{path}[{i}]")
        return
    if type(value) is dict or isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings")
            if type(item) not in _SCALARS:
                _check(item, f"{path}.{key}")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not canonical")


def canonical_bytes(value: Mapping[str, Any]) -> bytes:
    """Encode `value` canonically; refuse anything that could encode two ways.

    orjson writes a document that passed the check byte for byte as the standard library's encoder
    does (`_ENCODER`, the definition), in a tenth of the time; what orjson does not write (an integer
    past 64 bits, nesting past 254 levels) the standard library does.
    """
    _check(value, "$")
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return _ENCODER.encode(value).encode()


def _first_float(container: dict[str, Any] | list[Any]) -> float | None:
    """The first float in a decoded document, depth first; None if it holds none."""
    items: Iterable[Any] = container.values() if type(container) is dict else container
    for item in items:
        kind = type(item)
        if kind is str:  # most of every entry: one comparison, not three
            continue
        if kind is float:
            number: float = item
            return number
        if kind is dict or kind is list:
            found = _first_float(item)
            if found is not None:
                return found
    return None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_WHITE_SPACE = re.compile(r"[ \t\n\r]")


def _shown(data: bytes, start: int) -> str:
    return data[start : start + 24].decode(errors="replace")


def _decode_exactly(data: bytes) -> tuple[dict[str, Any], str | None]:
    """Read an entry with the standard library (every integer whole), and what keeps its bytes from
    being the canonical encoding of what they say; ValueError if they are no JSON object."""
    bom = data.startswith(codecs.BOM_UTF8)
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        document = dict(items)
        if not found:
            keys = [key for key, _ in items]
            if len(document) != len(keys):
                repeated = next(key for key, times in Counter(keys).items() if times > 1)
                found.append(
                    f"it names the key {json.dumps(repeated, ensure_ascii=False)} twice in one object, "
                    "and readers may take either value"
                )
            elif keys != sorted(keys):
                early, late = next((a, b) for a, b in pairwise(keys) if a > b)
                found.append(
                    f"its keys are out of order ({json.dumps(early, ensure_ascii=False)} before "
                    f"{json.dumps(late, ensure_ascii=False)})"
                )
        return document

    text = data[3:].decode() if bom else data.decode()
    try:
        document = json.loads(text, object_pairs_hook=pairs)
        if type(document) is not dict:
            raise ValueError("an entry is a JSON object")
        number = _first_float(document)
        canonical = canonical_bytes(document) if number is None else b""
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
    if bom:
        why = "it begins with a byte order mark"
    elif found:
        why = found[0]
    elif number is not None:
        why = (
            f"it holds the number {json.dumps(number)}, written with a fraction or an exponent, where the "
            "canonical encoding has only integers (decimals travel as strings)"
        )
    else:
        if canonical == data:
            return document, None
        if _WHITE_SPACE.search(_STRING.sub("", text)):
            why = "it has white space outside its strings"
        else:
            at = next(
                (i for i, (a, b) in enumerate(zip(data, canonical, strict=False)) if a != b),
                min(len(data), len(canonical)),
            )
            why = (
                f"from byte {at} it reads `{_shown(data, at)}` where the canonical encoding has "
                f"`{_shown(canonical, at)}`"
            )
    return document, (
        f"is not canonically encoded: {why}; an entry must be exactly the canonical encoding of what "
        "it says, or the same content could have two leaf hashes"
    )


def read_entry(data: bytes) -> tuple[dict[str, Any], str | None]:
    """An entry's JSON document, every integer in it read exactly, and what keeps its bytes from being
    that document's canonical encoding (None if nothing); ValueError if they are no JSON object.

    orjson is fast, but reads an integer past 64 bits as the nearest float (2**64 + 1 as 2**64), and
    an entry's integers must be read as written: the canonical encoding holds integers of any size.
    Its re-encoding is byte for byte the canonical one for any document without floats, and it writes
    a float with a point or an exponent, which no integer has, so a document holding a misread integer
    never encodes back to the entry's bytes; nor does one encoded other than canonically. Such an entry
    (and one orjson cannot read, or that holds a float) is read again by the standard library, which
    keeps every integer whole and finds what is not canonical.
    """
    try:
        document = orjson.loads(data)
        if (
            type(document) is dict
            and orjson.dumps(document, option=orjson.OPT_SORT_KEYS) == data
            and _first_float(document) is None
        ):
            return document, None
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass  # more than orjson reads or writes (nested past 254 levels, say): read again below
    return _decode_exactly(data)


def format_time(moment: datetime) -> str:
    """Render an aware datetime as UTC ISO 8601 (a four-digit year) with microseconds and a Z."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("record times must be timezone-aware")
    if not offset:
        # Already UTC, as every action's `now` is: the same text, "+00:00" written as "Z", for less work.
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
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
