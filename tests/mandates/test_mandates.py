import pytest

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.mandates import actions
from councils.mandates.models import Mandate, MandateVote, Notification
from councils.record.models import Entry
from tests.conftest import NOW
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour


@pytest.fixture
def target(cast):
    seat_dave_for_harbour(cast)
    return district_motion(cast)


def test_adopted_motion_of_the_council_makes_a_mandate(cast, rules, target):
    mandate = adopt_mandate(cast, target, choice="yes")
    assert isinstance(mandate, Mandate)
    assert mandate.target_motion_uuid == target.uuid and mandate.choice == "yes"
    assert mandate.target_council == cast.district
    assert Entry.objects.filter(event="mandate.adopted").count() == 1


def test_rejected_proposal_makes_no_mandate(cast, rules, target):
    from councils.motions import actions as motion_actions
    from councils.motions.models import Motion

    proposal = actions.propose_mandate(
        actor=cast.erin, council=cast.riverside, target_motion=target, choice="no", now=NOW
    )
    own = Motion.objects.get(uuid=proposal.motion_uuid)
    motion_actions.second_motion(actor=cast.frank, motion=own, now=NOW)
    vote = motion_actions.open_vote(actor=cast.alice, motion=own, now=NOW)
    motion_actions.cast_vote(actor=cast.alice, vote=vote, choice="no", now=NOW)
    motion_actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert not Mandate.objects.exists()


def test_mandate_on_a_motion_outside_the_parent_is_refused(cast, rules, target):
    from councils.motions import actions as motion_actions

    own = motion_actions.table_motion(
        actor=cast.erin, council=cast.riverside, title="Local", text="x", now=NOW
    )
    with pytest.raises(InvalidInputError, match="pending in the council they sit in"):
        actions.propose_mandate(
            actor=cast.erin, council=cast.riverside, target_motion=own, choice="yes", now=NOW
        )


def test_observer_and_outsider_cannot_propose_a_mandate(cast, rules, target):
    for user in (cast.carol, cast.dave):
        with pytest.raises(PermissionDeniedError):
            actions.propose_mandate(
                actor=user, council=cast.riverside, target_motion=target, choice="yes", now=NOW
            )


def test_invalid_choice_is_refused(cast, rules, target):
    with pytest.raises(InvalidInputError, match="Instruct one of"):
        actions.propose_mandate(
            actor=cast.erin, council=cast.riverside, target_motion=target, choice="maybe", now=NOW
        )


def test_complying_delegate_is_on_the_roll_call_without_alerts(cast, rules, target):
    mandate = adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="yes")
    line = MandateVote.objects.get(mandate=mandate)
    assert line.delegate == cast.bob and line.cast_choice == "yes" and line.complied
    assert not Notification.objects.exists()


def test_deviation_notifies_every_member_and_mails_them_on_commit(
    cast, rules, target, mailoutbox, django_capture_on_commit_callbacks
):
    mandate = adopt_mandate(cast, target, choice="yes")
    with django_capture_on_commit_callbacks(execute=True):
        district_vote(cast, target, bob="no")
    line = MandateVote.objects.get(mandate=mandate)
    assert line.cast_choice == "no" and not line.complied
    notified = set(
        Notification.objects.filter(kind="mandate_deviation").values_list("user__username", flat=True)
    )
    assert notified == {"alice", "bob", "erin", "frank"}
    assert "Bob Novak voted NO" in Notification.objects.first().message
    assert sorted(m.to[0] for m in mailoutbox) == [
        f"{u}@example.org" for u in ("alice", "bob", "erin", "frank")
    ]
    entry = Entry.objects.get(event="mandate.roll_call_checked")
    assert b'"complied":false' in bytes(entry.data)


def test_not_voting_at_all_is_a_deviation(cast, rules, target):
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob=None)
    line = MandateVote.objects.get()
    assert line.cast_choice == "" and not line.complied


def test_later_mandate_supersedes_the_earlier_one(cast, rules, target):
    first = adopt_mandate(cast, target, choice="yes")
    second = adopt_mandate(cast, target, choice="no")
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    district_vote(cast, target, bob="no")
    assert MandateVote.objects.get().mandate == second


def test_decided_motion_cannot_be_mandated(cast, rules, target):
    district_vote(cast, target, bob="yes")
    target.refresh_from_db()
    with pytest.raises(ConflictError, match="already been decided"):
        actions.propose_mandate(
            actor=cast.erin, council=cast.riverside, target_motion=target, choice="yes", now=NOW
        )


def test_roll_call_api_is_public_and_shows_the_deviation(cast, rules, target, django_assert_max_num_queries):
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    client = cast.api(cast.dave)
    with django_assert_max_num_queries(6):
        body = client.get(f"/api/v1/mandates/councils/{cast.riverside.uuid}/roll-call?deviations=true").json()
    assert body["count"] == 1
    line = body["items"][0]
    assert line["delegate"]["name"] == "Bob Novak"
    assert (line["instructed"], line["cast"], line["complied"]) == ("yes", "no", False)


def test_notifications_api_lists_and_marks_read(cast, rules, target):
    import json

    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    client = cast.api(cast.erin)
    body = client.get("/api/v1/mandates/notifications").json()
    assert body["count"] == 1 and body["items"][0]["read"] is False
    marked = client.post(
        "/api/v1/mandates/notifications/read", data=json.dumps({}), content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    assert cast.api(None).get("/api/v1/mandates/notifications").status_code == 401


def test_propose_mandate_through_the_api(cast, rules, target):
    import json

    response = cast.api(cast.erin).post(
        "/api/v1/mandates/proposals",
        data=json.dumps({"council": str(cast.riverside.uuid), "motion": str(target.uuid), "choice": "no"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending" and response.json()["motion"]
    bad = cast.api(cast.erin).post(
        "/api/v1/mandates/proposals",
        data=json.dumps({"council": str(cast.riverside.uuid), "motion": str(target.uuid), "choice": "maybe"}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_vote_without_quorum_is_not_the_roll_call_that_counts(cast, rules, target):
    from datetime import timedelta

    from councils.motions import actions as motion_actions

    adopt_mandate(cast, target, choice="yes")
    vote = motion_actions.open_vote(actor=None, motion=target, now=NOW, quorum=2)
    motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=NOW + timedelta(minutes=1))
    assert not MandateVote.objects.exists()
    target.refresh_from_db()
    district_vote(cast, target, bob="yes", now=NOW + timedelta(minutes=2))
    assert MandateVote.objects.get().complied


def test_roll_call_of_one_delegate(cast, rules, target):
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    url = f"/api/v1/mandates/councils/{cast.riverside.uuid}/roll-call"
    assert cast.api(cast.erin).get(url, {"delegate": str(cast.bob.uuid)}).json()["count"] == 1
    assert cast.api(cast.erin).get(url, {"delegate": str(cast.dave.uuid)}).json()["count"] == 0
    assert cast.api(cast.erin).get(url, {"delegate": "nope"}).status_code == 422
