"""The lean ASGI endpoint for live streams, outside Django's response path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from councils.live.broker import queue_listener
from councils.live.guards import may_follow
from councils.live.publish import broker

STREAM_PREFIX = "/live/"
KEEPALIVE_SECONDS = 15.0
# Only the latest event of each type is kept for a slow client: a tally that is
# already stale is worth nothing. Events of different types are all sent, since a
# page refreshes a different part for each (the meeting page's speakers' list and
# its attendance).
COALESCE_SECONDS = 0.2


# A stream is read with GET (HEAD asks for its headers alone) and OPTIONS names those methods.
ALLOW = b"GET, HEAD, OPTIONS"
_HEADERS = (
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
)


async def _answer(
    scope: dict[str, Any],
    send: Any,
    status: int,
    body: bytes = b"",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """A short answer, without its body to HEAD (whose headers, Content-Length among them, are GET's)."""
    described = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))]
    headers = [*(described if body else []), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


async def _refuse(scope: dict[str, Any], send: Any) -> None:
    await _answer(scope, send, 404, b"No such stream.")


async def _stream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    channel = scope["path"][len(STREAM_PREFIX) :].strip("/")
    if not channel or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-:._" for c in channel):
        await _refuse(scope, send)
        return
    # As every path of the API: the methods are answered before the object is looked at, so they
    # tell nothing of it.
    method = scope["method"]
    if method == "OPTIONS":
        await _answer(scope, send, 204, headers=[(b"allow", ALLOW)])
        return
    if method not in ("GET", "HEAD"):
        await _answer(scope, send, 405, b"A stream is read with GET.", headers=[(b"allow", ALLOW)])
        return
    # Hidden, missing and unguarded answer alike, as everywhere else.
    if not await may_follow(scope, channel):
        await _refuse(scope, send)
        return
    if method == "HEAD":
        # The stream's headers, as GET sends them, and no stream to hold open.
        await _answer(scope, send, 200, headers=_HEADERS)
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    unsubscribe = broker().subscribe(channel, queue_listener(queue, loop))
    await send({"type": "http.response.start", "status": 200, "headers": list(_HEADERS)})
    disconnected = asyncio.Event()

    async def watch_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        disconnected.set()

    watcher = asyncio.create_task(watch_disconnect())
    gone = asyncio.create_task(disconnected.wait())
    try:
        await send({"type": "http.response.body", "body": b": connected\n\n", "more_body": True})
        while not disconnected.is_set():
            # Wake on the next event or on disconnection, so a closed tab releases its subscription at once.
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait(
                {getter, gone}, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getter not in done:
                getter.cancel()
                if gone not in done:
                    await send({"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True})
                continue
            _, event = getter.result()
            await asyncio.sleep(COALESCE_SECONDS)
            latest = {event.get("type", "message"): event}
            while not queue.empty():
                _, event = queue.get_nowait()
                kind = event.get("type", "message")
                # In the order of each type's latest event.
                latest.pop(kind, None)
                latest[kind] = event
            body = "".join(f"event: {kind}\ndata: {json.dumps(e)}\n\n" for kind, e in latest.items())
            await send({"type": "http.response.body", "body": body.encode(), "more_body": True})
    finally:
        unsubscribe()
        watcher.cancel()
        gone.cancel()


def live_router(django_app: Any) -> Any:
    """Route /live/<channel> to the stream endpoint and everything else to Django."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(STREAM_PREFIX):
            await _stream(scope, receive, send)
            return
        await django_app(scope, receive, send)

    return app
