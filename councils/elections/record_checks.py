"""Compare the elections, their candidates and their counted results with the record.

Only what the entries state is compared. No entry says how anyone voted, so
neither does any line here: the ballot box is compared as the record holds it,
by the number and hash of its anonymous ballot set, and the voters only by
whether each one's ballot was received.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from councils.core.ledger.encoding import format_time
from councils.core.rules.ballots import ballot_set_hash
from councils.core.wording import counted
from councils.record.verification import (
    RecordIndex,
    each_row,
    grouped,
    matched,
    moment,
    same_moment,
    state_check,
    time_differs,
    time_differs_or_unrecorded,
)

EVENTS = (
    "election.called",
    "election.nominated",
    "election.nominations_recorded",
    "election.nomination_accepted",
    "election.nomination_withdrawn",
    "election.opened",
    "election.ballot_cast",
    "election.paper_ballots_recorded",
    "election.closed",
    "election.failed",
    "election.recounted",
    "election.certified",
)
# Fields the record states in the entry's own words, and what a discrepancy calls them.
CALLED = {
    "kind": "kind",
    "title": "title",
    "seats": "number of seats",
    "method": "counting method",
    "is_by_election": "by-election flag",
}
OPENED = {
    "seats": "number of seats",
    "method": "counting method",
    "electorate_size": "electorate size",
    "electorate_hash": "electorate hash",
    "candidates_hash": "candidates hash",
}
CLOSED = {"ballots": "ballot_count", "ballot_set_hash": "ballot_set_hash", "seed": "seed"}
LABELS = {
    **CALLED,
    **OPENED,
    "role": "office",
    "called_for": "reason the rules called it",
    "failure_reason": "reason for failing",
    "term_ends_at": "term end",
    "nominations_close_at": "close of nominations",
    "closes_at": "closing time",
    "ballot_count": "number of ballots",
    "ballot_set_hash": "ballot set hash",
    "seed": "counting seed",
    # When the poll opened and closed (or the election failed) and the count was certified: its entry's time.
    "opened_at": "opening time",
    "closed_at": "time it closed",
    "certified_at": "certification time",
}


def _recorded(record: RecordIndex) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """What the entries say of each election, and of each candidacy, by UUID."""
    elections: dict[str, dict[str, Any]] = {}
    candidacies: dict[str, dict[str, Any]] = {}
    nominated: dict[str, list[str]] = defaultdict(list)

    def nominate(election: str, candidacy: Any, candidate: Any, accepted: bool, at: str | None) -> None:
        candidacies[str(candidacy)] = {
            "election": election,
            "candidate": candidate,
            "accepted": accepted,
            "withdrawn": False,
            # When it was nominated, accepted and withdrawn (or lapsed), by its entries' times.
            "nominated_at": at,
            "accepted_at": at if accepted else None,
            "withdrawn_at": None,
        }
        nominated[election].append(str(candidacy))

    for entry in record.events(*EVENTS):
        p, uuid = entry.payload, str(entry.payload.get("election"))
        if entry.event == "election.called":
            elections[uuid] = {
                **{field: p[field] for field in CALLED if field in p},
                "council": entry.council,
                "called_by": entry.actor,
                "role": p.get("role") or "",
                "called_for": "first_delegates"
                if p.get("first")
                else "unfilled_seats"
                if p.get("unfilled_seats")
                else "",
                "status": "nominating",
                "failure_reason": "",
                "term_ends_at": moment(p.get("term_ends_at")),
                "nominations_close_at": moment(p.get("nominations_close_at")),
                "closes_at": None,
                "opened_at": None,
                "closed_at": None,
                "certified_at": None,
                "voters": set(),
                "at": entry.at,
            }
            continue
        said = elections.get(uuid)
        if said is None:
            # Its call is missing from the log, which the log's own check reports.
            continue
        if entry.event == "election.nominated":
            nominate(uuid, p.get("candidacy"), p.get("candidate"), p.get("accepted") is True, entry.at)
        elif entry.event == "election.nominations_recorded":
            for nomination in p.get("nominations") or []:
                nominate(uuid, nomination.get("candidacy"), nomination.get("candidate"), True, entry.at)
        elif entry.event in ("election.nomination_accepted", "election.nomination_withdrawn"):
            candidacy = candidacies.get(str(p.get("candidacy")))
            if candidacy is not None:
                done = "accepted" if entry.event.endswith("accepted") else "withdrawn"
                candidacy.update({done: True, f"{done}_at": entry.at})
        elif entry.event == "election.opened":
            said.update({field: p[field] for field in OPENED if field in p}, status="voting")
            said["closes_at"] = moment(p.get("closes_at"))
            said["opened_at"] = moment(entry.at)
            # Nominations never accepted lapse at the opening: only those on the ballot stand.
            standing = {str(c.get("candidacy")) for c in p.get("candidates") or []}
            for nominee in nominated[uuid]:
                if nominee not in standing and not candidacies[nominee]["withdrawn"]:
                    candidacies[nominee].update(withdrawn=True, withdrawn_at=entry.at)
        elif entry.event == "election.ballot_cast":
            said["voters"].add(entry.actor)
        elif entry.event == "election.paper_ballots_recorded":
            said["voters"].update(p.get("voters") or [])
        elif entry.event == "election.closed":
            said.update({CLOSED[key]: p[key] for key in CLOSED if key in p}, status="closed")
            said["closed_at"] = moment(entry.at)
            said["elected"] = p.get("elected")
        elif entry.event == "election.failed":
            said.update(status="failed", failure_reason=p.get("reason"))
            # A poll that closed keeps its closing time; one that never opened closes as it fails.
            said["closed_at"] = said["closed_at"] or moment(entry.at)
        elif entry.event == "election.recounted":
            said.update(elected=p.get("elected"), count=p.get("count"))
        elif entry.event == "election.certified":
            said.update(
                status="certified",
                elected=[e.get("candidacy") for e in p.get("elected") or []],
                count=p.get("count"),
                term_ends_at=moment(p.get("term_ends_at")),
                certified_at=moment(entry.at),
            )
    return elections, candidacies


def _agrees(stored: Any, said: Any) -> bool:
    """Whether a row's value is the one the record states; a time to the millisecond (`same_moment`)."""
    if isinstance(stored, datetime) or isinstance(said, datetime):
        return same_moment(stored, said)
    return bool(stored == said)


