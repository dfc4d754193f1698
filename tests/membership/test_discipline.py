from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office
from councils.membership import actions
from councils.membership.errors import DueProcessError
from councils.membership.models import Appeal, DisciplineCase
from councils.motions import actions as motion_actions
from councils.record.actions import reveal_personal
from tests.membership.support import NOW, adopt, make_national_body, payloads, seat, vote_through

HEARING = NOW + timedelta(days=15)


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def _charge(cast, penalty="expulsion", days=None):
    return actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Passed the strike plan to management on 3 February.",
        penalty=penalty,
        suspension_days=days,
        hearing_at=HEARING,
        now=NOW,
    )


def _heard(cast, **kw):
    case = _charge(cast, **kw)
    actions.submit_defence(
        actor=cast.frank,
        case=case,
        statement="I did not; the plan leaked from the notice board.",
        evidence=[{"title": "Photo of the notice board", "url": "https://example.org/board.jpg"}],
        now=NOW + timedelta(days=2),
    )
    return actions.record_hearing(actor=cast.alice, case=case, notes="Both sides heard.", now=HEARING)


def test_charges_give_notice_and_record_only_a_commitment(ready):
    case = _charge(ready)
    assert case.status == DisciplineCase.Status.CHARGED
    [entry] = payloads("discipline.charged")
    assert entry["constitution"] == 1
    assert "strike plan" not in str(entry)
    assert reveal_personal(entry["charges"]) == case.charges
    assert entry["member"] == str(ready.frank.uuid)


def test_notice_mail_reaches_the_accused_after_commit(ready, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _charge(ready)
    [message] = mail.outbox
    assert message.to == ["frank@example.org"]
    assert "hearing" in message.body.lower()


def test_hearing_too_soon_is_refused(ready):
    with pytest.raises(InvalidInputError, match="at least 14 days"):
        actions.bring_charges(
            actor=ready.bob,
            membership=Membership.objects.get(user=ready.frank),
            charges="x",
            penalty="expulsion",
            hearing_at=NOW + timedelta(days=3),
            now=NOW,
        )


def test_charges_from_outside_the_council_or_by_an_observer_are_refused(ready):
    for actor in (ready.dave, ready.carol):
        with pytest.raises(PermissionDeniedError, match="own base council"):
            actions.bring_charges(
                actor=actor,
                membership=Membership.objects.get(user=ready.frank),
                charges="x",
                penalty="expulsion",
                hearing_at=HEARING,
                now=NOW,
            )


def test_unwritten_charges_and_bad_penalties_are_refused(ready):
    frank = Membership.objects.get(user=ready.frank)
    with pytest.raises(InvalidInputError, match="Write the charges"):
        actions.bring_charges(
            actor=ready.bob, membership=frank, charges="  ", penalty="expulsion", hearing_at=HEARING, now=NOW
        )
    with pytest.raises(InvalidInputError, match="suspension lasts"):
        actions.bring_charges(
            actor=ready.bob, membership=frank, charges="x", penalty="suspension", hearing_at=HEARING, now=NOW
        )
    with pytest.raises(InvalidInputError, match="suspension or expulsion"):
        actions.bring_charges(
            actor=ready.bob, membership=frank, charges="x", penalty="fine", hearing_at=HEARING, now=NOW
        )


def test_hearing_cannot_be_held_before_its_date_and_vote_needs_the_hearing(ready):
    case = _charge(ready)
    with pytest.raises(DueProcessError, match="only after the hearing"):
        actions.call_discipline_vote(actor=ready.alice, case=case, now=NOW + timedelta(days=1))
    with pytest.raises(DueProcessError, match="cannot be held earlier"):
        actions.record_hearing(actor=ready.alice, case=case, now=NOW + timedelta(days=1))


def test_only_the_accused_answers_and_evidence_is_checked(ready):
    case = _charge(ready)
    with pytest.raises(PermissionDeniedError, match="accused"):
        actions.submit_defence(actor=ready.bob, case=case, statement="x", now=NOW)
    with pytest.raises(InvalidInputError, match="http"):
        actions.submit_defence(
            actor=ready.frank,
            case=case,
            statement="x",
            evidence=[{"title": "t", "url": "javascript:alert(1)"}],
            now=NOW,
        )
    with pytest.raises(InvalidInputError, match="link or the document"):
        actions.submit_defence(
            actor=ready.frank, case=case, statement="x", evidence=[{"title": "t"}], now=NOW
        )


def test_two_thirds_expel_and_the_record_keeps_it(ready):
    case = _heard(ready)
    vote = actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    assert vote.threshold == "two_thirds"
    vote_through(vote, yes=[ready.alice, ready.erin], now=HEARING)
    membership = Membership.objects.get(user=ready.frank)
    assert membership.status == Membership.Status.EXPELLED
    assert membership.ended_at == HEARING
    [expelled] = payloads("member.expelled")
    assert expelled["case"] == str(case.uuid)
    assert expelled["constitution"] == 1
    # Frank held no seat or office, so nothing else ends and no by-election is called.
    assert (expelled["ended_seats"], expelled["ended_offices"], expelled["byelections"]) == ([], [], [])


def test_short_of_two_thirds_the_charges_are_dismissed(ready):
    case = _heard(ready)
    vote = actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[ready.alice], no=[ready.erin], now=HEARING)
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.DISMISSED
    assert Membership.objects.get(user=ready.frank).status == Membership.Status.FULL


