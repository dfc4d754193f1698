"""Compare the members' petitions for an agenda item with the record: text, status, signatures, backers.

Also the items forced onto agendas (by a petition or by a report back falling due) and the
proposals to move them, which only an adopted motion of the council applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from councils.core.ledger.encoding import format_time
from councils.record.state_checks import check_petition_start, check_signatures, signed_at
from councils.record.verification import (
    RecordIndex,
    differences,
    each_row,
    matched,
    named,
    state_check,
    time_differs,
    time_differs_or_unrecorded,
)

EVENTS = (
    "agenda.petition_started",
    "agenda.petition_signed",
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
                "signers": {},
                "started": entry,
                "forced_at": None,
            }
            continue
        said = petitions.get(uuid)
        if said is None:
            # Its start is missing from the log, which the log's own check reports;
            # a report back forced by the rules names no petition.
            continue
        if entry.event == "agenda.petition_signed":
            said["signers"][str(entry.actor)] = entry.at
        elif entry.event == "agenda.item_forced":
            said.update(status="forced", forced_at=entry.at)
        else:
            said["status"] = "expired"
    return petitions


@state_check("petitions")
def check_petitions(record: RecordIndex) -> Iterator[str]:
    from councils.petitions.models import AgendaPetition, AgendaSignature

    petitions = _recorded(record)
    signed = signed_at(AgendaSignature.objects.values_list("petition__uuid", "user__uuid", "signed_at"))
    rows = each_row(
        AgendaPetition.objects.values_list(
            "uuid",
            "council__uuid",
            "started_by__uuid",
            "title",
            "text",
            "threshold",
            "councils_threshold",
            "status",
            "eligible_count",
            "started_at",
            "expires_at",
            "forced_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            council,
            started_by,
            title,
            text,
            threshold,
            councils_threshold,
            status,
            eligible_count,
            started_at,
            expires_at,
            forced_at,
        ) = row
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
        what = f"Agenda petition {key}"
        yield from check_petition_start(what, said["started"], started_at, expires_at, eligible_count)
        yield from time_differs_or_unrecorded(f"{what} forced its item", forced_at, said["forced_at"])
        yield from check_signatures(what, signed[key], said["signers"])

    yield from matched(
        rows, petitions, compare, "Agenda petition", "started it", shown=lambda row: f"({row.status})"
    )
    yield from _check_backings(record)


def _check_backings(record: RecordIndex) -> Iterator[str]:
    """Each council's proposal to back a petition to a council above, and how its motion's vote decided it.

    The first vote that closes on its motion decides it: adopted where the record says the petition was
    backed by it (`agenda.petition_backed`), rejected otherwise (a vote without quorum rejects it too).
    """
    from councils.petitions.models import CouncilSupport

    proposed: dict[str, dict[str, Any]] = {}
    by_motion: dict[str, dict[str, Any]] = {}
    for entry in record.events("agenda.support_proposed", "vote.closed", "agenda.petition_backed"):
        p = entry.payload
        if entry.event == "agenda.support_proposed":
            proposed[str(p.get("support"))] = by_motion[str(p.get("motion"))] = {
                "petition": p.get("petition"),
                "council": entry.council,
                "motion": p.get("motion"),
                "status": "pending",
                "proposed_at": entry.at,
                "decided_at": None,
            }
            continue
        if entry.event == "agenda.petition_backed":
            if str(p.get("support")) in proposed:
                proposed[str(p.get("support"))]["status"] = "adopted"
            continue
        said = by_motion.get(str(p.get("motion")))
        if said is not None and said["decided_at"] is None:
            said.update(status="rejected", decided_at=entry.at)
    rows = each_row(
        CouncilSupport.objects.values_list(
            "uuid",
            "petition__uuid",
            "council__uuid",
            "motion_uuid",
            "status",
            "proposed_at",
            "decided_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, petition, council, motion, status, proposed_at, decided_at = row
        what = f"Council backing {key}"
        stored = {
            "petition": str(petition),
            "council": str(council),
            "motion": named(motion),
            "status": status,
        }
        yield from differences(what, stored, said)
        yield from time_differs(f"{what} was proposed", proposed_at, said["proposed_at"])
        yield from time_differs_or_unrecorded(f"{what} was decided", decided_at, said["decided_at"])

    yield from matched(
        rows,
        proposed,
        compare,
        "Council backing",
        "proposed it",
        shown=lambda row: f"of agenda petition {row.petition__uuid}",
    )


CHANGED = {"remove": "removed", "postpone": "postponed", "merge": "merged"}


def _recorded_items(record: RecordIndex, petitions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each forced agenda item as the record leaves it: what forced it, where it stands, when it moved."""
    items: dict[str, dict[str, Any]] = {}
    placed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in record.events(
        "agenda.item_forced",
        "agenda.item_placed",
        "agenda.item_carried_over",
        "agenda.item_changed",
        "meeting.closed",
    ):
        p = entry.payload
        if entry.event == "meeting.closed":
            # Closing a meeting deals with the forced items still placed on it (those not carried over).
            for item in placed.pop(str(p.get("meeting")), []):
                if item["status"] == "placed":
                    item.update(status="dealt_with", changed_at=entry.at)
            continue
        key = str(p.get("item"))
        if entry.event == "agenda.item_forced":
            petition = petitions.get(str(p.get("petition")), {})
            items[key] = {
                "council": entry.council,
                "petition": p.get("petition"),
                "report": p.get("report"),
                "title": petition.get("title"),
                "text": petition.get("text"),
                "forced_at": entry.at,
                "status": "pending",
                "meeting": None,
                "changed_at": None,
                "changed by motion": None,
            }
            continue
        if key not in items:
            continue
        item = items[key]
        if entry.event == "agenda.item_placed":
            item.update(status="placed", meeting=p.get("meeting"))
            placed[str(p.get("meeting"))].append(item)
        elif entry.event == "agenda.item_carried_over":
            item.update(status="pending", meeting=None, changed_at=entry.at)
        else:
            item.update(
                status=CHANGED.get(str(p.get("change")), p.get("change")),
                changed_at=entry.at,
                **{"changed by motion": p.get("motion")},
            )
            if p.get("change") == "postpone":
                item["meeting"] = None
    return items


