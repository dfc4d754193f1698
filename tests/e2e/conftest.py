"""Browser fixtures: Debian's chromium driven by Playwright, skipped with a reason where it is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A chromium for one test; Playwright and its event loop live only as long as the test."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (make browser installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the test's own ORM calls
    # stay synchronous, so Django's guard against ORM use inside a running loop does not apply here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        try:
            yield launched
        finally:
            # ORM calls made while Playwright's loop runs may have opened a connection of their own;
            # close it here, in the same context, or PostgreSQL cannot drop the test database.
            connections.close_all()
            launched.close()


@pytest.fixture
def page_for(browser: Any, live_server: Any) -> Iterator[Any]:
    """Log a person in and return their page; each person gets their own browser context."""
    contexts = []

    def login(username: str, password: str = "councils-demo") -> Any:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