def test_a_discipline_vote_held_at_a_lower_threshold_changes_nothing(ready):
    from django.db import transaction

    from councils.core.rules.votes import compute_result
    from councils.motions.models import Motion

    case = _heard(ready)
    actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    case.refresh_from_db()
    motion = Motion.objects.get(uuid=case.motion_uuid)
    # What a simple-majority vote on the case would hand the outcome handler.
    result = compute_result(yes=2, no=1, abstain=0, electorate=4, threshold="simple", quorum=None)
    assert result.adopted
    with transaction.atomic():
        actions.apply_discipline_outcome(motion=motion, result=result, now=HEARING)
    assert Membership.objects.get(user=ready.frank).status == Membership.Status.FULL
    assert "two thirds" in payloads("discipline.vote_refused")[-1]["reason"]


def test_a_discipline_motion_on_a_case_not_put_to_the_vote_changes_nothing(ready):
    case = _heard(ready)
    motion = motion_actions.table_motion(
        actor=None,
        council=ready.riverside,
        title="Expel Frank",
        text="Expel him now.",
        now=HEARING,
        kind="discipline",
        subject_uuid=case.uuid,
    )
    vote = motion_actions.open_vote(
        actor=ready.alice, motion=motion, now=HEARING, method="named", threshold="two_thirds"
    )
    vote_through(vote, yes=[ready.alice, ready.bob, ready.erin], now=HEARING)
    assert Membership.objects.get(user=ready.frank).status == Membership.Status.FULL
    assert "due-process procedure" in payloads("discipline.vote_refused")[0]["reason"]


def test_a_discipline_motion_without_a_case_changes_nothing(ready):
    motion = motion_actions.table_motion(
        actor=None,
        council=ready.riverside,
        title="Expel Frank",
        text="Expel him now.",
        now=NOW,
        kind="discipline",
        subject_uuid=Membership.objects.get(user=ready.frank).uuid,
    )
    vote = motion_actions.open_vote(
        actor=ready.alice, motion=motion, now=NOW, method="named", threshold="two_thirds"
    )
    vote_through(vote, yes=[ready.alice, ready.bob, ready.erin], now=NOW)
    assert Membership.objects.get(user=ready.frank).status == Membership.Status.FULL
    assert "names no case" in payloads("discipline.vote_refused")[0]["reason"]


def test_suspension_is_served_and_the_member_is_reinstated(ready):
    case = _heard(ready, penalty="suspension", days=30)
    vote = actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[ready.alice, ready.erin], now=HEARING)
    membership = Membership.objects.get(user=ready.frank)
    assert membership.status == Membership.Status.SUSPENDED
    case.refresh_from_db()
    with pytest.raises(ConflictError, match="runs until"):
        actions.end_suspension(actor=ready.frank, case=case, now=HEARING + timedelta(days=5))
    actions.end_suspension(actor=ready.frank, case=case, now=HEARING + timedelta(days=31))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.FULL
    assert payloads("member.reinstated")[0]["reason"] == "suspension_served"
    assert payloads("member.suspended")


def _expelled(cast):
    case = _heard(cast)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[cast.alice, cast.erin], now=HEARING)
    case.refresh_from_db()
    return case


