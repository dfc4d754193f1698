"""Compare the constitution versions the record's decisions name with the versions the record adopted.

Every decision names the version it applied (`constitution` or
`constitution_version` in its payload); 0, or null in older entries, names the
shipped defaults, which apply until a federation adopts its first version. A
decision naming a version its federation had not adopted by then misstates the
rules it was taken under. An amendment names the version it replaces by the
hash that version was adopted with, so that anyone can check it replaced
exactly the text adopted.
"""

from __future__ import annotations

from collections.abc import Iterator

from councils.record.verification import Recorded, RecordIndex, state_check

VERSION_KEYS = ("constitution", "constitution_version")
# Entries that adopt the version they name.
ADOPTING = ("constitution.adopted", "constitution.amended")
NONE_ADOPTED = "none, so the defaults (version 0) applied"


def _where(entry: Recorded) -> str:
    return f"Entry {entry.index}" if entry.index is not None else "A pending entry"


def _by_federation(record: RecordIndex) -> Iterator[tuple[str, Recorded]]:
    """The record's entries, in log order, with the federation each was written in (where it tells)."""
    from councils.federation.models import Council

    federation_of = {str(c): str(f) for c, f in Council.objects.values_list("uuid", "federation__uuid")}
    for entry in record.entries:
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
