"""In a real browser, on the ASGI server with its live streams: a platform formed shows on another
member's platforms page, and a document or slate a platform publishes shows on its page, within
seconds and without a reload; what someone is typing into the form on the page stays."""

from __future__ import annotations

from typing import Any

import pytest

from councils.platforms import actions
from tests.conftest import NOW
from tests.e2e.support import watch_policies
from tests.membership.support import nominated_election

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def _follow(page: Any, url: str, channel: str) -> None:
    """Open the page, wait until its stream is open, and mark the loaded document."""
    with page.expect_response(lambda r: r.url.endswith(f"/live/{channel}")) as stream:
        page.goto(url)
    assert stream.value.status == 200
    assert stream.value.headers["content-type"] == "text/event-stream"
    page.evaluate("() => { window.loadedOnce = true; }")


def test_a_platform_formed_shows_on_the_platforms_page_without_a_reload(cast, asgi_server, asgi_page_for):
    from playwright.sync_api import expect

    refused: list[str] = []
    bob, erin = asgi_page_for("bob"), asgi_page_for("erin")
    watch_policies(bob, refused)
    _follow(bob, f"{asgi_server}/platforms/", f"federation-{cast.federation.uuid}")
    platforms = bob.locator("#platform-list")
    expect(platforms).to_contain_text("No platforms yet.")
    # Bob starts on a platform of his own and has not sent it yet.
    bob.get_by_label("Name").fill("Safety First")

    erin.goto(f"{asgi_server}/platforms/")
    erin.get_by_label("Name").fill("Rank and File")
    erin.get_by_label("Statement").fill("Power to the depots.")
    erin.get_by_role("button", name="Form the platform").click()
    expect(erin.locator("h1")).to_have_text("Rank and File")

    expect(platforms.get_by_role("link", name="Rank and File")).to_be_visible(timeout=SOON)
    expect(platforms).not_to_contain_text("No platforms yet.")
    expect(bob.get_by_label("Name")).to_have_value("Safety First")
    assert bob.evaluate("() => window.loadedOnce === true"), "the page was reloaded"
    assert refused == []


def test_a_platforms_page_shows_what_it_publishes_without_a_reload(
    cast, asgi_server, asgi_page_for, artifacts
):
    from playwright.sync_api import expect

    platform = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    url = f"{asgi_server}/platforms/{platform.uuid}/"
    refused: list[str] = []
    erin, bob = asgi_page_for("erin"), asgi_page_for("bob")
    watch_policies(erin, refused)
    _follow(erin, url, f"platform-{platform.uuid}")
    documents, slates = erin.locator("#platform-documents"), erin.locator("#platform-slates")
    expect(documents).to_contain_text("No documents addressed to you.")

    # Bob, a member of the platform, publishes a document to Riverside's members through his pages.
    bob.goto(f"{url}publish/")
    bob.get_by_label("Title").fill("Why we strike")
    bob.get_by_label("Text").fill("Because we must.")
    bob.get_by_label("Riverside Depot").check()
    bob.get_by_role("button", name="Publish a document").click()
    expect(bob.locator("h1")).to_have_text("Rank and File")
    expect(documents.get_by_role("link", name="Why we strike")).to_be_visible(timeout=SOON)

    # A slate run from the command line or the API shows too.
    actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=nominated_election(cast).uuid,
        title="Our candidates",
        candidates=[str(cast.erin.uuid)],
        now=NOW,
    )
    expect(slates).to_contain_text("Our candidates", timeout=SOON)
    assert erin.evaluate("() => window.loadedOnce === true"), "the page was reloaded"
    erin.screenshot(path=str(artifacts / "live-platform.png"), full_page=True)
    assert refused == []
