"""Capture route: an election whose every candidate is gone by certification, seated with nobody."""

import json
from datetime import timedelta

from django.utils import timezone

from councils.elections import tasks
from councils.elections.models import Election
from councils.federation.models import Membership, Seat
from councils.membership import actions as membership_actions
from councils.record.models import Entry
from tests.conftest import NOW
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_an_election_whose_candidates_all_leave_fails_and_the_sitting_delegates_stay(cast, monkeypatch):
    clock = {"now": NOW + timedelta(hours=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice = cast.api(cast.alice)
    base = "/api/v1/elections"
    sitting = set(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True))

    # Riverside Depot elects one delegate; Erin and Frank stand, and everyone votes.
    election = post(
        alice, base, {"council": str(cast.riverside.uuid), "kind": "delegates", "seats": 1}
    ).json()
    path = f"{base}/{election['uuid']}"
    erin, frank = (
        post(cast.api(u), f"{path}/nominations", {"candidate": str(u.uuid)}).json()["uuid"]
        for u in (cast.erin, cast.frank)
    )
    closes_at = clock["now"] + timedelta(days=1)
    assert post(alice, f"{path}/open", {"closes_at": closes_at.isoformat()}).status_code == 200
    for voter, first in [(cast.alice, erin), (cast.bob, erin), (cast.erin, erin), (cast.frank, frank)]:
        assert post(cast.api(voter), f"{path}/ballot", {"ranking": [first]}).status_code == 201

    # 1. Frank leaves while the poll is open: withdrawn, his name stays on the ballots, passed over.
    clock["now"] += timedelta(hours=2)
    membership_actions.leave_membership(
        actor=cast.frank, membership=Membership.objects.get(user=cast.frank), now=clock["now"]
    )
    clock["now"] = closes_at
    assert tasks.close_due_election.call(election["uuid"]) == "closed"
    assert alice.get(f"{path}/results").json()["count"]["elected"] == [erin]

    # 2. Erin, the winner, leaves before certification. The countback has nobody left: it fails.
    clock["now"] += timedelta(hours=1)
    membership_actions.leave_membership(
        actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=clock["now"]
    )
    certified = post(alice, f"{path}/certify").json()
    assert (certified["status"], certified["failure_reason"]) == ("failed", "no_candidates")
    [failed] = Entry.objects.filter(event="election.failed")
    assert json.loads(bytes(failed.data))["payload"]["reason"] == "no_candidates"
    assert not Entry.objects.filter(event="election.certified").exists()
    page = cast.client(cast.alice).get(f"/elections/{election['uuid']}/").content.decode()
    assert "Every candidate withdrew or was withdrawn, so nobody was left to elect" in page
    assert "Call a new election" in page
    results = cast.client(cast.bob).get(f"/elections/{election['uuid']}/results/").content.decode()
    assert "Failed: the countback left no candidate to elect." in results

    # 3. Nobody is seated with nobody: the sitting delegates stay, and the chair calls the next election.
    assert set(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)) == sitting
    assert not Election.objects.filter(is_by_election=True).exists()
    again = post(alice, base, {"council": str(cast.riverside.uuid), "kind": "delegates", "seats": 1})
    assert again.status_code == 201

    # 4. Anyone can check from the record alone that every candidate was gone before it failed.
    assert verify_genuine().problems == []
