"""In a real browser, on the ASGI server with its live streams: two people on the same election page
each see the other's nomination and ballot within seconds and without reloading; a change of state
reloads the page, except under a ballot being ranked, where a notice says what happened instead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from councils.elections import actions
from councils.elections.models import Election
from tests.conftest import NOW
from tests.e2e.support import watch_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOON = 5_000  # ms: an event is shown within a second or so; polling, the fallback, would take 30 s.


def _streams(election: Election) -> Any:
    return lambda r: r.url.endswith(f"/live/election-{election.uuid}")


def _mark(page: Any) -> None:
    page.evaluate("() => { window.loadedOnce = true; }")


def _not_reloaded(page: Any) -> bool:
    return page.evaluate("() => window.loadedOnce === true")


def test_the_election_page_shows_what_others_do_without_a_reload(cast, asgi_server, asgi_page_for, artifacts):
    from playwright.sync_api import expect

    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    bob_stands = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    url = f"{asgi_server}/elections/{election.uuid}/"
    refused: list[str] = []
    alice, bob = asgi_page_for("alice"), asgi_page_for("bob")
    for page in (alice, bob):
        watch_policies(page, refused)
        with page.expect_response(_streams(election)) as stream:
            page.goto(url)
        assert stream.value.status == 200
        assert stream.value.headers["content-type"] == "text/event-stream"
        _mark(page)

    # Bob nominates Frank through his page; the chair's candidate list shows him, not yet accepted.
    with bob.expect_response(_streams(election)):
        bob.get_by_label("Candidate", exact=True).select_option(label="Frank Costa")
        bob.get_by_role("button", name="Nominate").click()
    _mark(bob)
    candidates = alice.locator("#candidate-list")
    expect(candidates).to_contain_text("Frank Costa", timeout=SOON)
    expect(candidates).to_contain_text("nominated by Bob Novak, not yet accepted")
    # Frank accepts (an action, as from the API): both lists follow.
    actions.accept_nomination(
        actor=cast.frank, candidacy=election.candidacies.get(candidate=cast.frank), now=NOW
    )
    for page in (alice, bob):
        expect(page.locator("#candidate-list")).not_to_contain_text("not yet accepted", timeout=SOON)
        assert _not_reloaded(page)

    # Opening the poll reloads both pages, which then offer the ballot and follow the turnout.
    opened = timezone.now()
    closes_at = opened + timedelta(hours=1)
    with alice.expect_response(_streams(election)), bob.expect_response(_streams(election)):
        actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=opened)
    for page in (alice, bob):
        expect(page.locator("#turnout")).to_have_text("0 / 4")
        assert not _not_reloaded(page)
        _mark(page)

    # The chair checks her ballot, then casts it: Bob's turnout rises, and his page stays as it is.
    alice.get_by_label("Preference 1").select_option(label="Erin Walsh")
    alice.get_by_role("button", name="Review my ballot").click()
    expect(alice.locator("#ballot-review")).to_have_text("Erin Walsh")
    with alice.expect_response(_streams(election)):
        alice.get_by_role("button", name="Cast this ballot").click()
    expect(bob.locator("#turnout")).to_have_text("1 / 4", timeout=SOON)
    # A screen reader hears the change through the summary, which holds the latest count.
    expect(bob.locator("#turnout-summary")).to_have_text("Turnout 1 / 4", timeout=SOON)
    assert _not_reloaded(bob)

    # Bob starts ranking. Two more ballots arrive: the turnout moves, his marks stay.
    bob.get_by_label("Preference 1").select_option(label="Frank Costa")
    bob.get_by_label("Preference 2").select_option(label="Bob Novak")
    actions.cast_ballot(
        actor=cast.erin, election=election, ranking=[str(bob_stands.uuid)], now=timezone.now()
    )
    actions.cast_ballot(
        actor=cast.frank, election=election, ranking=[str(bob_stands.uuid)], now=timezone.now()
    )
    expect(bob.locator("#turnout")).to_have_text("3 / 4", timeout=SOON)
    expect(alice.locator("#turnout")).to_have_text("3 / 4", timeout=SOON)

    # The poll closes at its time while Bob is still ranking: the chair's page reloads to the count;
    # Bob's does not wipe his ballot but tells him the poll has closed.
    actions.close_election(actor=None, election=election, now=closes_at + timedelta(minutes=1))
    expect(alice.locator("h1 .badge")).to_have_text("Closed and counted", timeout=SOON)
    assert not _not_reloaded(alice)
    notice = bob.locator("[data-live-notice~='election.closed']")
    expect(notice).to_be_visible(timeout=SOON)
    expect(notice).to_contain_text("The poll has closed")
    expect(bob.locator("[data-live-notice~='election.opened']")).to_be_hidden()
    assert _not_reloaded(bob)
    expect(bob.get_by_label("Preference 1").locator("option:checked")).to_have_text("Frank Costa")
    expect(bob.get_by_label("Preference 2").locator("option:checked")).to_have_text("Bob Novak")
    bob.screenshot(path=str(artifacts / "live-election-closed-while-ranking.png"), full_page=True)

    # The notice's link shows the election as it now is.
    bob.locator("[data-live-notice~='election.closed']").get_by_role("link", name="Reload the page").click()
    expect(bob.locator("h1 .badge")).to_have_text("Closed and counted")
    expect(bob.get_by_label("Preference 1")).to_have_count(0)

    assert refused == []
