"""Replaying the rules from record entries alone."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules

COUNCIL = "c-1"
TEXT = "We demand a safe depot."
VOTERS = ["u-a", "u-b", "u-c"]


def item(index: int, event: str, payload: dict[str, Any], actor: str | None = None) -> Item:
    return Item(index=index, event=event, actor=actor, council=COUNCIL, at="", payload=payload)


def chaired() -> list[Item]:
    """Council c-1 as the record creates it, with u-a its chair: the offices of its officers' acts known."""
    return [
        item(0, "council.created", {"council": COUNCIL, "is_base": True}),
        item(0, "office.founding_filled", {"office": "o-chair", "role": "chair", "holder": "u-a"}),
    ]


def result(yes: int, no: int, abstain: int, outcome: str | None = None) -> dict[str, Any]:
    computed = vote_rules.compute_result(
        yes=yes, no=no, abstain=abstain, electorate=3, threshold="simple", quorum=None
    ).as_payload()
    if outcome:
        computed["outcome"] = outcome
    return computed


def named_vote(
    casts: list[tuple[str, str]], closed: dict[str, Any] | None = None, ballots=None
) -> list[Item]:
    items = [
        item(0, "council.created", {"council": COUNCIL, "is_base": True}),
        *[
            item(1 + i, "member.founding_enrolled", {"membership": f"m-{v}", "member": v})
            for i, v in enumerate(VOTERS)
        ],
        item(4, "motion.tabled", {"motion": "mo", "text": TEXT}),
        item(
            5,
            "vote.opened",
            {
                "vote": "v",
                "motion": "mo",
                "method": "named",
                "electorate": 3,
                "electorate_sha256": vote_rules.electorate_digest(voter_uuids=VOTERS, text=TEXT),
                "text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
                "allow_change": False,
            },
        ),
    ]
    for i, (voter, choice) in enumerate(casts):
        items.append(item(6 + i, "vote.cast", {"vote": "v", "voter": voter, "choice": choice}, actor=voter))
    if closed is None:
        counts = vote_rules.tally(c for _, c in casts)
        closed = result(counts["yes"], counts["no"], counts["abstain"])
    if ballots is None:
        ballots = sorted(({"voter": v, "choice": c} for v, c in casts), key=lambda b: b["voter"])
    items.append(item(20, "vote.closed", {"vote": "v", "motion": "mo", "result": closed, "ballots": ballots}))
    return items


def messages(items: list[Item | None]) -> list[str]:
    return [p.message for p in replay.replay(items).problems]


def test_an_honest_named_vote_replays_cleanly():
    outcome = replay.replay(named_vote([("u-a", "yes"), ("u-b", "yes"), ("u-c", "no")]))
    assert outcome.problems == [] and outcome.notes == []
    assert outcome.replayed == 10


def test_voter_outside_the_frozen_electorate_is_caught():
    assert any("not in the electorate" in m for m in messages(named_vote([("u-a", "yes"), ("u-x", "yes")])))


def test_voting_twice_is_caught():
    assert any("voted twice" in m for m in messages(named_vote([("u-a", "yes"), ("u-a", "no")])))


def test_a_result_that_is_not_the_recount_is_caught():
    problems = messages(named_vote([("u-a", "yes"), ("u-b", "no"), ("u-c", "no")], closed=result(2, 1, 0)))
    assert any("recount to 1" in m for m in problems)


def test_an_outcome_that_does_not_follow_from_the_counts_is_caught():
    problems = messages(named_vote([("u-a", "no"), ("u-b", "no")], closed=result(0, 2, 0, outcome="adopted")))
    assert any("make it 'rejected'" in m for m in problems)


def test_a_doctored_roll_call_is_caught():
    problems = messages(named_vote([("u-a", "yes")], ballots=[{"voter": "u-a", "choice": "no"}]))
    assert any("roll call" in m for m in problems)


def test_a_ballot_cast_by_someone_else_is_caught():
    items = named_vote([("u-a", "yes")])
    items[6] = item(6, "vote.cast", {"vote": "v", "voter": "u-a", "choice": "yes"}, actor="u-b")
    assert any("cast by someone else" in m for m in messages(items))


