"""The verifier recounts every election from its record entries and catches a forged result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from councils.cli.main import main
from councils.elections import actions
from councils.elections.models import Election
from councils.federation.models import Membership
from councils.membership import actions as membership_actions
from tests.record.support import documents, find, signed_bundle, verify_forged, verify_genuine

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def certified(cast, *, method: str | None = None, before_certifying=None) -> tuple[Election, dict[str, str]]:
    """A delegate election in Riverside Depot, voted online and on paper, counted and certified.

    `before_certifying(election)` is called once it is counted (to put it on a meeting's agenda).
    """
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="delegates", method=method, now=NOW
    )
    bob = actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    erin = actions.nominate(actor=cast.frank, election=election, candidate=cast.erin, now=NOW)
    actions.accept_nomination(actor=cast.erin, candidacy=erin, now=NOW)
    frank = actions.nominate(actor=cast.frank, election=election, candidate=cast.frank, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    b, e, f = str(bob.uuid), str(erin.uuid), str(frank.uuid)
    for voter, ranking in [(cast.alice, [b, e]), (cast.bob, [b, f]), (cast.erin, [e, b])]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    paper = [[e], [f]] if election.is_ranked else [sorted([e, f])]
    actions.record_paper_ballots(
        actor=cast.alice, election=election, voters=[cast.frank], rankings=[paper], now=NOW
    )
    actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    if before_certifying is not None:
        before_certifying(election)
    election = actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    return election, {"bob": b, "erin": e, "frank": f}


def problems_of(docs) -> list[str]:
    verdict = verify_forged(docs)
    return verdict.problems


@pytest.mark.parametrize("method", ["scottish-stv", "meek", "wigm", "schulze", "plurality", "approval"])
def test_a_genuine_election_recounts_to_its_published_result(cast, method):
    election, _ = certified(cast, method=method)
    assert election.method == method
    verdict = verify_genuine()
    assert verdict.problems == []
    assert not any("election" in n for n in verdict.notes)
    closed = documents()[find(documents(), "election.closed")]["payload"]
    assert sum(b["weight"] for b in closed["ballot_set"]) == closed["ballots"] == 4


def test_a_forged_winner_is_caught_and_the_election_named(cast):
    election, c = certified(cast)
    docs = documents()
    closed = docs[find(docs, "election.closed")]["payload"]
    assert sorted(closed["elected"]) == sorted([c["bob"], c["erin"]])
    closed["elected"] = [c["bob"], c["frank"]]
    problems = problems_of(docs)
    assert any(
        f'election "{election.title}" ({election.uuid}): the published winners are' in p
        and "but the ballots recount to" in p
        for p in problems
    ), problems
    assert any("certified winners are not the ones its count elected" in p for p in problems)


def test_a_ballot_dropped_from_the_published_set_is_caught(cast):
    certified(cast)
    docs = documents()
    closed = docs[find(docs, "election.closed")]["payload"]
    del closed["ballot_set"][0]
    problems = problems_of(docs)
    assert any("the count says 4 ballots but 3 were published" in p for p in problems), problems
    assert any("not the ballot set whose hash the count recorded" in p for p in problems)


def test_a_ballot_for_someone_who_was_not_a_candidate_is_caught(cast):
    certified(cast)
    docs = documents()
    closed = docs[find(docs, "election.closed")]["payload"]
    closed["ballot_set"][0]["ranking"] = [[str(cast.dave.uuid)]]
    problems = problems_of(docs)
    assert any("holds a ballot the rules refuse (Not a candidate in this election" in p for p in problems)


def test_a_ballot_slipped_in_by_someone_outside_the_electorate_is_caught(cast):
    certified(cast)
    docs = documents()
    cast_at = find(docs, "election.ballot_cast")
    forged = {**docs[cast_at], "actor": str(cast.dave.uuid)}
    docs.insert(cast_at, forged)
    problems = problems_of(docs)
    assert any(
        f"{cast.dave.uuid} voted in election" in p and "was not in the electorate frozen" in p
        for p in problems
    ), problems
    assert any("the record holds 5 ballots cast, but the count reports a turnout of 4" in p for p in problems)


def test_doctored_stage_totals_in_the_certified_count_are_caught(cast):
    certified(cast)
    docs = documents()
    count = docs[find(docs, "election.certified")]["payload"]["count"]
    first = count["stages"][0]["totals"]
    name = next(iter(first))
    first[name] = "99.00000"
    problems = problems_of(docs)
    assert any(
        "the certified count is not the recount of its ballots: its stage 1 gives" in p for p in problems
    )


def test_a_forged_election_fails_councils_verify_bundle(cast, tmp_path, capsys):
    election, c = certified(cast)
    docs = documents()
    docs[find(docs, "election.closed")]["payload"]["elected"] = [c["frank"], c["bob"]]
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    out = capsys.readouterr().out
    assert "The record does NOT check out" in out
    assert f'election "{election.title}" ({election.uuid}): the published winners are' in out


def withdrawn_while_voting(cast) -> dict[str, str]:
    """Bob's name is first on two ballots when he is withdrawn (as discipline does); Erin and Frank win."""
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    b, e, f = (
        str(actions.nominate(actor=u, election=election, candidate=u, now=NOW).uuid)
        for u in (cast.bob, cast.erin, cast.frank)
    )
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    for voter, ranking in [(cast.alice, [b, e]), (cast.bob, [b, f]), (cast.erin, [e, b])]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    with transaction.atomic():
        actions.withdraw_all_candidacies(user=cast.bob, reason="expelled", now=NOW + timedelta(minutes=5))
    actions.cast_ballot(actor=cast.frank, election=election, ranking=[f], now=NOW + timedelta(minutes=10))
    closed = actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    assert sorted(closed.result["elected"]) == sorted([e, f])
    actions.certify_election(actor=cast.alice, election=closed, now=NOW + timedelta(hours=2))
    return {"bob": b, "erin": e, "frank": f}


def test_a_candidate_withdrawn_while_voting_is_passed_over_in_the_recount(cast):
    withdrawn_while_voting(cast)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []


def test_a_withdrawal_hidden_from_the_record_is_caught(cast):
    c = withdrawn_while_voting(cast)
    docs = documents()
    del docs[find(docs, "election.nomination_withdrawn")]
    problems = problems_of(docs)
    assert any("but the ballots recount to" in p and c["bob"] in p for p in problems), problems


def test_a_withdrawal_after_the_close_is_caught(cast):
    c = withdrawn_while_voting(cast)
    docs = documents()
    withdrawal = docs.pop(find(docs, "election.nomination_withdrawn"))
    docs.insert(find(docs, "election.closed") + 1, withdrawal)
    problems = problems_of(docs)
    assert any("was withdrawn after it closed" in p for p in problems), problems
    assert any("but the ballots recount to" in p and c["bob"] in p for p in problems), problems


@pytest.mark.parametrize(
    ("who", "event"), [("erin", "election.ballot_cast"), ("frank", "election.paper_ballots_recorded")]
)
def test_a_ballot_from_someone_who_had_left_is_caught(cast, who, event):
    """Erin (online) and Frank (on paper) leave after voting; a server that let them vote after leaving
    would record their departure before their ballot."""
    election, _ = certified(cast)
    voter = getattr(cast, who)
    later = NOW + timedelta(hours=3)
    membership_actions.leave_membership(actor=voter, membership=Membership.objects.get(user=voter), now=later)
    docs = documents()
    assert verify_forged(docs).problems == []
    left = docs.pop(find(docs, "member.left"))
    ballot = next(
        i
        for i, d in enumerate(docs)
        if d["event"] == event and str(voter.uuid) in (d["actor"], *d["payload"].get("voters", ()))
    )
    docs.insert(ballot, left)
    problems = problems_of(docs)
    name = f'election "{election.title}" ({election.uuid})'
    assert any(
        f"{voter.uuid} voted in {name} after their vote in its council ended" in p for p in problems
    ), problems


def counted_back(cast, *, before_certifying=None) -> dict[str, str]:
    """Bob and Erin win Riverside's election; Erin leaves before certification and Frank takes her seat.

    `before_certifying(election)` is called once it is counted (to put it on a meeting's agenda).
    """
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    b, e, f = (
        str(actions.nominate(actor=u, election=election, candidate=u, now=NOW).uuid)
        for u in (cast.bob, cast.erin, cast.frank)
    )
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    for voter, ranking in [
        (cast.alice, [b, e]),
        (cast.bob, [b, f]),
        (cast.erin, [e, b]),
        (cast.frank, [e, f]),
    ]:
        actions.cast_ballot(actor=voter, election=election, ranking=ranking, now=NOW)
    closed = actions.close_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=1))
    assert sorted(closed.result["elected"]) == sorted([b, e])
    later = NOW + timedelta(hours=1, minutes=30)
    membership_actions.leave_membership(
        actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=later
    )
    if before_certifying is not None:
        before_certifying(closed)
    certified = actions.certify_election(actor=cast.alice, election=closed, now=NOW + timedelta(hours=2))
    assert sorted(certified.result["elected"]) == sorted([b, f])
    return {"bob": b, "erin": e, "frank": f}


