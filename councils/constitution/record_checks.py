"""Compare the constitution versions the record's decisions name with the versions the record adopted.

Every decision names the version it applied (`constitution` or
`constitution_version` in its payload); 0, or null in older entries, names the
shipped defaults, which apply until a federation adopts its first version. A
decision naming a version its federation had not adopted by then misstates the
rules it was taken under.
"""

from __future__ import annotations

from collections.abc import Iterator

from councils.record.verification import RecordIndex, state_check

VERSION_KEYS = ("constitution", "constitution_version")
# Entries that adopt the version they name.
ADOPTING = ("constitution.adopted", "constitution.amended")
NONE_ADOPTED = "none, so the defaults (version 0) applied"


@state_check("constitution")
def check_constitution_versions(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Council

    federation_of = {str(c): str(f) for c, f in Council.objects.values_list("uuid", "federation__uuid")}
    adopted: dict[str, int] = {}
    for entry in record.entries:
        payload = entry.payload
        federation = federation_of.get(entry.council or "")
        if entry.event == "constitution.adopted" and isinstance(payload.get("federation"), str):
            federation = payload["federation"]
        if federation is None:
            continue
        if entry.event in ADOPTING:
            version = payload.get("constitution")
            if type(version) is int:
                adopted[federation] = max(adopted.get(federation, 0), version)
            continue
        latest = adopted.get(federation, 0)
        for key in VERSION_KEYS:
            named = payload.get(key)
            if type(named) is int and named > latest:
                where = f"Entry {entry.index}" if entry.index is not None else "A pending entry"
                had = f"only up to version {latest}" if latest else NONE_ADOPTED
                yield (
                    f"{where} ({entry.event}) says it applied constitution version {named}, "
                    f"but its federation had adopted {had}."
                )
