"""Replaying due process from record entries: charges, notice, hearing, the council's vote, appeals."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.encoding import format_time
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules
from councils.core.rules.constitution import Constitution

BASE, PARENT = "c-1", "c-2"
MEMBERS = ["u-a", "u-b", "u-c", "u-x"]
# The accused (u-x) and their accuser (u-a) vote neither on the charges nor on an appeal.
PARTIES = ["u-x", "u-a"]
DELEGATES = ["d-1", "d-2"]
CASE = "case-1"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HEARING = T0 + timedelta(days=15)
# The shortest a vote on charges or on an appeal may stay open, by default.
MIN_DAYS = timedelta(days=Constitution().discipline_poll_min_days)

Doc = dict[str, Any]


def doc(
    event: str,
    payload: dict[str, Any],
    *,
    actor: str | None = None,
    at: datetime = HEARING,
    council: str = BASE,
) -> Doc:
    return {"event": event, "at": format_time(at), "actor": actor, "council": council, "payload": payload}


def vote(
    council: str,
    motion: str,
    voters: list[str],
    yes: list[str],
    threshold: str,
    at: datetime,
    parties: list[str] | None = None,
) -> list[Doc]:
    """A motion put to a named vote of `council`, open for the days the constitution sets, and closed.

    Everyone votes at once, so an officer may close it as soon as they have. `parties` to a case are
    left out of the electorate.
    """
    text = f"Decide {motion}."
    result = vote_rules.compute_result(
        yes=len(yes),
        no=len(voters) - len(yes),
        abstain=0,
        electorate=len(voters),
        threshold=threshold,
        quorum=None,
    ).as_payload()
    return [
        doc("motion.tabled", {"motion": motion, "text": text}, at=at, council=council),
        doc(
            "vote.opened",
            {
                "vote": f"v-{motion}",
                "motion": motion,
                "method": "named",
                "threshold": threshold,
                "closes_at": format_time(at + MIN_DAYS),
                "electorate": len(voters),
                "electorate_sha256": vote_rules.electorate_digest(voter_uuids=voters, text=text),
                "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                **({"parties": sorted(parties)} if parties else {}),
            },
            at=at,
            council=council,
        ),
        *[
            doc(
                "vote.cast",
                {"vote": f"v-{motion}", "voter": v, "choice": "yes" if v in yes else "no"},
                actor=v,
                at=at,
                council=council,
            )
            for v in voters
        ],
        doc(
            "vote.closed",
            {"vote": f"v-{motion}", "motion": motion, "result": result},
            actor="u-a" if council == BASE else "d-1",
            at=at,
            council=council,
        ),
    ]


def result_of(docs: list[Doc], motion: str) -> dict[str, Any]:
    return next(
        d["payload"]["result"]
        for d in docs
        if d["event"] == "vote.closed" and d["payload"]["motion"] == motion
    )


def case_record(*, penalty: str = "expulsion", upheld: bool = True) -> list[Doc]:
    """Charges against u-x in c-1, notice, defence, hearing, the council's vote and its outcome."""
    docs = [
        doc("council.created", {"council": BASE, "is_base": True}, at=T0),
        doc("council.created", {"council": PARENT, "is_base": False}, at=T0, council=PARENT),
        doc("office.founding_filled", {"office": "o-chair", "role": "chair", "holder": "u-a"}, at=T0),
        doc(
            "office.founding_filled",
            {"office": "o-parent-chair", "role": "chair", "holder": "d-1"},
            at=T0,
            council=PARENT,
        ),
        *[doc("member.founding_enrolled", {"membership": f"m-{u}", "member": u}, at=T0) for u in MEMBERS],
        *[
            doc("delegate.seated", {"seat": f"s-{d}", "delegate": d}, at=T0, council=PARENT)
            for d in DELEGATES
        ],
        doc("constitution.adopted", {"constitution": 1, "document": Constitution().to_document()}, at=T0),
        doc(
            "discipline.charged",
            {
                "case": CASE,
                "membership": "m-u-x",
                "member": "u-x",
                "penalty": penalty,
                "suspension_days": 30 if penalty == "suspension" else None,
                "hearing_at": HEARING.isoformat(),
                "notice_days": 14,
                "constitution": 1,
            },
            actor="u-a",
            at=T0,
        ),
        doc("discipline.defence_submitted", {"case": CASE, "constitution": 1}, actor="u-x", at=T0),
        doc("discipline.heard", {"case": CASE, "constitution": 1}, actor="u-a"),
    ]
    voters = [m for m in MEMBERS if m not in PARTIES]
    ballots = vote(
        BASE, "mo-case", voters, voters if upheld else ["u-b"], "two_thirds", HEARING, parties=PARTIES
    )
    called = doc(
        "discipline.vote_called",
        {
            "case": CASE,
            "motion": "mo-case",
            "vote": "v-mo-case",
            "threshold": "two_thirds",
            "min_days": 7,
            "parties": PARTIES,
            "constitution": 1,
        },
        actor="u-a",
    )
    docs += [*ballots[:2], called, *ballots[2:]]
    result = result_of(docs, "mo-case")
    if not upheld:
        return [
            *docs,
            doc(
                "discipline.dismissed",
                {"case": CASE, "motion": "mo-case", "result": result, "constitution": 1},
            ),
        ]
    until = HEARING + timedelta(days=30) if penalty == "suspension" else None
    event = "member.suspended" if penalty == "suspension" else "member.expelled"
    return [
        *docs,
        doc(
            event,
            {
                "case": CASE,
                "motion": "mo-case",
                "membership": "m-u-x",
                "member": "u-x",
                "until": until.isoformat() if until else None,
                "result": result,
                "constitution": 1,
            },
        ),
    ]


