"""No post is left empty for ever, and nothing is held through a seat whose term ended."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction

from councils.core.ledger.encoding import format_time
from councils.elections import actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.federation.models import Office, Seat
from councils.record.models import Entry
from tests.elections.test_terms import (
    DUE,
    NOMINATIONS_CLOSE,
    NOW,
    POLL_CLOSES,
    TERM_END,
    termed,
    vote_in,
)
from tests.record.support import verify_genuine

pytestmark = pytest.mark.usefixtures("terms_of_one_post")

# Erin's places in Eastside District and above last longer than her seat from Riverside Depot.
LATER = TERM_END + timedelta(days=200)


def entries(event: str) -> list[dict]:
    return [json.loads(bytes(e.data)) for e in Entry.objects.filter(event=event)]


def erin_holds_above(cast) -> tuple[Office, Seat]:
    """Erin sits for Riverside Depot until TERM_END, beside Bob (no term end); through her seat she
    chairs the district and sits for it in Metro City."""
    with transaction.atomic():
        federation_actions.seat_delegate(
            from_council=cast.riverside, user=cast.erin, election_uuid=None, term_ends_at=TERM_END, now=NOW
        )
        above = federation_actions.seat_delegate(
            from_council=cast.district, user=cast.erin, election_uuid=None, term_ends_at=LATER, now=NOW
        )
    chair = federation_actions.appoint_founding_officer(
        actor=None, council=cast.district, user=cast.erin, role=Office.Role.CHAIR, term_ends_at=LATER, now=NOW
    )
    return chair, above


def ended(held: Office | Seat) -> tuple[object, str]:
    held.refresh_from_db()
    return held.ended_at, held.ended_reason


def test_what_a_delegate_held_through_a_seat_ends_with_its_term_and_by_elections_fill_it(cast):
    chair, above = erin_holds_above(cast)
    run = actions.run_due_terms(now=TERM_END)
    assert [s.user.username for s in run.ended] == ["erin"]
    assert ended(chair) == (TERM_END, "seat_lost") and ended(above) == (TERM_END, "seat_lost")
    byelections = Election.objects.filter(is_by_election=True, called_by__isnull=True)
    assert {(e.council.name, e.kind, e.role, e.term_ends_at) for e in byelections} == {
        ("Eastside District", "office", "chair", LATER),
        ("Eastside District", "delegates", "", LATER),
    }
    assert {(u["payload"]["reason"]) for u in entries("delegate.unseated")[-3:]} == {
        "term_ended",
        "seat_lost",
    }
    assert verify_genuine().problems == []


def elect_riverside_delegates(cast, *candidates):
    [election] = actions.run_due_terms(now=DUE).called
    assert (election.kind, election.seats) == ("delegates", 2)
    standing = [
        actions.nominate(actor=user, election=election, candidate=user, now=DUE) for user in candidates
    ]
    actions.run_due_terms(now=NOMINATIONS_CLOSE)
    for voter, candidacy in zip((cast.alice, cast.bob, cast.erin, cast.frank), standing * 2, strict=False):
        actions.cast_ballot(
            actor=voter, election=election, ranking=[str(candidacy.uuid)], now=NOMINATIONS_CLOSE
        )
    actions.run_due_terms(now=POLL_CLOSES)
    run = actions.run_due_terms(now=TERM_END)
    assert [e.pk for e in run.certified] == [election.pk]
    return run


def test_a_delegate_elected_again_keeps_what_they_hold_above(cast):
    chair, above = erin_holds_above(cast)
    run = elect_riverside_delegates(cast, cast.bob, cast.erin)
    assert [s.user.username for s in run.ended] == ["erin"]
    assert ended(chair) == (None, "") and ended(above) == (None, "")
    sitting = Seat.objects.filter(from_council=cast.riverside, ended_at__isnull=True)
    assert {s.user.username for s in sitting} == {"bob", "erin"}
    assert not Election.objects.filter(is_by_election=True).exists()
    assert verify_genuine().problems == []


def test_a_delegate_not_elected_again_loses_what_they_held_through_the_seat(cast):
    chair, above = erin_holds_above(cast)
    elect_riverside_delegates(cast, cast.bob, cast.frank)
    assert ended(chair) == (TERM_END, "seat_lost") and ended(above) == (TERM_END, "seat_lost")
    byelections = Election.objects.filter(is_by_election=True, called_by__isnull=True)
    assert {(e.council.name, e.kind, e.role) for e in byelections} == {
        ("Eastside District", "office", "chair"),
        ("Eastside District", "delegates", ""),
    }
    assert verify_genuine().problems == []


def test_an_officer_certifying_sooner_ends_what_a_replaced_delegate_held_through_the_seat(cast):
    chair, above = erin_holds_above(cast)
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    soon = NOW + timedelta(hours=1)
    actions.open_voting(actor=cast.alice, election=election, closes_at=soon, now=NOW)
    vote_in(cast, election, frank, NOW)
    actions.run_due_terms(now=soon)
    actions.certify_election(actor=cast.alice, election=election, now=soon)
    assert ended(chair) == (soon, "seat_lost") and ended(above) == (soon, "seat_lost")
    assert Election.objects.filter(is_by_election=True, council=cast.district).count() == 2
    assert verify_genuine().problems == []


# A post its last election failed to fill is called again.

AFTER = NOW + timedelta(days=2)  # the chair's term ended the day before
FAILED_AT = AFTER + timedelta(days=14)
AGAIN = FAILED_AT + timedelta(days=14)


# Alice chairs Riverside Depot until the day after NOW.
term_ends_soon = pytest.mark.chair_term(NOW + timedelta(days=1))


def chair_election_fails(cast) -> Election:
    """The rules end Alice's chair (`term_ends_soon`) and its election fails for want of candidates."""
    [election] = actions.run_due_terms(now=AFTER).called
    [failed] = actions.run_due_terms(now=FAILED_AT).failed
    assert failed.pk == election.pk and failed.closed_at == FAILED_AT
    return failed


