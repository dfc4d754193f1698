"""The publisher actions call: events leave only after the transaction commits."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

from councils.live.broker import InProcessBroker, RedisBroker


@cache
def broker() -> InProcessBroker:
    if settings.REDIS_URL:
        return RedisBroker(settings.REDIS_URL)
    return InProcessBroker()


def publish_on_commit(channel: str, event: dict[str, Any]) -> None:
    """Publish `event` on `channel` once the current transaction commits; never if it rolls back."""
    transaction.on_commit(lambda: broker().publish(channel, event))
