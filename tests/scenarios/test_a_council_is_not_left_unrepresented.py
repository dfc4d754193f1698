"""Capture route: a council left without the delegates it is apportioned, as no officer calls the election."""

from datetime import timedelta

from django.utils import timezone

from councils.elections.models import Election
from councils.federation.models import Seat
from tests.conftest import NOW
from tests.record.support import verify_genuine
from tests.scenarios.test_an_officer_cannot_sit_past_the_term import entry, post, run_terms

BASE = "/api/v1/elections"


def stands(cast, election, candidate) -> None:
    """`candidate` nominates themselves, through the API."""
    nominated = post(
        cast.api(candidate), f"{BASE}/{election.uuid}/nominations", {"candidate": str(candidate.uuid)}
    )
    assert nominated.status_code == 201, nominated.content


def vote_for(cast, election, voters) -> None:
    """`voters` vote, through the API, for the one candidate of `election`."""
    election.refresh_from_db()
    [candidacy] = election.candidacies.all()
    for voter in voters:
        cast_ = post(cast.api(voter), f"{BASE}/{election.uuid}/ballot", {"approvals": [str(candidacy.uuid)]})
        assert cast_.status_code == 201, cast_.content


def test_a_council_is_not_left_unrepresented(cast, monkeypatch):
    clock = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    # Riverside Depot's four voters are apportioned two delegates in Eastside District, but only Bob
    # sits; Harbour Works (Dave) has never sent anyone, and has no officer who could call the election.

    # 1. Fourteen days on, Riverside's seats have stood short long enough: the rules call a by-election
    # for the unfilled seat, and say why.
    assert "called 0" in run_terms(clock, NOW + timedelta(days=14) - timedelta(minutes=1))
    assert "called 1" in run_terms(clock, NOW + timedelta(days=14))
    riverside = Election.objects.get(council=cast.riverside)
    payload = entry("election.called")["payload"]
    assert (payload["unfilled_seats"], payload["apportioned"], payload["sitting"], payload["seats"]) == (
        True,
        2,
        1,
        1,
    )
    shown = cast.api(cast.bob).get(f"{BASE}/{riverside.uuid}").json()
    assert (shown["called_by_rules"], shown["called_for"], shown["is_by_election"]) == (
        True,
        "unfilled_seats",
        True,
    )
    page = cast.client(cast.bob).get(f"/elections/{riverside.uuid}/").content.decode()
    assert "sends fewer delegates to Eastside District than it is apportioned" in page
    stands(cast, riverside, cast.erin)

    # 2. When nominations close the rules open the poll, and Riverside's members vote for Erin.
    assert "opened 1" in run_terms(clock, NOW + timedelta(days=28))
    vote_for(cast, riverside, (cast.alice, cast.bob, cast.frank))

    # 3. Thirty days after Harbour Works was created, nobody having called its first delegates'
    # election, the rules call it (and Eastside District's, which has never sent anyone up either).
    assert "called 0" in run_terms(clock, NOW + timedelta(days=30) - timedelta(minutes=1))
    assert "called 2" in run_terms(clock, NOW + timedelta(days=30))
    harbour = Election.objects.get(council=cast.harbour)
    assert (harbour.seats, harbour.is_by_election, harbour.called_for) == (1, False, "first_delegates")
    page = cast.client(cast.dave).get(f"/elections/{harbour.uuid}/").content.decode()
    assert "Harbour Works has never sent a delegate to Eastside District" in page
    stands(cast, harbour, cast.dave)
    district = Election.objects.get(council=cast.district)
    stands(cast, district, cast.bob)

    # 4. Riverside's poll closes: the rules count and certify it, and Erin takes the unfilled seat.
    assert "closed 1, certified 1" in run_terms(clock, riverside.closes_at)
    assert Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True).count() == 2

    # 5. The first elections' polls open; Dave, and Eastside District's delegates, vote. The rules
    # seat Dave for Harbour Works and Bob for Eastside District in Metro City. Metro City now has a
    # voter and has never sent anyone up, and is older than the lead time: the rules call its first.
    assert "opened 2" in run_terms(clock, NOW + timedelta(days=44))
    vote_for(cast, harbour, (cast.dave,))
    vote_for(cast, district, (cast.bob,))
    assert "called 1, opened 0, closed 2, certified 2" in run_terms(clock, NOW + timedelta(days=51))
    assert Seat.objects.get(from_council=cast.harbour, ended_at__isnull=True).user == cast.dave
    assert Seat.objects.get(from_council=cast.district, ended_at__isnull=True).user == cast.bob
    assert Election.objects.get(council=cast.city).called_for == "first_delegates"

    # Running again calls nothing more, and the record checks out.
    assert "called 0" in run_terms(clock, NOW + timedelta(days=52))
    assert verify_genuine().problems == []
