"""In a real browser, on the ASGI server with its live streams: a council's accountability page shows a
delegate's broken mandate as soon as the roll call is checked, and a recall another member starts from
it, within seconds and without a reload."""

from __future__ import annotations

import pytest

from tests.e2e.support import watch_policies
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def test_the_accountability_page_shows_roll_calls_and_recalls_without_a_reload(
    cast, rules, asgi_server, asgi_page_for, artifacts
):
    from playwright.sync_api import expect

    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    url = f"{asgi_server}/mandates/councils/{cast.riverside.uuid}/"
    refused: list[str] = []
    frank, erin = asgi_page_for("frank"), asgi_page_for("erin")
    watch_policies(frank, refused)
    with frank.expect_response(lambda r: r.url.endswith(f"/live/council-{cast.riverside.uuid}")) as stream:
        frank.goto(url)
    assert stream.value.status == 200
    frank.evaluate("() => { window.loadedOnce = true; }")
    rollcall, recalls = frank.locator("#mandates-rollcall"), frank.locator("#mandates-recalls")
    expect(rollcall).to_contain_text("No instructed votes have been held yet.")

    # The district votes; Bob, Riverside's delegate, votes against his mandate, and the roll call is checked.
    district_vote(cast, target, bob="no")
    expect(rollcall).to_contain_text("Deviated", timeout=SOON)
    expect(rollcall.get_by_role("button", name="Start a recall of Bob Novak")).to_be_visible()

    # Erin starts a recall in one step from the same row on her own page; Frank's page shows it under way.
    erin.goto(url)
    erin.get_by_role("button", name="Start a recall of Bob Novak").click()
    expect(erin.locator("h1")).to_contain_text("Bob Novak")
    expect(recalls.get_by_role("link", name="Recall of Bob Novak")).to_be_visible(timeout=SOON)
    expect(rollcall.get_by_role("link", name="Recall under way")).to_be_visible(timeout=SOON)
    assert frank.evaluate("() => window.loadedOnce === true"), "the page was reloaded"
    frank.screenshot(path=str(artifacts / "live-accountability.png"), full_page=True)
    assert refused == []
