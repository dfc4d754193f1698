from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office
from councils.federation.queries import is_voter
from councils.membership import actions
from councils.membership.models import Application
from councils.motions import actions as motion_actions
from tests.conftest import make_user
from tests.membership.support import LATER, NOW, adopt, payloads, seat, standalone_council, vote_through


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def _candidate(cast, username="gina"):
    applicant = make_user(username, username.title())
    application = actions.apply_for_membership(actor=applicant, council=cast.riverside, now=LATER)
    actions.sponsor_application(actor=cast.bob, application=application, now=LATER)
    actions.sponsor_application(actor=cast.erin, application=application, now=LATER)
    application.refresh_from_db()
    return applicant, application


def test_applicant_with_two_sponsors_becomes_a_candidate_without_a_vote(ready):
    applicant, application = _candidate(ready)
    assert application.status == Application.Status.CANDIDATE
    assert application.membership.status == Membership.Status.CANDIDATE
    assert application.candidate_until == LATER + timedelta(days=90)
    assert not is_voter(user=applicant, council=ready.riverside)
    [started] = payloads("member.candidate_started")
    assert started["constitution"] == 1


def test_admission_vote_makes_a_full_member(ready):
    applicant, application = _candidate(ready)
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=ready.alice, application=application, now=after, method="named")
    vote_through(vote, yes=[ready.alice, ready.bob, ready.erin], no=[ready.frank], now=after)
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    membership = Membership.objects.get(user=applicant, ended_at__isnull=True)
    assert membership.status == Membership.Status.FULL
    assert membership.full_since == after
    assert payloads("member.admitted")[0]["member"] == str(applicant.uuid)


def test_admission_vote_by_secret_ballot_also_decides(ready):
    applicant, application = _candidate(ready)
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=ready.alice, application=application, now=after)
    assert vote.method == "secret"
    vote_through(vote, no=[ready.alice, ready.bob], yes=[ready.erin], now=after)
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert not Membership.objects.filter(user=applicant, ended_at__isnull=True).exists()
    assert payloads("member.not_admitted")[0]["by"] == "council"


def test_vote_before_the_candidate_period_ends_is_refused(ready):
    _, application = _candidate(ready)
    with pytest.raises(ConflictError, match="candidate period runs until"):
        actions.call_admission_vote(
            actor=ready.alice, application=application, now=LATER + timedelta(days=10)
        )


def test_sponsor_without_standing_is_refused(ready):
    applicant = make_user("gina", "Gina")
    application = actions.apply_for_membership(
        actor=applicant, council=ready.riverside, now=NOW + timedelta(days=30)
    )
    with pytest.raises(ConflictError, match="at least 6 months"):
        actions.sponsor_application(actor=ready.bob, application=application, now=NOW + timedelta(days=30))


def test_sponsor_from_another_council_or_observer_is_refused(ready):
    applicant = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=applicant, council=ready.riverside, now=LATER)
    for outsider in (ready.dave, ready.carol):
        with pytest.raises(PermissionDeniedError, match="full members"):
            actions.sponsor_application(actor=outsider, application=application, now=LATER)


def test_sponsoring_twice_or_oneself_is_refused(ready):
    applicant = make_user("gina", "Gina")
    application = actions.apply_for_membership(actor=applicant, council=ready.riverside, now=LATER)
    actions.sponsor_application(actor=ready.bob, application=application, now=LATER)
    with pytest.raises(ConflictError, match="already sponsored"):
        actions.sponsor_application(actor=ready.bob, application=application, now=LATER)


def test_a_member_cannot_apply_again_nor_to_a_higher_council(ready):
    with pytest.raises(ConflictError, match="already a member"):
        actions.apply_for_membership(actor=ready.dave, council=ready.riverside, now=LATER)
    applicant = make_user("gina", "Gina")
    with pytest.raises(InvalidInputError, match="base council"):
        actions.apply_for_membership(actor=applicant, council=ready.district, now=LATER)
    actions.apply_for_membership(actor=applicant, council=ready.riverside, now=LATER)
    with pytest.raises(ConflictError, match="in progress"):
        actions.apply_for_membership(actor=applicant, council=ready.harbour, now=LATER)


def test_without_a_constitution_the_defaults_decide_and_say_so(cast):
    applicant, application = _candidate(cast)
    # The shipped defaults: two sponsors, a 90-day candidate period.
    assert application.status == Application.Status.CANDIDATE
    assert application.candidate_until == LATER + timedelta(days=90)
    assert application.constitution_version == 0
    events = ("membership.applied", "membership.sponsored", "member.candidate_started")
    assert {p["constitution"] for e in events for p in payloads(e)} == {0}
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=cast.alice, application=application, now=after, method="named")
    vote_through(vote, yes=[cast.alice, cast.bob, cast.erin], now=after)
    assert payloads("member.admitted")[0]["constitution"] == 0
    assert is_voter(user=applicant, council=cast.riverside)


