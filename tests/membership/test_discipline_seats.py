"""A member whose rights are taken sits nowhere, and one who leaves sits nowhere for the council they left:
discipline and leaving end seats, offices and candidacies, as a recall does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from councils.core.errors import InvalidInputError, PermissionDeniedError
from councils.core.tally import count
from councils.core.tally.blt import parse_text
from councils.elections import actions as election_actions
from councils.elections import queries as election_queries
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office, Seat
from councils.membership import actions
from councils.membership.models import DisciplineCase
from councils.motions import actions as motion_actions
from councils.motions.models import VoteEligibility
from tests.membership.support import NOW, adopt, entries, make_national_body, payloads, seat, vote_through
from tests.record.support import verify_genuine

HEARING = NOW + timedelta(days=15)
# The delegate elections' polls open at NOW and stay open past the hearing and any short suspension.
POLL_CLOSES = NOW + timedelta(days=30)


@pytest.fixture
def held(cast):
    """Bob sits for Riverside in the district, for the district in the city, chairs the district and is
    Riverside's secretary; a named vote of the city is open with Bob in its electorate."""
    adopt(cast)
    seat(cast, from_council=cast.district, users=[cast.bob])
    for council, role in ((cast.district, Office.Role.CHAIR), (cast.riverside, Office.Role.SECRETARY)):
        federation_actions.appoint_founding_officer(
            actor=None, council=council, user=cast.bob, role=role, now=NOW
        )
    motion = motion_actions.table_motion(
        actor=None, council=cast.city, title="Strike fund", text="Double the strike fund.", now=NOW
    )
    cast.city_vote = motion_actions.open_vote(actor=None, motion=motion, now=NOW, method="named")
    return cast


def _decided(cast, *, penalty: str = "expulsion", days: int | None = None) -> DisciplineCase:
    case = actions.bring_charges(
        actor=cast.erin,
        membership=Membership.objects.get(user=cast.bob),
        charges="Signed a side deal with management without a mandate.",
        penalty=penalty,
        suspension_days=days,
        hearing_at=HEARING,
        now=NOW,
    )
    actions.record_hearing(actor=cast.alice, case=case, notes="Both sides heard.", now=HEARING)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[cast.alice, cast.frank], now=HEARING)
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.UPHELD
    return case


def _assert_everything_ended(cast, *, reason: str) -> None:
    bob = cast.bob
    [district_seat] = Seat.objects.filter(user=bob, council=cast.district)
    [city_seat] = Seat.objects.filter(user=bob, council=cast.city)
    assert (district_seat.ended_at, district_seat.ended_reason) == (HEARING, reason)
    assert (city_seat.ended_at, city_seat.ended_reason) == (HEARING, "seat_lost")
    chair = Office.objects.get(user=bob, council=cast.district)
    secretary = Office.objects.get(user=bob, council=cast.riverside)
    assert (chair.ended_at, chair.ended_reason) == (HEARING, "seat_lost")
    assert (secretary.ended_at, secretary.ended_reason) == (HEARING, reason)
    assert not Seat.objects.filter(user=bob, ended_at__isnull=True).exists()
    assert not Office.objects.filter(user=bob, ended_at__isnull=True).exists()

    byelections = Election.objects.filter(is_by_election=True, called_by=None)
    assert {(e.council, e.kind, e.role) for e in byelections} == {
        (cast.riverside, Election.Kind.DELEGATES, ""),
        (cast.district, Election.Kind.DELEGATES, ""),
        (cast.district, Election.Kind.OFFICE, Office.Role.CHAIR),
        (cast.riverside, Election.Kind.OFFICE, Office.Role.SECRETARY),
    }
    [penalty] = payloads(f"member.{reason}")
    assert sorted(penalty["ended_seats"]) == sorted([str(district_seat.uuid), str(city_seat.uuid)])
    assert sorted(penalty["ended_offices"]) == sorted([str(chair.uuid), str(secretary.uuid)])
    assert sorted(penalty["byelections"]) == sorted(str(e.uuid) for e in byelections)
    unseated = {p["seat"]: p["reason"] for p in payloads("delegate.unseated")}
    assert unseated == {str(district_seat.uuid): reason, str(city_seat.uuid): "seat_lost"}

    # The city's vote froze Bob into its electorate, but he no longer sits there.
    with pytest.raises(PermissionDeniedError) as refused:
        motion_actions.cast_vote(actor=bob, vote=cast.city_vote, choice="yes", now=HEARING)
    assert str(refused.value) == "You are not in the electorate of this vote."
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    call_command("verify_record")


