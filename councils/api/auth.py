"""API authentication: bearer tokens for scripts, the session for the web's own htmx calls."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from councils.accounts.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Let anonymous callers through, with `request.user` set when they did authenticate."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is not None:
                request.user = user
                return user
        return request.user if request.user.is_authenticated else True


REQUIRED = [BearerToken(), SessionAuth()]
OPTIONAL = [OptionalAuth()]