def test_surge_is_flagged_and_needs_the_parent_council(ready):
    # Riverside has 4 voters: at 10% one admission a window is its own affair; the second is a surge.
    _, first = _candidate(ready, "gina")
    _, second = _candidate(ready, "hugo")
    assert not first.is_flagged
    assert second.is_flagged
    flagged = payloads("membership.admission_flagged")
    assert [f["application"] for f in flagged] == [str(second.uuid)]
    assert flagged[0]["allowance"] == 1
    after = second.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=ready.alice, application=second, now=after, method="named")
    vote_through(vote, yes=[ready.alice, ready.bob, ready.erin], now=after)
    second.refresh_from_db()
    assert second.status == Application.Status.VOTING
    assert second.membership.status == Membership.Status.CANDIDATE
    with pytest.raises(PermissionDeniedError, match="council above"):
        actions.call_approval_vote(actor=ready.alice, application=second, now=after)
    seat(ready, from_council=ready.harbour, users=[ready.dave])
    parent_vote = actions.call_approval_vote(actor=None, application=second, now=after, method="named")
    vote_through(parent_vote, yes=[ready.bob, ready.dave], now=after)
    second.refresh_from_db()
    assert second.status == Application.Status.ADMITTED
    assert payloads("member.admitted")[-1]["flagged"] is True


def test_parent_approval_is_refused_for_an_unflagged_admission(ready):
    _, first = _candidate(ready)
    with pytest.raises(ConflictError, match="not flagged"):
        actions.call_approval_vote(actor=None, application=first, now=LATER)


def test_applicant_withdraws_and_candidate_membership_ends(ready):
    applicant, application = _candidate(ready)
    with pytest.raises(PermissionDeniedError):
        actions.withdraw_application(actor=ready.bob, application=application, now=LATER)
    actions.withdraw_application(actor=applicant, application=application, now=LATER)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.membership.status == Membership.Status.LEFT


def test_invited_candidate_applies_in_their_own_council(ready):
    from django.db import transaction

    from councils.federation import actions as federation_actions

    invited = make_user("ines", "Ines")
    with transaction.atomic():
        membership = federation_actions.enrol_invited_member(
            invitation_uuid="00000000-0000-0000-0000-000000000001",
            user=invited,
            council=ready.riverside,
            now=LATER,
        )
    application = actions.apply_for_membership(actor=invited, council=ready.riverside, now=LATER)
    assert application.membership == membership
    with pytest.raises(ConflictError, match="already a member"):
        actions.apply_for_membership(actor=invited, council=ready.harbour, now=LATER)
    actions.sponsor_application(actor=ready.bob, application=application, now=LATER)
    actions.sponsor_application(actor=ready.erin, application=application, now=LATER)
    application.refresh_from_db()
    assert application.status == Application.Status.CANDIDATE
    assert Membership.objects.filter(user=invited).count() == 1


def test_member_leaves_and_nobody_else_can_end_their_membership(ready):
    membership = Membership.objects.get(user=ready.frank)
    from councils.membership.errors import DueProcessError

    with pytest.raises(DueProcessError, match="Only the member can leave"):
        actions.leave_membership(actor=ready.alice, membership=membership, now=LATER)
    actions.change_membership_status(actor=ready.frank, membership=membership, status="left", now=LATER)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.ended_at == LATER
    assert payloads("member.left")


def _standalone_candidates(cast, council, sponsors, names):
    applications = []
    for name in names:
        applicant = make_user(name, name.title())
        application = actions.apply_for_membership(actor=applicant, council=council, now=LATER)
        for sponsor in sponsors:
            actions.sponsor_application(actor=sponsor, application=application, now=LATER)
        application.refresh_from_db()
        applications.append(application)
    return applications


