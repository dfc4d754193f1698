"""`verify_record` compares when delegate seats and offices began and ended, and why they ended.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.elections import actions as election_actions
from councils.federation.models import Office, Seat
from councils.mandates import actions as mandate_actions
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.record.test_verify_record import sql

TERM_END = NOW + timedelta(days=1)
EARLIER = NOW - timedelta(days=1)


@pytest.fixture
def resigned(cast):
    """Bob resigned his seat for Riverside in Eastside District an hour after he took it."""
    seat = Seat.objects.get(user=cast.bob)
    mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=NOW + timedelta(hours=1))
    sequencer.sequence_pending(now=NOW)
    return seat


@pytest.fixture
def term_ended(cast):
    """Alice's chair of Riverside ended with its term, the rules ending it a day after."""
    election_actions.run_due_terms(now=TERM_END + timedelta(days=1))
    sequencer.sequence_pending(now=NOW)
    return Office.objects.get(council=cast.riverside, role="chair", user=cast.alice)


def test_a_resigned_seat_matches_its_record(resigned):
    resigned.refresh_from_db()
    assert resigned.ended_reason == "resigned"
    assert verify_database() == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"started_at": EARLIER},
            "was taken at 2026-02-28T09:00:00.000000Z, but the record says 2026-03-01T09:00:00.000000Z.",
        ),
        (
            {"ended_at": EARLIER},
            "was vacated at 2026-02-28T09:00:00.000000Z, but the record says 2026-03-01T10:00:00.000000Z.",
        ),
        ({"ended_reason": "recalled"}, "ended for the reason 'recalled' but the record says 'resigned'."),
        ({"ended_at": None, "ended_reason": ""}, "is still held, unlike the record."),
    ],
)
@pytest.mark.tampers
def test_a_seat_time_or_ending_changed_in_the_database_is_detected(resigned, change, problem):
    Seat.objects.filter(pk=resigned.pk).update(**change)
    assert verify_database() == [f"[seats] Delegate seat {resigned.uuid} {problem}"]


@pytest.mark.tampers
def test_a_seat_ended_without_the_record_is_detected(cast):
    seat = Seat.objects.get(user=cast.bob)
    Seat.objects.filter(pk=seat.pk).update(ended_at=NOW, ended_reason="resigned")
    assert verify_database() == [f"[seats] Delegate seat {seat.uuid} is vacated, unlike the record."]


@pytest.mark.chair_term(TERM_END)
def test_an_office_ended_with_its_term_matches_its_record(term_ended):
    assert term_ended.ended_reason == "term_ended"
    assert verify_database() == []


@pytest.mark.chair_term(TERM_END)
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"started_at": EARLIER},
            "was filled at 2026-02-28T09:00:00.000000Z, but the record says 2026-03-01T09:00:00.000000Z.",
        ),
        (
            {"ended_at": TERM_END},
            "was vacated at 2026-03-02T09:00:00.000000Z, but the record says 2026-03-03T09:00:00.000000Z.",
        ),
        ({"ended_reason": "replaced"}, "ended for the reason 'replaced' but the record says 'term_ended'."),
        ({"ended_at": None, "ended_reason": ""}, "is still held, unlike the record."),
    ],
)
@pytest.mark.tampers
def test_an_office_time_or_ending_changed_in_the_database_is_detected(term_ended, change, problem):
    Office.objects.filter(pk=term_ended.pk).update(**change)
    assert verify_database() == [f"[offices] Office {term_ended.uuid} {problem}"]


@pytest.mark.tampers
def test_an_office_ended_without_the_record_is_detected(cast):
    office = Office.objects.get(council=cast.riverside, role="observer")
    Office.objects.filter(pk=office.pk).update(ended_at=NOW, ended_reason="term_ended")
    assert verify_database() == [f"[offices] Office {office.uuid} is vacated, unlike the record."]


@pytest.mark.tampers
def test_an_office_deleted_from_the_database_is_detected(cast):
    office = Office.objects.get(council=cast.riverside, role="observer")
    sql("DELETE FROM federation_office WHERE id = %s", [office.pk])
    assert verify_database() == [
        f"[offices] Office {office.uuid} is in the record but has vanished from the database."
    ]
