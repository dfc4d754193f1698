"""Failed-login throttling shared by the web login and the API token endpoint.

Only failures count, per username and per client address, so a member who
logs in correctly is never locked out by their own successes.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:u:{user_key}", f"login-fail:a:{address}"]


def retry_after(*, username: str, address: str) -> int:
    """Seconds until another attempt is allowed, or 0 when one is allowed now."""
    now = time.time()
    wait = 0
    for key in _keys(username, address):
        failures = [t for t in cache.get(key, []) if t > now - settings.COUNCILS_LOGIN_WINDOW_SECONDS]
        if len(failures) >= settings.COUNCILS_LOGIN_FAILURES:
            wait = max(wait, int(failures[0] + settings.COUNCILS_LOGIN_WINDOW_SECONDS - now) + 1)
    return wait


def record_failure(*, username: str, address: str) -> None:
    now = time.time()
    for key in _keys(username, address):
        failures = [t for t in cache.get(key, []) if t > now - settings.COUNCILS_LOGIN_WINDOW_SECONDS]
        failures.append(now)
        cache.set(key, failures, settings.COUNCILS_LOGIN_WINDOW_SECONDS)


def client_address(meta: dict[str, object]) -> str:
    return str(meta.get("REMOTE_ADDR", "unknown"))