@state_check("forced_items")
def check_forced_items(record: RecordIndex) -> Iterator[str]:
    from councils.petitions.models import ForcedAgendaItem

    recorded = _recorded_items(record, _recorded(record))
    rows = each_row(
        ForcedAgendaItem.objects.values_list(
            "uuid",
            "council__uuid",
            "petition__uuid",
            "report__uuid",
            "title",
            "text",
            "forced_at",
            "status",
            "meeting_uuid",
            "changed_at",
            "changed_by_motion_uuid",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, council, petition, report, title, text, forced_at, status, meeting, changed_at, motion = row
        what = f"Forced agenda item {key}"
        stored = {
            "council": str(council),
            "petition": named(petition),
            "report": named(report),
            "status": status,
            "meeting": named(meeting),
            "changed by motion": named(motion),
        }
        yield from differences(what, stored, said)
        if said["petition"] is not None and (title, text) != (said["title"], said["text"]):
            yield f"{what}'s title or text is not its petition's in the record."
        yield from time_differs(f"{what} was forced", forced_at, said["forced_at"])
        if said["changed_at"] is not None:
            yield from time_differs(f"{what} last moved", changed_at, said["changed_at"])
        elif changed_at is not None:
            yield f"{what} last moved at {format_time(changed_at)}, but the record never moved it."

    yield from matched(
        rows, recorded, compare, "Forced agenda item", "forced it", shown=lambda row: f"({row.title!r})"
    )
    yield from _check_change_proposals(record)


def _check_change_proposals(record: RecordIndex) -> Iterator[str]:
    """Proposals to move a forced item, by the motion each tabled (their entry names no other key)."""
    from councils.petitions.models import ItemChangeProposal

    proposed = {str(e.payload.get("motion")): e for e in record.events("agenda.item_change_proposed")}
    present = set()
    rows = ItemChangeProposal.objects.values_list(
        "uuid", "motion_uuid", "item__uuid", "change", "merge_into_uuid", "proposed_by__uuid", "proposed_at"
    )
    for uuid, motion, item, change, merge_into, proposed_by, proposed_at in each_row(rows):
        entry = proposed.get(str(motion))
        what = f"Proposal {uuid} to {change} a forced agenda item"
        if entry is None:
            yield f"{what} exists but the record never received it."
            continue
        present.add(str(motion))
        p = entry.payload
        stored = {"item": str(item), "change": change, "merge into": named(merge_into)}
        said = {"item": p.get("item"), "change": p.get("change"), "merge into": p.get("merge_into")}
        yield from differences(what, stored, said)
        if entry.actor != str(proposed_by):
            yield f"{what} was made by someone other than the record says."
        yield from time_differs(f"{what} was made", proposed_at, entry.at)
    for key in sorted(proposed.keys() - present):
        yield f"The proposal to change a forced item by motion {key} has vanished from the database."
