"""Failed-login throttling shared by the web login and the API token endpoint.

Only failures count, per username and per client address, so a member who
logs in correctly is never locked out by their own successes.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

# Many members may log in from one address (a union office, a workplace
# behind NAT), so an address may fail this many times more than one username
# before everyone there has to wait.
ADDRESS_FACTOR = 10


def _limits(username: str, address: str) -> list[tuple[str, int]]:
    user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    per_user = settings.COUNCILS_LOGIN_FAILURES
    return [(f"login-fail:u:{user_key}", per_user), (f"login-fail:a:{address}", per_user * ADDRESS_FACTOR)]


def retry_after(*, username: str, address: str) -> int:
    """Seconds until another attempt is allowed, or 0 when one is allowed now."""
    now = time.time()
    wait = 0
    for key, limit in _limits(username, address):
        failures = [t for t in cache.get(key, []) if t > now - settings.COUNCILS_LOGIN_WINDOW_SECONDS]
        if len(failures) >= limit:
            wait = max(wait, int(failures[-limit] + settings.COUNCILS_LOGIN_WINDOW_SECONDS - now) + 1)
    return wait


def record_failure(*, username: str, address: str) -> None:
    now = time.time()
    for key, _limit in _limits(username, address):
        failures = [t for t in cache.get(key, []) if t > now - settings.COUNCILS_LOGIN_WINDOW_SECONDS]
        failures.append(now)
        cache.set(key, failures, settings.COUNCILS_LOGIN_WINDOW_SECONDS)


def client_address(meta: dict[str, object]) -> str:
    return str(meta.get("REMOTE_ADDR", "unknown"))