def test_a_genuine_countback_checks_out(cast):
    counted_back(cast)
    verdict = verify_genuine()
    assert verdict.problems == [] and verdict.notes == []


def test_a_countback_of_a_winner_who_still_had_their_vote_is_caught(cast):
    c = counted_back(cast)
    docs = documents()
    del docs[find(docs, "member.left")]
    problems = problems_of(docs)
    assert any(
        f"winner {c['erin']} was withdrawn" in p and "though they still had a vote in its council" in p
        for p in problems
    ), problems


def test_a_tampered_recount_is_caught(cast):
    c = counted_back(cast)
    docs = documents()
    recounted = docs[find(docs, "election.recounted")]["payload"]
    recounted["elected"] = recounted["count"]["elected"] = [c["bob"], c["erin"]]
    problems = problems_of(docs)
    assert any(
        "the published recount is not the recount of its ballots: it elects" in p and c["erin"] in p
        for p in problems
    ), problems


def test_a_certification_that_skips_the_recount_is_caught(cast):
    counted_back(cast)
    docs = documents()
    del docs[find(docs, "election.recounted")]
    problems = problems_of(docs)
    assert any(
        "certified after winners were withdrawn without counting its ballots again" in p for p in problems
    )


def test_a_ballot_after_the_closing_time_and_an_early_close_are_caught(cast, tmp_path, capsys):
    election, _ = certified(cast)
    docs = documents()
    opened = docs[find(docs, "election.opened")]["payload"]
    assert opened["closes_at"] == "2026-03-01T10:00:00.000000Z"
    name = f'election "{election.title}" ({election.uuid})'
    # The paper ballots entered after the poll closed, and the chair closing it before its time.
    docs[find(docs, "election.paper_ballots_recorded")]["at"] = "2026-03-01T10:30:00.000000Z"
    [late] = problems_of(docs)
    assert late.endswith(f"a ballot was recorded in {name} after its poll closed (2026-03-01 10:00 UTC).")
    docs = documents()
    paper = find(docs, "election.paper_ballots_recorded")
    del docs[paper]
    closed = docs[find(docs, "election.closed")]
    closed["at"] = "2026-03-01T09:30:00.000000Z"
    problems = problems_of(docs)
    early = (
        f"{name} was closed by {cast.alice.uuid} before its poll's closing time "
        "with 3 of 4 electors having voted"
    )
    assert any(early in p for p in problems), problems
    path = signed_bundle(tmp_path, docs)
    assert main(["verify", "--bundle", str(path), "--forget"]) == 1
    assert early in capsys.readouterr().out