def test_a_vote_on_another_text_is_caught():
    items = named_vote([("u-a", "yes")])
    items[4] = item(4, "motion.tabled", {"motion": "mo", "text": "Something else."})
    assert any("not the motion's recorded text" in m for m in messages(items))


def test_hidden_entries_are_counted_not_failed():
    items: list[Item | None] = list(named_vote([("u-a", "yes")]))
    items[1] = None
    outcome = replay.replay(items)
    assert outcome.not_replayed == 1
    assert outcome.problems == []
    assert outcome.notes  # the electorate could not be rebuilt, so it says so


def test_recall_petition_rules():
    items = [
        item(0, "recall.petition_started", {"petition": "p", "threshold": 2}),
        item(1, "recall.signed", {"petition": "p", "signatures": 1}, actor="u-a"),
        item(2, "recall.signed", {"petition": "p", "signatures": 2}, actor="u-a"),
        item(3, "recall.vote_called", {"petition": "p", "motion": "mo"}),
    ]
    assert any("twice" in m for m in messages(items))
    short = [items[0], items[1], item(2, "recall.vote_called", {"petition": "p"})]
    assert any("short of the 2 needed" in m for m in messages(short))


def test_other_apps_can_register_rules():
    seen = []

    @replay.rule("test.registered")
    def _check(state: replay.Replay, entry: Item) -> None:
        seen.append(entry.index)
        state.problem(entry, "registered rule ran")

    try:
        assert messages([item(7, "test.registered", {})]) == ["registered rule ran"]
        assert seen == [7]
    finally:
        replay.RULES["test.registered"].remove(_check)


def test_key_rotations_must_be_endorsed_by_the_old_key():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from councils.core.ledger import note
    from councils.core.ledger.verify import rotated_to

    old = note.make_signer("log.example/x", Ed25519PrivateKey.generate())
    new = note.make_signer("log.example/x", Ed25519PrivateKey.generate())
    endorsed = note.b64encode(old.private.sign(new.verifier.vkey().encode()))
    forged = note.b64encode(new.private.sign(new.verifier.vkey().encode()))
    good = item(
        0,
        "record.key_rotated",
        {"old_key": old.verifier.vkey(), "new_key": new.verifier.vkey(), "endorsement": endorsed},
    )
    outcome = replay.replay([good])
    assert outcome.problems == []
    rotations = outcome.table("key_rotations")
    assert rotated_to(old.verifier.vkey(), new.verifier.vkey(), rotations)
    assert not rotated_to(new.verifier.vkey(), old.verifier.vkey(), rotations)
    bad = item(
        0,
        "record.key_rotated",
        {"old_key": old.verifier.vkey(), "new_key": new.verifier.vkey(), "endorsement": forged},
    )
    assert any("not endorsed" in m for m in messages([bad]))


def test_data_of_the_wrong_shape_is_reported_not_raised():
    problems = messages([item(0, "vote.cast", {"vote": ["v"], "voter": "u-a", "choice": "yes"}, actor="u-a")])
    assert len(problems) == 1
    assert problems[0].startswith("its vote.cast entry holds data of the wrong shape (TypeError(")


def test_membership_entries_must_name_the_membership():
    assert messages([item(0, "member.left", {"member": "u-a"})]) == [
        "a member.left entry names no membership"
    ]


def test_candidates_and_those_who_left_are_not_in_the_rebuilt_electorate():
    members = named_vote([])[:4]
    late = [
        item(4, "member.candidate_started", {"membership": "m-u-d", "member": "u-d"}),
        item(5, "member.left", {"membership": "m-u-c"}),
        item(6, "motion.tabled", {"motion": "mo", "text": TEXT}),
    ]
    opened = item(
        7,
        "vote.opened",
        {
            "vote": "v",
            "motion": "mo",
            "method": "named",
            "electorate": 2,
            "electorate_sha256": vote_rules.electorate_digest(voter_uuids=["u-a", "u-b"], text=TEXT),
        },
    )
    outcome = replay.replay([*members, *late, opened])
    assert outcome.problems == [] and outcome.notes == []  # rebuilt: u-c left, u-d is only a candidate
    cast = item(8, "vote.cast", {"vote": "v", "voter": "u-c", "choice": "no"}, actor="u-c")
    assert messages([*members, *late, opened, cast]) == [
        "u-c voted but was not in the electorate frozen when the vote opened"
    ]


