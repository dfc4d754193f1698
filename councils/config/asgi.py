"""ASGI entry point: Django for pages and the API, a lean endpoint for live streams."""

import asyncio
import os
import weakref
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councils.config.settings")

import django
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import response_for_exception

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

    async def _get_response_async(self, request: Any) -> Any:
        # Django would turn an exception (a missing page, a refusal) into its response in a thread of the
        # loop's own executor, outside the request's thread: the page it renders opens a database
        # connection there that the end of the request never closes, and each such thread keeps one of
        # the pool's connections for good. Here the response is made in the request's thread.
        try:
            return await super()._get_response_async(request)  # type: ignore[misc]  # not in the stubs
        except Exception as exc:
            return await sync_to_async(response_for_exception)(request, exc)


django_application = GatedASGIHandler()

from councils.live.asgi import live_router  # noqa: E402

application = live_router(django_application)