@term_ends_soon
def test_an_empty_office_whose_election_failed_is_called_again_and_run_by_the_rules(cast):
    failed = chair_election_fails(cast)
    assert actions.run_due_terms(now=AGAIN - timedelta(seconds=1)).called == []
    [again] = actions.run_due_terms(now=AGAIN).called
    assert (again.role, again.is_by_election, again.called_by, again.term_ends_at) == (
        "chair",
        True,
        None,
        None,
    )
    assert again.nominations_close_at == AGAIN + timedelta(days=14)
    [called] = entries("election.called")[-1:]
    assert called["actor"] is None and called["payload"]["after_failure"] == str(failed.uuid)
    assert actions.run_due_terms(now=AGAIN + timedelta(days=1)).changed == 0
    erin = actions.nominate(actor=cast.erin, election=again, candidate=cast.erin, now=AGAIN)
    opened = AGAIN + timedelta(days=14)
    assert actions.run_due_terms(now=opened).opened
    vote_in(cast, again, erin, opened)
    run = actions.run_due_terms(now=opened + timedelta(days=7))
    assert [e.pk for e in run.certified] == [again.pk]
    chair = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    assert chair.user == cast.erin
    assert verify_genuine().problems == []


@term_ends_soon
def test_a_failed_election_is_called_again_and_again_until_the_post_is_filled(cast):
    chair_election_fails(cast)
    [again] = actions.run_due_terms(now=AGAIN).called
    [failed] = actions.run_due_terms(now=AGAIN + timedelta(days=14)).failed
    assert failed.pk == again.pk
    assert actions.run_due_terms(now=AGAIN + timedelta(days=27)).called == []
    [third] = actions.run_due_terms(now=AGAIN + timedelta(days=28)).called
    assert entries("election.called")[-1]["payload"]["after_failure"] == str(again.uuid)
    assert third.is_by_election and verify_genuine().problems == []


@termed
def test_a_post_still_held_is_not_called_again(termed_chair_fails):
    cast = termed_chair_fails
    # The ordinary election failed 16 days before the term's end; the chair sits until then.
    assert actions.run_due_terms(now=TERM_END - timedelta(seconds=1)).called == []
    run = actions.run_due_terms(now=TERM_END)
    [again] = run.called
    assert [o.user for o in run.ended] == [cast.alice] and again.is_by_election
    assert verify_genuine().problems == []


@pytest.fixture
def termed_chair_fails(cast):
    assert actions.run_due_terms(now=DUE).called
    assert actions.run_due_terms(now=NOMINATIONS_CLOSE).failed
    return cast


@term_ends_soon
def test_an_officers_call_after_the_failure_is_left_to_run(cast):
    chair_election_fails(cast)
    federation_actions.appoint_founding_officer(
        actor=None, council=cast.riverside, user=cast.frank, role=Office.Role.ELECTION_OFFICER, now=NOW
    )
    actions.call_election(actor=cast.frank, council=cast.riverside, kind="office", role="chair", now=AGAIN)
    assert actions.run_due_terms(now=AGAIN + timedelta(days=30)).called == []


def test_delegate_seats_a_by_election_failed_to_fill_are_called_again(cast):
    # Riverside Depot sends two delegates and Bob alone sits; nobody votes in the by-election.
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    assert erin.accepted_at is not None
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(days=1), now=NOW)
    [failed] = actions.run_due_terms(now=NOW + timedelta(days=1)).failed
    assert failed.failure_reason == "no_ballots"
    assert actions.run_due_terms(now=NOW + timedelta(days=15) - timedelta(seconds=1)).called == []
    [again] = actions.run_due_terms(now=NOW + timedelta(days=15)).called
    assert (again.kind, again.seats, again.is_by_election, again.called_by) == ("delegates", 1, True, None)
    assert entries("election.called")[-1]["payload"]["after_failure"] == str(failed.uuid)
    assert format_time(again.nominations_close_at) == format_time(NOW + timedelta(days=29))
    assert verify_genuine().problems == []


