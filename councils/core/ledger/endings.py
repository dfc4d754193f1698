"""Replayed rules on why a seat or office ends: each ending comes with what caused it.

A certification ends a holder it replaces, and a seat ends what was held through it (`certification`);
the rules end a term that ended (`replay`). Besides these, the rules (no actor) end a holder's seats
and offices when a recall vote recalls them (reason `recalled`, with `recall.decided`, recalled) or
when they are no longer one of the members below: they left their base council (`left`, with
`member.left`), transferred out of it (`transferred`, with `member.transferred`) or lost their rights
(`expelled` or `suspended`, with the penalty's entry). That action writes the endings first and then
the entry of their cause, at the same time, listing them (`ended_seats`, `ended_offices`): an ending
no such entry of its time lists is reported once a later entry shows the action over, or at the end
of the log. A delegate resigns (`resigned`) a seat only themselves, as the entry's actor; no office
is resigned. No other reason ends a seat or office.

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from councils.core.ledger.replay import TERM_ENDED, Item, Replay, at_end, rule

# The reasons the entries of one action give for the endings they list (`ended_seats`, `ended_offices`).
CAUSES: Mapping[str, str] = {
    "recall.decided": "recalled",
    "member.left": "left",
    "member.transferred": "transferred",
    "member.expelled": "expelled",
    "member.suspended": "suspended",
}
CAUSE_OF: Mapping[str, str] = {reason: event for event, reason in CAUSES.items()}
REASONS = frozenset({"replaced", TERM_ENDED, "seat_lost", "resigned", *CAUSE_OF})


def ended(item: Item) -> tuple[str, object, object]:
    """What an ending entry ends (an office or a delegate seat), its UUID and its holder."""
    p = item.payload
    if item.event == "office.vacated":
        return "office", p.get("office"), p.get("holder")
    return "delegate seat", p.get("seat"), p.get("delegate")


def _awaiting(replay: Replay, item: Item) -> dict[str, Any]:
    """The endings of the action of `item`'s time still awaiting their cause; those of an earlier
    action, over now, are judged first."""
    awaiting = replay.table("endings_awaiting")
    if awaiting.get("at") != item.at:
        _uncaused(replay)
        awaiting.update(at=item.at, endings={})
    return awaiting


@at_end
def _uncaused(replay: Replay) -> None:
    """The action the endings awaiting their cause belong to is over: those still awaiting it are reported
    (noted if their cause may be in entries the reader may not see)."""
    awaiting = replay.table("endings_awaiting")
    for ending in awaiting.get("endings", {}).values():
        what, uuid, holder = ended(ending)
        reason = ending.payload.get("reason")
        if replay.not_replayed:
            replay.note(
                "some seats and offices ended with entries you may not read: whether their cause came "
                "with them was not checked"
            )
        else:
            replay.problem(
                ending,
                f"{what} {uuid} of {holder} ended at {ending.at} as {reason}, but no "
                f"{CAUSE_OF[reason]} entry of that action lists it",
            )
    awaiting.clear()


@rule("office.vacated", "delegate.unseated")
def _ended_for_a_reason(replay: Replay, item: Item) -> None:
    """An ending's reason is one the app gives, and who ended it is who may for that reason."""
    reason = item.payload.get("reason")
    what, uuid, holder = ended(item)
    awaiting = _awaiting(replay, item)
    if reason not in REASONS:
        replay.problem(item, f"{what} {uuid} of {holder} ended for {reason!r}, which ends no seat or office")
    elif reason == "resigned" and item.event == "office.vacated":
        replay.problem(item, f"office {uuid} of {holder} ended as resigned, but no office is resigned")
    elif reason == "resigned" and item.actor != holder:
        replay.problem(
            item,
            f"delegate seat {uuid} of {holder} ended as resigned by {item.actor or 'the rules'}: "
            "only the delegate resigns their seat",
        )
    elif reason in CAUSE_OF and item.actor is not None:
        replay.problem(
            item,
            f"{what} {uuid} of {holder} ended as {reason} by {item.actor}, but only the rules end it so",
        )
    elif reason in CAUSE_OF:
        awaiting["endings"][(item.event, str(uuid))] = item


@rule(*CAUSES)
def _cause(replay: Replay, item: Item) -> None:
    """The entry of an ending's cause lists the seats and offices it ended, at its time, for its reason."""
    p = item.payload
    awaiting = _awaiting(replay, item)
    if item.event == "recall.decided" and p.get("recalled") is not True:
        return
    for event, key in (("delegate.unseated", "ended_seats"), ("office.vacated", "ended_offices")):
        listed = p.get(key)
        for uuid in listed if isinstance(listed, list) else ():
            found = awaiting["endings"].get((event, str(uuid)))
            if found is None or found.payload.get("reason") != CAUSES[item.event]:
                continue
            if item.event == "recall.decided" or ended(found)[2] == p.get("member"):
                del awaiting["endings"][(event, str(uuid))]


@rule("*")
def _action_over(replay: Replay, item: Item) -> None:
    """An entry of a later time shows the action over: the endings it left awaiting a cause are reported;
    those of the log's last action, at its end (`_uncaused`)."""
    _awaiting(replay, item)
