"""Replaying recall and agenda petitions from record entries alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from councils.core.ledger import replay
from councils.core.ledger.replay import Item
from councils.core.rules import votes as vote_rules

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
BASE, CONGRESS = "c-base", "c-congress"
MEMBERS = ["u-a", "u-b", "u-c", "u-d"]
CONSTITUTION = {
    "recall_signature_share": "0.50",
    "recall_window_days": 30,
    "recall_vote_within_days": 14,
    "agenda_petition_share": "0.50",
    "agenda_petition_councils": 2,
}


def at(days: float = 0) -> str:
    return (START + timedelta(days=days)).isoformat()


def item(
    event: str, payload: dict[str, Any], *, actor: str | None = None, council: str = BASE, when: str = at()
) -> Item:
    return Item(index=0, event=event, actor=actor, council=council, at=when, payload=payload)


def federation(**changes: Any) -> list[Item]:
    """A base council of four members under a constitution whose text the record holds."""
    return [
        item("constitution.adopted", {"constitution": 1, "document": {**CONSTITUTION, **changes}}),
        item("council.created", {"council": BASE, "is_base": True}),
        *[item("member.founding_enrolled", {"membership": f"m-{u}", "member": u}) for u in MEMBERS],
        item("office.founding_filled", {"office": "o-chair", "role": "chair", "holder": "u-c"}),
    ]


def started(event: str = "recall.petition_started", **changes: Any) -> Item:
    payload = {
        "petition": "p",
        "eligible": 4,
        "eligible_signers": MEMBERS,
        "threshold": 2,
        "window_days": 30,
        "constitution_version": 1,
        **changes,
    }
    return item(event, {k: v for k, v in payload.items() if v is not ...})


def signed(signer: str | None, count: int, days: float = 0, event: str = "recall.signed") -> Item:
    return item(event, {"petition": "p", "signatures": count}, actor=signer, when=at(days))


def called(days: float = 0, **changes: Any) -> Item:
    payload = {
        "petition": "p",
        "motion": "mo",
        "vote": "v",
        "closes_at": at(days + 14),
        "within_days": 14,
        "constitution_version": 1,
    }
    return item("recall.vote_called", {**payload, **changes}, when=at(days))


def opened(days: float = 0, closes: float | None = None) -> Item:
    """The recall vote, closing `closes` days after the start (by default 14 days after it opens)."""
    closes_at = at(days + 14 if closes is None else closes)
    payload = {"vote": "v", "motion": "mo", "voters": MEMBERS, "electorate": 4, "closes_at": closes_at}
    return item("vote.opened", payload, when=at(days))


def recall(**changes: Any) -> list[Item]:
    return [*federation(), started(**changes), signed("u-a", 1), signed("u-b", 2, 1), opened(1), called(1)]


def outcome(items: list[Item], *, hidden: int = 0) -> replay.Replay:
    result = replay.Replay()
    for _ in range(hidden):
        replay.feed(result, None)
    for entry in items:
        replay.feed(result, entry)
    return result


def messages(items: list[Item], **kwargs: Any) -> list[str]:
    return [p.message for p in outcome(items, **kwargs).problems]


def test_an_honest_recall_petition_replays_cleanly():
    result = outcome(recall())
    assert result.problems == [] and result.notes == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"threshold": 1},
            [
                "recall petition p asks for 1 signature, but the constitution's share (0.50) "
                "of the 4 members entitled to sign is 2",
                # Its forged threshold was reached a day before the vote was called, 14 days before it closes.
                "the recall vote on recall petition p closes 2026-03-16 09:00, but it must be held within 14 "
                "days of the petition reaching its threshold, by 2026-03-15 09:00",
            ],
        ),
        ({"eligible": 5}, ["recall petition p lists 4 members entitled to sign but says 5"]),
        (
            {"eligible_signers": ["u-a", "u-b", "u-c", "u-z"]},
            ["the members entitled to sign recall petition p are not the council's voters when it started"],
        ),
        (
            {"window_days": 60},
            ["recall petition p applies a 60-day window to sign; the constitution sets 30"],
        ),
    ],
)
def test_a_recall_petition_started_against_the_rules_is_caught(changes, expected):
    assert messages(recall(**changes)) == expected


def test_a_share_the_constitution_cannot_hold_is_caught():
    items = [*federation(recall_signature_share="lots"), started()]
    assert messages(items) == [
        "recall petition p names a constitution whose recall_signature_share ('lots') is no share"
    ]


@pytest.mark.parametrize(
    ("signatures", "expected"),
    [
        (
            [signed("u-z", 1)],
            "u-z signed recall petition p but was not among the members entitled to sign it",
        ),
        ([signed("u-a", 1), signed("u-a", 2)], "u-a signed recall petition p twice"),
        (
            [signed("u-a", 1, 30)],
            "u-a signed recall petition p after its 30-day window closed (2026-03-31 09:00)",
        ),
        ([signed(None, 1)], "a signature on recall petition p names no signer"),
    ],
)
def test_signatures_against_the_rules_are_caught(signatures, expected):
    assert messages([*federation(), started(), *signatures]) == [expected]


def test_a_signature_without_a_time_is_outside_the_window():
    undated = item("recall.signed", {"petition": "p", "signatures": 1}, actor="u-a", when="")
    assert messages([*federation(), started(), undated]) == [
        "u-a signed recall petition p after its 30-day window closed (2026-03-31 09:00)"
    ]


def test_a_petition_started_without_a_time_or_number_is_caught():
    undated = item("recall.petition_started", {**started().payload}, when="yesterday")
    assert messages([*federation(), undated]) == [
        "recall petition p does not say when it started, so its window cannot be known"
    ]
    assert messages([*federation(), started(), started()]) == [
        "recall petition p was started twice or without a number"
    ]
    assert messages([started(petition=None)]) == [
        "recall petition None was started twice or without a number"
    ]


def test_a_recall_vote_opened_late_or_under_another_number_is_caught():
    late = [*recall()[:-2], opened(16, closes=15), called(16)]
    assert messages(late) == [
        # Closing by the deadline, it closes before it opens.
        "vote v was opened with a closing time the rules refuse: The closing time must be in the future.",
        "the recall vote on recall petition p was opened more than 14 days after the petition reached "
        "its threshold (2026-03-02 09:00)",
    ]
    assert messages([*recall()[:-1], called(1, within_days=30)]) == [
        "the recall vote on recall petition p applies 30 days to open it; the constitution sets 14"
    ]
    undated = item("recall.vote_called", called().payload, when="")
    assert messages([*recall()[:-2], undated]) == [
        "the recall vote on recall petition p was opened more than 14 days after the petition reached "
        "its threshold (2026-03-02 09:00)"
    ]


def ballot(voter: str, days: float) -> Item:
    return item("vote.cast", {"vote": "v", "voter": voter, "choice": "yes"}, actor=voter, when=at(days))


def test_a_recall_vote_held_beyond_its_days_is_caught():
    assert messages([*recall()[:-2], opened(1, closes=20), called(1)]) == [
        "the recall vote on recall petition p closes 2026-03-21 09:00, but it must be held within 14 days "
        "of the petition reaching its threshold, by 2026-03-16 09:00"
    ]
    open_ended = item("vote.opened", {**opened(1).payload, "closes_at": None}, when=at(1))
    assert messages([*recall()[:-2], open_ended, called(1)]) == [
        "the recall vote on recall petition p has no closing time, but it must be held within 14 days "
        "of the petition reaching its threshold, by 2026-03-16 09:00"
    ]
    assert (
        messages([*recall(), ballot("u-a", 2), ballot("u-b", 15), ballot("u-c", 16)])
        == [
            "a ballot was recorded in the recall vote on recall petition p after the 14 days within which it "
            "had to be held (2026-03-16 09:00)"
        ]
        * 2
    )


def test_a_recall_vote_s_late_ballot_is_reported_once():
    """Before its deadline a ballot is held to the vote's closing time; after it, to the recall's days."""
    items = [*recall()[:-2], opened(1, closes=10), called(1)]
    assert messages([*items, ballot("u-a", 2), ballot("u-b", 10), ballot("u-c", 16)]) == [
        "a ballot was recorded in vote v after its closing time (2026-03-11 09:00 UTC)",
        "a ballot was recorded in the recall vote on recall petition p after the 14 days within which it "
        "had to be held (2026-03-16 09:00)",
    ]


def closed(days: float, voters: list[str], actor: str | None = None) -> Item:
    """The recall vote closed `days` after the start, every ballot of `voters` a yes."""
    ballots = [{"voter": v, "choice": "yes"} for v in sorted(voters)]
    result = vote_rules.compute_result(
        yes=len(voters), no=0, abstain=0, electorate=4, threshold="simple", quorum=None
    ).as_payload()
    payload = {"vote": "v", "motion": "mo", "method": "named", "result": result, "ballots": ballots}
    return item("vote.closed", payload, actor=actor, when=at(days))


RUSHED = (
    "the recall vote on recall petition p was closed{by} before its closing time (2026-03-16 09:00 UTC) "
    "with 2 of 4 members entitled having voted; it had to stay open until then unless all had voted"
)


def test_a_rushed_recall_vote_is_caught_whoever_the_close_names():
    """Only the rules close a recall vote, at its closing time; an officer only once everyone has voted."""
    two = [*recall(), ballot("u-a", 2), ballot("u-b", 2)]
    assert messages([*two, closed(3, ["u-a", "u-b"])]) == [RUSHED.format(by="")]
    assert messages([*two, closed(3, ["u-a", "u-b"], actor="u-c")]) == [RUSHED.format(by=" by u-c")]
    assert messages([*two, closed(15, ["u-a", "u-b"])]) == []
    everyone = [*recall(), *(ballot(v, 2) for v in MEMBERS)]
    assert messages([*everyone, closed(3, MEMBERS)]) == []
    assert messages([*everyone, closed(3, MEMBERS, actor="u-c")]) == []


def test_a_recall_vote_in_unseen_entries_is_held_to_the_closing_time_its_call_states():
    assert messages([*recall()[:-2], called(1)], hidden=1) == []
    assert messages([*recall()[:-2], called(1, closes_at=at(16))], hidden=1) == [
        "the recall vote on recall petition p closes 2026-03-17 09:00, but it must be held within 14 days "
        "of the petition reaching its threshold, by 2026-03-16 09:00"
    ]


def test_old_recall_entries_are_noted_not_checked():
    """Before the record listed signers and days, and where it holds no constitution text."""
    items = [
        started(eligible_signers=..., window_days=..., constitution_version=None),
        signed("u-a", 1),
        signed("u-b", 2),
        called(within_days=..., vote=None),
    ]
    for entry in items:
        entry.payload = {k: v for k, v in entry.payload.items() if v is not ...}
    result = outcome(items)
    assert result.problems == []
    assert result.notes == [
        "petitions started before the record listed who may sign were not checked for who signed "
        "or against the constitution's share",
        "some petitions name a constitution version whose text the record does not hold: "
        "their thresholds and windows were checked against the numbers they state",
        "some petitions do not say how long they were open for signatures: not checked",
        "some recall votes do not say within how many days they had to open: not checked",
    ]


def test_stated_numbers_apply_where_the_constitution_text_is_missing():
    items = [started(constitution_version=7), signed("u-a", 1, 31)]
    assert messages(items) == [
        "u-a signed recall petition p after its 30-day window closed (2026-03-31 09:00)"
    ]


def agenda(*entries: Item, **changes: Any) -> list[Item]:
    start = started("agenda.petition_started", **{"councils_threshold": None, **changes})
    return [*federation(), start, *entries]


def agenda_signed(signer: str, count: int, days: float = 0) -> Item:
    return signed(signer, count, days, event="agenda.petition_signed")


def forced(by: str = "signatures", council: str = BASE) -> Item:
    return item("agenda.item_forced", {"petition": "p", "item": "i", "by": by}, council=council)


def test_an_honest_agenda_petition_replays_cleanly():
    result = outcome(agenda(agenda_signed("u-a", 1), agenda_signed("u-b", 2), forced()))
    assert result.problems == [] and result.notes == []
    report = item("agenda.item_forced", {"petition": None, "report": "r", "item": "j", "by": "report_due"})
    assert outcome([report]).notes == []


def test_agenda_petitions_against_the_rules_are_caught():
    assert messages([*agenda(), agenda()[-1]]) == ["agenda petition p was started twice or without a number"]
    assert messages(agenda(agenda_signed("u-a", 1), forced())) == [
        "an item was forced onto the agenda with 1 signature on agenda petition p, short of the 2 needed"
    ]
    twice = agenda(agenda_signed("u-a", 1), agenda_signed("u-b", 2), forced(), forced())
    assert messages(twice) == ["the item of agenda petition p was forced onto the agenda twice"]
    assert messages(agenda(agenda_signed("u-z", 1))) == [
        "u-z signed agenda petition p but was not among the members entitled to sign it"
    ]
    assert messages(agenda(forced("councils"))) == [
        "an item was forced onto the agenda with the backing of 0 councils for agenda petition p, "
        "which needs the signatures of its members"
    ]
    assert messages(agenda(councils_threshold=3)) == [
        "agenda petition p may be forced by the backing of 3 councils, "
        "but only its members sign a petition to a base council"
    ]


def congress(*entries: Item, **changes: Any) -> list[Item]:
    """A congress of four delegates; a petition to it is forced by two councils' backing."""
    seats = [item("delegate.seated", {"seat": f"s-{u}", "delegate": u}, council=CONGRESS) for u in MEMBERS]
    payload = {**started("agenda.petition_started").payload, "councils_threshold": 2, **changes}
    start = item("agenda.petition_started", payload, council=CONGRESS)
    created = [
        item("council.created", {"council": CONGRESS, "is_base": False, "parent": None}),
        *[
            item("council.created", {"council": c, "is_base": True, "parent": CONGRESS})
            for c in ("c-1", "c-2")
        ],
    ]
    return [*federation(), *created, *seats, start, *entries]