def failed(cast) -> Election:
    """A delegate election in Riverside Depot whose poll closed, by the rules at its time, with no ballot."""
    election = actions.call_election(actor=cast.alice, council=cast.riverside, kind="delegates", now=NOW)
    actions.nominate(actor=cast.bob, election=election, candidate=cast.bob, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    return actions.close_election(actor=None, election=election, now=NOW + timedelta(hours=1))


def test_a_genuine_failed_election_checks_out(cast):
    assert failed(cast).status == "failed"
    verdict = verify_genuine()
    assert verdict.problems == [] and not any("election" in n for n in verdict.notes)


def test_a_failure_forged_over_cast_ballots_or_before_the_closing_time_is_caught(cast, tmp_path, capsys):
    election = failed(cast)
    name = f'election "{election.title}" ({election.uuid})'
    docs = documents()
    fail = find(docs, "election.failed")
    ballot = {**docs[fail], "event": "election.ballot_cast", "actor": str(cast.erin.uuid)}
    ballot["at"] = "2026-03-01T09:30:00.000000Z"
    ballot["payload"] = {"election": str(election.uuid)}
    docs.insert(fail, ballot)
    [hidden] = problems_of(docs)
    assert hidden.endswith(
        f"{name} was recorded as failed for want of ballots, but the record holds 1 ballot cast "
        "and the entry reports a turnout of 0."
    )
    docs = documents()
    docs[find(docs, "election.failed")].update(actor=str(cast.alice.uuid), at="2026-03-01T09:30:00.000000Z")
    early = (
        f"{name} was closed by {cast.alice.uuid} before its poll's closing time "
        "with 0 of 4 electors having voted"
    )
    assert any(early in p for p in problems_of(docs))
    assert main(["verify", "--bundle", str(signed_bundle(tmp_path, docs)), "--forget"]) == 1
    assert early in capsys.readouterr().out


def left_without_candidates(cast, *, at_close: bool) -> Election:
    """Erin alone stands in an office election and leaves: before the close, or once counted (a countback)."""
    election = actions.call_election(
        actor=cast.alice, council=cast.riverside, kind="office", role="secretary", now=NOW
    )
    erin = actions.nominate(actor=cast.erin, election=election, candidate=cast.erin, now=NOW)
    actions.open_voting(actor=cast.alice, election=election, closes_at=NOW + timedelta(hours=1), now=NOW)
    actions.cast_ballot(actor=cast.bob, election=election, approvals=[str(erin.uuid)], now=NOW)
    leaves_at = NOW + timedelta(minutes=30 if at_close else 90)
    if at_close:
        membership_actions.leave_membership(
            actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=leaves_at
        )
    election = actions.close_election(actor=None, election=election, now=NOW + timedelta(hours=1))
    if not at_close:
        membership_actions.leave_membership(
            actor=cast.erin, membership=Membership.objects.get(user=cast.erin), now=leaves_at
        )
        election = actions.certify_election(actor=cast.alice, election=election, now=NOW + timedelta(hours=2))
    assert (election.status, election.failure_reason) == ("failed", "no_candidates")
    return election


@pytest.mark.parametrize("at_close", [True, False])
def test_an_election_left_without_candidates_fails_genuinely_and_a_forgery_is_caught(cast, at_close):
    election = left_without_candidates(cast, at_close=at_close)
    verdict = verify_genuine()
    assert verdict.problems == [] and not any("election" in n for n in verdict.notes)
    # Without the withdrawal the record does not justify the failure.
    docs = documents()
    del docs[find(docs, "election.nomination_withdrawn")]
    if not at_close:
        del docs[find(docs, "election.recounted")]
    name = f'election "{election.title}" ({election.uuid})'
    problems = problems_of(docs)
    assert any(f"{name} was recorded as failed for want of candidates, but" in p for p in problems), problems
