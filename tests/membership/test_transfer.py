"""Moving a membership to another base council: the receiving council's vote decides, nothing is bypassed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office, Seat
from councils.membership import actions
from councils.membership.models import Application, DisciplineCase
from councils.motions import actions as motion_actions
from councils.record.models import Entry
from tests.conftest import make_user
from tests.membership.support import (
    NOW,
    adopt,
    entries,
    invited_candidate,
    payloads,
    upheld_case,
    vote_through,
)
from tests.record.support import documents, verify_forged, verify_genuine

T = NOW + timedelta(days=10)


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def _request(cast, user=None, council=None, now=T):
    return actions.request_transfer(
        actor=user or cast.dave,
        council=council or cast.riverside,
        statement="I drive for Riverside now.",
        now=now,
    )


def _admit(cast, application, now=T):
    vote = actions.call_admission_vote(actor=cast.alice, application=application, now=now, method="named")
    vote_through(vote, yes=[cast.alice, cast.bob, cast.erin], no=[cast.frank], now=now)
    application.refresh_from_db()
    return vote


def _assert_verified() -> None:
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    call_command("verify_record")


def test_a_full_member_asks_to_transfer_with_no_sponsors_and_no_candidate_period(ready):
    application = _request(ready)
    assert application.status == Application.Status.AWAITING_VOTE
    assert application.transfer_from == Membership.objects.get(user=ready.dave, ended_at__isnull=True)
    assert application.membership is None and application.candidate_until is None
    assert not application.is_flagged
    [requested] = payloads("membership.transfer_requested")
    assert requested == {
        "application": str(application.uuid),
        "applicant": str(ready.dave.uuid),
        "from_membership": str(application.transfer_from.uuid),
        "from_council": str(ready.harbour.uuid),
        "flagged": False,
        "constitution": 1,
    }
    # Until admitted they stay where they are.
    assert Membership.objects.get(user=ready.dave, ended_at__isnull=True).council == ready.harbour


def test_admission_moves_the_membership_in_one_step_keeping_the_date_they_joined(ready):
    old = Membership.objects.get(user=ready.dave)
    application = _request(ready)
    _admit(ready, application)
    assert application.status == Application.Status.ADMITTED
    old.refresh_from_db()
    new = Membership.objects.get(user=ready.dave, ended_at__isnull=True)
    assert (old.status, old.ended_at) == (Membership.Status.TRANSFERRED, T)
    assert (new.council, new.status, new.joined_at, new.full_since) == (
        ready.riverside,
        Membership.Status.FULL,
        old.joined_at,
        T,
    )
    assert new.transferred_from == old and application.membership == new
    [moved] = payloads("member.transferred")
    assert moved["membership"] == str(new.uuid) and moved["from_membership"] == str(old.uuid)
    assert moved["from_council"] == str(ready.harbour.uuid)
    assert moved["joined_at"] == "2026-03-01T09:00:00.000000Z"
    assert moved["ended_seats"] == moved["ended_offices"] == moved["withdrawn_candidacies"] == []
    assert [d["council"] for d in entries("member.transferred")] == [str(ready.riverside.uuid)]
    _assert_verified()


def test_a_transfer_vote_stays_open_and_the_rules_move_the_member_at_its_closing_time(
    cast, settings, django_capture_on_commit_callbacks
):
    """A transfer is no back door into a council: its vote is an admission vote, and is not rushed."""
    from django_tasks_db.models import DBTaskResult

    from councils.motions import tasks

    adopt(cast)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    application = _request(cast)
    with pytest.raises(InvalidInputError, match="The admission vote must stay open at least 3 days"):
        actions.call_admission_vote(actor=cast.alice, application=application, now=T, closes_at=T)
    with django_capture_on_commit_callbacks(execute=True):
        vote = actions.call_admission_vote(actor=cast.alice, application=application, now=T, method="named")
    assert vote.closes_at == T + timedelta(days=3)
    assert (
        DBTaskResult.objects.get(task_path="councils.motions.tasks.close_due_vote").run_after
        == vote.closes_at
    )
    motion_actions.cast_vote(actor=cast.alice, vote=vote, choice="yes", now=T)
    with pytest.raises(ConflictError) as refused:
        motion_actions.close_vote(actor=cast.alice, vote=vote, now=T + timedelta(minutes=5))
    assert refused.value.code == "poll_still_open"
    assert Membership.objects.get(user=cast.dave, ended_at__isnull=True).council == cast.harbour
    # The worker runs it after the closing time (long past on this clock).
    assert tasks.close_due_vote.call(str(vote.uuid)) == "adopted"
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert Membership.objects.get(user=cast.dave, ended_at__isnull=True).council == cast.riverside
    _assert_verified()


def test_standing_starts_again_in_the_new_council(ready):
    application = _request(ready)
    _admit(ready, application)
    newcomer = make_user("gina", "Gina")
    applied = actions.apply_for_membership(actor=newcomer, council=ready.riverside, now=T)
    with pytest.raises(ConflictError, match="at least 6 months"):
        actions.sponsor_application(actor=ready.dave, application=applied, now=T + timedelta(days=30))


def test_a_refused_transfer_leaves_them_a_member_of_their_council(ready):
    application = _request(ready)
    vote = actions.call_admission_vote(actor=ready.alice, application=application, now=T, method="named")
    vote_through(vote, yes=[ready.alice], no=[ready.bob, ready.erin, ready.frank], now=T)
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    [current] = Membership.objects.filter(user=ready.dave)
    assert (current.council, current.status, current.ended_at) == (ready.harbour, "full", None)
    assert payloads("member.not_admitted")[0]["membership"] is None
    _assert_verified()


def test_a_pending_transfer_can_be_withdrawn_and_leaving_withdraws_it(ready):
    application = _request(ready)
    with pytest.raises(PermissionDeniedError):
        actions.withdraw_application(actor=ready.alice, application=application, now=T)
    actions.withdraw_application(actor=ready.dave, application=application, now=T)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert Membership.objects.get(user=ready.dave).status == Membership.Status.FULL
    again = _request(ready)
    actions.leave_membership(actor=ready.dave, membership=Membership.objects.get(user=ready.dave), now=T)
    again.refresh_from_db()
    assert again.status == Application.Status.WITHDRAWN
    _assert_verified()


@pytest.mark.parametrize(
    ("who", "where", "error", "message"),
    [
        ("dave", "harbour", ConflictError, "already a member of Harbour Works"),
        ("dave", "district", InvalidInputError, "base council"),
        ("gina", "riverside", ConflictError, "not a member of any council"),
    ],
)
def test_impossible_transfers_are_refused(ready, who, where, error, message):
    user = make_user("gina", "Gina") if who == "gina" else getattr(ready, who)
    with pytest.raises(error, match=message):
        _request(ready, user=user, council=getattr(ready, where))


def test_only_one_request_at_a_time(ready):
    _request(ready)
    with pytest.raises(ConflictError, match="in progress"):
        _request(ready)


def test_a_member_of_another_federation_cannot_transfer_in(ready):
    other = federation_actions.create_federation(actor=None, name="Other", now=NOW)
    elsewhere = federation_actions.create_council(
        actor=None, federation=other, name="Elsewhere", kind="workplace", parent=None, is_base=True, now=NOW
    )
    with pytest.raises(InvalidInputError, match="own federation"):
        _request(ready, council=elsewhere)


def test_a_candidate_cannot_transfer(ready, django_capture_on_commit_callbacks):
    gina = invited_candidate(
        django_capture_on_commit_callbacks, actor=ready.alice, council=ready.riverside, username="gina", now=T
    )
    assert Membership.objects.get(user=gina).status == Membership.Status.CANDIDATE
    with pytest.raises(ConflictError, match="Only a full member can transfer"):
        _request(ready, user=gina, council=ready.harbour)


def _charge(cast, *, now=T):
    return actions.bring_charges(
        actor=cast.erin,
        membership=Membership.objects.get(user=cast.frank),
        charges="Broke the strike.",
        penalty="suspension",
        suspension_days=10,
        hearing_at=now + timedelta(days=15),
        now=now,
    )


def test_a_member_facing_charges_cannot_escape_them_by_transferring(ready):
    _charge(ready)
    with pytest.raises(ConflictError, match="Charges against the member are open in Riverside Depot"):
        _request(ready, user=ready.frank, council=ready.harbour)


def test_charges_brought_while_a_transfer_is_pending_stop_the_move(ready):
    application = _request(ready, user=ready.frank, council=ready.harbour)
    case = _charge(ready)
    with pytest.raises(ConflictError, match="Charges against the member"):
        actions.call_admission_vote(actor=None, application=application, now=T)
    actions.withdraw_charges(actor=ready.erin, case=case, now=T)
    vote = actions.call_admission_vote(actor=None, application=application, now=T, method="named")
    # Charged again before the vote closes: the transfer is refused with the reason.
    _charge(ready)
    vote_through(vote, yes=[ready.dave], now=T)
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert Membership.objects.get(user=ready.frank, ended_at__isnull=True).council == ready.riverside
    [refused] = payloads("member.not_admitted")
    assert refused["reason"].startswith("Charges against the member are open in Riverside Depot")
    assert DisciplineCase.objects.filter(status="charged").count() == 1
    _assert_verified()


def test_a_delegate_who_transfers_no_longer_represents_the_council_they_left(ready):
    # Erin is Riverside's secretary and the district's treasurer (an office held without a seat there);
    # Bob sits for Riverside in the district.
    for council, role in ((ready.riverside, Office.Role.SECRETARY), (ready.district, Office.Role.TREASURER)):
        federation_actions.appoint_founding_officer(
            actor=None, council=council, user=ready.erin, role=role, now=NOW
        )
    bob = _request(ready, user=ready.bob, council=ready.harbour)
    erin = _request(ready, user=ready.erin, council=ready.harbour)
    # Erin's transfer came second in Harbour's surge window: the district (Bob sits there) must approve it.
    assert (bob.is_flagged, erin.is_flagged) == (False, True)
    vote = actions.call_admission_vote(actor=None, application=erin, now=T, method="named")
    vote_through(vote, yes=[ready.dave], now=T)
    assert Membership.objects.get(user=ready.erin, ended_at__isnull=True).council == ready.riverside
    approval = actions.call_approval_vote(actor=None, application=erin, now=T, method="named")
    vote_through(approval, yes=[ready.bob], now=T)
    assert Membership.objects.get(user=ready.erin, ended_at__isnull=True).council == ready.harbour
    vote = actions.call_admission_vote(actor=None, application=bob, now=T, method="named")
    vote_through(vote, yes=[ready.dave, ready.erin], now=T)

    seat = Seat.objects.get(user=ready.bob, council=ready.district)
    assert (seat.ended_at, seat.ended_reason) == (T, "transferred")
    secretary = Office.objects.get(user=ready.erin, council=ready.riverside)
    treasurer = Office.objects.get(user=ready.erin, council=ready.district)
    assert (secretary.ended_at, secretary.ended_reason) == (T, "transferred")
    # Harbour Works is in the district too: Erin is still one of its members, and keeps that office.
    assert treasurer.ended_at is None
    moved = {p["member"]: p for p in payloads("member.transferred")}
    assert moved[str(ready.bob.uuid)]["ended_seats"] == [str(seat.uuid)]
    assert moved[str(ready.bob.uuid)]["byelections"]
    assert moved[str(ready.erin.uuid)]["ended_offices"] == [str(secretary.uuid)]
    assert {p["reason"] for p in payloads("delegate.unseated")} == {"transferred"}
    _assert_verified()


def _open_vote(council, now=T):
    motion = motion_actions.table_motion(
        actor=None, council=council, title="Overtime", text="Refuse it.", now=now
    )
    return motion_actions.open_vote(actor=None, motion=motion, now=now, method="named")


def test_frozen_electorates_give_no_vote_where_it_was_called_before_and_keep_no_vote_left_behind(ready):
    riverside_vote = _open_vote(ready.riverside)
    harbour_voted, harbour_open = _open_vote(ready.harbour), _open_vote(ready.harbour)
    motion_actions.cast_vote(actor=ready.dave, vote=harbour_voted, choice="yes", now=T)
    application = _request(ready)
    _admit(ready, application)

    # No vote in Riverside's vote, called before the transfer.
    with pytest.raises(PermissionDeniedError, match="not in the electorate"):
        motion_actions.cast_vote(actor=ready.dave, vote=riverside_vote, choice="yes", now=T)
    riverside_vote.refresh_from_db()
    assert riverside_vote.electorate_size == 4
    # Harbour's frozen electorates keep their size; the ballot cast before the move stands, but the
    # member has no vote there any more, as anyone who has left.
    with pytest.raises(PermissionDeniedError, match="not in the electorate"):
        motion_actions.cast_vote(actor=ready.dave, vote=harbour_open, choice="yes", now=T)
    result = motion_actions.close_vote(actor=None, vote=harbour_voted, now=T)
    assert (result.yes, harbour_voted.electorate_size) == (1, 1)
    # A vote Riverside calls after the transfer counts them.
    later = _open_vote(ready.riverside)
    assert later.electorate_size == 5
    motion_actions.cast_vote(actor=ready.dave, vote=later, choice="no", now=T)
    _assert_verified()


def test_a_transfer_counts_towards_the_surge_limit(ready):
    gina = make_user("gina", "Gina")
    actions.apply_for_membership(actor=gina, council=ready.riverside, now=T)
    application = _request(ready)
    assert application.is_flagged
    [flag] = payloads("membership.admission_flagged")
    assert (flag["application"], flag["applications_in_window"]) == (str(application.uuid), 2)
    _admit(ready, application)
    # Flagged: the council's own vote is not enough, the district must approve the move too.
    assert Membership.objects.get(user=ready.dave, ended_at__isnull=True).council == ready.harbour


def test_a_suspended_member_is_not_moved(ready):
    application = _request(ready, user=ready.frank, council=ready.harbour)
    vote = actions.call_admission_vote(
        actor=None, application=application, now=T, method="named", closes_at=T + timedelta(days=20)
    )
    # Charged once the vote is open, Frank is suspended 15 days later, before it closes.
    case = upheld_case(ready, now=T)
    vote_through(vote, yes=[ready.dave], now=case.decided_at)
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert "suspended" in payloads("member.not_admitted")[0]["reason"]


@pytest.mark.tampers
def test_the_verifier_finds_a_tampered_transfer(ready, capsys):
    application = _request(ready)
    _admit(ready, application)
    Membership.objects.filter(user=ready.dave, council=ready.riverside).update(status="left", ended_at=T)
    Membership.objects.filter(user=ready.dave, council=ready.harbour).update(status="full", ended_at=None)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_record")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    old, new = Membership.objects.filter(user=ready.dave).order_by("council__name")
    assert f"Membership {old.uuid} is 'full' but the record says 'transferred'." in out
    assert f"Membership {new.uuid} is 'left' but the record says 'full'." in out


def test_the_replay_refuses_a_forged_transfer(ready):
    application = _request(ready)
    _admit(ready, application)
    docs = documents()
    [moved] = [d for d in docs if d["event"] == "member.transferred"]
    # A forger moves someone else's membership, from a council they never belonged to.
    moved["payload"]["from_council"] = str(ready.district.uuid)
    verdict = verify_forged(docs)
    assert any("which is not theirs in that council" in str(p) for p in verdict.problems)
    moved["payload"]["from_council"] = str(ready.harbour.uuid)
    bob_seat = next(d for d in docs if d["event"] == "delegate.seated")
    bob_seat["payload"]["delegate"] = str(ready.dave.uuid)
    bob_seat["payload"]["from_council"] = str(ready.harbour.uuid)
    verdict = verify_forged(docs)
    assert any("still sits for the council they left" in str(p) for p in verdict.problems)
    assert Entry.objects.filter(event="member.transferred").count() == 1
