"""Replayed rules on a meeting's attendance and speakers' list: who is marked present, who asks to speak,
who leaves the list, who gets the floor.

Whoever is marked present (`meeting.attended`) has the right to attend the meeting's council at that
moment (`meetings/permissions.py`): a participant of it (a member or candidate, a delegate seated in
it, or one of its officers, its observer included).

Each meeting's list is followed from its entries: `meeting.speaker_joined` puts a member on an item's
list, `meeting.speaker_withdrawn` takes them off (they themselves, or the chair or secretary, whom the
officers' rules judge), and `meeting.floor_given` ends the turn of whoever had the floor on the item
under discussion and gives it to the next one waiting. Taking the next item or closing the meeting
ends the turn of whoever had the floor; closing it takes everyone still waiting off the list, and an
item taken off the agenda takes its list with it.

Only someone recorded present at the meeting while it is in session asks to speak, for themselves,
once at a time on an item not yet done with, and only with the right to speak in the meeting's
council at that moment (`federation/permissions.py`): a participant of it who is not its observer.
Where the record does not show that council from its creation, either right is noted, not judged.

The floor goes in the order people asked (the entries' times, then their order in the log), among
those still waiting: a chair who passes someone over leaves a recorded withdrawal, or the verifier
reports the floor given out of turn.

Speakers' lists were recorded only from a certain version on. A meeting that opened before the log's
first speakers' list entry may hold places asked for before then, which no entry names: ending,
giving or withdrawing such a place is noted, not judged, there. Every later meeting's list is whole.

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from councils.core.ledger.officers import holds_office
from councils.core.ledger.replay import (
    Item,
    Replay,
    _time,
    holds_seat,
    meeting_name,
    recorded_membership,
    rule,
)

# Before any real time: a place whose entry states no readable time asks first.
_NO_TIME = datetime.min.replace(tzinfo=UTC)

# Where a place on the list stands, as a problem says it.
_STANDING = {
    "speaking": "while they had the floor",
    "done": "after they had spoken",
    "withdrawn": "after they had left the list",
}


@rule("meeting.scheduled")
def _scheduled(replay: Replay, item: Item) -> None:
    replay.table("sessions")[str(item.payload.get("meeting"))] = {
        "name": meeting_name(item.payload),
        "council": item.council,
        "status": "scheduled",
        "items": {},
        "speakers": {},
    }


def _session(replay: Replay, item: Item) -> dict[str, Any] | None:
    session: dict[str, Any] | None = replay.table("sessions").get(str(item.payload.get("meeting")))
    return session


@rule("meeting.item_added")
def _item_added(replay: Replay, item: Item) -> None:
    session = _session(replay, item)
    if session is not None:
        session["items"][str(item.payload.get("item"))] = "pending"


@rule("meeting.item_withdrawn")
def _item_withdrawn(replay: Replay, item: Item) -> None:
    session = _session(replay, item)
    if session is None:
        return
    withdrawn = str(item.payload.get("item"))
    session["items"][withdrawn] = "withdrawn"
    for place in session["speakers"].values():
        if place["item"] == withdrawn and place["status"] in ("waiting", "speaking"):
            place["status"] = "withdrawn"


@rule("meeting.opened")
def _opened(replay: Replay, item: Item) -> None:
    session = _session(replay, item)
    if session is not None:
        session["status"] = "open"
        # In session before the record held any place: places may have been asked for unrecorded.
        session["unrecorded"] = not replay.table("speakers_recorded")


@rule("meeting.item_taken", "meeting.closed")
def _item_finished(replay: Replay, item: Item) -> None:
    """Taking the next item or closing finishes the item under discussion and its speaker's turn."""
    session = _session(replay, item)
    if session is None:
        return
    items = session["items"]
    for uuid, status in items.items():
        if status == "current":
            items[uuid] = "done"
    for place in session["speakers"].values():
        if place["status"] == "speaking":
            place["status"] = "done"
        elif place["status"] == "waiting" and item.event == "meeting.closed":
            place["status"] = "withdrawn"
    if item.event == "meeting.closed":
        session["status"] = "closed"
    elif str(item.payload.get("item")) in items:
        items[str(item.payload.get("item"))] = "current"


