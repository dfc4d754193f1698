"""What every API endpoint shares: errors as problem+json, CSRF, open docs, names and list shapes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from councils.api.urls import api
from tests.personas import API, check_wrong_method

OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$")
METHODS = ("get", "post", "put", "patch", "delete")


def schema() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1")


def operations():
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(node: dict, components: dict) -> dict:
    while "$ref" in node:
        node = components["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@pytest.mark.django_db
def test_openapi_and_docs_need_no_login():
    client = Client()
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Councils API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content
    # No CDN: a member's visit to the docs is not reported to a third party.
    assert b"cdn" not in docs.content.lower() and b"https://" not in docs.content
    # Nor to Swagger's online validator, which it calls from any host but localhost.
    assert b'"validatorUrl": "none"' in docs.content


def test_every_operation_has_a_resource_verb_operation_id():
    seen: dict[str, str] = {}
    for path, method, operation in operations():
        op_id = operation.get("operationId", "")
        assert OPERATION_ID.match(op_id), (
            f"{method.upper()} {path}: operation_id {op_id!r} is not <resource>_<verb>"
        )
        assert op_id not in seen, f"{op_id} is used by both {seen[op_id]} and {method.upper()} {path}"
        seen[op_id] = f"{method.upper()} {path}"


def test_every_list_answers_items_and_count():
    components = schema().get("components", {})
    for path, method, operation in operations():
        if method != "get":
            continue
        # The schema as built keys responses by integer status; JSON would make them strings.
        responses = {str(status): response for status, response in operation["responses"].items()}
        ok = responses.get("200", {}).get("content", {}).get("application/json", {})
        if not ok:
            continue
        body = resolve(ok["schema"], components)
        where = f"GET {path}"
        assert body.get("type") != "array", f"{where} returns a bare array: use @paginate(PageNumber)"
        if any(p["name"] == "page" for p in operation.get("parameters", [])):
            properties = body.get("properties", {})
            assert {"items", "count"} <= set(properties), f"{where} pages but does not answer items/count"


def test_lists_without_path_parameters_answer_items_and_count(cast):
    client = cast.api(cast.alice)
    checked = 0
    for path, method, operation in operations():
        if method != "get" or "{" in path:
            continue
        if not any(p["name"] == "page" for p in operation.get("parameters", [])):
            continue
        required = [p for p in operation["parameters"] if p.get("required")]
        if required:
            continue
        response = client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        body = response.json()
        assert set(body) == {"items", "count"}, f"GET {path}: {sorted(body)}"
        assert isinstance(body["items"], list) and isinstance(body["count"], int)
        checked += 1
    assert checked >= 2


def test_page_zero_is_422(cast):
    response = cast.api(cast.alice).get("/api/v1/councils?page=0")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_unknown_api_path_is_404_problem(cast):
    for client in (cast.api(cast.alice), cast.api(None)):
        response = client.get("/api/v1/no/such/thing")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/v1/no/such/thing", "/api/v1", "/api/v1/", "/api/v1/councils/", "/api/"]
)
def test_unknown_api_path_is_answered_without_the_sites_pages(db, settings, tmp_path, path):
    # Without collected static files the site's own "not found" page cannot render.
    settings.STATIC_ROOT = tmp_path
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": manifest}
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for response in (client.get(path), client.post(path, "{}", content_type="application/json")):
        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == f"There is no API endpoint at {path}; see /api/v1/docs."


@pytest.mark.parametrize(("url", "method"), [("/api/v1/councils", "post"), ("/api/v1/auth/me", "delete")])
def test_wrong_method_is_405_problem(cast, url, method):
    response = check_wrong_method(cast, API, url, method)
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_session_writes_need_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    refused = client.post("/api/v1/auth/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "CSRF" in refused.json()["detail"]
    client.get("/account/tokens/")  # sets the CSRF cookie, as a page of the site would
    token = client.cookies["csrftoken"].value
    ok = client.post(
        "/api/v1/auth/tokens", {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert ok.status_code == 201


def test_session_reads_need_no_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    assert client.get("/api/v1/auth/me").status_code == 200


def test_bearer_writes_need_no_csrf(cast):
    from councils.accounts.tokens import issue_token
    from tests.conftest import NOW

    raw = issue_token(user=cast.bob, name="cli", now=NOW)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    assert (
        client.post("/api/v1/auth/tokens", {"name": "y"}, content_type="application/json").status_code == 201
    )


def test_anonymous_write_is_401_not_a_csrf_refusal(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_bad_bearer_token_is_401(cast):
    client = Client(headers={"Authorization": "Bearer cnl_not-a-token"})
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_crash_is_a_500_problem(cast, monkeypatch, settings):
    from councils.api.routers import accounts

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(accounts.account_tokens, "list_tokens", boom)
    client = cast.api(cast.bob)
    client.raise_request_exception = False
    response = client.get("/api/v1/auth/tokens")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert b"boom" not in response.content


def test_a_host_the_site_does_not_answer_for_is_400_problem_in_the_api_only(db):
    client = Client(raise_request_exception=False)
    refused = client.get("/api/v1/auth/me", HTTP_HOST="councils.example.org")
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "disallowed_host"
    assert "Host header" in refused.json()["detail"]
    # The security headers the other middleware sent stay on the document that replaces their answer.
    assert refused["X-Content-Type-Options"] == "nosniff" and "camera=()" in refused["Permissions-Policy"]
    page = client.get("/", HTTP_HOST="councils.example.org")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_a_converted_answer_keeps_the_headers_of_the_one_it_replaces(cast):
    response = check_wrong_method(cast, API, "/api/v1/auth/me", "delete")
    assert response["Content-Type"] == "application/problem+json"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response
    assert "no-store" in response["Cache-Control"]
