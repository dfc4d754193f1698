"""Built-in comparisons of the organisation's current state with the record (see verification.py).

Each check reads one app's rows as they are now and says, in plain words,
where they differ from what the record's entries state.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.apps import apps

from councils.core.ledger.encoding import format_time
from councils.core.ledger.replay import FULL_FROM_NOW
from councils.core.rules import recall as petition_rules
from councils.core.wording import counted
from councils.record.verification import (
    Recorded,
    RecordIndex,
    differences,
    each_row,
    grouped,
    matched,
    moment,
    named,
    same_moment,
    state_check,
    time_differs,
    time_differs_or_unrecorded,
)

MEMBERSHIP_STATUS = {
    "member.founding_enrolled": "full",
    "member.invited_joined": "candidate",
    "member.admitted": "full",
    "member.reinstated": "full",
    "member.candidate_started": "candidate",
    "member.left": "left",
    "member.suspended": "suspended",
    "member.expelled": "expelled",
    # A refused or withdrawn application ends the candidate membership it held.
    "member.not_admitted": "left",
    "membership.withdrawn": "left",
    # A transfer admits the new membership; the one it replaces (`from_membership`) is "transferred".
    "member.transferred": "full",
}
# The statuses that end a membership: the entry that sets one is when it ended (`ended_at`).
ENDED = {"left", "expelled", "transferred"}


@state_check("memberships")
def check_memberships(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Membership

    recorded: dict[str, dict[str, Any]] = {}
    # Entries written before refusals and withdrawals named the membership they ended name the application.
    candidacy = {
        e.payload.get("application"): e.payload.get("membership")
        for e in record.events("member.candidate_started")
    }
    for entry in record.events(*MEMBERSHIP_STATUS):
        membership = entry.payload.get("membership")
        if "membership" not in entry.payload and entry.event in (
            "member.not_admitted",
            "membership.withdrawn",
        ):
            membership = candidacy.get(entry.payload.get("application"))
        if isinstance(membership, str):
            # The first entry naming a membership admits it then; a transfer keeps the joining time it moves.
            joined = recorded[membership]["joined"] if membership in recorded else entry.at
            # Full from founding, admission or transfer; a reinstatement gives back the standing held before.
            full_since = recorded[membership]["full_since"] if membership in recorded else None
            recorded[membership] = {
                "status": MEMBERSHIP_STATUS[entry.event],
                "member": entry.payload.get("member"),
                "council": entry.council,
                "index": entry.index,
                "joined": None if entry.event == "member.transferred" else joined,
                "full_since": entry.at if entry.event in FULL_FROM_NOW else full_since,
                "at": entry.at,
            }
        moved_from = entry.payload.get("from_membership") if entry.event == "member.transferred" else None
        if isinstance(moved_from, str):
            earlier = recorded.get(moved_from, {})
            recorded[moved_from] = {
                "status": "transferred",
                "member": entry.payload.get("member"),
                "council": entry.payload.get("from_council"),
                "index": entry.index,
                "joined": earlier.get("joined"),
                "full_since": earlier.get("full_since"),
                "at": entry.at,
            }
    rows = each_row(
        Membership.objects.values_list(
            "uuid", "status", "user__uuid", "council__uuid", "joined_at", "full_since", "ended_at", named=True
        )
    )

    def compare(key: str, row: tuple[Any, ...], said: dict[str, Any]) -> Iterator[str]:
        _, status, user_uuid, council_uuid, joined_at, full_since, ended_at = row
        if said["status"] != status:
            yield f"Membership {key} is {status!r} but the record says {said['status']!r}."
        if said["member"] not in (None, str(user_uuid)):
            yield f"Membership {key} belongs to another person than the record says."
        if said["council"] not in (None, str(council_uuid)):
            yield f"Membership {key} is in another council than the record says."
        yield from time_differs(f"Membership {key} began", joined_at, said["joined"])
        yield from time_differs_or_unrecorded(
            f"Membership {key}'s full standing began", full_since, said["full_since"]
        )
        if said["status"] in ENDED:
            yield from time_differs(f"Membership {key} ended", ended_at, said["at"])
        elif ended_at is not None:
            yield f"Membership {key} has ended at {format_time(ended_at)} but the record never ended it."

    yield from matched(
        rows, recorded, compare, "Membership", "admitted it", shown=lambda row: f"({row.status})"
    )


def _term_differs(payload: Any, term_ends_at: datetime | None) -> bool:
    """Whether a post's term end differs from the one its filling entry names (older entries name none)."""
    if "term_ends_at" not in payload:
        return False
    stated = payload["term_ends_at"]
    if stated is not None and moment(stated) is None:
        return True  # a term end the verifier cannot read matches no row
    return not same_moment(term_ends_at, moment(stated))


