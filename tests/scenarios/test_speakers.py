"""Capture route: a chair keeps the opposition from speaking by taking them off the speakers' list or
passing them over, and hopes nobody can tell afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.meetings.models import Speaker
from councils.record.verification import verify_database
from tests.record.support import documents, find, verify_forged, verify_genuine
from tests.scenarios.test_accountability import post


@pytest.mark.tampers  # It ends by editing the list behind the record's back, to show it caught.
def test_a_chair_who_silences_a_speaker_leaves_a_trace(cast, monkeypatch):
    now = timezone.now().replace(second=0, microsecond=0)
    clock = {"now": now}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice, bob, erin, frank = (cast.api(who) for who in (cast.alice, cast.bob, cast.erin, cast.frank))
    body = {"council": str(cast.riverside.uuid), "title": "General meeting", "place": "Canteen"}
    starts = now + timedelta(hours=48)
    meeting = post(alice, "/api/v1/meetings", {**body, "starts_at": starts.isoformat()}).json()["uuid"]
    url = f"/api/v1/meetings/{meeting}"
    item = post(alice, f"{url}/items", {"kind": "other", "title": "Night shifts"}).json()["uuid"]
    clock["now"] = starts
    assert post(alice, f"{url}/open").status_code == 200
    for client in (alice, bob, erin, frank):
        assert post(client, f"{url}/attendance").status_code == 201
    assert post(alice, f"{url}/next-item").status_code == 200

    # Frank asks to speak, then Erin, who opposes the chair, then Bob, the chair's ally.
    places = {}
    for name, client in (("frank", frank), ("erin", erin), ("bob", bob)):
        clock["now"] += timedelta(minutes=1)
        places[name] = post(client, f"{url}/items/{item}/speakers").json()["uuid"]

    # 1. The chair does not choose who speaks: the floor goes to whoever asked first.
    clock["now"] += timedelta(minutes=1)
    assert post(alice, f"{url}/items/{item}/floor").status_code == 200
    assert Speaker.objects.get(uuid=places["frank"]).status == "speaking"

    # 2. To bring Bob on before Erin, the chair must take Erin off the list. The site lets the chair do
    # that, but the record names the chair as the one who did it, not Erin.
    clock["now"] += timedelta(minutes=1)
    assert post(alice, f"{url}/speakers/{places['erin']}/withdraw").status_code == 200
    assert post(alice, f"{url}/items/{item}/floor").status_code == 200
    assert Speaker.objects.get(uuid=places["bob"]).status == "speaking"
    assert verify_genuine().problems == [] and verify_database() == []
    docs = documents()
    removal = docs[find(docs, "meeting.speaker_withdrawn")]
    assert (removal["actor"], removal["payload"]["member"]) == (str(cast.alice.uuid), str(cast.erin.uuid))

    # 3. A record published without the removal shows Bob given the floor out of turn.
    hidden = [d for d in docs if d["event"] != "meeting.speaker_withdrawn"]
    problems = [str(p) for p in verify_forged(hidden).problems]
    passed_over = (
        f"(place {places['bob']}) out of turn: {cast.erin.uuid} (place {places['erin']}) asked first"
    )
    assert any(passed_over in p for p in problems), problems

    # 4. A database made to say Erin spoke, rather than being taken off, disagrees with the record.
    Speaker.objects.filter(uuid=places["erin"]).update(status="done", floor_at=clock["now"])
    place = f"[speakers] Speakers' list place {places['erin']}"
    assert verify_database() == [
        f"{place}'s status is 'done' but the record says 'withdrawn'.",
        f"{place} was given the floor at "
        f"{clock['now'].strftime('%Y-%m-%dT%H:%M:%S.000000Z')}, but the record never says so.",
    ]
