"""Replaying who may be marked present and ask to speak, from entries alone: a participant of the council,
and to speak not its observer."""

from __future__ import annotations

from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.replay import Item

BASE, ABOVE = "c-base", "c-above"
AT = "2026-03-01T09:00:00Z"
ASKED = 'u-speaker asked to speak on item i-1 of meeting "General" (mt-1)'
MARKED = 'u-speaker was marked present at meeting "General" (mt-1)'
NOT_PARTICIPANT = "(neither a member, a delegate seated in it nor one of its officers)"
UNKNOWN = (
    "some speakers' lists are of meetings in councils whose members the record does not show from the "
    "council's creation (created before the record began, or in entries you may not read): whether those "
    "who asked to speak had the right to was not checked"
)
UNKNOWN_ATTENDANCE = (
    "some meetings are of councils whose members the record does not show from the council's creation "
    "(created before the record began, or in entries you may not read): whether those marked present had "
    "the right to attend was not checked"
)


def entry(event: str, payload: dict[str, Any], actor: str | None = None, council: str = BASE) -> Item:
    return Item(index=0, event=event, actor=actor, council=council, at=AT, payload=payload)


def councils() -> list[Item]:
    """A base council below a higher one, the chair of each appointed."""
    return [
        entry("council.created", {"council": ABOVE, "is_base": False, "parent": None}, council=ABOVE),
        entry("council.created", {"council": BASE, "is_base": True, "parent": ABOVE}, council=BASE),
        entry("office.founding_filled", {"office": "o-1", "role": "chair", "holder": "u-chair"}),
        entry(
            "office.founding_filled",
            {"office": "o-2", "role": "chair", "holder": "u-chair"},
            council=ABOVE,
        ),
    ]


def member(event: str = "member.founding_enrolled", membership: str = "m-1") -> Item:
    return entry(event, {"membership": membership, "member": "u-speaker"})


def office(role: str, council: str = BASE) -> Item:
    held = {"office": "o-3", "role": role, "holder": "u-speaker"}
    return entry("office.founding_filled", held, council=council)


def seat(council: str = ABOVE) -> Item:
    return entry(
        "delegate.seated", {"seat": "s-1", "delegate": "u-speaker", "from_council": BASE}, council=council
    )


def asks(council: str = BASE) -> list[Item]:
    """A meeting of `council` in session, u-speaker marked present and asking to speak on its first item."""
    meeting = {"meeting": "mt-1"}
    return [
        entry("meeting.scheduled", {**meeting, "title": "General"}, actor="u-chair", council=council),
        entry("meeting.item_added", {**meeting, "item": "i-1"}, actor="u-chair", council=council),
        entry("meeting.opened", meeting, actor="u-chair", council=council),
        entry("meeting.attended", {**meeting, "member": "u-speaker"}, actor="u-chair", council=council),
        entry(
            "meeting.speaker_joined",
            {**meeting, "item": "i-1", "speaker": "p-1", "member": "u-speaker"},
            actor="u-speaker",
            council=council,
        ),
    ]


def outcome(*items: Item | None) -> replay.Replay:
    """Replay `items` in order (None: an entry the reader cannot see)."""
    for index, item in enumerate(items):
        if item is not None:
            item.index = index
    return replay.replay(items)


def problems_of(prefix: str, *items: Item | None) -> list[str]:
    """The problems that begin with `prefix` (a suspension or an unseating on its own breaks other rules)."""
    return [p.message for p in outcome(*items).problems if p.message.startswith(prefix)]


def asking_problems(*items: Item | None) -> list[str]:
    return problems_of(ASKED, *items)


# Standings in the base council that make u-speaker a participant of it, and that do not (the council
# of the meeting is the higher one where a seat is among them).
PARTICIPANTS = pytest.mark.parametrize(
    "standing",
    [
        [member()],
        [member("member.invited_joined")],
        [office("secretary")],
        [member(), member("member.suspended"), member("member.reinstated")],
    ],
    ids=["member", "candidate", "officer", "reinstated"],
)
STRANGERS = pytest.mark.parametrize(
    "standing",
    [
        [],
        [member("member.left")],
        [member(), member("member.suspended")],
        [member(), member("member.expelled")],
        [office("chair", council=ABOVE)],
        [member(), seat(), entry("delegate.unseated", {"seat": "s-1"}, council=ABOVE)],
    ],
    ids=["stranger", "left", "suspended", "expelled", "officer-elsewhere", "unseated"],
)


def meeting_council(standing: list[Item]) -> str:
    return ABOVE if any(i.event == "delegate.seated" for i in standing) else BASE


@PARTICIPANTS
def test_a_participant_of_a_base_council_may_ask_to_speak(standing):
    assert asking_problems(*councils(), *standing, *asks()) == []
    assert UNKNOWN not in outcome(*councils(), *standing, *asks()).notes


def test_a_delegate_seated_in_a_higher_council_may_ask_to_speak_there():
    result = outcome(*councils(), member(), seat(), *asks(ABOVE))
    assert result.problems == []


def test_an_observer_asking_to_speak_is_caught_member_or_not():
    observer = f"{ASKED}, but was an observer of council {BASE} at that moment: observers do not speak"
    for standing in ([office("observer")], [member(), office("observer")]):
        assert [p.message for p in outcome(*councils(), *standing, *asks()).problems] == [observer]


@STRANGERS
def test_someone_not_taking_part_in_the_council_asking_to_speak_is_caught(standing):
    council = meeting_council(standing)
    assert asking_problems(*councils(), *standing, *asks(council)) == [
        f"{ASKED}, but was not a participant of council {council} at that moment {NOT_PARTICIPANT}"
    ]


@PARTICIPANTS
def test_a_participant_of_a_base_council_may_be_marked_present(standing):
    result = outcome(*councils(), *standing, *asks())
    assert [p for p in result.problems if p.message.startswith(MARKED)] == []
    assert UNKNOWN_ATTENDANCE not in result.notes


def test_an_observer_or_a_seated_delegate_may_be_marked_present():
    """Observers attend though they do not speak; a delegate attends the council they sit in."""
    assert problems_of(MARKED, *councils(), office("observer"), *asks()) == []
    assert problems_of(MARKED, *councils(), member(), seat(), *asks(ABOVE)) == []


@STRANGERS
def test_someone_not_taking_part_in_the_council_marked_present_is_caught(standing):
    council = meeting_council(standing)
    assert problems_of(MARKED, *councils(), *standing, *asks(council)) == [
        f"{MARKED}, but was not a participant of council {council} at that moment {NOT_PARTICIPANT}"
    ]


def test_a_council_whose_creation_is_not_read_is_noted_not_judged():
    # Nobody in the record takes part in the council: its creation, in an entry not read, is unknown.
    result = outcome(None, *asks())
    assert result.problems == []
    assert UNKNOWN in result.notes
    assert UNKNOWN_ATTENDANCE in result.notes
