"""The ASGI application as the server runs it: what a request leaves behind."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.http import Http404
from django.test import override_settings
from django.utils.deprecation import MiddlewareMixin

from councils.config.asgi import GatedASGIHandler, application
from councils.record import queries
from tests.asgi import fetch


def _held_and_closed() -> object:
    held = connection.connection
    connections.close_all()
    return held


async def _fetch_then_look_in_the_loops_executor(
    path: str, app: Any = application
) -> tuple[int, bytes, object]:
    # A session cookie, so that the page's "Log in" link looks the session up in the database.
    start, body = await fetch(path, headers=[(b"cookie", b"sessionid=nosuchsession")], app=app)
    # The loop's executor reuses its idle thread: the one Django hands work to that is not the request's.
    held = await asyncio.get_running_loop().run_in_executor(None, _held_and_closed)
    return start["status"], body, held


postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="Django never closes a connection to an in-memory SQLite database"
)


@postgres_only
@pytest.mark.parametrize("path", ["/no/such/page/", "/councils/00000000-0000-0000-0000-000000000000/"])
def test_a_missing_page_leaves_no_database_connection_behind(db, path):
    # Each thread that kept one would keep one of the pool's connections for good, and a server would run
    # out of them one missing page at a time.
    queries._SUMMARY.clear()
    status, body, held = asyncio.run(_fetch_then_look_in_the_loops_executor(path))
    assert status == 404
    assert b"Page not found" in body
    assert held is None


class RefusesComingIn(MiddlewareMixin):
    def process_request(self, request):
        raise PermissionDenied


class HidesGoingOut(MiddlewareMixin):
    def process_response(self, request, response):
        raise Http404


@postgres_only
@pytest.mark.parametrize(
    ("middleware", "status", "text"),
    [(RefusesComingIn, 403, b"You may not do that"), (HidesGoingOut, 404, b"Page not found")],
)
def test_an_exception_a_middleware_raises_leaves_no_database_connection_behind(db, middleware, status, text):
    # Django runs the last middleware, as it does SecurityMiddleware, on the event loop, and answers what
    # one of those raises (a Host refused before a redirect to https) apart from what a view raises: it
    # must be answered in the request's thread all the same, since the page it renders reads the database.
    queries._SUMMARY.clear()
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.{middleware.__name__}"]):
        app = GatedASGIHandler()
    got, body, held = asyncio.run(_fetch_then_look_in_the_loops_executor("/", app))
    assert got == status
    assert text in body
    assert held is None
