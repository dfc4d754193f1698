"""In a real browser, on the ASGI server with its live streams: what one person does in a council shows on
another's council page within seconds and without a reload, and no script or style is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from councils.federation.models import Council
from councils.meetings import actions as meeting_actions
from tests.conftest import NOW
from tests.e2e.support import watch_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def _streams(council: Council) -> Any:
    return lambda r: r.url.endswith(f"/live/council-{council.uuid}")


def test_the_council_page_shows_what_others_do_without_a_reload(cast, asgi_server, asgi_page_for, artifacts):
    from playwright.sync_api import expect

    url = f"{asgi_server}/councils/{cast.riverside.uuid}/"
    refused: list[str] = []
    carol, bob = asgi_page_for("carol"), asgi_page_for("bob")
    watch_policies(carol, refused)
    watch_policies(bob, refused)
    with carol.expect_response(_streams(cast.riverside)) as stream:
        carol.goto(url)
    assert stream.value.status == 200
    assert stream.value.headers["content-type"] == "text/event-stream"
    carol.evaluate("() => { window.loadedOnce = true; }")
    motions, meetings = carol.locator("#council-motions"), carol.locator("#council-meetings")
    expect(motions).to_contain_text("No motions yet.")

    # Bob tables a motion through his own pages; Carol, an observer, sees it listed on hers.
    bob.goto(url)
    bob.get_by_role("link", name="Table a motion").click()
    bob.get_by_label("Title").fill("Heating in the depot")
    bob.get_by_label("Text of the motion").fill("Fix the heating before winter.")
    bob.get_by_role("button", name="Table the motion").click()
    expect(bob.locator("h1")).to_contain_text("Heating in the depot")
    expect(motions).to_contain_text("Heating in the depot", timeout=SOON)
    expect(motions).not_to_contain_text("No motions yet.")

    # The chair schedules a meeting (an action, as from the API or the command line): it is listed too.
    meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="Winter general meeting",
        starts_at=NOW + timedelta(days=30),
        place="Canteen",
        now=NOW,
    )
    expect(meetings).to_contain_text("Winter general meeting", timeout=SOON)
    assert carol.evaluate("() => window.loadedOnce === true"), "the page was reloaded"
    carol.screenshot(path=str(artifacts / "live-council.png"), full_page=True)
    assert refused == []


def test_a_council_created_below_shows_on_the_page_above_without_a_reload(cast, asgi_server, asgi_page_for):
    from playwright.sync_api import expect

    from councils.federation import actions as federation_actions

    bob = asgi_page_for("bob")
    with bob.expect_response(_streams(cast.district)):
        bob.goto(f"{asgi_server}/councils/{cast.district.uuid}/")
    bob.evaluate("() => { window.loadedOnce = true; }")
    below = bob.locator("#council-children")
    expect(below).to_contain_text("Harbour Works")
    federation_actions.create_council(
        actor=None,
        federation=cast.federation,
        name="Canal Yard",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        now=NOW,
    )
    expect(below.get_by_role("link", name="Canal Yard")).to_be_visible(timeout=SOON)
    assert bob.evaluate("() => window.loadedOnce === true"), "the page was reloaded"
