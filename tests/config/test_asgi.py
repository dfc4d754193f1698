"""The ASGI application as the server runs it: what a request leaves behind."""

from __future__ import annotations

import asyncio

import pytest
from django.db import connection, connections

from councils.record import queries
from tests.asgi import fetch


def _held_and_closed() -> object:
    held = connection.connection
    connections.close_all()
    return held


async def _fetch_then_look_in_the_loops_executor(path: str) -> tuple[int, bytes, object]:
    # A session cookie, so that the page's "Log in" link looks the session up in the database.
    start, body = await fetch(path, headers=[(b"cookie", b"sessionid=nosuchsession")])
    # The loop's executor reuses its idle thread: the one Django hands work to that is not the request's.
    held = await asyncio.get_running_loop().run_in_executor(None, _held_and_closed)
    return start["status"], body, held


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="Django never closes a connection to an in-memory SQLite database"
)
@pytest.mark.parametrize("path", ["/no/such/page/", "/councils/00000000-0000-0000-0000-000000000000/"])
def test_a_missing_page_leaves_no_database_connection_behind(db, path):
    # Each thread that kept one would keep one of the pool's connections for good, and a server would run
    # out of them one missing page at a time.
    queries._SUMMARY.clear()
    status, body, held = asyncio.run(_fetch_then_look_in_the_loops_executor(path))
    assert status == 404
    assert b"Page not found" in body
    assert held is None