def test_surge_in_a_council_with_no_parent_needs_its_longer_standing_members(ready):
    bakery, (sam, tess, uma, vic) = standalone_council(ready)
    first, second, third = _standalone_candidates(ready, bakery, [tess, uma], ["wes", "xia", "yan"])
    assert [a.is_flagged for a in (first, second, third)] == [False, True, True]
    # The flag stays visible and names who approves: the council itself, having nobody above.
    assert {f["approval_by"] for f in payloads("membership.admission_flagged")} == {str(bakery.uuid)}
    after = first.candidate_until + timedelta(days=1)
    for application in (first, second, third):
        vote = actions.call_admission_vote(actor=sam, application=application, now=after, method="named")
        vote_through(vote, yes=[sam, tess, uma], now=after)
    wes = first.applicant
    assert is_voter(user=wes, council=bakery)  # admitted within the window, by the council alone
    second.refresh_from_db()
    assert (
        second.status == Application.Status.VOTING and second.membership.status == Membership.Status.CANDIDATE
    )

    # Only the members full before the surge window approve; wes, admitted in the same wave, may not.
    approval = actions.call_approval_vote(actor=sam, application=second, now=after, method="named")
    assert approval.motion.council == bakery and approval.threshold == "simple"
    assert approval.electorate_size == 4
    with pytest.raises(PermissionDeniedError, match="not in the electorate"):
        motion_actions.cast_vote(actor=wes, vote=approval, choice="yes", now=after)
    with pytest.raises(PermissionDeniedError, match="not in the electorate"):
        motion_actions.cast_vote(actor=second.applicant, vote=approval, choice="yes", now=after)
    [called] = payloads("membership.approval_vote_called")
    cutoff = LATER - timedelta(days=30)
    assert called["by"] == "standing_members"
    assert called["members_before"] == payloads("vote.opened")[-1]["members_before"]
    assert called["members_before"].startswith(cutoff.strftime("%Y-%m-%dT%H:%M:%S"))
    vote_through(approval, yes=[sam, tess, uma], no=[vic], now=after)
    second.refresh_from_db()
    assert second.status == Application.Status.ADMITTED
    assert payloads("membership.admission_approved")[-1]["by"] == "standing_members"
    assert payloads("member.admitted")[-1]["flagged"] is True

    # The third is turned down by the same members: it never becomes a member.
    refusal = actions.call_approval_vote(actor=None, application=third, now=after, method="named")
    vote_through(refusal, yes=[sam], no=[tess, uma, vic], now=after)
    third.refresh_from_db()
    assert third.status == Application.Status.REJECTED
    assert third.membership.status == Membership.Status.LEFT
    assert payloads("member.not_admitted")[-1]["by"] == "standing_members"


def test_only_the_standalone_councils_chair_calls_its_approval_vote(ready):
    bakery, (sam, tess, uma, _) = standalone_council(ready)
    _, flagged = _standalone_candidates(ready, bakery, [tess, uma], ["wes", "xia"])
    with pytest.raises(PermissionDeniedError, match="council that approves"):
        actions.call_approval_vote(actor=ready.alice, application=flagged, now=LATER)
    with pytest.raises(PermissionDeniedError, match="council that approves"):
        actions.call_approval_vote(actor=tess, application=flagged, now=LATER)
    actions.call_approval_vote(actor=sam, application=flagged, now=LATER)
    with pytest.raises(ConflictError, match="already been called"):
        actions.call_approval_vote(actor=sam, application=flagged, now=LATER)


def test_standing_approval_is_refused_when_nobody_predates_the_surge(cast):
    # Sponsors of six months' standing are needed by default; only a constitution without that wait gets here.
    adopt(cast, sponsor_min_months=0, admission_surge_days=400)
    bakery, (sam, tess, uma, _) = standalone_council(cast)
    _, flagged = _standalone_candidates(cast, bakery, [tess, uma], ["wes", "xia"])
    assert flagged.is_flagged
    with pytest.raises(ConflictError, match="Nobody was a full member of Harbourside Bakery before"):
        actions.call_approval_vote(actor=sam, application=flagged, now=LATER)
    assert flagged.parent_motion_uuid is None


# The admission vote stays open: no chair can pack the council by calling it and closing it at once.


def test_the_admission_vote_stays_open_the_days_the_constitution_sets(ready):
    _, application = _candidate(ready)
    after = application.candidate_until + timedelta(days=1)
    with pytest.raises(InvalidInputError) as refused:
        actions.call_admission_vote(
            actor=ready.alice, application=application, now=after, closes_at=after + timedelta(minutes=5)
        )
    assert refused.value.code == "closing_time"
    assert refused.value.message == (
        "The admission vote must stay open at least 3 days: close it at "
        f"{after + timedelta(days=3):%Y-%m-%d %H:%M} UTC or later."
    )
    with pytest.raises(InvalidInputError, match="An admission vote may stay open at most 31 days"):
        actions.call_admission_vote(
            actor=ready.alice, application=application, now=after, closes_at=after + timedelta(days=32)
        )
    application.refresh_from_db()
    assert application.status == Application.Status.CANDIDATE and not payloads("vote.opened")
    vote = actions.call_admission_vote(actor=ready.alice, application=application, now=after)
    assert vote.closes_at == after + timedelta(days=3)
    [opened] = payloads("vote.opened")
    assert opened["closes_at"] == vote.closes_at.isoformat()
    [called] = payloads("membership.admission_vote_called")
    assert (called["min_days"], called["constitution"]) == (3, 1)


