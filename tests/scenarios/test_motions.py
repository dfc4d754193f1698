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


def test_chair_cannot_let_an_opposition_amendment_lapse_by_putting_the_motion_first(cast):
    def post(who, path, body=None):
        return cast.api(who).post(f"/api/v1{path}", body or {}, content_type="application/json")

    tabled = post(
        cast.alice,
        "/motions",
        {"council": str(cast.riverside.uuid), "title": "Pay offer", "text": "Accept the pay offer."},
    )
    motion = tabled.json()["uuid"]
    assert post(cast.bob, f"/motions/{motion}/second").status_code == 200
    proposed = post(
        cast.erin,
        f"/motions/{motion}/amendments",
        {"title": "Hold out", "text": "Reject the pay offer and ballot for strike action."},
    )
    amendment = proposed.json()["uuid"]
    assert post(cast.frank, f"/motions/{amendment}/second").status_code == 200
    # Putting the motion first would decide it with the amendment unheard, and the amendment would lapse.
    refused = post(cast.alice, f"/motions/{motion}/votes", {"method": "named"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "The seconded amendment “Hold out” awaits its vote: put it to the vote first, "
        "or its mover may withdraw it."
    )
    assert cast.api(cast.bob).get(f"/api/v1/motions/{motion}").json()["state"] == "seconded"
    # The chair cannot withdraw it either: only Erin, its mover, may.
    assert post(cast.alice, f"/motions/{amendment}/withdraw").status_code == 403
    vote = post(cast.alice, f"/motions/{amendment}/votes", {"method": "named"})
    assert vote.status_code == 201
    for voter in (cast.bob, cast.erin, cast.frank):
        assert post(voter, f"/motions/votes/{vote.json()['uuid']}/cast", {"choice": "yes"}).status_code == 200
    assert post(cast.alice, f"/motions/votes/{vote.json()['uuid']}/close").status_code == 200
    put = post(cast.alice, f"/motions/{motion}/votes", {"method": "named"})
    assert put.status_code == 201
    assert cast.api(cast.bob).get(f"/api/v1/motions/{motion}").json()["text"] == (
        "Reject the pay offer and ballot for strike action."
    )
