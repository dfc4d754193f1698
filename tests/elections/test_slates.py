"""The slates platforms run in an election, shown beside its candidates and on the ballot to whoever may
read them (the members of the platform's federation), and told live on the election's stream."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils.elections import actions
from councils.federation.models import Council
from councils.platforms import actions as platform_actions
from tests.conftest import make_user
from tests.membership.support import NOW, adopt, nominated_election
from tests.web.parts import hear, parts_within_page


@pytest.fixture
def election(cast):
    adopt(cast)
    return nominated_election(cast)


def _run_slate(cast, election, candidates) -> None:
    platform = platform_actions.found_platform(
        actor=cast.bob, federation=cast.federation, name="Rank and File", statement="Unite.", now=NOW
    )
    platform_actions.run_slate(
        actor=cast.bob,
        platform=platform,
        election_uuid=election.uuid,
        title="Our slate",
        candidates=[str(p.uuid) for p in candidates],
        now=NOW,
    )


def _open(cast, election) -> None:
    opened = timezone.now()
    actions.open_voting(
        actor=cast.alice, election=election, closes_at=opened + timedelta(hours=1), now=opened
    )


def test_the_election_page_and_the_ballot_show_which_slates_name_which_candidates(cast, election):
    _run_slate(cast, election, [cast.frank, cast.erin])
    url = f"/elections/{election.uuid}/"
    page = cast.client(cast.erin).get(url).content.decode()
    assert "Rank and File: Our slate<ol><li>Frank Costa</li><li>Erin Walsh</li></ol>" in page
    assert page.count("on the slate of Rank and File") == 2

    _open(cast, election)
    page = cast.client(cast.erin).get(url).content.decode()
    ballot = page[page.index('id="ballot"') :]
    assert "not part of the ballot" in ballot
    assert "Rank and File: Frank Costa, Erin Walsh." in ballot
    # The ballot's own choices stay in the order they always have: a slate marks nothing.
    assert '<option value="">—</option>' in ballot and " selected" not in ballot


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_slates_are_shown_only_to_those_who_may_see_the_platform(cast, election):
    _run_slate(cast, election, [cast.frank])
    url = f"/elections/{election.uuid}/"
    assert "Rank and File" in cast.client(cast.dave).get(url).content.decode()
    for stranger in (None, make_user("sam", "Sam")):
        page = cast.client(stranger).get(url).content.decode()
        assert "Frank Costa" in page
        assert "Rank and File" not in page and "on the slate of" not in page


@pytest.mark.visibility(riverside=Council.Visibility.PUBLIC)
def test_the_candidates_part_shows_the_slates_as_the_page_does(cast, election):
    _run_slate(cast, election, [cast.erin, cast.alice])
    url = f"/elections/{election.uuid}/"
    for viewer in (cast.erin, None):
        shown = parts_within_page(cast.client(viewer), url, ["candidates"])
        assert ("Our slate" in shown["candidates"]) is (viewer is not None)


@pytest.mark.django_db(transaction=True)
def test_a_slate_run_is_told_on_the_election_stream(cast, election, local_broker):
    channels = {"election": f"election-{election.uuid}"}
    heard = hear(local_broker, channels, lambda: _run_slate(cast, election, [cast.erin]))
    assert heard == {"election": {"slates.changed"}}
