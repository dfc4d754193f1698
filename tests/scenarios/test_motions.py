"""Capture route: keeping opposition motions off the agenda by withdrawing them from above."""

from __future__ import annotations


def test_chair_cannot_withdraw_a_members_motion(cast):
    client = cast.api(cast.erin)
    tabled = client.post(
        "/api/v1/motions",
        {
            "council": str(cast.riverside.uuid),
            "title": "Open the books",
            "text": "The branch's accounts are public.",
        },
        content_type="application/json",
    )
    assert tabled.status_code in (200, 201), tabled.content
    motion = tabled.json()["uuid"]
    refused = cast.api(cast.alice).post(f"/api/v1/motions/{motion}/withdraw", content_type="application/json")
    assert refused.status_code == 403
    assert "a chair cannot withdraw a member's motion" in refused.json()["detail"]
    still = cast.api(cast.bob).get(f"/api/v1/motions/{motion}").json()
    assert still["state"] == "draft"
