"""Capture route: the chair closes an election's poll when it suits their candidate."""

import json
from datetime import timedelta

from django.utils import timezone

from councils.core.ledger.encoding import format_time
from councils.elections import tasks
from councils.elections.models import Election
from councils.record.models import Entry
from tests.conftest import NOW
from tests.record.support import verify_genuine


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_chair_cannot_close_the_poll_while_their_candidate_leads(cast, monkeypatch):
    clock = {"now": NOW + timedelta(hours=1)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice = cast.api(cast.alice)
    base = "/api/v1/elections"

    # Alice, Riverside Depot's chair, calls an election of its treasurer. Bob, her ally, stands against Erin.
    called = post(alice, base, {"council": str(cast.riverside.uuid), "kind": "office", "role": "treasurer"})
    treasurer = called.json()["uuid"]
    bob, erin = (
        post(cast.api(u), f"{base}/{treasurer}/nominations", {"candidate": str(u.uuid)}).json()["uuid"]
        for u in (cast.bob, cast.erin)
    )

    # 1. A snap poll, over before most members hear of it, is refused: it must run at least 15 minutes.
    snap = post(
        alice, f"{base}/{treasurer}/open", {"closes_at": (clock["now"] + timedelta(minutes=5)).isoformat()}
    )
    assert snap.status_code == 422 and "at least 15 minutes" in snap.json()["detail"]
    closes_at = clock["now"] + timedelta(days=2)
    opened = post(alice, f"{base}/{treasurer}/open", {"closes_at": closes_at.isoformat()})
    assert opened.status_code == 200
    [entry] = Entry.objects.filter(event="election.opened")
    assert json.loads(bytes(entry.data))["payload"]["closes_at"] == format_time(closes_at)

    # 2. Alice and Bob vote for Bob at once; with Bob ahead, Alice tries to close the poll. Refused.
    for user in (cast.alice, cast.bob):
        assert post(cast.api(user), f"{base}/{treasurer}/ballot", {"approvals": [bob]}).status_code == 201
    clock["now"] += timedelta(hours=2)
    early = post(alice, f"{base}/{treasurer}/close")
    assert early.status_code == 409
    assert early.json()["detail"] == "This poll stays open until its closing time unless everyone has voted."

    # 3. Frank votes for Erin the next day. Erin has yet to vote, so the poll still stays open.
    clock["now"] += timedelta(days=1)
    assert post(cast.api(cast.frank), f"{base}/{treasurer}/ballot", {"approvals": [erin]}).status_code == 201
    assert post(alice, f"{base}/{treasurer}/close").status_code == 409
    assert Election.objects.get(uuid=treasurer).status == "voting"

    # 4. At the closing time the rules close the poll and count it: no officer is needed, and none can
    #    keep it open. A ballot that comes later is refused, whoever it would help.
    clock["now"] = closes_at
    late = post(cast.api(cast.erin), f"{base}/{treasurer}/ballot", {"approvals": [erin]})
    assert late.status_code == 409 and late.json()["detail"] == "Voting time is over."
    assert tasks.close_due_election.call(treasurer) == "closed"
    [closed] = Entry.objects.filter(event="election.closed")
    document = json.loads(bytes(closed.data))
    assert document["actor"] is None and document["payload"]["turnout"] == 3

    # 5. Anyone can check from the record alone that no ballot came late and the poll was not cut short.
    verdict = verify_genuine()
    assert verdict.problems == []