def test_appeal_to_the_parent_then_the_top_body_reinstates(ready):
    case = _expelled(ready)
    seat(ready, from_council=ready.harbour, users=[ready.dave])
    # Frank, expelled, can no longer be seated anywhere: alice and erin make up the congress.
    make_national_body(ready, delegates=[ready.alice, ready.erin])
    with pytest.raises(PermissionDeniedError, match="disciplined member"):
        actions.lodge_appeal(actor=ready.bob, case=case, grounds="x", now=HEARING)
    first = actions.lodge_appeal(
        actor=ready.frank, case=case, grounds="The evidence was ignored.", now=HEARING + timedelta(days=3)
    )
    assert first.council == ready.district
    vote = actions.call_appeal_vote(actor=None, appeal=first, now=HEARING + timedelta(days=4), method="named")
    vote_through(vote, no=[ready.dave], now=HEARING + timedelta(days=5))
    first.refresh_from_db()
    assert first.status == Appeal.Status.DISMISSED
    second = actions.lodge_appeal(
        actor=ready.frank, case=case, grounds="Again.", now=HEARING + timedelta(days=6)
    )
    assert second.council == ready.national
    vote = actions.call_appeal_vote(
        actor=ready.alice, appeal=second, now=HEARING + timedelta(days=7), method="named"
    )
    vote_through(vote, yes=[ready.alice, ready.erin], now=HEARING + timedelta(days=8))
    membership = Membership.objects.get(user=ready.frank)
    assert membership.status == Membership.Status.FULL
    assert membership.ended_at is None
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.REVERSED
    # The expulsion, the dismissed appeal, the allowed one and the reinstatement all stay in the record.
    assert payloads("member.expelled") and payloads("discipline.appeal_dismissed")
    assert payloads("discipline.appeal_allowed")[0]["level"] == 2
    assert payloads("member.reinstated")[0]["reason"] == "appeal_allowed"
    with pytest.raises(ConflictError):
        actions.lodge_appeal(actor=ready.frank, case=case, grounds="More.", now=HEARING + timedelta(days=9))


def test_appeal_after_the_window_is_refused(ready):
    case = _expelled(ready)
    with pytest.raises(ConflictError, match="30 days to appeal"):
        actions.lodge_appeal(actor=ready.frank, case=case, grounds="Late.", now=HEARING + timedelta(days=31))


def test_direct_expulsion_is_refused_with_the_due_process_message(ready):
    membership = Membership.objects.get(user=ready.frank)
    for status in ("expelled", "suspended"):
        with pytest.raises(DueProcessError, match="written charges"):
            actions.change_membership_status(actor=ready.alice, membership=membership, status=status, now=NOW)
    with pytest.raises(DueProcessError, match="admission vote"):
        actions.change_membership_status(actor=ready.alice, membership=membership, status="full", now=NOW)
    with pytest.raises(InvalidInputError):
        actions.change_membership_status(actor=ready.alice, membership=membership, status="banished", now=NOW)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.FULL


def test_charges_withdrawn_by_the_accuser(ready):
    case = _charge(ready)
    with pytest.raises(PermissionDeniedError):
        actions.withdraw_charges(actor=ready.alice, case=case, now=NOW)
    actions.withdraw_charges(actor=ready.bob, case=case, now=NOW)
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.WITHDRAWN


# The vote on charges stays open: no chair can call it and close it before the members have voted.


def test_the_vote_on_charges_stays_open_the_days_the_constitution_sets(ready):
    case = _heard(ready)
    soon = HEARING + timedelta(hours=1)
    with pytest.raises(InvalidInputError) as refused:
        actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, closes_at=soon)
    assert refused.value.code == "closing_time"
    assert refused.value.message == (
        "The vote on charges must stay open at least 7 days: close it at 2026-03-23 09:00 UTC or later."
    )
    with pytest.raises(InvalidInputError, match="A vote on charges may stay open at most 31 days"):
        actions.call_discipline_vote(
            actor=ready.alice, case=case, now=HEARING, closes_at=HEARING + timedelta(days=32)
        )
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.HEARD and not payloads("vote.opened")
    vote = actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    assert vote.closes_at == HEARING + timedelta(days=7)
    [opened] = payloads("vote.opened")
    assert opened["closes_at"] == vote.closes_at.isoformat()
    [called] = payloads("discipline.vote_called")
    assert (called["min_days"], called["constitution"]) == (7, 1)