def test_delegate_seats_make_a_higher_council_s_electorate():
    council = "c-up"
    resigned = {"seat": "s-2", "delegate": "u-b", "reason": "resigned"}
    seated = [
        Item(0, "council.created", None, council, "", {"council": council, "is_base": False}),
        Item(1, "delegate.seated", None, council, "", {"seat": "s-1", "delegate": "u-a"}),
        Item(2, "delegate.seated", None, council, "", {"seat": "s-2", "delegate": "u-b"}),
        Item(3, "delegate.unseated", "u-b", council, "", resigned),
    ]
    state = replay.replay(seated)
    assert replay.recorded_voters(state, council) == {"u-a"}
    assert replay.recorded_voters(state, "c-unknown") is None
    unseat_twice = [*seated, Item(4, "delegate.unseated", "u-b", council, "", resigned)]
    assert messages(unseat_twice) == ["delegate seat s-2 is vacated but the record never seated it"]


def test_a_vote_in_a_council_the_record_never_created_is_checked_by_size_only():
    items = [i for i in named_vote([("u-a", "yes")]) if i.event != "council.created"]
    outcome = replay.replay(items)
    assert outcome.problems == []
    assert any("checked against the electorate's size only" in n for n in outcome.notes)


def test_an_amendment_is_a_motion_with_its_own_text_and_base():
    amendment = "mo-am"
    proposed = {
        "amendment": amendment,
        "motion": "mo",
        "text": "We demand a safe depot now.",
        "base_text_sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
    }
    tabled = item(0, "motion.tabled", {"motion": "mo", "text": TEXT})
    state = replay.replay([tabled, item(1, "motion.amendment_proposed", proposed)])
    assert state.problems == [] and state.table("motion_texts")[amendment] == proposed["text"]
    forged = {**proposed, "base_text_sha256": "0" * 64}
    assert messages([tabled, item(1, "motion.amendment_proposed", forged)]) == [
        "amendment mo-am was proposed to a text that is not motion mo's"
    ]


def test_votes_must_be_named_opened_once_and_of_the_listed_size():
    opened = {"vote": "v", "motion": "mo", "method": "named", "electorate": 3, "voters": VOTERS}
    assert messages([item(0, "vote.opened", {**opened, "vote": None})]) == [
        "a vote was opened without naming the vote"
    ]
    assert messages([item(0, "vote.opened", opened), item(1, "vote.opened", opened)]) == [
        "vote v was opened twice"
    ]
    assert messages([item(0, "vote.opened", {**opened, "electorate": 4})]) == [
        "vote v lists 3 voters but says its electorate is 4"
    ]


def listed_vote(method: str = "named", allow_change: bool = False) -> Item:
    payload = {"vote": "v", "motion": "mo", "method": method, "electorate": 3, "voters": VOTERS}
    return item(0, "vote.opened", {**payload, "allow_change": allow_change})


@pytest.mark.parametrize("event", ["vote.cast", "vote.changed", "ballot.cast"])
def test_ballots_of_votes_not_seen_are_noted(event):
    outcome = replay.replay([item(0, event, {"vote": "v", "voter": "u-a", "choice": "yes"}, actor="u-a")])
    assert outcome.problems == [] and outcome.notes
    outcome = replay.replay(
        [item(0, "vote.closed", {"vote": "v", "motion": "mo", "result": result(1, 0, 0)})]
    )
    assert outcome.problems == [] and outcome.notes