def test_a_constitution_asking_for_more_days_and_a_later_closing_time(cast):
    adopt(cast, admission_poll_min_days=5, admission_poll_max_days=10)
    _, application = _candidate(cast)
    after = application.candidate_until + timedelta(days=1)
    with pytest.raises(InvalidInputError, match="at least 5 days"):
        actions.call_admission_vote(
            actor=cast.alice, application=application, now=after, closes_at=after + timedelta(days=4)
        )
    with pytest.raises(InvalidInputError, match="at most 10 days"):
        actions.call_admission_vote(
            actor=cast.alice, application=application, now=after, closes_at=after + timedelta(days=11)
        )
    vote = actions.call_admission_vote(
        actor=cast.alice, application=application, now=after, closes_at=after + timedelta(days=8)
    )
    assert vote.closes_at == after + timedelta(days=8)
    assert payloads("membership.admission_vote_called")[0]["min_days"] == 5


def test_the_chair_cannot_close_the_admission_vote_with_a_few_friends_present(ready):
    applicant, application = _candidate(ready)
    after = application.candidate_until + timedelta(days=1)
    vote = actions.call_admission_vote(actor=ready.alice, application=application, now=after, method="named")
    for voter in (ready.alice, ready.bob):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=after)
    with pytest.raises(ConflictError) as refused:
        motion_actions.close_vote(actor=ready.alice, vote=vote, now=after + timedelta(hours=1))
    assert refused.value.code == "poll_still_open"
    application.refresh_from_db()
    assert application.status == Application.Status.VOTING
    assert not is_voter(user=applicant, council=ready.riverside)
    # Once everyone entitled has voted, the chair may close it.
    for voter in (ready.erin, ready.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="no", now=after + timedelta(hours=2))
    motion_actions.close_vote(actor=ready.alice, vote=vote, now=after + timedelta(hours=2))
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED


def test_at_its_closing_time_the_rules_close_the_admission_vote_and_admit(
    cast, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from councils.motions import tasks

    # A short candidate period, so that the closing time is past on this clock when the worker runs.
    adopt(cast, candidate_period_days=30)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    applicant, application = _candidate(cast)
    after = application.candidate_until + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        vote = actions.call_admission_vote(
            actor=cast.alice, application=application, now=after, method="named"
        )
    scheduled = DBTaskResult.objects.get(task_path="councils.motions.tasks.close_due_vote")
    assert scheduled.run_after == vote.closes_at
    for voter in (cast.alice, cast.bob):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=after + timedelta(days=1))
    # The worker runs it after the closing time (long past on this clock): Erin and Frank never voted.
    assert tasks.close_due_vote.call(str(vote.uuid)) == "adopted"
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    assert Membership.objects.get(user=applicant, ended_at__isnull=True).status == Membership.Status.FULL
    assert payloads("member.admitted")[0]["member"] == str(applicant.uuid)


def test_the_approval_vote_stays_open_as_long_as_an_admission_vote(ready):
    _candidate(ready, "gina")
    _, second = _candidate(ready, "hugo")
    seat(ready, from_council=ready.harbour, users=[ready.dave])
    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.bob, role=Office.Role.CHAIR, now=LATER
    )
    with pytest.raises(InvalidInputError) as refused:
        actions.call_approval_vote(
            actor=None, application=second, now=LATER, closes_at=LATER + timedelta(days=1)
        )
    assert refused.value.message.startswith("The approval vote must stay open at least 3 days")
    vote = actions.call_approval_vote(actor=None, application=second, now=LATER, method="named")
    assert vote.closes_at == LATER + timedelta(days=3)
    assert payloads("membership.approval_vote_called")[0]["min_days"] == 3
    motion_actions.cast_vote(actor=ready.bob, vote=vote, choice="yes", now=LATER)
    with pytest.raises(ConflictError, match="stays open until its closing time"):
        motion_actions.close_vote(actor=ready.bob, vote=vote, now=LATER + timedelta(hours=1))
    second.refresh_from_db()
    assert second.status == Application.Status.CANDIDATE and second.parent_approved_at is None
