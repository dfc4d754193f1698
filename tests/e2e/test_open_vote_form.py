"""In a real browser: the form putting a motion to the vote offers a change of vote for a named vote only."""

from __future__ import annotations

import pytest

from councils.motions import actions
from councils.motions.models import Vote
from tests.conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_change_of_vote_box_shows_for_a_named_vote_only(cast, page_for, live_server, artifacts):
    from playwright.sync_api import expect

    motion = actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    alice = page_for("alice")
    alice.goto(f"{live_server.url}/motions/{motion.uuid}/")
    method, box = alice.get_by_label("Method"), alice.get_by_label("Members may change a named vote")
    # A base council votes by secret ballot unless the chair chooses otherwise.
    expect(method).to_have_value("secret")
    expect(box).to_be_hidden()
    method.select_option("named")
    expect(box).to_be_visible()
    expect(box).to_be_checked()
    alice.screenshot(path=str(artifacts / "open-vote-named.png"), full_page=True)
    method.select_option("secret")
    expect(box).to_be_hidden()
    alice.get_by_role("button", name="Open the vote").click()
    expect(alice.locator("#vote-box")).to_contain_text("Secret ballot")
    assert Vote.objects.get(motion=motion).allow_change is False
