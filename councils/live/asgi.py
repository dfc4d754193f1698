"""The lean ASGI endpoint for live streams, outside Django's response path."""

from __future__ import annotations

import asyncio
import json
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


async def _refuse(send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"No such stream."})


async def _stream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    channel = scope["path"][len(STREAM_PREFIX) :].strip("/")
    if not channel or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-:._" for c in channel):
        await _refuse(send)
        return
    # Hidden, missing and unguarded answer alike, as everywhere else.
    if not await may_follow(scope, channel):
        await _refuse(send)
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    unsubscribe = broker().subscribe(channel, queue_listener(queue, loop))
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
            ],
        }
    )
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
