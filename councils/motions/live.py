"""Who may follow a vote's live channel: whoever may see the vote's council.

The stream itself carries counts only (a named vote's tally, a secret vote's
turnout), never names; this guard also keeps hidden councils' counts hidden.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from importlib import import_module
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest

from councils.core.errors import NotFoundError

PREFIX = "vote-"


def _viewer(scope: dict[str, Any]) -> Any:
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


def _may_follow(scope: dict[str, Any], channel: str) -> bool:
    from councils.motions.queries import access_vote

    try:
        access_vote(viewer=_viewer(scope), vote_uuid=channel[len(PREFIX) :])
    except NotFoundError:
        return False
    return True


async def may_follow_vote(scope: dict[str, Any], channel: str) -> bool:
    return await sync_to_async(_may_follow)(scope, channel)
