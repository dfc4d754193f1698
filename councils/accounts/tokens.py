"""API bearer tokens: issue, list, revoke and resolve. Tokens never enter the record."""

from __future__ import annotations

import hashlib
import secrets
import uuid as uuid_lib
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from councils.accounts.models import ApiToken, User
from councils.core.errors import InvalidInputError, NotFoundError

# Marking a token as used costs a write; doing it at most once a minute keeps
# busy scripts from writing on every request while "last used" stays useful.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX = 100


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(*, user: User, name: str, now: datetime) -> str:
    """Create a token for `user` and return the raw value, shown once."""
    return create_token(user=user, name=name, now=now)[1]


def create_token(*, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """Create a named token for `user`; return the row and the raw value, which is shown once."""
    name = name.strip()
    if not name:
        raise InvalidInputError("A token needs a name, such as the machine or script that uses it.")
    if len(name) > NAME_MAX:
        raise InvalidInputError(f"A token name has at most {NAME_MAX} characters.")
    raw = "cnl_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=_digest(raw), created_at=now)
    return token, raw


def list_tokens(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-id")


def access_token(*, user: User, token_uuid: uuid_lib.UUID | str) -> ApiToken:
    """One of the user's working tokens; someone else's token is simply not found."""
    try:
        return list_tokens(user=user).get(uuid=token_uuid)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("No such token.") from None


def revoke_token(*, user: User, token_uuid: uuid_lib.UUID | str, now: datetime) -> ApiToken:
    """Revoke one of the user's tokens at once: the next request with it is refused."""
    token = access_token(user=user, token_uuid=token_uuid)
    ApiToken.objects.filter(id=token.id, revoked_at__isnull=True).update(revoked_at=now)
    token.revoked_at = now
    return token


def resolve_token(raw: str) -> ApiToken | None:
    """The working token with this raw value, its user loaded; marks it used (coarsely)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_for_token(raw: str) -> User | None:
    token = resolve_token(raw)
    return token.user if token else None