def appeal(docs: list[Doc], *, n: int, allowed: bool, at: datetime) -> list[Doc]:
    """Appeal `n` of the case, heard by the parent council's delegates, and its decision."""
    lodged = doc(
        "discipline.appeal_lodged",
        {"appeal": f"ap-{n}", "case": CASE, "level": n, "window_days": 30, "constitution": 1},
        actor="u-x",
        at=at,
        council=PARENT,
    )
    ballots = vote(
        PARENT, f"mo-ap-{n}", DELEGATES, DELEGATES if allowed else [], "simple", at, parties=PARTIES
    )
    called = doc(
        "discipline.appeal_vote_called",
        {
            "appeal": f"ap-{n}",
            "motion": f"mo-ap-{n}",
            "vote": f"v-mo-ap-{n}",
            "min_days": 7,
            "parties": PARTIES,
            "constitution": 1,
        },
        at=at,
        council=PARENT,
    )
    docs = [*docs, lodged, *ballots[:2], called, *ballots[2:]]
    decided = doc(
        "discipline.appeal_allowed" if allowed else "discipline.appeal_dismissed",
        {
            "appeal": f"ap-{n}",
            "case": CASE,
            "level": n,
            "motion": f"mo-ap-{n}",
            "result": result_of(docs, f"mo-ap-{n}"),
        },
        at=at,
        council=PARENT,
    )
    return [*docs, decided]


def reinstated(reason: str, at: datetime) -> Doc:
    return doc(
        "member.reinstated", {"case": CASE, "membership": "m-u-x", "member": "u-x", "reason": reason}, at=at
    )


def appealed() -> list[Doc]:
    """Expelled; the first appeal is dismissed, the second allowed, and the member reinstated."""
    docs = appeal(case_record(), n=1, allowed=False, at=HEARING + timedelta(days=3))
    docs = appeal(docs, n=2, allowed=True, at=HEARING + timedelta(days=6))
    return [*docs, reinstated("appeal_allowed", HEARING + timedelta(days=6))]


def served() -> list[Doc]:
    return [*case_record(penalty="suspension"), reinstated("suspension_served", HEARING + timedelta(days=30))]


def run(docs: list[Doc | None]) -> replay.Replay:
    return replay.replay(None if d is None else Item.from_document(i, d) for i, d in enumerate(docs))


def messages(docs: list[Doc]) -> list[str]:
    return [p.message for p in run(docs).problems]


def one(docs: list[Doc], event: str, nth: int = 0) -> Doc:
    return [d for d in docs if d["event"] == event][nth]


@pytest.mark.parametrize("build", [appealed, served, lambda: case_record(upheld=False)])
def test_honest_cases_replay_cleanly(build):
    outcome = run(build())
    assert outcome.problems == [] and outcome.notes == []


