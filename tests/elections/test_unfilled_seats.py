"""No council is left unrepresented: the rules call the delegates' elections nobody called.

The cast, from NOW: Riverside Depot (4 voters, apportioned 2 delegates by Eastside District's one per 3)
sends Bob alone; Harbour Works (Dave) and Eastside District (Bob, its one voter) never sent anyone;
Metro City has no voters.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction

from councils.elections import actions
from councils.elections.models import Election
from councils.federation import actions as federation_actions
from councils.record.models import Entry
from tests.conftest import NOW
from tests.record.support import verify_genuine

# The rules call a first election 30 days after a council's creation (`term_election_lead_days`),
# and a by-election for unfilled seats 14 days after its seats last changed (`term_nomination_days`).
FIRST_DUE = NOW + timedelta(days=30)
UNFILLED_DUE = NOW + timedelta(days=14)


def called(run) -> dict[str, Election]:
    return {e.council.name: e for e in run.called}


def call_entry(election: Election) -> dict:
    [entry] = [
        json.loads(bytes(e.data))
        for e in Entry.objects.filter(event="election.called")
        if json.loads(bytes(e.data))["payload"]["election"] == str(election.uuid)
    ]
    return entry


def test_a_council_that_never_sent_a_delegate_gets_its_first_election(cast):
    run = actions.run_due_terms(now=FIRST_DUE)
    first = called(run)["Harbour Works"]
    assert (first.kind, first.seats, first.is_by_election, first.called_for) == (
        "delegates",
        1,
        False,
        "first_delegates",
    )
    assert first.called_by is None and first.nominations_close_at == FIRST_DUE + timedelta(days=14)
    entry = call_entry(first)
    assert entry["actor"] is None
    payload = entry["payload"]
    assert (payload["first"], payload["apportioned"], payload["sitting"]) == (True, 1, 0)
    assert "post_term_ends_at" not in payload and "unfilled_seats" not in payload
    assert called(run)["Eastside District"].called_for == "first_delegates"
    assert verify_genuine().problems == []


def test_a_council_short_of_its_delegates_gets_a_by_election_for_the_unfilled_seats(cast):
    run = actions.run_due_terms(now=UNFILLED_DUE)
    [election] = run.called
    assert election.council == cast.riverside
    assert (election.seats, election.is_by_election, election.called_for) == (1, True, "unfilled_seats")
    # Bob's seat has no term end, so the winner serves a full term from certification.
    assert election.term_ends_at is None
    payload = call_entry(election)["payload"]
    assert (payload["unfilled_seats"], payload["apportioned"], payload["sitting"]) == (True, 2, 1)
    assert "first" not in payload
    # Called once: it is under way from now on.
    assert actions.run_due_terms(now=UNFILLED_DUE + timedelta(days=1)).called == []
    assert verify_genuine().problems == []


@pytest.mark.delegate_term(NOW + timedelta(days=200))
def test_the_unfilled_seats_are_elected_for_the_rest_of_the_sitting_delegates_term(cast):
    [election] = actions.run_due_terms(now=UNFILLED_DUE).called
    assert election.term_ends_at == NOW + timedelta(days=200)


def test_a_council_younger_than_the_lead_time_waits_for_its_chair(cast):
    run = actions.run_due_terms(now=FIRST_DUE - timedelta(seconds=1))
    assert set(called(run)) == {"Riverside Depot"}
    assert set(called(actions.run_due_terms(now=FIRST_DUE))) == {"Harbour Works", "Eastside District"}


def test_a_shortfall_is_left_until_the_seats_have_stood_unchanged_long_enough(cast):
    assert actions.run_due_terms(now=UNFILLED_DUE - timedelta(seconds=1)).called == []
    # Erin sits out a short term, which the rules end with no election (Bob still holds the post):
    # the clock starts again from the change.
    changed = NOW + timedelta(days=10)
    with transaction.atomic():
        federation_actions.seat_delegate(
            from_council=cast.riverside,
            user=cast.erin,
            election_uuid=None,
            term_ends_at=changed,
            now=NOW + timedelta(days=5),
        )
    run = actions.run_due_terms(now=changed)
    assert [seat.user for seat in run.ended] == [cast.erin] and run.called == []
    assert actions.run_due_terms(now=UNFILLED_DUE).called == []
    [election] = actions.run_due_terms(now=changed + timedelta(days=14)).called
    assert election.council == cast.riverside


def test_a_council_without_voters_gets_no_election(cast):
    run = actions.run_due_terms(now=NOW + timedelta(days=90))
    assert "Metro City" not in called(run)
    assert not Election.objects.filter(council=cast.city).exists()


def test_a_delegates_election_under_way_is_left_to_run(cast):
    actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    assert "Riverside Depot" not in called(actions.run_due_terms(now=NOW + timedelta(days=60)))


def test_after_a_failure_the_post_is_called_again_not_for_unfilled_seats(cast):
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(days=1), now=NOW)
    failed = actions.close_election(actor=None, election=election, now=NOW + timedelta(days=1))
    assert failed.status == Election.Status.FAILED
    # The failure is recent: neither step calls anything for Riverside Depot.
    assert actions.run_due_terms(now=NOW + timedelta(days=14)).called == []
    [again] = actions.run_due_terms(now=NOW + timedelta(days=15)).called
    assert again.council == cast.riverside and again.called_for == ""
    assert call_entry(again)["payload"]["after_failure"] == str(election.uuid)


def test_only_the_rules_call_for_unfilled_seats_and_only_when_due(cast):
    with pytest.raises(RuntimeError, match="Only the rules"):
        actions.call_election(
            actor=cast.alice, council=cast.riverside, kind="delegates", first=True, now=FIRST_DUE
        )
    with pytest.raises(RuntimeError, match="first delegates' election only"):
        actions.call_election(actor=None, council=cast.harbour, kind="delegates", first=True, now=NOW)
    with pytest.raises(RuntimeError, match="first delegates' election only"):
        actions.call_election(actor=None, council=cast.riverside, kind="delegates", first=True, now=FIRST_DUE)
    with pytest.raises(RuntimeError, match="shortfall has lasted"):
        actions.call_election(
            actor=None,
            council=cast.riverside,
            kind="delegates",
            is_by_election=True,
            unfilled_seats=True,
            now=UNFILLED_DUE - timedelta(seconds=1),
        )
    assert not Election.objects.exists()
