"""Replayed rules on the holders an election's certification seats and ends, and on what ends with a seat.

Certifying an election (`election.certified`) seats the delegates it elected (`delegate.seated`,
naming the election) or fills the offices (`office.filled`) and, unless it is a by-election, ends
the sitting holders of its post (`delegate.unseated` or `office.vacated`, reason `replaced` when the
rules certify, `term_ended` when an officer does). A seat that ends, however, takes with it what its
holder held through it (reason `seat_lost`): their offices in the council it sat in and the seats
they held from that council further up. These entries are written by the action that certified or
ended the seat, so carry its time and its actor (none for a seat or office filled): one at another
time or by anyone else, as if written alone, is reported. The entries of one action share their time;
only the latest time's certifications and ended seats are kept.

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from councils.core.ledger.replay import TERM_ENDED, Item, Replay, _post, _time, rule


def _this_moment(replay: Replay, name: str, item: Item, **empty: Any) -> dict[str, Any]:
    """A table of what the action of `item`'s time did so far (`empty` at first), reset by a later one."""
    moment = replay.table(name)
    if moment.get("at") != item.at:
        moment.clear()
        moment.update(at=item.at, **empty)
    return moment


@rule("election.certified")
def _certified(replay: Replay, item: Item) -> None:
    """Remember the posts this action certified an election for, and whom it elected."""
    p = item.payload
    moment = _this_moment(replay, "certifying", item, posts={}, unknown=False)
    called = replay.table("post_elections").get(str(p.get("election")))
    if called is None:
        moment["unknown"] = True
        return
    listed = p.get("elected")
    moment["posts"][called["post"]] = {
        "election": str(p.get("election")),
        "actor": item.actor,
        "by_election": called["by_election"],
        "elected": {
            str(e.get("person"))
            for e in (listed if isinstance(listed, list) else [])
            if isinstance(e, Mapping)
        },
    }


NOT_CERTIFIED: Mapping[str, Any] = {}


def _certification(replay: Replay, item: Item, post: str) -> Mapping[str, Any] | None:
    """The certification of an election for `post` in the action of `item`'s time, NOT_CERTIFIED if none;
    None (noted) when it may be in entries the reader may not see, or of an election called in them.

    A delegates' election is certified in the council that sends them, the seats it fills and ends
    are in the council above: a reader of the one only may not see the other."""
    moment = replay.table("certifying")
    now = moment.get("at") == item.at
    found: Mapping[str, Any] = moment["posts"].get(post, NOT_CERTIFIED) if now else NOT_CERTIFIED
    if found is NOT_CERTIFIED and ((now and moment["unknown"]) or replay.not_replayed):
        replay.note(
            "some elections were certified, or called, in entries you may not read: "
            "whether the holders seated and ended with a certification came with it was not checked"
        )
        return None
    return found


def _elected(found: Mapping[str, Any], person: object) -> bool:
    return str(person) in found.get("elected", ())


@rule("delegate.seated")
def _seated_by_certification(replay: Replay, item: Item) -> None:
    """A delegate is seated by the certification of the election that elected them, at its time."""
    p = item.payload
    replay.table("seat_from_councils")[str(p.get("seat"))] = p.get("from_council")
    election = p.get("election")
    if election is None:
        # Seated before the record named the election that elected a delegate.
        return
    found = _certification(replay, item, _post(p.get("from_council"), "delegates", ""))
    if found is None:
        return
    if item.actor is not None or found.get("election") != election or not _elected(found, p.get("delegate")):
        replay.problem(
            item,
            f"delegate seat {p.get('seat')} was filled for {p.get('delegate')} at {item.at} as elected in "
            f"election {election}, but that election did not certify them then",
        )


@rule("office.filled")
def _filled_by_certification(replay: Replay, item: Item) -> None:
    """An office is filled by the certification of an election of it, at its time; a council formed
    in the same action has its interim chair filled, judged with `council.formed`."""
    p = item.payload
    created = replay.table("council_apportioning").get(str(item.council), {}).get("created_at")
    if created is not None and created == _time(item.at):
        return
    found = _certification(replay, item, _post(item.council, "office", p.get("role")))
    if found is None:
        return
    if item.actor is not None or not _elected(found, p.get("holder")):
        replay.problem(
            item,
            f"office {p.get('office')} ({p.get('role')}) of council {item.council} was filled for "
            f"{p.get('holder')} at {item.at}, but no election of it certified them then",
        )


def _lost_now(replay: Replay, item: Item, holder: object, council: object) -> bool:
    """Whether the action of `item`'s time, by its actor, ended a seat of `holder` in `council`."""
    ending = replay.table("seats_ending")
    return ending.get("at") == item.at and (holder, council, item.actor) in ending["seats"]


@rule("office.vacated", "delegate.unseated")
def _ended_with_its_cause(replay: Replay, item: Item) -> None:
    """A holder replaced by an election ends with its certification; one held through a seat, with it."""
    p = item.payload
    reason = p.get("reason")
    if item.event == "office.vacated":
        what, uuid, holder = "office", p.get("office"), p.get("holder")
        post, through = _post(item.council, "office", p.get("role")), item.council
    else:
        what, uuid, holder = "delegate seat", p.get("seat"), p.get("delegate")
        through = replay.table("seat_from_councils").pop(str(uuid), None)
        post = _post(through, "delegates", "")
        _this_moment(replay, "seats_ending", item, seats=set())["seats"].add(
            (holder, item.council, item.actor)
        )
        if through is None:
            # A seat the record never filled: reported as such.
            return
    by = item.actor or "the rules"
    if reason == "replaced" or (reason == TERM_ENDED and item.actor is not None):
        # The rules end a term that ended by themselves as well; an officer, only by certifying.
        found = _certification(replay, item, post)
        if found is not None and (
            found is NOT_CERTIFIED or found["actor"] != item.actor or found["by_election"]
        ):
            replay.problem(
                item,
                f"{what} {uuid} of {holder} ended at {item.at} by {by} as replaced by an election "
                f"({reason}), but no election of its post (other than a by-election) was certified then "
                f"by {by}",
            )
    elif reason == "seat_lost" and not _lost_now(replay, item, holder, through):
        if replay.not_replayed:
            replay.note("some seats lost with the seat they were held through were not checked")
        else:
            replay.problem(
                item,
                f"{what} {uuid} of {holder} ended at {item.at} by {by} as held through a seat lost, but "
                f"no seat of theirs in council {through} ended then by {by}",
            )