def support(name: str, council: str) -> Item:
    payload = {"petition": "p", "support": name, "motion": f"mo-{name}"}
    return item("agenda.support_proposed", payload, council=council)


def backed(name: str, councils: int) -> Item:
    payload = {"petition": "p", "support": name, "councils": councils}
    return item("agenda.petition_backed", payload, council=CONGRESS)


def congress_outcome(
    items: list[Item], adopted: tuple[str, ...] = ("k1", "k2"), hidden: int = 0
) -> list[str]:
    result = replay.Replay()
    for _ in range(hidden):
        replay.feed(result, None)
    for name in adopted:
        result.table("vote_results")[f"mo-{name}"] = {"outcome": "adopted"}
    for entry in items:
        replay.feed(result, entry)
    return [p.message for p in result.problems] + result.notes


def test_a_congress_petition_backed_by_enough_councils_replays_cleanly():
    honest = congress(
        support("k1", "c-1"),
        support("k2", "c-2"),
        backed("k1", 1),
        backed("k2", 2),
        forced("councils", CONGRESS),
    )
    assert congress_outcome(honest) == []


def test_congress_petitions_against_the_rules_are_caught():
    assert congress_outcome(congress(councils_threshold=5)) == [
        "agenda petition p may be forced by the backing of 5 councils, but the constitution sets 2"
    ]
    assert congress_outcome(
        congress(support("k1", "c-1"), backed("k1", 1), forced("councils", CONGRESS))
    ) == [
        "an item was forced onto the agenda with the backing of 1 council for agenda petition p, "
        "which needs 2"
    ]
    assert congress_outcome(congress(support("k1", "c-1"), backed("k1", 1)), adopted=()) == [
        "agenda petition p counts the backing of a council that did not adopt a motion to back it",
        "agenda petition p says 1 council backs it, but the record holds 0",
    ]
    assert congress_outcome(
        congress(support("k1", "c-1"), support("k2", "c-1"), backed("k1", 1), backed("k2", 2))
    ) == [
        "council c-1 backed agenda petition p twice",
        "agenda petition p says 2 councils back it, but the record holds 1",
    ]


