"""The persona matrix: who gets what from an endpoint or page.

Use it for every endpoint and page:

    from tests.personas import API, WEB, check, check_invalid, check_wrong_method

    @pytest.mark.parametrize(("persona", "status"), [
        ("anonymous", 401), ("outsider", 404), ("observer", 403), ("member", 201),
    ])
    def test_personas_create_thing(cast, persona, status):
        check(cast, persona, API, "post", url, {"title": "x"}, status)

Personas (from the fixed cast in tests/conftest.py): `anonymous` (no login),
`outsider` (dave: a member of another council), `observer` (carol: reads,
never votes), `member` (bob: a full member and delegate), `officer`
(alice: chair of Riverside Depot). For web pages an anonymous visitor is sent
to the login page (`status="login"`); for the API they get 401. Every API
error is checked to be problem+json, so a plain 404/405 from the framework
fails the check, and to be one the OpenAPI document declares for the operation.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import quote

from django.test import Client

from councils.api.urls import api

PERSONAS = ("anonymous", "outsider", "observer", "member", "officer")
API = "api"
WEB = "web"
LOGIN = "login"
_CAST_NAMES = {"outsider": "dave", "observer": "carol", "member": "bob", "officer": "alice"}


def user_for(cast: Any, persona: str) -> Any:
    if persona == "anonymous":
        return None
    if persona not in _CAST_NAMES:
        raise ValueError(f"unknown persona {persona!r}; use one of {PERSONAS}")
    return getattr(cast, _CAST_NAMES[persona])


def client_for(cast: Any, persona: str, kind: str) -> Client:
    """An API client with a bearer token, or a logged-in web client (CSRF checks on)."""
    user = user_for(cast, persona)
    if kind == API:
        return cast.api(user)
    client = Client(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, kind: str, method: str, url: str, data: Any = None) -> Any:
    method = method.lower()
    call = getattr(client, method)
    if kind == API:
        if method in {"get", "head"}:
            return call(url, data or {})
        return call(url, json.dumps(data if data is not None else {}), content_type="application/json")
    if method in {"get", "head"}:
        return call(url, data or {})
    return call(url, data or {})


@functools.cache
def _published_paths() -> dict[str, dict[str, Any]]:
    return api.get_openapi_schema(path_prefix="/api/v1")["paths"]


def declared_statuses(method: str, path: str) -> set[int] | None:
    """The statuses the OpenAPI document declares for `method path`; None if it is no operation."""
    parts = path.strip("/").split("/")
    found = [
        (template, operations[method.lower()])
        for template, operations in _published_paths().items()
        if method.lower() in operations
        and len(steps := template.strip("/").split("/")) == len(parts)
        and all(step.startswith("{") or step == part for step, part in zip(steps, parts, strict=True))
    ]
    if not found:
        return None
    # A path of its own (`/motions/open-votes`) before one with a parameter (`/motions/{motion_id}`).
    _template, operation = min(found, key=lambda item: item[0].count("{"))
    return {int(status) for status in operation["responses"]}


def assert_declared(response: Any) -> None:
    """The API's answer has a status its operation declares, and is problem+json if it is an error."""
    method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
    declared = declared_statuses(method, path)
    assert declared is not None, f"{method} {path} is no operation of the API"
    assert response.status_code in declared, (
        f"{method} {path} answered {response.status_code}, which it does not declare: {sorted(declared)}"
    )


def assert_status(response: Any, kind: str, expected: int | str, url: str) -> None:
    """Check the status, the problem+json shape of API errors and the web's login redirect."""
    if expected == LOGIN:
        assert kind == WEB, "only web pages redirect to the login page"
        assert response.status_code == 302, f"{url}: expected a login redirect, got {response.status_code}"
        assert response["Location"].startswith("/login/"), response["Location"]
        assert "next=" + quote(url.split("?")[0], safe="/") in response["Location"], response["Location"]
        return
    assert response.status_code == expected, (
        f"{url}: expected {expected}, got {response.status_code}: {response.content[:300]!r}"
    )
    if kind == API and expected >= 400:
        assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
        body = json.loads(response.content)
        assert body["status"] == expected
        assert body["title"]
        if expected != 405:  # a method the path does not take: there is no operation to declare it
            assert_declared(response)


def check(
    cast: Any, persona: str, kind: str, method: str, url: str, data: Any = None, expected: int | str = 200
) -> Any:
    """Send the request as `persona` and assert the expected status; return the response."""
    response = send(client_for(cast, persona, kind), kind, method, url, data)
    assert_status(response, kind, expected, url)
    return response


def check_wrong_method(cast: Any, kind: str, url: str, method: str, persona: str = "officer") -> Any:
    """A method the URL does not take is 405 (problem+json in the API), with an Allow header."""
    response = send(client_for(cast, persona, kind), kind, method, url, {})
    assert_status(response, kind, 405, url)
    assert response.has_header("Allow")
    return response


def check_invalid(cast: Any, kind: str, method: str, url: str, data: Any, persona: str = "officer") -> Any:
    """Invalid input is 422: problem+json in the API, the form again with its errors on the web."""
    response = send(client_for(cast, persona, kind), kind, method, url, data)
    assert_status(response, kind, 422, url)
    return response


__all__ = [
    "API",
    "LOGIN",
    "PERSONAS",
    "WEB",
    "assert_declared",
    "assert_status",
    "check",
    "check_invalid",
    "check_wrong_method",
    "client_for",
    "declared_statuses",
    "send",
    "user_for",
]
