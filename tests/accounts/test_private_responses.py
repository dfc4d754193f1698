"""Pages and API answers for a signed-in caller are private and never stored by a cache."""

from __future__ import annotations

from councils.motions import actions
from tests.conftest import NOW


def _never_stored(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_secret_ballot_receipt_page_is_never_stored(cast):
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Pay", text="Ask for more.", now=NOW, seconds_required=0
    )
    vote = actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="secret")
    client = cast.client(cast.erin)
    cast_response = client.post(f"/motions/votes/{vote.uuid}/cast/", {"choice": "no"})
    assert cast_response.status_code == 302 and _never_stored(cast_response)
    page = client.get(cast_response["Location"])
    assert b"Your receipt" in page.content and _never_stored(page)


def test_member_list_in_the_api_is_never_stored(cast):
    response = cast.api(cast.bob).get(f"/api/v1/councils/{cast.riverside.uuid}/members")
    assert response.status_code == 200 and _never_stored(response)


def test_public_record_keeps_its_own_caching(cast):
    response = cast.api(cast.bob).get("/api/v1/record/checkpoint")
    assert response["Cache-Control"] == "no-cache"


def test_anonymous_pages_are_left_to_caches(cast):
    assert not _never_stored(cast.client(None).get("/"))
