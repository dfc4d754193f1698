"""In a real browser, on the ASGI server with its live streams: two people on the same open meeting
page each see what the other and the chair do, within seconds and without reloading (someone not
yet present is offered the speakers' list as soon as the chair marks them present); the page
reloads itself only when the meeting closes, and never under a form being filled in. The chair's
list of people still absent follows too, keeping the boxes the chair has ticked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from councils.meetings import actions
from councils.meetings.models import Meeting
from tests.conftest import NOW
from tests.e2e.support import meeting_in_session, watch_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def _follow(page: Any, url: str, meeting: Meeting) -> None:
    """Open the meeting page, wait until its stream is open, and mark the loaded document."""
    with page.expect_response(lambda r: r.url.endswith(f"/live/meeting-{meeting.uuid}")) as stream:
        page.goto(url)
    assert stream.value.status == 200
    assert stream.value.headers["content-type"] == "text/event-stream"
    page.evaluate("() => { window.loadedOnce = true; }")


def _not_reloaded(page: Any) -> bool:
    return page.evaluate("() => window.loadedOnce === true")


def test_the_meeting_page_shows_what_others_do_without_a_reload(cast, asgi_server, asgi_page_for, artifacts):
    from playwright.sync_api import expect

    meeting = meeting_in_session(cast)
    url = f"{asgi_server}/meetings/{meeting.uuid}/"
    refused: list[str] = []
    alice, erin = asgi_page_for("alice"), asgi_page_for("erin")
    for page in (alice, erin):
        watch_policies(page, refused)
        _follow(page, url, meeting)

    # Erin is not marked present yet: she is told to press "I am here" rather than offered the list.
    ask = erin.locator("#speakers").get_by_role("button", name="Ask to speak")
    expect(erin.locator("#speakers")).to_contain_text("Only those present may ask to speak")
    expect(ask).to_have_count(0)

    # The chair marks Erin present (an action, as from the API): her count, quorum and buttons follow.
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=NOW)
    expect(erin.locator("#attendance")).to_contain_text("2 of the council's 4 voters", timeout=SOON)
    expect(erin.get_by_role("button", name="I am here")).to_have_count(0)
    expect(ask).to_be_visible(timeout=SOON)
    expect(erin.locator("#speakers")).not_to_contain_text("Only those present")
    assert _not_reloaded(erin)

    # Erin asks to speak (htmx on her page); the chair's list shows her.
    ask.click()
    expect(alice.locator("#speakers")).to_contain_text("Erin Walsh", timeout=SOON)
    assert _not_reloaded(alice)

    # The chair gives her the floor; Erin's page says so.
    alice.locator("#speakers").get_by_role("button", name="Give the floor to the next speaker").click()
    expect(erin.locator("#speakers")).to_contain_text("has the floor", timeout=SOON)

    # The chair takes the next item (her page is sent again): the agenda and the speakers' list move
    # on, on Erin's page.
    with alice.expect_response(lambda r: r.url.endswith(f"/live/meeting-{meeting.uuid}")):
        alice.get_by_role("button", name="Take the next item").click()
    alice.evaluate("() => { window.loadedOnce = true; }")
    expect(erin.locator("#agenda strong")).to_have_text("Any other business", timeout=SOON)
    expect(erin.locator("#speakers")).to_contain_text("On: Any other business", timeout=SOON)
    expect(erin.locator("#speakers")).to_contain_text("No one has asked to speak.")
    assert _not_reloaded(erin)
    erin.screenshot(path=str(artifacts / "live-meeting-followed.png"), full_page=True)

    # Closing the meeting reloads the page, which then follows no stream; but the chair, halfway
    # through adding an item, keeps what she typed and is told instead.
    alice.get_by_label("Title", exact=True).fill("Canteen prices")
    actions.close_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    expect(erin.locator("h1 .badge")).to_have_text("Closed", timeout=SOON)
    assert not _not_reloaded(erin)
    assert erin.locator("[data-live]").count() == 0
    assert re.search(r"Closed\s", erin.locator("dl.facts").inner_text())
    expect(alice.locator("[data-live-notice~='meeting.closed']")).to_be_visible(timeout=SOON)
    expect(alice.locator("[data-live-notice~='meeting.closed']")).to_contain_text("The meeting has closed")
    assert _not_reloaded(alice)
    expect(alice.get_by_label("Title", exact=True)).to_have_value("Canteen prices")

    assert refused == []


def test_the_chairs_absent_list_follows_others_and_keeps_the_ticks(cast, asgi_server, asgi_page_for):
    from playwright.sync_api import expect

    meeting = meeting_in_session(cast)
    refused: list[str] = []
    alice = asgi_page_for("alice")
    watch_policies(alice, refused)
    _follow(alice, f"{asgi_server}/meetings/{meeting.uuid}/", meeting)
    absent = alice.locator("#absent")
    frank, erin = absent.get_by_label("Frank Costa"), absent.get_by_label("Erin Walsh")
    frank.check()
    erin.check()

    # Another officer marks Erin present: she leaves the chair's list, whose tick for Frank stays.
    actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.erin, now=NOW)
    expect(erin).to_have_count(0, timeout=SOON)
    expect(frank).to_be_checked()
    expect(absent.get_by_label("Carol Singh")).not_to_be_checked()
    assert _not_reloaded(alice)

    absent.get_by_role("button", name="Mark the ticked people present").click()
    expect(alice.get_by_role("status")).to_contain_text("1 person is marked present.")
    expect(alice.locator("#messages")).to_be_focused()  # so that a screen reader reads it
    assert sorted(meeting.attendance.values_list("user__username", flat=True)) == ["bob", "erin", "frank"]
    assert refused == []
