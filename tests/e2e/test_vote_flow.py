"""In a real browser: bob votes on an open motion, alice closes the vote, confirming, and the result shows."""

from __future__ import annotations

import re

import pytest

from councils.motions import actions
from councils.motions.models import NamedBallot
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _named_vote(cast):
    """Bob's motion, seconded, with a named vote open on it."""
    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    return motion, actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")


def test_member_votes_and_chair_closes_and_result_appears(cast, page_for, live_server, artifacts):
    motion, vote = _named_vote(cast)
    url = f"{live_server.url}/motions/{motion.uuid}/"

    bob = page_for("bob")
    bob.get_by_role("link", name="Safety reps").click()  # from "Open votes" on the home page
    bob.wait_for_url(url)
    bob.get_by_role("button", name="Yes").click()
    bob.get_by_text("Your vote is recorded: Yes.").wait_for()
    assert bob.locator('[data-count="yes"]').inner_text() == "1"
    assert NamedBallot.objects.get(vote=vote, voter=cast.bob).choice == "yes"
    bob.screenshot(path=str(artifacts / "vote-flow-voted.png"), full_page=True)

    alice = page_for("alice")
    alice.goto(url)
    # The close asks again, on a page that says where the vote stands, before anything is counted.
    alice.get_by_role("link", name="Close the vote…").click()
    alice.wait_for_url(f"{live_server.url}/motions/votes/{vote.uuid}/close/confirm/")
    assert "1 of the 4 entitled to vote has voted." in alice.locator("#confirm-turnout").inner_text()
    assert "3 members entitled to vote have not voted" in alice.locator("#confirm-not-voted").inner_text()
    alice.screenshot(path=str(artifacts / "vote-flow-confirm-close.png"), full_page=True)
    alice.get_by_role("button", name="Close the vote and count it now").click()
    alice.wait_for_url(url)
    outcome = alice.locator(".outcome")
    outcome.wait_for()
    assert outcome.inner_text() == "Adopted"
    assert re.search(r"Yes\s*1", alice.locator("#vote-box .tally").inner_text())
    alice.screenshot(path=str(artifacts / "vote-flow-closed.png"), full_page=True)

    bob.goto(url)
    assert bob.locator(".outcome").inner_text() == "Adopted"


def test_a_screen_reader_hears_the_tally_whole(cast, asgi_server, asgi_page_for):
    from playwright.sync_api import expect

    motion, vote = _named_vote(cast)
    carol = asgi_page_for("carol")
    with carol.expect_response(lambda r: r.url.endswith(f"/live/vote-{vote.uuid}")):
        carol.goto(f"{asgi_server}/motions/{motion.uuid}/")
    summary = carol.locator("#tally-summary")
    expect(summary).to_be_empty()
    actions.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    expect(summary).to_have_text(re.compile(r"^Yes 1 No 0 Abstain 0 Turnout 1 / \d+$"))


def test_a_ballot_refused_from_a_stale_page_says_why(cast, page_for, live_server, artifacts):
    from playwright.sync_api import expect

    motion, vote = _named_vote(cast)
    bob = page_for("bob")
    bob.goto(f"{live_server.url}/motions/{motion.uuid}/")
    # The chair closes the vote while bob's page (served without live streams here) still offers it.
    actions.close_vote(actor=cast.alice, vote=vote, now=NOW)
    bob.evaluate("() => { window.loadedOnce = true; }")
    bob.get_by_role("button", name="Yes").click()
    refusal = bob.locator("#refusal [role=alert]")
    expect(refusal).to_have_text("This vote is closed.")
    assert bob.evaluate("() => window.loadedOnce === true")  # said on the same page, not a new one
    assert not NamedBallot.objects.filter(vote=vote).exists()
    bob.screenshot(path=str(artifacts / "vote-flow-refused.png"), full_page=True)


@pytest.mark.tampers
def test_the_record_guard_sees_what_the_live_server_writes(cast, page_for, live_server):
    """A ballot cast through the live server's page is in the record `verified_record` reads, and a
    ballot changed behind that record is caught: the guard verifies what the browser did."""
    from councils.record.verification import verify_database

    motion, vote = _named_vote(cast)
    bob = page_for("bob")
    bob.goto(f"{live_server.url}/motions/{motion.uuid}/")
    bob.get_by_role("button", name="Yes").click()
    bob.get_by_text("Your vote is recorded: Yes.").wait_for()
    assert verify_database() == []

    NamedBallot.objects.filter(vote=vote, voter=cast.bob).update(choice="no")
    assert verify_database() == [
        f"[votes] Vote {vote.uuid}: {cast.bob.uuid}'s ballot says 'no' but the record says 'yes'."
    ]
