from __future__ import annotations

import json

import pytest

from councils.accounts.models import User


def test_member_lists_councils_of_their_federation(cast):
    response = cast.api(cast.alice).get("/api/v1/councils")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert {c["name"] for c in body["items"]} >= {"Riverside Depot", "Harbour Works", "National Congress"}


def test_anonymous_sees_only_public_councils(cast):
    response = cast.api(None).get("/api/v1/councils")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_token_login_with_good_and_bad_credentials(cast):
    client = cast.api(None)
    ok = client.post(
        "/api/v1/auth/token",
        {"username": "alice", "password": "councils-demo"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["token"].startswith("cnl_")
    bad = client.post(
        "/api/v1/auth/token", {"username": "alice", "password": "wrong"}, content_type="application/json"
    )
    assert bad.status_code == 401
    assert bad["Content-Type"] == "application/problem+json"


def test_repeated_failures_are_throttled_with_retry_after(cast):
    client = cast.api(None)
    for _ in range(5):
        client.post(
            "/api/v1/auth/token", {"username": "dave", "password": "nope"}, content_type="application/json"
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "dave", "password": "councils-demo"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_members_list_is_private_to_the_council(cast):
    url = f"/api/v1/councils/{cast.riverside.uuid}/members"
    assert cast.api(cast.bob).get(url).json()["count"] == 4
    assert cast.api(cast.dave).get(url).status_code == 403
    assert cast.api(None).get(url).status_code == 401


def test_unknown_council_is_404_problem(cast):
    response = cast.api(cast.alice).get("/api/v1/councils/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"


@pytest.mark.parametrize("body", [{}, {"username": "alice"}, {"username": 3, "password": []}])
def test_invalid_token_request_is_422(cast, body):
    response = cast.api(None).post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_council_record_starts_with_founding(cast):
    from councils.record.models import Entry

    events = list(Entry.objects.values_list("event", flat=True)[:2])
    assert events == ["federation.founded", "council.created"]
    assert User.objects.count() == 6


def test_malformed_council_id_is_404_in_the_web(cast):
    from councils.core.errors import NotFoundError
    from councils.federation import queries

    with pytest.raises(NotFoundError):
        queries.access_council(viewer=cast.alice, council_uuid="not-a-uuid")


def test_each_delegate_shows_the_election_that_filled_the_seat(cast):
    election = cast.reelect_bob().uuid
    body = cast.api(cast.dave).get(f"/api/v1/councils/{cast.district.uuid}/delegates").json()
    assert [s["election"] for s in body["items"]] == [str(election)]
    page = cast.client(cast.dave).get(f"/councils/{cast.district.uuid}/")
    assert f"/elections/{election}/results/" in page.content.decode()
