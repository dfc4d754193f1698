"""Replayed rules on councils left unrepresented: the delegates' elections the rules call for unfilled seats.

The rules call a council's first delegates' election (`election.called`, no actor, `first` true) when
it never sent a delegate and its chair did not call one within `term_election_lead_days` of its
creation, and a by-election for the seats a council is apportioned and leaves unfilled
(`unfilled_seats` true) once its seats have stood unchanged `term_nomination_days`. Each call carries
the council's apportionment (`apportioned`) and its delegates then sitting (`sitting`). The replay
rebuilds the sitting delegates from `delegate.seated` and `delegate.unseated`, and the apportionment
from the council's voters and the `members_per_delegate` of the council above (`council.created`)
where the entries read describe them; where they do not, a note says what was not checked.

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from councils.core.ledger.replay import (
    Item,
    Replay,
    _election_name,
    _moment,
    _term_setting,
    _time,
    recorded_voters,
    rule,
)
from councils.core.wording import counted

UNDER_WAY = "under_way"


def _council(replay: Replay, council: object) -> dict[str, Any]:
    """What the record shows of a council's delegates: when they last changed, and whether it ever had any."""
    table: dict[str, Any] = replay.table("representation").setdefault(
        str(council), {"changed": None, "represented": False, "last": None}
    )
    return table


def _changed(replay: Replay, council: object, at: str) -> None:
    moment = _time(at)
    info = _council(replay, council)
    if moment is not None and (info["changed"] is None or moment > info["changed"]):
        info["changed"] = moment


@rule("council.created")
def _created(replay: Replay, item: Item) -> None:
    p = item.payload
    council = p.get("council")
    if isinstance(council, str):
        replay.table("council_apportioning")[council] = {
            "created_at": _time(item.at),
            # None: created before `council.created` said how many voters each delegate stands for.
            "members_per_delegate": p.get("members_per_delegate"),
        }
        _changed(replay, council, item.at)


@rule("delegate.seated")
def _seat_filled(replay: Replay, item: Item) -> None:
    p = item.payload
    council = p.get("from_council")
    replay.table("representation_seats")[str(p.get("seat"))] = council
    info = _council(replay, council)
    info["represented"] = True
    _changed(replay, council, item.at)


@rule("delegate.unseated")
def _seat_ended(replay: Replay, item: Item) -> None:
    council = replay.table("representation_seats").pop(str(item.payload.get("seat")), None)
    if council is not None:
        _changed(replay, council, item.at)


@rule("election.closed", "election.failed", "election.certified")
def _delegates_election_moved(replay: Replay, item: Item) -> None:
    uuid = str(item.payload.get("election"))
    council = replay.table("delegates_elections").get(uuid)
    if council is None:
        return
    info = _council(replay, council)
    _changed(replay, council, item.at)
    if info["last"] is not None and info["last"][0] == uuid:
        status = {"election.failed": "failed", "election.certified": "certified"}.get(item.event, UNDER_WAY)
        info["last"] = (uuid, status)
    if item.event == "election.certified":
        info["represented"] = True


@rule("election.called")
def _delegates_election_called(replay: Replay, item: Item) -> None:
    """Judge a call for unfilled seats against the record, then remember the call as its council's last."""
    p = item.payload
    if p.get("kind") != "delegates":
        return
    uuid = str(p.get("election"))
    if p.get("first") is not None or p.get("unfilled_seats") is not None:
        for problem in _unfilled_seats_problems(replay, item):
            replay.problem(item, f"{_election_name(p, uuid)} {problem}")
    replay.table("delegates_elections")[uuid] = item.council
    _council(replay, item.council)["last"] = (uuid, UNDER_WAY)
    _changed(replay, item.council, item.at)


