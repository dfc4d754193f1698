"""Compare meetings, their agendas, their speakers' lists and their approved minutes with the record.

A meeting is scheduled, opened and closed by entries; each agenda item is added,
reordered, taken and withdrawn by entries; each person present by an entry of
their own; and approved minutes are named by the hash of their document.
Minutes in format version 3 state each vote's tally and each count's result,
which must be the record's (`councils.core.ledger.minutes`).

Each place on a speakers' list is asked for (`meeting.speaker_joined`), left
or taken away (`meeting.speaker_withdrawn`), and given the floor and ended
(`meeting.floor_given`) by entries; taking the next item or closing the
meeting ends the turn of whoever has the floor, closing it takes those still
waiting off the list, and an item taken off the agenda takes its list with it.
Every place is compared with what its entries make of it: its item, member,
status and times. The list was recorded only from a certain version on: a
place with no entry, asked for before the record's first speakers' list entry
on a meeting the record opened before then (while it holds none, any place on
a meeting it opened), may have been made before then and cannot be compared;
any other place without an entry is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from councils.core.ledger.minutes import minutes_hash, minutes_problems
from councils.record.verification import (
    RecordIndex,
    differences,
    each_row,
    matched,
    moment,
    named,
    same_moment,
    state_check,
    time_differs,
    time_differs_or_unrecorded,
)

MEETING_STATUS = {"meeting.scheduled": "scheduled", "meeting.opened": "open", "meeting.closed": "closed"}
MEETING_TIMES = {
    "meeting.opened": "opened",
    "meeting.closed": "closed",
    "meeting.minutes_approved": "had its minutes approved",
}


@state_check("meetings")
def check_meetings(record: RecordIndex) -> Iterator[str]:
    from councils.meetings.models import Meeting

    scheduled: dict[str, dict[str, Any]] = {}
    status: dict[str, str] = {}
    # When each meeting opened, closed and had its minutes approved, by its entries' times.
    times: dict[str, dict[str, str | None]] = defaultdict(dict)
    minutes: dict[str, Any] = {}
    for entry in record.events(*MEETING_STATUS, "meeting.minutes_approved"):
        p = entry.payload
        key = str(p.get("meeting"))
        if entry.event == "meeting.scheduled":
            scheduled[key] = {"council": entry.council, **p, "scheduled by": entry.actor, "at": entry.at}
        if entry.event in MEETING_STATUS:
            status[key] = MEETING_STATUS[entry.event]
        else:
            minutes[key] = p.get("minutes_hash")
        if entry.event in MEETING_TIMES:
            times[key][MEETING_TIMES[entry.event]] = entry.at
    # What version 3 minutes state of votes and counts is compared with these entries.
    counts = [
        (e.event, e.at or "", e.payload)
        for e in record.events("vote.closed", "election.closed", "election.recounted")
    ]
    attended: dict[str, list[str]] = defaultdict(list)
    for e in record.events("meeting.attended"):
        attended[str(e.payload.get("meeting"))].append(e.at or "")
    rows = each_row(
        Meeting.objects.values_list(
            "uuid",
            "council__uuid",
            "title",
            "starts_at",
            "place",
            "online_url",
            "status",
            "minutes",
            "minutes_hash",
            "scheduled_by__uuid",
            "scheduled_at",
            "opened_at",
            "closed_at",
            "minutes_approved_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            council,
            title,
            starts_at,
            place,
            online_url,
            state,
            document,
            digest,
            scheduled_by,
            scheduled_at,
            opened_at,
            closed_at,
            approved_at,
        ) = row
        if said["council"] != str(council):
            yield f"Meeting {key} is a meeting of another council than the record says."
        if not same_moment(starts_at, moment(said.get("starts_at"))):
            yield (
                f"Meeting {key} starts at {starts_at:%Y-%m-%d %H:%M} UTC "
                f"but the record called it for {said.get('starts_at')}."
            )
        stored = {"title": title, "place": place, "status": state, "scheduled by": named(scheduled_by)}
        yield from differences(f"Meeting {key}", stored, {**said, "status": status[key]})
        yield from time_differs(f"Meeting {key} was scheduled", scheduled_at, said["at"])
        if "online" in said and said["online"] != bool(online_url):
            yield f"Meeting {key} {'has' if online_url else 'has no'} online link, unlike the record."
        for what, when in zip(MEETING_TIMES.values(), (opened_at, closed_at, approved_at), strict=True):
            yield from time_differs_or_unrecorded(f"Meeting {key} {what}", when, times[key].get(what))
        if key not in minutes:
            if document is not None or digest:
                yield f"Meeting {key} has approved minutes but the record never approved any."
        elif digest != minutes[key]:
            yield (
                f"Meeting {key}'s minutes are named {digest or 'by no hash'} "
                f"but the record approved {minutes[key]}."
            )
        elif document is None or minutes_hash(document) != digest:
            yield f"Meeting {key}'s minutes are not the minutes the record approved (their hash differs)."
        else:
            yield from minutes_problems(
                document, name=f"Meeting {key}'s minutes", entries=counts, attended=attended[key]
            )

    yield from matched(
        rows, scheduled, compare, "Meeting", "scheduled it", shown=lambda row: f"({row.title!r})"
    )
    yield from _check_attendance(record)


def _check_attendance(record: RecordIndex) -> Iterator[str]:
    from councils.meetings.models import Attendance

    recorded = {
        (str(e.payload.get("meeting")), str(e.payload.get("member"))): e.at
        for e in record.events("meeting.attended")
    }
    stored = {
        (str(meeting), str(member)): present_at
        for meeting, member, present_at in each_row(
            Attendance.objects.values_list("meeting__uuid", "user__uuid", "present_at")
        )
    }
    for meeting, member in sorted(stored.keys() - recorded.keys()):
        yield f"Meeting {meeting} lists {member} as present but the record never marked them present."
    for key in sorted(stored.keys() & recorded.keys()):
        yield from time_differs(f"Meeting {key[0]}: {key[1]} was marked present", stored[key], recorded[key])
    for meeting, member in sorted(recorded.keys() - stored.keys()):
        yield f"Meeting {meeting}: {member}'s recorded presence has vanished from the database."


def _recorded_items(record: RecordIndex) -> dict[str, dict[str, Any]]:
    """Each agenda item as the record leaves it: where it stands, what it is, and whether it was taken."""
    items: dict[str, dict[str, Any]] = {}
    agendas: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in record.events(
        "meeting.item_added",
        "meeting.agenda_reordered",
        "meeting.item_taken",
        "meeting.item_withdrawn",
        "meeting.closed",
    ):
        p = entry.payload
        meeting = str(p.get("meeting"))
        if entry.event == "meeting.item_added":
            item = {
                "meeting": meeting,
                "kind": p.get("kind"),
                "title": p.get("title"),
                "position": p.get("position"),
                "motion": p.get("motion"),
                "election": p.get("election"),
                "forced item": p.get("forced_item"),
                "report": p.get("report"),
                "status": "pending",
                "merged into": None,
                "taken_at": None,
                "done_at": None,
            }
            items[str(p.get("item"))] = item
            agendas[meeting].append(item)
        elif entry.event == "meeting.agenda_reordered":
            for position, uuid in enumerate(p.get("order") or [], start=1):
                if str(uuid) in items:
                    items[str(uuid)]["position"] = position
        elif entry.event == "meeting.item_withdrawn" and str(p.get("item")) in items:
            items[str(p.get("item"))].update(
                {"status": "withdrawn", "merged into": p.get("merged_into"), "done_at": entry.at}
            )
        elif entry.event in ("meeting.item_taken", "meeting.closed"):
            # Taking the next item, or closing, finishes the item under discussion.
            for item in agendas[meeting]:
                if item["status"] == "current":
                    item.update(status="done", done_at=entry.at)
            if str(p.get("item")) in items:
                items[str(p.get("item"))].update(status="current", taken_at=entry.at)
    return items


@state_check("agendas")
def check_agendas(record: RecordIndex) -> Iterator[str]:
    from councils.meetings.models import AgendaItem

    recorded = _recorded_items(record)
    rows = each_row(
        AgendaItem.objects.values_list(
            "uuid",
            "meeting__uuid",
            "kind",
            "title",
            "position",
            "motion__uuid",
            "election__uuid",
            "forced_item_uuid",
            "report__uuid",
            "status",
            "merged_into__uuid",
            "taken_at",
            "done_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        (
            _,
            meeting,
            kind,
            title,
            position,
            motion,
            election,
            forced,
            report,
            status,
            merged,
            taken_at,
            done_at,
        ) = row
        stored = {
            "meeting": str(meeting),
            "kind": kind,
            "title": title,
            "position": position,
            "motion": named(motion),
            "election": named(election),
            "forced item": named(forced),
            "report": named(report),
            "status": status,
            "merged into": named(merged),
        }
        yield from differences(f"Agenda item {key}", stored, said)
        yield from time_differs_or_unrecorded(f"Agenda item {key} was taken", taken_at, said["taken_at"])
        yield from time_differs_or_unrecorded(f"Agenda item {key} was done with", done_at, said["done_at"])

    yield from matched(
        rows, recorded, compare, "Agenda item", "put it on an agenda", shown=lambda row: f"({row.title!r})"
    )


SPEAKER_EVENTS = ("meeting.speaker_joined", "meeting.speaker_withdrawn", "meeting.floor_given")


def _recorded_speakers(record: RecordIndex) -> tuple[dict[str, dict[str, Any]], set[str], str | None]:
    """Each place on a speakers' list as its entries leave it, the meetings the record opened before it
    held any place (whose earlier places were not recorded), and the time of its first place."""
    places: dict[str, dict[str, Any]] = {}
    # The places of each meeting, then of each item, to follow the entries that end several at once.
    by_meeting: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unrecorded: set[str] = set()
    first: str | None = None
    recorded = False
    for entry in record.events(
        *SPEAKER_EVENTS, "meeting.opened", "meeting.item_taken", "meeting.item_withdrawn", "meeting.closed"
    ):
        p = entry.payload
        meeting = str(p.get("meeting"))
        if entry.event in SPEAKER_EVENTS and not recorded:
            recorded, first = True, entry.at
        if entry.event == "meeting.opened":
            if not recorded:
                unrecorded.add(meeting)
        elif entry.event == "meeting.speaker_joined":
            place = {
                "item": str(p.get("item")),
                "member": str(p.get("member")),
                "status": "waiting",
                "requested_at": entry.at,
                "floor_at": None,
                "done_at": None,
            }
            places[str(p.get("speaker"))] = place
            by_meeting[meeting].append(place)
        elif entry.event == "meeting.speaker_withdrawn" and str(p.get("speaker")) in places:
            places[str(p.get("speaker"))].update(status="withdrawn", done_at=entry.at)
        elif entry.event == "meeting.floor_given":
            if str(p.get("ended")) in places:
                places[str(p.get("ended"))].update(status="done", done_at=entry.at)
            if str(p.get("speaker")) in places:
                places[str(p.get("speaker"))].update(status="speaking", floor_at=entry.at)
        else:
            withdrawn = str(p.get("item")) if entry.event == "meeting.item_withdrawn" else None
            for place in by_meeting[meeting]:
                if withdrawn is not None:
                    if place["item"] == withdrawn and place["status"] in ("waiting", "speaking"):
                        place.update(status="withdrawn", done_at=entry.at)
                elif place["status"] == "speaking":
                    place.update(status="done", done_at=entry.at)
                elif place["status"] == "waiting" and entry.event == "meeting.closed":
                    place.update(status="withdrawn", done_at=entry.at)
    return places, unrecorded, first


@state_check("speakers")
def check_speakers(record: RecordIndex) -> Iterator[str]:
    from councils.meetings.models import Speaker

    recorded, unrecorded, first = _recorded_speakers(record)
    began = moment(first)
    rows = Speaker.objects.values_list(
        "uuid",
        "item__meeting__uuid",
        "item__uuid",
        "user__uuid",
        "status",
        "requested_at",
        "floor_at",
        "done_at",
        named=True,
    )

    def unrecorded_before(row: Any) -> bool:
        """A place asked for in a meeting opened before the record held any speakers' list."""
        return str(row.item__meeting__uuid) in unrecorded and (began is None or row.requested_at < began)

    def compare(key: str, row: Any, said: dict[str, Any]) -> Iterator[str]:
        _uuid, _meeting, item, member, status, requested_at, floor_at, done_at = row
        stored = {"item": str(item), "member": str(member), "status": status}
        yield from differences(f"Speakers' list place {key}", stored, said)
        yield from time_differs(
            f"Speakers' list place {key} was asked for", requested_at, said["requested_at"]
        )
        yield from time_differs_or_unrecorded(
            f"Speakers' list place {key} was given the floor", floor_at, said["floor_at"]
        )
        yield from time_differs_or_unrecorded(f"Speakers' list place {key} ended", done_at, said["done_at"])

    yield from matched(
        (row for row in each_row(rows) if str(row.uuid) in recorded or not unrecorded_before(row)),
        recorded,
        compare,
        "Speakers' list place",
        "shows it",
        shown=lambda row: f"(item {row.item__uuid})",
    )
