"""Compare the constitution versions the record's decisions name with the versions the record adopted.

Every decision names the version it applied (`constitution` or
`constitution_version` in its payload); 0, or null in older entries, names the
shipped defaults, which apply until a federation adopts its first version. A
decision naming a version its federation had not adopted by then misstates the
rules it was taken under. An amendment names the version it replaces by the
hash that version was adopted with, so that anyone can check it replaced
exactly the text adopted.

Each version adopted and each amendment proposed is also compared with its
rows: a version's text must still hash to the hash the record adopted it with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from councils.core.ledger.encoding import format_time
from councils.core.rules.constitution import content_hash
from councils.record.verification import (
    Recorded,
    RecordIndex,
    differences,
    each_row,
    matched,
    named,
    state_check,
    time_differs,
)

VERSION_KEYS = ("constitution", "constitution_version")
# Entries that adopt the version they name.
ADOPTING = ("constitution.adopted", "constitution.amended")
NONE_ADOPTED = "none, so the defaults (version 0) applied"


def _where(entry: Recorded) -> str:
    return f"Entry {entry.index}" if entry.index is not None else "A pending entry"


def _by_federation(record: RecordIndex, *events: str) -> Iterator[tuple[str, Recorded]]:
    """The record's entries (or those of `events`), in log order, with the federation each was written in."""
    from councils.federation.models import Council

    federation_of = {str(c): str(f) for c, f in Council.objects.values_list("uuid", "federation__uuid")}
    for entry in record.events(*events) if events else record.entries:
        federation = federation_of.get(entry.council or "")
        if entry.event == "constitution.adopted" and isinstance(entry.payload.get("federation"), str):
            federation = entry.payload["federation"]
        if federation is not None:
            yield federation, entry


@state_check("constitution")
def check_constitution_versions(record: RecordIndex) -> Iterator[str]:
    adopted: dict[str, int] = {}
    for federation, entry in _by_federation(record):
        payload = entry.payload
        if entry.event in ADOPTING:
            version = payload.get("constitution")
            if type(version) is int:
                adopted[federation] = max(adopted.get(federation, 0), version)
            continue
        latest = adopted.get(federation, 0)
        for key in VERSION_KEYS:
            named = payload.get(key)
            if type(named) is int and named > latest:
                had = f"only up to version {latest}" if latest else NONE_ADOPTED
                yield (
                    f"{_where(entry)} ({entry.event}) says it applied constitution version {named}, "
                    f"but its federation had adopted {had}."
                )


# The hash an amendment names for the version it replaces, and the version's key in the payload.
REPLACED_HASH = {
    "constitution.amendment_proposed": ("base_hash", "constitution"),
    "constitution.amended": ("old_hash", "previous"),
}
# The hash a version is adopted with.
ADOPTED_HASH = {"constitution.adopted": "hash", "constitution.amended": "new_hash"}


@state_check("constitution_hashes")
def check_replaced_versions(record: RecordIndex) -> Iterator[str]:
    """Version 0, the shipped defaults, is not checked: it is not recorded, and new settings change it."""
    hashes: dict[str, dict[int, str]] = {}
    for federation, entry in _by_federation(record):
        payload = entry.payload
        if entry.event in REPLACED_HASH:
            hash_key, version_key = REPLACED_HASH[entry.event]
            version, named = payload.get(version_key), payload.get(hash_key)
            recorded = hashes.get(federation, {}).get(version) if type(version) is int else None
            if recorded is not None and named != recorded:
                yield (
                    f"{_where(entry)} ({entry.event}) names constitution version {version} by the hash "
                    f"{named}, but its federation adopted that version with the hash {recorded}."
                )
        if entry.event in ADOPTED_HASH:
            version, recorded = payload.get("constitution"), payload.get(ADOPTED_HASH[entry.event])
            if type(version) is int and isinstance(recorded, str):
                hashes.setdefault(federation, {})[version] = recorded