def test_a_backing_council_not_below_the_congress_is_caught():
    outside = [
        item("council.created", {"council": "c-3", "is_base": False, "parent": None}),
        item("council.created", {"council": "c-4", "is_base": False, "parent": "c-4"}),
    ]
    items = congress(*outside, support("k1", "c-3"), support("k2", "c-4"), backed("k1", 0), backed("k2", 0))
    assert congress_outcome(items) == [
        f"agenda petition p counts the backing of council {c}, which does not sit below council c-congress, "
        "whose agenda the petition is for"
        for c in ("c-3", "c-4")
    ]


def test_a_backing_council_whose_place_is_unseen_is_noted():
    below_unseen = item("council.created", {"council": "c-5", "is_base": True, "parent": "c-unseen"})
    items = congress(
        below_unseen, support("k1", "c-5"), support("k2", "c-6"), backed("k1", 1), backed("k2", 2)
    )
    assert congress_outcome(items) == [
        "some petitions are backed by councils whose place in the federation you may not read"
    ]


def test_backing_decided_in_unseen_councils_is_noted():
    items = congress(backed("k1", 1))
    assert congress_outcome(items, hidden=1) == [
        "some petitions are backed by councils whose decisions you may not read"
    ]


def test_a_petition_to_a_council_the_record_does_not_describe_keeps_its_stated_numbers():
    payload = {**started("agenda.petition_started").payload, "councils_threshold": 4}
    unknown = item("agenda.petition_started", payload, council="c-unknown")
    assert messages([unknown]) == []


def test_entries_of_petitions_not_seen_are_noted():
    items = [agenda_signed("u-a", 1), forced(), item("agenda.support_proposed", {"petition": "p"})]
    items.append(item("agenda.petition_backed", {"petition": "p", "councils": 1}))
    result = outcome(items)
    assert result.problems == []
    assert result.notes == ["some agenda entries belong to petitions you may not read"]
