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


def speaker_entry(event: str, **payload: Any) -> Item:
    actor = payload.pop("actor", "u-chair")
    return entry(event, {"meeting": "mt-1", **payload}, actor=actor)


def messages(*items: Item | None) -> list[str]:
    return [p.message for p in outcome(*items).problems]


def test_the_list_follows_the_agenda_and_the_session():
    standing = [*councils(), member()]
    scheduled, added, opened, attended, joined = asks()
    # Asked for before the session, and on an item that is not on the agenda.
    early = messages(*standing, scheduled, added, joined)
    assert f"{ASKED}, which was not in session" in early
    elsewhere = speaker_entry(
        "meeting.speaker_joined", item="i-9", speaker="p-1", member="u-speaker", actor="u-speaker"
    )
    assert any(
        "asked to speak on item i-9" in m and "which is not on its agenda" in m
        for m in messages(*standing, scheduled, added, opened, attended, elsewhere)
    )
    # The same place given out twice.
    twice = messages(
        *standing,
        *asks(),
        speaker_entry(
            "meeting.speaker_joined", item="i-1", speaker="p-1", member="u-speaker", actor="u-speaker"
        ),
    )
    assert 'place p-1 on the speakers\' list of meeting "General" (mt-1) was given out twice' in twice
    # An item taken off the agenda takes its waiting places with it: nobody joins it or leaves it after.
    withdrawn = speaker_entry("meeting.item_withdrawn", item="i-1")
    after = messages(
        *standing,
        *asks(),
        withdrawn,
        speaker_entry(
            "meeting.speaker_withdrawn", item="i-1", speaker="p-1", member="u-speaker", actor="u-speaker"
        ),
        speaker_entry(
            "meeting.speaker_joined", item="i-1", speaker="p-2", member="u-speaker", actor="u-speaker"
        ),
    )
    assert (
        'u-speaker (place p-1) left the speakers\' list of meeting "General" (mt-1) '
        "after they had left the list" in after
    )
    assert f"{ASKED}, which was already taken off the agenda" in after


def test_the_floor_is_given_only_in_session_on_the_item_under_discussion():
    standing = [*councils(), member()]
    floor = speaker_entry("meeting.floor_given", item="i-1", speaker="p-1", ended=None)
    where = 'the floor was given on item i-1 of meeting "General" (mt-1)'
    assert f"{where}, which was not under discussion" in messages(*standing, *asks(), floor)
    closed = speaker_entry("meeting.closed")
    assert f"{where}, which was not in session" in messages(*standing, *asks(), closed, floor)


def test_a_place_left_is_one_asked_for_in_session_as_it_was_asked():
    # A list recorded before this meeting opened: a place nobody asked for is not an unrecorded one.
    earlier = entry(
        "meeting.speaker_joined", {"meeting": "mt-0", "item": "i-0", "speaker": "p-0", "member": "u-x"}
    )
    standing = [*councils(), member(), earlier]
    unknown = speaker_entry("meeting.speaker_withdrawn", item="i-1", speaker="p-9", member="u-speaker")
    assert (
        'place p-9 was taken off the speakers\' list of meeting "General" (mt-1), but nobody asked for it'
        in messages(*standing, *asks(), unknown)
    )
    misnamed = speaker_entry("meeting.speaker_withdrawn", item="i-2", speaker="p-1", member="u-other")
    assert any(
        "as u-other on item i-2, but they asked to speak on item i-1" in m
        for m in messages(*standing, *asks(), misnamed)
    )
    closed = speaker_entry("meeting.closed")
    left = speaker_entry(
        "meeting.speaker_withdrawn", item="i-1", speaker="p-1", member="u-speaker", actor="u-speaker"
    )
    late = messages(*standing, *asks(), closed, left)
    assert any("left the speakers' list" in m and m.endswith("while it was not in session") for m in late)


def test_a_list_of_a_meeting_the_reader_may_not_see_is_noted():
    joined = asks()[-1]
    result = outcome(*councils(), None, joined)
    assert (
        "some speakers' lists are of meetings called in entries you may not read: not checked" in result.notes
    )
    assert not [p for p in result.problems if "speakers' list" in p.message]


def test_a_place_left_in_a_meeting_opened_before_lists_were_recorded_is_noted():
    *opened, _joined = asks()
    left = speaker_entry(
        "meeting.speaker_withdrawn", item="i-1", speaker="p-1", member="u-speaker", actor="u-speaker"
    )
    result = outcome(*councils(), member(), *opened, left)
    assert not [p for p in result.problems if "speakers' list" in p.message]
    assert any("before" in n and "speakers' list" in n for n in result.notes), result.notes
