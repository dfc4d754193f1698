"""The minutes page gives each vote's tally, an amendment's too, on a wide screen and on a phone."""

from __future__ import annotations

import pytest

from councils.meetings import actions
from tests.meetings.test_actions import at, meeting  # noqa: F401 (fixture)
from tests.meetings.test_minutes_tallies import hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARRIED = "Named vote on “Amendment 1 to: Overtime ban” closed: adopted. Yes 2, no 1, abstain 0;"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_tallies_are_shown_and_read_out_at_every_width(
    cast,
    meeting,  # noqa: F811
    page_for,
    live_server,
    artifacts,
    width,
):
    held = actions.approve_minutes(actor=cast.alice, meeting=hold(cast, meeting), now=at(12))
    page = page_for("bob")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/meetings/{held.uuid}/minutes/")
    tallies = page.locator("p.tally")
    assert tallies.count() == 3 and tallies.first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A screen reader reads the sentence stating the tally in words; the figures beside it are hidden from it.
    spoken = page.locator("main").aria_snapshot()
    assert CARRIED in spoken and "Turnout" not in spoken
    page.screenshot(path=str(artifacts / f"minutes-tallies-{width}.png"), full_page=True)
