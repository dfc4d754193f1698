"""`verify_record` compares meetings, their agendas, attendance and approved minutes with the record.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from councils.federation import actions as federation_actions
from councils.meetings import actions
from councils.meetings.models import AgendaItem, Attendance, Meeting
from councils.motions import actions as motion_actions
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.conftest import NOW, make_user
from tests.meetings.test_minutes_namesakes import minutes_in_version_1  # noqa: F401 (fixture)
from tests.record.test_verify_record import sql

CALLED = NOW - timedelta(days=7)


def hold(cast) -> Meeting:
    """A Riverside meeting held with three present: its agenda reordered, one item taken, minutes approved."""
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=CALLED,
    )
    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Lockers", text="New lockers.", now=CALLED
    )
    first = actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="report", title="Report", now=CALLED
    )
    second = actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="motion", motion=motion, now=CALLED
    )
    actions.reorder_agenda(actor=cast.alice, meeting=meeting, order=[second.uuid, first.uuid], now=CALLED)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.erin, cast.frank], now=NOW
    )
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW + timedelta(hours=1))
    actions.approve_minutes(actor=cast.alice, meeting=meeting, now=NOW + timedelta(hours=2))
    sequencer.sequence_pending(now=NOW)
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def held(cast):
    return hold(cast)


def test_a_held_meeting_matches_its_record(held):
    items = list(held.items.order_by("position").values_list("title", "position", "status"))
    assert items == [("Lockers", 1, "done"), ("Report", 2, "pending")]
    assert verify_database() == []


@pytest.mark.tampers
def test_a_meeting_in_session_with_an_item_withdrawn_matches_its_record(cast):
    meeting = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Open",
        starts_at=NOW,
        online_url="https://x.org",
        now=CALLED,
    )
    actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="Any other business", now=NOW
    )
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.erin, cast.frank], now=NOW
    )
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    assert verify_database() == []
    AgendaItem.objects.filter(meeting=meeting).update(status="done")
    [item] = meeting.items.all()
    assert verify_database() == [
        f"[agendas] Agenda item {item.uuid}'s status is 'done' but the record says 'current'."
    ]


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("title", "Secret meeting", "'General meeting'"),
        ("place", "Car park", "'Canteen'"),
        ("status", "open", "'closed'"),
    ],
)
@pytest.mark.tampers
def test_a_meeting_changed_in_the_database_is_detected(held, field, value, said):
    Meeting.objects.filter(pk=held.pk).update(**{field: value})
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s {field} is {value!r} but the record says {said}."
    ]


@pytest.mark.tampers
def test_a_meeting_moved_or_given_to_another_council_is_detected(held, cast):
    Meeting.objects.filter(pk=held.pk).update(starts_at=NOW + timedelta(days=1), council=cast.harbour)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid} is a meeting of another council than the record says.",
        f"[meetings] Meeting {held.uuid} starts at 2026-03-02 09:00 UTC "
        f"but the record called it for {NOW.isoformat()}.",
    ]


@pytest.mark.parametrize(
    ("field", "what", "said"),
    [
        ("opened_at", "opened", "2026-03-01T09:00:00.000000Z"),
        ("closed_at", "closed", "2026-03-01T10:00:00.000000Z"),
        ("minutes_approved_at", "had its minutes approved", "2026-03-01T11:00:00.000000Z"),
    ],
)
@pytest.mark.tampers
def test_a_meeting_time_moved_in_the_database_is_detected(held, field, what, said):
    Meeting.objects.filter(pk=held.pk).update(**{field: NOW - timedelta(days=1)})
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid} {what} at 2026-02-28T09:00:00.000000Z, but the record says {said}."
    ]


@pytest.mark.tampers
def test_a_meeting_time_the_record_never_states_is_detected(cast, held):
    other = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Next",
        starts_at=NOW + timedelta(days=9),
        place="Hall",
        now=NOW,
    )
    Meeting.objects.filter(pk=other.pk).update(opened_at=NOW)
    assert verify_database() == [
        f"[meetings] Meeting {other.uuid} opened at 2026-03-01T09:00:00.000000Z, "
        "but the record never says so."
    ]


@pytest.mark.tampers
def test_minutes_changed_in_the_database_are_detected(held):
    minutes = dict(held.minutes, title="Another meeting")
    Meeting.objects.filter(pk=held.pk).update(minutes=minutes)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s minutes are not the minutes the record approved "
        "(their hash differs)."
    ]
    Meeting.objects.filter(pk=held.pk).update(minutes_hash="sha256:" + "0" * 64)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s minutes are named sha256:{'0' * 64} "
        f"but the record approved {held.minutes_hash}."
    ]


def test_minutes_frozen_before_namesakes_were_told_apart_still_match_their_record(
    cast,
    minutes_in_version_1,  # noqa: F811
):
    held = hold(cast)
    assert held.minutes["v"] == 1 and "namesakes" not in held.minutes
    assert verify_database() == []


@pytest.mark.tampers
def test_namesakes_swapped_in_frozen_minutes_are_detected(cast):
    erin2 = make_user("erin2", "Erin Walsh")
    federation_actions.add_founding_member(actor=None, council=cast.riverside, user=erin2, now=CALLED)
    held = hold(cast)
    assert held.minutes["v"] == 3 and [n["username"] for n in held.minutes["namesakes"]] == ["erin"]
    assert verify_database() == []
    # The Erin who was present is said to be the other one.
    forged = json.loads(json.dumps(held.minutes).replace("Erin Walsh (erin)", "Erin Walsh (erin2)"))
    forged["namesakes"] = [{"person": str(erin2.uuid), "name": "Erin Walsh", "username": "erin2"}]
    Meeting.objects.filter(pk=held.pk).update(minutes=forged)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s minutes are not the minutes the record approved "
        "(their hash differs)."
    ]


@pytest.mark.tampers
def test_minutes_slipped_in_without_the_record_are_detected(cast, held):
    other = actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Next",
        starts_at=NOW + timedelta(days=9),
        place="Hall",
        now=NOW,
    )
    Meeting.objects.filter(pk=other.pk).update(minutes=held.minutes, minutes_hash=held.minutes_hash)
    assert verify_database() == [
        f"[meetings] Meeting {other.uuid} has approved minutes but the record never approved any."
    ]


@pytest.mark.tampers
def test_a_meeting_deleted_or_added_in_the_database_is_detected(held, cast):
    sql("DELETE FROM meetings_attendance WHERE meeting_id = %s", [held.pk])
    sql("DELETE FROM meetings_agendaitem WHERE meeting_id = %s", [held.pk])
    sql("DELETE FROM meetings_meeting WHERE id = %s", [held.pk])
    problems = verify_database()
    assert f"[meetings] Meeting {held.uuid} is in the record but has vanished from the database." in problems
    assert len(problems) == 1 + 2 + 3, problems  # the meeting, its two items, three present
    forged = Meeting.objects.create(
        council=cast.riverside,
        title="Forged",
        starts_at=NOW,
        place="Nowhere",
        scheduled_by=cast.alice,
        scheduled_at=NOW,
    )
    assert f"[meetings] Meeting {forged.uuid} ('Forged') exists but the record never scheduled it." in (
        verify_database()
    )


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("title", "Other business", "'Report'"),
        ("position", 7, "2"),
        ("kind", "other", "'report'"),
        ("status", "withdrawn", "'pending'"),
    ],
)
@pytest.mark.tampers
def test_an_agenda_item_changed_in_the_database_is_detected(held, field, value, said):
    item = held.items.get(kind="report")
    AgendaItem.objects.filter(pk=item.pk).update(**{field: value})
    assert verify_database() == [
        f"[agendas] Agenda item {item.uuid}'s {field} is {value!r} but the record says {said}."
    ]


@pytest.mark.tampers
def test_an_agenda_item_pointed_at_another_motion_is_detected(held, cast):
    other = motion_actions.table_motion(actor=cast.bob, council=cast.riverside, title="X", text="Y.", now=NOW)
    item = held.items.get(kind="motion")
    AgendaItem.objects.filter(pk=item.pk).update(motion=other)
    assert verify_database() == [
        f"[agendas] Agenda item {item.uuid}'s motion is {str(other.uuid)!r} "
        f"but the record says {str(item.motion.uuid)!r}."
    ]


@pytest.mark.tampers
def test_an_agenda_item_deleted_or_added_in_the_database_is_detected(held):
    item = held.items.get(kind="report")
    sql("DELETE FROM meetings_agendaitem WHERE id = %s", [item.pk])
    assert verify_database() == [
        f"[agendas] Agenda item {item.uuid} is in the record but has vanished from the database."
    ]
    forged = AgendaItem.objects.create(meeting=held, position=3, kind="other", title="Forged")
    assert (
        f"[agendas] Agenda item {forged.uuid} ('Forged') exists but the record never put it on an agenda."
        in (verify_database())
    )


@pytest.mark.tampers
def test_attendance_added_or_deleted_in_the_database_is_detected(held, cast):
    Attendance.objects.filter(meeting=held, user=cast.frank).delete()
    Attendance.objects.create(meeting=held, user=cast.bob, present_at=NOW)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid} lists {cast.bob.uuid} as present "
        "but the record never marked them present.",
        f"[meetings] Meeting {held.uuid}: {cast.frank.uuid}'s recorded presence "
        "has vanished from the database.",
    ]


@pytest.mark.tampers
def test_when_and_by_whom_a_meeting_was_scheduled_is_compared(held, cast):
    Meeting.objects.filter(pk=held.pk).update(scheduled_at=NOW, scheduled_by=cast.bob)
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}'s scheduled by is {str(cast.bob.uuid)!r} "
        f"but the record says {str(cast.alice.uuid)!r}.",
        f"[meetings] Meeting {held.uuid} was scheduled at 2026-03-01T09:00:00.000000Z, "
        "but the record says 2026-02-22T09:00:00.000000Z.",
    ]


@pytest.mark.tampers
def test_when_someone_was_marked_present_is_compared(held, cast):
    Attendance.objects.filter(meeting=held, user=cast.erin).update(present_at=NOW + timedelta(minutes=30))
    assert verify_database() == [
        f"[meetings] Meeting {held.uuid}: {cast.erin.uuid} was marked present at "
        "2026-03-01T09:30:00.000000Z, but the record says 2026-03-01T09:00:00.000000Z."
    ]


@pytest.mark.parametrize(
    ("kind", "change", "problem"),
    [
        (
            "motion",
            {"taken_at": NOW + timedelta(minutes=5)},
            "was taken at 2026-03-01T09:05:00.000000Z, but the record says 2026-03-01T09:00:00.000000Z.",
        ),
        (
            "motion",
            {"done_at": NOW + timedelta(minutes=5)},
            "was done with at 2026-03-01T09:05:00.000000Z, but the record says 2026-03-01T10:00:00.000000Z.",
        ),
        (
            "report",
            {"taken_at": NOW},
            "was taken at 2026-03-01T09:00:00.000000Z, but the record never says so.",
        ),
    ],
)
@pytest.mark.tampers
def test_when_an_agenda_item_was_taken_and_done_with_is_compared(held, kind, change, problem):
    item = held.items.get(kind=kind)
    AgendaItem.objects.filter(pk=item.pk).update(**change)
    assert verify_database() == [f"[agendas] Agenda item {item.uuid} {problem}"]
