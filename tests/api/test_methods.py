"""Every API path answers HEAD as GET does without the body, OPTIONS with Allow, and 405 with Allow."""

from __future__ import annotations

import functools
import json
import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import resolve

from councils.api.urls import api
from councils.federation.models import Council
from tests.personas import API, check_wrong_method

# What HEAD must answer as GET does (the body aside).
HEADERS = ("Content-Type", "Content-Length", "Cache-Control", "ETag", "WWW-Authenticate", "Allow", "Vary")


@functools.cache
def _paths() -> dict[str, list[str]]:
    """Each published path and the methods of its operations, upper case."""
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    return {path: sorted(method.upper() for method in operations) for path, operations in paths.items()}


def _allow(methods: list[str]) -> str:
    answered = {*methods, "OPTIONS", *(["HEAD"] if "GET" in methods else [])}
    return ", ".join(sorted(answered))


def _url(template: str) -> str:
    """The path with a value in each parameter: a number for the constitution's version, else a UUID."""
    return re.sub(r"\{(\w+)\}", lambda m: "1" if m[1] == "number" else str(uuid.uuid4()), template)


def assert_answered_like_get(head: Any, get: Any) -> None:
    assert head.status_code == get.status_code, (head.status_code, get.status_code)
    for header in HEADERS:
        assert head.get(header) == get.get(header), f"{header}: {head.get(header)!r} != {get.get(header)!r}"
    assert get.has_header("Content-Length") and int(get["Content-Length"]) == len(get.content)
    assert head.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/record/checkpoint",
        "/api/v1/record/key",
        "/api/v1/record/entries?start=0&end=3",
        "/api/v1/record/proof/inclusion?index=0&size=2",
        "/api/v1/councils",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    ],
)
def test_anonymous_head_on_a_public_path_answers_as_get(cast, path):
    client = Client()
    get = client.get(path)
    assert get.status_code == 200
    assert_answered_like_get(client.head(path), get)


def test_head_on_every_list_answers_as_get(cast):
    client = cast.api(cast.alice)
    lists = [path for path, methods in _paths().items() if "GET" in methods and "{" not in path]
    assert "/api/v1/motions" in lists and "/api/v1/record/checkpoint" in lists
    for path in lists:
        get = client.get(path)
        assert get.status_code in {200, 422}, (path, get.status_code)  # 422: the record's required ranges
        assert_answered_like_get(client.head(path), get)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_head_keeps_a_private_council_as_private_as_get(cast):
    members = f"/api/v1/councils/{cast.riverside.uuid}/members"
    for user, status in ((cast.dave, 404), (cast.bob, 200), (None, 401)):
        client = cast.api(user)
        get = client.get(members)
        assert get.status_code == status, (user, get.status_code)
        assert_answered_like_get(client.head(members), get)
    anonymous = Client().head("/api/v1/auth/me")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == 'Bearer realm="councils"'


def test_head_is_answered_without_a_body_by_the_api_itself(cast):
    # Servers and the test client drop a HEAD answer's body anyway: ask the view, before any of them.
    factory = RequestFactory()
    for path in ("/api/v1/record/key", "/api/v1/openapi.json"):
        view = resolve(path).func
        get, head = factory.get(path), factory.head(path)
        get.user = head.user = AnonymousUser()
        full, empty = view(get), view(head)
        assert (full.status_code, empty.status_code) == (200, 200)
        assert full.content and empty.content == b""
        assert empty["Content-Length"] == str(len(full.content))
        assert empty["Content-Type"] == full["Content-Type"]


def test_options_on_every_path_lists_the_methods_it_takes(cast):
    client = Client(enforce_csrf_checks=True)
    for template, methods in _paths().items():
        response = client.options(_url(template))
        assert response.status_code == 204, (template, response.status_code)
        assert response["Allow"] == _allow(methods), template
        assert response.content == b"" and not response.has_header("Content-Type")
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        assert client.options(path)["Allow"] == "GET, HEAD, OPTIONS"
    assert client.options("/api/v1/auth/token")["Allow"] == "DELETE, OPTIONS, POST"


def test_options_on_an_unknown_path_is_404_problem(cast):
    response = Client().options("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == "not_found"


def test_a_method_no_path_takes_is_405_problem_with_allow(cast):
    # Without a login and with CSRF checks on, as a browser or script sends it: refused for the method.
    client = Client(enforce_csrf_checks=True)
    for template, methods in _paths().items():
        response = client.put(_url(template), "{}", content_type="application/json")
        assert response.status_code == 405, (template, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        assert response["Allow"] == _allow(methods), template
        body = json.loads(response.content)
        assert body["code"] == "method_not_allowed"
        assert body["detail"] == f"PUT is not allowed here; use {_allow(methods)}."


@pytest.mark.parametrize(
    ("url", "method", "allow"),
    [
        ("/api/v1/openapi.json", "post", "GET, HEAD, OPTIONS"),
        ("/api/v1/docs", "delete", "GET, HEAD, OPTIONS"),
        ("/api/v1/record/checkpoint", "post", "GET, HEAD, OPTIONS"),
        ("/api/v1/auth/token", "get", "DELETE, OPTIONS, POST"),
        ("/api/v1/auth/me", "delete", "GET, HEAD, OPTIONS, PATCH"),
    ],
)
def test_wrong_method_names_every_method_the_path_takes(cast, url, method, allow):
    response = check_wrong_method(cast, API, url, method)
    assert response["Allow"] == allow
