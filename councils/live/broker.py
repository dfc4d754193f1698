"""Brokers that carry live events from the process that committed to every stream.

The in-process broker serves the embedded default (one ASGI process); the
Redis broker fans out across several app processes when REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]


class InProcessBroker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, set[Listener]] = defaultdict(set)

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners.get(channel, ()))
        for listener in listeners:
            listener(channel, event)

    def may_have_listeners(self, channel: str) -> bool:
        """False only when no stream can be following `channel`, so its event need not be built."""
        with self._lock:
            return bool(self._listeners.get(channel))

    def subscribe(self, channel: str, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners[channel].add(listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners[channel].discard(listener)

        return unsubscribe


class RedisBroker(InProcessBroker):
    """Publishes through Redis and relays what Redis delivers to local listeners."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        self._pubsub.psubscribe(**{"councils:*": self._relay})
        self._thread = self._pubsub.run_in_thread(sleep_time=0.05, daemon=True)

    def _relay(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode().removeprefix("councils:")
        super().publish(channel, json.loads(message["data"]))

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._redis.publish("councils:" + channel, json.dumps(event))

    def may_have_listeners(self, channel: str) -> bool:
        # Streams served by other processes cannot be seen from here.
        return True


def queue_listener(
    queue: asyncio.Queue[tuple[str, dict[str, Any]]], loop: asyncio.AbstractEventLoop
) -> Listener:
    """A listener that hands events to an asyncio queue from any thread."""

    def listener(channel: str, event: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (channel, event))

    return listener
