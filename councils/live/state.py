"""What many viewers of a live channel read alike, read once per change of the channel.

At a congress every delegate's page fetches the same list within a second of
each event. What every viewer who may follow a channel is shown alike (never
what depends on who asks: their rights, their own place on a list) can be
kept in the cache under the channel's *state token*: a random one that the
first reader after a change sets, and that the publisher drops for every
event on the channel, both at once and again once the transaction commits.
A reader takes the token first and the rows after, so whatever it keeps under
a token was read no earlier than that token was set: rows kept under a
dropped token are never read again. The cache is the one every app process shares (Redis, or files in
var/), so an event published by one process retires what another kept. A
change that publishes nothing on the channel (a speaker renaming themselves)
shows within `STATE_SECONDS`. If the cache fails, the rows are read directly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

# How long what is kept for a channel serves at most, even with no event.
STATE_SECONDS = 60

T = TypeVar("T")
_NOT_KEPT = object()  # `read` may well give None


def _token_key(channel: str) -> str:
    return f"live:state:{channel}"


def changed(channel: str) -> None:
    """Retire everything kept for `channel`: the next reader reads the rows again."""
    try:
        cache.delete(_token_key(channel))
    except Exception:  # the action has committed or is about to; a failed cache must not undo it
        logger.exception("could not retire the state kept for live channel %s", channel)


def shared(channel: str, name: str, read: Callable[[], T]) -> T:
    """`read()`, or what it gave another viewer since the last event on `channel`.

    `read` must give every viewer who may follow `channel` the same answer.
    """
    try:
        token = cache.get_or_set(_token_key(channel), lambda: uuid.uuid4().hex, timeout=None)
        key = f"live:shared:{channel}:{name}:{token}"
        kept = cache.get(key, _NOT_KEPT)
    except Exception:
        logger.exception("could not read the state kept for live channel %s", channel)
        return read()
    if kept is not _NOT_KEPT:
        return kept  # type: ignore[no-any-return]
    value = read()
    try:
        cache.set(key, value, timeout=STATE_SECONDS)
    except Exception:
        logger.exception("could not keep the state of live channel %s", channel)
    return value