@state_check("constitution_versions")
def check_versions(record: RecordIndex) -> Iterator[str]:
    from councils.constitution.models import ConstitutionVersion

    adopted: dict[tuple[str, Any], Recorded] = {}
    for federation_uuid, entry in _by_federation(record, *ADOPTING):
        adopted[(federation_uuid, entry.payload.get("constitution"))] = entry
    present = set()
    rows = ConstitutionVersion.objects.values_list(
        "federation__uuid", "version", "document", "content_hash", "adopted_at", "adopted_by_motion"
    )
    for federation, version, document, digest, adopted_at, motion in each_row(rows):
        key = (str(federation), version)
        present.add(key)
        what = f"Constitution version {version} of federation {federation}"
        adoption = adopted.get(key)
        if adoption is None:
            yield f"{what} exists but the record never adopted it."
            continue
        said = adoption.payload.get(ADOPTED_HASH[adoption.event])
        if digest != said:
            yield f"{what} is named by the hash {digest} but the record adopted it with {said}."
        elif content_hash(document) != digest:
            yield f"{what}'s text is not the text the record adopted (its hash differs)."
        if named(motion) != adoption.payload.get("motion"):
            yield f"{what} was adopted by another motion than the record says."
        yield from time_differs(f"{what} was adopted", adopted_at, adoption.at)
    for gone, version in sorted(adopted.keys() - present, key=str):
        yield f"Constitution version {version} of federation {gone} is in the record but has vanished."


# How a vote decides an amendment: the status each entry gives it.
DECIDED = {
    "constitution.amended": "adopted",
    "constitution.amendment_rejected": "rejected",
    "constitution.amendment_refused": "refused",
}


@state_check("amendments")
def check_amendments(record: RecordIndex) -> Iterator[str]:
    from councils.constitution.models import Amendment

    recorded: dict[str, dict[str, Any]] = {}
    for entry in record.events("constitution.amendment_proposed", *DECIDED):
        p = entry.payload
        key = str(p.get("amendment"))
        if entry.event == "constitution.amendment_proposed":
            recorded[key] = {
                "council": entry.council,
                "proposed by": entry.actor,
                "proposed_at": entry.at,
                "motion": p.get("motion"),
                "base version": p.get("constitution"),
                "hash": p.get("proposed_hash"),
                "status": "proposed",
                "decided_at": None,
                "refusal": "",
            }
        elif key in recorded and recorded[key]["status"] == "proposed":
            # The first decision stands: a vote decides an amendment once.
            recorded[key].update(status=DECIDED[entry.event], decided_at=entry.at)
            if entry.event == "constitution.amendment_refused":
                recorded[key]["refusal"] = p.get("reason")
    rows = each_row(
        Amendment.objects.values_list(
            "uuid",
            "council__uuid",
            "proposed_by__uuid",
            "proposed_at",
            "motion_uuid",
            "base_version",
            "document",
            "content_hash",
            "status",
            "decided_at",
            "refusal",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, council, by, proposed_at, motion, base, document, digest, status, decided_at, refusal = row
        what = f"Amendment {key}"
        stored = {
            "council": str(council),
            "proposed by": named(by),
            "motion": named(motion),
            "base version": base,
            "hash": digest,
            "status": status,
            "refusal": refusal,
        }
        yield from differences(what, stored, said)
        if digest == said["hash"] and content_hash(document) != digest:
            yield f"{what}'s text is not the text the record holds (its hash differs)."
        yield from time_differs(f"{what} was proposed", proposed_at, said["proposed_at"])
        if said["decided_at"] is not None:
            yield from time_differs(f"{what} was decided", decided_at, said["decided_at"])
        elif decided_at is not None:
            yield f"{what} was decided at {format_time(decided_at)}, but the record never decided it."

    yield from matched(
        rows, recorded, compare, "Amendment", "received it", shown=lambda row: f"({row.status})"
    )
