"""What minutes in format version 3 state of each vote and count, and their comparison with the record.

Version 3 minutes give every closed vote (a motion's or an amendment's) its
tally as the record's `vote.closed` counted it, how many were marked present
when it closed, and for a named vote each ballot by person; and every count
of an election its result as `election.closed` or `election.recounted` states
it. Both the database's verifier and `councils verify` compare those facts
with the entries, so minutes that say an amendment carried 3 to 1 when the
record counted 1 to 3 are reported. Versions 1 and 2 stated a vote's numbers
only in their text, and are not compared here.

The minutes themselves are not in the record, which names approved ones by
the hash of their canonical bytes (`meeting.minutes_approved`): the replay
keeps what they are compared with (`facts`), for `councils verify` to fetch
and check each approved document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.replay import Item, Replay, rule

MINUTES_VERSION = 3
# What a v3 decision states of an election's count, copied from its entry.
COUNT_FACTS = ("elected", "turnout", "electorate_size", "ballots", "seed")


def minutes_hash(document: Mapping[str, Any]) -> str:
    """The hash the record names approved minutes by: SHA-256 of the document's canonical bytes."""
    return "sha256:" + hashlib.sha256(canonical_bytes(document)).hexdigest()


def facts(replay: Replay) -> dict[str, Any]:
    """What the replay kept to check approved minutes by: `approved` (meeting: hash), `counts`, `attended`."""
    table = replay.table("minutes")
    table.setdefault("approved", {})
    table.setdefault("counts", [])
    table.setdefault("attended", {})
    return table


@rule("vote.closed", "election.closed", "election.recounted")
def _counted(replay: Replay, item: Item) -> None:
    facts(replay)["counts"].append((item.event, item.at, item.payload))


@rule("meeting.attended")
def _attended(replay: Replay, item: Item) -> None:
    facts(replay)["attended"].setdefault(str(item.payload.get("meeting")), []).append(item.at)


@rule("meeting.minutes_approved")
def _approved(replay: Replay, item: Item) -> None:
    facts(replay)["approved"][str(item.payload.get("meeting"))] = item.payload.get("minutes_hash")


def vote_tally(payload: Mapping[str, Any], *, present: int) -> dict[str, Any]:
    """What v3 minutes state of a closed vote: the record's result, its method, and how many were present."""
    result = payload.get("result")
    return {
        **(result if isinstance(result, Mapping) else {}),
        "method": payload.get("method"),
        "present": present,
    }


def named_ballots(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A named vote's ballots by person, in the order the record lists them; a secret vote has none."""
    ballots = payload.get("ballots")
    if payload.get("method") != "named" or not isinstance(ballots, list):
        return []
    return [
        {"person": b.get("voter"), "choice": b.get("choice")}
        for b in ballots
        if isinstance(b, Mapping) and "voter" in b
    ]


def count_result(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What v3 minutes state of an election's count."""
    return {key: payload.get(key) for key in COUNT_FACTS if key in payload}


def present_at(attended: Iterable[str], at: str) -> int:
    """How many were marked present at or before `at`, of the times (UTC ISO 8601, as entries state them)."""
    return sum(1 for when in attended if when <= at)


def _numbers(tally: Mapping[str, Any]) -> str:
    return (
        f"yes {tally.get('yes')}, no {tally.get('no')}, abstain {tally.get('abstain')} "
        f"({tally.get('outcome')}; {tally.get('present')} present)"
    )


def minutes_problems(
    document: Mapping[str, Any],
    *,
    name: str,
    entries: Iterable[tuple[str, str, Mapping[str, Any]]],
    attended: Iterable[str],
) -> Iterator[str]:
    """Where the facts v3 minutes state of votes and counts differ from the record's entries.

    `entries` are the `vote.closed`, `election.closed` and `election.recounted`
    entries as (event, time, payload); `attended` the times of the meeting's
    `meeting.attended` entries. `name` says which minutes, for the report.
    Minutes with their names withheld state no ballots, and are compared
    without them. Other versions are not compared.
    """
    if document.get("v") != MINUTES_VERSION:
        return
    times = sorted(attended)
    recorded: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for event, at, payload in entries:
        subject = payload.get("vote") if event == "vote.closed" else payload.get("election")
        recorded[(event, str(subject), at)] = payload
    withheld = bool(document.get("names_withheld"))
    items = document.get("items")
    for item in items if isinstance(items, list) else []:
        decisions = item.get("decisions") if isinstance(item, Mapping) else None
        for d in decisions if isinstance(decisions, list) else []:
            if not isinstance(d, Mapping):
                continue
            said, when = str(d.get("event")), str(d.get("at"))
            if said == "vote.closed":
                closing = recorded.get((said, str(d.get("vote")), when))
                yield from _vote_problems(d, name, closing, times, withheld)
            elif said in ("election.closed", "election.recounted"):
                election = d.get("election")
                count = recorded.get((said, str(election), when))
                if count is None:
                    yield f"{name} state a count of election {election} at {when} the record does not hold."
                elif d.get("result") != count_result(count):
                    yield f"{name} state the count of election {election} at {when} unlike the record."


def _vote_problems(
    decision: Mapping[str, Any],
    name: str,
    payload: Mapping[str, Any] | None,
    attended: list[str],
    withheld: bool,
) -> Iterator[str]:
    vote, at = decision.get("vote"), str(decision.get("at"))
    if payload is None:
        yield f"{name} state that vote {vote} closed at {at}, which the record does not hold."
        return
    said, counted = decision.get("tally"), vote_tally(payload, present=present_at(attended, at))
    if said != counted:
        shown = _numbers(said) if isinstance(said, Mapping) else "no tally"
        yield f"{name} state vote {vote} as {shown} but the record has {_numbers(counted)}."
    ballots = decision.get("ballots")
    if withheld and ballots == []:
        return
    key = lambda b: str(b.get("person")) if isinstance(b, Mapping) else ""  # noqa: E731
    if not isinstance(ballots, list) or sorted(ballots, key=key) != sorted(named_ballots(payload), key=key):
        yield f"{name} state how members voted by name in vote {vote} unlike the record."