def test_ballot_rules_of_named_votes():
    cast = {"vote": "v", "voter": "u-a", "choice": "yes"}
    closed = item(5, "vote.closed", {"vote": "v", "motion": "mo"})
    assert messages([listed_vote(), closed, item(6, "vote.cast", cast, actor="u-a")]) == [
        "vote v was closed without a result",
        "a ballot was recorded in vote v after it closed",
    ]
    assert messages([listed_vote(), item(1, "vote.cast", {**cast, "voter": None})]) == [
        "a ballot names no voter"
    ]
    assert messages([listed_vote(), item(1, "vote.cast", {**cast, "choice": "maybe"}, actor="u-a")]) == [
        "u-a cast an invalid choice 'maybe'"
    ]
    assert messages([listed_vote(), item(1, "vote.changed", {**cast, "choice": "no"}, actor="u-a")]) == [
        "u-a changed a vote they never cast"
    ]
    change = [
        item(1, "vote.cast", cast, actor="u-a"),
        item(2, "vote.changed", {**cast, "choice": "no"}, actor="u-a"),
    ]
    assert messages([listed_vote(), *change]) == [
        "u-a changed their vote in a vote that does not allow changes"
    ]
    closed = item(3, "vote.closed", {"vote": "v", "motion": "mo", "result": result(0, 1, 0)})
    assert messages([listed_vote(allow_change=True), *change, closed]) == []
    assert messages([listed_vote(), item(1, "vote.changed", {**cast, "voter": None})]) == [
        "a ballot names no voter"
    ]


def test_ballot_rules_of_secret_votes():
    ballot = {"vote": "v", "voter": "u-a"}
    assert messages([listed_vote(), item(1, "ballot.cast", ballot, actor="u-a")]) == [
        "a secret ballot was cast in a named vote"
    ]
    secret = listed_vote("secret")
    twice = [secret, item(1, "ballot.cast", ballot, actor="u-a"), item(2, "ballot.cast", ballot, actor="u-a")]
    assert messages(twice) == ["u-a voted twice in vote v"]
    assert messages([secret, item(1, "ballot.cast", {"vote": "v"})]) == ["a ballot names no voter"]
    published = [{"choice": "yes", "receipt": "r-1"}, {"choice": "no", "receipt": "r-2"}]
    closed = item(
        3, "vote.closed", {"vote": "v", "motion": "mo", "result": result(1, 1, 0), "ballots": published}
    )
    assert (
        messages([*twice[:2], item(2, "ballot.cast", {**ballot, "voter": "u-b"}, actor="u-b"), closed]) == []
    )
    assert messages([*twice[:2], closed]) == ["vote v: 1 person voted but 2 ballots were published"]
    spoiled = {**closed.payload, "ballots": [{"choice": "maybe"}]}
    assert messages([*twice[:2], item(3, "vote.closed", spoiled)]) == [
        "vote v: a ballot holds an invalid choice"
    ]


def test_a_result_whose_electorate_is_not_the_frozen_one_is_caught():
    forged = result(1, 0, 0)
    forged["electorate"] = 2
    problems = messages(named_vote([("u-a", "yes")], closed=forged))
    assert "vote v: the result's electorate is not the one frozen at opening" in problems


def test_a_result_that_cannot_be_recomputed_is_caught():
    assert messages([item(0, "vote.closed", {"vote": "v", "result": {"outcome": "adopted"}})]) == [
        "a published result cannot be recomputed from its counts"
    ]


def test_a_quoted_result_must_be_the_vote_s_own():
    items = named_vote([("u-a", "yes"), ("u-b", "yes")])
    quoted = {"motion": "mo", "result": result(2, 1, 0)}
    assert messages([*items, item(21, "member.admitted", {"membership": "m-u-z", **quoted})]) == [
        "the result quoted for motion mo is not the result its vote recorded"
    ]


def petition(*signers: str | None, threshold: int = 2) -> list[Item]:
    started = item(0, "recall.petition_started", {"petition": "p", "threshold": threshold})
    signed = [
        item(1 + i, "recall.signed", {"petition": "p", "signatures": 1 + i}, actor=signer)
        for i, signer in enumerate(signers)
    ]
    return [started, *signed]


def test_recall_signatures_need_a_signer_and_a_true_count():
    assert messages(petition("u-a", None)) == ["a signature on recall petition p names no signer"]
    miscounted = [*petition("u-a"), item(2, "recall.signed", {"petition": "p", "signatures": 3}, actor="u-b")]
    assert messages(miscounted) == ["recall petition p says 3 signatures but the record holds 2"]


def test_recall_entries_of_petitions_not_seen_are_noted():
    called = item(3, "recall.vote_called", {"petition": "p", "motion": "mo"})
    decided = item(4, "recall.decided", {"petition": "p", "motion": "mo", "recalled": True})
    outcome = replay.replay([*petition("u-a", "u-b")[1:], called, decided])
    assert outcome.problems == []
    assert outcome.notes == ["some recall entries belong to petitions you may not read"]