def _unfilled_seats_problems(replay: Replay, item: Item) -> list[str]:
    p = item.payload
    first = p.get("first") is True
    if item.actor is not None or first == (p.get("unfilled_seats") is True):
        return ["is marked as called by the rules for unfilled seats, but not as one such call of the rules"]
    if p.get("is_by_election") is first:
        return ["is a first delegates' election and a by-election at once, or neither"]
    info = _council(replay, item.council)
    problems: list[str] = []
    last = info["last"]
    if last is not None and last[1] in (UNDER_WAY, "failed"):
        problems.append(
            f"was called by the rules for unfilled seats while election {last[0]} was "
            + (
                "still under way"
                if last[1] == UNDER_WAY
                else "the last and had failed (that one is called again)"
            )
        )
    sitting, apportioned, seats = p.get("sitting"), p.get("apportioned"), p.get("seats")
    if type(sitting) is not int or type(apportioned) is not int or type(seats) is not int:
        return [*problems, "does not say how many delegates were apportioned, sitting and to be elected"]
    recorded = _sitting(replay, item.council)
    if replay.not_replayed:
        replay.note(
            "some councils' delegates were seated in entries you may not read: their seats not checked"
        )
    elif recorded != sitting:
        problems.append(
            f"says {counted(sitting, 'delegate', 'delegates')} sat, but the record shows {recorded} sitting"
        )
    if sitting >= apportioned:
        problems.append(
            f"was called for unfilled seats, but {counted(sitting, 'delegate sat', 'delegates sat')} in its "
            f"{counted(apportioned, 'seat', 'seats')}"
        )
    expected = apportioned if first else apportioned - sitting
    if seats != expected:
        problems.append(f"is for {counted(seats, 'seat', 'seats')}, not the {expected} left unfilled")
    problems += _apportionment_problems(replay, item, apportioned)
    called_at = _time(item.at)
    if first:
        problems += _first_problems(replay, item, info, called_at)
    else:
        days = _term_setting(replay, item, "term_nomination_days")
        changed = info["changed"]
        if type(days) is not int or changed is None:
            replay.note(
                "some by-elections the rules called for unfilled seats could not be timed: not checked"
            )
        elif called_at is None or called_at < changed + timedelta(days=days):
            problems.append(
                f"was called by the rules at {item.at}, less than {counted(days, 'day', 'days')} after "
                "the council's delegates "
                f"last changed at {_moment(changed)}"
            )
    return problems


def _first_problems(
    replay: Replay, item: Item, info: dict[str, Any], called_at: datetime | None
) -> list[str]:
    problems: list[str] = []
    if info["represented"]:
        problems.append("was called by the rules as the council's first, but it had had delegates")
    created = replay.table("council_apportioning").get(str(item.council), {}).get("created_at")
    lead = _term_setting(replay, item, "term_election_lead_days")
    if created is None or type(lead) is not int:
        replay.note("some first delegates' elections are of councils created in entries you may not read")
    elif called_at is None or called_at < created + timedelta(days=lead):
        problems.append(
            f"was called by the rules at {item.at}, less than {counted(lead, 'day', 'days')} after the "
            "council was created "
            f"at {_moment(created)}"
        )
    return problems


def _apportioned(replay: Replay, council: object) -> tuple[int, int] | None:
    """The council's voters and the delegates they are apportioned: one per `members_per_delegate` of
    the council above, at least one. None where the entries read do not tell."""
    parent = replay.table("councils").get(str(council), {}).get("parent")
    per = replay.table("council_apportioning").get(str(parent), {}).get("members_per_delegate")
    voters = recorded_voters(replay, str(council))
    if replay.not_replayed or voters is None or type(per) is not int or per < 1:
        return None
    return len(voters), max(1, -(-len(voters) // per))


def _sitting(replay: Replay, council: object) -> int:
    """How many of the council's delegates the record shows seated and not unseated."""
    return sum(1 for c in replay.table("representation_seats").values() if c == council)


def _apportionment_problems(replay: Replay, item: Item, apportioned: int) -> list[str]:
    """The apportionment a call names is the one the record gives."""
    found = _apportioned(replay, item.council)
    if found is None:
        replay.note(
            "some calls for unfilled seats are of councils whose voters or apportionment you may not read: "
            "their apportionment was not checked"
        )
        return []
    voters, expected = found
    if not voters:
        return ["was called by the rules for unfilled seats of a council with no voters"]
    if apportioned != expected:
        return [
            f"says {counted(apportioned, 'seat was', 'seats were')} apportioned, but its "
            f"{counted(voters, 'voter gives', 'voters give')} {expected}"
        ]
    return []


@rule("election.called")
def _called_again_for_empty_seats(replay: Replay, item: Item) -> None:
    """Delegates' seats the rules call again after a failure are those the council's apportionment leaves
    empty at the call, which may be more or fewer than at the failed election's."""
    p = item.payload
    if p.get("after_failure") is None or p.get("kind") != "delegates":
        return
    found = _apportioned(replay, item.council)
    if found is None:
        replay.note(
            "some delegates' elections the rules called again are of councils whose voters or apportionment "
            "you may not read: their seats were not checked"
        )
        return
    (voters, apportioned), sitting = found, _sitting(replay, item.council)
    if p.get("seats") != apportioned - sitting:
        replay.problem(
            item,
            f"{_election_name(p, str(p.get('election')))} was called by the rules again for "
            f"{counted(p.get('seats'), 'seat', 'seats')}, but its council's "
            f"{counted(voters, 'voter is', 'voters are')} apportioned "
            f"{counted(apportioned, 'delegate', 'delegates')}, of whom {counted(sitting, 'sits', 'sit')}: "
            f"{counted(apportioned - sitting, 'seat is', 'seats are')} empty",
        )
