"""Replaying admission votes from record entries: open as long as the constitution sets, never rushed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.encoding import format_time
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules
from councils.core.rules.constitution import Constitution

BASE = "c-1"
MEMBERS = ["u-a", "u-b", "u-c", "u-d"]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CALLED = T0 + timedelta(days=100)
# The shortest an admission vote may stay open, by default.
MIN_DAYS = timedelta(days=Constitution().admission_poll_min_days)

Doc = dict[str, Any]


def doc(event: str, payload: dict[str, Any], *, actor: str | None = None, at: datetime = CALLED) -> Doc:
    return {"event": event, "at": format_time(at), "actor": actor, "council": BASE, "payload": payload}


def admission(
    *, event: str = "membership.admission_vote_called", voters: list[str] | None = None
) -> list[Doc]:
    """Application app-1 put to c-1's vote, open the days the constitution sets; `voters` vote yes at
    once (by default everyone) and the chair closes it as soon as they have."""
    voters = MEMBERS if voters is None else voters
    text = "Admit the candidate."
    result = vote_rules.compute_result(
        yes=len(voters), no=0, abstain=0, electorate=len(MEMBERS), threshold="simple", quorum=None
    ).as_payload()
    return [
        doc("council.created", {"council": BASE, "is_base": True}, at=T0),
        doc("office.founding_filled", {"office": "o-chair", "role": "chair", "holder": "u-a"}, at=T0),
        *[doc("member.founding_enrolled", {"membership": f"m-{u}", "member": u}, at=T0) for u in MEMBERS],
        doc("constitution.adopted", {"constitution": 1, "document": Constitution().to_document()}, at=T0),
        doc("motion.tabled", {"motion": "mo-1", "text": text}),
        doc(
            "vote.opened",
            {
                "vote": "v-1",
                "motion": "mo-1",
                "method": "named",
                "threshold": "simple",
                "closes_at": format_time(CALLED + MIN_DAYS),
                "electorate": len(MEMBERS),
                "electorate_sha256": vote_rules.electorate_digest(voter_uuids=MEMBERS, text=text),
                "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
            actor="u-a",
        ),
        doc(
            event,
            {"application": "app-1", "motion": "mo-1", "vote": "v-1", "min_days": 3, "constitution": 1},
            actor="u-a",
        ),
        *[doc("vote.cast", {"vote": "v-1", "voter": v, "choice": "yes"}, actor=v) for v in voters],
        doc("vote.closed", {"vote": "v-1", "motion": "mo-1", "result": result}, actor="u-a"),
    ]


def run(docs: list[Doc]) -> replay.Replay:
    return replay.replay(Item.from_document(i, d) for i, d in enumerate(docs))


def messages(docs: list[Doc]) -> list[str]:
    return [p.message for p in run(docs).problems]


def one(docs: list[Doc], event: str) -> Doc:
    return next(d for d in docs if d["event"] == event)


@pytest.mark.parametrize("event", ["membership.admission_vote_called", "membership.approval_vote_called"])
def test_an_admission_vote_held_by_the_rules_replays_cleanly(event):
    outcome = run(admission(event=event))
    assert outcome.problems == [] and outcome.notes == []


def test_an_admission_vote_closed_by_the_chair_while_members_had_yet_to_vote_is_caught():
    """Packing by a rushed vote: the chair calls it and closes it with two friends present."""
    closes = CALLED + MIN_DAYS
    assert messages(admission(voters=["u-a", "u-b"])) == [
        "the admission vote on application app-1 was closed by u-a before its closing time "
        f"({closes:%Y-%m-%d %H:%M} UTC) with 2 of 4 members entitled having voted; it had to stay open "
        "until then unless all had voted"
    ]


def test_an_admission_vote_closed_early_with_no_officer_named_is_caught_and_at_its_time_is_not():
    docs = admission(event="membership.approval_vote_called", voters=["u-a"])
    one(docs, "vote.closed")["actor"] = None
    problems = messages(docs)
    assert len(problems) == 1 and problems[0].startswith(
        "the approval vote on application app-1 was closed before its closing time"
    )
    one(docs, "vote.closed")["at"] = format_time(CALLED + MIN_DAYS)
    assert messages(docs) == []


@pytest.mark.parametrize(
    ("closes_at", "expected"),
    [
        (
            CALLED + timedelta(minutes=10),
            "the admission vote on application app-1 was opened with a closing time the constitution "
            "refuses: The vote must stay open at least 3 days: close it at "
            f"{CALLED + MIN_DAYS:%Y-%m-%d %H:%M} UTC or later.",
        ),
        (
            CALLED + timedelta(days=32),
            "the admission vote on application app-1 was opened with a closing time the constitution "
            f"refuses: A vote may stay open at most 31 days: close it by "
            f"{CALLED + timedelta(days=31):%Y-%m-%d %H:%M} UTC.",
        ),
        (
            None,
            "the admission vote on application app-1 has no closing time, "
            "but it had to stay open at least 3 days",
        ),
    ],
)
def test_an_admission_vote_shorter_or_longer_than_the_constitution_allows_is_caught(closes_at, expected):
    docs = admission()
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(closes_at) if closes_at else None
    assert messages(docs) == [expected]


def test_the_shortest_length_is_the_constitution_in_force():
    docs = admission()
    document = one(docs, "constitution.adopted")["payload"]["document"]
    document["admission_poll_min_days"] = 5
    problems = messages(docs)
    assert problems[0] == (
        "the admission vote on application app-1 applies 3 days as its shortest length; "
        "the constitution sets 5"
    )
    assert "The vote must stay open at least 5 days" in problems[1] and len(problems) == 2


def test_a_version_adopted_before_the_settings_gives_the_default_length():
    docs = admission()
    document = one(docs, "constitution.adopted")["payload"]["document"]
    del document["admission_poll_min_days"], document["admission_poll_max_days"]
    assert messages(docs) == []
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(CALLED + timedelta(days=1))
    assert "The vote must stay open at least 3 days" in " ".join(messages(docs))


def test_a_call_naming_a_vote_the_council_never_opened_is_caught():
    docs = admission()
    one(docs, "membership.admission_vote_called")["payload"]["vote"] = "v-other"
    assert messages(docs) == [
        "the admission vote on application app-1 names vote v-other, which this council did not open for it"
    ]


def test_admission_votes_called_before_the_constitution_set_their_length_are_noted_not_judged():
    """Entries written before admission votes had a shortest length: nothing to hold them to."""
    docs = admission(voters=["u-a"])
    del one(docs, "membership.admission_vote_called")["payload"]["min_days"]
    one(docs, "vote.opened")["payload"]["closes_at"] = None
    outcome = run(docs)
    assert outcome.problems == []
    assert outcome.notes == [
        "some admission or approval votes were called before the constitution set how long they stay open: "
        "their length was not checked"
    ]


def test_an_admission_vote_whose_length_no_text_states_is_noted():
    docs = admission()
    called = one(docs, "membership.admission_vote_called")["payload"]
    called.update(min_days="3", constitution=9)
    outcome = run(docs)
    assert "some admission or approval votes do not say how long they had to stay open: not checked" in (
        outcome.notes
    )
    assert not any("stay open" in p.message for p in outcome.problems)