def test_a_later_closing_time_and_a_constitution_asking_for_more_days(cast):
    adopt(cast, discipline_poll_min_days=10)
    case = _heard(cast)
    with pytest.raises(InvalidInputError, match="at least 10 days"):
        actions.call_discipline_vote(
            actor=cast.alice, case=case, now=HEARING, closes_at=HEARING + timedelta(days=7)
        )
    vote = actions.call_discipline_vote(
        actor=cast.alice, case=case, now=HEARING, closes_at=HEARING + timedelta(days=12)
    )
    assert vote.closes_at == HEARING + timedelta(days=12)
    assert payloads("discipline.vote_called")[0]["min_days"] == 10


def test_the_chair_cannot_close_the_vote_on_charges_while_members_have_yet_to_vote(ready):
    case = _heard(ready)
    vote = actions.call_discipline_vote(actor=ready.alice, case=case, now=HEARING, method="named")
    # Nobody judges their own cause: Bob, who brought the charges, and Frank, accused, do not vote.
    assert vote.electorate_size == 2 and set(vote.parties.all()) == {ready.bob, ready.frank}
    for party in (ready.bob, ready.frank):
        with pytest.raises(PermissionDeniedError, match="As a party to this case you do not vote on it"):
            motion_actions.cast_vote(actor=party, vote=vote, choice="no", now=HEARING)
    motion_actions.cast_vote(actor=ready.alice, vote=vote, choice="yes", now=HEARING)
    with pytest.raises(ConflictError) as refused:
        motion_actions.close_vote(actor=ready.alice, vote=vote, now=HEARING + timedelta(days=6))
    assert refused.value.code == "poll_still_open"
    assert Membership.objects.get(user=ready.frank).status == Membership.Status.FULL
    # Once everyone entitled has voted, the chair may close it.
    motion_actions.cast_vote(actor=ready.erin, vote=vote, choice="no", now=HEARING + timedelta(days=1))
    motion_actions.close_vote(actor=ready.alice, vote=vote, now=HEARING + timedelta(days=1))
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.DISMISSED


def test_at_its_closing_time_the_rules_close_the_vote_on_charges_and_decide_the_case(
    cast, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from councils.motions import tasks

    adopt(cast)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    case = _heard(cast)
    with django_capture_on_commit_callbacks(execute=True):
        vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    scheduled = DBTaskResult.objects.get(task_path="councils.motions.tasks.close_due_vote")
    assert scheduled.run_after == vote.closes_at
    motion_actions.cast_vote(actor=cast.alice, vote=vote, choice="yes", now=HEARING + timedelta(days=2))
    # The worker runs it after the closing time (long past on this clock): Erin never voted.
    assert tasks.close_due_vote.call(str(vote.uuid)) == "adopted"
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.UPHELD
    assert Membership.objects.get(user=cast.frank).status == Membership.Status.EXPELLED
    [expelled] = payloads("member.expelled")
    assert expelled["result"]["turnout"] == 1


def test_the_appeal_vote_stays_open_the_days_the_constitution_sets(ready):
    case = _expelled(ready)
    seat(ready, from_council=ready.harbour, users=[ready.dave])
    appeal = actions.lodge_appeal(actor=ready.frank, case=case, grounds="Ignored.", now=HEARING)
    at = HEARING + timedelta(days=1)
    federation_actions.appoint_founding_officer(
        actor=None, council=ready.district, user=ready.bob, role=Office.Role.CHAIR, now=at
    )
    with pytest.raises(InvalidInputError) as refused:
        actions.call_appeal_vote(actor=None, appeal=appeal, now=at, closes_at=at + timedelta(days=2))
    assert refused.value.code == "closing_time"
    assert refused.value.message.startswith("The vote on an appeal must stay open at least 7 days")
    vote = actions.call_appeal_vote(actor=None, appeal=appeal, now=at, method="named")
    assert vote.closes_at == at + timedelta(days=7)
    assert payloads("discipline.appeal_vote_called")[0]["min_days"] == 7
    # Bob brought the charges: he does not vote on the appeal either, though he sits in the district.
    assert set(vote.parties.all()) == {ready.bob, ready.frank}
    assert payloads("discipline.appeal_vote_called")[0]["parties"] == [
        str(ready.frank.uuid),
        str(ready.bob.uuid),
    ]
    with pytest.raises(PermissionDeniedError, match="As a party to this case"):
        motion_actions.cast_vote(actor=ready.bob, vote=vote, choice="no", now=at)
    with pytest.raises(ConflictError, match="stays open until its closing time"):
        motion_actions.close_vote(actor=ready.bob, vote=vote, now=at + timedelta(days=1))
