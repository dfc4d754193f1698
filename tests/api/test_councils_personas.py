"""The councils endpoints for every persona, and their query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.federation import actions as fa
from councils.federation.models import Council
from tests.conftest import NOW, make_user
from tests.personas import API, check, check_invalid, check_wrong_method

ENDPOINTS = ["", "/children", "/delegates", "/delegates-sent", "/offices", "/members"]


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)  # seen only by its own participants
@pytest.mark.parametrize("suffix", ENDPOINTS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 404), ("outsider", 404), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_private_council(cast, suffix, persona, expected):
    if persona == "anonymous" and suffix == "/members":
        expected = 401  # the member list always needs a login
    check(cast, persona, API, "get", f"/api/v1/councils/{cast.riverside.uuid}{suffix}", None, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 403), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_member_list_of_a_federation_council(cast, persona, expected):
    check(cast, persona, API, "get", f"/api/v1/councils/{cast.riverside.uuid}/members", None, expected)


@pytest.mark.parametrize("suffix", ENDPOINTS)
def test_councils_endpoints_refuse_writes(cast, suffix):
    check_wrong_method(cast, API, f"/api/v1/councils/{cast.riverside.uuid}{suffix}", "post")


@pytest.mark.parametrize("suffix", ENDPOINTS)
def test_malformed_council_id_is_422(cast, suffix):
    check_invalid(cast, API, "get", f"/api/v1/councils/not-a-uuid{suffix}", None)


def test_list_items_are_ordered_and_paged(cast):
    body = cast.api(cast.alice).get("/api/v1/councils").json()
    names = [c["name"] for c in body["items"]]
    assert names == sorted(names)
    assert cast.api(cast.alice).get("/api/v1/councils?page=2").json() == {"items": [], "count": 5}


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_councils_list_queries_do_not_grow_with_councils(cast):
    client = cast.api(cast.alice)
    _count(client, "/api/v1/councils")  # the token's first use is marked with a write
    before = _count(client, "/api/v1/councils")
    for i in range(10):
        fa.create_council(
            actor=None,
            federation=cast.federation,
            name=f"Extra {i}",
            kind="workplace",
            parent=cast.district,
            is_base=True,
            now=NOW,
        )
    assert _count(client, "/api/v1/councils") == before
    assert before <= 10


def test_members_list_queries_do_not_grow_with_members(cast):
    client = cast.api(cast.alice)
    url = f"/api/v1/councils/{cast.riverside.uuid}/members"
    _count(client, url)  # the token's first use is marked with a write
    before = _count(client, url)
    for i in range(10):
        fa.add_founding_member(actor=None, council=cast.riverside, user=make_user(f"x{i}", f"X {i}"), now=NOW)
    assert _count(client, url) == before
