"""API authentication: bearer tokens for scripts, the session for the web's own htmx calls.

A bearer token cannot be sent by another site, so bearer calls need no CSRF
token; a session cookie can, so session-authenticated writes must carry one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from councils.accounts.tokens import resolve_token, user_for_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _require_csrf(request: HttpRequest) -> None:
    if request.method in SAFE_METHODS:
        return
    try:
        refused = check_csrf(request) is not None
    except (SuspiciousOperation, MultiPartParserError):
        # Without the header the token is looked for in the form, and this one cannot be read.
        refused = True
    if refused:
        raise HttpError(
            403, "CSRF check failed: send the X-CSRFToken header with session-authenticated writes."
        )


class InvalidTokenError(Exception):
    """A bearer token was sent and is not a working token: revoked, of a deactivated account, or mistyped."""


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = resolve_token(token)
        if found is None:
            # Say so, rather than try the session and answer as if no token had been sent.
            raise InvalidTokenError
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class CsrfSessionAuth(APIKeyCookie):
    """The logged-in web session, with the CSRF check only once someone is logged in.

    An anonymous caller gets 401 (log in), not a confusing CSRF refusal.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        _require_csrf(request)
        return request.user


class OptionalAuth:
    """Let anonymous callers through, with `request.user` set when they did authenticate.

    A bearer token that does not work is refused, not taken for no token: a script whose token was
    revoked would otherwise read public pages as anonymous and take what is hidden for missing.
    """

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is None:
                raise InvalidTokenError
            request.user = user
            return user
        if request.user.is_authenticated:
            _require_csrf(request)
            return request.user
        return True


REQUIRED = [BearerToken(), CsrfSessionAuth()]
OPTIONAL = [OptionalAuth()]
