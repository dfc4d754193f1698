"""The verifier checks that the rules end terms only at their end and run only the elections they called."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.ledger.encoding import format_time
from councils.elections import actions
from tests.elections.test_terms import (
    DUE,
    NOMINATIONS_CLOSE,
    POLL_CLOSES,
    TERM_END,
    termed,
    vote_in,
)
from tests.record.support import documents, verify_forged, verify_genuine

pytestmark = pytest.mark.usefixtures("terms_of_one_post")


def run_by_the_rules(cast):
    """Alice's term as chair ends; the rules call, open, close and certify Erin's election, and end it."""
    [election] = actions.run_due_terms(now=DUE).called
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=DUE)
    actions.run_due_terms(now=NOMINATIONS_CLOSE)
    vote_in(cast, election, erin, NOMINATIONS_CLOSE)
    actions.run_due_terms(now=POLL_CLOSES)
    actions.run_due_terms(now=TERM_END)
    return election


def last(docs, event):
    return [d for d in docs if d["event"] == event][-1]


def the_chair(docs):
    """Alice's appointment as Riverside Depot's founding chair."""
    [chair] = [d for d in docs if d["event"] == "office.founding_filled" and d["payload"]["role"] == "chair"]
    return chair


def problems(docs) -> list[str]:
    return verify_forged(docs).problems


@termed
def test_terms_the_rules_ran_check_out(cast):
    run_by_the_rules(cast)
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any("term" in n or "nominations" in n for n in verdict.notes)
    assert problems(documents()) == []


@termed
def test_a_term_the_rules_ended_before_its_end_is_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    vacated = last(docs, "office.vacated")
    assert vacated["actor"] is None and vacated["payload"]["reason"] == "term_ended"
    filled = the_chair(docs)
    filled["payload"]["term_ends_at"] = format_time(TERM_END + timedelta(days=1))
    found = problems(docs)
    assert any(
        f"office {vacated['payload']['office']} was ended by the rules at {format_time(TERM_END)}, "
        "before its term ended" in p
        for p in found
    ), found


@termed
def test_a_term_the_rules_ended_though_it_had_no_end_is_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    the_chair(docs)["payload"]["term_ends_at"] = None
    assert any("as its term ended, but it had no term end" in p for p in problems(docs))


@termed
def test_a_term_filled_before_entries_said_when_it_ends_is_noted_not_judged(cast):
    run_by_the_rules(cast)
    docs = documents()
    del the_chair(docs)["payload"]["term_ends_at"]
    verdict = verify_forged(docs)
    assert verdict.problems == []
    assert any("filled before entries said when" in n for n in verdict.notes)


@termed
def test_an_election_the_rules_called_too_early_is_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    called = last(docs, "election.called")
    called["at"] = format_time(DUE - timedelta(days=1))
    assert any("more than 30 days before the term it follows" in p for p in problems(docs))


@termed
def test_an_election_the_rules_called_for_a_term_nobody_holds_is_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    last(docs, "election.called")["payload"]["post_term_ends_at"] = format_time(DUE + timedelta(days=1))
    assert any("but no holder of its post has that term" in p for p in problems(docs))
    del last(docs, "election.called")["payload"]["post_term_ends_at"]
    assert any("names no term of its post that ends" in p for p in problems(docs))


@termed
def test_a_poll_the_rules_opened_before_nominations_closed_is_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    later = NOMINATIONS_CLOSE + timedelta(hours=1)
    last(docs, "election.called")["payload"]["nominations_close_at"] = format_time(later)
    assert any(
        "was opened by the rules at" in p and "before its nominations closed" in p for p in problems(docs)
    )


@termed
def test_the_rules_opening_and_certifying_an_election_an_officer_called_are_caught(cast):
    run_by_the_rules(cast)
    docs = documents()
    called = last(docs, "election.called")
    called["actor"] = str(cast.alice.uuid)
    called["payload"]["nominations_close_at"] = None
    found = problems(docs)
    assert any("was opened by the rules, but the rules did not call it" in p for p in found), found
    assert any("was certified by the rules, but the rules did not call it" in p for p in found), found


@termed
def test_a_failure_for_want_of_candidates_while_one_stood_is_caught(cast):
    [election] = actions.run_due_terms(now=DUE).called
    actions.nominate(actor=cast.erin, election=election, candidate=cast.frank, now=DUE)
    assert actions.run_due_terms(now=NOMINATIONS_CLOSE).failed
    docs = documents()
    assert verify_forged(docs).problems == []
    last(docs, "election.nominated")["payload"]["accepted"] = True
    assert any("failed for want of candidates, but" in p for p in problems(docs))
    last(docs, "election.nominated")["payload"]["accepted"] = False
    last(docs, "election.failed")["at"] = format_time(DUE + timedelta(days=1))
    assert any("before its nominations closed" in p for p in problems(docs))
    last(docs, "election.failed")["at"] = format_time(NOMINATIONS_CLOSE)
    last(docs, "election.called")["actor"] = str(cast.alice.uuid)
    assert any("has an election.failed entry before it opened" in p for p in problems(docs))
