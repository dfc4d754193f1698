"""Replaying the by-elections the rules run for a post emptied in the action that called them."""

from __future__ import annotations

from typing import Any

from councils.core.ledger import replay
from councils.core.ledger.replay import Item

AT = "2026-03-01T09:00:00.000000Z"
LATER = "2026-03-02T09:00:00.000000Z"
CLOSES = "2026-03-15T09:00:00.000000Z"
SENDING, ABOVE = "c-1", "c-2"
EMPTIED = "nor was its post emptied by the action that called it"

Doc = dict[str, Any]


def doc(event: str, payload: dict[str, Any], *, council: str = SENDING, at: str = AT) -> Doc:
    return {"event": event, "at": at, "actor": None, "council": council, "payload": payload}


def byelection(**changes: Any) -> Doc:
    payload = {
        "election": "e-2",
        "kind": "delegates",
        "role": None,
        "title": "Delegates",
        "seats": 1,
        "is_by_election": True,
        "nominations_close_at": CLOSES,
        "constitution": 0,
    }
    return doc("election.called", {**payload, **changes})


def seat_resigned() -> list[Doc]:
    """u-a resigns their seat: the rules call the by-election for it in the same action."""
    return [
        doc(
            "delegate.seated",
            {"seat": "s-1", "delegate": "u-a", "from_council": SENDING, "term_ends_at": None},
            council=ABOVE,
            at=LATER.replace("03-02", "02-01"),
        ),
        {
            **doc(
                "delegate.unseated", {"seat": "s-1", "delegate": "u-a", "reason": "resigned"}, council=ABOVE
            ),
            "actor": "u-a",
        },
    ]


def recounted(elected: list[str]) -> list[Doc]:
    """An ordinary election of two delegates, recounted at certification with `elected` left."""
    called = {"election": "e-1", "kind": "delegates", "seats": 2, "is_by_election": False}
    return [
        {**doc("election.called", called, at=LATER.replace("03-02", "02-01")), "actor": "u-officer"},
        doc("election.opened", {"election": "e-1", "seats": 2, "candidates": []}),
        doc("election.recounted", {"election": "e-1", "elected": elected}),
    ]


def run(docs: list[Doc]) -> replay.Replay:
    return replay.replay(Item.from_document(i, d) for i, d in enumerate(docs))


def found(docs: list[Doc]) -> list[str]:
    return [p.message for p in run(docs).problems]


def test_a_by_election_called_as_its_seat_ends_checks_out():
    outcome = run([*seat_resigned(), byelection()])
    assert (outcome.problems, outcome.notes) == ([], [])


def test_a_by_election_called_at_another_time_or_for_another_post_is_caught():
    later = {**byelection(), "at": LATER}
    assert any(EMPTIED in p for p in found([*seat_resigned(), later]))
    other = byelection(kind="office", role="chair")
    assert any(EMPTIED in p for p in found([*seat_resigned(), other]))


def test_a_by_election_for_a_post_whose_term_ended_is_caught():
    """A term's end leaves the post to the ordinary election: the rules call no by-election for it."""
    ended = seat_resigned()
    ended[1]["payload"]["reason"] = "term_ended"
    assert any(EMPTIED in p for p in found([*ended, byelection()]))


def test_a_by_election_whose_nominations_close_too_soon_is_caught():
    soon = byelection(nominations_close_at="2026-03-14T09:00:00.000000Z")
    assert any("less than 14 days later" in p for p in found([*seat_resigned(), soon]))
    assert any(
        "less than 14 days later" in p
        for p in found([*seat_resigned(), byelection(nominations_close_at="x")])
    )


def test_a_seat_filled_out_of_sight_or_an_unread_constitution_is_noted():
    # (That a seat is vacated but never seated is reported by the rules on seats.)
    unseen = run([seat_resigned()[1], byelection()])
    assert not any(EMPTIED in p.message for p in unseen.problems)
    assert any("fill seats filled or elections held in entries you may not read" in n for n in unseen.notes)
    unread = run([*seat_resigned(), byelection(constitution=7)])
    assert unread.problems == [] and any("constitution you may not read" in n for n in unread.notes)


def test_a_recount_short_of_seats_empties_them_and_a_full_one_does_not():
    assert not any(EMPTIED in p for p in found([*recounted(["k-1"]), byelection()]))
    assert any(EMPTIED in p for p in found([*recounted(["k-1", "k-2"]), byelection()]))
    unknown = [recounted(["k-1"])[-1], byelection()]
    assert not any(EMPTIED in p for p in found(unknown))


def test_by_elections_the_officers_run_or_called_again_are_not_judged_here():
    old = byelection(nominations_close_at=None)
    again = byelection(after_failure="e-0")
    assert not any(EMPTIED in p for p in found([old, again]))
