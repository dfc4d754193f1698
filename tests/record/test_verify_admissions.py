"""`verify_record` compares applications to join, transfers and their sponsors with the record.

Tests marked `tampers` edit the database behind the record, as an operator
could, to show what it reports.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from councils.core.ledger.encoding import format_time
from councils.federation import actions as federation_actions
from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import Application, Sponsorship
from councils.record.verification import verify_database
from tests.conftest import make_user
from tests.membership.support import LATER, adopt, seat, vote_through
from tests.membership.test_admission import _candidate
from tests.record.test_verify_record import sql


def admit(cast, application):
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=cast.alice, application=application, now=after, method="named")
    vote_through(vote, yes=[cast.alice, cast.bob, cast.erin], now=after)
    application.refresh_from_db()
    return after


@pytest.fixture
def admitted(cast):
    """Gina's application to Riverside Depot: sponsored by Bob and Erin, admitted after her candidacy."""
    adopt(cast)
    _, application = _candidate(cast, "gina")
    admit(cast, application)
    assert application.status == Application.Status.ADMITTED
    return application


def lines(application):
    prefix = f"[applications] Application {application.uuid}"
    return [line.removeprefix(prefix) for line in verify_database()]


def test_every_way_an_application_ends_matches_its_record(cast):
    adopt(cast)
    _, admitted = _candidate(cast, "gina")
    _, flagged = _candidate(cast, "hugo")
    admit(cast, admitted)
    after = admit(cast, flagged)
    seat(cast, from_council=cast.harbour, users=[cast.dave])
    vote = actions.call_approval_vote(actor=None, application=flagged, now=after, method="named")
    vote_through(vote, yes=[cast.bob, cast.dave], now=after)
    applicant, withdrawn = _candidate(cast, "ivan")
    actions.withdraw_application(actor=applicant, application=withdrawn, now=after)
    invited = make_user("ines", "Ines")
    with transaction.atomic():
        federation_actions.enrol_invited_member(
            invitation_uuid="00000000-0000-0000-0000-000000000001",
            user=invited,
            council=cast.riverside,
            now=after,
        )
    rejected = actions.apply_for_membership(actor=invited, council=cast.riverside, now=after)
    actions.sponsor_application(actor=cast.bob, application=rejected, now=after)
    actions.sponsor_application(actor=cast.erin, application=rejected, now=after)
    rejected.refresh_from_db()
    later = rejected.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=cast.alice, application=rejected, now=later, method="named")
    vote_through(vote, no=[cast.alice, cast.bob, cast.erin], now=later)
    moved = actions.request_transfer(actor=cast.frank, council=cast.harbour, now=later)
    vote = actions.call_admission_vote(actor=None, application=moved, now=later, method="named")
    vote_through(vote, yes=[cast.dave], now=later)
    last = later + timedelta(days=8)
    left = actions.request_transfer(actor=cast.frank, council=cast.riverside, now=last)
    membership = Membership.objects.get(user=cast.frank, ended_at__isnull=True)
    actions.leave_membership(actor=cast.frank, membership=membership, now=last)
    for application in (admitted, flagged, withdrawn, rejected, moved, left):
        application.refresh_from_db()
    assert [a.status for a in (admitted, flagged, withdrawn, rejected, moved, left)] == [
        "admitted",
        "admitted",
        "withdrawn",
        "rejected",
        "admitted",
        "withdrawn",
    ]
    assert rejected.membership is not None and moved.transfer_from is not None
    assert verify_database() == []


def test_a_transfer_a_new_council_takes_along_is_withdrawn_as_the_record_says(cast):
    from tests.membership.test_formation import decide, propose

    adopt(cast)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.carol, role="chair", now=LATER
    )
    pending = actions.request_transfer(actor=cast.dave, council=cast.riverside, now=LATER)
    formation = propose(cast)
    for founder in (cast.frank, cast.dave):
        actions.sign_formation(actor=founder, formation=formation, now=LATER)
    decide(cast, formation)
    pending.refresh_from_db()
    assert (formation.status, pending.status) == ("formed", "withdrawn")
    assert verify_database() == []


