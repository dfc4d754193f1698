"""In a real browser, on a phone-sized screen: the chair's "Close the meeting" asks again on a page of
its own, which takes the focus, fits the screen, says what is left of the business and leads back
without closing anything; only its explicit submit closes the meeting."""

from __future__ import annotations

import pytest

from councils.meetings.models import Meeting
from tests.e2e.support import meeting_in_session, watch_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_closes_a_meeting_only_after_confirming(cast, page_for, live_server, artifacts):
    from playwright.sync_api import expect

    meeting = meeting_in_session(cast)
    url = f"{live_server.url}/meetings/{meeting.uuid}/"
    alice = page_for("alice")
    refused: list[str] = []
    watch_policies(alice, refused)
    alice.set_viewport_size({"width": 375, "height": 812})
    alice.goto(url)

    alice.get_by_role("link", name="Close the meeting…").click()
    alice.wait_for_url(f"{url}close/confirm/")
    heading = alice.get_by_role("heading", name="Close “General meeting”?")
    expect(heading).to_be_focused()
    expect(alice.locator("#confirm-current")).to_contain_text("Under discussion: “Report”.")
    expect(alice.locator("#confirm-pending")).to_contain_text("1 item on the agenda has not been reached.")
    expect(alice.locator("#confirm-what")).to_contain_text("cannot be undone")
    close = alice.get_by_role("button", name="Close the meeting now")
    # Described by what it does, for whoever reaches the button without reading the page first.
    expect(close).to_have_accessible_description(
        "Closing ends the meeting at once: it takes no more business, and it cannot be undone, as a "
        "closed meeting is never reopened. Its minutes are then drafted from the record, for approval."
    )
    assert alice.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "overflows"
    alice.screenshot(path=str(artifacts / "confirm-close-meeting.png"), full_page=True)

    # Backing out closes nothing.
    alice.get_by_role("link", name="Keep the meeting open").click()
    alice.wait_for_url(url)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN

    alice.get_by_role("link", name="Close the meeting…").click()
    alice.wait_for_url(f"{url}close/confirm/")
    # The page has focused its heading: the next Tab goes from there to the button.
    expect(heading).to_be_focused()
    alice.keyboard.press("Tab")
    expect(close).to_be_focused()
    alice.keyboard.press("Enter")
    alice.wait_for_url(url)
    expect(alice.locator("#messages")).to_have_text(
        "The meeting is closed: its minutes wait for approval on the Minutes page."
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED
    assert refused == []