def signed_at(rows: Iterable[tuple[object, object, datetime]]) -> defaultdict[str, dict[str, datetime]]:
    """When each signer signed, by (petition, signer, time) rows, gathered by petition, UUIDs in text."""
    signatures: defaultdict[str, dict[str, datetime]] = defaultdict(dict)
    for petition, signer, at in rows:
        signatures[str(petition)][str(signer)] = at
    return signatures


def check_signatures(
    name: str,
    stored: dict[str, datetime],
    recorded: dict[str, str | None],
    *,
    kind: tuple[str, str, str] = ("signature", "signatures", "signed"),
) -> Iterator[str]:
    """Lines when a petition's signatures (or what `kind` names: one, many, the verb) differ from
    those the record received: signers, then times."""
    one, many, verb = kind
    if len(stored) != len(recorded):
        yield f"{name} holds {counted(len(stored), one, many)} but the record received {len(recorded)}."
    elif stored.keys() != recorded.keys():
        yield f"{name}'s {many} are by other members than the record says."
    else:
        for signer in sorted(stored):
            yield from time_differs(f"{name}: {signer} {verb}", stored[signer], recorded[signer])


def check_petition_start(
    name: str, started: Recorded, started_at: datetime, expires_at: datetime, eligible_count: int
) -> Iterator[str]:
    """Lines when a petition's start, signature window or electorate differ from what its start states."""
    p = started.payload
    if "eligible" in p and p["eligible"] != eligible_count:
        who = counted(eligible_count, "member", "members")
        yield f"{name} counts {who} who may sign but the record says {p['eligible']}."
    yield from time_differs(f"{name} was started", started_at, started.at)
    days, began = p.get("window_days"), moment(started.at)
    if isinstance(days, int) and began is not None:
        window_ends = petition_rules.expires_at(started_at=began, window_days=days)
        yield from time_differs(f"{name} expires", expires_at, format_time(window_ends))


