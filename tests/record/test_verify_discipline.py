"""`verify_record` compares discipline cases, defences and appeals with the record.

Charges, hearing notes and grounds are committed to, not written, in entries:
their text is compared only while the commitment's salt is kept.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Appeal, Defence, DisciplineCase
from councils.record.actions import erase_personal
from councils.record.verification import verify_database
from tests.membership.support import NOW, adopt, payloads, seat, vote_through
from tests.record.test_verify_record import sql

HEARING = NOW + timedelta(days=15)


def _charged(cast, *, charges="Late.", penalty="expulsion", days=None):
    """Charges Bob brings against Frank at NOW, heard at HEARING."""
    return actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges=charges,
        penalty=penalty,
        suspension_days=days,
        hearing_at=HEARING,
        now=NOW,
    )


def _decided(cast, *, penalty, days=None):
    adopt(cast)
    case = _charged(cast, charges="Passed the strike plan to management.", penalty=penalty, days=days)
    actions.submit_defence(actor=cast.frank, case=case, statement="I did not.", now=NOW + timedelta(days=1))
    actions.record_hearing(actor=cast.alice, case=case, notes="Both sides heard.", now=HEARING)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[cast.alice, cast.erin], now=HEARING)
    case.refresh_from_db()
    return case


@pytest.fixture
def suspended(cast):
    """Frank suspended for 30 days after charges, a defence, a hearing and the council's vote."""
    return _decided(cast, penalty="suspension", days=30)


@pytest.fixture
def appealed(cast):
    """Frank expelled, and his appeal lodged with Eastside District."""
    case = _decided(cast, penalty="expulsion")
    return actions.lodge_appeal(
        actor=cast.frank, case=case, grounds="The evidence was ignored.", now=HEARING + timedelta(days=1)
    )


def test_a_case_matches_its_record_at_every_step(cast):
    adopt(cast)
    case = _charged(cast)
    assert verify_database() == []
    actions.withdraw_charges(actor=cast.bob, case=case, now=NOW)
    assert verify_database() == []


@pytest.mark.tampers
def test_a_served_suspension_matches_its_record(suspended, cast):
    assert suspended.status == "upheld" and verify_database() == []
    actions.end_suspension(actor=None, case=suspended, now=HEARING + timedelta(days=31))
    assert verify_database() == []
    DisciplineCase.objects.filter(pk=suspended.pk).update(status="upheld")
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid}'s status is 'upheld' but the record says 'ended'."
    ]


@pytest.mark.parametrize(
    ("field", "name", "value", "said"),
    [
        ("status", "status", "dismissed", "upheld"),
        ("penalty", "penalty", "expulsion", "suspension"),
        ("suspension_days", "suspension days", 3, 30),
        ("motion_uuid", "motion", "00000000-0000-4000-8000-000000000000", None),
    ],
)
@pytest.mark.tampers
def test_a_case_changed_in_the_database_is_detected(suspended, field, name, value, said):
    said = said or str(suspended.motion_uuid)
    DisciplineCase.objects.filter(pk=suspended.pk).update(**{field: value})
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid}'s {name} is {value!r} but the record says {said!r}."
    ]


@pytest.mark.tampers
def test_a_case_moved_to_another_membership_is_detected(suspended, cast):
    erin = Membership.objects.get(user=cast.erin)
    DisciplineCase.objects.filter(pk=suspended.pk).update(membership=erin)
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid}'s membership is {str(erin.uuid)!r} "
        f"but the record says {str(suspended.membership.uuid)!r}."
    ]


@pytest.mark.tampers
def test_dates_changed_in_the_database_are_detected(suspended):
    DisciplineCase.objects.filter(pk=suspended.pk).update(
        hearing_at=NOW, suspended_until=suspended.suspended_until - timedelta(days=29)
    )
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid}'s hearing is set for another time "
        "than the record gave notice of.",
        f"[discipline] Discipline case {suspended.uuid}'s suspension ends at another time "
        "than the record says.",
    ]


@pytest.mark.tampers
def test_a_decision_moved_in_the_database_is_detected(suspended):
    # Dated later, the decision would reopen the time to appeal; undated, it would give none.
    DisciplineCase.objects.filter(pk=suspended.pk).update(decided_at=HEARING + timedelta(days=20))
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid} was decided at 2026-04-05T09:00:00.000000Z, "
        "but the record says 2026-03-16T09:00:00.000000Z."
    ]
    DisciplineCase.objects.filter(pk=suspended.pk).update(decided_at=None)
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid} was decided at no time, "
        "but the record says 2026-03-16T09:00:00.000000Z."
    ]


@pytest.mark.tampers
def test_a_decision_on_open_charges_slipped_into_the_database_is_detected(cast):
    case = _charged(cast)
    DisciplineCase.objects.filter(pk=case.pk).update(decided_at=NOW)
    assert verify_database() == [
        f"[discipline] Discipline case {case.uuid} was decided at 2026-03-01T09:00:00.000000Z, "
        "but the record never says so."
    ]


