"""Capture route: a by-election nobody votes in, left hanging so that the seat stays empty unrecorded."""

import json
from datetime import timedelta

from django.utils import timezone

from councils.elections import tasks
from councils.elections.models import Election
from councils.federation.models import Seat
from councils.mandates import actions as mandate_actions
from councils.record.models import Entry
from tests.conftest import NOW
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_a_by_election_nobody_votes_in_fails_in_the_record_and_the_council_calls_the_next(cast, monkeypatch):
    clock = {"now": NOW + timedelta(hours=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice = cast.api(cast.alice)
    base = "/api/v1/elections"

    # Bob resigns as Riverside Depot's delegate; the rules call a by-election for his seat at once.
    seat = Seat.objects.get(from_council=cast.riverside, user=cast.bob, ended_at__isnull=True)
    mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=clock["now"])
    byelection = Election.objects.get(council=cast.riverside, is_by_election=True)
    post(cast.api(cast.erin), f"{base}/{byelection.uuid}/nominations", {"candidate": str(cast.erin.uuid)})
    closes_at = clock["now"] + timedelta(days=1)
    assert (
        post(alice, f"{base}/{byelection.uuid}/open", {"closes_at": closes_at.isoformat()}).status_code == 200
    )

    # 1. Nobody votes. At the closing time the rules close the poll: it fails, in the record, for all to see.
    clock["now"] = closes_at
    assert tasks.close_due_election.call(str(byelection.uuid)) == "failed"
    [failed] = Entry.objects.filter(event="election.failed")
    document = json.loads(bytes(failed.data))
    assert document["actor"] is None
    assert document["payload"] == {
        "election": str(byelection.uuid),
        "reason": "no_ballots",
        "turnout": 0,
        "electorate_size": 4,
    }
    shown = alice.get(f"{base}/{byelection.uuid}").json()
    assert shown["status"] == "failed" and shown["closed_at"] is not None
    page = cast.client(cast.erin).get(f"/elections/{byelection.uuid}/").content.decode()
    assert "No ballots were cast: nobody was elected. The council may call a new election." in page

    # 2. The seat stays empty and the rules do not call another by-election at once: the chair calls it.
    assert not Seat.objects.filter(from_council=cast.riverside, user=cast.bob, ended_at__isnull=True).exists()
    assert Election.objects.filter(council=cast.riverside).count() == 1
    again = post(
        alice, base, {"council": str(cast.riverside.uuid), "kind": "delegates", "is_by_election": True}
    )
    assert again.status_code == 201 and again.json()["status"] == "nominating"

    # 3. Anyone can check from the record alone that the failure was genuine: no ballot, at its time.
    assert verify_genuine().problems == []
