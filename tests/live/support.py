"""Open the live stream endpoint in-process, as a browser would, and see what it answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from councils.live.asgi import live_router


async def _django(scope, receive, send):
    raise AssertionError("the live stream must not reach Django")


def session(cast, user) -> str:
    """The session cookie of `user` logged in on the web."""
    return cast.client(user).cookies["sessionid"].value


def follow(
    path: str,
    cookie: str | None,
    action: Callable[[], Awaitable[None]] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[int, str | None]:
    """Open the stream, run `action`, return (status, first event body); with no action, hang up at once."""
    return asyncio.run(_follow(path, cookie, action, headers or []))


async def _follow(path, cookie, action, headers):
    messages: asyncio.Queue = asyncio.Queue()
    gone = asyncio.Event()

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        await messages.put(message)

    if cookie:
        headers = [*headers, (b"cookie", f"sessionid={cookie}".encode())]
    return await _stream_once(path, headers, action, messages, gone, receive, send)


async def _stream_once(path, headers, action, messages, gone, receive, send):
    task = asyncio.create_task(
        live_router(_django)({"type": "http", "path": path, "headers": headers}, receive, send)
    )
    start = await asyncio.wait_for(messages.get(), 10)
    if start["status"] != 200:
        await asyncio.wait_for(task, 10)
        return start["status"], None
    await asyncio.wait_for(messages.get(), 10)  # ": connected"
    body = None
    if action is not None:
        await action()
        body = (await asyncio.wait_for(messages.get(), 10))["body"].decode()
    gone.set()
    await asyncio.wait_for(task, 10)
    return 200, body