def test_a_recall_follows_the_vote_its_petition_called():
    called = item(3, "recall.vote_called", {"petition": "p", "motion": "mo"})
    vote = [i for i in named_vote([("u-a", "yes"), ("u-b", "yes")]) if i.event != "motion.tabled"]
    decided = {"petition": "p", "motion": "mo", "recalled": True}
    honest = [*petition("u-a", "u-b"), called, *vote, item(30, "recall.decided", decided)]
    assert messages(honest) == []
    assert messages([*honest[:-1], item(30, "recall.decided", {**decided, "recalled": False})]) == [
        "the recall decision does not follow the recall vote's result"
    ]
    without_vote = [*petition("u-a", "u-b"), item(30, "recall.decided", decided)]
    assert messages(without_vote) == ["recall petition p was decided without the vote it called"]


def test_an_invited_member_is_a_candidate_without_a_vote():
    # Bob joined by invitation: the frozen electorate of the council's vote is the three full members.
    items = named_vote([("u-a", "yes")])
    items.insert(4, item(4, "member.invited_joined", {"membership": "m-bob", "member": "u-bob"}))
    outcome = replay.replay(items)
    assert outcome.problems == [] and outcome.notes == []
    assert outcome.state["memberships"]["m-bob"]["status"] == "candidate"


def test_a_vote_of_longer_standing_members_rebuilds_its_electorate():
    # u-a and u-b founded the council; u-c was admitted later; the vote is for members before February.
    def at(index: int, when: str, event: str, payload: dict[str, Any], actor: str | None = None) -> Item:
        return Item(index=index, event=event, actor=actor, council=COUNCIL, at=when, payload=payload)

    standing = ["u-a", "u-b"]
    opened = {
        "vote": "v",
        "motion": "mo",
        "method": "named",
        "electorate": 2,
        "electorate_sha256": vote_rules.electorate_digest(voter_uuids=standing, text=TEXT),
        "members_before": "2026-02-01T00:00:00.000000Z",
    }
    items = [
        at(0, "", "council.created", {"council": COUNCIL, "is_base": True}),
        *[
            at(
                1 + i,
                "2026-01-01T00:00:00.000000Z",
                "member.founding_enrolled",
                {"membership": f"m-{v}", "member": v},
            )
            for i, v in enumerate(standing)
        ],
        at(
            3,
            "2026-01-20T00:00:00.000000Z",
            "member.candidate_started",
            {"membership": "m-u-c", "member": "u-c"},
        ),
        at(4, "2026-03-01T00:00:00.000000Z", "member.admitted", {"membership": "m-u-c", "member": "u-c"}),
        at(5, "", "motion.tabled", {"motion": "mo", "text": TEXT}),
        at(6, "", "vote.opened", opened),
        at(7, "", "vote.cast", {"vote": "v", "voter": "u-a", "choice": "yes"}, actor="u-a"),
    ]
    outcome = replay.replay(items)
    assert outcome.problems == [] and outcome.notes == []
    late = at(8, "", "vote.cast", {"vote": "v", "voter": "u-c", "choice": "yes"}, actor="u-c")
    assert any("u-c voted but was not in the electorate" in m for m in messages([*items, late]))
    # A vote naming no readable moment cannot be rebuilt: its voters are checked by count only.
    for moment in ("soon", "2026-02-01T00:00:00"):
        unreadable = [*items[:6], at(6, "", "vote.opened", {**opened, "members_before": moment})]
        assert replay.replay(unreadable).notes


def test_a_higher_council_has_no_longer_standing_electorate():
    from datetime import UTC, datetime

    state = replay.Replay()
    state.table("councils")["c-2"] = {"is_base": False}
    assert replay.recorded_voters(state, "c-2", datetime(2026, 1, 1, tzinfo=UTC)) is None


OPENS = "2026-03-01T09:00:00+00:00"
CLOSES = "2026-03-02T09:00:00+00:00"
EARLY = "2026-03-02T08:00:00+00:00"


