"""`verify_record` compares mandates, their proposals, roll calls and reports back with the record.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from councils.core.ledger.encoding import format_time
from councils.federation.actions import end_seat
from councils.mandates import actions
from councils.mandates.models import Mandate, MandateProposal, MandateVote, ReportDue
from councils.motions import actions as motion_actions
from councils.motions.models import Motion
from councils.record import sequencer
from councils.record.verification import verify_database
from tests.conftest import NOW
from tests.mandates.flows import (
    adopt_mandate,
    district_motion,
    district_vote,
    hold_district_meeting,
    seat_dave_for_harbour,
)
from tests.record.test_verify_record import sql


@pytest.fixture
def broken(cast, rules):
    """Riverside mandated a yes, then a no, and Bob voted yes: a broken mandate on the roll call."""
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    first = adopt_mandate(cast, target, choice="yes")
    second = adopt_mandate(cast, target, choice="no", now=NOW + timedelta(minutes=10))
    district_vote(cast, target, bob="yes", now=NOW + timedelta(minutes=20))
    sequencer.sequence_pending(now=NOW)
    first.refresh_from_db()
    return first, second


def test_mandates_and_their_roll_call_match_their_record(broken):
    first, second = broken
    assert first.superseded_at is not None and second.superseded_at is None
    assert MandateVote.objects.get().complied is False
    assert verify_database() == []


@pytest.mark.tampers
def test_a_rejected_proposal_matches_its_record(cast, rules):
    seat_dave_for_harbour(cast)
    proposal = actions.propose_mandate(
        actor=cast.erin, council=cast.riverside, target_motion=district_motion(cast), choice="no", now=NOW
    )
    assert verify_database() == []
    own = Motion.objects.get(uuid=proposal.motion_uuid)
    motion_actions.second_motion(actor=cast.frank, motion=own, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=own, now=NOW)
    motion_actions.cast_vote(actor=cast.alice, vote=vote, choice="no", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    assert verify_database() == []
    MandateProposal.objects.filter(pk=proposal.pk).update(status="adopted")
    assert verify_database() == [
        f"[mandate_proposals] Mandate proposal {proposal.uuid}'s status is 'adopted' "
        "but the record says 'rejected'."
    ]


@pytest.mark.parametrize(
    ("field", "name", "value"),
    [
        ("choice", "choice", "abstain"),
        ("status", "status", "pending"),
        ("target_motion_uuid", "target motion", "00000000-0000-4000-8000-000000000000"),
    ],
)
@pytest.mark.tampers
def test_a_proposal_changed_in_the_database_is_detected(broken, field, name, value):
    proposal = broken[1].proposal
    said = {"choice": "no", "status": "adopted", "target_motion_uuid": str(proposal.target_motion_uuid)}[
        field
    ]
    MandateProposal.objects.filter(pk=proposal.pk).update(**{field: value})
    assert verify_database() == [
        f"[mandate_proposals] Mandate proposal {proposal.uuid}'s {name} is {value!r} "
        f"but the record says {said!r}."
    ]


@pytest.mark.tampers
def test_a_proposal_deleted_or_added_in_the_database_is_detected(broken, cast):
    first, _ = broken
    proposal = first.proposal
    sql("DELETE FROM mandates_mandatevote WHERE mandate_id = %s", [first.pk])
    sql("DELETE FROM mandates_mandate WHERE id = %s", [first.pk])
    sql("DELETE FROM mandates_mandateproposal WHERE id = %s", [proposal.pk])
    assert verify_database() == [
        f"[mandate_proposals] Mandate proposal {proposal.uuid} is in the record "
        "but has vanished from the database.",
        f"[mandates] Mandate {first.uuid} is in the record but has vanished from the database.",
    ]
    forged = MandateProposal.objects.create(
        council=cast.riverside,
        target_council=cast.district,
        target_motion_uuid=proposal.target_motion_uuid,
        choice="yes",
        proposed_by=cast.erin,
        proposed_at=NOW,
    )
    assert f"[mandate_proposals] Mandate proposal {forged.uuid} exists but the record never tabled it." in (
        verify_database()
    )


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"choice": "yes"}, "choice is 'yes' but the record says 'no'"),
        ({"superseded_at": NOW}, "superseded is True but the record says False"),
        ({"target_title": "Anything"}, None),
    ],
)
@pytest.mark.tampers
def test_a_mandate_changed_in_the_database_is_detected(broken, change, line):
    _, second = broken
    Mandate.objects.filter(pk=second.pk).update(**change)
    expected = [f"[mandates] Mandate {second.uuid}'s {line}."] if line else []
    assert verify_database() == expected


@pytest.mark.tampers
def test_a_superseded_mandate_revived_in_the_database_is_detected(broken):
    first, second = broken
    Mandate.objects.filter(pk=second.pk).update(superseded_at=NOW)
    Mandate.objects.filter(pk=first.pk).update(superseded_at=None)
    assert verify_database() == [
        f"[mandates] Mandate {second.uuid}'s superseded is True but the record says False.",
        f"[mandates] Mandate {first.uuid}'s superseded is False but the record says True.",
    ]


@pytest.mark.tampers
def test_a_mandate_added_in_the_database_is_detected(broken, cast):
    _, second = broken
    proposal = MandateProposal.objects.create(
        council=cast.harbour,
        target_council=cast.district,
        target_motion_uuid=second.target_motion_uuid,
        choice="yes",
        proposed_by=cast.dave,
        proposed_at=NOW,
        status="adopted",
    )
    forged = Mandate.objects.create(
        council=cast.harbour,
        target_council=cast.district,
        target_motion_uuid=second.target_motion_uuid,
        choice="yes",
        proposal=proposal,
        adopted_at=NOW,
    )
    assert f"[mandates] Mandate {forged.uuid} exists but the record never adopted it." in verify_database()


@pytest.mark.tampers
def test_a_roll_call_line_changed_deleted_or_added_is_detected(broken, cast):
    first, second = broken
    line = MandateVote.objects.get()
    what = f"[mandates] Mandate {second.uuid}'s roll call of seat {line.seat.uuid}"
    MandateVote.objects.filter(pk=line.pk).update(cast_choice="no", complied=True)
    assert verify_database() == [
        f"{what}'s vote is 'no' but the record says 'yes'.",
        f"{what}'s compliance is True but the record says False.",
    ]
    MandateVote.objects.filter(pk=line.pk).update(mandate=first)
    assert verify_database() == [
        f"[mandates] Mandate {first.uuid}'s roll call of seat {line.seat.uuid} "
        "exists but the record never checked it.",
        f"[mandates] Mandate {second.uuid}'s recorded roll call of seat {line.seat.uuid} "
        "has vanished from the database.",
    ]


@pytest.fixture
def report(cast, rules):
    hold_district_meeting(cast)
    report = ReportDue.objects.get()
    actions.submit_report(actor=cast.bob, report=report, text="We adopted the levy; I voted yes.", now=NOW)
    report.refresh_from_db()
    return report


def test_a_report_back_matches_its_record(report):
    assert verify_database() == []


@pytest.mark.tampers
def test_a_report_back_changed_in_the_database_is_detected(report):
    ReportDue.objects.filter(pk=report.pk).update(
        report="I voted no.", due_at=report.due_at + timedelta(days=1)
    )
    assert verify_database() == [
        f"[reports] Report back {report.uuid} is due at another time than the record says.",
        f"[reports] Report back {report.uuid}'s text is not the text the record holds.",
    ]
    ReportDue.objects.filter(pk=report.pk).update(submitted_at=None)
    assert f"[reports] Report back {report.uuid} is not submitted, unlike the record." in verify_database()


@pytest.mark.tampers
def test_when_a_report_back_fell_due_or_was_submitted_moved_in_the_database_is_detected(report):
    ReportDue.objects.filter(pk=report.pk).update(
        created_at=report.created_at - timedelta(days=1), submitted_at=report.submitted_at + timedelta(days=1)
    )
    assert verify_database() == [
        f"[reports] Report back {report.uuid} fell due at 2026-02-28T11:00:00.000000Z, "
        "but the record says 2026-03-01T11:00:00.000000Z.",
        f"[reports] Report back {report.uuid} was submitted at 2026-03-02T09:00:00.000000Z, "
        "but the record says 2026-03-01T09:00:00.000000Z.",
    ]


@pytest.mark.tampers
def test_a_report_back_deleted_or_added_in_the_database_is_detected(report, cast):
    sql("DELETE FROM petitions_forcedagendaitem WHERE report_id = %s", [report.pk])
    sql("DELETE FROM mandates_reportdue WHERE id = %s", [report.pk])
    problems = verify_database()
    assert (
        f"[reports] Report back {report.uuid} is in the record but has vanished from the database."
        in problems
    )
    forged = ReportDue.objects.create(
        seat=cast.bob.seats.get(),
        delegate=cast.bob,
        council=cast.riverside,
        higher_council=cast.district,
        meeting_uuid=report.meeting_uuid,
        created_at=NOW,
        due_at=NOW,
    )
    assert (
        f"[reports] Report back {forged.uuid} exists but the record never made it due." in verify_database()
    )


@pytest.mark.tampers
def test_when_mandates_were_adopted_superseded_and_checked_is_compared(broken):
    first, second = broken
    later = NOW + timedelta(days=1)
    Mandate.objects.filter(pk=first.pk).update(adopted_at=later, superseded_at=later)
    assert verify_database() == [
        f"[mandates] Mandate {first.uuid} was adopted at {format_time(later)}, "
        f"but the record says {format_time(first.adopted_at)}.",
        f"[mandates] Mandate {first.uuid} was superseded at {format_time(later)}, "
        f"but the record says {format_time(second.adopted_at)}.",
    ]
    Mandate.objects.filter(pk=first.pk).update(adopted_at=first.adopted_at, superseded_at=first.superseded_at)
    line = MandateVote.objects.get()
    MandateVote.objects.filter(pk=line.pk).update(checked_at=later)
    assert verify_database() == [
        f"[mandates] Mandate {line.mandate.uuid}'s roll call of seat {line.seat.uuid} was made at "
        f"{format_time(later)}, but the record says {format_time(line.checked_at)}."
    ]


@pytest.mark.tampers
def test_who_made_a_mandate_proposal_and_when_is_compared(broken, cast):
    proposal = broken[0].proposal
    MandateProposal.objects.filter(pk=proposal.pk).update(
        proposed_by=cast.carol, proposed_at=NOW - timedelta(days=1)
    )
    assert verify_database() == [
        f"[mandate_proposals] Mandate proposal {proposal.uuid}'s proposer is {str(cast.carol.uuid)!r} "
        f"but the record says {str(proposal.proposed_by.uuid)!r}.",
        f"[mandate_proposals] Mandate proposal {proposal.uuid} was made at "
        f"{format_time(NOW - timedelta(days=1))}, but the record says {format_time(proposal.proposed_at)}.",
    ]


@pytest.mark.tampers
def test_when_a_mandate_was_checked_is_compared_with_its_roll_call(broken):
    first, second = broken
    second.refresh_from_db()
    checked = second.checked_at
    assert checked is not None and first.checked_at is None
    later = NOW + timedelta(days=1)
    Mandate.objects.filter(pk=second.pk).update(checked_at=later)
    Mandate.objects.filter(pk=first.pk).update(checked_at=later)
    assert verify_database() == [
        f"[mandates] Mandate {second.uuid}'s roll call was checked at {format_time(later)}, "
        f"but the record says {format_time(checked)}.",
        f"[mandates] Mandate {first.uuid}'s roll call was checked at {format_time(later)}, "
        "but the record never says so.",
    ]
    Mandate.objects.filter(pk__in=[first.pk, second.pk]).update(checked_at=None)
    assert verify_database() == [
        f"[mandates] Mandate {second.uuid}'s roll call was checked at no time, "
        f"but the record says {format_time(checked)}."
    ]


def test_a_mandate_none_of_whose_delegates_could_vote_is_left_unchecked(cast, rules):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    mandate = adopt_mandate(cast, target, choice="yes")
    with transaction.atomic():
        end_seat(seat=cast.bob.seats.get(), reason="term_ended", actor=None, now=NOW + timedelta(minutes=10))
    district_vote(cast, target, bob=None, now=NOW + timedelta(minutes=20))
    mandate.refresh_from_db()
    assert mandate.checked_at is None and not mandate.roll_call.exists()
    assert verify_database() == []


def test_a_check_set_without_a_roll_call_before_it_was_recorded_is_cleared(broken):
    first, second = broken
    Mandate.objects.filter(pk=first.pk).update(checked_at=NOW)
    migration = importlib.import_module("councils.mandates.migrations.0003_checked_only_with_a_roll_call")
    migration.clear_unrecorded_checks(django_apps, None)
    first.refresh_from_db()
    assert first.checked_at is None and Mandate.objects.get(pk=second.pk).checked_at is not None
    assert verify_database() == []
