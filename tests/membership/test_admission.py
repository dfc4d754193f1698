from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.federation.models import Membership
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