def polled(
    casts: list[tuple[str, str]] = [("u-a", "yes"), ("u-b", "no"), ("u-c", "yes")],  # noqa: B006
    *,
    method: str = "named",
    closes_at: object = CLOSES,
    closed_at: str = CLOSES,
    closed_by: str | None = "u-a",
) -> list[Item]:
    """An honest vote of the three voters opened at 09:00 on 1 March with `closes_at`, closed at `closed_at`.

    Each of `casts` is recorded an hour after the opening.
    """
    opened = {"vote": "v", "motion": "mo", "method": method, "electorate": 3, "voters": VOTERS}
    items = [item(0, "vote.opened", {**opened, "allow_change": method == "named", "closes_at": closes_at})]
    event = "ballot.cast" if method == "secret" else "vote.cast"
    items += [
        item(1 + i, event, {"vote": "v", "voter": v, "choice": c}, actor=v) for i, (v, c) in enumerate(casts)
    ]
    counts = vote_rules.tally(c for _, c in casts)
    if method == "secret":
        ballots = [{"receipt": f"r-{i}", "choice": c} for i, (_, c) in enumerate(casts)]
    else:
        ballots = sorted(({"voter": v, "choice": c} for v, c in casts), key=lambda b: b["voter"])
    closed = {"vote": "v", "motion": "mo", "result": result(counts["yes"], counts["no"], counts["abstain"])}
    items.append(item(9, "vote.closed", {**closed, "ballots": ballots}, actor=closed_by))
    for entry in items:
        entry.at = "2026-03-01T10:00:00+00:00"
    items[0].at, items[-1].at = OPENS, closed_at
    return items


@pytest.mark.parametrize("method", ["named", "secret"])
def test_a_vote_closed_at_its_closing_time_replays_cleanly(method):
    outcome = replay.replay([*chaired(), *polled(method=method)])
    assert outcome.problems == [] and outcome.notes == []
    # The rules close it at its time, and nothing is said of a close at or after it.
    assert messages(polled(method=method, closed_by=None)) == []
    assert messages(polled(method=method, closed_at="2026-03-05T09:00:00+00:00")) == []
    # Every elector has voted: the officer may close it early.
    assert messages(polled(method=method, closed_at=EARLY)) == []


LATE = "a ballot was recorded in vote v after its closing time (2026-03-02 09:00 UTC)"


@pytest.mark.parametrize("method", ["named", "secret"])
def test_a_ballot_at_or_after_the_closing_time_is_reported(method):
    items = polled(method=method)
    items[2].at = CLOSES
    assert messages(items) == [LATE]
    items[2].at = "2026-03-02T08:59:59.999999+00:00"
    assert messages(items) == []
    items[2].at = "not a time"
    assert messages(items) == [LATE]


def test_a_changed_vote_after_the_closing_time_is_reported():
    items = polled()
    change = item(4, "vote.changed", {"vote": "v", "voter": "u-b", "choice": "yes"}, actor="u-b")
    change.at = "2026-03-02T09:00:01+00:00"
    items.insert(-1, change)
    closed = items[-1].payload
    closed["result"], closed["ballots"][1]["choice"] = result(3, 0, 0), "yes"
    assert messages(items) == [LATE]


@pytest.mark.parametrize("method", ["named", "secret"])
def test_an_officers_close_before_the_closing_time_is_reported_unless_everyone_had_voted(method):
    early = (
        "vote v was closed by u-a before its closing time (2026-03-02 09:00 UTC) with 2 of 3 members "
        "entitled having voted; it had to stay open until then unless all had voted"
    )
    assert messages(polled([("u-a", "yes"), ("u-b", "no")], method=method, closed_at=EARLY)) == [early]
    assert messages(polled([("u-a", "yes"), ("u-b", "no")], method=method, closed_at="yesterday")) == [early]
    assert messages(polled([("u-a", "yes"), ("u-b", "no")], method=method, closed_at=CLOSES)) == []
    # The rules close a vote when its time comes; they are not held to the turnout.
    assert messages(polled([("u-a", "yes")], method=method, closed_by=None)) == []


