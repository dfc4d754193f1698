"""The publisher actions call: events leave only after the transaction commits."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

from councils.live.broker import InProcessBroker, RedisBroker
from councils.live.state import changed

Event = dict[str, Any]


@cache
def broker() -> InProcessBroker:
    if settings.REDIS_URL:
        return RedisBroker(settings.REDIS_URL)
    return InProcessBroker()


def publish_on_commit(channel: str, event: Event | Callable[[], Event]) -> None:
    """Publish `event` on `channel` once the current transaction commits; never if it rolls back.

    `event` may instead be a function that builds the event after the commit, so
    that what it reads (a live tally) is not read while the action holds its
    locks. Events are best-effort: if building or sending one fails (the broker
    is down), the error is logged, because the action has committed and must
    not be reported as failed. Pages fetch the state again on their next event
    or reload.

    What viewers of `channel` read alike and is kept for them (live/state.py)
    is retired at once, so that nothing read later in this transaction is
    served from before it, and again on commit, so that nothing read meanwhile
    from before the commit is served after the event.
    """
    build = event if callable(event) else (lambda: event)
    changed(channel)

    def send() -> None:
        changed(channel)
        # A tally nobody follows is not counted: every cast would count the whole vote again.
        if broker().may_have_listeners(channel):
            broker().publish(channel, build())

    transaction.on_commit(send, robust=True)