def test_charges_withdrawn_before_the_vote_replay_cleanly():
    docs = case_record()[: -1 - 8]  # up to the hearing
    docs.append(doc("discipline.withdrawn", {"case": CASE, "constitution": 1}, actor="u-a"))
    assert messages(docs) == []
    docs.append(doc("discipline.withdrawn", {"case": CASE, "constitution": 1}, actor="u-a"))
    assert messages(docs) == [f"the charges in case {CASE} were withdrawn while the case was withdrawn"]


def edit(event: str, nth: int = 0, **changes: Any) -> Callable[[list[Doc]], None]:
    """Change payload keys (or, with `at`/`actor`, the entry's own) of the nth `event` entry."""

    def mutate(docs: list[Doc]) -> None:
        entry = one(docs, event, nth)
        for key, value in changes.items():
            (entry if key in ("at", "actor") else entry["payload"])[key] = value

    return mutate


def drop(*events: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        docs[:] = [d for d in docs if d["event"] not in events]

    return mutate


def repeat(event: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        entry = one(docs, event)
        docs.insert(docs.index(entry) + 1, copy.deepcopy(entry))

    return mutate


def move_before(event: str, anchor: str, nth: int = 0) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        entry = one(docs, event)
        docs.remove(entry)
        docs.insert(docs.index(one(docs, anchor, nth)), entry)

    return mutate


def left(docs: list[Doc]) -> None:
    docs.insert(
        docs.index(one(docs, "discipline.charged")), doc("member.left", {"membership": "m-u-x"}, at=T0)
    )


def weak_vote(docs: list[Doc]) -> None:
    """The discipline vote held, and quoted, at a simple majority."""
    one(docs, "vote.opened")["payload"]["threshold"] = "simple"
    for event in ("vote.closed", "member.expelled"):
        entry = one(docs, event)["payload"]
        r = entry["result"]
        entry["result"] = vote_rules.compute_result(
            yes=r["yes"], no=r["no"], abstain=0, electorate=r["electorate"], threshold="simple", quorum=None
        ).as_payload()


def amended_notice(docs: list[Doc]) -> None:
    """Version 2 of the constitution asks for 21 days of notice; the charges apply version 2 but give 14."""
    at = docs.index(one(docs, "discipline.charged"))
    docs[at:at] = [
        doc(
            "constitution.amendment_proposed",
            {"amendment": "am-1", "changes": {"hearing_notice_days": [14, 21]}},
            at=T0,
        ),
        doc("constitution.amended", {"amendment": "am-1", "previous": 1, "constitution": 2}, at=T0),
    ]
    for event in ("discipline.charged", "discipline.vote_called", "member.expelled"):
        one(docs, event)["payload"]["constitution"] = 2


def second_federation(docs: list[Doc]) -> None:
    """A second federation's constitution in the same log: version numbers no longer say whose."""
    docs.insert(6, copy.deepcopy(one(docs, "constitution.adopted")))
    one(docs, "discipline.charged")["payload"]["notice_days"] = 10
    one(docs, "discipline.charged")["payload"]["hearing_at"] = (T0 + timedelta(days=10)).isoformat()


@pytest.mark.parametrize(
    ("event", "doing"),
    [
        ("discipline.heard", "a hearing was recorded"),
        ("discipline.vote_called", "a vote was called"),
        ("discipline.withdrawn", "charges were withdrawn"),
        ("discipline.dismissed", "the charges were dismissed"),
    ],
)
def test_a_step_in_a_case_never_charged_is_caught(event, doing):
    assert messages([doc(event, {"case": "case-9"})]) == [
        f"{doing} in discipline case case-9, but the record holds no charges for it"
    ]


CASES: list[tuple[Callable[[], list[Doc]], Callable[[list[Doc]], None], str]] = [
    (
        case_record,
        repeat("discipline.charged"),
        "charges were recorded under a missing or reused case number (case-1)",
    ),
    (
        case_record,
        edit("discipline.charged", membership="m-nobody"),
        f"case {CASE} charges someone who is not a member",
    ),
    (
        case_record,
        edit("discipline.charged", member="u-b"),
        f"case {CASE} charges someone who is not a member",
    ),
    (case_record, left, f"case {CASE} charges a member who is not in good standing (left)"),
    (
        case_record,
        edit("discipline.charged", actor="u-x"),
        "were not brought by another full member of the council",
    ),
    (
        case_record,
        edit("discipline.charged", actor="d-1"),
        "were not brought by another full member of the council",
    ),
    (
        case_record,
        edit("discipline.charged", notice_days=3),
        f"case {CASE} applies 3 days of notice, but the constitution requires 14",
    ),
    (
        case_record,
        edit("discipline.charged", hearing_at="next week"),
        f"case {CASE} gives the accused no hearing date",
    ),
    (
        case_record,
        edit("discipline.charged", hearing_at="2026-03-16T09:00:00"),
        f"case {CASE} gives the accused no hearing date",
    ),
    (
        case_record,
        edit("discipline.charged", hearing_at=(T0 + timedelta(days=13)).isoformat()),
        "less than 14 days after the accused was given notice",
    ),
    (case_record, amended_notice, f"case {CASE} applies 14 days of notice, but the constitution requires 21"),
    (
        case_record,
        edit("discipline.defence_submitted", actor="u-a"),
        f"a defence in case {CASE} was filed by someone other than the accused",
    ),
    (
        case_record,
        move_before("discipline.defence_submitted", "member.expelled"),
        f"a defence in case {CASE} was filed after the vote was called",
    ),
    (
        case_record,
        edit("discipline.defence_submitted", case="case-9"),
        "a defence was filed in discipline case case-9, but the record holds no charges for it",
    ),
    (
        case_record,
        repeat("discipline.heard"),
        f"case {CASE} was heard while it was heard, not awaiting its hearing",
    ),
    (
        case_record,
        edit("discipline.heard", at=format_time(HEARING - timedelta(hours=1))),
        f"the hearing in case {CASE} was held before the date",
    ),
    (case_record, drop("discipline.heard"), f"case {CASE} was put to the vote before its hearing"),
    (
        case_record,
        edit("discipline.vote_called", threshold="simple"),
        f"case {CASE} was put to the vote needing simple, but the constitution requires two_thirds",
    ),
    (
        case_record,
        edit("discipline.vote_called", vote="v-other"),
        f"case {CASE} was not put to a vote of the accused member's own council",
    ),
    (case_record, weak_vote, f"case {CASE} was put to a vote held at simple, short of two_thirds"),
    (
        case_record,
        weak_vote,
        f"u-x was expelled in case {CASE} by a vote held at simple; discipline needs two_thirds",
    ),
    (
        case_record,
        drop("discipline.heard", "discipline.vote_called"),
        f"u-x was expelled in case {CASE}, but no hearing was recorded",
    ),
    (
        case_record,
        drop("discipline.vote_called"),
        f"u-x was expelled in case {CASE}, but the council was never asked to vote",
    ),
    (
        case_record,
        repeat("member.expelled"),
        f"u-x was expelled in case {CASE}, but the case was already upheld",
    ),
    (
        case_record,
        move_before("member.expelled", "vote.closed"),
        f"u-x was expelled in case {CASE} without the closed vote the case was put to",
    ),
    (
        case_record,
        edit("member.expelled", case="case-9"),
        "u-x was expelled in discipline case case-9, but the record holds no charges for it",
    ),
    (
        case_record,
        edit("member.expelled", membership="m-u-b"),
        f"u-x was expelled in case {CASE}, which charged another membership",
    ),
    (
        lambda: case_record(penalty="suspension"),
        edit("member.suspended", until=None),
        f"the suspension in case {CASE} does not run for the days the council voted",
    ),
    (
        lambda: case_record(penalty="suspension"),
        edit("member.suspended", until=(HEARING + timedelta(days=60)).isoformat()),
        "does not run for the days the council voted",
    ),
    (
        appealed,
        edit("discipline.appeal_lodged", actor="u-a"),
        f"an appeal in case {CASE} was lodged by someone other than the disciplined member",
    ),
    (
        appealed,
        edit("discipline.appeal_lodged", nth=1, level=3),
        f"the appeal in case {CASE} claims level 3 but is appeal 2",
    ),
    (
        appealed,
        edit("discipline.appeal_lodged", window_days=60),
        f"the appeal in case {CASE} applies a 60-day window; the constitution sets 30",
    ),
    (
        appealed,
        edit("discipline.appeal_lodged", at=format_time(HEARING + timedelta(days=31))),
        f"the appeal in case {CASE} was lodged after the 30 days to appeal had passed",
    ),
    (
        appealed,
        drop("discipline.appeal_dismissed"),
        f"an appeal was lodged in case {CASE} before its last appeal was decided",
    ),
    (
        appealed,
        edit("discipline.appeal_vote_called", appeal="ap-9"),
        "appeal ap-9 was never lodged in a case the record holds",
    ),
    (
        appealed,
        repeat("discipline.appeal_vote_called"),
        "appeal ap-1 was put to the vote while it was voting",
    ),
    (
        appealed,
        edit("discipline.appeal_dismissed", motion="mo-case"),
        "appeal ap-1 was decided without the closed vote it was put to",
    ),
    (
        appealed,
        edit("discipline.appeal_dismissed", appeal="ap-9"),
        "appeal ap-9 was never lodged in a case the record holds",
    ),
    (
        appealed,
        edit("member.reinstated", reason="mercy"),
        f"u-x was reinstated in case {CASE} for no reason the rules know ('mercy')",
    ),
    (
        appealed,
        edit("member.reinstated", case="case-9"),
        "u-x was reinstated in discipline case case-9, but the record holds no charges",
    ),
    (
        served,
        edit("member.reinstated", at=format_time(HEARING + timedelta(days=29))),
        f"u-x was reinstated in case {CASE} before a suspension the council voted was served",
    ),
    (
        case_record,
        lambda docs: docs.append(reinstated("appeal_allowed", HEARING)),
        f"u-x was reinstated in case {CASE} on an appeal that was not allowed",
    ),
    (
        lambda: case_record(upheld=False),
        lambda docs: docs.append(reinstated("suspension_served", HEARING)),
        "before a suspension the council voted was served",
    ),
]


@pytest.mark.parametrize(("build", "mutate", "expected"), CASES)
def test_a_broken_rule_is_explained(build, mutate, expected):
    docs = build()
    mutate(docs)
    problems = messages(docs)
    assert any(expected in p for p in problems), problems


def test_an_appeal_against_a_vote_is_caught():
    docs = appealed()
    one(docs, "discipline.appeal_dismissed")["event"] = "discipline.appeal_allowed"
    assert "appeal ap-1 was allowed against its vote" in messages(docs)


def test_a_dismissal_the_vote_did_not_make_is_caught():
    docs = case_record()
    expelled = one(docs, "member.expelled")
    expelled["event"] = "discipline.dismissed"
    assert f"the charges in case {CASE} were dismissed although the council upheld them" in messages(docs)


def test_an_expulsion_the_vote_rejected_is_caught():
    docs = case_record(upheld=False)
    dismissed = one(docs, "discipline.dismissed")
    dismissed["event"] = "member.expelled"
    dismissed["payload"].update(membership="m-u-x", member="u-x")
    assert (
        f"u-x was expelled in case {CASE} although the council's vote did not uphold the charges"
        in messages(docs)
    )


def test_a_suspension_where_expulsion_was_sought_is_caught():
    docs = case_record()
    one(docs, "member.expelled")["event"] = "member.suspended"
    assert f"u-x was suspended in case {CASE}, which sought expulsion" in messages(docs)


def test_an_appeal_against_no_upheld_decision_is_caught():
    docs = case_record(upheld=False)
    docs = appeal(docs, n=1, allowed=True, at=HEARING)
    assert f"an appeal was lodged in case {CASE}, which has no upheld decision to appeal" in messages(docs)


def test_without_the_constitution_the_numbers_the_entries_state_are_used():
    docs = case_record()
    docs.remove(one(docs, "constitution.adopted"))
    one(docs, "discipline.charged")["payload"]["hearing_at"] = (T0 + timedelta(days=10)).isoformat()
    assert "less than 14 days" in " ".join(messages(docs))
    docs = appeal(case_record(), n=1, allowed=False, at=HEARING)
    docs.remove(one(docs, "constitution.adopted"))
    del one(docs, "discipline.appeal_lodged")["payload"]["window_days"]
    outcome = run(docs)
    assert outcome.problems == []
    assert outcome.notes == [
        "some appeals were lodged where the record does not say how long the window to appeal was"
    ]


def test_several_federations_constitutions_leave_the_numbers_to_the_entries():
    docs = case_record()
    second_federation(docs)
    assert messages(docs) == []


def test_appeals_whose_case_the_reader_cannot_see_are_noted():
    docs: list[Doc | None] = list(appealed())
    hidden = {
        "discipline.charged",
        "discipline.defence_submitted",
        "discipline.heard",
        "discipline.vote_called",
        "member.expelled",
        "member.reinstated",
    }
    docs = [None if d is not None and (d["event"] in hidden or d["council"] == BASE) else d for d in docs]
    outcome = run(docs)
    assert outcome.problems == []
    assert "some appeals concern discipline cases in councils you may not read" in outcome.notes


def test_a_reinstatement_after_an_appeal_the_reader_cannot_see_is_noted():
    docs: list[Doc | None] = list(appealed())
    docs = [
        None if d is not None and d["council"] == PARENT and d["event"] != "council.created" else d
        for d in docs
    ]
    outcome = run(docs)
    assert outcome.problems == []
    assert "some reinstatements follow appeals decided in councils you may not read" in outcome.notes


def seated_penalty(penalty: str) -> list[Doc]:
    """u-x sits in the parent council; the penalty ends the seat first and lists it."""
    docs = case_record(penalty=penalty)
    seated = doc("delegate.seated", {"seat": "s-u-x", "delegate": "u-x"}, at=T0, council=PARENT)
    docs.insert(docs.index(one(docs, "discipline.charged")), seated)
    reason = {"expulsion": "expelled", "suspension": "suspended"}[penalty]
    ending = {"seat": "s-u-x", "delegate": "u-x", "reason": reason}
    unseated = doc("delegate.unseated", ending, council=PARENT)
    docs.insert(len(docs) - 1, unseated)
    docs[-1]["payload"].update(ended_seats=["s-u-x"], ended_offices=[], byelections=[])
    return docs


@pytest.mark.parametrize(("penalty", "event"), [("expulsion", "expelled"), ("suspension", "suspended")])
def test_a_penalised_delegate_must_lose_their_seat(penalty, event):
    docs = seated_penalty(penalty)
    assert messages(docs) == []
    docs.remove(one(docs, "delegate.unseated"))
    assert messages(docs) == [
        f"u-x was {event} in case {CASE}, which lists delegate seat s-u-x as ended, "
        "but the record never vacated it",
        f"u-x was {event} in case {CASE} but still holds delegate seat s-u-x",
    ]
    one(docs, f"member.{event}")["payload"]["ended_seats"] = []
    assert messages(docs) == [f"u-x was {event} in case {CASE} but still holds delegate seat s-u-x"]


def _under_the_defaults(docs: list[Doc]) -> list[Doc]:
    """The same record in a federation that never adopted a constitution: every entry names version 0."""
    docs = [d for d in docs if d["event"] != "constitution.adopted"]
    for d in docs:
        if d["payload"].get("constitution") == 1:
            d["payload"]["constitution"] = 0
    return docs


def test_before_any_adoption_the_defaults_give_the_numbers():
    assert messages(_under_the_defaults(appealed())) == []
    docs = _under_the_defaults(case_record())
    one(docs, "discipline.charged")["payload"]["notice_days"] = 10
    one(docs, "discipline.charged")["payload"]["hearing_at"] = (T0 + timedelta(days=10)).isoformat()
    assert f"case {CASE} applies 10 days of notice, but the constitution requires 14" in messages(docs)
    # The defaults are the same everywhere: other federations' constitutions in the log do not blur them.
    others = Constitution(version=1, hearing_notice_days=10).to_document()
    for _ in range(2):
        docs.insert(1, doc("constitution.adopted", {"constitution": 1, "document": others}, at=T0))
    assert f"case {CASE} applies 10 days of notice, but the constitution requires 14" in messages(docs)


def test_a_first_version_adopted_by_amending_the_defaults_gives_its_numbers():
    docs = [d for d in case_record() if d["event"] != "constitution.adopted"]
    amendment = [
        doc(
            "constitution.amendment_proposed",
            {"amendment": "am-1", "changes": {"hearing_notice_days": [14, 21]}},
        ),
        doc("constitution.amended", {"amendment": "am-1", "constitution": 1, "previous": 0}),
    ]
    for d in reversed(amendment):
        d["at"] = format_time(T0)
        docs.insert(1, d)
    assert f"case {CASE} applies 14 days of notice, but the constitution requires 21" in messages(docs)
    # Another federation amending its defaults too: version 1 no longer says whose.
    docs.insert(3, copy.deepcopy(amendment[1]))
    assert messages(docs) == []


def test_an_amendment_of_a_version_the_record_never_adopted_tells_no_numbers():
    """A record that amends version 1 without holding its adoption cannot say what version 2 requires."""
    docs = [d for d in case_record() if d["event"] != "constitution.adopted"]
    amended_notice(docs)
    one(docs, "discipline.charged")["payload"]["notice_days"] = 10
    one(docs, "discipline.charged")["payload"]["hearing_at"] = (T0 + timedelta(days=10)).isoformat()
    assert not [m for m in messages(docs) if "the constitution requires" in m]
    # With version 1 adopted, the same record is caught against version 2's 21 days.
    adopted = {"constitution": 1, "document": Constitution().to_document()}
    docs.insert(1, doc("constitution.adopted", adopted, at=T0))
    assert f"case {CASE} applies 10 days of notice, but the constitution requires 21" in messages(docs)


# The vote on charges or on an appeal: open at least the days the constitution sets, not closed early.


def rushed_close(docs: list[Doc], motion: str, *, voters: list[str], actor: str | None) -> None:
    """Only `voters` voted (all yes) and the vote was closed at once, by `actor`; the outcome quotes it."""
    vote_id = f"v-{motion}"
    docs[:] = [
        d
        for d in docs
        if not (d["event"] == "vote.cast" and d["payload"]["vote"] == vote_id and d["actor"] not in voters)
    ]
    for d in docs:
        if d["event"] == "vote.cast" and d["payload"]["vote"] == vote_id:
            d["payload"]["choice"] = "yes"
    closed = next(d for d in docs if d["event"] == "vote.closed" and d["payload"]["vote"] == vote_id)
    r = closed["payload"]["result"]
    closed["payload"]["result"] = vote_rules.compute_result(
        yes=len(voters), no=0, abstain=0, electorate=r["electorate"], threshold=r["threshold"], quorum=None
    ).as_payload()
    closed["actor"] = actor
    for d in docs:
        if d["payload"].get("motion") == motion and "result" in d["payload"]:
            d["payload"]["result"] = closed["payload"]["result"]


def test_a_vote_on_charges_closed_by_the_chair_while_members_had_yet_to_vote_is_caught():
    docs = case_record(upheld=False)
    rushed_close(docs, "mo-case", voters=["u-b"], actor="u-a")
    docs[-1]["event"] = "member.expelled"
    docs[-1]["payload"].update(membership="m-u-x", member="u-x")
    closes = HEARING + MIN_DAYS
    assert messages(docs) == [
        f"the vote on the charges in case {CASE} was closed by u-a before its closing time "
        f"({closes:%Y-%m-%d %H:%M} UTC) with 1 of 2 members entitled having voted; it had to stay open "
        "until then unless all had voted"
    ]


def test_a_vote_on_charges_closed_early_with_no_officer_named_is_caught():
    """The rules close a vote at its closing time: an early close recorded as theirs is no excuse."""
    docs = case_record()
    rushed_close(docs, "mo-case", voters=["u-b"], actor=None)
    problems = messages(docs)
    assert len(problems) == 1 and problems[0].startswith(
        f"the vote on the charges in case {CASE} was closed before its closing time"
    )
    # At the closing time the rules close it whoever has voted.
    one(docs, "vote.closed")["at"] = format_time(HEARING + MIN_DAYS)
    one(docs, "member.expelled")["at"] = format_time(HEARING + MIN_DAYS)
    assert messages(docs) == []


@pytest.mark.parametrize(
    ("closes_at", "expected"),
    [
        (
            HEARING + timedelta(hours=1),
            f"the vote on the charges in case {CASE} was opened with a closing time the constitution "
            "refuses: The vote must stay open at least 7 days: close it at "
            f"{HEARING + MIN_DAYS:%Y-%m-%d %H:%M} UTC or later.",
        ),
        (
            HEARING + timedelta(days=40),
            f"the vote on the charges in case {CASE} was opened with a closing time the constitution "
            f"refuses: A vote may stay open at most 31 days: close it by "
            f"{HEARING + timedelta(days=31):%Y-%m-%d %H:%M} UTC.",
        ),
        (
            None,
            f"the vote on the charges in case {CASE} has no closing time, "
            "but it had to stay open at least 7 days",
        ),
    ],
)
def test_a_vote_on_charges_shorter_or_longer_than_the_constitution_allows_is_caught(closes_at, expected):
    docs = case_record()
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(closes_at) if closes_at else None
    assert messages(docs) == [expected]


def test_the_shortest_length_is_the_constitution_in_force():
    """Version 2 asks for 10 days; the vote called under it states 7 and closes after 7."""
    docs = case_record()
    at = docs.index(one(docs, "discipline.charged"))
    docs[at:at] = [
        doc(
            "constitution.amendment_proposed",
            {"amendment": "am-1", "changes": {"discipline_poll_min_days": [7, 10]}},
            at=T0,
        ),
        doc("constitution.amended", {"amendment": "am-1", "previous": 1, "constitution": 2}, at=T0),
    ]
    one(docs, "discipline.vote_called")["payload"]["constitution"] = 2
    problems = messages(docs)
    assert problems[0] == (
        f"the vote on the charges in case {CASE} applies 7 days as its shortest length; "
        "the constitution sets 10"
    )
    assert problems[1].startswith(
        f"the vote on the charges in case {CASE} was opened with a closing time the constitution refuses: "
        "The vote must stay open at least 10 days"
    )
    assert len(problems) == 2


def test_a_version_adopted_before_the_setting_gives_the_default_length():
    docs = case_record()
    adopted = one(docs, "constitution.adopted")["payload"]["document"]
    del adopted["discipline_poll_min_days"], adopted["discipline_poll_max_days"]
    assert messages(docs) == []
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(HEARING + timedelta(days=2))
    assert "The vote must stay open at least 7 days" in " ".join(messages(docs))


def test_without_the_constitution_the_length_the_entry_states_is_used():
    docs = case_record()
    docs.remove(one(docs, "constitution.adopted"))
    one(docs, "discipline.vote_called")["payload"]["min_days"] = 3
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(HEARING + timedelta(days=3))
    assert not [m for m in messages(docs) if "closing time" in m]
    one(docs, "vote.opened")["payload"]["closes_at"] = format_time(HEARING + timedelta(days=2))
    assert "The vote must stay open at least 3 days" in " ".join(messages(docs))


def test_a_rushed_appeal_vote_is_caught():
    docs = appealed()
    one(docs, "vote.opened", 1)["payload"]["closes_at"] = format_time(HEARING + timedelta(days=3, minutes=5))
    assert messages(docs) == [
        "the vote on appeal ap-1 was opened with a closing time the constitution refuses: The vote must stay "
        f"open at least 7 days: close it at {HEARING + timedelta(days=10):%Y-%m-%d %H:%M} UTC or later."
    ]


def test_votes_called_before_the_constitution_set_their_length_are_noted_not_judged():
    """Entries written before votes on charges had a shortest length: nothing to hold them to."""
    docs = appealed()
    for event in ("discipline.vote_called", "discipline.appeal_vote_called"):
        for d in docs:
            if d["event"] == event:
                del d["payload"]["min_days"]
    for d in docs:
        if d["event"] == "vote.opened":
            d["payload"]["closes_at"] = None
        if d["event"] == "vote.closed":
            d["actor"] = None
    outcome = run(docs)
    assert outcome.problems == []
    assert outcome.notes == [
        "some votes on charges or appeals were called before the constitution set how long they stay open: "
        "their length was not checked"
    ]


def test_a_notice_adopted_before_the_limits_counts_as_ten_years():
    """A version adopted before the limits may give a notice past the calendar: it counts as ten years."""
    docs = case_record()
    charged = one(docs, "discipline.charged")
    docs = docs[: docs.index(charged) + 1]
    one(docs, "constitution.adopted")["payload"]["document"]["hearing_notice_days"] = 10_000_000
    charged["payload"].update(notice_days=10_000_000, hearing_at=(T0 + timedelta(days=3660)).isoformat())
    assert messages(docs) == []
    charged["payload"]["hearing_at"] = (T0 + timedelta(days=3659)).isoformat()
    assert messages(docs) == [
        f"case {CASE} set the hearing for 2036-03-07 09:00, less than 10000000 days after the accused was "
        "given notice"
    ]


def test_a_forged_length_past_the_calendar_is_reported_not_a_crash():
    docs = case_record(penalty="suspension")
    one(docs, "discipline.charged")["payload"]["suspension_days"] = 10**9
    assert any("entry holds data of the wrong shape (OverflowError(" in m for m in messages(docs)), messages(
        docs
    )
