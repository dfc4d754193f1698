"""The verifier checks that the rules call again only an empty post's failed election, and not too soon,
and that nothing stays held through a seat that ended."""

from __future__ import annotations

from datetime import timedelta

import pytest

from councils.core.ledger import replay
from councils.core.ledger.encoding import format_time
from councils.core.ledger.replay import Item
from councils.elections import actions
from councils.federation import actions as federation_actions
from councils.federation.models import Office
from tests.conftest import NOW, make_user
from tests.elections.test_terms import TERM_END, termed
from tests.elections.test_vacancies import (
    AGAIN,
    FAILED_AT,
    chair_election_fails,
    elect_riverside_delegates,
    erin_holds_above,
    recall_the_chair,
    term_ends_soon,
    test_delegate_seats_a_by_election_failed_to_fill_are_called_again,
)
from tests.record.support import documents, find, verify_forged

pytestmark = pytest.mark.usefixtures("terms_of_one_post")


# The rules call again a failed election of the cast's delegates 14 days after it failed.
AGAIN_DELEGATES = NOW + timedelta(days=15)


def problems(docs) -> list[str]:
    return verify_forged(docs).problems


def called_again(docs) -> dict:
    return [d for d in docs if d["event"] == "election.called" and "after_failure" in d["payload"]][-1]


@term_ends_soon
def test_an_election_the_rules_called_again_checks_out(cast):
    chair_election_fails(cast)
    actions.run_due_terms(now=AGAIN)
    assert problems(documents()) == []


@term_ends_soon
def test_an_election_called_again_too_soon_after_the_failure_is_caught(cast):
    chair_election_fails(cast)
    actions.run_due_terms(now=AGAIN)
    docs = documents()
    called_again(docs)["at"] = format_time(AGAIN - timedelta(days=1))
    found = problems(docs)
    assert any(
        "less than 14 days after election" in p and FAILED_AT.isoformat().replace("+00:00", "Z") in p
        for p in found
    ), found


@termed
def test_an_office_called_again_while_it_was_held_is_caught(cast):
    assert actions.run_due_terms(now=TERM_END - timedelta(days=30)).called
    assert actions.run_due_terms(now=TERM_END - timedelta(days=16)).failed
    assert actions.run_due_terms(now=TERM_END).called
    docs = documents()
    assert problems(docs) == []
    # Put the call before the chair's term ended: it calls again a post still held.
    call = docs.pop(docs.index(called_again(docs)))
    docs.insert(find(docs, "office.vacated"), call)
    found = problems(docs)
    assert any("called by the rules again for an office that was not empty" in p for p in found), found


@term_ends_soon
def test_a_call_again_after_an_election_that_was_not_the_posts_last_is_caught(cast):
    first = chair_election_fails(cast)
    actions.run_due_terms(now=AGAIN)
    actions.run_due_terms(now=AGAIN + timedelta(days=14))
    actions.run_due_terms(now=AGAIN + timedelta(days=28))
    docs = documents()
    assert problems(docs) == []
    called_again(docs)["payload"]["after_failure"] = str(first.uuid)
    found = problems(docs)
    assert any("which was not the last election of its post" in p for p in found), found


@term_ends_soon
def test_a_by_election_the_rules_run_after_no_failure_is_caught(cast):
    chair_election_fails(cast)
    actions.run_due_terms(now=AGAIN)
    docs = documents()
    del called_again(docs)["payload"]["after_failure"]
    found = problems(docs)
    assert any("a by-election the rules run themselves, but follows no failed election" in p for p in found)


def test_more_delegate_seats_called_again_than_are_empty_is_caught(cast):
    test_delegate_seats_a_by_election_failed_to_fill_are_called_again(cast)
    docs = documents()
    assert problems(docs) == []
    called_again(docs)["payload"]["seats"] = 2
    found = problems(docs)
    assert any(
        "again for 2 seats, but its council's 4 voters are apportioned 2 delegates, of whom 1 sits: "
        "1 seat is empty" in p
        for p in found
    ), found


# Held through a seat that ended.


def a_later_entry(cast) -> None:
    """An entry of a later time: it shows the action that ended the seat over, so the check runs."""
    federation_actions.appoint_founding_officer(
        actor=None,
        council=cast.harbour,
        user=cast.dave,
        role=Office.Role.SECRETARY,
        now=TERM_END + timedelta(days=1),
    )


def test_what_stayed_held_through_a_seat_whose_term_ended_is_caught(cast):
    chair, above = erin_holds_above(cast)
    actions.run_due_terms(now=TERM_END)
    a_later_entry(cast)
    docs = documents()
    assert problems(docs) == []
    lost = [d for d in docs if d["payload"].get("reason") == "seat_lost"]
    assert {d["event"] for d in lost} == {"office.vacated", "delegate.unseated"}
    kept = [d for d in docs if d not in lost]
    found = problems(kept)
    seat = [d for d in docs if d["payload"].get("reason") == "term_ended"][-1]["payload"]["seat"]
    assert any(
        f"delegate seat {seat} ended at {format_time(TERM_END)}, but office {chair.uuid}, seat {above.uuid}, "
        "held through it, did not end with it" in p
        for p in found
    ), found