def _shown(value: Any) -> str:
    return format_time(value) if isinstance(value, datetime) else repr(value)


@state_check("elections")
def check_elections(record: RecordIndex) -> Iterator[str]:
    from councils.elections.models import Ballot, Election, Participation, PendingBallot

    elections, candidacies = _recorded(record)
    boxes: dict[str, list[Any]] = defaultdict(list)
    for election_uuid, ranking in each_row(Ballot.objects.values_list("election__uuid", "ranking")):
        boxes[str(election_uuid)].append(ranking)
    pending: dict[str, int] = defaultdict(int)
    for election_uuid in each_row(PendingBallot.objects.values_list("election__uuid", flat=True)):
        pending[str(election_uuid)] += 1
    voted = grouped(Participation.objects.values_list("election__uuid", "user__uuid"))
    rows = each_row(
        Election.objects.values(
            "uuid", "council__uuid", "called_by__uuid", "called_at", "status", "result", *LABELS
        )
    )

    def compare(key: str, row: dict[str, Any], said: dict[str, Any]) -> Iterator[str]:
        if said["council"] != str(row["council__uuid"]):
            yield f"Election {key} is in another council than the record says."
        called_by = row["called_by__uuid"]
        if said["called_by"] != (str(called_by) if called_by is not None else None):
            yield f"Election {key} was called by someone other than the record says."
        yield from time_differs(f"Election {key} was called", row["called_at"], said["at"])
        if row["status"] != said["status"]:
            yield f"Election {key} is {row['status']!r} but the record says {said['status']!r}."
        for field, label in LABELS.items():
            if field in said and not _agrees(row[field], said[field]):
                yield (
                    f"Election {key}'s {label} is {_shown(row[field])} "
                    f"but the record says {_shown(said[field])}."
                )
        yield from _check_result(key, said, row["result"])
        yield from _check_box(key, said, boxes[key], pending[key], voted[key])

    yield from matched(
        rows,
        elections,
        compare,
        "Election",
        "called it",
        shown=lambda row: f"({row['status']})",
        key=lambda row: str(row["uuid"]),
    )
    yield from _check_candidacies(elections, candidacies)


