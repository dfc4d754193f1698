"""Replaying the rules from record entries alone."""

from __future__ import annotations

import hashlib
from typing import Any

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules

COUNCIL = "c-1"
TEXT = "We demand a safe depot."
VOTERS = ["u-a", "u-b", "u-c"]


def item(index: int, event: str, payload: dict[str, Any], actor: str | None = None) -> Item:
    return Item(index=index, event=event, actor=actor, council=COUNCIL, at="", payload=payload)


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
