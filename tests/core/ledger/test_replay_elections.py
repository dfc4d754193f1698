"""Replaying elections from their entries: electorate, ballots, the published ballot set and the recount."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules import ballots as ballot_rules
from councils.core.tally import count

COUNCIL = "c-1"
ELECTION = "e-1"
VOTERS = ["u-a", "u-b", "u-c"]
CANDIDATES = [{"candidacy": "k-1", "person": "u-a"}, {"candidacy": "k-2", "person": "u-b"}]
BALLOTS = {"u-a": [["k-1"]], "u-b": [["k-2"]], "u-c": [["k-1"]]}
NAME = f'election "Chair" ({ELECTION})'
# The officer who runs the election: opening and certifying are an officer's unless the rules called it.
OFFICER = "u-officer"

Doc = dict[str, Any]


def doc(event: str, payload: dict[str, Any], actor: str | None = None) -> Doc:
    return {
        "event": event,
        "at": "2026-03-01T09:00:00.000000Z",
        "actor": actor,
        "council": COUNCIL,
        "payload": payload,
    }


def record(
    *,
    method: str = "plurality",
    seats: int = 1,
    ballots: dict[str, Any] = BALLOTS,
    withdrawn: tuple[str, ...] = (),
) -> list[Doc]:
    """An honest election's entries: council, voters, call, opening, ballots, count, certification.

    `withdrawn` candidacies are withdrawn (as discipline does) after the first ballot is cast.
    """
    rankings = list(ballots.values())
    result = count(
        ballot_rules.tally_election(
            candidates=sorted(c["candidacy"] for c in CANDIDATES),
            withdrawn=withdrawn,
            seats=seats,
            rankings=rankings,
            title="Chair",
        ),
        method=method,
        seed="seed",
    ).to_json()
    by_candidacy = {c["candidacy"]: c["person"] for c in CANDIDATES}
    return [
        doc("council.created", {"council": COUNCIL, "is_base": True}),
        doc("office.founding_filled", {"office": "o-chair", "role": "chair", "holder": "u-a"}),
        doc("office.founding_filled", {"office": "o-officer", "role": "election_officer", "holder": OFFICER}),
        *[doc("member.founding_enrolled", {"membership": f"m-{v}", "member": v}) for v in VOTERS],
        doc("election.called", {"election": ELECTION, "title": "Chair", "method": method, "seats": seats}),
        doc(
            "election.opened",
            {
                "election": ELECTION,
                "method": method,
                "seats": seats,
                "candidates": CANDIDATES,
                "candidates_hash": ballot_rules.list_hash(
                    f"{c['candidacy']}:{c['person']}" for c in CANDIDATES
                ),
                "electorate_size": len(VOTERS),
                "electorate_hash": ballot_rules.list_hash(VOTERS),
            },
            actor=OFFICER,
        ),
        *[doc("election.ballot_cast", {"election": ELECTION}, actor=voter) for voter in list(ballots)[:1]],
        *[
            doc("election.nomination_withdrawn", {"election": ELECTION, "candidacy": k, "reason": "expelled"})
            for k in withdrawn
        ],
        *[doc("election.ballot_cast", {"election": ELECTION}, actor=voter) for voter in list(ballots)[1:]],
        doc(
            "election.closed",
            {
                "election": ELECTION,
                "turnout": len(rankings),
                "electorate_size": len(VOTERS),
                "ballots": len(rankings),
                "ballot_set_hash": ballot_rules.ballot_set_hash(rankings),
                "ballot_set": ballot_rules.published_ballot_set(rankings),
                "seed": "seed",
                "elected": result["elected"],
            },
        ),
        doc(
            "election.certified",
            {
                "election": ELECTION,
                "elected": [{"candidacy": c, "person": by_candidacy[c]} for c in result["elected"]],
                "ballot_set_hash": ballot_rules.ballot_set_hash(rankings),
                "count": result,
            },
            actor=OFFICER,
        ),
    ]


def run(docs: list[Doc]) -> replay.Replay:
    return replay.replay(Item.from_document(i, d) for i, d in enumerate(docs))


def messages(docs: list[Doc]) -> list[str]:
    return [p.message for p in run(docs).problems]


def one(docs: list[Doc], event: str, nth: int = 0) -> Doc:
    return [d for d in docs if d["event"] == event][nth]


def payload(docs: list[Doc], event: str, nth: int = 0) -> dict[str, Any]:
    return one(docs, event, nth)["payload"]


@pytest.mark.parametrize(
    ("method", "seats", "ballots"),
    [
        ("plurality", 1, BALLOTS),
        ("approval", 1, {"u-a": [["k-1", "k-2"]], "u-b": [["k-2"]]}),
        ("scottish-stv", 1, {"u-a": [["k-1"], ["k-2"]], "u-b": [["k-2"]], "u-c": [["k-2"], ["k-1"]]}),
        ("schulze", 2, {"u-a": [["k-2"], ["k-1"]]}),
    ],
)
def test_an_honest_election_recounts_cleanly(method, seats, ballots):
    outcome = run(record(method=method, seats=seats, ballots=ballots))
    assert outcome.problems == [] and outcome.notes == []


def test_a_candidate_withdrawn_while_voting_is_passed_over_in_the_recount():
    docs = record(withdrawn=("k-1",))
    # k-1 has two ballots of three; passed over, the one ballot for k-2 elects k-2.
    assert payload(docs, "election.closed")["elected"] == ["k-2"]
    assert messages(docs) == []
    withdrawal = one(docs, "election.nomination_withdrawn")
    docs.remove(withdrawal)
    hidden = [
        f"{NAME}: the published winners are k-2 but the ballots recount to k-1",
        f"{NAME}: the certified count is not the recount of its ballots: it elects k-2 but the ballots "
        "recount to k-1",
    ]
    assert messages(docs) == hidden
    docs.insert(docs.index(one(docs, "election.closed")) + 1, withdrawal)
    assert sorted(messages(docs)) == sorted(
        [*hidden, f"a candidate of {NAME} was withdrawn after it closed who was not a winner to seat"]
    )


def test_a_withdrawal_while_nominating_is_no_concern_of_the_count():
    docs = record()
    called = docs.index(one(docs, "election.called"))
    docs.insert(called + 1, doc("election.nomination_withdrawn", {"election": ELECTION, "candidacy": "k-3"}))
    assert messages(docs) == []


def test_withdrawing_someone_not_on_the_ballot_is_caught():
    docs = record()
    opened = docs.index(one(docs, "election.opened"))
    docs.insert(opened + 1, doc("election.nomination_withdrawn", {"election": ELECTION, "candidacy": "k-9"}))
    assert messages(docs) == [f"k-9 was withdrawn from {NAME} but was not on its ballot"]


def test_paper_ballots_count_their_voters():
    docs = record()
    cast_c = docs.index(one(docs, "election.ballot_cast", 2))
    docs[cast_c] = doc(
        "election.paper_ballots_recorded", {"election": ELECTION, "voters": ["u-c"], "ballots": 1}
    )
    assert messages(docs) == []
    payload(docs, "election.paper_ballots_recorded")["ballots"] = 2
    assert messages(docs) == [f"{NAME}: 2 paper ballots were entered for a list of 1 voter"]


def test_an_election_without_a_title_is_named_by_its_id():
    docs = record()
    payload(docs, "election.called")["title"] = ""
    payload(docs, "election.closed")["turnout"] = 4
    assert messages(docs)[0].startswith(f"election {ELECTION}: the record holds 3 ballots cast")


def test_entries_of_elections_the_reader_cannot_see_are_noted_not_failed():
    docs = [d for d in record() if d["event"] not in ("election.called", "election.opened")]
    docs.append(
        doc("election.paper_ballots_recorded", {"election": ELECTION, "voters": ["u-c"], "ballots": 1})
    )
    docs.append(doc("election.failed", {"election": ELECTION, "reason": "no_ballots", "turnout": 0}))
    outcome = run(docs)
    assert outcome.problems == []
    assert outcome.notes == ["some election entries belong to elections opened in entries you may not read"]


def test_an_old_close_without_its_ballot_set_is_checked_against_the_certification_only():
    docs = record()
    del payload(docs, "election.closed")["ballot_set"]
    outcome = run(docs)
    assert outcome.problems == []
    assert any("not recounted" in n for n in outcome.notes)
    payload(docs, "election.certified")["count"]["seed"] = "another"
    assert messages(docs) == [f"{NAME}: the certified count does not elect whom the closed count elected"]


def opened_twice(docs: list[Doc]) -> None:
    docs.insert(docs.index(one(docs, "election.opened")) + 1, copy.deepcopy(one(docs, "election.opened")))


def ballot_before_opening(docs: list[Doc]) -> None:
    docs.insert(
        docs.index(one(docs, "election.opened")), doc("election.ballot_cast", {"election": ELECTION}, "u-a")
    )


def ballot_after_closing(docs: list[Doc]) -> None:
    docs.insert(
        docs.index(one(docs, "election.closed")) + 1,
        doc("election.ballot_cast", {"election": ELECTION}, "u-c"),
    )


def set_(event: str, key: str, value: Any, nth: int = 0) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        payload(docs, event, nth)[key] = value

    return mutate


def cast_by(actor: str | None) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        one(docs, "election.ballot_cast", 2)["actor"] = actor

    return mutate


def ballot_group(group: Any) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        payload(docs, "election.closed")["ballot_set"][0] = group

    return mutate


def count_field(key: str, value: Any) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        payload(docs, "election.certified")["count"][key] = value

    return mutate


def stage_totals(docs: list[Doc]) -> None:
    payload(docs, "election.certified")["count"]["stages"][0]["totals"] = {"k-1": "9"}


def certified_early(docs: list[Doc]) -> None:
    certification = one(docs, "election.certified")
    docs.remove(certification)
    docs.insert(docs.index(one(docs, "election.closed")), certification)


def twice(event: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        docs.append(copy.deepcopy(one(docs, event)))

    return mutate


def unrebuildable_electorate(docs: list[Doc]) -> None:
    payload(docs, "election.opened")["electorate_hash"] = "sha256:other"
    one(docs, "election.ballot_cast", 2)["actor"] = "u-z"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (set_("election.opened", "election", None), "an election was opened without naming the election"),
        (opened_twice, f"{NAME} was opened twice"),
        (
            set_("election.opened", "candidates", CANDIDATES[:1]),
            "not the list whose hash was frozen at opening",
        ),
        (ballot_before_opening, f"{NAME} has an election.ballot_cast entry before it opened"),
        (ballot_after_closing, f"a ballot of u-c was recorded in {NAME} after it closed"),
        (cast_by("u-z"), f"u-z voted in {NAME} but was not in the electorate frozen when voting opened"),
        (cast_by("u-a"), f"u-a voted twice in {NAME}"),
        (cast_by(None), f"a ballot in {NAME} names no voter"),
        (set_("election.closed", "turnout", 2), f"{NAME}: the record holds 3 ballots cast, but the count"),
        (
            set_("election.closed", "elected", ["k-2"]),
            f"{NAME}: the published winners are k-2 but the ballots recount to k-1",
        ),
        (
            ballot_group({"ranking": [["k-1"]], "weight": 0}),
            "holds a ballot the rules refuse (it is not a ranking with a number",
        ),
        (ballot_group("k-1"), "holds a ballot the rules refuse (it is not a ranking with a number"),
        (
            ballot_group({"ranking": ["k-1"], "weight": 2}),
            "holds a ballot the rules refuse (Not a candidate in this election: k, -, 1",
        ),
        (
            ballot_group({"ranking": [["k-1"], []], "weight": 2}),
            "holds a ballot the rules refuse (it is not in the form the ballot box stores)",
        ),
        (
            ballot_group({"ranking": [[7]], "weight": 2}),
            "holds a ballot the rules refuse (Not a candidate in this election: 7.)",
        ),
        (set_("election.opened", "seats", None), "holds a ballot the rules refuse (int() argument must be"),
        (set_("election.closed", "ballots", 4), f"{NAME}: the count says 4 ballots but 3 were published"),
        (
            set_("election.closed", "ballot_set_hash", "sha256:x"),
            "not the ballot set whose hash the count recorded",
        ),
        (
            set_("election.opened", "method", "borda"),
            "the published ballots cannot be recounted (unknown counting method 'borda'",
        ),
        (twice("election.closed"), f"{NAME} was closed twice"),
        (certified_early, f"{NAME} was certified before its count"),
        (twice("election.certified"), f"{NAME} was certified twice"),
        (
            set_("election.certified", "elected", []),
            f"{NAME}: the certified winners are not the ones its count elected",
        ),
        (
            set_("election.certified", "elected", [{"candidacy": "k-1", "person": "u-b"}]),
            f"{NAME}: u-b is certified for a candidacy that was not theirs",
        ),
        (
            set_("election.certified", "ballot_set_hash", "sha256:x"),
            f"{NAME}: the certification names another ballot set than the count",
        ),
        (
            count_field("elected", ["k-2"]),
            "not the recount of its ballots: it elects k-2 but the ballots recount to k-1",
        ),
        (stage_totals, "its stage 1 gives k-1 9 where the recount gives k-1 2, k-2 1"),
        (count_field("quota", "2"), "its stages, quota, seed or ties are not the recount's"),
        (set_("election.certified", "count", None), "it elects nothing but the ballots recount to k-1"),
    ],
)
def test_a_broken_rule_is_explained(mutate, expected):
    docs = record()
    mutate(docs)
    problems = messages(docs)
    assert any(expected in p for p in problems), problems


def test_an_electorate_the_record_cannot_rebuild_only_checks_for_double_votes():
    docs = record()
    unrebuildable_electorate(docs)
    outcome = run(docs)
    assert outcome.problems == []
    assert any("electorates cannot be rebuilt" in n for n in outcome.notes)


def countback() -> list[Doc]:
    """An honest countback: k-1 (u-a) wins, leaves before certification, and the recount elects k-2."""
    docs = record()
    rankings = list(BALLOTS.values())
    result = count(
        ballot_rules.tally_election(
            candidates=["k-1", "k-2"], withdrawn=["k-1"], seats=1, rankings=rankings, title="Chair"
        ),
        method="plurality",
        seed="seed",
    ).to_json()
    assert payload(docs, "election.closed")["elected"] == ["k-1"] and result["elected"] == ["k-2"]
    certified = docs.index(one(docs, "election.certified"))
    docs[certified:certified] = [
        doc("member.left", {"membership": "m-u-a", "member": "u-a"}),
        doc(
            "election.nomination_withdrawn",
            {"election": ELECTION, "candidacy": "k-1", "reason": "no_longer_eligible"},
        ),
        doc(
            "election.recounted",
            {
                "election": ELECTION,
                "withdrawn": [{"candidacy": "k-1", "person": "u-a", "reason": "no_longer_eligible"}],
                "ballot_set_hash": ballot_rules.ballot_set_hash(rankings),
                "seed": "seed",
                "elected": ["k-2"],
                "count": result,
            },
        ),
    ]
    payload(docs, "election.certified").update(
        elected=[{"candidacy": "k-2", "person": "u-b"}], count=copy.deepcopy(result)
    )
    return docs


def test_a_winner_who_lost_their_vote_is_counted_back():
    outcome = run(countback())
    assert outcome.problems == [] and outcome.notes == []


def test_a_countback_of_an_old_close_is_taken_on_its_word_but_must_be_certified():
    docs = countback()
    del payload(docs, "election.closed")["ballot_set"]
    assert messages(docs) == []
    payload(docs, "election.certified")["count"]["elected"] = ["k-1"]
    assert messages(docs) == [f"{NAME}: the certified count does not elect whom the closed count elected"]


def test_a_countback_in_a_council_the_record_cannot_rebuild_is_noted():
    docs = countback()
    payload(docs, "election.opened")["electorate_hash"] = "sha256:other"
    docs.remove(one(docs, "member.left"))
    outcome = run(docs)
    assert outcome.problems == []
    assert any("that they had lost their vote was not checked" in n for n in outcome.notes)


def still_a_member(docs: list[Doc]) -> None:
    docs.remove(one(docs, "member.left"))


def loser_withdrawn(docs: list[Doc]) -> None:
    set_("election.nomination_withdrawn", "candidacy", "k-2", 0)(docs)
    set_("member.left", "member", "u-b")(docs)
    set_("member.left", "membership", "m-u-b")(docs)


def no_recount(docs: list[Doc]) -> None:
    docs.remove(one(docs, "election.recounted"))


def no_withdrawal(docs: list[Doc]) -> None:
    docs.remove(one(docs, "election.nomination_withdrawn"))


def moved_before(event: str, before: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        moved = one(docs, event)
        docs.remove(moved)
        docs.insert(docs.index(one(docs, before)), moved)

    return mutate


def recounted_after_certification(docs: list[Doc]) -> None:
    docs.append(copy.deepcopy(one(docs, "election.recounted")))


def recount_field(key: str, value: Any) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        payload(docs, "election.recounted")["count"][key] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            still_a_member,
            f"winner k-1 was withdrawn from {NAME} after it closed, though they still had a vote",
        ),
        (
            loser_withdrawn,
            f"a candidate of {NAME} was withdrawn after it closed who was not a winner to seat",
        ),
        (no_recount, f"{NAME} was certified after winners were withdrawn without counting its ballots again"),
        (
            no_withdrawal,
            f"{NAME} was recounted without k-1, but the winners withdrawn since its last count are nobody",
        ),
        (
            set_("election.recounted", "withdrawn", []),
            f"{NAME} was recounted without nobody, but the winners withdrawn since its last count are k-1",
        ),
        (moved_before("election.recounted", "election.closed"), f"{NAME} was recounted before its count"),
        (recounted_after_certification, f"{NAME} was recounted after its certification"),
        (
            set_("election.recounted", "seed", "other"),
            f"{NAME}: the recount names another ballot set or seed than the count at the close",
        ),
        (
            set_("election.recounted", "elected", ["k-1"]),
            f"{NAME}: the published recount is not the recount of its ballots: it elects k-1 but the ballots "
            "recount to k-2",
        ),
        (
            recount_field("stages", [{"totals": {"k-2": "3"}}]),
            f"{NAME}: the published recount is not the recount of its ballots: its stage 1 gives k-2 3",
        ),
        (
            set_("election.certified", "elected", [{"candidacy": "k-1", "person": "u-a"}]),
            f"{NAME}: the certified winners are not the ones its count elected",
        ),
        (
            set_("election.opened", "method", "borda"),
            "the published ballots cannot be recounted (unknown counting method 'borda'",
        ),
    ],
)
def test_a_forged_countback_is_explained(mutate, expected):
    docs = countback()
    mutate(docs)
    problems = messages(docs)
    assert any(expected in p for p in problems), problems


def test_a_recount_of_an_election_the_reader_cannot_see_is_noted_not_failed():
    docs = [d for d in countback() if d["event"] not in ("election.called", "election.opened")]
    outcome = run(docs)
    assert outcome.problems == []
    assert outcome.notes == ["some election entries belong to elections opened in entries you may not read"]


CLOSES = "2026-03-02T09:00:00.000000Z"


def polled(
    closes_at: object = CLOSES, *, closed_at: str = CLOSES, closed_by: str | None = "u-a"
) -> list[Doc]:
    """An honest election whose poll opened at 09:00 on 1 March with `closes_at`, closed at `closed_at`."""
    docs = record()
    payload(docs, "election.opened")["closes_at"] = closes_at
    close = one(docs, "election.closed")
    close["at"], close["actor"] = closed_at, closed_by
    one(docs, "election.certified")["at"] = closed_at
    return docs


def test_a_poll_closed_at_its_closing_time_replays_cleanly():
    assert messages(polled()) == []
    # The rules close it at its time; nothing else to say of a close at or after it.
    assert messages(polled(closed_by=None)) == []
    assert messages(polled(closed_at="2026-03-05T09:00:00.000000Z")) == []


def test_a_ballot_at_or_after_the_closing_time_is_reported():
    docs = polled()
    one(docs, "election.ballot_cast", 1)["at"] = CLOSES
    late = f"a ballot was recorded in {NAME} after its poll closed (2026-03-02 09:00 UTC)"
    assert messages(docs) == [late]
    one(docs, "election.ballot_cast", 1)["at"] = "2026-03-02T08:59:59.999999Z"
    assert messages(docs) == []
    cast_c = docs.index(one(docs, "election.ballot_cast", 2))
    docs[cast_c] = doc(
        "election.paper_ballots_recorded", {"election": ELECTION, "voters": ["u-c"], "ballots": 1}
    )
    docs[cast_c]["at"] = "2026-03-02T10:00:00.000000Z"
    assert messages(docs) == [late]
    docs[cast_c]["at"] = "not a time"
    assert messages(docs) == [late]


def test_an_officers_close_before_the_closing_time_is_reported_unless_everyone_had_voted():
    early = "2026-03-02T08:00:00.000000Z"
    # All three electors had voted: the officer may close early.
    assert messages(polled(closed_at=early)) == []
    docs = polled(closed_at=early)
    cast_b = one(docs, "election.ballot_cast", 1)
    docs.remove(cast_b)
    closed = payload(docs, "election.closed")
    closed["turnout"] = closed["ballots"] = 2
    refused = f"{NAME} was closed by u-a before its poll's closing time with 2 of 3 electors having voted"
    assert refused in messages(docs)
    one(docs, "election.closed")["at"] = "yesterday"
    assert refused in messages(docs)
    one(docs, "election.closed")["at"] = CLOSES
    assert refused not in messages(docs)


def test_a_close_by_the_rules_before_the_closing_time_is_reported_unless_everyone_had_voted():
    """The rules close a poll only at its closing time: an early close naming nobody hides a rushed one."""
    early = "2026-03-02T08:00:00.000000Z"
    docs = polled(closed_at=early, closed_by=None)
    assert messages(docs) == []
    docs.remove(one(docs, "election.ballot_cast", 1))
    closed = payload(docs, "election.closed")
    closed["turnout"] = closed["ballots"] = 2
    rushed = f"{NAME} was closed before its poll's closing time with 2 of 3 electors having voted"
    assert rushed in messages(docs)
    one(docs, "election.closed")["at"] = CLOSES
    assert rushed not in messages(docs)
    # A poll that does not say how many could vote is noted, not judged.
    one(docs, "election.closed")["at"] = early
    del payload(docs, "election.opened")["electorate_size"]
    result = run(docs)
    assert rushed not in [p.message for p in result.problems]
    assert "some elections do not say how many could vote: whether they closed early was not checked" in (
        result.notes
    )


def test_an_election_opened_before_polls_had_a_closing_time_is_closed_by_hand():
    docs = record()
    one(docs, "election.closed")["actor"] = "u-a"
    one(docs, "election.ballot_cast", 2)["at"] = "2027-03-01T09:00:00.000000Z"
    assert "closes_at" not in payload(docs, "election.opened") and messages(docs) == []


@pytest.mark.parametrize(
    ("closes_at", "problem"),
    [
        (None, "was opened with a closing time that is not a time"),
        ("tomorrow", "was opened with a closing time that is not a time"),
        (
            "2026-03-01T09:10:00.000000Z",
            "was opened with a closing time the rules refuse: The poll must stay open at least 15 minutes",
        ),
        ("2026-04-15T09:00:00.000000Z", "the rules refuse: A poll may stay open at most 31 days"),
    ],
)
def test_a_closing_time_the_rules_refuse_is_reported(closes_at, problem):
    found = messages(polled(closes_at, closed_at="2026-04-20T09:00:00.000000Z"))
    assert len(found) == 1 and found[0].startswith(NAME) and problem in found[0]


def failed(*, at: str = CLOSES, actor: str | None = None, closes_at: object = CLOSES) -> list[Doc]:
    """An election whose poll opened at 09:00 on 1 March and closed at `at` with no ballot: it failed."""
    counted = ("election.ballot_cast", "election.closed", "election.certified")
    docs = [d for d in polled(closes_at) if d["event"] not in counted]
    fail = doc("election.failed", {"election": ELECTION, "reason": "no_ballots", "turnout": 0}, actor=actor)
    fail["at"] = at
    return [*docs, fail]


def test_a_poll_nobody_voted_in_fails_cleanly_at_its_closing_time():
    assert messages(failed()) == []
    # An officer may close it at or after its closing time, and close by hand a poll without one.
    assert messages(failed(actor="u-a", at="2026-03-03T09:00:00.000000Z")) == []
    docs = failed(actor="u-a", at="2026-03-01T09:30:00.000000Z")
    del payload(docs, "election.opened")["closes_at"]
    assert messages(docs) == []


def test_a_forged_failure_is_reported():
    early = failed(actor="u-a", at="2026-03-02T08:00:00.000000Z")
    assert messages(early) == [
        f"{NAME} was closed by u-a before its poll's closing time with 0 of 3 electors having voted"
    ]
    assert messages(failed(at="2026-03-02T08:00:00.000000Z")) == [
        f"{NAME} was closed before its poll's closing time with 0 of 3 electors having voted"
    ]
    docs = failed()
    docs.insert(-1, doc("election.ballot_cast", {"election": ELECTION}, actor="u-b"))
    assert messages(docs) == [
        f"{NAME} was recorded as failed for want of ballots, but the record holds 1 ballot cast "
        "and the entry reports a turnout of 0"
    ]
    docs = failed()
    payload(docs, "election.failed")["turnout"] = 2
    assert messages(docs) == [
        f"{NAME} was recorded as failed for want of ballots, but the record holds 0 ballots cast "
        "and the entry reports a turnout of 2"
    ]


def test_nothing_follows_a_failed_election():
    closed = doc("election.closed", {"election": ELECTION, "turnout": 0, "ballots": 0})
    closed["at"] = CLOSES
    late = doc("election.ballot_cast", {"election": ELECTION}, actor="u-b")
    certified = doc("election.certified", {"election": ELECTION, "elected": []})
    assert messages([*failed(), failed()[-1]]) == [f"{NAME} was closed twice"]
    assert messages([*failed(), closed]) == [f"{NAME} was closed twice"]
    assert messages([*failed(), certified]) == [f"{NAME} was certified though it failed"]
    docs = failed()
    del payload(docs, "election.opened")["closes_at"]
    late["at"] = "2026-03-03T09:00:00.000000Z"
    assert messages([*docs, late]) == [f"a ballot of u-b was recorded in {NAME} after it closed"]
    # A count cannot fail afterwards either.
    assert messages([*polled(), failed()[-1]]) == [f"{NAME} was closed twice"]


def no_candidates(turnout: int = 3) -> Doc:
    return doc(
        "election.failed",
        {"election": ELECTION, "reason": "no_candidates", "turnout": turnout, "electorate_size": 3},
    )


def all_withdrawn() -> list[Doc]:
    """Both candidates withdrawn while voting (as discipline does): the poll fails at its close."""
    counted = ("election.closed", "election.certified")
    return [*(d for d in record(withdrawn=("k-1", "k-2")) if d["event"] not in counted), no_candidates()]


def counted_back_to_nobody() -> list[Doc]:
    """k-2 withdrawn while voting, k-1 wins and leaves before certification: the countback has nobody."""
    docs = [d for d in record(withdrawn=("k-2",)) if d["event"] != "election.certified"]
    assert payload(docs, "election.closed")["elected"] == ["k-1"]
    rankings = list(BALLOTS.values())
    result = count(
        ballot_rules.tally_election(
            candidates=["k-1", "k-2"], withdrawn=["k-1", "k-2"], seats=1, rankings=rankings, title="Chair"
        ),
        method="plurality",
        seed="seed",
    ).to_json()
    assert result["elected"] == []
    return [
        *docs,
        doc("member.left", {"membership": "m-u-a", "member": "u-a"}),
        doc(
            "election.nomination_withdrawn",
            {"election": ELECTION, "candidacy": "k-1", "reason": "no_longer_eligible"},
        ),
        doc(
            "election.recounted",
            {
                "election": ELECTION,
                "withdrawn": [{"candidacy": "k-1", "person": "u-a", "reason": "no_longer_eligible"}],
                "ballot_set_hash": ballot_rules.ballot_set_hash(rankings),
                "seed": "seed",
                "elected": [],
                "count": result,
            },
        ),
        no_candidates(),
    ]


def test_an_election_whose_every_candidate_was_withdrawn_fails_cleanly():
    assert messages(all_withdrawn()) == []
    assert messages(counted_back_to_nobody()) == []


def test_a_failure_for_want_of_candidates_while_one_still_stood_is_reported():
    docs = all_withdrawn()
    docs.remove(one(docs, "election.nomination_withdrawn", 1))
    assert messages(docs) == [
        f"{NAME} was recorded as failed for want of candidates, but k-2 had not been withdrawn"
    ]
    # A countback that withdrew the winner while another candidate stood must recount, not fail.
    docs = countback()
    docs[docs.index(one(docs, "election.certified"))] = no_candidates()
    assert messages(docs) == [
        f"{NAME} was recorded as failed for want of candidates, but k-2 had not been withdrawn"
    ]
    docs = counted_back_to_nobody()
    docs.remove(one(docs, "election.recounted"))
    assert messages(docs) == [
        f"{NAME} failed after winners were withdrawn without counting its ballots again"
    ]


@pytest.mark.parametrize(
    ("made", "mutate", "expected"),
    [
        (
            all_withdrawn,
            set_("election.failed", "turnout", 2),
            f"{NAME}: the record holds 3 ballots cast, but its failure reports a turnout of 2",
        ),
        (
            counted_back_to_nobody,
            set_("election.failed", "turnout", 2),
            f"{NAME}: the record holds 3 ballots cast, but its failure reports a turnout of 2",
        ),
        (
            all_withdrawn,
            set_("election.failed", "reason", "bad_weather"),
            f"{NAME} was recorded as failed for a reason the rules do not know: 'bad_weather'",
        ),
        (
            all_withdrawn,
            set_("election.failed", "reason", "no_ballots"),
            f"{NAME} was recorded as failed for want of ballots, but the record holds 3 ballots cast",
        ),
        # Once counted, an election can fail only at certification, for want of candidates.
        (counted_back_to_nobody, set_("election.failed", "reason", "no_ballots"), f"{NAME} was closed twice"),
    ],
)
def test_a_forged_failure_for_want_of_candidates_is_explained(made, mutate, expected):
    docs = made()
    mutate(docs)
    problems = messages(docs)
    assert any(expected in p for p in problems), problems


def test_nothing_follows_an_election_that_failed_for_want_of_candidates():
    docs = counted_back_to_nobody()
    certified = doc("election.certified", {"election": ELECTION, "elected": []})
    withdrawn = doc("election.nomination_withdrawn", {"election": ELECTION, "candidacy": "k-2"})
    assert messages([*docs, certified]) == [f"{NAME} was certified though it failed"]
    assert messages([*docs, one(docs, "election.recounted")]) == [f"{NAME} was recounted after it failed"]
    assert messages([*docs, no_candidates()]) == [f"{NAME} failed twice"]
    assert messages([*all_withdrawn(), withdrawn]) == [f"a candidate of {NAME} was withdrawn after it failed"]
    # Nor may a certified election fail afterwards.
    assert messages([*countback(), no_candidates()]) == [f"{NAME} failed after its certification"]