@pytest.mark.parametrize("method", ["named", "secret"])
def test_a_close_by_the_rules_before_the_closing_time_is_reported_unless_everyone_had_voted(method):
    """The rules close a vote only at its closing time: an early close naming nobody hides a rushed one."""
    rushed = polled([("u-a", "yes")], method=method, closed_at=EARLY, closed_by=None)
    assert messages(rushed) == [
        "vote v was closed before its closing time (2026-03-02 09:00 UTC) with 1 of 3 members entitled "
        "having voted; it had to stay open until then unless all had voted"
    ]
    # Once every elector has voted nothing is left to wait for.
    assert messages(polled(method=method, closed_at=EARLY, closed_by=None)) == []


def test_a_vote_opened_without_a_closing_time_is_closed_by_hand_at_any_time():
    for closes_at in (None, ...):
        items = polled([("u-a", "yes")], closes_at=closes_at, closed_at=EARLY)
        if closes_at is ...:
            del items[0].payload["closes_at"]
        items[1].at = "2027-03-01T09:00:00+00:00"
        outcome = replay.replay([*chaired(), *items])
        assert outcome.problems == [] and outcome.notes == []


def test_a_closing_time_the_rules_refuse_is_reported():
    assert messages(polled(closes_at="tomorrow")) == [
        "vote v was opened with a closing time that is not a time"
    ]
    # A vote closing as it opens: every ballot came after its closing time.
    assert messages(polled(closes_at=OPENS)) == [
        "vote v was opened with a closing time the rules refuse: The closing time must be in the future.",
        *["a ballot was recorded in vote v after its closing time (2026-03-01 09:00 UTC)"] * 3,
    ]


def test_an_early_close_of_a_vote_that_does_not_say_its_electorate_is_noted():
    items = polled([("u-a", "yes")], closed_at=EARLY)
    del items[0].payload["electorate"]
    outcome = replay.replay([*chaired(), *items])
    assert outcome.problems == []
    assert outcome.notes == [
        "some votes do not say how many could vote: whether they closed early was not checked"
    ]
    # Nor is a close naming no officer.
    items = polled([("u-a", "yes")], closed_at=EARLY, closed_by=None)
    del items[0].payload["electorate"]
    assert replay.replay(items).notes == [
        "some votes do not say how many could vote: whether they closed early was not checked"
    ]


def meeting(called: str, starts: str, opened: str | None = None, **extra: Any) -> list[Item]:
    """A meeting called at `called` for `starts` under the shipped defaults (48 hours' notice)."""
    payload = {"meeting": "mt", "title": "General", "starts_at": starts, "constitution": 0, **extra}
    items = [
        Item(index=0, event="meeting.scheduled", actor="u-a", council=COUNCIL, at=called, payload=payload)
    ]
    if opened is not None:
        items.append(
            Item(
                index=1,
                event="meeting.opened",
                actor="u-a",
                council=COUNCIL,
                at=opened,
                payload={"meeting": "mt"},
            )
        )
    return items


CALLED, STARTS = "2026-03-01T09:00:30+00:00", "2026-03-03T09:00:00+00:00"


def test_a_meeting_called_with_notice_and_opened_on_time_checks_out():
    assert messages(meeting(CALLED, STARTS, STARTS, notice_hours=48)) == []
    # Meetings called before the notice was recorded had none to keep, nor a time to open at.
    assert messages(meeting(CALLED, "2026-03-01T09:05:00+00:00", "2026-03-01T09:00:40+00:00")) == []


@pytest.mark.parametrize(
    ("called", "starts", "opened", "extra", "expected"),
    [
        (
            CALLED,
            "2026-03-03T08:59:00+00:00",
            None,
            {"notice_hours": 48},
            'meeting "General" (mt) was called for 2026-03-03 08:59, less than 48 hours after it was called',
        ),
        (
            CALLED,
            STARTS,
            None,
            {"notice_hours": 1},
            'meeting "General" (mt) applies 1 hour of notice, but the constitution requires 48',
        ),
        (
            CALLED,
            "soon",
            None,
            {"notice_hours": 48},
            'meeting "General" (mt) gives no start time with its notice',
        ),
        (
            CALLED,
            STARTS,
            "2026-03-03T08:30:00+00:00",
            {"notice_hours": 48},
            'meeting "General" (mt) was opened at 2026-03-03 08:30, before the time it was called for '
            "(2026-03-03 09:00)",
        ),
    ],
)
def test_a_snap_or_early_meeting_is_explained(called, starts, opened, extra, expected):
    assert expected in messages(meeting(called, starts, opened, **extra))


