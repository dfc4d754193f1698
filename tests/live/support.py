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


def _scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "headers": headers}


def answer(path: str, method: str, cookie: str | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    """A short answer of the endpoint (not a stream): its status, headers and body, once it has finished.

    The caller never hangs up: an answer that held a stream open would time out here.
    """
    return asyncio.run(_answer(path, method, cookie))


async def _answer(path, method, cookie):
    messages = []

    async def receive():
        await asyncio.Event().wait()  # the caller stays

    async def send(message):
        messages.append(message)

    headers = [(b"cookie", f"sessionid={cookie}".encode())] if cookie else []
    await asyncio.wait_for(live_router(_django)(_scope(path, headers, method), receive, send), 10)
    start, *rest = messages
    assert [m["type"] for m in rest] == ["http.response.body"] and not rest[0].get("more_body")
    return start["status"], dict(start["headers"]), rest[0]["body"]


async def _stream_once(path, headers, action, messages, gone, receive, send):
    task = asyncio.create_task(live_router(_django)(_scope(path, headers), receive, send))
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