def at(moment):
    return format_time(moment)


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("status", "'s status is 'rejected' but the record says 'admitted'."),
        ("constitution_version", "'s constitution version is 7 but the record says 1."),
        ("is_flagged", "'s flagged is True but the record says False."),
        ("applied_at", " was made at {moved}, but the record says {applied}."),
        ("candidate_since", "'s candidate period began at {moved}, but the record says {applied}."),
        ("candidate_until", "'s candidate period ends at {moved}, but the record says {until}."),
        ("council_approved_at", " was approved by its council at {moved}, but the record says {decided}."),
        ("parent_approved_at", " was approved above at {moved}, but the record never says so."),
        ("decided_at", " was decided at {moved}, but the record says {decided}."),
    ],
)
@pytest.mark.tampers
def test_an_application_changed_in_the_database_is_detected(admitted, field, problem):
    change = {"status": "rejected", "constitution_version": 7, "is_flagged": True}
    moved = LATER - timedelta(days=1)
    Application.objects.filter(pk=admitted.pk).update(**{field: change.get(field, moved)})
    times = {
        "moved": at(moved),
        "applied": at(LATER),
        "until": admitted.candidate_until.isoformat(),
        "decided": at(admitted.decided_at),
    }
    assert lines(admitted) == [problem.format(**times)]


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("council", "council"),
        ("applicant", "applicant"),
        ("membership", "membership"),
        ("transfer_from", "transfer from"),
        ("motion_uuid", "motion"),
        ("parent_motion_uuid", "parent motion"),
    ],
)
@pytest.mark.tampers
def test_where_who_and_by_which_votes_are_compared(admitted, cast, field, named):
    other = {
        "council": cast.harbour,
        "applicant": cast.bob,
        "membership": Membership.objects.get(user=cast.bob),
        "transfer_from": Membership.objects.get(user=cast.bob),
        "motion_uuid": cast.harbour.uuid,
        "parent_motion_uuid": cast.harbour.uuid,
    }[field]
    recorded = {
        "council": cast.riverside.uuid,
        "applicant": admitted.applicant.uuid,
        "membership": admitted.membership.uuid,
        "transfer_from": None,
        "motion_uuid": admitted.motion_uuid,
        "parent_motion_uuid": None,
    }[field]
    Application.objects.filter(pk=admitted.pk).update(**{field: other})
    stored = getattr(other, "uuid", other)
    said = repr(str(recorded)) if recorded is not None else "None"
    assert lines(admitted) == [f"'s {named} is '{stored}' but the record says {said}."]


@pytest.mark.tampers
def test_a_sponsorship_moved_changed_deleted_or_added_is_detected(admitted, cast):
    sponsorship = Sponsorship.objects.get(application=admitted, sponsor=cast.bob)
    Sponsorship.objects.filter(pk=sponsorship.pk).update(sponsored_at=LATER - timedelta(days=1))
    assert lines(admitted) == [
        f": {cast.bob.uuid} sponsored at {at(LATER - timedelta(days=1))}, but the record says {at(LATER)}."
    ]
    Sponsorship.objects.filter(pk=sponsorship.pk).update(sponsor=cast.frank, sponsored_at=LATER)
    assert lines(admitted) == ["'s sponsorships are by other members than the record says."]
    sql("DELETE FROM membership_sponsorship WHERE id = %s", [sponsorship.pk])
    assert lines(admitted) == [" holds 1 sponsorship but the record received 2."]
    Sponsorship.objects.create(application=admitted, sponsor=cast.bob, sponsored_at=LATER)
    Sponsorship.objects.create(application=admitted, sponsor=cast.frank, sponsored_at=LATER)
    assert lines(admitted) == [" holds 3 sponsorships but the record received 2."]


@pytest.mark.tampers
def test_an_application_deleted_or_added_in_the_database_is_detected(cast):
    adopt(cast)
    gina = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=gina, council=cast.riverside, now=LATER)
    sql("DELETE FROM membership_application WHERE id = %s", [application.pk])
    forged = Application.objects.create(
        council=cast.riverside, applicant=gina, applied_at=LATER, constitution_version=1
    )
    assert verify_database() == [
        f"[applications] Application {forged.uuid} (sponsoring) exists but the record never received it.",
        f"[applications] Application {application.uuid} is in the record but has vanished from the database.",
    ]