def _known_session(replay: Replay, item: Item) -> dict[str, Any] | None:
    """The meeting a speakers' list entry names; None (reported or noted) when the record never called it."""
    replay.table("speakers_recorded").setdefault("first", item.index)
    session = _session(replay, item)
    if session is None:
        meeting = item.payload.get("meeting")
        if replay.not_replayed:
            replay.note(
                "some speakers' lists are of meetings called in entries you may not read: not checked"
            )
        else:
            replay.problem(
                item, f"the speakers' list of meeting {meeting} changed, but the record never called it"
            )
    return session


def _unrecorded(replay: Replay, session: dict[str, Any], *speakers: object) -> bool:
    """Whether a place named may be one asked for before the record held speakers' lists (then noted)."""
    if session.get("unrecorded") and any(s is not None and s not in session["speakers"] for s in speakers):
        replay.note(
            "some meetings were in session when the record began to hold speakers' lists: "
            "places asked for before then are not checked"
        )
        return True
    return False


# What a participant is, as a problem says it.
_PARTICIPANT = "(neither a member, a delegate seated in it nor one of its officers)"


def recorded_participant(replay: Replay, council: str | None, person: object) -> bool | None:
    """Whether `person` takes part in `council` at this point of the record, as
    `federation.queries.is_participant` answers: a full member or candidate, a delegate seated in it, or
    one of its officers (its observer included). None when the record does not show the council's
    members from its creation."""
    officer = holds_office(replay, council, person)
    if officer is None:
        return None
    return (
        officer
        or holds_seat(replay, council, person)
        or (recorded_membership(replay, council, person) or {}).get("status") in ("full", "candidate")
    )


@rule("meeting.attended")
def _check_right_to_attend(replay: Replay, item: Item) -> None:
    """Whoever is marked present takes part in the meeting's council."""
    session = _session(replay, item)
    council = session["council"] if session is not None else item.council
    member = item.payload.get("member")
    participant = recorded_participant(replay, council, member)
    if participant is None:
        replay.note(
            "some meetings are of councils whose members the record does not show from the council's "
            "creation (created before the record began, or in entries you may not read): whether those "
            "marked present had the right to attend was not checked"
        )
    elif not participant:
        name = session["name"] if session is not None else f"meeting {item.payload.get('meeting')}"
        replay.problem(
            item,
            f"{member} was marked present at {name}, but was not a participant of council {council} "
            f"at that moment {_PARTICIPANT}",
        )


def _check_right_to_speak(replay: Replay, item: Item, council: str | None, what: str) -> None:
    """Who asks to speak takes part in the meeting's council and is not its observer."""
    member = item.payload.get("member")
    participant = recorded_participant(replay, council, member)
    if participant is None:
        replay.note(
            "some speakers' lists are of meetings in councils whose members the record does not show from "
            "the council's creation (created before the record began, or in entries you may not read): "
            "whether those who asked to speak had the right to was not checked"
        )
    elif holds_office(replay, council, member, ("observer",)):
        replay.problem(
            item, f"{what}, but was an observer of council {council} at that moment: observers do not speak"
        )
    elif not participant:
        replay.problem(
            item, f"{what}, but was not a participant of council {council} at that moment {_PARTICIPANT}"
        )


def _who(place: dict[str, Any], speaker: object) -> str:
    return f"{place['member']} (place {speaker})"