def test_what_stayed_held_through_a_seat_ended_in_the_logs_last_action_is_caught(cast):
    """No later entry shows the action over: the end of the log does, and the seat's end is reported."""
    chair, above = erin_holds_above(cast)
    actions.run_due_terms(now=TERM_END)
    docs = documents()
    assert docs[-1]["at"] == format_time(TERM_END) and problems(docs) == []
    kept = [d for d in docs if d["payload"].get("reason") != "seat_lost"]
    ended = [i for i, d in enumerate(kept) if d["payload"].get("reason") == "term_ended"][-1]
    seat = kept[ended]["payload"]["seat"]
    assert (
        f"Rule broken at entry {ended}: delegate seat {seat} ended at {format_time(TERM_END)}, but "
        f"office {chair.uuid}, seat {above.uuid}, held through it, did not end with it."
    ) in problems(kept)
    unread = replay.replay([None, *(Item.from_document(i, d) for i, d in enumerate(kept) if i)])
    assert not [p for p in unread.problems if "did not end with it" in p.message]
    assert (
        "some seats ended with entries you may not read: whether what was held through them ended with "
        "them was not checked" in unread.notes
    )


def test_a_delegate_said_to_be_elected_again_must_be_seated_again(cast):
    chair, _ = erin_holds_above(cast)
    elect_riverside_delegates(cast, cast.bob, cast.erin)
    a_later_entry(cast)
    docs = documents()
    assert problems(docs) == []
    seated = [
        d for d in docs if d["event"] == "delegate.seated" and d["payload"]["delegate"] == str(cast.erin.uuid)
    ][-1]
    assert seated["payload"]["election"] is not None
    seated["payload"]["from_council"] = str(cast.harbour.uuid)
    found = problems(docs)
    assert any(f"office {chair.uuid}" in p and "did not end with it" in p for p in found), found


# A by-election the rules run fills a post emptied by the action that called it.


def vacancy_call(docs) -> dict:
    return [
        d
        for d in docs
        if d["event"] == "election.called"
        and d["payload"]["is_by_election"]
        and d["actor"] is None
        and "after_failure" not in d["payload"]
    ][-1]


def test_a_by_election_the_rules_run_after_a_recall_checks_out(cast):
    recall_the_chair(cast)
    docs = documents()
    verdict = verify_forged(docs)
    assert (verdict.problems, verdict.notes) == ([], [])


def test_a_by_election_the_rules_run_called_apart_from_the_vacancy_is_caught(cast):
    byelection = recall_the_chair(cast)
    docs = documents()
    vacancy_call(docs)["at"] = format_time(byelection.called_at + timedelta(days=1))
    found = problems(docs)
    assert any(
        "a by-election the rules run themselves, but follows no failed election, "
        "nor was its post emptied by the action that called it" in p
        for p in found
    ), found


def test_a_by_election_the_rules_run_for_another_post_than_the_one_emptied_is_caught(cast):
    recall_the_chair(cast)
    docs = documents()
    vacancy_call(docs)["payload"]["role"] = "secretary"
    found = problems(docs)
    assert any("nor was its post emptied by the action that called it" in p for p in found), found


def test_a_by_election_the_rules_run_whose_nominations_close_too_soon_is_caught(cast):
    byelection = recall_the_chair(cast)
    docs = documents()
    soon = format_time(byelection.called_at + timedelta(days=13))
    vacancy_call(docs)["payload"]["nominations_close_at"] = soon
    found = problems(docs)
    assert any(f"with nominations closing at {soon}, less than 14 days later" in p for p in found), found


def test_the_by_elections_the_rules_run_after_a_seat_lost_check_out(cast):
    erin_holds_above(cast)
    actions.run_due_terms(now=TERM_END)
    docs = documents()
    verdict = verify_forged(docs)
    assert (verdict.problems, verdict.notes) == ([], [])
    # Without the seat lost in the same action, nothing emptied the district's posts.
    kept = [d for d in docs if d["payload"].get("reason") != "seat_lost"]
    found = problems(kept)
    assert len([p for p in found if "nor was its post emptied by the action that called it" in p]) == 2, found


def test_a_call_for_unfilled_seats_in_the_action_that_emptied_them_is_caught(cast):
    """The district's seat lost with Erin's is filled by a by-election for the vacancy; said to be for
    seats the district left unfilled, it comes too soon after its delegates changed: in that action."""
    erin_holds_above(cast)
    actions.run_due_terms(now=TERM_END)
    docs = documents()
    [call] = [d for d in docs if d["event"] == "election.called" and d["payload"]["kind"] == "delegates"]
    call["payload"].update(unfilled_seats=True, apportioned=1, sitting=0)
    assert [p.split(": ", 1)[1] for p in problems(docs)] == [
        f'election "{call["payload"]["title"]}" ({call["payload"]["election"]}) was called by the rules at '
        f"{call['at']}, less than 14 days after the council's delegates last changed at "
        f"{TERM_END.isoformat().replace('+00:00', 'Z')}."
    ]


def test_delegate_seats_called_again_are_those_the_apportionment_leaves_empty(cast):
    """Riverside's by-election fails; three members join: its seven voters send three delegates, two
    more than Bob, though the failed election was for one."""
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", is_by_election=True, now=NOW
    )
    actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(days=1), now=NOW)
    assert actions.run_due_terms(now=NOW + timedelta(days=1)).failed
    for name in ("gina", "hugo", "ines"):
        federation_actions.add_founding_member(
            actor=None, council=cast.riverside, user=make_user(name, name), now=NOW + timedelta(days=2)
        )
    [again] = actions.run_due_terms(now=AGAIN_DELEGATES).called
    assert again.seats == 2
    docs = documents()
    assert problems(docs) == []
    called_again(docs)["payload"]["seats"] = 1
    assert [p.split(": ", 1)[1] for p in problems(docs)] == [
        f'election "{again.title}" ({again.uuid}) was called by the rules again for 1 seat, but its '
        "council's 7 voters are apportioned 3 delegates, of whom 1 sits: 2 seats are empty."
    ]
