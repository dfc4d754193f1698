"""In a real browser, on the ASGI server with its live streams: a member waiting on a motion's page
sees its vote open without reloading, unless they are typing an amendment, which a notice keeps."""

from __future__ import annotations

import pytest

from councils.motions import actions
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def test_the_vote_opening_reaches_a_member_waiting_on_the_motion(cast, asgi_server, asgi_page_for, artifacts):
    from playwright.sync_api import expect

    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    erin = asgi_page_for("erin")
    with erin.expect_response(lambda r: r.url.endswith(f"/live/council-{cast.riverside.uuid}")) as stream:
        erin.goto(f"{asgi_server}/motions/{motion.uuid}/")
    assert stream.value.status == 200
    expect(erin.locator("#vote-box")).to_contain_text("Awaiting a vote.")

    actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    expect(erin.get_by_role("button", name="Yes")).to_be_visible(timeout=SOON)
    erin.get_by_role("button", name="Yes").click()
    expect(erin.get_by_text("Your vote is recorded: Yes.")).to_be_visible()
    erin.screenshot(path=str(artifacts / "live-motion-opened.png"), full_page=True)


def test_an_amendment_being_typed_is_kept_and_a_notice_says_why(cast, asgi_server, asgi_page_for):
    from playwright.sync_api import expect

    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    frank = asgi_page_for("frank")
    with frank.expect_response(lambda r: r.url.endswith(f"/live/council-{cast.riverside.uuid}")):
        frank.goto(f"{asgi_server}/motions/{motion.uuid}/")
    frank.evaluate("() => { window.loadedOnce = true; }")
    frank.get_by_label("New full text proposed").fill("Elect three safety reps.")

    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    notice = frank.locator("[data-live-notice]")
    expect(notice).to_be_visible(timeout=SOON)
    expect(notice).to_contain_text("reload the page")
    assert frank.get_by_label("New full text proposed").input_value() == "Elect three safety reps."
    assert frank.evaluate("() => window.loadedOnce === true")


def test_the_close_is_offered_live_once_the_last_vote_is_in(cast, asgi_server, asgi_page_for, artifacts):
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import expect

    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    now = timezone.now()
    vote = actions.open_vote(
        actor=cast.alice, motion=motion, now=now, method="named", closes_at=now + timedelta(days=1)
    )
    for voter in (cast.alice, cast.bob, cast.erin):
        actions.cast_vote(actor=voter, vote=vote, choice="yes", now=timezone.now())
    alice = asgi_page_for("alice")
    with alice.expect_response(lambda r: r.url.endswith(f"/live/vote-{vote.uuid}")):
        alice.goto(f"{asgi_server}/motions/{motion.uuid}/")
    # Before the closing time, with Frank yet to vote, the rules refuse a close: no button, but when.
    expect(alice.locator("#vote-close-wait")).to_contain_text(
        "It can be closed and counted earlier only once"
    )
    expect(alice.get_by_role("link", name="Close the vote…")).to_have_count(0)
    alice.screenshot(path=str(artifacts / "motion-close-waits.png"), full_page=True)
    actions.cast_vote(actor=cast.frank, vote=vote, choice="no", now=timezone.now())
    expect(alice.get_by_role("link", name="Close the vote…")).to_be_visible(timeout=SOON)
    alice.get_by_role("link", name="Close the vote…").click()
    expect(alice.locator("#confirm-turnout")).to_have_text(
        "4 of the 4 entitled to vote have voted. So far: 3 yes, 1 no, 0 abstaining."
    )
    alice.get_by_role("button", name="Close the vote and count it now").click()
    expect(alice.locator(".outcome")).to_contain_text("Adopted")
