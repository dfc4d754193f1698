"""Browser fixtures: Debian's chromium driven by Playwright, skipped with a reason where it is missing."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
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


def _logins(browser: Any, url: str) -> tuple[Callable[..., Any], list[Any]]:
    contexts: list[Any] = []

    def login(username: str, password: str = "councils-demo") -> Any:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{url}/")
        return page

    return login, contexts


@pytest.fixture
def page_for(browser: Any, live_server: Any) -> Iterator[Any]:
    """Log a person in and return their page; each person gets their own browser context."""
    login, contexts = _logins(browser, live_server.url)
    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """The site's ASGI application, live streams included, served by uvicorn on a free local port.

    pytest-django's live_server is WSGI, which has no /live/ streams. The server runs in a thread of
    its own with its own event loop; the test's data must be committed for it to see (transactional_db).
    """
    import uvicorn

    from councils.config.asgi import application

    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    # Open streams hang up when their browser context closes; give stragglers a bounded time.
    server = uvicorn.Server(
        # The test settings serve static files from the apps' folders (nothing is collected).
        uvicorn.Config(
            application,
            loop="asyncio",
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
    )

    async def serve() -> None:
        try:
            await server.serve(sockets=[listening])
        finally:
            # The streams' guards read the session in asgiref's shared worker thread, outside any request,
            # so nothing closes that connection; close it there, or PostgreSQL cannot drop the test database.
            await sync_to_async(connections.close_all)()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ASGI server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        listening.close()
        assert not thread.is_alive(), "the ASGI server did not stop"


@pytest.fixture
def asgi_page_for(browser: Any, asgi_server: str) -> Iterator[Any]:
    """As page_for, on the ASGI server: pages that follow live streams."""
    login, contexts = _logins(browser, asgi_server)
    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
