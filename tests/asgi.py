"""One request through the ASGI application the server runs, read to its end as the server reads it."""

from __future__ import annotations

from typing import Any

from asgiref.testing import ApplicationCommunicator

from councils.config.asgi import application


async def fetch(
    path: str, *, headers: list[tuple[bytes, bytes]] | None = None, app: Any = application
) -> tuple[dict, bytes]:
    """GET `path` from `app`: the response's start message and its whole body, once `app` has finished."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)
    return start, body
