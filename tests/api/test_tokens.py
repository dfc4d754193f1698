from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from councils.accounts.models import ApiToken
from councils.accounts.tokens import issue_token
from councils.record.models import Entry
from tests.conftest import NOW
from tests.personas import API, WEB, check, check_invalid, check_wrong_method


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_create_list_and_revoke(cast):
    api = cast.api(cast.bob)
    created = api.post("/api/v1/auth/tokens", {"name": "backup script"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "backup script" and body["token"].startswith("cnl_")
    assert bearer(body["token"]).get("/api/v1/auth/me").json()["username"] == "bob"
    listed = api.get("/api/v1/auth/tokens").json()
    assert listed["count"] == 2  # the test client's own token and the new one
    assert body["uuid"] in {t["uuid"] for t in listed["items"]}
    assert all("token" not in t for t in listed["items"])
    assert api.delete(f"/api/v1/auth/tokens/{body['uuid']}").status_code == 204
    assert bearer(body["token"]).get("/api/v1/auth/me").status_code == 401
    assert api.get("/api/v1/auth/tokens").json()["count"] == 1


@pytest.mark.parametrize(
    "path, anonymous",
    [
        ("/api/v1/auth/me", 401),
        ("/api/v1/councils", 200),
        # Anonymous callers may not see this council: a revoked token must not make it look missing.
        ("/api/v1/motions?council={council}", 404),
        ("/api/v1/record/checkpoint", 200),
    ],
)
def test_a_token_that_does_not_work_is_refused_not_taken_for_none(cast, path, anonymous):
    raw = issue_token(user=cast.bob, name="old script", now=NOW)
    ApiToken.objects.filter(name="old script").update(revoked_at=NOW)
    url = path.format(council=cast.riverside.uuid)
    for token in [raw, "cnl_mistyped"]:
        response = bearer(token).get(url)
        assert response.status_code == 401, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == 'Bearer realm="councils", error="invalid_token"'
        assert response.json()["code"] == "invalid_token"
        assert "revoked or mistyped" in response.json()["detail"]
    assert Client().get(url).status_code == anonymous


def test_someone_elses_token_is_not_found(cast):
    raw = issue_token(user=cast.alice, name="alice's", now=NOW)
    alice_token = ApiToken.objects.get(name="alice's")
    response = cast.api(cast.dave).delete(f"/api/v1/auth/tokens/{alice_token.uuid}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert bearer(raw).get("/api/v1/auth/me").status_code == 200


def test_revoking_the_current_token_logs_the_cli_out(cast):
    raw = issue_token(user=cast.bob, name="cli", now=NOW)
    assert bearer(raw).delete("/api/v1/auth/token").status_code == 204
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_revoking_the_current_token_needs_a_bearer_token(cast):
    client = Client()
    client.force_login(cast.bob)
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 422


def test_last_used_is_updated_at_most_once_a_minute(cast, django_assert_num_queries):
    raw = issue_token(user=cast.bob, name="cli", now=NOW)
    client = bearer(raw)
    client.get("/api/v1/auth/me")
    token = ApiToken.objects.get(name="cli")
    first = token.last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)
    client.get("/api/v1/auth/me")
    assert ApiToken.objects.get(name="cli").last_used_at == first
    ApiToken.objects.filter(id=token.id).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/auth/me")
    assert ApiToken.objects.get(name="cli").last_used_at > first - timedelta(minutes=2)


def test_a_fresh_token_costs_one_query_per_request(cast, django_assert_num_queries):
    raw = issue_token(user=cast.bob, name="cli", now=NOW)
    client = bearer(raw)
    client.get("/api/v1/auth/me")
    # The token's one query, and the account's digest preference that /auth/me reports.
    with django_assert_num_queries(2):
        client.get("/api/v1/auth/me")


def test_tokens_never_enter_the_record(cast):
    before = Entry.objects.count()
    api = cast.api(cast.bob)
    uuid = api.post("/api/v1/auth/tokens", {"name": "x"}, content_type="application/json").json()["uuid"]
    api.delete(f"/api/v1/auth/tokens/{uuid}")
    assert Entry.objects.count() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 200), ("observer", 200), ("member", 200), ("officer", 200)],
)
def test_personas_list_tokens(cast, persona, expected):
    check(cast, persona, API, "get", "/api/v1/auth/tokens", None, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 401), ("outsider", 201), ("observer", 201), ("member", 201), ("officer", 201)],
)
def test_personas_create_token(cast, persona, expected):
    check(cast, persona, API, "post", "/api/v1/auth/tokens", {"name": "n"}, expected)


def test_anonymous_revoke_is_401(cast):
    issue_token(user=cast.bob, name="cli", now=NOW)
    token = ApiToken.objects.get(name="cli")
    check(cast, "anonymous", API, "delete", f"/api/v1/auth/tokens/{token.uuid}", None, 401)
    assert ApiToken.objects.get(name="cli").revoked_at is None


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}])
def test_invalid_token_name_is_422(cast, body):
    check_invalid(cast, API, "post", "/api/v1/auth/tokens", body)


def test_tokens_wrong_method(cast):
    check_wrong_method(cast, API, "/api/v1/auth/tokens", "put")
    check_wrong_method(cast, API, "/api/v1/auth/token", "get")


def test_revoke_with_a_malformed_id_is_422(cast):
    check_invalid(cast, API, "delete", "/api/v1/auth/tokens/not-a-uuid", None)


# The web page.


def test_token_page_shows_a_new_token_once_and_revokes(cast):
    client = cast.client(cast.carol)
    created = client.post("/account/tokens/", {"name": "laptop"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=cast.carol, name="laptop")
    raw = created.context["new_token"]
    assert raw.encode() in created.content and raw.startswith("cnl_")
    again = client.get("/account/tokens/")
    assert raw.encode() not in again.content and b"laptop" in again.content
    revoked = client.post(f"/account/tokens/{token.uuid}/revoke/")
    assert revoked.status_code == 302
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_token_page_refuses_an_empty_name(cast):
    check_invalid(cast, WEB, "post", "/account/tokens/", {"name": ""})


def test_token_page_cannot_revoke_someone_elses_token(cast):
    issue_token(user=cast.alice, name="alice's", now=NOW)
    token = ApiToken.objects.get(name="alice's")
    check(cast, "outsider", WEB, "post", f"/account/tokens/{token.uuid}/revoke/", None, 404)
    check_wrong_method(cast, WEB, f"/account/tokens/{token.uuid}/revoke/", "get")
    assert ApiToken.objects.get(name="alice's").revoked_at is None