@rule("meeting.speaker_joined")
def _speaker_joined(replay: Replay, item: Item) -> None:
    """A member present at a meeting in session asks to speak on an item not done with, once at a time."""
    session = _known_session(replay, item)
    if session is None:
        return
    p = item.payload
    speaker, member, on = p.get("speaker"), p.get("member"), str(p.get("item"))
    name = session["name"]
    what = f"{member} asked to speak on item {on} of {name}"
    if item.actor != member:
        replay.problem(
            item,
            f"{item.actor} put {member} on the speakers' list of {name}: members put only themselves on it",
        )
    _check_right_to_speak(replay, item, session["council"], what)
    if session["status"] != "open":
        replay.problem(item, f"{what}, which was not in session")
    elif member not in replay.table("present").get(str(p.get("meeting")), ()):
        replay.problem(item, f"{what} without being recorded present")
    status = session["items"].get(on)
    if status is None:
        replay.problem(item, f"{what}, which is not on its agenda")
    elif status in ("done", "withdrawn"):
        replay.problem(
            item, f"{what}, which was already {'done with' if status == 'done' else 'taken off the agenda'}"
        )
    places = session["speakers"]
    if any(q["item"] == on and q["member"] == member and q["status"] == "waiting" for q in places.values()):
        replay.problem(item, f"{what} while already waiting to speak on it")
    if speaker in places:
        replay.problem(item, f"place {speaker} on the speakers' list of {name} was given out twice")
        return
    places[speaker] = {
        "item": on,
        "member": member,
        "status": "waiting",
        "asked": (_time(item.at) or _NO_TIME, item.index),
    }


@rule("meeting.speaker_withdrawn")
def _speaker_withdrawn(replay: Replay, item: Item) -> None:
    """Only someone still waiting leaves the list, while the meeting is in session.

    Whether a person other than the member may take them off is the officers' rule.
    """
    session = _known_session(replay, item)
    if session is None:
        return
    p = item.payload
    speaker, name = p.get("speaker"), session["name"]
    place = session["speakers"].get(speaker)
    if _unrecorded(replay, session, speaker):
        return
    if place is None:
        replay.problem(
            item, f"place {speaker} was taken off the speakers' list of {name}, but nobody asked for it"
        )
        return
    who = _who(place, speaker)
    if (place["member"], place["item"]) != (p.get("member"), str(p.get("item"))):
        replay.problem(
            item,
            f"{who} was taken off the speakers' list of {name} as {p.get('member')} on item {p.get('item')}, "
            f"but they asked to speak on item {place['item']}",
        )
    if item.actor == place["member"]:
        done = f"{who} left the speakers' list of {name}"
    else:
        done = f"{who} was taken off the speakers' list of {name} by {item.actor or 'the rules'}"
    if session["status"] != "open":
        replay.problem(item, f"{done} while it was not in session")
    if place["status"] != "waiting":
        replay.problem(item, f"{done} {_STANDING[place['status']]}")
        return
    place["status"] = "withdrawn"


@rule("meeting.floor_given")
def _floor_given(replay: Replay, item: Item) -> None:
    """The floor ends whoever had it and goes to the first still waiting on the item under discussion."""
    session = _known_session(replay, item)
    if session is None:
        return
    p = item.payload
    on, name, places = str(p.get("item")), session["name"], session["speakers"]
    where = f"item {on} of {name}"
    if session["status"] != "open":
        replay.problem(item, f"the floor was given on {where}, which was not in session")
    elif session["items"].get(on) != "current":
        replay.problem(item, f"the floor was given on {where}, which was not under discussion")
    speaking = [s for s, q in places.items() if q["item"] == on and q["status"] == "speaking"]
    ended, given = p.get("ended"), p.get("speaker")
    unrecorded = _unrecorded(replay, session, ended, given)
    if [ended] != (speaking or [None]) and not unrecorded:
        had = " and ".join(_who(places[s], s) for s in speaking) or "no one"
        ends = _who(places[ended], ended) if ended in places else ended or "no one"
        replay.problem(item, f"the floor given on {where} ends the turn of {ends}, but {had} had the floor")
    for s in speaking:
        places[s]["status"] = "done"
    waiting = sorted(
        (q["asked"], s) for s, q in places.items() if q["item"] == on and q["status"] == "waiting"
    )
    first = waiting[0][1] if waiting else None
    if given != first and not unrecorded:
        if given is None:
            told = f"was given to no one while {_who(places[first], first)} was waiting"
        elif given not in places or places[given]["item"] != on or places[given]["status"] != "waiting":
            shown = _who(places[given], given) if given in places else f"place {given}"
            told = f"was given to {shown}, who was not waiting to speak on it"
        else:
            told = (
                f"was given to {_who(places[given], given)} out of turn: "
                f"{_who(places[first], first)} asked first and was still waiting"
            )
        replay.problem(item, f"the floor on {where} {told}")
    if given in places:
        places[given]["status"] = "speaking"