# A by-election the rules call after a recall, a resignation or a loss of rights: they run it too.


def recall_the_chair(cast) -> Election:
    """Riverside Depot recalls Alice, its chair and only officer who runs elections."""
    from councils.mandates import actions as mandate_actions
    from councils.motions import actions as motion_actions
    from councils.motions.models import Vote

    office = Office.objects.get(council=cast.riverside, role=Office.Role.CHAIR)
    # One signature in four reaches the constitution's share: the recall vote opens at once.
    petition = mandate_actions.start_recall(actor=cast.erin, office=office, now=NOW)
    vote = Vote.objects.get(uuid=petition.vote_uuid)
    for voter in (cast.erin, cast.frank):
        motion_actions.cast_vote(actor=voter, vote=vote, choice="yes", now=NOW)
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    assert not Office.objects.filter(
        council=cast.riverside, role__in=("chair", "election_officer"), ended_at__isnull=True
    ).exists()
    return Election.objects.get(is_by_election=True, council=cast.riverside)


def test_the_by_election_for_a_recalled_chair_is_run_by_the_rules(cast):
    byelection = recall_the_chair(cast)
    called_at = byelection.called_at
    closes = called_at + timedelta(days=14)
    assert (byelection.role, byelection.called_by, byelection.nominations_close_at) == ("chair", None, closes)
    assert entries("election.called")[-1]["payload"]["nominations_close_at"] == format_time(closes)
    erin = actions.nominate(actor=cast.erin, election=byelection, candidate=cast.erin, now=called_at)
    assert actions.run_due_terms(now=closes - timedelta(seconds=1)).changed == 0
    assert [e.pk for e in actions.run_due_terms(now=closes).opened] == [byelection.pk]
    vote_in(cast, byelection, erin, closes)
    # A by-election fills a vacancy: the rules certify it as soon as it is counted.
    run = actions.run_due_terms(now=closes + timedelta(days=7))
    assert [e.pk for e in run.closed] == [e.pk for e in run.certified] == [byelection.pk]
    chair = Office.objects.get(council=cast.riverside, role="chair", ended_at__isnull=True)
    assert chair.user == cast.erin
    verdict = verify_genuine()
    assert (verdict.problems, verdict.notes) == ([], [])


def test_a_by_election_nobody_stands_in_fails_and_is_called_again(cast):
    byelection = recall_the_chair(cast)
    closes = byelection.called_at + timedelta(days=14)
    [failed] = actions.run_due_terms(now=closes).failed
    assert (failed.pk, failed.failure_reason) == (byelection.pk, "no_candidates")
    [again] = actions.run_due_terms(now=closes + timedelta(days=14)).called
    assert (again.role, again.is_by_election, again.called_by) == ("chair", True, None)
    assert entries("election.called")[-1]["payload"]["after_failure"] == str(byelection.uuid)
    assert verify_genuine().problems == []


def test_an_officer_may_open_and_certify_the_rules_by_election_sooner(cast):
    from councils.mandates import actions as mandate_actions

    seat = Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)
    mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    byelection = Election.objects.get(is_by_election=True, council=cast.riverside)
    assert byelection.nominations_close_at == NOW + timedelta(days=14)
    erin = actions.nominate(actor=cast.erin, election=byelection, candidate=cast.erin, now=NOW)
    soon = NOW + timedelta(hours=1)
    actions.open_voting(actor=cast.alice, election=byelection, closes_at=soon, now=NOW)
    vote_in(cast, byelection, erin, NOW)
    actions.close_election(actor=cast.alice, election=byelection, now=soon)
    actions.certify_election(actor=cast.alice, election=byelection, now=soon)
    assert Seat.objects.get(from_council=cast.riverside, ended_at__isnull=True).user == cast.erin
    assert actions.run_due_terms(now=NOW + timedelta(days=14)).changed == 0
    assert verify_genuine().problems == []


@pytest.mark.tampers
def test_a_by_election_called_before_the_rules_ran_them_is_left_to_the_officers(cast):
    from councils.mandates import actions as mandate_actions

    seat = Seat.objects.get(user=cast.bob, council=cast.district, ended_at__isnull=True)
    mandate_actions.resign_seat(actor=cast.bob, seat=seat, now=NOW)
    byelection = Election.objects.get(is_by_election=True, council=cast.riverside)
    Election.objects.filter(pk=byelection.pk).update(nominations_close_at=None)
    actions.nominate(actor=cast.erin, election=byelection, candidate=cast.erin, now=NOW)
    assert actions.run_due_terms(now=NOW + timedelta(days=60)).changed == 0
    byelection.refresh_from_db()
    assert byelection.status == "nominating"
