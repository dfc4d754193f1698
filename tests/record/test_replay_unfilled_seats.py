"""The verifier checks the delegates' elections the rules call for a council left unrepresented."""

from __future__ import annotations

from datetime import timedelta

from councils.core.ledger.encoding import format_time
from councils.elections import actions
from tests.conftest import NOW
from tests.elections.test_unfilled_seats import FIRST_DUE
from tests.record.support import documents, verify_forged, verify_genuine


def call_of(docs, council: str) -> dict:
    """The rules' call of `council`'s delegates' election: Harbour's first, Riverside's unfilled seats."""
    [call] = [
        d
        for d in docs
        if d["event"] == "election.called" and d["payload"]["title"].startswith(f"Delegates of {council} ")
    ]
    return call


def problems(docs) -> list[str]:
    return verify_forged(docs).problems


def called_by_the_rules(cast) -> list[dict]:
    actions.run_due_terms(now=FIRST_DUE)
    return documents()


def test_calls_for_unfilled_seats_check_out(cast):
    docs = called_by_the_rules(cast)
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any("unfilled seats" in n or "first delegates" in n for n in verdict.notes), verdict.notes
    assert problems(docs) == []


def test_a_first_election_for_a_council_that_had_delegates_is_caught(cast):
    docs = called_by_the_rules(cast)
    payload = call_of(docs, "Riverside Depot")["payload"]
    del payload["unfilled_seats"]
    payload.update(first=True, is_by_election=False, seats=2)
    assert any("as the council's first, but it had had delegates" in p for p in problems(docs))


def test_a_first_election_for_a_council_younger_than_the_lead_time_is_caught(cast):
    docs = called_by_the_rules(cast)
    call_of(docs, "Harbour Works")["at"] = format_time(NOW + timedelta(days=29))
    found = problems(docs)
    assert any("less than 30 days after the council was created" in p for p in found), found


def test_a_by_election_for_seats_that_were_full_is_caught(cast):
    docs = called_by_the_rules(cast)
    call_of(docs, "Riverside Depot")["payload"]["apportioned"] = 1
    found = problems(docs)
    assert any("was called for unfilled seats, but 1 delegate sat in its 1 seat" in p for p in found), found
    assert any("says 1 seat was apportioned, but its 4 voters give 2" in p for p in found), found


def test_a_call_that_miscounts_the_sitting_delegates_is_caught(cast):
    docs = called_by_the_rules(cast)
    payload = call_of(docs, "Riverside Depot")["payload"]
    payload.update(sitting=0, seats=2)
    assert any("says 0 delegates sat, but the record shows 1 sitting" in p for p in problems(docs))


def test_a_by_election_for_a_shortfall_too_recent_is_caught(cast):
    docs = called_by_the_rules(cast)
    call_of(docs, "Riverside Depot")["at"] = format_time(NOW + timedelta(days=13))
    found = problems(docs)
    assert any("less than 14 days after the council's delegates last changed" in p for p in found), found


def test_a_call_for_unfilled_seats_by_an_officer_is_caught(cast):
    docs = called_by_the_rules(cast)
    call_of(docs, "Harbour Works")["actor"] = str(cast.alice.uuid)
    assert any("but not as one such call of the rules" in p for p in problems(docs))


def test_an_apportionment_older_entries_do_not_give_is_noted_not_judged(cast):
    docs = called_by_the_rules(cast)
    [district] = [
        d for d in docs if d["event"] == "council.created" and d["payload"]["name"] == "Eastside District"
    ]
    del district["payload"]["members_per_delegate"]
    call_of(docs, "Riverside Depot")["payload"].update(apportioned=3, seats=2)
    verdict = verify_forged(docs)
    assert verdict.problems == []
    assert any("their apportionment was not checked" in n for n in verdict.notes)


def test_a_call_both_first_and_a_by_election_is_caught(cast):
    docs = called_by_the_rules(cast)
    call_of(docs, "Riverside Depot")["payload"].update(first=False, is_by_election=False)
    assert any(
        "is a first delegates' election and a by-election at once, or neither" in p for p in problems(docs)
    )


def test_a_call_for_unfilled_seats_that_does_not_count_them_is_caught(cast):
    docs = called_by_the_rules(cast)
    del call_of(docs, "Riverside Depot")["payload"]["sitting"]
    found = problems(docs)
    assert any(
        "does not say how many delegates were apportioned, sitting and to be elected" in p for p in found
    )