def test_expelling_a_delegate_ends_every_seat_and_office_and_calls_by_elections(held):
    case = _decided(held)
    _assert_everything_ended(held, reason="expelled")
    assert payloads("member.expelled")[0]["case"] == str(case.uuid)


def test_suspending_a_delegate_ends_them_too(held):
    case = _decided(held, penalty="suspension", days=90)
    _assert_everything_ended(held, reason="suspended")
    assert payloads("member.suspended")[0]["case"] == str(case.uuid)
    byelection = Election.objects.get(
        council=held.riverside, kind=Election.Kind.DELEGATES, is_by_election=True
    )
    with pytest.raises(InvalidInputError, match="not a voter"):
        election_actions.nominate(actor=held.erin, election=byelection, candidate=held.bob, now=HEARING)
    # Served: the rights come back, the seats do not; the by-elections filled them.
    actions.end_suspension(actor=held.bob, case=case, now=HEARING + timedelta(days=91))
    assert Membership.objects.get(user=held.bob).status == Membership.Status.FULL
    assert not Seat.objects.filter(user=held.bob, ended_at__isnull=True).exists()
    assert not Office.objects.filter(user=held.bob, ended_at__isnull=True).exists()


def test_reinstatement_on_appeal_restores_no_seat_but_the_member_may_stand_again(held):
    case = _decided(held)
    seat(held, from_council=held.harbour, users=[held.dave])
    appeal = actions.lodge_appeal(
        actor=held.bob, case=case, grounds="The mandate allowed it.", now=HEARING + timedelta(days=1)
    )
    assert appeal.council == held.district
    vote = actions.call_appeal_vote(
        actor=None, appeal=appeal, now=HEARING + timedelta(days=2), method="named"
    )
    # Bob no longer sits in the district, so the appeal is decided without him.
    assert not VoteEligibility.objects.filter(vote=vote, voter=held.bob).exists()
    vote_through(vote, yes=[held.dave], now=HEARING + timedelta(days=3))
    membership = Membership.objects.get(user=held.bob)
    assert membership.status == Membership.Status.FULL and membership.ended_at is None
    assert payloads("member.reinstated")[0]["reason"] == "appeal_allowed"
    assert not Seat.objects.filter(user=held.bob, ended_at__isnull=True).exists()
    assert not Office.objects.filter(user=held.bob, ended_at__isnull=True).exists()
    # He may stand in the by-election for the seat he lost, like any member with a vote.
    byelection = Election.objects.get(
        council=held.riverside, kind=Election.Kind.DELEGATES, is_by_election=True
    )
    election_actions.nominate(
        actor=held.erin, election=byelection, candidate=held.bob, now=HEARING + timedelta(days=4)
    )


def test_a_seat_held_higher_up_without_one_below_ends_too(cast):
    adopt(cast)
    make_national_body(cast, seats_below=False)
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.erin),
        charges="Crossed the picket line.",
        penalty="expulsion",
        hearing_at=HEARING,
        now=NOW,
    )
    actions.record_hearing(actor=cast.alice, case=case, notes="", now=HEARING)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    vote_through(vote, yes=[cast.alice, cast.frank], now=HEARING)
    [expelled] = payloads("member.expelled")
    # Erin sat in the national congress for the city: that seat ends with her membership. The city,
    # apportioned fewer delegates than the three the test seated, still sends enough: no by-election.
    [national] = Seat.objects.filter(user=cast.erin, council=cast.national)
    assert expelled["ended_seats"] == [str(national.uuid)] and national.ended_reason == "expelled"
    assert (expelled["ended_offices"], expelled["byelections"]) == ([], [])
    assert not Election.objects.exists()


