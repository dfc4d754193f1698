"""API bearer tokens: issue and resolve. Tokens never enter the record."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from councils.accounts.models import ApiToken, User


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(*, user: User, name: str, now: datetime) -> str:
    """Create a token for `user` and return the raw value, shown once."""
    raw = "cnl_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_digest(raw), created_at=now)
    return raw


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None
