"""`verify_record` compares every place on a speakers' list with the entries that made it.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from councils.meetings import actions
from councils.meetings.models import Speaker
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.record.test_verify_record import sql

CALLED = NOW - timedelta(days=7)


def at(minutes: int):
    return NOW + timedelta(minutes=minutes)


def session(cast, title: str = "General meeting"):
    """A Riverside meeting in session with Alice, Bob, Erin and Frank present and its first item taken."""
    meeting = actions.schedule_meeting(
        actor=cast.alice, council=cast.riverside, title=title, starts_at=NOW, place="Canteen", now=CALLED
    )
    item = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="Rota", now=CALLED)
    later = actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="other", title="AOB", now=CALLED)
    actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    actions.mark_present_many(
        actor=cast.alice, meeting=meeting, users=[cast.alice, cast.bob, cast.erin, cast.frank], now=NOW
    )
    actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    return meeting, item, later


@pytest.fixture
def debate(cast):
    """Bob spoke, Erin left, the chair took Frank off, Alice has the floor and Bob waits on the next item."""
    meeting, item, later = session(cast)
    bob = actions.join_speakers(actor=cast.bob, item=item, now=at(1))
    erin = actions.join_speakers(actor=cast.erin, item=item, now=at(2))
    frank = actions.join_speakers(actor=cast.frank, item=item, now=at(3))
    alice = actions.join_speakers(actor=cast.alice, item=item, now=at(4))
    actions.give_floor(actor=cast.alice, item=item, now=at(5))
    actions.leave_speakers(actor=cast.erin, speaker=erin, now=at(6))
    actions.leave_speakers(actor=cast.alice, speaker=frank, now=at(7))
    actions.give_floor(actor=cast.alice, item=item, now=at(8))
    waiting = actions.join_speakers(actor=cast.bob, item=later, now=at(9))
    return SimpleNamespace(
        meeting=meeting, item=item, later=later, bob=bob, erin=erin, frank=frank, alice=alice, waiting=waiting
    )


def statuses(debate) -> list[str]:
    return [
        Speaker.objects.get(pk=s.pk).status
        for s in (debate.bob, debate.erin, debate.frank, debate.alice, debate.waiting)
    ]


def test_a_list_in_session_taken_on_and_closed_matches_its_record(debate, cast):
    assert statuses(debate) == ["done", "withdrawn", "withdrawn", "speaking", "waiting"]
    assert verify_database() == []
    # The next item ends Alice's turn; the close takes Bob, still waiting, off the list.
    actions.take_next_item(actor=cast.alice, meeting=debate.meeting, now=at(10))
    actions.close_meeting(actor=cast.alice, meeting=debate.meeting, now=at(11))
    assert statuses(debate) == ["done", "withdrawn", "withdrawn", "done", "withdrawn"]
    assert verify_database() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"status": "done"}, "'s status is 'done' but the record says 'withdrawn'."),
        (
            {"requested_at": at(1)},
            " was asked for at 2026-03-01T09:01:00.000000Z, but the record says 2026-03-01T09:03:00.000000Z.",
        ),
        (
            {"floor_at": at(7)},
            " was given the floor at 2026-03-01T09:07:00.000000Z, but the record never says so.",
        ),
        (
            {"done_at": at(8)},
            " ended at 2026-03-01T09:08:00.000000Z, but the record says 2026-03-01T09:07:00.000000Z.",
        ),
    ],
)
@pytest.mark.tampers
def test_a_place_changed_in_the_database_is_detected(debate, change, problem):
    # The chair took Frank off: a database made to say he spoke, or asked first, is caught.
    Speaker.objects.filter(pk=debate.frank.pk).update(**change)
    assert verify_database() == [f"[speakers] Speakers' list place {debate.frank.uuid}{problem}"]


@pytest.mark.tampers
def test_a_place_edited_by_sql_is_detected(debate, cast):
    sql(
        "UPDATE meetings_speaker SET user_id = %s, item_id = %s WHERE id = %s",
        [cast.erin.pk, debate.later.pk, debate.bob.pk],
    )
    key = debate.bob.uuid
    assert verify_database() == [
        f"[speakers] Speakers' list place {key}'s item is {str(debate.later.uuid)!r} "
        f"but the record says {str(debate.item.uuid)!r}.",
        f"[speakers] Speakers' list place {key}'s member is {str(cast.erin.uuid)!r} "
        f"but the record says {str(cast.bob.uuid)!r}.",
    ]


@pytest.mark.tampers
def test_a_place_deleted_or_added_in_the_database_is_detected(debate, cast):
    sql("DELETE FROM meetings_speaker WHERE id = %s", [debate.frank.pk])
    vanished = f"[speakers] Speakers' list place {debate.frank.uuid} is in the record"
    vanished += " but has vanished from the database."
    assert verify_database() == [vanished]
    forged = Speaker.objects.create(item=debate.later, user=cast.frank, requested_at=at(9))
    assert verify_database() == [
        f"[speakers] Speakers' list place {forged.uuid} (item {debate.later.uuid}) exists "
        "but the record never shows it.",
        vanished,
    ]


@pytest.mark.tampers
def test_places_from_before_the_list_was_recorded_are_left_uncompared(cast):
    """Meetings opened before the record held any place kept their earlier places unrecorded; later ones
    are compared whole."""
    old, item, _ = session(cast, "Before")
    # As an older version wrote them: places with no entry, one on a meeting since closed...
    Speaker.objects.create(item=item, user=cast.bob, requested_at=at(0), status="withdrawn", done_at=at(1))
    actions.close_meeting(actor=cast.alice, meeting=old, now=at(1))
    during, current, _ = session(cast, "During")
    # ... and one on a meeting in session when the new version came, given the floor by it.
    older = Speaker.objects.create(item=current, user=cast.erin, requested_at=at(1))
    assert verify_database() == []
    actions.join_speakers(actor=cast.bob, item=current, now=at(2))
    assert actions.give_floor(actor=cast.alice, item=current, now=at(3)).pk == older.pk
    actions.close_meeting(actor=cast.alice, meeting=during, now=at(4))
    assert verify_database() == []
    # A place on that meeting asked for since the record held places has no such excuse...
    unrecorded = Speaker.objects.create(item=current, user=cast.frank, requested_at=at(2))
    # ... nor one on a meeting opened since.
    _, later_item, _ = session(cast, "After")
    forged = Speaker.objects.create(item=later_item, user=cast.erin, requested_at=at(2))
    assert verify_database() == [
        f"[speakers] Speakers' list place {p.uuid} (item {i.uuid}) exists but the record never shows it."
        for p, i in ((unrecorded, current), (forged, later_item))
    ]