@state_check("seats")
def check_seats(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Seat

    seated = {str(e.payload.get("seat")): e for e in record.events("delegate.seated")}
    unseated = {str(e.payload.get("seat")): e for e in record.events("delegate.unseated")}
    rows = each_row(
        Seat.objects.values_list(
            "uuid", "user__uuid", "council__uuid", "started_at", "ended_at", "ended_reason", "term_ends_at"
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        _, user_uuid, council_uuid, started_at, ended_at, ended_reason, term_ends_at = row
        if entry.payload.get("delegate") != str(user_uuid):
            yield f"Delegate seat {key} is held by another person than the record seated."
        if entry.council not in (None, str(council_uuid)):
            yield f"Delegate seat {key} is in another council than the record says."
        yield from time_differs(f"Delegate seat {key} was taken", started_at, entry.at)
        yield from _ending_differs(f"Delegate seat {key}", ended_at, ended_reason, unseated.get(key))
        if _term_differs(entry.payload, term_ends_at):
            yield f"Delegate seat {key}'s term ends at another time than the record says."

    yield from matched(rows, seated, compare, "Delegate seat", "seated anyone in it")


def _ending_differs(
    what: str, ended_at: datetime | None, reason: str, ending: Recorded | None
) -> Iterator[str]:
    """Lines when a seat or office ended otherwise than its ending entry (if any) says: when, and why."""
    if (ended_at is not None) != (ending is not None):
        yield f"{what} is {'vacated' if ended_at is not None else 'still held'}, unlike the record."
    elif ending is not None:
        yield from time_differs(f"{what} was vacated", ended_at, ending.at)
        if "reason" in ending.payload and ending.payload["reason"] != reason:
            yield f"{what} ended for the reason {reason!r} but the record says {ending.payload['reason']!r}."


@state_check("offices")
def check_offices(record: RecordIndex) -> Iterator[str]:
    from councils.federation.models import Office

    filled = {
        str(e.payload.get("office")): e for e in record.events("office.founding_filled", "office.filled")
    }
    vacated = {str(e.payload.get("office")): e for e in record.events("office.vacated")}
    # The currency each office's latest declaration names ("" where none, or where it never declared).
    declared_in = {
        e.payload.get("office"): e.payload.get("currency") or "" for e in record.events("office.pay_declared")
    }
    rows = each_row(
        Office.objects.values_list(
            "uuid",
            "role",
            "user__uuid",
            "pay_currency",
            "started_at",
            "ended_at",
            "ended_reason",
            "term_ends_at",
            named=True,
        )
    )

    def compare(key: str, row: tuple[Any, ...], entry: Recorded) -> Iterator[str]:
        uuid, role, user_uuid, pay_currency, started_at, ended_at, ended_reason, term_ends_at = row
        if entry.payload.get("role") not in (None, role):
            yield f"Office {uuid} is {role!r} but the record says {entry.payload.get('role')!r}."
        if entry.payload.get("holder") not in (None, str(user_uuid)):
            yield f"Office {uuid} is held by another person than the record says."
        yield from time_differs(f"Office {uuid} was filled", started_at, entry.at)
        yield from _ending_differs(f"Office {uuid}", ended_at, ended_reason, vacated.get(key))
        if _term_differs(entry.payload, term_ends_at):
            yield f"Office {uuid}'s term ends at another time than the record says."
        recorded = declared_in.get(key, "")
        if pay_currency != recorded:
            yield (
                f"Office {uuid}'s pay is declared in {pay_currency or 'no currency'} but the record's latest "
                f"declaration names {recorded or 'none'}."
            )

    yield from matched(rows, filled, compare, "Office", "filled it", shown=lambda row: f"({row.role})")


MOTION_STATES = {"adopted": "adopted", "rejected": "rejected", "no_quorum": "seconded"}
# What a motion's tabling states of it, by its key in the payload.
TABLED = ("title", "kind", "subject", "seconds_required")


@state_check("motions")
def check_motions(record: RecordIndex) -> Iterator[str]:
    if not apps.is_installed("councils.motions"):
        return
    from councils.motions.models import Motion

    texts: dict[str, str] = {}
    # What each motion's tabling (an amendment's proposal) states of it, in the entry's own words.
    tabled: dict[str, tuple[Recorded, dict[str, Any]]] = {}
    states: dict[str, str] = {}
    # When each motion was decided: by the vote that adopted or rejected it, or withdrawn by its mover.
    decided: dict[str, str | None] = {}
    vote_motion: dict[str, str] = {}
    for entry in record.events(
        "motion.tabled",
        "motion.amendment_proposed",
        "motion.amended",
        "motion.seconded",
        "motion.withdrawn",
        "motion.forwarded",
        "vote.opened",
        "vote.closed",
    ):
        p = entry.payload
        motion = str(p.get("motion"))
        if entry.event in ("motion.tabled", "motion.amended") and isinstance(p.get("text"), str):
            texts[motion] = p["text"]
        elif entry.event == "motion.amendment_proposed" and isinstance(p.get("text"), str):
            # An amendment is a motion of its own, tabled by this entry.
            texts[str(p.get("amendment"))] = p["text"]
        if entry.event == "motion.tabled":
            said = {key: p[key] for key in TABLED if key in p}
            # A forwarded motion is tabled in the council above by the rules, whoever forwarded it.
            tabled[motion] = (entry, {**said, "tabled by": None if p.get("forwarded_from") else entry.actor})
        elif entry.event == "motion.amendment_proposed":
            said = {key: p[key] for key in TABLED if key in p}
            tabled[str(p.get("amendment"))] = (entry, {**said, "kind": "amendment", "tabled by": entry.actor})
        if entry.event in ("motion.tabled", "motion.amendment_proposed"):
            # Tabled, a motion awaits its seconders, or the vote when it needs none.
            seconds = p.get("seconds_required")
            if isinstance(seconds, int):
                tabled_key = motion if entry.event == "motion.tabled" else str(p.get("amendment"))
                states[tabled_key] = "seconded" if seconds == 0 else "draft"
        if entry.event == "motion.seconded" and isinstance(p.get("state"), str):
            states[motion] = p["state"]
        elif entry.event == "motion.withdrawn" and p.get("reason") == "lapsed":
            # An amendment that lapses with its motion is neither withdrawn by anyone nor decided itself.
            states[motion] = "lapsed"
        elif entry.event == "motion.withdrawn":
            states[motion] = "withdrawn"
            decided[motion] = entry.at
        elif entry.event == "motion.forwarded":
            states[motion] = "forwarded"
        elif entry.event == "vote.opened":
            states[motion] = "voting"
            vote_motion[str(p.get("vote"))] = motion
        elif entry.event == "vote.closed":
            outcome = (p.get("result") or {}).get("outcome")
            if outcome in MOTION_STATES:
                states[motion] = MOTION_STATES[outcome]
                # Without a quorum the motion goes back to await a vote, undecided.
                decided[motion] = None if outcome == "no_quorum" else entry.at
    rows = each_row(
        Motion.objects.values_list(
            "uuid",
            "text",
            "state",
            "council__uuid",
            "title",
            "kind",
            "subject_uuid",
            "seconds_required",
            "tabled_by__uuid",
            "tabled_at",
            "decided_at",
        )
    )

    def compare(key: str, row: tuple[Any, ...], recorded_text: str) -> Iterator[str]:
        _, text, state, council, title, kind, subject, seconds, tabled_by, tabled_at, decided_at = row
        if recorded_text != text:
            yield f"Motion {key}'s text is not the text the record holds."
        if key in tabled:
            entry, said = tabled[key]
            stored = {
                "title": title,
                "kind": kind,
                "subject": named(subject),
                "seconds_required": seconds,
                "tabled by": named(tabled_by),
            }
            yield from differences(f"Motion {key}", stored, said)
            if entry.council not in (None, str(council)):
                yield f"Motion {key} is in another council than the record says."
            yield from time_differs(f"Motion {key} was tabled", tabled_at, entry.at)
        if key in states and states[key] != state:
            yield f"Motion {key} is {state!r} but the record says {states[key]!r}."
        yield from time_differs_or_unrecorded(f"Motion {key} was decided", decided_at, decided.get(key))

    yield from matched(rows, texts, compare, "Motion", "tabled it")
    yield from _check_seconds(record)


def _check_seconds(record: RecordIndex) -> Iterator[str]:
    """Who seconded each motion, and when, against the `motion.seconded` entries."""
    from councils.motions.models import Second

    recorded = {
        (str(e.payload.get("motion")), str(e.payload.get("seconder") or e.actor)): e.at
        for e in record.events("motion.seconded")
    }
    stored = {
        (str(motion), str(user)): at
        for motion, user, at in each_row(
            Second.objects.values_list("motion__uuid", "user__uuid", "seconded_at")
        )
    }
    for motion, user in sorted(stored.keys() - recorded.keys()):
        yield f"Motion {motion} lists a second by {user} that the record never received."
    for key in sorted(stored.keys() & recorded.keys()):
        yield from time_differs(f"Motion {key[0]}: {key[1]} seconded it", stored[key], recorded[key])
    for motion, user in sorted(recorded.keys() - stored.keys()):
        yield f"Motion {motion}: {user}'s recorded second has vanished from the database."


# What a vote's opening states of the vote, by the name a discrepancy gives it and its key in the payload.
VOTE_OPENED = {
    "motion": "motion",
    "method": "method",
    "threshold": "threshold",
    "quorum": "quorum",
    "allow_change": "allow_change",
    "electorate size": "electorate",
    "electorate digest": "electorate_sha256",
}


@state_check("votes")
def check_votes(record: RecordIndex) -> Iterator[str]:
    if not apps.is_installed("councils.motions"):
        return
    from councils.motions.models import NamedBallot, Participation, Vote

    choices: dict[tuple[str, str], str] = {}
    # When each named ballot was cast, and last changed (None if never), by its entries' times.
    cast: dict[tuple[str, str], str | None] = {}
    changed: dict[tuple[str, str], str | None] = {}
    for entry in record.events("vote.cast", "vote.changed"):
        p = entry.payload
        key = (str(p.get("vote")), str(p.get("voter")))
        choices[key] = str(p.get("choice"))
        if entry.event == "vote.cast":
            cast[key], changed[key] = entry.at, None
        else:
            changed[key] = entry.at
    present = set()
    for vote_uuid, voter_uuid, choice, cast_at, changed_at in each_row(
        NamedBallot.objects.values_list("vote__uuid", "voter__uuid", "choice", "cast_at", "changed_at")
    ):
        key = (str(vote_uuid), str(voter_uuid))
        present.add(key)
        if key not in choices:
            yield f"Vote {key[0]}: a ballot by {key[1]} exists that the record never received."
            continue
        if choices[key] != choice:
            yield f"Vote {key[0]}: {key[1]}'s ballot says {choice!r} but the record says {choices[key]!r}."
        ballot = f"Vote {key[0]}: {key[1]}'s ballot"
        yield from time_differs(f"{ballot} was cast", cast_at, cast.get(key))
        yield from time_differs_or_unrecorded(f"{ballot} was changed", changed_at, changed.get(key))
    for key in choices.keys() - present:
        yield f"Vote {key[0]}: {key[1]}'s recorded ballot has vanished from the database."
    # Who is marked as having cast a secret ballot, against the ballots the record received: never how.
    marked = grouped(Participation.objects.values_list("vote__uuid", "voter__uuid"))
    received = grouped((e.payload.get("vote"), e.payload.get("voter")) for e in record.events("ballot.cast"))
    closes = {str(e.payload.get("vote")): e for e in record.events("vote.closed")}
    opened = {str(e.payload.get("vote")): e for e in record.events("vote.opened")}
    rows = each_row(
        Vote.objects.values_list(
            "uuid",
            "yes",
            "no",
            "abstain",
            "outcome",
            "closed_at",
            "closes_at",
            "motion__uuid",
            "method",
            "threshold",
            "quorum",
            "allow_change",
            "electorate_size",
            "electorate_digest",
            "text",
            "opened_at",
            "opened_by__uuid",
            "closed_by__uuid",
        )
    )

    def compare(key: str, row: tuple[Any, ...], opening: Recorded) -> Iterator[str]:
        (
            uuid,
            yes,
            no,
            abstain,
            outcome,
            closed_at,
            closes_at,
            motion,
            method,
            threshold,
            quorum,
            allow_change,
            electorate_size,
            electorate_digest,
            text,
            opened_at,
            opened_by,
            closed_by,
        ) = row
        p = opening.payload
        # The closing time it was opened with: the rules close it then, so moving it moves the close.
        if not same_moment(closes_at, moment(p.get("closes_at"))):
            said = f"closes at {closes_at:%Y-%m-%d %H:%M} UTC" if closes_at else "has no closing time"
            yield f"Vote {uuid} {said} but the record opened it with the closing time {p.get('closes_at')}."
        # The rules it is decided by, and the electorate and text it froze.
        recorded = {name: p[key] for name, key in VOTE_OPENED.items() if key in p}
        settings = {
            "motion": str(motion),
            "method": method,
            "threshold": threshold,
            "quorum": quorum,
            "allow_change": allow_change,
            "electorate size": electorate_size,
            "electorate digest": electorate_digest,
        }
        yield from differences(f"Vote {uuid}", settings, recorded)
        if "text_sha256" in p and hashlib.sha256(text.encode()).hexdigest() != p["text_sha256"]:
            yield f"Vote {uuid}'s text is not the text the record opened it on."
        yield from time_differs(f"Vote {uuid} opened", opened_at, opening.at)
        if opening.actor != named(opened_by):
            yield f"Vote {uuid} was opened by someone other than the record says."
        if marked[str(uuid)] != received[str(uuid)]:
            yield (
                f"Vote {uuid} marks {counted(len(marked[str(uuid)]), 'voter', 'voters')} as having voted "
                "in secret but the "
                f"record received secret ballots from {len(received[str(uuid)])}"
                + (
                    "."
                    if len(marked[str(uuid)]) != len(received[str(uuid)])
                    else ", not all the same people."
                )
            )
        close = closes.get(str(uuid))
        if closed_at is None:
            if close is not None:
                yield f"Vote {uuid} is open but the record closed it."
            return
        if close is None:
            yield f"Vote {uuid} is closed but the record holds no result for it."
            return
        yield from time_differs(f"Vote {uuid} closed", closed_at, close.at)
        if close.actor != named(closed_by):
            yield f"Vote {uuid} was closed by someone other than the record says."
        result = close.payload.get("result") or {}
        stored = {"yes": yes, "no": no, "abstain": abstain, "outcome": outcome}
        for name, value in stored.items():
            if result.get(name) != value:
                yield f"Vote {uuid}'s {name} is {value!r} but the record says {result.get(name)!r}."

    yield from matched(rows, opened, compare, "Vote", "opened it")
