"""The site's pages answer HEAD as GET does, without the body, OPTIONS with 204, and name their methods."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import UUID

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import councils
from councils.federation.models import Council
from councils.record import sequencer
from tests.conftest import NOW

HEADERS = ("Content-Type", "Content-Length", "Cache-Control", "Location", "Allow", "Vary")


def assert_answered_like_get(client: Client, path: str, status: int) -> None:
    # A first visit fills what pages keep in the cache for every viewer; compare two later ones. The
    # record's summary in the footer is kept a few seconds by the process: one an earlier test left
    # would run out between the two on a busy machine.
    sequencer.SUMMARY_CACHE.clear()
    client.get(path)
    head, get = client.head(path), client.get(path)
    assert get.status_code == status, (path, get.status_code)
    assert head.status_code == get.status_code, (head.status_code, get.status_code)
    for header in HEADERS:
        assert head.get(header) == get.get(header), f"{header}: {head.get(header)!r} != {get.get(header)!r}"
    assert head.content == b""


@pytest.mark.parametrize("path", ["/", "/login/", "/record/", "/healthz"])
def test_anonymous_head_on_a_public_page_answers_as_get(cast, path):
    assert_answered_like_get(Client(), path, 200)


def test_head_on_a_record_entry_answers_as_get(cast):
    sequencer.sequence_pending(now=NOW)  # the entry gets its index
    assert_answered_like_get(cast.client(cast.bob), "/record/entries/0/", 200)


@pytest.mark.visibility(riverside=Council.Visibility.COUNCIL)
def test_head_keeps_a_private_council_as_private_as_get(cast):
    page = f"/councils/{cast.riverside.uuid}/"
    for user, status in ((cast.dave, 404), (cast.bob, 200), (None, 404)):
        assert_answered_like_get(cast.client(user), page, status)


def test_head_on_a_page_of_ones_own_answers_as_get(cast):
    client = cast.client(cast.bob)
    for page, status in (("/account/", 200), ("/account/tokens/", 200), ("/account/digest/", 302)):
        assert_answered_like_get(client, page, status)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/record/", "GET, HEAD, OPTIONS"),
        ("/healthz", "GET, HEAD, OPTIONS"),
        ("/login/", "GET, HEAD, OPTIONS, POST"),
        ("/logout/", "OPTIONS, POST"),
    ],
)
def test_a_method_a_page_does_not_take_is_405_with_allow_and_options_is_204(cast, path, allow):
    response = Client().delete(path)
    assert response.status_code == 405
    assert response["Allow"] == allow
    options = Client().options(path)
    assert (options.status_code, options["Allow"], options.content) == (204, allow, b"")
    assert not options.has_header("Content-Type")


def _web_pages(patterns: list, namespace: str = "") -> list[str]:
    """The site's page paths, each argument filled with a value of its type (no such object)."""
    filler = {"UUIDConverter": UUID(int=0), "IntConverter": 0, "StringConverter": "x"}
    pages = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            pages += _web_pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and namespace.startswith("web:"):
            converters = pattern.pattern.converters.items()
            kwargs = {name: filler[type(converter).__name__] for name, converter in converters}
            pages.append(reverse(f"{namespace}{pattern.name}", kwargs=kwargs))
    return pages


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_every_page_answers_options_and_refuses_a_method_it_does_not_take(cast, who):
    # Before anything else: a visitor is not sent to log in, nor told whether the object exists.
    client = cast.client(cast.bob if who == "bob" else None)
    pages = _web_pages(get_resolver().url_patterns)
    assert len(pages) > 80
    answered = [f"{page}: {status}" for page in pages if (status := client.put(page).status_code) != 405]
    assert not answered, (
        f"name the methods a page takes (require_safe, require_http_methods), first: {answered}"
    )
    for page in pages:
        allow = client.put(page)["Allow"]
        assert "OPTIONS" in allow.split(", "), (page, allow)
        options = client.options(page)
        assert (options.status_code, options["Allow"], options.content) == (204, allow, b""), page


def test_a_monitors_wrong_method_is_405_not_a_csrf_refusal(db):
    response = Client(enforce_csrf_checks=True).post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"


def _refused_head(decorator: ast.expr) -> bool:
    """Whether a view decorator takes GET but refuses HEAD."""
    if isinstance(decorator, ast.Name):
        return decorator.id == "require_GET"
    if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "require_http_methods":
        methods = ast.literal_eval(decorator.args[0])
        return "GET" in methods and "HEAD" not in methods
    return False


def test_no_view_takes_get_and_refuses_head():
    refused = []
    for source in Path(councils.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.FunctionDef) and any(map(_refused_head, node.decorator_list)):
                refused.append(f"{source.name}: {node.name}")
    assert not refused, f"use require_safe, or name HEAD with GET: {refused}"
