"""On a phone-sized screen, pages with long keys, hashes and wide tables scroll inside, never sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.elections import actions as election_actions
from councils.federation.models import Council
from councils.record import sequencer
from councils.record.models import Sequence
from tests.conftest import NOW
from tests.mandates.flows import adopt_mandate, district_motion, district_vote, seat_dave_for_harbour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_pages_fit_a_phone_screen(cast, page_for, live_server, artifacts):
    sequencer.sequence_pending(now=NOW)
    index = Sequence.objects.order_by("index").values_list("index", flat=True)[0]
    page = page_for("carol")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/record/", f"/record/entries/{index}/", f"/mandates/councils/{cast.riverside.uuid}/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px screen"
    page.screenshot(path=str(artifacts / "narrow-record-entry.png"), full_page=True)


def test_the_buttons_of_the_not_found_page_keep_apart_when_they_stack(browser, live_server):
    page = browser.new_page(viewport={"width": 280, "height": 640})
    page.goto(f"{live_server.url}/no-such-page/")
    first, second = (page.locator("main .button").nth(i).bounding_box() for i in (0, 1))
    assert first and second
    assert second["y"] >= first["y"] + first["height"] + 4, "the buttons touch"
    page.close()


def test_the_ballot_keeps_apart_from_the_candidates_above_it(cast, page_for, live_server, artifacts):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW
    )
    for member in (cast.bob, cast.erin):
        election_actions.nominate(actor=member, election=election, candidate=member, now=NOW)
    opened = timezone.now()
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )
    page = page_for("frank")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/elections/{election.uuid}/")
    candidates = page.locator("#candidate-list").bounding_box()
    ballot = page.locator("section[aria-labelledby=ballot]").bounding_box()
    assert candidates and ballot
    assert ballot["y"] >= candidates["y"] + candidates["height"] + 8, (
        "the ballot's panel touches the candidates"
    )
    page.screenshot(path=str(artifacts / "narrow-ballot.png"), full_page=True)


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_the_panels_keep_apart_around_a_part_hidden_from_the_visitor(cast, browser, live_server):
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(f"{live_server.url}/councils/{cast.riverside.uuid}/")
    assert page.locator("#council-admissions").is_hidden()  # kept in place for the live stream
    above = page.locator("#council-accountability").bounding_box()
    below = page.locator("#council-meetings").bounding_box()
    assert above and below
    assert below["y"] >= above["y"] + above["height"] + 8, "the panels touch"
    page.close()


def test_every_column_of_the_accountability_tables_is_in_view_on_a_phone(
    cast, rules, page_for, live_server, artifacts
):
    seat_dave_for_harbour(cast)
    target = district_motion(cast)
    adopt_mandate(cast, target, choice="yes")
    district_vote(cast, target, bob="no")
    page = page_for("erin")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/mandates/councils/{cast.riverside.uuid}/")
    for table in ("#mandates-table", "#rollcall-table", "#register-table"):
        wrap = page.locator(table)
        right = wrap.evaluate("el => el.getBoundingClientRect().right")
        cells = wrap.locator("td")
        assert cells.count() > 1
        for i in range(cells.count()):
            cell = cells.nth(i)
            box = cell.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= right, (
                f"{table}: “{cell.inner_text()}” is out of view on a 375px screen"
            )
    # Each cell says which column it is in, since the header row is out of sight.
    verdict = page.locator("#rollcall-table td").filter(has_text="Deviated")
    assert verdict.evaluate("el => getComputedStyle(el, '::before').content") == '"Complied"'
    recall = page.get_by_role("button", name="Start a recall of Bob Novak").bounding_box()
    assert recall and recall["x"] + recall["width"] <= 375
    page.locator("#mandates-rollcall").screenshot(path=str(artifacts / "narrow-compliance.png"))


def test_the_candidates_stay_in_view_as_the_stages_of_a_count_scroll_by(cast, page_for, live_server):
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=2, method="scottish-stv", now=NOW
    )
    bob, erin, frank = (
        election_actions.nominate(actor=u, election=election, candidate=u, now=NOW)
        for u in (cast.bob, cast.erin, cast.frank)
    )
    opened = timezone.now()
    election_actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )
    # Bob's surplus over the quota of 2 is transferred, so the stages have a row of transfer values.
    for voter, ranking in [
        (cast.alice, [bob, erin]),
        (cast.bob, [bob, frank]),
        (cast.erin, [erin, frank]),
        (cast.frank, [bob, frank]),
    ]:
        election_actions.cast_ballot(
            actor=voter, election=election, ranking=[str(c.uuid) for c in ranking], now=NOW
        )
    election_actions.close_election(actor=cast.alice, election=election, now=NOW)
    page = page_for("erin")
    page.set_viewport_size({"width": 280, "height": 640})
    page.goto(f"{live_server.url}/elections/{election.uuid}/results/")
    stages = page.locator("section[aria-labelledby=stages] .table-wrap")
    assert stages.evaluate("el => el.scrollWidth > el.clientWidth"), "the stages fit: nothing to scroll"
    stages.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    left = stages.evaluate("el => el.getBoundingClientRect().left")
    for header in ("Candidate", "Bob Novak", "Transfer value"):
        box = stages.locator("th", has_text=header).first.bounding_box()
        assert box and box["x"] >= left - 1, f"“{header}” scrolled out of view"


def test_the_chairs_buttons_keep_apart_when_they_stack(cast, page_for, live_server, artifacts):
    from councils.meetings import actions as meeting_actions

    meeting = meeting_actions.schedule_meeting(
        actor=cast.alice,
        council=cast.riverside,
        title="General meeting",
        starts_at=NOW,
        place="Canteen",
        now=NOW - timedelta(days=7),
    )
    meeting_actions.add_agenda_item(
        actor=cast.alice, meeting=meeting, kind="other", title="Any other business", now=NOW
    )
    meeting_actions.open_meeting(actor=cast.alice, meeting=meeting, now=NOW)
    meeting_actions.mark_present(actor=cast.alice, meeting=meeting, user=cast.alice, now=NOW)
    meeting_actions.take_next_item(actor=cast.alice, meeting=meeting, now=NOW)
    page = page_for("alice")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/meetings/{meeting.uuid}/")
    for upper, lower in (("#next-item", "#close-meeting"), ("#speak-toggle", "#give-floor")):
        first, second = (page.locator(selector).bounding_box() for selector in (upper, lower))
        assert first and second
        assert second["y"] >= first["y"] + first["height"] + 4, f"{upper} and {lower} touch"
    page.screenshot(path=str(artifacts / "narrow-chair.png"), full_page=True)
