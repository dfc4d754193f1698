"""Compare the petitions to recall a delegate or officer with the record: status and signatures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from councils.record.state_checks import check_signatures
from councils.record.verification import RecordIndex, state_check

EVENTS = (
    "recall.petition_started",
    "recall.signed",
    "recall.vote_called",
    "recall.petition_expired",
    "recall.decided",
    "delegate.unseated",
    "office.vacated",
)


def _recorded(record: RecordIndex) -> dict[str, dict[str, Any]]:
    petitions: dict[str, dict[str, Any]] = {}
    # The petition still collecting signatures against each seat and office: it is moot once that ends.
    open_against: dict[str, str] = {}
    for entry in record.events(*EVENTS):
        p = entry.payload
        if entry.event in ("delegate.unseated", "office.vacated"):
            held = p.get("seat" if entry.event == "delegate.unseated" else "office")
            petition = open_against.pop(str(held), None)
            if petition is not None:
                petitions[petition]["status"] = "moot"
            continue
        uuid = str(p.get("petition"))
        if entry.event == "recall.petition_started":
            petitions[uuid] = {
                "council": entry.council,
                "started_by": entry.actor,
                "seat": p.get("seat"),
                "office": p.get("office"),
                "target": p.get("holder"),
                "threshold": p.get("threshold"),
                "status": "open",
                "signers": set(),
                "vote": None,
            }
            open_against[str(p.get("seat") or p.get("office"))] = uuid
            continue
        said = petitions.get(uuid)
        if said is None:
            # Its start is missing from the log, which the log's own check reports.
            continue
        if entry.event == "recall.signed":
            said["signers"].add(entry.actor)
            continue
        open_against.pop(str(said["seat"] or said["office"]), None)
        if entry.event == "recall.vote_called":
            said.update(status="vote", vote=p.get("vote"))
        elif entry.event == "recall.petition_expired":
            said["status"] = "expired"
        else:
            said["status"] = "recalled" if p.get("recalled") is True else "kept"
    return petitions


@state_check("recalls")
def check_recalls(record: RecordIndex) -> Iterator[str]:
    from councils.mandates.models import RecallPetition, RecallSignature

    petitions = _recorded(record)
    signed: dict[str, set[str]] = defaultdict(set)
    for petition_uuid, user_uuid in RecallSignature.objects.values_list("petition__uuid", "user__uuid"):
        signed[str(petition_uuid)].add(str(user_uuid))
    present = set()
    rows = RecallPetition.objects.values_list(
        "uuid",
        "council__uuid",
        "started_by__uuid",
        "seat__uuid",
        "office__uuid",
        "target__uuid",
        "threshold",
        "status",
        "vote_uuid",
    )
    for uuid, council, started_by, seat, office, target, threshold, status, vote in rows.iterator():
        key = str(uuid)
        present.add(key)
        said = petitions.get(key)
        if said is None:
            yield f"Recall petition {key} ({status}) exists but the record never started it."
            continue
        if said["council"] != str(council):
            yield f"Recall petition {key} is in another council than the record says."
        if said["started_by"] != str(started_by):
            yield f"Recall petition {key} was started by someone other than the record says."
        stored = (str(seat) if seat else None, str(office) if office else None, str(target))
        if stored != (said["seat"], said["office"], said["target"]):
            yield f"Recall petition {key} is against another seat, office or holder than the record says."
        if threshold != said["threshold"]:
            yield (
                f"Recall petition {key} needs {threshold} signature(s) "
                f"but the record says {said['threshold']}."
            )
        if status != said["status"]:
            yield f"Recall petition {key} is {status!r} but the record says {said['status']!r}."
        if (str(vote) if vote else None) != said["vote"]:
            yield f"Recall petition {key} names another recall vote than the record says."
        yield from check_signatures(f"Recall petition {key}", signed[key], said["signers"])
    for key in sorted(petitions.keys() - present):
        yield f"Recall petition {key} is in the record but has vanished from the database."
