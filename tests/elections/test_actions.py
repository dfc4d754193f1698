from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from councils.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from councils.core.ledger.encoding import format_time
from councils.core.rules.terms import TermRuleError, add_months
from councils.core.tally import count
from councils.core.tally.blt import parse_text
from councils.elections import actions, queries
from councils.elections.models import Ballot, Election, PendingBallot
from councils.federation import actions as federation_actions
from councils.federation.models import Membership, Office, Seat
from councils.membership import actions as membership_actions
from councils.record.models import Entry
from tests.record.support import verify_genuine

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Every poll here opens at NOW and closes an hour later.
CLOSES = NOW + timedelta(hours=1)


def entries(event: str) -> list[dict]:
    return [json.loads(bytes(e.data)) for e in Entry.objects.filter(event=event)]


def run_delegate_election(cast, *, method=None):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", method=method, now=NOW
    )
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    erin = actions.nominate(actor=cast.frank, election=election, candidate=cast.erin, now=NOW)
    actions.accept_nomination(actor=cast.erin, candidacy=erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    b, e, f = str(bob.uuid), str(erin.uuid), str(frank.uuid)
    for voter, ranking in [
        (cast.alice, [b, e]),
        (cast.bob, [b, f]),
        (cast.erin, [e, b]),
        (cast.frank, [e, f, b]),
    ]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    return election, bob, erin, frank


def test_chair_calls_delegate_election_with_apportioned_seats(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    # Four voters, one delegate per three: two seats, counted by STV.
    assert election.seats == 2
    assert election.method == "scottish-stv"
    assert entries("election.called")[0]["payload"]["seats"] == 2


@pytest.mark.parametrize("who", ["bob", "carol", "dave"])
def test_non_officer_cannot_call_election(cast, who):
    with pytest.raises(PermissionDeniedError):
        actions.call_election(actor=getattr(cast, who), council=cast.riverside, kind="delegates", now=NOW)


def test_call_refuses_more_seats_than_apportioned(cast):
    with pytest.raises(
        InvalidInputError, match=r"^Riverside Depot may elect 2 delegates to Eastside District now, not 3"
    ):
        actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", seats=3, now=NOW)
    # Bob already sits for Riverside Depot: a by-election fills only the other seat.
    with pytest.raises(
        InvalidInputError, match=r"^Riverside Depot may elect one delegate to Eastside District now, not 2"
    ):
        actions.call_election(
            actor=cast.alice, council=cast.riverside, kind="delegates", seats=2, is_by_election=True, now=NOW
        )


def test_call_refuses_unknown_method_and_office(cast):
    with pytest.raises(InvalidInputError, match="Unknown counting method"):
        actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", method="x", now=NOW)
    with pytest.raises(InvalidInputError, match="Choose an office"):
        actions.call_election(
            actor=cast.alice, council=cast.riverside, kind="office", role="observer", now=NOW
        )


def test_by_election_without_vacancy_is_refused(cast):
    actions_kwargs = {"actor": cast.alice, "council": cast.riverside, "kind": "delegates", "now": NOW}
    # bob sits in one of the two seats: one vacancy.
    assert actions.call_election(**actions_kwargs, is_by_election=True).seats == 1
    with pytest.raises(InvalidInputError):
        actions.call_election(**actions_kwargs, is_by_election=True, seats=2)


def test_nominations_need_voters_and_acceptance(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    own = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    other = actions.nominate(actor=cast.bob, election=election, candidate=cast.erin, now=NOW)
    assert own.is_standing and not other.is_standing
    with pytest.raises(InvalidInputError, match="not a voter"):
        actions.nominate(actor=cast.bob, election=election, candidate=cast.dave, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.nominate(actor=cast.carol, election=election, candidate=cast.carol, now=NOW)
    with pytest.raises(ConflictError):
        actions.nominate(actor=cast.frank, election=election, candidate=cast.bob, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.accept_nomination(actor=cast.bob, candidacy=other, now=NOW)
    actions.withdraw_candidacy(actor=cast.erin, candidacy=other, now=NOW)
    with pytest.raises(ConflictError):
        actions.accept_nomination(actor=cast.erin, candidacy=other, now=NOW)


def test_open_freezes_electorate_and_candidates_in_record(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    with pytest.raises(ConflictError, match="No candidate"):
        actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    pending = actions.nominate(actor=cast.bob, election=election, candidate=cast.erin, now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.open_voting(actor=cast.bob, election=election, closes_at=CLOSES, now=NOW)
    election = actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    payload = entries("election.opened")[0]["payload"]
    assert payload["electorate_size"] == 4
    assert payload["electorate_hash"].startswith("sha256:")
    assert payload["candidates"] == [{"candidacy": str(bob.uuid), "person": str(cast.bob.uuid)}]
    pending.refresh_from_db()
    assert pending.withdrawn_at is not None
    with pytest.raises(ConflictError):
        actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)


def test_a_poll_stays_open_as_long_as_the_constitution_in_force_says(cast):
    from tests.membership.support import adopt

    adopt(cast, version=1, election_poll_min_minutes=120, election_poll_max_days=2)
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    for closes_at, refusal in [
        (CLOSES, "must stay open at least 120 minutes: close it at 2026-03-01 11:00 UTC or later"),
        (NOW + timedelta(days=3), "may stay open at most 2 days: close it by 2026-03-03 09:00 UTC"),
    ]:
        with pytest.raises(InvalidInputError, match=refusal):
            actions.open_voting(actor=cast.alice, election=election, closes_at=closes_at, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(days=2), now=NOW)
    assert entries("election.opened")[0]["payload"]["constitution"] == 1


def test_ballots_are_checked_and_cast_once(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    with pytest.raises(InvalidInputError, match="Not a candidate"):
        actions.cast_ballot(actor=cast.alice, election=election, ranking=["nobody"], now=NOW)
    with pytest.raises(InvalidInputError, match="only once"):
        actions.cast_ballot(actor=cast.alice, election=election, ranking=[str(bob.uuid)] * 2, now=NOW)
    with pytest.raises(InvalidInputError, match="at least one"):
        actions.cast_ballot(actor=cast.alice, election=election, ranking=[], now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.cast_ballot(actor=cast.carol, election=election, ranking=[str(bob.uuid)], now=NOW)
    with pytest.raises(PermissionDeniedError):
        actions.cast_ballot(actor=cast.dave, election=election, ranking=[str(bob.uuid)], now=NOW)
    actions.cast_ballot(actor=cast.alice, election=election, ranking=[str(bob.uuid)], now=NOW)
    with pytest.raises(ConflictError, match="already voted"):
        actions.cast_ballot(actor=cast.alice, election=election, ranking=[str(bob.uuid)], now=NOW)
    cast_entries = entries("election.ballot_cast")
    assert len(cast_entries) == 1
    assert cast_entries[0]["payload"] == {"election": str(election.uuid)}


def test_member_joining_after_opening_cannot_vote(cast):
    from councils.accounts.models import User
    from councils.federation import actions as fa

    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    late = User.objects.create_user(username="late", password="x" * 12)
    fa.add_founding_member(actor=None, council=cast.riverside, user=late, now=NOW)
    with pytest.raises(PermissionDeniedError, match="electorate"):
        actions.cast_ballot(actor=late, election=election, ranking=[str(bob.uuid)], now=NOW)


def test_a_voter_who_left_after_opening_cannot_vote(cast):
    """The electorate frozen at opening is the most who may vote; each must still have their vote."""
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    alice = actions.nominate(actor=cast.alice, election=election, candidate=cast.alice, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    for who in (cast.erin, cast.frank):
        membership_actions.leave_membership(
            actor=who, membership=Membership.objects.get(user=who), now=NOW + timedelta(minutes=5)
        )
    later = NOW + timedelta(minutes=10)
    with pytest.raises(PermissionDeniedError) as refused:
        actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(alice.uuid)], now=later)
    assert (
        str(refused.value)
        == "You no longer have a vote in Riverside Depot, so you cannot vote in its election."
    )
    with pytest.raises(InvalidInputError) as refused:
        actions.record_paper_ballots(
            actor=cast.alice,
            election=election,
            voters=[cast.bob, cast.frank, cast.erin],
            rankings=[[[str(alice.uuid)]]] * 3,
            now=later,
        )
    assert str(refused.value) == "No longer voters of Riverside Depot: Erin Walsh, Frank Costa."
    assert not entries("election.ballot_cast") and not entries("election.paper_ballots_recorded")
    actions.cast_ballot(actor=cast.bob, election=election, ranking=[str(alice.uuid)], now=later)
    closed = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    assert closed.ballot_count == 1 and closed.electorate_size == 4


def test_ballots_wait_until_a_full_batch_then_move_shuffled(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.COUNCILS_SECRET_BATCH_SIZE = 3
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    for voter in (cast.alice, cast.bob):
        with django_capture_on_commit_callbacks(execute=True):
            actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=NOW)
    assert PendingBallot.objects.count() == 2 and Ballot.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=NOW)
    assert PendingBallot.objects.count() == 0 and Ballot.objects.count() == 3


def test_ballot_rows_carry_nothing_that_links_a_voter(cast):
    field_names = {f.name for f in Ballot._meta.get_fields()}
    assert field_names == {"id", "election", "ranking"}
    field_names = {f.name for f in PendingBallot._meta.get_fields()}
    assert field_names == {"id", "election", "sealed"}


def test_close_counts_and_records_seed_and_ballot_hash(cast):
    election, bob, erin, _frank = run_delegate_election(cast)
    assert election.status == Election.Status.CLOSED
    assert election.ballot_count == 4 and len(election.seed) == 32
    assert set(election.result["elected"]) == {str(bob.uuid), str(erin.uuid)}
    payload = entries("election.closed")[0]["payload"]
    assert payload["seed"] == election.seed
    assert payload["ballot_set_hash"] == election.ballot_set_hash
    assert payload["turnout"] == 4
    assert PendingBallot.objects.count() == 0


def test_blt_export_reproduces_the_recorded_count(cast):
    election, *_ = run_delegate_election(cast)
    document = parse_text(queries.export_blt(election=election))
    assert document.election.seats == 2
    again = count(document.election, method=election.method, seed=election.seed).to_json()
    assert again == election.result


@pytest.mark.parametrize("method", ["meek", "wigm", "schulze"])
def test_every_ranked_method_round_trips(cast, method):
    election, *_ = run_delegate_election(cast, method=method)
    document = parse_text(queries.export_blt(election=election))
    assert count(document.election, method=method, seed=election.seed).to_json() == election.result


def test_certify_replaces_sitting_delegates(cast):
    election, _bob, _erin, _ = run_delegate_election(cast)
    old_seat = Seat.objects.get(from_council=cast.riverside, ended_at__isnull=True)
    with pytest.raises(PermissionDeniedError):
        actions.certify_election(actor=cast.bob, election=election, now=NOW)
    actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    old_seat.refresh_from_db()
    assert old_seat.ended_reason == "term_ended"
    sitting = Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)
    assert {s.user for s in sitting} == {cast.bob, cast.erin}
    assert all(s.council == cast.district and s.election_uuid == election.uuid for s in sitting)
    # No end was set at the call: the constitution's term of 12 months runs from certification.
    assert {s.term_ends_at for s in sitting} == {add_months(NOW + timedelta(hours=2), 12)}
    certified = entries("election.certified")[0]["payload"]
    assert certified["term_ends_at"] == "2027-03-01T11:00:00+00:00"
    assert certified["count"] == election.result
    assert certified["ballot_set_hash"] == election.ballot_set_hash
    assert len(entries("delegate.seated")) == 3  # the cast's founding seat, then two elected
    with pytest.raises(ConflictError):
        actions.certify_election(actor=cast.alice, election=election, now=NOW)


def test_office_election_fills_the_office(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    assert election.seats == 1 and election.method == "plurality"
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    with pytest.raises(InvalidInputError, match="Mark only one candidate"):
        actions.cast_ballot(
            actor=cast.bob, election=election, approvals=[str(erin.uuid), str(frank.uuid)], now=NOW
        )
    for voter in (cast.alice, cast.bob, cast.erin):
        actions.cast_ballot(actor=voter, election=election, approvals=[str(erin.uuid)], now=NOW)
    actions.cast_ballot(actor=cast.frank, election=election, approvals=[str(frank.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    actions.certify_election(actor=cast.alice, election=election, now=NOW)
    office = Office.objects.get(council=cast.riverside, role="secretary", ended_at__isnull=True)
    assert office.user == cast.erin
    assert office.term_ends_at == add_months(NOW, 12)
    assert entries("office.filled")[0]["payload"]["holder"] == str(cast.erin.uuid)


def test_approval_election_counts_every_mark(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", method="approval", now=NOW
    )
    c = [
        actions.nominate(actor=u, election=election, candidate=u, now=NOW)
        for u in (cast.bob, cast.erin, cast.frank)
    ]
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    actions.cast_ballot(
        actor=cast.alice, election=election, approvals=[str(c[1].uuid), str(c[2].uuid)], now=NOW
    )
    actions.cast_ballot(actor=cast.bob, election=election, approvals=[str(c[1].uuid)], now=NOW)
    actions.cast_ballot(
        actor=cast.erin, election=election, approvals=[str(c[2].uuid), str(c[1].uuid)], now=NOW
    )
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    assert election.result["stages"][0]["totals"][str(c[1].uuid)] == "3"
    document = parse_text(queries.export_blt(election=election))
    assert count(document.election, method="approval", seed=election.seed).to_json() == election.result


def test_paper_nomination_forms_and_ballots_enter_in_one_batch(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    with pytest.raises(InvalidInputError, match="Not voters"):
        actions.record_nomination_forms(
            actor=cast.alice, election=election, forms=[(cast.dave, cast.bob)], now=NOW
        )
    with pytest.raises(PermissionDeniedError):
        actions.record_nomination_forms(
            actor=cast.bob, election=election, forms=[(cast.bob, cast.bob)], now=NOW
        )
    bob, erin = actions.record_nomination_forms(
        actor=cast.alice, election=election, forms=[(cast.bob, cast.frank), (cast.erin, cast.erin)], now=NOW
    )
    assert bob.is_standing and bob.nominated_by == cast.frank
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    b, e = str(bob.uuid), str(erin.uuid)
    with pytest.raises(InvalidInputError, match="one paper ballot for each"):
        actions.record_paper_ballots(
            actor=cast.alice, election=election, voters=[cast.alice], rankings=[], now=NOW
        )
    with pytest.raises(InvalidInputError, match="electorate"):
        actions.record_paper_ballots(
            actor=cast.alice, election=election, voters=[cast.dave], rankings=[[[b]]], now=NOW
        )
    actions.cast_ballot(actor=cast.frank, election=election, ranking=[e], now=NOW)
    with pytest.raises(ConflictError):
        actions.record_paper_ballots(
            actor=cast.alice, election=election, voters=[cast.frank], rankings=[[[b]]], now=NOW
        )
    actions.record_paper_ballots(
        actor=cast.alice,
        election=election,
        voters=[cast.alice, cast.bob, cast.erin],
        rankings=[[[b], [e]], [[b]], [[e], [b]]],
        now=NOW,
    )
    payload = entries("election.paper_ballots_recorded")[0]["payload"]
    assert payload["ballots"] == 3 and len(payload["voters"]) == 3
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    assert election.ballot_count == 4 and queries.count_turnout(election=election) == 4
    assert set(election.result["elected"]) == {b, e}


def test_demo_step_elects_bob_for_riverside(cast):
    import random

    from councils.demo.build import Demo
    from councils.demo.elections import build_delegate_elections, build_open_election
    from councils.federation import actions as fa

    fa.appoint_founding_officer(actor=None, council=cast.harbour, user=cast.dave, role="chair", now=NOW)
    demo = Demo(
        now=NOW,
        rng=random.Random(1),
        federation=cast.federation,
        national=cast.national,
        cities=[cast.city],
        districts=[cast.district],
        workplaces=[cast.riverside, cast.harbour],
        cast={u.username: u for u in (cast.alice, cast.bob, cast.carol, cast.dave, cast.erin, cast.frank)},
    )
    build_delegate_elections(demo)
    build_open_election(demo)
    riverside_seats = Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)
    assert cast.bob in {s.user for s in riverside_seats}
    assert all(s.election_uuid for s in riverside_seats)
    assert Seat.objects.filter(from_council=cast.district, ended_at__isnull=True).exists()
    assert Seat.objects.filter(from_council=cast.city, council=cast.national, ended_at__isnull=True).exists()
    assert Election.objects.filter(status="voting", role="treasurer").count() == 1


def test_a_poll_closed_without_ballots_fails_and_elects_nobody(
    cast, local_broker, django_capture_on_commit_callbacks
):
    sitting = list(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True))
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    # Before the closing time nobody may close it: nobody has voted yet.
    with pytest.raises(ConflictError, match="stays open until its closing time"):
        actions.close_election(actor=cast.alice, election=election, now=CLOSES - timedelta(minutes=1))
    published: list[dict] = []
    local_broker.subscribe(f"election-{election.uuid}", lambda _, e: published.append(e))
    with django_capture_on_commit_callbacks(execute=True):
        failed = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    assert failed.status == "failed" and failed.closed_at == CLOSES and failed.result is None
    assert Election.objects.get(pk=election.pk).failure_reason == "no_ballots"
    assert not Election.objects.get(pk=election.pk).candidacies.filter(is_elected=True).exists()
    [entry] = entries("election.failed")
    assert entry["actor"] == str(cast.alice.uuid)
    assert entry["payload"] == {
        "election": str(election.uuid),
        "reason": "no_ballots",
        "turnout": 0,
        "electorate_size": 4,
    }
    assert not entries("election.closed") and published == [{"type": "election.failed"}]
    # It is over: no ballot, no second close, no certification, and the seats stay as they were.
    with pytest.raises(ConflictError, match="The election failed: no ballots were cast"):
        actions.cast_ballot(actor=cast.erin, election=failed, ranking=[str(bob.uuid)], now=NOW)
    with pytest.raises(ConflictError, match="The election failed: no ballots were cast"):
        actions.close_election(actor=cast.alice, election=failed, now=CLOSES)
    with pytest.raises(ConflictError, match="The election failed: no ballots were cast"):
        actions.certify_election(actor=cast.alice, election=failed, now=CLOSES)
    assert list(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)) == sitting
    # Nor do the rules call another: the council decides when to call a new election.
    assert Election.objects.filter(council=cast.riverside).count() == 1


def test_sitting_delegate_cannot_stand_in_a_by_election(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    with pytest.raises(InvalidInputError, match="Already a delegate"):
        actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    with pytest.raises(InvalidInputError, match="Already a delegate"):
        actions.record_nomination_forms(
            actor=cast.alice, election=election, forms=[(cast.bob, cast.bob)], now=NOW
        )
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    actions.cast_ballot(actor=cast.frank, election=election, approvals=[str(erin.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    actions.certify_election(actor=cast.alice, election=election, now=NOW)
    sitting = Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)
    assert {s.user for s in sitting} == {cast.bob, cast.erin}


def test_call_refuses_a_term_longer_than_the_constitutions(cast):
    def call(term_ends_at):
        return actions.call_election(
            actor=cast.alice,
            council=cast.riverside,
            kind="office",
            role="treasurer",
            term_ends_at=term_ends_at,
            now=NOW,
        )

    with pytest.raises(TermRuleError, match="every office is held for a term of at most 12 months"):
        call(add_months(NOW, 13))
    with pytest.raises(InvalidInputError, match="must end after it starts"):
        call(NOW)
    assert not Election.objects.exists()
    election = call(add_months(NOW, 6))
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    actions.cast_ballot(actor=cast.frank, election=election, approvals=[str(erin.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    actions.certify_election(actor=cast.alice, election=election, now=NOW)
    office = Office.objects.get(council=cast.riverside, role="treasurer", ended_at__isnull=True)
    assert office.term_ends_at == add_months(NOW, 6)


def test_nomination_past_the_limit_of_consecutive_terms_is_refused(cast):
    # Alice has chaired Riverside since NOW; every started term counts, so after 12 months it is two.
    within_first_term, into_third_term = add_months(NOW, 11), add_months(NOW, 24)
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="chair", now=within_first_term
    )
    standing = actions.nominate(
        actor=cast.erin, election=election, candidate=cast.alice, now=within_first_term
    )
    rule = "nobody may hold the office of chair of Riverside Depot for more than 2 consecutive term"
    with pytest.raises(TermRuleError, match=rule):
        actions.accept_nomination(actor=cast.alice, candidacy=standing, now=into_third_term)
    standing.refresh_from_db()
    assert standing.accepted_at is None
    again = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="chair", now=into_third_term
    )
    with pytest.raises(TermRuleError, match="still holds the office"):
        actions.nominate(actor=cast.alice, election=again, candidate=cast.alice, now=into_third_term)
    with pytest.raises(TermRuleError, match=rule):
        actions.record_nomination_forms(
            actor=cast.alice, election=again, forms=[(cast.alice, cast.erin)], now=into_third_term
        )
    assert actions.nominate(actor=cast.erin, election=again, candidate=cast.erin, now=into_third_term)
    delegates = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", now=into_third_term
    )
    with pytest.raises(TermRuleError, match="the office of delegate of Riverside Depot"):
        actions.nominate(actor=cast.bob, election=delegates, candidate=cast.bob, now=into_third_term)
    assert [e["payload"]["candidate"] for e in entries("election.nominated")] == [
        str(cast.alice.uuid),
        str(cast.erin.uuid),
    ]


def test_the_rules_call_a_by_election_or_the_election_for_a_term_ending_soon(cast):
    refused = "The rules call an ordinary election only for a term that ends within the lead time"
    with pytest.raises(RuntimeError, match=refused):
        actions.call_election(actor=None, council=cast.riverside, kind="delegates", now=NOW)
    with pytest.raises(RuntimeError, match=refused):
        actions.call_election(
            actor=None,
            council=cast.riverside,
            kind="delegates",
            post_term_ends_at=NOW + timedelta(days=31),
            now=NOW,
        )
    election = actions.call_election(
        actor=None, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    assert election.called_by is None and election.seats == 1
    # The rules run the by-election they call, as every election they call: its nominations close.
    assert election.nominations_close_at == NOW + timedelta(days=14)
    [called] = entries("election.called")
    assert called["actor"] is None and called["payload"]["is_by_election"] is True
    assert called["payload"]["nominations_close_at"] == format_time(NOW + timedelta(days=14))
    assert called["payload"]["constitution"] == 0 and "post_term_ends_at" not in called["payload"]


def test_only_a_member_of_the_sending_council_is_seated_as_its_delegate(cast):
    # Dave belongs to Harbour Works, not Riverside; Alice sits in no council above her own.
    with transaction.atomic(), pytest.raises(ConflictError) as refused:
        federation_actions.seat_delegate(
            from_council=cast.riverside, user=cast.dave, election_uuid=None, term_ends_at=None, now=NOW
        )
    assert refused.value.code == "delegate_not_member"
    assert str(refused.value) == (
        "Dave Okafor is not a full member in good standing of Riverside Depot, so cannot be seated as "
        "its delegate to Eastside District."
    )
    with transaction.atomic(), pytest.raises(ConflictError, match="Alice Adeyemi is not a sitting delegate"):
        federation_actions.seat_delegate(
            from_council=cast.district, user=cast.alice, election_uuid=None, term_ends_at=None, now=NOW
        )
    assert not Seat.objects.filter(user__in=[cast.dave, cast.alice]).exists()


def leave(user, at):
    membership_actions.leave_membership(actor=user, membership=Membership.objects.get(user=user), now=at)


def test_a_winner_who_left_before_certification_is_replaced_by_the_recount(cast):
    election, bob, erin, frank = run_delegate_election(cast)
    closed_result = election.result
    assert sorted(closed_result["elected"]) == sorted([str(bob.uuid), str(erin.uuid)])
    leave(cast.erin, NOW + timedelta(hours=1, minutes=30))
    certify_at = NOW + timedelta(hours=2)
    election = actions.certify_election(actor=cast.alice, election=election, now=certify_at)
    assert election.status == Election.Status.CERTIFIED
    # Without Erin, her two ballots go to Bob; Frank fills the second seat.
    assert sorted(election.result["elected"]) == sorted([str(bob.uuid), str(frank.uuid)])
    sitting = Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)
    assert {s.user for s in sitting} == {cast.bob, cast.frank}
    erin.refresh_from_db()
    assert erin.withdrawn_at == certify_at and not erin.is_elected
    frank.refresh_from_db()
    assert frank.is_elected
    [withdrawal] = entries("election.nomination_withdrawn")
    assert withdrawal["actor"] is None
    assert withdrawal["payload"]["candidacy"] == str(erin.uuid)
    assert withdrawal["payload"]["reason"] == "no_longer_eligible"
    [recounted] = entries("election.recounted")
    assert recounted["actor"] == str(cast.alice.uuid)
    assert recounted["payload"]["withdrawn"] == [
        {"candidacy": str(erin.uuid), "person": str(cast.erin.uuid), "reason": "no_longer_eligible"}
    ]
    assert (
        recounted["payload"]["count"]
        == election.result
        == entries("election.certified")[0]["payload"]["count"]
    )
    assert recounted["payload"]["seed"] == election.seed
    assert recounted["payload"]["ballot_set_hash"] == election.ballot_set_hash
    # The published ballots and the recount tools give the recounted result.
    assert queries.recount(election=election).to_json() == election.result
    assert queries.list_withdrawn_at_certification(election=election) == [erin]
    # The close's count stays in the record.
    assert entries("election.closed")[0]["payload"]["elected"] == closed_result["elected"]
    # No seats were left empty: no by-election.
    assert not Election.objects.filter(is_by_election=True).exists()


def test_a_recount_winner_who_lost_their_vote_too_is_counted_back_in_turn(cast):
    election, bob, erin, frank = run_delegate_election(cast)
    leave(cast.erin, NOW + timedelta(hours=1, minutes=10))
    leave(cast.frank, NOW + timedelta(hours=1, minutes=20))
    election = actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    assert election.result["elected"] == [str(bob.uuid)]
    recounts = entries("election.recounted")
    assert [[w["candidacy"] for w in r["payload"]["withdrawn"]] for r in recounts] == [
        [str(erin.uuid)],
        [str(frank.uuid)],
    ]
    assert {s.user for s in Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)} == {
        cast.bob
    }
    # Riverside now has two voters, so sends one delegate: Bob is enough, and no by-election is called.
    assert not Election.objects.filter(is_by_election=True).exists()


def test_a_single_seat_office_goes_to_the_next_in_the_recount(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    for voter in (cast.alice, cast.bob, cast.erin):
        actions.cast_ballot(actor=voter, election=election, approvals=[str(erin.uuid)], now=NOW)
    actions.cast_ballot(actor=cast.frank, election=election, approvals=[str(frank.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    assert election.result["elected"] == [str(erin.uuid)]
    leave(cast.erin, NOW + timedelta(hours=1, minutes=30))
    election = actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    assert election.result["elected"] == [str(frank.uuid)]
    office = Office.objects.get(council=cast.riverside, role="secretary", ended_at__isnull=True)
    assert office.user == cast.frank
    assert [e["payload"]["holder"] for e in entries("office.filled")] == [str(cast.frank.uuid)]


def test_an_office_whose_countback_leaves_no_candidate_fails_and_stays_as_it_was(cast):
    federation_actions.fill_office(
        council=cast.riverside,
        user=cast.bob,
        role="secretary",
        term_ends_at=NOW + timedelta(days=90),
        now=NOW,
    )
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    actions.cast_ballot(actor=cast.bob, election=election, approvals=[str(erin.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=CLOSES)
    leave(cast.erin, NOW + timedelta(hours=1, minutes=30))
    certify_at = NOW + timedelta(hours=2)
    election = actions.certify_election(actor=cast.alice, election=election, now=certify_at)
    # Erin was the only candidate: the countback leaves nobody to elect, so the election fails.
    assert (election.status, election.failure_reason) == ("failed", "no_candidates")
    assert election.closed_at == CLOSES and election.certified_at is None
    assert election.result["elected"] == [] and not election.candidacies.filter(is_elected=True).exists()
    [recounted] = entries("election.recounted")
    assert recounted["payload"]["elected"] == []
    [failed] = entries("election.failed")
    assert failed["actor"] == str(cast.alice.uuid)
    assert failed["payload"] == {
        "election": str(election.uuid),
        "reason": "no_candidates",
        "turnout": 1,
        "electorate_size": 4,
    }
    assert not entries("election.certified")
    # As after a poll nobody voted in: the office stays as it was and the rules call no by-election.
    office = Office.objects.get(council=cast.riverside, role="secretary", ended_at__isnull=True)
    assert office.user == cast.bob
    assert not Election.objects.filter(is_by_election=True).exists()
    with pytest.raises(ConflictError, match="The election failed: every candidate withdrew or was withdrawn"):
        actions.certify_election(actor=cast.alice, election=election, now=certify_at)
    # The ballots counted at the close stay published, with the countback's recount.
    assert queries.list_ballot_rankings(election=election) == [[[str(erin.uuid)]]]
    assert queries.recount(election=election).to_json() == election.result


def test_a_poll_whose_every_candidate_was_withdrawn_fails_at_its_close(cast):
    sitting = list(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True))
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(erin.uuid)], now=NOW)
    actions.cast_ballot(actor=cast.bob, election=election, ranking=[str(frank.uuid)], now=NOW)
    # Both candidates leave while the poll is open: their names stay on the ballots, withdrawn.
    leave(cast.erin, NOW + timedelta(minutes=10))
    leave(cast.frank, NOW + timedelta(minutes=20))
    assert [e["payload"]["candidacy"] for e in entries("election.nomination_withdrawn")] == [
        str(erin.uuid),
        str(frank.uuid),
    ]
    failed = actions.close_election(actor=None, election=election, now=CLOSES)
    assert (failed.status, failed.failure_reason) == ("failed", "no_candidates")
    assert failed.closed_at == CLOSES and failed.result is None and failed.ballot_count == 0
    [entry] = entries("election.failed")
    assert entry["actor"] is None
    assert entry["payload"] == {
        "election": str(election.uuid),
        "reason": "no_candidates",
        "turnout": 2,
        "electorate_size": 4,
    }
    assert not entries("election.closed")
    with pytest.raises(ConflictError, match="The election failed: every candidate withdrew or was withdrawn"):
        actions.certify_election(actor=cast.alice, election=failed, now=CLOSES)
    # The sitting delegates stay, the rules call nothing, and the chair may call the next election.
    assert list(Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)) == sitting
    assert Election.objects.filter(council=cast.riverside).count() == 1
    again = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=CLOSES)
    assert again.status == "nominating"


@pytest.mark.members_per_delegate(district=1)
def test_delegate_seats_the_recount_cannot_fill_go_to_a_by_election(cast):
    # One delegate per voter, so Riverside may send four: it elects two now.
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", seats=2, now=NOW
    )
    bob, erin = (
        actions.nominate(actor=u, election=election, candidate=u, now=NOW) for u in (cast.bob, cast.erin)
    )
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    for voter in (cast.alice, cast.bob, cast.erin, cast.frank):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(erin.uuid), str(bob.uuid)], now=NOW)
    election = actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    assert sorted(election.result["elected"]) == sorted([str(bob.uuid), str(erin.uuid)])
    leave(cast.erin, NOW + timedelta(hours=1, minutes=30))
    election = actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    assert election.result["elected"] == [str(bob.uuid)]
    assert [s.user for s in Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)] == [
        cast.bob
    ]
    by_election = Election.objects.get(is_by_election=True)
    assert (by_election.kind, by_election.seats, by_election.council) == ("delegates", 1, cast.riverside)
    assert by_election.term_ends_at == election.term_ends_at
    # The rules run the by-election they called: its nominations close as those of any election they call.
    assert by_election.nominations_close_at == NOW + timedelta(hours=2, days=14)
    assert verify_genuine().problems == []


def _nominated(cast):
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    return election, actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)


def test_the_poll_opens_with_a_closing_time_in_the_record(cast):
    election, _ = _nominated(cast)
    with pytest.raises(InvalidInputError, match="at least 15 minutes"):
        actions.open_voting(actor=cast.alice, election=election, closes_at=NOW, now=NOW)
    with pytest.raises(InvalidInputError, match="at most 31 days"):
        actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(days=32), now=NOW)
    assert Election.objects.get(pk=election.pk).status == "nominating" and not entries("election.opened")
    election = actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    assert Election.objects.get(pk=election.pk).closes_at == CLOSES
    assert entries("election.opened")[0]["payload"]["closes_at"] == "2026-03-01T10:00:00.000000Z"


def test_no_ballot_online_or_on_paper_is_taken_at_or_after_the_closing_time(cast):
    election, bob = _nominated(cast)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    ranking = [str(bob.uuid)]
    with pytest.raises(ConflictError, match="Voting time is over"):
        actions.cast_ballot(actor=cast.erin, election=election, ranking=ranking, now=CLOSES)
    with pytest.raises(ConflictError, match="Voting time is over"):
        actions.record_paper_ballots(
            actor=cast.alice, election=election, voters=[cast.frank], rankings=[[ranking]], now=CLOSES
        )
    assert not entries("election.ballot_cast") and not entries("election.paper_ballots_recorded")
    last_moment = CLOSES - timedelta(microseconds=1)
    actions.cast_ballot(actor=cast.erin, election=election, ranking=ranking, now=last_moment)
    assert len(entries("election.ballot_cast")) == 1


def test_an_officer_closes_before_the_closing_time_only_once_everyone_has_voted(cast):
    election, bob = _nominated(cast)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    early = CLOSES - timedelta(minutes=1)
    for voter in (cast.alice, cast.bob, cast.erin):
        actions.cast_ballot(actor=voter, election=election, ranking=[str(bob.uuid)], now=NOW)
        with pytest.raises(
            ConflictError, match="stays open until its closing time unless everyone has voted"
        ):
            actions.close_election(actor=cast.alice, election=election, now=early)
    assert Election.objects.get(pk=election.pk).status == "voting" and not entries("election.closed")
    actions.cast_ballot(actor=cast.frank, election=election, ranking=[str(bob.uuid)], now=NOW)
    closed = actions.close_election(actor=cast.alice, election=election, now=early)
    assert closed.status == "closed" and closed.ballot_count == 4


@pytest.mark.tampers
def test_an_election_opened_before_polls_had_a_closing_time_is_closed_by_hand(cast):
    election, bob = _nominated(cast)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    Election.objects.filter(pk=election.pk).update(closes_at=None)
    later = NOW + timedelta(days=400)
    actions.cast_ballot(actor=cast.erin, election=election, ranking=[str(bob.uuid)], now=later)
    closed = actions.close_election(actor=cast.alice, election=election, now=later)
    assert closed.status == "closed" and closed.ballot_count == 1


@pytest.mark.tampers
def test_a_poll_without_a_closing_time_that_an_officer_closes_with_no_ballot_fails(cast):
    election, _ = _nominated(cast)
    actions.open_voting(actor=cast.alice, election=election, closes_at=CLOSES, now=NOW)
    Election.objects.filter(pk=election.pk).update(closes_at=None)
    failed = actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(minutes=5))
    assert failed.status == "failed" and entries("election.failed")[0]["payload"]["turnout"] == 0
