"""HEAD, OPTIONS and 405 as a script meets them: httpx against the site served by uvicorn."""

from __future__ import annotations

import httpx
import pytest

from councils.accounts.tokens import issue_token
from councils.federation.models import Council
from tests.conftest import NOW
from tests.live.support import session

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ("content-type", "content-length", "cache-control", "www-authenticate", "allow", "location")


def assert_answered_like_get(client: httpx.Client, url: str, status: int) -> None:
    get, head = client.get(url), client.head(url)
    assert (get.status_code, head.status_code) == (status, status), (url, get.status_code, head.status_code)
    for header in HEADERS:
        assert head.headers.get(header) == get.headers.get(header), (url, header)
    assert head.content == b"" and int(head.headers["content-length"]) == len(get.content) > 0


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_head_options_and_405_through_a_running_server(cast, asgi_server):
    members = f"/api/v1/councils/{cast.riverside.uuid}/members"
    tokens = {user: issue_token(user=user, name="script", now=NOW) for user in (cast.bob, cast.dave)}
    # A busy machine takes a while to build the OpenAPI document.
    with httpx.Client(base_url=asgi_server, timeout=60) as anonymous:
        for url in ("/record/checkpoint", "/record/key", "/openapi.json", "/docs"):
            assert_answered_like_get(anonymous, f"/api/v1{url}", 200)
        assert_answered_like_get(anonymous, "/api/v1/auth/me", 401)
        assert_answered_like_get(anonymous, "/healthz", 200)
        assert_answered_like_get(anonymous, "/record/", 200)

        options = anonymous.options(members)
        assert options.status_code == 204 and options.content == b""
        assert options.headers["allow"] == "GET, HEAD, OPTIONS"
        unknown = anonymous.options("/api/v1/no/such/thing")
        assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"

        refused = anonymous.post("/api/v1/record/checkpoint")
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, OPTIONS"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "method_not_allowed"
        # A page names its methods as the API does, before it looks at who asks.
        page = anonymous.options("/account/")
        assert page.status_code == 204 and page.content == b""
        assert page.headers["allow"] == "GET, HEAD, OPTIONS"
        # (Another method meets the CSRF check first: without a form's token, a script gets 403.)
    for user, status in ((cast.bob, 200), (cast.dave, 404)):
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        with httpx.Client(base_url=asgi_server, headers=headers, timeout=60) as script:
            assert_answered_like_get(script, members, status)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_a_streams_methods_through_a_running_server(cast, asgi_server):
    stream = f"/live/council-{cast.riverside.uuid}"
    with httpx.Client(base_url=asgi_server, timeout=10) as anonymous:
        # A hidden stream: HEAD answers as GET, without the body.
        get, head = anonymous.get(stream), anonymous.head(stream)
        assert (get.status_code, head.status_code) == (404, 404)
        assert head.headers["content-length"] == get.headers["content-length"] and head.content == b""
        options = anonymous.options(stream)
        assert options.status_code == 204 and options.headers["allow"] == "GET, HEAD, OPTIONS"
        refused = anonymous.post(stream)
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, OPTIONS"
    with httpx.Client(
        base_url=asgi_server, cookies={"sessionid": session(cast, cast.bob)}, timeout=10
    ) as bob:
        with bob.stream("GET", stream) as get:
            assert get.status_code == 200
            assert next(get.iter_raw()) == b": connected\n\n"
        # The stream's headers, and an answer that ends.
        head = bob.head(stream)
        assert head.status_code == 200 and head.content == b""
        for header in ("content-type", "cache-control", "x-accel-buffering"):
            assert head.headers[header] == get.headers[header]