def _bob_stands_for_treasurer(held):
    """Bob's candidacy for Riverside's treasurer, nominations open."""
    office = election_actions.call_election(
        actor=held.alice, council=held.riverside, kind="office", role=Office.Role.TREASURER, now=NOW
    )
    return election_actions.nominate(actor=held.bob, election=office, candidate=held.bob, now=NOW)


def _delegates_voting(held):
    """Riverside's delegate election, voting open: Bob, Erin and Frank stand, Bob first on two ballots."""
    delegates = election_actions.call_election(
        actor=held.alice, council=held.riverside, kind="delegates", now=NOW
    )
    b, e, f = (
        str(election_actions.nominate(actor=u, election=delegates, candidate=u, now=NOW).uuid)
        for u in (held.bob, held.erin, held.frank)
    )
    election_actions.open_voting(actor=held.alice, election=delegates, closes_at=POLL_CLOSES, now=NOW)
    for voter, ranking in [(held.alice, [b, e]), (held.bob, [b, f]), (held.erin, [e, b])]:
        election_actions.cast_ballot(actor=voter, election=delegates, ranking=ranking, now=NOW)
    return delegates, b, e, f


@pytest.mark.parametrize(
    ("penalty", "days", "reason"), [("expulsion", None, "expelled"), ("suspension", 90, "suspended")]
)
def test_discipline_withdraws_every_candidacy_and_the_count_passes_over_it(held, penalty, days, reason):
    """Bob stands for Riverside's treasurer (nominations open) and its delegates (voting open, his name
    first on two ballots): the penalty withdraws both, and his ballots count for their next preference."""
    treasurer = _bob_stands_for_treasurer(held)
    delegates, b, e, f = _delegates_voting(held)

    case = _decided(held, penalty=penalty, days=days)

    withdrawn = payloads("election.nomination_withdrawn")
    assert {(p["candidacy"], p["reason"]) for p in withdrawn} == {(str(treasurer.uuid), reason), (b, reason)}
    assert {e["actor"] for e in entries("election.nomination_withdrawn")} == {None}
    [penalty_entry] = payloads(f"member.{reason}")
    assert penalty_entry["case"] == str(case.uuid)
    assert sorted(penalty_entry["withdrawn_candidacies"]) == sorted([str(treasurer.uuid), b])
    with pytest.raises(InvalidInputError, match="Not a candidate"):
        election_actions.cast_ballot(actor=held.frank, election=delegates, ranking=[b], now=HEARING)
    election_actions.cast_ballot(actor=held.frank, election=delegates, ranking=[f], now=HEARING)

    # Counting Bob would elect him (two first preferences reach the quota of two); passed over, his
    # ballots go to Erin and Frank, who are elected.
    closed = election_actions.close_election(actor=held.alice, election=delegates, now=POLL_CLOSES)
    assert sorted(closed.result["elected"]) == sorted([e, f])
    assert all(b not in stage["totals"] for stage in closed.result["stages"])
    blt = parse_text(election_queries.export_blt(election=closed)).election
    assert count(blt, method=closed.method, seed=closed.seed).to_json() == closed.result
    election_actions.certify_election(actor=held.alice, election=closed, now=POLL_CLOSES + timedelta(hours=1))
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []


def test_leaving_ends_every_seat_and_office_held_through_the_council(held):
    membership = Membership.objects.get(user=held.bob)
    actions.leave_membership(actor=held.bob, membership=membership, now=HEARING)
    _assert_everything_ended(held, reason="left")
    [left] = entries("member.left")
    assert left["actor"] == str(held.bob.uuid) and left["payload"]["membership"] == str(membership.uuid)


