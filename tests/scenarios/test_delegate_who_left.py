"""Capture route: a delegate who has left the workplace they speak for keeps voting in the council above."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from councils.core.errors import PermissionDeniedError
from councils.elections import actions as election_actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office, Seat
from councils.motions import actions as motion_actions
from councils.record.models import Entry
from tests.membership.support import adopt, payloads, seat
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_a_delegate_who_left_their_workplace_cannot_keep_voting_upstairs(cast):
    adopt(cast)
    now = timezone.now()
    # Bob sits for Riverside Depot in Eastside District, beside Dave for Harbour Works, who chairs it.
    seat(cast, from_council=cast.harbour, users=[cast.dave])
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.dave, role=Office.Role.CHAIR, now=now
    )
    # The district is voting on a motion and electing its delegates to the city; both froze Bob in.
    motion = motion_actions.table_motion(
        actor=None, council=cast.district, title="Joint claim", text="Table a joint pay claim.", now=now
    )
    vote = motion_actions.open_vote(actor=cast.dave, motion=motion, now=now, method="named")
    election = election_actions.call_election(
        actor=cast.dave, council=cast.district, kind="delegates", now=now
    )
    dave = election_actions.nominate(actor=cast.dave, election=election, candidate=cast.dave, now=now)
    election = election_actions.open_voting(
        actor=cast.dave, election=election, closes_at=now + timedelta(hours=1), now=now
    )
    assert (vote.electorate_size, election.electorate_size) == (2, 2)

    # 1. Bob leaves Riverside Depot, the council he speaks for.
    membership = Membership.objects.get(user=cast.bob)
    bob = cast.api(cast.bob)
    left = post(bob, f"/api/v1/membership/members/{membership.uuid}/status", {"status": "left"})
    assert left.status_code == 200 and left.json()["status"] == "left"

    # His seat ended with his membership, and Riverside's by-election to replace him is called at once.
    [district_seat] = Seat.objects.filter(user=cast.bob, council=cast.district)
    assert district_seat.ended_reason == "left" and district_seat.ended_at is not None
    byelection = Election.objects.get(council=cast.riverside, is_by_election=True, called_by=None)
    [recorded] = payloads("member.left")
    assert recorded["ended_seats"] == [str(district_seat.uuid)]
    assert recorded["byelections"] == [str(byelection.uuid)]

    # 2. He tries to vote upstairs anyway: outside the federation now, he cannot even find the vote.
    assert post(bob, f"/api/v1/motions/votes/{vote.uuid}/cast", {"choice": "no"}).status_code == 404
    ballot = post(bob, f"/api/v1/elections/{election.uuid}/ballot", {"ranking": [str(dave.uuid)]})
    assert ballot.status_code == 404

    # 3. Whatever the interface, the actions themselves refuse him: being on a list frozen before he
    # left is not enough; a vote needs a seat, a ballot a vote in the council, when cast.
    with pytest.raises(PermissionDeniedError) as refused:
        motion_actions.cast_vote(actor=cast.bob, vote=vote, choice="no", now=timezone.now())
    assert str(refused.value) == "You are not in the electorate of this vote."
    with pytest.raises(PermissionDeniedError) as refused:
        election_actions.cast_ballot(
            actor=cast.bob, election=election, ranking=[str(dave.uuid)], now=timezone.now()
        )
    assert str(refused.value) == (
        "You no longer have a vote in Eastside District, so you cannot vote in its election."
    )

    # Nothing he tried reached the record, and the record checks out.
    assert not Entry.objects.filter(event__in=["vote.cast", "election.ballot_cast"]).exists()
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
