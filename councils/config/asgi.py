"""ASGI entry point: Django for pages and the API, a lean endpoint for live streams."""

import asyncio
import functools
import os
import weakref
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.config.settings")

import django
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import convert_exception_to_response, response_for_exception

django.setup(set_prefix=False)


class GatedASGIHandler(ASGIHandler):
    """Django, at work on at most `COUNCILS_CONCURRENT_REQUESTS` requests of this process at once.

    Django runs each request's views in a thread of its own. When every delegate
    of a congress fetches the speakers' list within a second, hundreds of
    threads take turns on one interpreter lock: each request then takes as long
    as all of them together, and every delegate waits for the last. Behind the
    gate the others wait their turn without a thread, so requests are answered
    one after another, sooner on average and faster in total. A request queues
    after its body has arrived and its response is sent after it leaves, so a
    slow client never holds a place; live streams do not pass the gate at all.
    """

    def __init__(self) -> None:
        super().__init__()
        # One gate per event loop: a semaphore belongs to the loop it first waited on.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    async def run_get_response(self, request: Any) -> Any:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(settings.COUNCILS_CONCURRENT_REQUESTS)
        async with gate:
            return await super().run_get_response(request)

    def load_middleware(self, is_async: bool = False) -> None:
        # Django wraps each layer of the chain (every middleware, and the view's handler beneath them) so that
        # an exception becomes its response there; for a layer that runs on the event loop it makes that
        # response in a thread of the loop's own executor, outside the request's thread. The page it renders
        # (a missing page, a refusal, a Host refused behind TLS) opens a database connection there that the
        # end of the request never closes, and each such thread keeps one of the pool's connections for good.
        # The chain is built here with layers that make it in the request's own thread.
        # (`base` imports the function by name; the stubs leave it out.)
        base.convert_exception_to_response = _answer_exceptions_in_the_request_thread  # type: ignore[attr-defined]
        try:
            super().load_middleware(is_async)
        finally:
            base.convert_exception_to_response = convert_exception_to_response  # type: ignore[attr-defined]


def _answer_exceptions_in_the_request_thread(get_response: Callable[..., Any]) -> Callable[..., Any]:
    """Django's `convert_exception_to_response`, making an async layer's response in the request's thread."""
    if not iscoroutinefunction(get_response):
        return convert_exception_to_response(get_response)  # it answers in the thread the layer runs in

    @functools.wraps(get_response)
    async def answered(request: Any) -> Any:
        try:
            return await get_response(request)
        except Exception as exc:
            return await sync_to_async(response_for_exception)(request, exc)

    return answered


django_application = GatedASGIHandler()

from councils.live.asgi import live_router  # noqa: E402

application = live_router(django_application)