def _check_result(key: str, said: dict[str, Any], result: Any) -> Iterator[str]:
    """Who the count elected; the whole count where the record holds it (recounted or certified)."""
    if "elected" not in said:
        if result is not None:
            yield f"Election {key} holds a count but the record never counted it."
        return
    if not isinstance(result, dict):
        yield f"Election {key} holds no count but the record counted it."
    elif result.get("elected") != said["elected"]:
        yield f"Election {key}'s count elected other candidates than the record says."
    elif said.get("count") is not None and result != said["count"]:
        yield f"Election {key}'s count is not the count the record holds."


def _check_box(
    key: str, said: dict[str, Any], box: list[Any], pending: int, voted: set[str]
) -> Iterator[str]:
    """The box against the ballots the record received and the ballot set it published, never a ballot."""
    recorded = said["voters"]
    if voted != recorded:
        yield (
            f"Election {key} marks {counted(len(voted), 'voter', 'voters')} as having voted but the record "
            f"received ballots from {len(recorded)}"
            + ("." if len(voted) != len(recorded) else ", not all of them the same people.")
        )
    if "ballot_count" in said:
        if len(box) != said["ballot_count"]:
            yield (
                f"Election {key}'s box holds {counted(len(box), 'ballot', 'ballots')} "
                f"but the record counted {said['ballot_count']}."
            )
        elif ballot_set_hash(box) != said.get("ballot_set_hash"):
            yield f"Election {key}'s ballots are not the ballot set the record published."
    elif said["status"] == "voting" and len(box) + pending != len(recorded):
        yield (
            f"Election {key}'s box holds {counted(len(box) + pending, 'ballot', 'ballots')} but the record "
            f"received {len(recorded)}."
        )


def _check_candidacies(
    elections: dict[str, dict[str, Any]], candidacies: dict[str, dict[str, Any]]
) -> Iterator[str]:
    """Each candidate's nomination, acceptance or withdrawal, and whether the count elected them."""
    from councils.elections.models import Candidacy

    rows = each_row(
        Candidacy.objects.values_list(
            "uuid",
            "election__uuid",
            "candidate__uuid",
            "nominated_at",
            "accepted_at",
            "withdrawn_at",
            "is_elected",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, election_uuid, candidate_uuid, nominated_at, accepted_at, withdrawn_at, is_elected = row
        election = str(election_uuid)
        if said["election"] != election:
            yield f"Candidacy {key} is in another election than the record says."
        if said["candidate"] != str(candidate_uuid):
            yield f"Candidacy {key} in election {election} names another candidate than the record says."
        state = _state(accepted=accepted_at is not None, withdrawn=withdrawn_at is not None)
        recorded = _state(accepted=said["accepted"], withdrawn=said["withdrawn"])
        if state != recorded:
            yield f"Candidacy {key} in election {election} is {state!r} but the record says {recorded!r}."
        what = f"Candidacy {key} in election {election}"
        yield from time_differs(f"{what} was nominated", nominated_at, said["nominated_at"])
        for name, stored_at in (("accepted", accepted_at), ("withdrawn", withdrawn_at)):
            # A state that differs is reported above; its time is compared where both have one.
            if state == recorded or (stored_at is not None and said[f"{name}_at"] is not None):
                yield from time_differs_or_unrecorded(f"{what} was {name}", stored_at, said[f"{name}_at"])
        elected = key in (elections.get(said["election"], {}).get("elected") or ())
        if is_elected != elected:
            marked = "marked elected" if is_elected else "not marked elected"
            counted = "elected" if elected else "did not elect"
            yield f"Candidacy {key} in election {election} is {marked} but the record's count {counted} it."

    yield from matched(
        rows,
        candidacies,
        compare,
        "Candidacy",
        "nominated it",
        shown=lambda row: f"in election {row.election__uuid}",
    )


def _state(*, accepted: bool, withdrawn: bool) -> str:
    return "withdrawn" if withdrawn else "accepted" if accepted else "nominated"
