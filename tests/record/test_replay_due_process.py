"""The verifier replays due process: charges, notice, hearing, the council's vote, appeals."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from councils.cli.main import main
from councils.core.ledger.encoding import format_time
from councils.core.rules.votes import compute_result, electorate_digest
from councils.federation.models import Membership
from councils.membership import actions
from councils.membership.models import DisciplineCase
from councils.motions import actions as motion_actions
from councils.motions.models import Vote
from councils.record.verification import verify_database
from tests.membership.support import NOW, adopt, make_national_body, seat, vote_through
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

HEARING = NOW + timedelta(days=15)


@pytest.fixture
def ready(cast):
    adopt(cast)
    return cast


def heard(cast, *, penalty: str = "expulsion", days: int | None = None) -> DisciplineCase:
    case = actions.bring_charges(
        actor=cast.bob,
        membership=Membership.objects.get(user=cast.frank),
        charges="Passed the strike plan to management.",
        penalty=penalty,
        suspension_days=days,
        hearing_at=HEARING,
        now=NOW,
    )
    actions.submit_defence(actor=cast.frank, case=case, statement="I did not.", now=NOW + timedelta(days=1))
    return actions.record_hearing(actor=cast.alice, case=case, now=HEARING)


def decided(
    cast, *, penalty: str = "expulsion", days: int | None = None, upheld: bool = True
) -> DisciplineCase:
    case = heard(cast, penalty=penalty, days=days)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    if upheld:
        vote_through(vote, yes=[cast.alice, cast.erin], now=HEARING)
    else:
        vote_through(vote, yes=[cast.alice], no=[cast.erin], now=HEARING)
    case.refresh_from_db()
    return case


def appealed_twice(cast) -> DisciplineCase:
    """Expelled; the district dismisses the appeal, the national congress allows it and reinstates."""
    case = decided(cast)
    seat(cast, from_council=cast.harbour, users=[cast.dave])
    make_national_body(cast, delegates=[cast.alice, cast.erin])
    first = actions.lodge_appeal(
        actor=cast.frank, case=case, grounds="Ignored.", now=HEARING + timedelta(days=3)
    )
    vote = actions.call_appeal_vote(actor=None, appeal=first, now=HEARING + timedelta(days=4), method="named")
    vote_through(vote, no=[cast.dave], now=HEARING + timedelta(days=5))
    second = actions.lodge_appeal(
        actor=cast.frank, case=case, grounds="Again.", now=HEARING + timedelta(days=6)
    )
    vote = actions.call_appeal_vote(
        actor=cast.alice, appeal=second, now=HEARING + timedelta(days=7), method="named"
    )
    vote_through(vote, yes=[cast.alice, cast.erin], now=HEARING + timedelta(days=8))
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.REVERSED
    return case


def problems_of(docs: list[dict[str, Any]]) -> list[str]:
    return verify_forged(docs).problems


def test_genuine_cases_replay_cleanly(ready):
    appealed_twice(ready)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    events = {d["event"] for d in documents()}
    assert {"member.expelled", "discipline.appeal_dismissed", "discipline.appeal_allowed"} <= events
    assert {"member.reinstated"} <= events


def test_a_served_suspension_and_a_dismissed_case_replay_cleanly(ready):
    case = decided(ready, penalty="suspension", days=30)
    actions.end_suspension(actor=ready.frank, case=case, now=HEARING + timedelta(days=31))
    decided(ready, upheld=False)
    withdrawn = actions.bring_charges(
        actor=ready.erin,
        membership=Membership.objects.get(user=ready.frank),
        charges="Again.",
        penalty="expulsion",
        hearing_at=HEARING + timedelta(days=30),
        now=HEARING,
    )
    actions.withdraw_charges(actor=ready.erin, case=withdrawn, now=HEARING)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    assert {"member.suspended", "discipline.dismissed", "discipline.withdrawn"} <= {
        d["event"] for d in documents()
    }


def test_a_case_decided_under_the_defaults_replays_against_them(cast):
    # No constitution adopted: the entries name version 0, and the verifier knows its numbers.
    case = decided(cast)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    docs = documents()
    charged = docs[find(docs, "discipline.charged")]["payload"]
    assert charged["constitution"] == 0
    charged["notice_days"] = 3
    charged["hearing_at"] = (NOW + timedelta(days=3)).isoformat()
    problems = problems_of(docs)
    assert any(
        f"case {case.uuid} applies 3 days of notice, but the constitution requires 14" in p for p in problems
    ), problems


def test_an_expulsion_without_hearing_or_vote_is_caught(ready):
    case = decided(ready)
    docs = [d for d in documents() if d["event"] not in ("discipline.heard", "discipline.vote_called")]
    problems = problems_of(docs)
    assert any(
        f"{ready.frank.uuid} was expelled in case {case.uuid}, but no hearing was recorded" in p
        for p in problems
    ), problems


def test_a_vote_before_the_hearing_is_caught(ready):
    case = decided(ready)
    docs = [d for d in documents() if d["event"] != "discipline.heard"]
    assert any(f"case {case.uuid} was put to the vote before its hearing" in p for p in problems_of(docs))


def test_an_expulsion_without_any_charges_is_caught(ready):
    docs = documents()
    forged = {
        **docs[-1],
        "event": "member.expelled",
        "payload": {"case": "no-such-case", "member": str(ready.erin.uuid), "membership": "m"},
    }
    problems = problems_of([*docs, forged])
    assert any(
        f"{ready.erin.uuid} was expelled in discipline case no-such-case, but the record holds no charges"
        in p
        for p in problems
    ), problems


def test_a_hearing_held_before_its_date_is_caught(ready):
    case = decided(ready)
    docs = documents()
    docs[find(docs, "discipline.heard")]["at"] = format_time(HEARING - timedelta(days=1))
    problems = problems_of(docs)
    assert any(f"the hearing in case {case.uuid} was held before the date" in p for p in problems)


def test_too_short_a_notice_is_caught(ready):
    case = decided(ready)
    docs = documents()
    docs[find(docs, "discipline.charged")]["payload"]["hearing_at"] = (NOW + timedelta(days=3)).isoformat()
    problems = problems_of(docs)
    assert any(
        "less than 14 days after the accused was given notice" in p and str(case.uuid) in p for p in problems
    )


def _at_threshold(result: dict[str, Any], threshold: str) -> dict[str, Any]:
    return compute_result(
        yes=result["yes"],
        no=result["no"],
        abstain=result["abstain"],
        electorate=result["electorate"],
        threshold=threshold,
        quorum=result["quorum"],
    ).as_payload()


def test_an_expulsion_by_a_simple_majority_is_caught(ready):
    case = decided(ready)
    docs = documents()
    called = docs[find(docs, "discipline.vote_called")]["payload"]
    called["threshold"] = "simple"
    vote = called["vote"]
    for d in docs:
        if d["event"] == "vote.opened" and d["payload"]["vote"] == vote:
            d["payload"]["threshold"] = "simple"
        if (
            d["event"] in ("vote.closed", "member.expelled")
            and d["payload"].get("motion") == called["motion"]
        ):
            d["payload"]["result"] = _at_threshold(d["payload"]["result"], "simple")
    problems = problems_of(docs)
    assert any(
        f"case {case.uuid} was put to the vote needing simple, but the constitution requires two_thirds" in p
        for p in problems
    ), problems
    assert any(
        f"was expelled in case {case.uuid} by a vote held at simple; discipline needs two_thirds" in p
        for p in problems
    )


def test_an_expulsion_recorded_before_the_vote_closed_is_caught(ready):
    case = decided(ready)
    docs = documents()
    expelled = docs.pop(find(docs, "member.expelled"))
    docs.insert(find(docs, "vote.closed", -1), expelled)
    problems = problems_of(docs)
    assert any(
        f"was expelled in case {case.uuid} without the closed vote the case was put to" in p for p in problems
    )


def test_an_expulsion_the_vote_rejected_is_caught(ready):
    case = decided(ready, upheld=False)
    docs = documents()
    at = find(docs, "discipline.dismissed")
    dismissed = docs[at]
    docs[at] = {
        **dismissed,
        "event": "member.expelled",
        "payload": {
            **dismissed["payload"],
            "membership": str(case.membership.uuid),
            "member": str(ready.frank.uuid),
            "until": None,
        },
    }
    problems = problems_of(docs)
    assert any("although the council's vote did not uphold the charges" in p for p in problems), problems


def test_an_appeal_lodged_after_the_window_is_caught(ready):
    case = appealed_twice(ready)
    docs = documents()
    docs[find(docs, "discipline.appeal_lodged")]["at"] = format_time(HEARING + timedelta(days=31))
    problems = problems_of(docs)
    assert any(
        f"the appeal in case {case.uuid} was lodged after the 30 days to appeal had passed" in p
        for p in problems
    )


def test_a_suspension_lifted_early_is_caught(ready):
    case = decided(ready, penalty="suspension", days=30)
    actions.end_suspension(actor=ready.frank, case=case, now=HEARING + timedelta(days=31))
    docs = documents()
    docs[find(docs, "member.reinstated")]["at"] = format_time(HEARING + timedelta(days=5))
    problems = problems_of(docs)
    assert any(
        f"was reinstated in case {case.uuid} before a suspension the council voted was served" in p
        for p in problems
    )


def _reinstatement_problems(docs: list[dict[str, Any]]) -> list[str]:
    return [p.split(": ", 1)[1] for p in problems_of(docs) if "was reinstated" in p]


def test_a_reinstatement_on_appeal_comes_with_the_allowed_appeal_and_only_once(ready):
    case = appealed_twice(ready)
    member = str(ready.frank.uuid)
    docs = documents()
    reinstated = find(docs, "member.reinstated")
    assert docs[reinstated]["at"] == docs[find(docs, "discipline.appeal_allowed")]["at"]
    later = copy.deepcopy(docs)
    allowed_at = later[reinstated]["at"]
    later[reinstated]["at"] = format_time(HEARING + timedelta(days=20))
    assert _reinstatement_problems(later) == [
        f"{member} was reinstated in case {case.uuid} at {later[reinstated]['at']}, not when its appeal "
        f"was allowed ({allowed_at})."
    ]
    twice = copy.deepcopy(docs)
    twice.append(copy.deepcopy(twice[reinstated]))
    assert _reinstatement_problems(twice) == [
        f"{member} was reinstated in case {case.uuid}, where the member was already reinstated."
    ]


def test_a_reinstatement_by_a_person_or_of_another_member_is_caught(ready):
    case = decided(ready, penalty="suspension", days=30)
    actions.end_suspension(actor=ready.frank, case=case, now=HEARING + timedelta(days=31))
    docs = documents()
    reinstated = docs[find(docs, "member.reinstated")]
    assert reinstated["actor"] is None
    assert _reinstatement_problems(docs) == []
    reinstated["actor"] = str(ready.alice.uuid)
    member = str(ready.frank.uuid)
    assert _reinstatement_problems(docs) == [
        f"{member} was reinstated by {ready.alice.uuid}; only the rules reinstate, when an appeal is "
        "allowed or a suspension served."
    ]
    reinstated["actor"] = None
    bob = Membership.objects.get(user=ready.bob)
    reinstated["payload"].update(membership=str(bob.uuid), member=str(ready.bob.uuid))
    assert _reinstatement_problems(docs) == [
        f"{ready.bob.uuid} was reinstated in case {case.uuid}, which charged another membership."
    ]


def test_a_bundle_missing_the_hearing_fails_councils_verify(ready, tmp_path, capsys):
    case = decided(ready)
    docs = [d for d in documents() if d["event"] not in ("discipline.heard", "discipline.vote_called")]
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    out = capsys.readouterr().out
    assert "The record does NOT check out" in out
    assert f"was expelled in case {case.uuid}, but no hearing was recorded" in out


def _closed_by_the_rules(cast) -> DisciplineCase:
    """Alice votes, Erin does not (Bob and Frank are parties); the rules close the vote at its closing
    time and Frank is expelled."""
    case = heard(cast)
    vote = actions.call_discipline_vote(actor=cast.alice, case=case, now=HEARING, method="named")
    motion_actions.cast_vote(actor=cast.alice, vote=vote, choice="yes", now=HEARING + timedelta(days=1))
    assert vote.closes_at is not None
    motion_actions.close_vote(actor=None, vote=vote, now=vote.closes_at)
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.UPHELD
    return case


def test_a_vote_on_charges_closed_at_its_closing_time_replays_cleanly(ready):
    _closed_by_the_rules(ready)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []
    assert verify_database() == []


def test_a_rushed_vote_on_charges_is_caught(ready):
    """What a server that let the chair rush the vote would publish: a short vote, closed at once."""
    case = _closed_by_the_rules(ready)
    docs = documents()
    opened = docs[find(docs, "vote.opened")]
    opened["payload"]["closes_at"] = (HEARING + timedelta(hours=1)).isoformat()
    closed = docs[find(docs, "vote.closed")]
    closed["actor"], closed["at"] = str(ready.alice.uuid), format_time(HEARING + timedelta(minutes=30))
    problems = problems_of(docs)
    assert (
        f"the vote on the charges in case {case.uuid} was opened with a closing time the constitution "
        "refuses: The vote must stay open at least 7 days: close it at 2026-03-23 09:00 UTC or later."
    ) in " ".join(problems), problems
    assert any(
        f"the vote on the charges in case {case.uuid} was closed by {ready.alice.uuid} before its closing "
        "time (2026-03-16 10:00 UTC) with 1 of 2 members entitled having voted" in p
        for p in problems
    ), problems


# Moves the closing time behind the record, to show the verifier catches it.
@pytest.mark.tampers
def test_a_closing_time_moved_in_the_database_is_caught(ready):
    _closed_by_the_rules(ready)
    vote = Vote.objects.get()
    Vote.objects.filter(pk=vote.pk).update(closes_at=HEARING + timedelta(hours=1))
    assert verify_database() == [
        f"[votes] Vote {vote.uuid} closes at 2026-03-16 10:00 UTC but the record opened it with the closing "
        f"time {vote.closes_at.isoformat()}."
    ]


# Nobody judges their own cause: the accused and their accuser are left out of the votes on the case.


def test_a_vote_on_charges_counting_the_accused_is_caught(ready):
    """What a server that let Frank vote on his own case would publish: an electorate with him in it."""
    case = _closed_by_the_rules(ready)
    docs = documents()
    opened = docs[find(docs, "vote.opened")]["payload"]
    opened["parties"] = [str(ready.bob.uuid)]
    voters = [str(u.uuid) for u in (ready.alice, ready.erin, ready.frank)]
    text = docs[find(docs, "motion.tabled")]["payload"]["text"]
    opened["electorate"], opened["electorate_sha256"] = 3, electorate_digest(voter_uuids=voters, text=text)
    problems = problems_of(docs)
    assert (
        f"the vote on the charges in case {case.uuid} did not leave {ready.frank.uuid}, a party to the case, "
        "out of its electorate"
    ) in " ".join(problems), problems


def test_a_ballot_cast_by_a_party_is_caught(ready):
    case = _closed_by_the_rules(ready)
    docs = documents()
    at = find(docs, "vote.cast")
    forged = copy.deepcopy(docs[at])
    forged["actor"] = forged["payload"]["voter"] = str(ready.bob.uuid)
    docs.insert(at + 1, forged)
    problems = problems_of(docs)
    assert (
        f"{ready.bob.uuid}, a party to the case, voted in the vote on the charges in case {case.uuid}"
    ) in " ".join(problems), problems


def test_a_vote_called_before_parties_were_left_out_is_noted_not_judged(ready):
    _closed_by_the_rules(ready)
    docs = documents()
    del docs[find(docs, "discipline.vote_called")]["payload"]["parties"]
    verdict = verify_forged(docs)
    assert verdict.problems == []
    assert any("before the parties to a case were left out" in n for n in verdict.notes), verdict.notes