def test_leaving_ends_a_seat_higher_up_but_not_an_office_outside_the_council(cast):
    """Erin sits in the national congress for the city without a seat in the city, and is Harbour Works'
    secretary: leaving Riverside ends the first, which she held as a member under the city, not the second."""
    adopt(cast)
    make_national_body(cast, seats_below=False)
    harbour = federation_actions.appoint_founding_officer(
        actor=None, council=cast.harbour, user=cast.erin, role=Office.Role.SECRETARY, now=NOW
    )
    actions.leave_membership(actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=HEARING)
    [national] = Seat.objects.filter(user=cast.erin, council=cast.national)
    assert (national.ended_at, national.ended_reason) == (HEARING, "left")
    [left] = payloads("member.left")
    assert (left["ended_seats"], left["ended_offices"], left["byelections"]) == ([str(national.uuid)], [], [])
    harbour.refresh_from_db()
    assert harbour.ended_at is None
    assert (
        Seat.objects.filter(user__in=[cast.alice, cast.frank], council=cast.national, ended_at=None).count()
        == 2
    )


def test_leaving_ends_an_office_held_above_without_a_seat(cast):
    """Erin is the district's treasurer without a seat there, as one of the members below it: leaving
    Riverside, her one membership, ends the office and the rules call a by-election."""
    adopt(cast)
    office = federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.erin, role=Office.Role.TREASURER, now=NOW
    )
    actions.leave_membership(actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=HEARING)
    office.refresh_from_db()
    assert (office.ended_at, office.ended_reason) == (HEARING, "left")
    [left] = payloads("member.left")
    assert left["ended_offices"] == [str(office.uuid)] and len(left["byelections"]) == 1
    assert Election.objects.get(uuid=left["byelections"][0]).council == cast.district


def test_leaving_withdraws_the_candidacies_held_through_the_council(held):
    """Bob stands for Riverside's treasurer, for its delegates (voting open, he has voted) and for the
    district's secretary, where his seat gives him a vote: leaving withdraws all three, and his ballot,
    cast while he was a member, still counts."""
    treasurer = _bob_stands_for_treasurer(held)
    federation_actions.appoint_founding_officer(
        actor=None, council=held.district, user=held.dave, role=Office.Role.ELECTION_OFFICER, now=NOW
    )
    seat(held, from_council=held.harbour, users=[held.dave])
    upstairs = election_actions.call_election(
        actor=held.dave, council=held.district, kind="office", role=Office.Role.SECRETARY, now=NOW
    )
    secretary = election_actions.nominate(actor=held.bob, election=upstairs, candidate=held.bob, now=NOW)
    delegates, b, e, f = _delegates_voting(held)

    actions.leave_membership(actor=held.bob, membership=Membership.objects.get(user=held.bob), now=HEARING)

    withdrawn = {p["candidacy"]: p["reason"] for p in payloads("election.nomination_withdrawn")}
    assert withdrawn == {str(treasurer.uuid): "left", str(secretary.uuid): "left", b: "left"}
    [left] = payloads("member.left")
    assert sorted(left["withdrawn_candidacies"]) == sorted(withdrawn)
    election_actions.cast_ballot(actor=held.frank, election=delegates, ranking=[f], now=HEARING)
    closed = election_actions.close_election(actor=held.alice, election=delegates, now=POLL_CLOSES)
    assert sorted(closed.result["elected"]) == sorted([e, f]) and closed.ballot_count == 4
    election_actions.certify_election(actor=held.alice, election=closed, now=POLL_CLOSES + timedelta(hours=1))
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []


def test_a_suspended_voter_in_the_frozen_electorate_votes_again_only_once_reinstated(held):
    delegates = election_actions.call_election(
        actor=held.alice, council=held.riverside, kind="delegates", now=NOW
    )
    erin = election_actions.nominate(actor=held.erin, election=delegates, candidate=held.erin, now=NOW)
    election_actions.open_voting(actor=held.alice, election=delegates, closes_at=POLL_CLOSES, now=NOW)
    case = _decided(held, penalty="suspension", days=10)
    with pytest.raises(PermissionDeniedError, match="You no longer have a vote in Riverside Depot"):
        election_actions.cast_ballot(
            actor=held.bob, election=delegates, ranking=[str(erin.uuid)], now=HEARING
        )
    served = HEARING + timedelta(days=11)
    actions.end_suspension(actor=held.bob, case=case, now=served)
    election_actions.cast_ballot(actor=held.bob, election=delegates, ranking=[str(erin.uuid)], now=served)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