def test_charges_rewritten_in_the_database_are_detected_while_their_salt_is_kept(suspended):
    DisciplineCase.objects.filter(pk=suspended.pk).update(charges="Nothing.", hearing_notes="Nobody came.")
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid}'s charges are not the text the record committed to.",
        f"[discipline] Discipline case {suspended.uuid}'s hearing notes "
        "are not the text the record committed to.",
    ]
    # Once the texts are erased, nothing is left to compare them with.
    [charged] = payloads("discipline.charged")
    [heard] = payloads("discipline.heard")
    for commitment in (charged["charges"], heard["notes"]):
        erase_personal(actor=None, commitment_text=commitment, reason="The member asked.", now=HEARING)
    DisciplineCase.objects.filter(pk=suspended.pk).update(charges="", hearing_notes="")
    assert verify_database() == []


@pytest.mark.tampers
def test_a_defence_deleted_or_added_in_the_database_is_detected(suspended):
    Defence.objects.filter(case=suspended).delete()
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid} has 0 defences but the record holds 1."
    ]
    for _ in range(2):
        Defence.objects.create(case=suspended, statement="Forged.", submitted_at=NOW)
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid} has 2 defences but the record holds 1."
    ]


@pytest.mark.tampers
def test_a_case_deleted_or_added_in_the_database_is_detected(suspended, cast):
    sql("DELETE FROM membership_defence WHERE case_id = %s", [suspended.pk])
    sql("DELETE FROM membership_disciplinecase WHERE id = %s", [suspended.pk])
    assert verify_database() == [
        f"[discipline] Discipline case {suspended.uuid} is in the record but has vanished from the database.",
        f"[discipline] Discipline case {suspended.uuid} has 0 defences but the record holds 1.",
    ]
    forged = DisciplineCase.objects.create(
        council=cast.riverside,
        membership=Membership.objects.get(user=cast.erin),
        charged_by=cast.bob,
        charges="Forged.",
        penalty="expulsion",
        charged_at=NOW,
        hearing_at=NOW,
        notified_at=NOW,
        constitution_version=1,
    )
    assert f"[discipline] Discipline case {forged.uuid} exists but the record never brought its charges." in (
        verify_database()
    )


def test_an_appeal_matches_its_record(appealed):
    assert appealed.council.name == "Eastside District"
    assert verify_database() == []


@pytest.mark.tampers
def test_an_allowed_appeal_matches_its_record(appealed, cast):
    seat(cast, from_council=cast.harbour, users=[cast.dave])
    later = HEARING + timedelta(days=2)
    vote = actions.call_appeal_vote(actor=None, appeal=appealed, now=later, method="named")
    vote_through(vote, yes=[cast.dave], now=later)
    case = DisciplineCase.objects.get(pk=appealed.case_id)
    assert case.status == "reversed"
    assert verify_database() == []
    Appeal.objects.filter(pk=appealed.pk).update(status="dismissed", decided_at=later + timedelta(days=1))
    DisciplineCase.objects.filter(pk=case.pk).update(status="upheld")
    assert verify_database() == [
        f"[discipline] Discipline case {case.uuid}'s status is 'upheld' but the record says 'reversed'.",
        f"[discipline] Appeal {appealed.uuid}'s status is 'dismissed' but the record says 'allowed'.",
        f"[discipline] Appeal {appealed.uuid} was decided at 2026-03-19T09:00:00.000000Z, "
        "but the record says 2026-03-18T09:00:00.000000Z.",
    ]


@pytest.mark.parametrize(("field", "value", "said"), [("status", "allowed", "lodged"), ("level", 2, 1)])
@pytest.mark.tampers
def test_an_appeal_changed_in_the_database_is_detected(appealed, field, value, said):
    Appeal.objects.filter(pk=appealed.pk).update(**{field: value})
    assert verify_database() == [
        f"[discipline] Appeal {appealed.uuid}'s {field} is {value!r} but the record says {said!r}."
    ]


@pytest.mark.tampers
def test_an_appeal_heard_elsewhere_or_on_other_grounds_is_detected(appealed, cast):
    Appeal.objects.filter(pk=appealed.pk).update(council=cast.city, grounds="None.")
    assert verify_database() == [
        f"[discipline] Appeal {appealed.uuid}'s council is {str(cast.city.uuid)!r} "
        f"but the record says {str(cast.district.uuid)!r}.",
        f"[discipline] Appeal {appealed.uuid}'s grounds are not the text the record committed to.",
    ]


@pytest.mark.tampers
def test_an_appeal_deleted_or_added_in_the_database_is_detected(appealed):
    case = appealed.case
    sql("DELETE FROM membership_appeal WHERE id = %s", [appealed.pk])
    assert verify_database() == [
        f"[discipline] Appeal {appealed.uuid} is in the record but has vanished from the database."
    ]
    forged = Appeal.objects.create(
        case=case, council=appealed.council, level=1, grounds="Forged.", lodged_at=NOW, constitution_version=1
    )
    assert f"[discipline] Appeal {forged.uuid} exists but the record never lodged it." in verify_database()
