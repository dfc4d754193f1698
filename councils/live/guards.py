"""Who may follow a live channel: the same rule as the page that shows the channel's object.

Every channel prefix has a guard, registered by the app that owns the object
(in its `ready()`) from that object's `access_*` query; a channel whose prefix
has no guard is refused, so a new kind of channel cannot be left open to all.
The viewer is the user of the session cookie; the stream takes no bearer
tokens (browsers' EventSource cannot send them), so a token alone is anonymous.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.db import connections
from django.http import HttpRequest

from councils.core.errors import NotFoundError

# access(viewer, key) returns the object `key` names or raises NotFoundError when it is
# missing or hidden from `viewer` (None for an anonymous caller).
Access = Callable[[Any, str], object]
Guard = Callable[[dict[str, Any], str], Awaitable[bool]]
_GUARDS: dict[str, Guard] = {}


def viewer(scope: dict[str, Any]) -> Any:
    """The signed-in user of an ASGI scope's session cookie, or None."""
    cookies: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(morsel.value)
    user = get_user(request)
    return user if user.is_authenticated else None


def guard_channels(*, prefix: str, access: Access) -> None:
    """Stream channels `<prefix><key>` only to callers for whom `access(viewer, key)` finds the object."""

    def admit(scope: dict[str, Any], channel: str) -> bool:
        try:
            access(viewer(scope), channel[len(prefix) :])
        except NotFoundError:
            return False
        finally:
            # A stream is outside Django's request cycle, whose end would close the connection: without
            # this, asgiref's worker thread would keep one of the pool's connections for good.
            connections.close_all()
        return True

    _GUARDS[prefix] = sync_to_async(admit)


async def may_follow(scope: dict[str, Any], channel: str) -> bool:
    """Whether the caller may follow `channel`: a guard covers it and every guard covering it admits them."""
    guards = [guard for prefix, guard in _GUARDS.items() if channel.startswith(prefix)]
    if not guards:
        return False
    for guard in guards:
        if not await guard(scope, channel):
            return False
    return True
