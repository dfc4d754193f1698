"""In a real browser: a platform's member runs a slate by choosing the election, then numbering its
nominees, and the election's page shows the slate beside the candidates it names."""

from __future__ import annotations

import pytest

from councils.elections import actions as election_actions
from councils.platforms import actions
from councils.platforms.models import Slate
from tests.conftest import NOW
from tests.membership.support import adopt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_runs_a_slate_through_the_form(cast, live_server, page_for):
    from playwright.sync_api import expect

    adopt(cast)
    election = election_actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", title="Delegates 2027", seats=2, now=NOW
    )
    for person in (cast.erin, cast.frank):
        election_actions.nominate(actor=person, election=election, candidate=person, now=NOW)
    platform = actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    bob = page_for("bob")
    bob.goto(f"{live_server.url}/platforms/{platform.uuid}/")
    bob.get_by_role("link", name="Run a slate").click()
    label = (
        f"Riverside Depot: Delegates 2027 (Nominations open, called {NOW:%Y-%m-%d %H:%M} UTC, "
        f"no. {str(election.uuid)[:8]})"
    )
    bob.get_by_label("Election").select_option(label=label)
    bob.get_by_role("button", name="Choose its candidates").click()
    bob.get_by_label("Title of the slate").fill("Rank and file")
    bob.get_by_label("Frank Costa").fill("1")
    bob.get_by_label("Erin Walsh").fill("1")
    bob.get_by_role("button", name="Run the slate").click()
    expect(bob.get_by_role("alert")).to_contain_text("Two candidates share place 1")
    expect(bob.get_by_label("Title of the slate")).to_have_value("Rank and file")
    bob.get_by_label("Erin Walsh").fill("2")
    bob.get_by_role("button", name="Run the slate").click()
    expect(bob.locator("h1")).to_have_text("Rank and File")
    assert Slate.objects.get().candidates == [str(cast.frank.uuid), str(cast.erin.uuid)]

    bob.goto(f"{live_server.url}/elections/{election.uuid}/")
    expect(bob.locator("#candidate-list")).to_contain_text("Rank and File: Rank and file")
    expect(bob.locator("#candidate-list li", has_text="Frank Costa").first).to_contain_text(
        "on the slate of Rank and File"
    )
