"""Capture route: a chair disposes of the members' petition at a meeting called at a moment's notice,
opened early, or held with nobody there."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from councils.petitions.models import ForcedAgendaItem
from councils.record.models import Entry
from tests.scenarios.test_accountability import post


def test_a_snap_meeting_an_early_start_or_an_empty_room_cannot_dispose_of_a_petition(cast, monkeypatch):
    now = timezone.now().replace(second=0, microsecond=0)
    clock = {"now": now}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    alice, erin = cast.api(cast.alice), cast.api(cast.erin)

    # Erin and Frank petition for an item the chair would rather not hear.
    started = post(
        erin,
        "/api/v1/petitions",
        {"council": str(cast.riverside.uuid), "title": "Heat in the depot", "text": "Discuss the heat."},
    ).json()
    if started["status"] == "open":
        post(cast.api(cast.frank), f"/api/v1/petitions/{started['uuid']}/signatures")
    forced = ForcedAgendaItem.objects.get(petition__uuid=started["uuid"])

    # 1. A meeting for the next few minutes, before the members can come: refused.
    body = {"council": str(cast.riverside.uuid), "title": "Emergency meeting", "place": "Canteen"}
    snap = post(alice, "/api/v1/meetings", {**body, "starts_at": (now + timedelta(minutes=5)).isoformat()})
    assert snap.status_code == 422
    assert "a meeting is called at least 48 hours ahead" in snap.json()["detail"]

    # Called with notice, the meeting gets the petition on its agenda at once.
    starts = now + timedelta(hours=48)
    meeting = post(alice, "/api/v1/meetings", {**body, "starts_at": starts.isoformat()}).json()
    assert [i["title"] for i in meeting["items"]] == ["Heat in the depot"]
    url = f"/api/v1/meetings/{meeting['uuid']}"

    # 2. Opening it early, before those who come on time: refused.
    clock["now"] = starts - timedelta(minutes=30)
    early = post(alice, f"{url}/open")
    assert early.status_code == 409 and "cannot open before then" in early.json()["detail"]

    # 3. Opened on time, with nobody marked present: no business can be taken.
    clock["now"] = starts
    assert post(alice, f"{url}/open").status_code == 200
    empty = post(alice, f"{url}/next-item")
    assert empty.status_code == 409 and "No quorum: 0 of 4 present" in empty.json()["detail"]

    # 4. The chair closes the empty meeting: the petition is not disposed of, it waits for the next one.
    assert post(alice, f"{url}/close").status_code == 200
    forced.refresh_from_db()
    assert (forced.status, forced.meeting_uuid) == ("pending", None)
    [carried] = [json.loads(bytes(e.data)) for e in Entry.objects.filter(event="agenda.item_carried_over")]
    assert carried["actor"] is None and carried["payload"]["item"] == str(forced.uuid)
    nxt = post(
        alice,
        "/api/v1/meetings",
        {**body, "title": "Next", "starts_at": (starts + timedelta(days=7)).isoformat()},
    ).json()
    assert [i["title"] for i in nxt["items"]] == ["Heat in the depot"]
