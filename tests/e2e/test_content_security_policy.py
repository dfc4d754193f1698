"""In a real browser, under the site's Content-Security-Policy: the main pages load with no refused
script or style, the record entry still verifies in the browser and htmx still swaps fragments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from councils.elections import actions as election_actions
from councils.meetings import actions as meeting_actions
from councils.motions import actions as motion_actions
from councils.record import sequencer
from councils.record.models import Sequence
from tests.conftest import NOW
from tests.e2e.support import watch_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scene(cast: Any) -> dict[str, Any]:
    """A meeting with an item under discussion, a motion put to a named vote and a counted election."""
    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    meeting_actions.add_agenda_item(actor=cast.alice, meeting=meeting, kind="report", title="Report", now=NOW)
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    meeting_actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.bob, now=NOW)
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)

    motion = motion_actions.table_motion(
        actor=cast.bob, council=cast.riverside, title="Safety reps", text="Elect two safety reps.", now=NOW
    )
    motion_actions.second_motion(actor=cast.erin, motion=motion, now=NOW)
    motion_actions.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")

    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    bob, erin = (
        election_actions.nominate(actor=u, election=election, candidate=u, now=NOW)
        for u in (cast.bob, cast.erin)
    )
    opened = timezone.now()
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )
    for voter, first in [(cast.alice, bob), (cast.bob, bob), (cast.erin, erin), (cast.frank, bob)]:
        election_actions.cast_ballot(actor=voter, election=election, ranking=[str(first.uuid)], now=NOW)
    election_actions.close_election(actor=cast.alice, election=election, now=NOW)

    sequencer.sequence_pending(now=NOW)
    entry = Sequence.objects.order_by("-index").values_list("index", flat=True)[0]
    return {"meeting": meeting, "motion": motion, "election": election, "entry": entry}


def test_pages_run_under_the_policy_and_keep_working(cast, browser, page_for, live_server, artifacts):
    scene = _scene(cast)

    anonymous = browser.new_context()
    login = anonymous.new_page()
    refused: list[str] = []
    watch_policies(login, refused)
    login.goto(f"{live_server.url}/login/")
    anonymous.close()

    bob = page_for("bob")
    watch_policies(bob, refused)
    for path in (
        "/",
        f"/councils/{cast.riverside.uuid}/",
        f"/elections/{scene['election'].uuid}/",
        "/record/",
        "/constitution/",
        f"/elections/{scene['election'].uuid}/results/",
    ):
        response = bob.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]

    # The results' bars (the last page above) are SVG, sized without a style attribute.
    # Bob has 3 of the 4 first preferences and Erin 1; each bar is its share of the longest.
    assert {rect.get_attribute("width") for rect in bob.locator("svg.bar rect").all()} == {"100", "33"}

    # htmx: asking to speak swaps in the speakers' list.
    bob.goto(f"{live_server.url}/meetings/{scene['meeting'].uuid}/")
    bob.get_by_role("button", name="Ask to speak").click()
    bob.locator("#speakers").get_by_role("button", name="Leave the list").wait_for()

    # htmx: a vote cast on the motion's page swaps in the vote box, with the live tally script loaded.
    bob.goto(f"{live_server.url}/motions/{scene['motion'].uuid}/")
    bob.get_by_role("button", name="Yes").click()
    bob.get_by_text("Your vote is recorded: Yes.").wait_for()
    assert bob.locator('[data-count="yes"]').inner_text() == "1"

    # The record entry, hashed and checked against the signed checkpoint in the browser.
    bob.goto(f"{live_server.url}/record/entries/{scene['entry']}/")
    bob.get_by_role("button", name="Verify in your browser").click()
    result = bob.locator("#verify-result.ok")
    result.wait_for()
    assert result.inner_text().startswith("Verified:")
    bob.screenshot(path=str(artifacts / "csp-record-entry-verified.png"), full_page=True)

    # The API's Swagger UI, served from the site's own static files, renders under the same policy.
    # Its title shows only once the server has built the OpenAPI 3.1 document (over 300 kB) and Swagger
    # UI's 3.1 resolver has walked all of it: seconds of CPU on each side, which on two busy cores
    # outlast the 15 seconds a click and a swap are given.
    bob.goto(f"{live_server.url}/api/v1/docs")
    bob.locator(".swagger-ui .info .title").wait_for(timeout=45_000)

    assert refused == []

    # The watch hears a refusal: a script written into the page is not run.
    bob.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "document.title = 'ran'";
        document.body.append(script);
    }""")
    bob.wait_for_timeout(200)
    assert bob.title() != "ran"
    assert any("inline script" in line and "Content Security Policy" in line for line in refused)
