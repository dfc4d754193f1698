"""Compare the members' petitions for an agenda item with the record: text, status, signatures, backers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from councils.record.state_checks import check_signatures
from councils.record.verification import RecordIndex, state_check

EVENTS = (
    "agenda.petition_started",
    "agenda.petition_signed",
    "agenda.petition_backed",
    "agenda.item_forced",
    "agenda.petition_expired",
)


def _recorded(record: RecordIndex) -> dict[str, dict[str, Any]]:
    petitions: dict[str, dict[str, Any]] = {}
    for entry in record.events(*EVENTS):
        p = entry.payload
        uuid = str(p.get("petition"))
        if entry.event == "agenda.petition_started":
            petitions[uuid] = {
                "council": entry.council,
                "started_by": entry.actor,
                "title": p.get("title"),
                "text": p.get("text"),
                "threshold": p.get("threshold"),
                "councils_threshold": p.get("councils_threshold"),
                "status": "open",
                "signers": set(),
                "backers": set(),
            }
            continue
        said = petitions.get(uuid)
        if said is None:
            # Its start is missing from the log, which the log's own check reports;
            # a report back forced by the rules names no petition.
            continue
        if entry.event == "agenda.petition_signed":
            said["signers"].add(entry.actor)
        elif entry.event == "agenda.petition_backed":
            said["backers"].add(p.get("support"))
        elif entry.event == "agenda.item_forced":
            said["status"] = "forced"
        else:
            said["status"] = "expired"
    return petitions


@state_check("petitions")
def check_petitions(record: RecordIndex) -> Iterator[str]:
    from councils.petitions.models import AgendaPetition, AgendaSignature, CouncilSupport

    petitions = _recorded(record)
    signed: dict[str, set[str]] = defaultdict(set)
    for petition_uuid, user_uuid in AgendaSignature.objects.values_list("petition__uuid", "user__uuid"):
        signed[str(petition_uuid)].add(str(user_uuid))
    backed: dict[str, set[str]] = defaultdict(set)
    for petition_uuid, support_uuid in CouncilSupport.objects.filter(
        status=CouncilSupport.Status.ADOPTED
    ).values_list("petition__uuid", "uuid"):
        backed[str(petition_uuid)].add(str(support_uuid))
    present = set()
    rows = AgendaPetition.objects.values_list(
        "uuid",
        "council__uuid",
        "started_by__uuid",
        "title",
        "text",
        "threshold",
        "councils_threshold",
        "status",
    )
    for uuid, council, started_by, title, text, threshold, councils_threshold, status in rows.iterator():
        key = str(uuid)
        present.add(key)
        said = petitions.get(key)
        if said is None:
            yield f"Agenda petition {key} ({status}) exists but the record never started it."
            continue
        if said["council"] != str(council):
            yield f"Agenda petition {key} is in another council than the record says."
        if said["started_by"] != str(started_by):
            yield f"Agenda petition {key} was started by someone other than the record says."
        if (title, text) != (said["title"], said["text"]):
            yield f"Agenda petition {key}'s title or text is not what the record holds."
        if (threshold, councils_threshold) != (said["threshold"], said["councils_threshold"]):
            yield f"Agenda petition {key} needs other numbers of signatures or councils than the record says."
        if status != said["status"]:
            yield f"Agenda petition {key} is {status!r} but the record says {said['status']!r}."
        yield from check_signatures(f"Agenda petition {key}", signed[key], said["signers"])
        if len(backed[key]) != len(said["backers"]):
            yield (
                f"Agenda petition {key} is backed by {len(backed[key])} council(s) "
                f"but the record says {len(said['backers'])}."
            )
        elif backed[key] != said["backers"]:
            yield f"Agenda petition {key} is backed by other councils than the record says."
    for key in sorted(petitions.keys() - present):
        yield f"Agenda petition {key} is in the record but has vanished from the database."