def test_an_opening_of_a_meeting_the_reader_cannot_place_is_not_judged():
    opened = Item(
        index=0, event="meeting.opened", actor="u-a", council=COUNCIL, at=STARTS, payload={"meeting": "x"}
    )
    assert messages([opened]) == []


def session(*attended: str, with_council: bool = True) -> list[Item]:
    """Three voters and u-x, the council's observer (who may attend, not vote); a meeting called with
    notice, opened on time; `attended` present; an item taken."""
    observer = item(0, "office.founding_filled", {"office": "o-obs", "role": "observer", "holder": "u-x"})
    base = [*named_vote([])[:4], chaired()[1], observer] if with_council else []
    events = [
        ("meeting.scheduled", {"meeting": "mt", "title": "General", "starts_at": STARTS, "notice_hours": 48}),
        ("meeting.opened", {"meeting": "mt", "quorum": 1, "voters": 3}),
        *[("meeting.attended", {"meeting": "mt", "member": who}) for who in attended],
        ("meeting.item_taken", {"meeting": "mt", "item": "i-1"}),
    ]
    return base + [
        Item(
            index=10 + i,
            event=e,
            actor="u-a",
            council=COUNCIL,
            at=CALLED if i == 0 else STARTS,
            payload={**p, "constitution": 0},
        )
        for i, (e, p) in enumerate(events)
    ]


def test_business_is_taken_only_with_the_quorum_present():
    assert messages(session("u-b")) == []
    needed = 'meeting "General" (mt) took an item with 0 of 3 voters present; 1 needed'
    assert messages(session()) == [needed]
    assert messages(session("u-x")) == [needed], "someone present who is not a voter does not count"
    outcome = replay.replay(session(with_council=False))
    assert outcome.problems == [] and any("quorum not checked" in n for n in outcome.notes)
    # The end of the agenda takes no business, and a meeting called in unseen entries is not judged.
    done = [{"meeting": "mt", "item": None}, {"meeting": "elsewhere", "item": "i-2"}]
    tail = [
        Item(index=90 + i, event="meeting.item_taken", actor="u-a", council=COUNCIL, at=STARTS, payload=p)
        for i, p in enumerate(done)
    ]
    assert messages(session("u-b") + tail) == []


def pay_declared(**fields: Any) -> Item:
    payload = {"office": "o-1", "pay": "2000.00", "constitution_version": 1, **fields}
    return item(1, "office.pay_declared", payload, actor="u-a")


def adopted(document: dict[str, Any]) -> Item:
    return item(0, "constitution.adopted", {"document": document})


@pytest.mark.parametrize(
    ("document", "fields"),
    [
        ({"pay_currency": "GBP"}, {"currency": "GBP"}),
        ({"pay_currency": "GBP"}, {}),  # declared before declarations named their currency
        ({}, {"currency": None}),  # a version adopted before pay had a currency states none
        ({}, {}),
    ],
)
def test_pay_declared_in_the_constitutions_currency_or_none_replays_cleanly(document, fields):
    outcome = replay.replay([adopted(document), pay_declared(**fields)])
    assert outcome.problems == [] and outcome.notes == []


def test_pay_declared_in_another_currency_than_the_constitutions_is_caught():
    assert messages([adopted({"pay_currency": "GBP"}), pay_declared(currency="EUR")]) == [
        "the pay declared for office o-1 is in EUR, but the constitution sets GBP"
    ]
    assert messages([adopted({}), pay_declared(currency="EUR")]) == [
        "the pay declared for office o-1 is in EUR, but the constitution sets none"
    ]


def test_pay_under_the_defaults_is_in_their_currency_and_a_made_up_one_is_caught():
    assert messages([pay_declared(currency="EUR", constitution_version=0)]) == []
    assert messages([pay_declared(currency=["EUR"], constitution_version=2)]) == [
        "the pay declared for office o-1 is in ['EUR'], which is no ISO 4217 currency"
    ]
    outcome = replay.replay([pay_declared(currency="EUR", constitution_version=2)])
    assert outcome.problems == [] and len(outcome.notes) == 1
