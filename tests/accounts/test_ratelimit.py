from __future__ import annotations

import pytest
from django.core.cache import cache

from councils.accounts import ratelimit


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.COUNCILS_LOGIN_FAILURES = 3
    settings.COUNCILS_LOGIN_WINDOW_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_failures_for_one_username_throttle_it_from_anywhere():
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert ratelimit.retry_after(username="Alice", address=address) == 0
        ratelimit.record_failure(username="Alice", address=address)
    wait = ratelimit.retry_after(username="alice ", address="10.0.0.9")
    assert 0 < wait <= 61
    assert ratelimit.retry_after(username="bob", address="10.0.0.9") == 0


def test_an_address_may_fail_for_many_people_before_it_is_throttled():
    for i in range(3 * ratelimit.ADDRESS_FACTOR - 1):
        ratelimit.record_failure(username=f"user{i}", address="10.0.0.1")
    assert ratelimit.retry_after(username="someone", address="10.0.0.1") == 0
    ratelimit.record_failure(username="last", address="10.0.0.1")
    assert ratelimit.retry_after(username="someone", address="10.0.0.1") > 0
    assert ratelimit.retry_after(username="someone", address="10.0.0.2") == 0


def test_failures_expire_after_the_window(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    for _ in range(3):
        ratelimit.record_failure(username="erin", address="10.0.0.1")
    assert ratelimit.retry_after(username="erin", address="10.0.0.1") == 61
    clock[0] += 61
    assert ratelimit.retry_after(username="erin", address="10.0.0.1") == 0
