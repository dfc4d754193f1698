"""Replay the rules from the record alone: a registry of checks per event type.

The offline verifier (`councils verify`, through `verify.check_entries`)
feeds every entry it can read, in log order, to `feed`. Each rule sees one
entry and the state the earlier rules built, and reports a `Problem` in
plain language when the record contradicts the rules (a vote cast twice, a
published count that is not the recount). Entries the reader may not see
arrive as None; rules that depend on them say so in `notes` rather than
guessing. Once the last entry is fed, `finish` runs the checks registered
`at_end`: those of an action judged once it is over, for the log's last
action. docs/record.md lists the rules replayed.

To add a rule for a new event type, in any module imported before replaying:

    @rule("petition.signed")
    def _signed(replay: Replay, item: Item) -> None:
        ...

Rules must be pure and report what they find in plain language; a rule that
trips over data of the wrong shape (a list where a name belongs) is reported
as such rather than crashing the verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from councils.core.errors import DomainError, InvalidInputError
from councils.core.ledger import note
from councils.core.rules import ballots as ballot_rules
from councils.core.rules import meetings as meeting_rules
from councils.core.rules import polls
from councils.core.rules import recall as petition_rules
from councils.core.rules import votes as vote_rules
from councils.core.rules.constitution import (
    DEFAULTS_VERSION,
    ELECTION_POLL_MAX_DAYS,
    FORMATION_INTERIM_MAX_DAYS,
    Constitution,
    content_hash,
    duration,
)
from councils.core.rules.currencies import ISO_4217
from councils.core.tally import count
from councils.core.wording import counted


@dataclass(slots=True)
class Item:
    index: int
    event: str
    actor: str | None
    council: str | None
    at: str
    payload: Mapping[str, Any]

    @classmethod
    def from_document(cls, index: int, document: Mapping[str, Any]) -> Item:
        get = document.get
        payload = get("payload")
        event = get("event")
        at = get("at")
        return cls(
            index,
            event if type(event) is str else "",
            get("actor"),
            get("council"),
            at if type(at) is str else "",
            payload if isinstance(payload, Mapping) else {},
        )


@dataclass(frozen=True)
class Problem:
    index: int
    message: str

    def __str__(self) -> str:
        return f"entry {self.index}: {self.message}"


@dataclass
class Replay:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replayed: int = 0
    not_replayed: int = 0
    state: dict[str, Any] = field(default_factory=dict)

    def problem(self, item: Item, message: str) -> None:
        self.problems.append(Problem(item.index, message))

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def table(self, name: str) -> dict[str, Any]:
        """A named piece of replay state, shared by the rules of one domain."""
        table: dict[str, Any] = self.state.setdefault(name, {})
        return table


Rule = Callable[[Replay, Item], None]
RULES: dict[str, list[Rule]] = {}
ANY_EVENT: list[Rule] = []
# Checks run once the entries are exhausted, on what the last action left for a later entry to judge.
AT_END: list[Callable[[Replay], None]] = []


def rule(*events: str) -> Callable[[Rule], Rule]:
    """Register a check for entries of `events` ("*" for every readable entry)."""

    def register(function: Rule) -> Rule:
        for event in events:
            (ANY_EVENT if event == "*" else RULES.setdefault(event, [])).append(function)
        return function

    return register


def at_end(function: Callable[[Replay], None]) -> Callable[[Replay], None]:
    """Register a check to run once the last entry is read (see `finish`)."""
    AT_END.append(function)
    return function


def feed(result: Replay, item: Item | None) -> None:
    """Replay one more entry (None: an entry the reader cannot see)."""
    if item is None:
        result.not_replayed += 1
        return
    result.replayed += 1
    try:
        for check in RULES.get(item.event, ()):
            check(result, item)
        for check in ANY_EVENT:
            check(result, item)
    except (AttributeError, IndexError, KeyError, OverflowError, TypeError, ValueError) as exc:
        # A forged entry may hold any JSON where a rule expects a name or a number.
        result.problem(item, f"its {item.event} entry holds data of the wrong shape ({exc!r})")


def finish(result: Replay) -> None:
    """The log's last entry has been fed: judge what its last action left for a later entry to judge.

    Some rules judge an action only once an entry of a later time shows it over (the entries of
    one action share their time): they register here too, so an action at the very end of the log
    is judged as well. Call it only once every entry a checkpoint covers has been fed: an action
    commits its entries in one transaction and the sequencer never ends a checkpoint inside an
    action's entries, so the end of a checkpointed log is the end of an action. These checks judge
    what earlier rules kept, in the shapes they kept it, so none trips over a forged entry's data.
    """
    for check in AT_END:
        check(result)


def replay(items: Iterable[Item | None]) -> Replay:
    """Run every registered rule over the entries in log order (None: an entry the reader cannot see)."""
    result = Replay()
    for item in items:
        feed(result, item)
    finish(result)
    return result


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Councils and their voters, as far as the record tells them.


@rule("council.created")
def _council_created(replay: Replay, item: Item) -> None:
    council = item.payload.get("council")
    if isinstance(council, str):
        replay.table("councils")[council] = {
            "is_base": bool(item.payload.get("is_base")),
            "parent": item.payload.get("parent"),
        }


def _sits_below(replay: Replay, council: Any, above: Any) -> bool | None:
    """Whether `council` sits below `above` in the tree the record describes; None where it cannot tell."""
    councils = replay.table("councils")
    seen: set[Any] = set()
    # A forged tree may loop back on itself; a council in a loop sits below nothing outside it.
    while council not in seen:
        seen.add(council)
        info = councils.get(council)
        if info is None:
            return None
        council = info["parent"]
        if council is None:
            return False
        if council == above:
            return True
    return False


def _set_membership(replay: Replay, item: Item, status: str) -> None:
    membership = item.payload.get("membership")
    member = item.payload.get("member")
    if not isinstance(membership, str):
        replay.problem(item, f"a {item.event} entry names no membership")
        return
    memberships = replay.table("memberships")
    known = memberships.get(membership) or {}
    council, member = item.council or known.get("council"), member or known.get("member")
    was_voter = is_recorded_voter(replay, council, member)
    memberships[membership] = {
        "member": member,
        "council": council,
        "status": status,
        # Full membership starts at founding or admission; a reinstated member keeps their date.
        "full_since": _time(item.at) if item.event in FULL_FROM_NOW else known.get("full_since"),
    }
    # A member's latest membership of each council, so whether they vote there is one lookup.
    replay.table("membership_of")[f"{council} {member}"] = membership
    _count_voter(replay, council, member, was_voter)


# A transfer starts full membership of the new council afresh: standing is earned in each council.
FULL_FROM_NOW = ("member.founding_enrolled", "member.admitted", "member.transferred")


@rule(*FULL_FROM_NOW, "member.reinstated")
def _member_full(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "full")


# An invitation makes a candidate: a voice, no vote until the council admits them.
@rule("member.invited_joined", "member.candidate_started")
def _member_candidate(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "candidate")


@rule("member.left")
def _member_left(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "left")


@rule("member.transferred")
def _member_transferred(replay: Replay, item: Item) -> None:
    """A transfer moves a full member of one base council to another; they no longer sit for the first."""
    p = item.payload
    member, old_uuid, from_council = p.get("member"), p.get("from_membership"), p.get("from_council")
    what = f"{member} was transferred from {from_council} to {item.council}"
    old = replay.table("memberships").get(old_uuid or "")
    if old is None and replay.not_replayed:
        replay.note("some transfers come from councils whose memberships you may not read")
    elif old is None:
        replay.problem(item, f"{what} from membership {old_uuid}, which the record never admitted")
    elif (old["member"], old["council"]) != (member, from_council) or from_council == item.council:
        replay.problem(item, f"{what} from membership {old_uuid}, which is not theirs in that council")
    elif old["status"] != "full":
        replay.problem(item, f"{what} from membership {old_uuid}, which was {old['status']}, not full")
    if old is not None:
        was_voter = is_recorded_voter(replay, old["council"], old["member"])
        old["status"] = "transferred"
        _count_voter(replay, old["council"], old["member"], was_voter)
    kept = sorted(
        str(seat)
        for seat, held in replay.table("seats").items()
        if held["delegate"] == member and held.get("from_council") == from_council
    )
    if kept:
        replay.problem(item, f"{what} but still sits for the council they left in seat {', '.join(kept)}")
    _set_membership(replay, item, "full")


@rule("member.suspended")
def _member_suspended(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "suspended")


@rule("member.expelled")
def _member_expelled(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "expelled")


@rule("delegate.seated")
def _seated(replay: Replay, item: Item) -> None:
    seat = item.payload.get("seat")
    if isinstance(seat, str):
        delegate = item.payload.get("delegate")
        was_voter = is_recorded_voter(replay, item.council, delegate)
        replay.table("seats")[seat] = {
            "delegate": delegate,
            "council": item.council,
            "from_council": item.payload.get("from_council"),
        }
        held_by = replay.table("seats_held")
        key = f"{item.council} {delegate}"
        held_by[key] = held_by.get(key, 0) + 1
        _count_voter(replay, item.council, delegate, was_voter)


@rule("delegate.unseated")
def _unseated(replay: Replay, item: Item) -> None:
    seat = item.payload.get("seat")
    seats = replay.table("seats")
    if seat not in seats and replay.not_replayed:
        replay.note("some delegate seats vacated were filled in entries you may not read: not checked")
        return
    if seat not in seats:
        replay.problem(item, f"delegate seat {seat} is vacated but the record never seated it")
        return
    held = seats.pop(seat)
    was_voter = is_recorded_voter(replay, held["council"], held["delegate"])
    replay.table("seats_held")[f"{held['council']} {held['delegate']}"] -= 1
    _count_voter(replay, held["council"], held["delegate"], was_voter)


def is_recorded_voter(replay: Replay, council: str | None, person: object) -> bool | None:
    """Whether `person` has a vote in `council` now, from the record; None when it does not describe it.

    As `recorded_voters` says, in one lookup: a full member of a base council, a delegate of a higher one.
    """
    info = replay.table("councils").get(council or "")
    if info is None:
        return None
    if info["is_base"]:
        membership = recorded_membership(replay, council, person)
        return membership is not None and membership["status"] == "full"
    return holds_seat(replay, council, person)


def recorded_membership(replay: Replay, council: str | None, person: object) -> Mapping[str, Any] | None:
    """`person`'s latest membership of `council` (its member, council, status), or None if the record
    holds none."""
    membership: Mapping[str, Any] | None = replay.table("memberships").get(
        replay.table("membership_of").get(f"{council} {person}", "")
    )
    return membership


def holds_seat(replay: Replay, council: str | None, person: object) -> bool:
    """Whether `person` sits in `council` now through a delegate seat, as the record shows it."""
    return bool(replay.table("seats_held").get(f"{council} {person}"))


def _count_voter(replay: Replay, council: str | None, person: object, was_voter: bool | None) -> None:
    """Keep each council's count of voters in step after `person`'s standing there changed."""
    if was_voter is None or council is None:
        return
    change = int(bool(is_recorded_voter(replay, council, person))) - int(was_voter)
    if change:
        counts = replay.table("voter_counts")
        counts[council] = counts.get(council, 0) + change


def recorded_voter_count(replay: Replay, council: str | None) -> int | None:
    """How many voters `council` has now, as `is_recorded_voter` counts them, in one lookup; None when
    the record does not describe the council."""
    if council not in replay.table("councils"):
        return None
    count: int = replay.table("voter_counts").get(council, 0)
    return count


def recorded_voters(replay: Replay, council: str | None, before: datetime | None = None) -> set[str] | None:
    """Voters of `council` now, from the record; None when the record does not describe the council.

    `before` keeps only members whose full membership began before it (base councils only).
    """
    info = replay.table("councils").get(council or "")
    if info is None:
        return None
    if info["is_base"]:
        return {
            m["member"]
            for m in replay.table("memberships").values()
            if m["council"] == council
            and m["status"] == "full"
            and m["member"]
            and (before is None or (m["full_since"] is not None and m["full_since"] < before))
        }
    if before is not None:
        return None
    return {
        s["delegate"] for s in replay.table("seats").values() if s["council"] == council and s["delegate"]
    }


# Motions and votes.


@rule("motion.tabled", "motion.amended")
def _motion_text(replay: Replay, item: Item) -> None:
    motion, text = item.payload.get("motion"), item.payload.get("text")
    if isinstance(motion, str) and isinstance(text, str):
        replay.table("motion_texts")[motion] = text


# Where each motion stands (awaiting seconders, awaiting a vote, voting, decided), as the entries of
# its council tell it: what the motions app refuses to do to a motion in the wrong state is reported.
UNDER_DEBATE = ("draft", "seconded")


def _new_motion(
    item: Item, kind: object, subject: object, seconds: object, amends: object = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": subject,
        "amends": amends,
        "base_sha256": item.payload.get("base_text_sha256") if amends is not None else None,
        "tabled_by": item.actor,
        "seconds_required": seconds,
        "seconders": set(),
        "amendments": [],
        # None where the entry does not say how many seconders it needs: its state is then not judged.
        "state": None if type(seconds) is not int else "seconded" if seconds == 0 else "draft",
        # When and by whom it was decided (its vote closed, or withdrawn) and forwarded: the entries the
        # same action appends (an amendment merged or lapsed, the motion tabled above) share both.
        "decided": None,
        "forwarded": None,
    }


def _known_motion(replay: Replay, name: object) -> dict[str, Any] | None:
    """A motion as its tabling described it; None when that entry was not read (nothing is judged then)."""
    motion: dict[str, Any] | None = replay.table("motions").get(name if isinstance(name, str) else "")
    return motion


def _check_mover(replay: Replay, item: Item, person: object, what: str) -> None:
    """Only a voter of the council tables a motion, proposes an amendment or seconds one."""
    voter = is_recorded_voter(replay, item.council, person)
    if voter is None:
        replay.note(
            "some motions were tabled, amended or seconded in councils whose creation you may not read: "
            "whether whoever did it had a vote there was not checked"
        )
    elif not voter:
        replay.problem(item, f"{what} by {person}, who had no vote in council {item.council} at that moment")


def _check_wording(replay: Replay, item: Item, what: str) -> None:
    """A title and text as the motions app keeps them: trimmed, not empty, not too long; seconders within
    bounds. What the entry does not state is not judged."""
    p = item.payload
    for name, clean, limit in (
        ("title", vote_rules.clean_title, vote_rules.TITLE_MAX),
        ("text", vote_rules.clean_text, vote_rules.TEXT_MAX),
    ):
        if name not in p:
            continue
        value = p[name]
        try:
            ok = isinstance(value, str) and clean(value) == value
        except InvalidInputError:
            ok = False
        if not ok:
            replay.problem(
                item,
                f"{what} with a {name} the rules refuse (not trimmed, empty or longer than {limit} "
                "characters)",
            )
    seconds = p.get("seconds_required")
    # None: tabled before the entry said how many seconders a motion needs.
    if seconds is not None and (type(seconds) is not int or not 0 <= seconds <= vote_rules.SECONDS_MAX):
        replay.problem(
            item, f"{what} asking for {seconds!r} seconders; the rules allow 0 to {vote_rules.SECONDS_MAX}"
        )
    elif seconds:
        _check_seconders_available(replay, item, what, seconds)


def _check_seconders_available(replay: Replay, item: Item, what: str, seconds: int) -> None:
    """A motion asks for no more seconders than the council has voters besides one (its mover's)."""
    voters = recorded_voter_count(replay, item.council)
    if voters is None or replay.not_replayed:
        replay.note(
            "some motions were tabled or amended in councils whose voters you may not read: "
            "whether the council had enough voters to second them was not checked"
        )
    elif seconds > voters - 1:
        replay.problem(
            item,
            f"{what} asking for {counted(seconds, 'seconder', 'seconders')}, but council {item.council} had "
            f"{counted(voters, 'voter', 'voters')} at "
            "that moment: too few others to give them",
        )


def _check_arrival(replay: Replay, item: Item, motion: str, source: object) -> None:
    """A motion from a council below arrives in the action that forwarded it: at its time, by its actor."""
    below = _known_motion(replay, source)
    if below is None:
        replay.note(
            "some motions arrived from councils below whose entries you may not read: "
            "whether they were forwarded was not checked"
        )
    elif below["forwarded"] != (item.at, item.actor, motion):
        replay.problem(
            item,
            f"motion {motion} arrived from motion {source} at {item.at} by {item.actor or 'the rules'}, "
            "but that motion was not forwarded to it then",
        )


@rule("motion.tabled")
def _motion_tabled(replay: Replay, item: Item) -> None:
    p = item.payload
    motion = p.get("motion")
    what = f"motion {motion} was tabled"
    _check_wording(replay, item, what)
    # A forwarded motion names the officer who forwarded it; the council below put it.
    if item.actor is not None and p.get("forwarded_from") is None:
        _check_mover(replay, item, item.actor, what)
    if isinstance(motion, str):
        tabled = _new_motion(item, p.get("kind", "ordinary"), p.get("subject"), p.get("seconds_required"))
        if p.get("forwarded_from") is not None:
            # The officer who forwards it is named, but the council below put it, not them.
            tabled["tabled_by"] = None
            _check_arrival(replay, item, motion, p.get("forwarded_from"))
        replay.table("motions")[motion] = tabled


@rule("motion.amendment_proposed")
def _amendment_text(replay: Replay, item: Item) -> None:
    """An amendment is a motion holding the proposed full text, voted like any other."""
    amendment, motion, text = (item.payload.get(k) for k in ("amendment", "motion", "text"))
    what = f"amendment {amendment} was proposed to motion {motion}"
    _check_wording(replay, item, what)
    if item.actor is not None:
        _check_mover(replay, item, item.actor, what)
    texts = replay.table("motion_texts")
    base = texts.get(motion or "")
    if base is not None and item.payload.get("base_text_sha256") != _sha256(base):
        replay.problem(item, f"amendment {amendment} was proposed to a text that is not motion {motion}'s")
    if base is not None and text == base:
        replay.problem(item, f"amendment {amendment} does not change the text of motion {motion}")
    amended = _known_motion(replay, motion)
    if amended is not None:
        if amended["kind"] == "amendment":
            replay.problem(
                item, f"amendment {amendment} was proposed to amendment {motion}, not to the motion itself"
            )
        else:
            worded = vote_rules.worded_by_rules(
                kind=str(amended["kind"]), has_subject=amended["subject"] is not None
            )
            if worded is not None:
                replay.problem(
                    item,
                    f"amendment {amendment} was proposed to motion {motion}, {worded}: the rules word it, "
                    "so it cannot be amended",
                )
        if amended["state"] not in (*UNDER_DEBATE, None):
            replay.problem(
                item,
                f"amendment {amendment} was proposed to motion {motion} when it was no longer under debate "
                f"({amended['state']})",
            )
    if isinstance(amendment, str) and isinstance(text, str):
        texts[amendment] = text
    if isinstance(amendment, str):
        if amended is not None:
            amended["amendments"].append(amendment)
        replay.table("motions")[amendment] = _new_motion(
            item, "amendment", motion, item.payload.get("seconds_required"), amends=motion
        )


@rule("motion.seconded")
def _motion_seconded(replay: Replay, item: Item) -> None:
    name = item.payload.get("motion")
    motion = _known_motion(replay, name)
    if motion is None:
        return
    seconder = item.payload.get("seconder")
    if item.actor is not None and seconder != item.actor:
        replay.problem(item, f"{seconder}'s second of motion {name} was given by someone else ({item.actor})")
    _check_mover(replay, item, seconder, f"motion {name} was seconded")
    if motion["state"] not in ("draft", None):
        replay.problem(item, f"motion {name} was seconded when it was not awaiting seconders")
    if seconder is not None and seconder == motion["tabled_by"]:
        replay.problem(item, f"motion {name} was seconded by {seconder}, who tabled it")
    if seconder in motion["seconders"]:
        replay.problem(item, f"{seconder} seconded motion {name} twice")
        return
    motion["seconders"].add(seconder)
    _check_second_count(replay, item, str(name), motion)


def _check_second_count(replay: Replay, item: Item, name: str, motion: dict[str, Any]) -> None:
    """A second states how many seconders the motion has with it, and the state that leaves it in:
    awaiting a vote once they are as many as it asked for. A motion that was not awaiting seconders
    is reported above; its state is then not judged."""
    p = item.payload
    count, required, state = len(motion["seconders"]), motion["seconds_required"], motion["state"]
    if p.get("seconds") != count:
        replay.problem(
            item,
            f"motion {name} has {counted(count, 'seconder', 'seconders')} with {p.get('seconder')}'s second, "
            "but the entry says "
            f"{p.get('seconds')!r}",
        )
    if state != "draft" or type(required) is not int:
        return
    motion["state"] = "seconded" if count >= required else "draft"
    if p.get("state") != motion["state"]:
        replay.problem(
            item,
            f"motion {name} has {count} of the {counted(required, 'seconder', 'seconders')} it needs, so "
            f"is {motion['state']}, "
            f"but the entry says {p.get('state')!r}",
        )


@rule("vote.opened")
def _motion_put_to_vote(replay: Replay, item: Item) -> None:
    p = item.payload
    name, vote, electorate = p.get("motion"), p.get("vote"), p.get("electorate")
    if "method" in p and "threshold" in p and isinstance(electorate, int):
        try:
            vote_rules.check_vote_settings(
                method=p["method"], threshold=p["threshold"], quorum=p.get("quorum"), electorate=electorate
            )
        except InvalidInputError as exc:
            replay.problem(item, f"vote {vote} was opened with settings the rules refuse: {exc.message}")
    motion = _known_motion(replay, name)
    if motion is None:
        return
    if motion["state"] == "draft":
        replay.problem(item, f"vote {vote} was opened on motion {name} while it still needed seconders")
    elif motion["state"] not in ("seconded", None):
        replay.problem(item, f"vote {vote} was opened on motion {name}, which was not awaiting a vote")
    motions = replay.table("motions")
    amended = _known_motion(replay, motion["amends"])
    if amended is not None:
        base = replay.table("motion_texts").get(str(motion["amends"]))
        if amended["state"] not in (*UNDER_DEBATE, None):
            replay.problem(
                item,
                f"vote {vote} was opened on amendment {name} when motion {motion['amends']} was no longer "
                f"under debate ({amended['state']})",
            )
        elif base is not None and motion["base_sha256"] != _sha256(base):
            replay.problem(
                item,
                f"vote {vote} was opened on amendment {name} after the text of motion {motion['amends']} "
                "had changed",
            )
    main = amended if amended is not None else motion
    rival = [a for a in main["amendments"] if a != name and motions[a]["state"] == "voting"]
    if rival:
        replay.problem(
            item,
            f"vote {vote} was opened on motion {name} while amendment {rival[0]} to "
            f"{motion['amends'] or name} was being voted on",
        )
    elif amended is None:
        _check_no_amendment_awaits_vote(replay, item, str(name), motion)
    motion["state"] = "voting"


def _check_no_amendment_awaits_vote(replay: Replay, item: Item, name: str, motion: Mapping[str, Any]) -> None:
    """A motion is put to the vote only once no seconded amendment to its current text awaits a vote."""
    text = replay.table("motion_texts").get(name)
    if text is None:
        return
    motions = replay.table("motions")
    waiting = [
        a
        for a in motion["amendments"]
        if motions[a]["state"] == "seconded" and motions[a]["base_sha256"] == _sha256(text)
    ]
    if waiting:
        replay.problem(
            item,
            f"vote {item.payload.get('vote')} was opened on motion {name} while the seconded amendment "
            f"{waiting[0]} to its text awaited a vote",
        )


@rule("vote.closed")
def _motion_decided(replay: Replay, item: Item) -> None:
    vote = replay.table("votes").get(item.payload.get("vote") or "")
    # A second close is reported with the vote's rules and decides nothing.
    motion = _known_motion(replay, vote["motion"] if vote is not None and not vote["closed"] else None)
    result = item.payload.get("result")
    if motion is not None and isinstance(result, Mapping):
        # Without a quorum the motion awaits a vote again.
        decided = {vote_rules.ADOPTED: "adopted", vote_rules.REJECTED: "rejected"}
        motion["state"] = decided.get(str(result.get("outcome")), "seconded")
        if motion["state"] != "seconded":
            motion["decided"] = (item.at, item.actor)


@rule("motion.amended")
def _motion_amended(replay: Replay, item: Item) -> None:
    name, amendment = item.payload.get("motion"), item.payload.get("amendment")
    merged = _known_motion(replay, amendment)
    if merged is not None and (merged["state"] != "adopted" or merged["amends"] != name):
        replay.problem(
            item,
            f"motion {name} was amended by amendment {amendment}, which is not an adopted amendment to it",
        )
    elif merged is not None and merged["decided"] != (item.at, item.actor):
        replay.problem(
            item,
            f"motion {name} was amended by amendment {amendment} at {item.at} by "
            f"{item.actor or 'the rules'}, not in the close of the vote that adopted it",
        )


@rule("motion.withdrawn")
def _motion_withdrawn(replay: Replay, item: Item) -> None:
    name = item.payload.get("motion")
    motion = _known_motion(replay, name)
    if motion is None:
        return
    if motion["state"] not in (*UNDER_DEBATE, None):
        replay.problem(
            item, f"motion {name} was withdrawn when it was no longer under debate ({motion['state']})"
        )
    elif item.actor is not None and motion["tabled_by"] is None:
        replay.problem(
            item, f"motion {name} was withdrawn by {item.actor}, though the rules or a council below put it"
        )
    elif item.payload.get("reason") == "lapsed":
        _check_lapsed(replay, item, str(name), motion)
    elif item.actor is not None and item.actor != motion["tabled_by"]:
        replay.problem(item, f"motion {name} was withdrawn by {item.actor}, who did not table it")
    motion["state"] = "lapsed" if item.payload.get("reason") == "lapsed" else "withdrawn"
    motion["decided"] = (item.at, item.actor)


def _check_lapsed(replay: Replay, item: Item, name: str, motion: Mapping[str, Any]) -> None:
    """Only an amendment lapses, in the action that decided its motion: at its time, by its actor."""
    if motion["amends"] is None:
        replay.problem(item, f"motion {name} lapsed, but only amendments lapse when their motion is decided")
        return
    main = _known_motion(replay, motion["amends"])
    if main is not None and main["decided"] != (item.at, item.actor):
        replay.problem(
            item,
            f"amendment {name} lapsed at {item.at} by {item.actor or 'the rules'}, not in the action that "
            f"decided motion {motion['amends']}",
        )


@rule("motion.forwarded")
def _motion_forwarded(replay: Replay, item: Item) -> None:
    name = item.payload.get("motion")
    motion = _known_motion(replay, name)
    if motion is None:
        return
    if motion["kind"] != "ordinary":
        replay.problem(
            item, f"motion {name} of kind {motion['kind']} was forwarded; only ordinary motions are"
        )
    elif motion["state"] not in ("adopted", None):
        replay.problem(item, f"motion {name} was forwarded though it was not adopted ({motion['state']})")
    parent = replay.table("councils").get(item.council or "", {}).get("parent", "")
    if parent != "" and parent != item.payload.get("to_council"):
        replay.problem(
            item, f"motion {name} was forwarded to {item.payload.get('to_council')}, not the council above"
        )
    motion["state"] = "forwarded"
    motion["forwarded"] = (item.at, item.actor, item.payload.get("to_motion"))


def _check_closing_time(
    replay: Replay, item: Item, name: str, closes_at: datetime | None, check: Callable[..., None]
) -> None:
    """A poll opened with a closing time that is a time and that `check` (a rule of polls) allows."""
    opened = _time(item.at)
    if closes_at is None or opened is None:
        replay.problem(item, f"{name} was opened with a closing time that is not a time")
        return
    try:
        check(opens_at=opened, closes_at=closes_at)
    except InvalidInputError as exc:
        replay.problem(item, f"{name} was opened with a closing time the rules refuse: {exc.message}")


@rule("vote.opened")
def _vote_opened(replay: Replay, item: Item) -> None:
    p = item.payload
    vote, motion = p.get("vote"), p.get("motion")
    if not isinstance(vote, str):
        replay.problem(item, "a vote was opened without naming the vote")
        return
    votes = replay.table("votes")
    if vote in votes:
        replay.problem(item, f"vote {vote} was opened twice")
        return
    text = replay.table("motion_texts").get(motion or "")
    if text is not None and p.get("text_sha256") not in (None, _sha256(text)):
        replay.problem(item, f"vote {vote} was opened on a text that is not the motion's recorded text")
    electorate: set[str] | None = None
    # Parties to what the vote decides (a discipline case) are left out of its electorate.
    named_parties = p.get("parties")
    parties = {str(v) for v in named_parties} if isinstance(named_parties, list) else set()
    listed = p.get("voters")
    if isinstance(listed, list):
        electorate = {str(v) for v in listed}
    else:
        # A vote limited to longer-standing members names the moment their membership must predate.
        before = _time(p.get("members_before"))
        rebuilt = (
            None
            if before is None and "members_before" in p
            else recorded_voters(replay, item.council, before)
        )
        if rebuilt is not None:
            rebuilt -= parties
        digest = p.get("electorate_sha256")
        if (
            rebuilt is not None
            and text is not None
            and isinstance(digest, str)
            and vote_rules.electorate_digest(voter_uuids=rebuilt, text=text) == digest
        ):
            electorate = rebuilt
        if electorate is None:
            replay.note(
                "some votes' electorates cannot be rebuilt from the entries you may read: "
                "their voters were checked against the electorate's size only"
            )
    size = p.get("electorate")
    if electorate is not None and isinstance(size, int) and len(electorate) != size:
        replay.problem(
            item,
            f"vote {vote} lists {counted(len(electorate), 'voter', 'voters')} but says its electorate is "
            f"{size}",
        )
    # None: a vote opened without a closing time, closed by hand.
    closes_at = _time(p.get("closes_at"))
    if p.get("closes_at") is not None:
        _check_closing_time(replay, item, f"vote {vote}", closes_at, polls.check_closes_after_opening)
    votes[vote] = {
        "motion": motion,
        "council": item.council,
        "secret": p.get("method") == "secret",
        "allow_change": bool(p.get("allow_change")),
        "electorate": electorate,
        "size": size if isinstance(size, int) else None,
        "parties": parties,
        # The parties to the case a vote on charges or an appeal decides, who may not vote in it, and
        # how the record names that vote: set by the entry that calls it.
        "barred": None,
        "threshold": p.get("threshold"),
        "quorum": p.get("quorum"),
        "opened_at": item.at,
        "opened_by": item.actor,
        "closes_at": closes_at,
        "held_by": None,
        # A vote the constitution keeps open (on charges, an appeal or an admission): how the record
        # names it, set by the entry that calls it.
        "kept_open": None,
        "choices": {},
        "participants": set(),
        "closed": False,
    }


def _open_vote(replay: Replay, item: Item) -> dict[str, Any] | None:
    vote: dict[str, Any] | None = replay.table("votes").get(item.payload.get("vote") or "")
    if vote is None:
        replay.note("some ballots belong to votes opened in entries you may not read or before this record")
        return None
    if vote["closed"]:
        replay.problem(item, f"a ballot was recorded in vote {item.payload.get('vote')} after it closed")
        return None
    cast = _time(item.at)
    if vote["held_by"] is not None:
        what, within, deadline = vote["held_by"]
        if cast is None or cast >= deadline:
            replay.problem(
                item,
                f"a ballot was recorded in {what} after the {counted(within, 'day', 'days')} within "
                "which it had to be held "
                f"({deadline:%Y-%m-%d %H:%M})",
            )
            # A recall vote closes by its deadline: this ballot came after its closing time too.
            return vote
    closes_at = vote["closes_at"]
    if closes_at is not None and (cast is None or polls.is_over(closes_at=closes_at, at=cast)):
        replay.problem(
            item,
            f"a ballot was recorded in vote {item.payload.get('vote')} after its closing time "
            f"({closes_at:%Y-%m-%d %H:%M} UTC)",
        )
    return vote


def _check_voter(replay: Replay, item: Item, vote: dict[str, Any]) -> str | None:
    voter = item.payload.get("voter")
    if not isinstance(voter, str):
        replay.problem(item, "a ballot names no voter")
        return None
    if item.actor is not None and item.actor != voter:
        replay.problem(item, f"voter {voter}'s ballot was cast by someone else ({item.actor})")
    if vote["electorate"] is not None and voter not in vote["electorate"]:
        replay.problem(item, f"{voter} voted but was not in the electorate frozen when the vote opened")
    if vote["barred"] is not None and voter in vote["barred"][1]:
        replay.problem(item, f"{voter}, a party to the case, voted in {vote['barred'][0]}")
    return voter


@rule("vote.cast")
def _vote_cast(replay: Replay, item: Item) -> None:
    vote = _open_vote(replay, item)
    if vote is None:
        return
    voter = _check_voter(replay, item, vote)
    if voter is None:
        return
    if voter in vote["participants"]:
        replay.problem(item, f"{voter} voted twice in vote {item.payload.get('vote')}")
        return
    choice = item.payload.get("choice")
    if choice not in vote_rules.CHOICES:
        replay.problem(item, f"{voter} cast an invalid choice {choice!r}")
    vote["participants"].add(voter)
    vote["choices"][voter] = choice


@rule("vote.changed")
def _vote_changed(replay: Replay, item: Item) -> None:
    vote = _open_vote(replay, item)
    if vote is None:
        return
    voter = _check_voter(replay, item, vote)
    if voter is None:
        return
    if voter not in vote["participants"]:
        replay.problem(item, f"{voter} changed a vote they never cast")
    elif not vote["allow_change"]:
        replay.problem(item, f"{voter} changed their vote in a vote that does not allow changes")
    vote["participants"].add(voter)
    vote["choices"][voter] = item.payload.get("choice")


@rule("ballot.cast")
def _ballot_cast(replay: Replay, item: Item) -> None:
    vote = _open_vote(replay, item)
    if vote is None:
        return
    voter = _check_voter(replay, item, vote)
    if voter is None:
        return
    if not vote["secret"]:
        replay.problem(item, "a secret ballot was cast in a named vote")
    if voter in vote["participants"]:
        replay.problem(item, f"{voter} voted twice in vote {item.payload.get('vote')}")
    vote["participants"].add(voter)


@rule("vote.closed")
def _vote_closed(replay: Replay, item: Item) -> None:
    p = item.payload
    vote = replay.table("votes").get(p.get("vote") or "")
    result = p.get("result")
    if vote is None:
        replay.note("some votes closed in this record were opened in entries you may not read")
        return
    if vote["closed"]:
        replay.problem(item, f"vote {p.get('vote')} was closed twice")
        return
    vote["closed"] = True
    _check_early_close(replay, item, vote)
    opened_by_rules = vote["opened_by"] is None and vote["closes_at"] is None
    if item.actor is not None and opened_by_rules and not vote["participants"]:
        # Closing a vote the rules opened before anyone could vote would stop it in all but name.
        replay.problem(
            item,
            f"vote {p.get('vote')}, which the rules opened, was closed by {item.actor} before anyone voted",
        )
    if not isinstance(result, Mapping):
        replay.problem(item, f"vote {p.get('vote')} was closed without a result")
        return
    ballots = p.get("ballots")
    published = [b for b in ballots if isinstance(b, Mapping)] if isinstance(ballots, list) else []
    if vote["secret"]:
        if len(published) != len(vote["participants"]):
            replay.problem(
                item,
                f"vote {p.get('vote')}: {counted(len(vote['participants']), 'person', 'people')} voted but "
                f"{counted(len(published), 'ballot was', 'ballots were')} published",
            )
        choices = [b.get("choice") for b in published]
    else:
        recorded = {voter: c for voter, c in vote["choices"].items()}
        listed = {str(b.get("voter")): b.get("choice") for b in published}
        if isinstance(ballots, list) and listed != recorded:
            replay.problem(item, f"vote {p.get('vote')}: the published roll call is not the ballots cast")
        choices = list(recorded.values())
    try:
        counts = vote_rules.tally(str(c) for c in choices)
    except DomainError:
        replay.problem(item, f"vote {p.get('vote')}: a ballot holds an invalid choice")
        return
    for choice in vote_rules.CHOICES:
        if result.get(choice) != counts[choice]:
            replay.problem(
                item,
                f"vote {p.get('vote')}: the result says {result.get(choice)} {choice} "
                f"but the ballots recount to {counts[choice]}",
            )
    if vote["size"] is not None and result.get("electorate") != vote["size"]:
        replay.problem(
            item, f"vote {p.get('vote')}: the result's electorate is not the one frozen at opening"
        )
    replay.table("vote_results")[str(vote["motion"])] = dict(result)


def _check_early_close(replay: Replay, item: Item, vote: dict[str, Any]) -> None:
    """A vote with a closing time was closed before it only by an officer, once every elector had voted.

    The rules close a vote at its closing time, never before (`tasks.close_due_vote`), so an early close
    with no officer named is reported as well as an officer's: that is where a rushed close would hide.
    Its ballots are entries of its own council, so whoever reads its opening reads its turnout.
    """
    closes_at, closed_at, size = vote["closes_at"], _time(item.at), vote["size"]
    if closes_at is None:
        return
    if size is None:
        replay.note("some votes do not say how many could vote: whether they closed early was not checked")
        return
    voted = len(vote["participants"])
    if closed_at is None or polls.closes_too_early(
        closes_at=closes_at, at=closed_at, turnout=voted, electorate=size
    ):
        # A vote the constitution keeps open, or a recall vote, is named by what it decides.
        name = vote["kept_open"] or (
            vote["held_by"][0] if vote["held_by"] else f"vote {item.payload.get('vote')}"
        )
        by = f" by {item.actor}" if item.actor is not None else ""
        replay.problem(
            item,
            f"{name} was closed{by} before its closing time ({closes_at:%Y-%m-%d %H:%M} UTC) with {voted} "
            f"of {counted(size, 'member', 'members')} entitled having voted; it had to stay open until "
            "then unless all had voted",
        )


@rule("*")
def _result_follows_from_counts(replay: Replay, item: Item) -> None:
    """Any published result's outcome must follow from its own counts under the voting rules."""
    result = item.payload.get("result")
    if not isinstance(result, Mapping) or "outcome" not in result:
        return
    try:
        recomputed = vote_rules.compute_result(
            yes=int(result["yes"]),
            no=int(result["no"]),
            abstain=int(result["abstain"]),
            electorate=int(result["electorate"]),
            threshold=str(result["threshold"]),
            quorum=result.get("quorum"),
        )
    except (KeyError, TypeError, ValueError, DomainError):
        replay.problem(item, "a published result cannot be recomputed from its counts")
        return
    if recomputed.outcome != result.get("outcome"):
        replay.problem(
            item,
            f"the result says {result.get('outcome')!r} but {recomputed.yes} for, {recomputed.no} against "
            f"and {recomputed.abstain} abstaining make it {recomputed.outcome!r}",
        )
    motion = item.payload.get("motion")
    if item.event != "vote.closed" and isinstance(motion, str):
        closed = replay.table("vote_results").get(motion)
        if closed is not None and any(
            closed.get(k) != result.get(k) for k in ("yes", "no", "abstain", "outcome")
        ):
            replay.problem(item, f"the result quoted for motion {motion} is not the result its vote recorded")


# Petitions: recall and agenda. Signers frozen at the start, each once, within the window,
# up to the threshold the constitution sets; then the vote or the forced item.


def _petition(replay: Replay, item: Item, kind: str) -> dict[str, Any] | None:
    petition: dict[str, Any] | None = replay.table("petitions").get(item.payload.get("petition") or "")
    if petition is None:
        replay.note(f"some {kind} entries belong to petitions you may not read")
    return petition


def _share(value: object) -> Decimal | None:
    try:
        share = Decimal(str(value))
    except ArithmeticError:
        return None
    return share if share.is_finite() and 0 < share <= 1 else None


def _frozen_signers(replay: Replay, item: Item, name: str) -> set[str] | None:
    """Who may sign, as the start entry froze them; None (with a note) for entries that do not list them."""
    p = item.payload
    listed = p.get("eligible_signers")
    if not isinstance(listed, list):
        replay.note(
            "petitions started before the record listed who may sign were not checked for who signed "
            "or against the constitution's share"
        )
        return None
    signers = {str(s) for s in listed}
    if len(signers) != len(listed) or p.get("eligible") != len(signers):
        replay.problem(
            item,
            f"{name} lists {counted(len(listed), 'member', 'members')} entitled to sign but says "
            f"{p.get('eligible')}",
        )
    voters = recorded_voters(replay, item.council)
    if voters is not None and not replay.not_replayed and voters != signers:
        replay.problem(
            item, f"the members entitled to sign {name} are not the council's voters when it started"
        )
    return signers


def _start_petition(replay: Replay, item: Item, kind: str, share_name: str) -> dict[str, Any] | None:
    p = item.payload
    uuid = p.get("petition")
    if not isinstance(uuid, str) or uuid in replay.table("petitions"):
        replay.problem(item, f"{kind} petition {uuid} was started twice or without a number")
        return None
    name = f"{kind} petition {uuid}"
    signers = _frozen_signers(replay, item, name)
    document = constitution_version(replay, p.get("constitution_version"))
    threshold = p.get("threshold")
    if document is None:
        replay.note(
            "some petitions name a constitution version whose text the record does not hold: "
            "their thresholds and windows were checked against the numbers they state"
        )
    elif signers is not None:
        share = _share(document.get(share_name))
        needed = (
            None if share is None else petition_rules.signature_threshold(eligible=len(signers), share=share)
        )
        if needed is None:
            replay.problem(
                item,
                f"{name} names a constitution whose {share_name} ({document.get(share_name)!r}) is no share",
            )
        elif threshold != needed:
            replay.problem(
                item,
                f"{name} asks for {counted(threshold, 'signature', 'signatures')}, but the "
                "constitution's share "
                f"({document.get(share_name)}) of the {counted(len(signers), 'member', 'members')} "
                f"entitled to sign is {needed}",
            )
    stated = p.get("window_days")
    window = stated if document is None else document.get("recall_window_days")
    if stated is not None and stated != window:
        replay.problem(item, f"{name} applies a {stated}-day window to sign; the constitution sets {window}")
    started = _time(item.at)
    if type(window) is not int:
        replay.note("some petitions do not say how long they were open for signatures: not checked")
    elif started is None:
        replay.problem(item, f"{name} does not say when it started, so its window cannot be known")
    petition: dict[str, Any] = {
        "name": name,
        "signers": signers,
        "threshold": threshold,
        "window": window,
        "expires": petition_rules.expires_at(started_at=started, window_days=window)
        if started is not None and type(window) is int
        else None,
        "signed": set(),
        "count": 0,
        "reached_at": None,
        "document": document,
    }
    replay.table("petitions")[uuid] = petition
    return petition


def _sign_petition(replay: Replay, item: Item, kind: str) -> None:
    petition = _petition(replay, item, kind)
    if petition is None:
        return
    name = petition["name"]
    signer = item.actor
    if signer is None:
        replay.problem(item, f"a signature on {name} names no signer")
    elif signer in petition["signed"]:
        replay.problem(item, f"{signer} signed {name} twice")
    elif petition["signers"] is not None and signer not in petition["signers"]:
        replay.problem(item, f"{signer} signed {name} but was not among the members entitled to sign it")
    signed_at = _time(item.at)
    if petition["expires"] is not None and (signed_at is None or signed_at >= petition["expires"]):
        replay.problem(
            item,
            f"{signer} signed {name} after its {petition['window']}-day window closed "
            f"({petition['expires']:%Y-%m-%d %H:%M})",
        )
    petition["signed"].add(signer)
    petition["count"] += 1
    if item.payload.get("signatures") != petition["count"]:
        replay.problem(
            item,
            f"{name} says {counted(item.payload.get('signatures'), 'signature', 'signatures')} "
            f"but the record holds {petition['count']}",
        )
    threshold = petition["threshold"]
    if petition["reached_at"] is None and isinstance(threshold, int) and petition["count"] >= threshold:
        petition["reached_at"] = signed_at


def _short(petition: Mapping[str, Any], what: str) -> str | None:
    """Why `what` came too early for `petition`, or None when its signatures reached its threshold."""
    threshold = petition["threshold"]
    if isinstance(threshold, int) and petition["count"] >= threshold:
        return None
    return (
        f"{what} with {counted(petition['count'], 'signature', 'signatures')} on {petition['name']}, "
        f"short of the {threshold} needed"
    )


@rule("recall.petition_started")
def _recall_started(replay: Replay, item: Item) -> None:
    _start_petition(replay, item, "recall", "recall_signature_share")


@rule("recall.signed")
def _recall_signed(replay: Replay, item: Item) -> None:
    _sign_petition(replay, item, "recall")


@rule("recall.vote_called")
def _recall_vote_called(replay: Replay, item: Item) -> None:
    petition = _petition(replay, item, "recall")
    if petition is None:
        return
    p = item.payload
    name = petition["name"]
    short = _short(petition, "a recall vote was called")
    if short is not None:
        replay.problem(item, short)
    petition["motion"] = p.get("motion")
    document = constitution_version(replay, p.get("constitution_version"))
    within = p.get("within_days") if document is None else document.get("recall_vote_within_days")
    if p.get("within_days") not in (None, within):
        replay.problem(
            item,
            f"the recall vote on {name} applies {counted(p.get('within_days'), 'day', 'days')} to open it; "
            f"the constitution sets {within}",
        )
    vote = replay.table("votes").get(p.get("vote") or "")
    opened = _time(vote["opened_at"] if vote is not None else item.at)
    reached = petition["reached_at"]
    if type(within) is not int or reached is None:
        replay.note("some recall votes do not say within how many days they had to open: not checked")
        return
    # Held within the days: opened by then, closing by then, and no ballot taken after.
    deadline = reached + duration(within, "days")
    if opened is None or opened > deadline:
        replay.problem(
            item,
            f"the recall vote on {name} was opened more than {counted(within, 'day', 'days')} after the "
            "petition reached "
            f"its threshold ({reached:%Y-%m-%d %H:%M})",
        )
    closes = vote["closes_at"] if vote is not None else _time(p.get("closes_at"))
    if closes is None or closes > deadline:
        when = "has no closing time" if closes is None else f"closes {closes:%Y-%m-%d %H:%M}"
        replay.problem(
            item,
            f"the recall vote on {name} {when}, but it must be held within "
            f"{counted(within, 'day', 'days')} of the petition "
            f"reaching its threshold, by {deadline:%Y-%m-%d %H:%M}",
        )
    if vote is not None:
        vote["held_by"] = (f"the recall vote on {name}", within, deadline)


@rule("recall.decided")
def _recall_decided(replay: Replay, item: Item) -> None:
    petition = _petition(replay, item, "recall")
    if petition is None:
        return
    motion = item.payload.get("motion")
    result = replay.table("vote_results").get(str(motion))
    if result is None or motion != petition.get("motion"):
        replay.problem(item, f"{petition['name']} was decided without the vote it called")
    elif bool(item.payload.get("recalled")) != (result.get("outcome") == vote_rules.ADOPTED):
        replay.problem(item, "the recall decision does not follow the recall vote's result")


@rule("agenda.petition_started")
def _agenda_started(replay: Replay, item: Item) -> None:
    petition = _start_petition(replay, item, "agenda", "agenda_petition_share")
    if petition is None:
        return
    stated = item.payload.get("councils_threshold")
    council = replay.table("councils").get(item.council or "")
    document = petition["document"]
    name = petition["name"]
    if council is not None and council["is_base"]:
        needed = None
        if stated is not None:
            replay.problem(
                item,
                f"{name} may be forced by the backing of {counted(stated, 'council', 'councils')}, "
                "but only its members sign a petition to a base council",
            )
    else:
        known = council is not None and document is not None
        needed = document.get("agenda_petition_councils") if known else stated
        if stated != needed:
            replay.problem(
                item,
                f"{name} may be forced by the backing of {counted(stated, 'council', 'councils')}, "
                f"but the constitution sets {needed}",
            )
    petition.update(council=item.council, councils_threshold=needed, supports={}, backing=set(), forced=False)


@rule("agenda.petition_signed")
def _agenda_signed(replay: Replay, item: Item) -> None:
    _sign_petition(replay, item, "agenda")


@rule("agenda.support_proposed")
def _support_proposed(replay: Replay, item: Item) -> None:
    petition = _petition(replay, item, "agenda")
    support = item.payload.get("support")
    if petition is not None and isinstance(support, str):
        petition["supports"][support] = {"council": item.council, "motion": item.payload.get("motion")}


@rule("agenda.petition_backed")
def _petition_backed(replay: Replay, item: Item) -> None:
    petition = _petition(replay, item, "agenda")
    if petition is None:
        return
    name = petition["name"]
    support = petition["supports"].get(item.payload.get("support") or "")
    result = None if support is None else replay.table("vote_results").get(str(support["motion"]))
    if result is None and replay.not_replayed:
        # The backing council's motion and vote may lie in entries the reader cannot see.
        replay.note("some petitions are backed by councils whose decisions you may not read")
        petition["backing"].add(item.payload.get("support"))
    elif support is None or result is None or result.get("outcome") != vote_rules.ADOPTED:
        replay.problem(item, f"{name} counts the backing of a council that did not adopt a motion to back it")
    elif support["council"] in petition["backing"]:
        replay.problem(item, f"council {support['council']} backed {name} twice")
    else:
        below = _sits_below(replay, support["council"], petition["council"])
        if below is False:
            replay.problem(
                item,
                f"{name} counts the backing of council {support['council']}, which does not sit below "
                f"council {petition['council']}, whose agenda the petition is for",
            )
        else:
            if below is None:
                replay.note(
                    "some petitions are backed by councils whose place in the federation you may not read"
                )
            petition["backing"].add(support["council"])
    if item.payload.get("councils") != len(petition["backing"]):
        replay.problem(
            item,
            f"{name} says {counted(item.payload.get('councils'), 'council backs', 'councils back')} it, "
            f"but the record holds {len(petition['backing'])}",
        )


@rule("agenda.item_forced")
def _item_forced(replay: Replay, item: Item) -> None:
    if item.payload.get("by") == "report_due":
        return
    petition = _petition(replay, item, "agenda")
    if petition is None:
        return
    name = petition["name"]
    if petition["forced"]:
        replay.problem(item, f"the item of {name} was forced onto the agenda twice")
    petition["forced"] = True
    what = "an item was forced onto the agenda"
    if item.payload.get("by") != "councils":
        short = _short(petition, what)
        if short is not None:
            replay.problem(item, short)
        return
    needed, backing = petition["councils_threshold"], len(petition["backing"])
    if type(needed) is not int or backing < needed:
        replay.problem(
            item,
            f"{what} with the backing of {counted(backing, 'council', 'councils')} for {name}, which needs "
            f"{needed if type(needed) is int else 'the signatures of its members'}",
        )


# Elections: candidates and electorate frozen at opening, ballots cast once by electors, and the count.


def _words(values: object) -> str:
    """Winners or a stage's totals from an entry, in words."""
    if isinstance(values, Mapping):
        return ", ".join(f"{name} {votes}" for name, votes in values.items()) or "no totals"
    if isinstance(values, list):
        return ", ".join(map(str, values)) or "nobody"
    return "nothing"


def _ballots_cast(count: int) -> str:
    return f"{counted(count, 'ballot', 'ballots')} cast"


def _election_name(election: Mapping[str, Any], uuid: str) -> str:
    title = election.get("title")
    return f'election "{title}" ({uuid})' if isinstance(title, str) and title else f"election {uuid}"


def _election(replay: Replay, item: Item) -> tuple[str, dict[str, Any]] | None:
    """The election an entry names, as the earlier entries describe it; None (with a note) if unseen."""
    uuid = item.payload.get("election")
    election: dict[str, Any] | None = replay.table("elections").get(uuid or "")
    if election is None:
        replay.note("some election entries belong to elections opened in entries you may not read")
        return None
    if not election["opened"]:
        replay.problem(
            item, f"{_election_name(election, str(uuid))} has an {item.event} entry before it opened"
        )
        return None
    return str(uuid), election


@rule("election.called")
def _election_called(replay: Replay, item: Item) -> None:
    p = item.payload
    uuid = p.get("election")
    if isinstance(uuid, str):
        replay.table("elections")[uuid] = {
            "title": p.get("title"),
            "opened": False,
            # Candidacy to person, of those nominated and not withdrawn: whom a slate may name.
            "nominees": {},
            # Candidacies whose candidate agreed to stand.
            "accepted": set(),
            # Called by the rules (a by-election, or the election for the next term): None when the
            # entry predates `nominations_close_at`, else when the rules may open its poll.
            "by_rules": item.actor is None,
            "nominations_close_at": _time(p.get("nominations_close_at")),
            "close_known": "nominations_close_at" in p,
            "failed": False,
        }


def _nominees(replay: Replay, item: Item) -> dict[str, Any] | None:
    """The nominees of the election an entry names; None when its call is not in the entries read."""
    election = replay.table("elections").get(item.payload.get("election") or "")
    return None if election is None else election.get("nominees")


@rule("election.nominated")
def _election_nominated(replay: Replay, item: Item) -> None:
    nominees = _nominees(replay, item)
    if nominees is not None:
        nominees[str(item.payload.get("candidacy"))] = item.payload.get("candidate")
        if item.payload.get("accepted") is True:
            _accepted(replay, item).add(str(item.payload.get("candidacy")))


def _accepted(replay: Replay, item: Item) -> set[str]:
    """The candidacies accepted in the election an entry names (an empty set when its call is unseen)."""
    election = replay.table("elections").get(item.payload.get("election") or "")
    return set() if election is None else election.setdefault("accepted", set())


@rule("election.nomination_accepted")
def _election_nomination_accepted(replay: Replay, item: Item) -> None:
    _accepted(replay, item).add(str(item.payload.get("candidacy")))


@rule("election.nominations_recorded")
def _election_nominations_recorded(replay: Replay, item: Item) -> None:
    nominees = _nominees(replay, item)
    if nominees is not None:
        for nomination in item.payload["nominations"]:
            nominees[str(nomination["candidacy"])] = nomination["candidate"]
            _accepted(replay, item).add(str(nomination["candidacy"]))


@rule("election.nomination_withdrawn")
def _election_nominee_withdrawn(replay: Replay, item: Item) -> None:
    nominees = _nominees(replay, item)
    if nominees is not None:
        nominees.pop(str(item.payload.get("candidacy")), None)


@rule("election.opened")
def _election_opened(replay: Replay, item: Item) -> None:
    p = item.payload
    uuid = p.get("election")
    if not isinstance(uuid, str):
        replay.problem(item, "an election was opened without naming the election")
        return
    election = replay.table("elections").setdefault(uuid, {"title": None})
    name = _election_name(election, uuid)
    if election.get("opened") or election.get("failed"):
        replay.problem(item, f"{name} was opened {'twice' if election.get('opened') else 'after it failed'}")
        return
    if item.actor is None:
        _check_opened_by_rules(replay, item, name, election)
    listed = p.get("candidates")
    candidates = {
        str(c.get("candidacy")): str(c.get("person"))
        for c in (listed if isinstance(listed, list) else [])
        if isinstance(c, Mapping)
    }
    if ballot_rules.list_hash(f"{c}:{person}" for c, person in candidates.items()) != p.get(
        "candidates_hash"
    ):
        replay.problem(item, f"the candidates of {name} are not the list whose hash was frozen at opening")
    electorate = recorded_voters(replay, item.council)
    if electorate is None or ballot_rules.list_hash(electorate) != p.get("electorate_hash"):
        electorate = None
        replay.note(
            "some elections' electorates cannot be rebuilt from the entries you may read: "
            "their voters were checked for voting twice only"
        )
    closes_at = _time(p.get("closes_at"))
    if "closes_at" in p:
        _check_closing_time(replay, item, name, closes_at, _poll_length_check(replay, item))
    election.update(
        opened=True,
        council=item.council,
        # None: an election opened before polls had a closing time, closed by hand.
        closes_at=closes_at,
        size=p.get("electorate_size"),
        closed=None,
        # True once the poll closed with no ballot to count (`election.failed`).
        failed=False,
        certified=False,
        method=p.get("method"),
        seats=p.get("seats"),
        candidates=candidates,
        electorate=electorate,
        voters=set(),
        withdrawn=set(),
        # Winners withdrawn after the close whose recount has not yet been recorded.
        pending=set(),
    )


POLL_LENGTHS = ("election_poll_min_minutes", "election_poll_max_days")


def _poll_length_check(replay: Replay, item: Item) -> Callable[..., None]:
    """The closing times the constitution in force at an election's opening allowed.

    An election opened before it named its constitution was held to the lengths then fixed in the
    code, the defaults'; a version adopted before they were settings leaves them at the defaults.
    Where the record does not hold the version's text, only that the poll closes after it opens.
    """
    if "constitution" in item.payload:
        document = constitution_version(replay, item.payload.get("constitution"))
    else:
        document = {}
    if document is None:
        replay.note(
            "some elections name a constitution version whose text the record does not hold: "
            "their closing times were not checked against its shortest and longest poll"
        )
        return polls.check_closes_after_opening
    defaults = Constitution()
    rules = replace(defaults, **{name: document.get(name, getattr(defaults, name)) for name in POLL_LENGTHS})
    return partial(polls.check_closing_time, minimum=rules.election_poll_min, maximum=rules.election_poll_max)


def _election_voters(
    replay: Replay, item: Item, uuid: str, election: dict[str, Any], voters: list[str]
) -> None:
    """Each voter was in the electorate frozen at opening and still had their vote when the ballot came."""
    name = _election_name(election, uuid)
    closes_at, cast_at = election["closes_at"], _time(item.at)
    if closes_at is not None and (cast_at is None or polls.is_over(closes_at=closes_at, at=cast_at)):
        replay.problem(
            item, f"a ballot was recorded in {name} after its poll closed ({closes_at:%Y-%m-%d %H:%M} UTC)"
        )
    # An electorate rebuilt from the record at opening means the record describes the council's voters.
    with_vote = recorded_voters(replay, election["council"]) if election["electorate"] is not None else None
    for voter in voters:
        _election_voter(replay, item, name, election, voter, with_vote)


def _election_voter(
    replay: Replay, item: Item, name: str, election: dict[str, Any], voter: str, with_vote: set[str] | None
) -> None:
    if election["closed"] is not None or election["failed"]:
        replay.problem(item, f"a ballot of {voter} was recorded in {name} after it closed")
    elif election["electorate"] is not None and voter not in election["electorate"]:
        replay.problem(
            item, f"{voter} voted in {name} but was not in the electorate frozen when voting opened"
        )
    elif with_vote is not None and voter not in with_vote:
        replay.problem(
            item,
            f"{voter} voted in {name} after their vote in its council ended "
            "(they left, lost their rights or their seat)",
        )
    elif voter in election["voters"]:
        replay.problem(item, f"{voter} voted twice in {name}")
    election["voters"].add(voter)


@rule("election.ballot_cast")
def _election_ballot_cast(replay: Replay, item: Item) -> None:
    found = _election(replay, item)
    if found is None:
        return
    if not isinstance(item.actor, str):
        replay.problem(item, f"a ballot in {_election_name(found[1], found[0])} names no voter")
        return
    _election_voters(replay, item, *found, [item.actor])


@rule("election.paper_ballots_recorded")
def _election_paper_ballots(replay: Replay, item: Item) -> None:
    found = _election(replay, item)
    if found is None:
        return
    voters = item.payload.get("voters")
    voters = [str(v) for v in voters] if isinstance(voters, list) else []
    if item.payload.get("ballots") != len(voters):
        replay.problem(
            item,
            f"{_election_name(found[1], found[0])}: {item.payload.get('ballots')} paper ballots were entered "
            f"for a list of {counted(len(voters), 'voter', 'voters')}",
        )
    _election_voters(replay, item, *found, voters)


@rule("election.nomination_withdrawn")
def _election_nomination_withdrawn(replay: Replay, item: Item) -> None:
    """A candidate withdrawn after voting opened stays on the ballot and the count passes over them.

    After the close only a winner who has lost their vote in the council may be withdrawn, at
    certification, and a recount (`election.recounted`) must follow before the result is certified.
    """
    uuid = item.payload.get("election")
    election: dict[str, Any] | None = replay.table("elections").get(uuid or "")
    if election is None or not election["opened"]:
        return
    name = _election_name(election, str(uuid))
    candidacy = str(item.payload.get("candidacy"))
    closed = election["closed"]
    if candidacy not in election["candidates"]:
        replay.problem(item, f"{candidacy} was withdrawn from {name} but was not on its ballot")
    elif election["failed"]:
        replay.problem(item, f"a candidate of {name} was withdrawn after it failed")
    elif closed is None:
        election["withdrawn"].add(candidacy)
    elif election["certified"] or candidacy not in closed["elected"]:
        replay.problem(
            item, f"a candidate of {name} was withdrawn after it closed who was not a winner to seat"
        )
    elif _still_votes(replay, election, election["candidates"][candidacy]):
        replay.problem(
            item,
            f"winner {candidacy} was withdrawn from {name} after it closed, "
            "though they still had a vote in its council",
        )
    else:
        election["withdrawn"].add(candidacy)
        election["pending"].add(candidacy)


def _still_votes(replay: Replay, election: Mapping[str, Any], person: str) -> bool:
    """Whether the record shows `person` still voting in the election's council; False if it cannot tell."""
    # An electorate rebuilt from the record at opening means the record describes the council's voters.
    if election["electorate"] is None:
        replay.note(
            "some winners withdrawn at certification belong to councils whose voters cannot be rebuilt "
            "from the entries you may read: that they had lost their vote was not checked"
        )
        return False
    return person in (recorded_voters(replay, election["council"]) or ())


def _published_rankings(
    replay: Replay, item: Item, name: str, election: Mapping[str, Any], published: list[Any]
) -> list[ballot_rules.Ranking] | None:
    """The ballots of a published ballot set, each checked as the ballot box checked it; None if any fails."""
    rankings: list[ballot_rules.Ranking] = []
    candidates = list(election["candidates"])
    for group in published:
        ranking = group.get("ranking") if isinstance(group, Mapping) else None
        weight = group.get("weight") if isinstance(group, Mapping) else None
        try:
            if type(weight) is not int or weight < 1 or not isinstance(ranking, list):
                raise InvalidInputError("it is not a ranking with a number of ballots")
            marks = [str(c) for level in ranking for c in level]
            ranked = election["method"] in ballot_rules.RANKED
            stored = ballot_rules.normalise_ballot(
                method=str(election["method"]),
                seats=int(election["seats"]),
                candidates=candidates,
                ranking=marks if ranked else [],
                approvals=[] if ranked else marks,
            )
            if stored != ranking:
                raise InvalidInputError("it is not in the form the ballot box stores")
        except (InvalidInputError, TypeError, ValueError) as exc:
            replay.problem(item, f"{name}: the published ballot set holds a ballot the rules refuse ({exc})")
            return None
        rankings.extend([stored] * weight)
    return rankings


def _closed_rankings(
    replay: Replay, item: Item, uuid: str, election: Mapping[str, Any]
) -> list[ballot_rules.Ranking] | None:
    """The ballots `election.closed` published, checked against its hash; None if it published none usable."""
    p = item.payload
    name = _election_name(election, uuid)
    published = p.get("ballot_set")
    if not isinstance(published, list):
        replay.note(
            "elections closed before the record carried their ballot sets are checked against their "
            "certification, not recounted"
        )
        return None
    rankings = _published_rankings(replay, item, name, election, published)
    if rankings is None:
        return None
    if len(rankings) != p.get("ballots"):
        replay.problem(
            item,
            f"{name}: the count says {counted(p.get('ballots'), 'ballot', 'ballots')} but "
            f"{len(rankings)} were published",
        )
    if ballot_rules.ballot_set_hash(rankings) != p.get("ballot_set_hash"):
        replay.problem(
            item, f"{name}: the published ballots are not the ballot set whose hash the count recorded"
        )
    return rankings


def _recount(
    replay: Replay,
    item: Item,
    uuid: str,
    election: Mapping[str, Any],
    rankings: list[ballot_rules.Ranking],
    seed: object,
) -> dict[str, Any] | None:
    """Count the published ballots, passing over the withdrawn; None if they cannot be counted."""
    try:
        return count(
            ballot_rules.tally_election(
                candidates=sorted(election["candidates"]),
                withdrawn=election["withdrawn"],
                seats=int(election["seats"]),
                rankings=rankings,
                title=str(election.get("title") or ""),
            ),
            method=str(election["method"]),
            seed=seed if isinstance(seed, str) else None,
        ).to_json()
    except (DomainError, TypeError, ValueError) as exc:
        replay.problem(
            item, f"{_election_name(election, uuid)}: the published ballots cannot be recounted ({exc})"
        )
        return None


def _check_poll_closed(replay: Replay, item: Item, name: str, election: dict[str, Any]) -> int:
    """The poll was closed before its closing time only by an officer, once every elector had voted.

    The rules close a poll at its closing time, never before (`tasks.close_due_election`), so an early
    close with no officer named is reported too. Returns the turnout: the ballots the record holds.
    """
    voted = len(election["voters"])
    closes_at, closed_at, size = election["closes_at"], _time(item.at), election["size"]
    if closes_at is None:
        return voted
    if not isinstance(size, int):
        replay.note(
            "some elections do not say how many could vote: whether they closed early was not checked"
        )
        return voted
    if closed_at is None or polls.closes_too_early(
        closes_at=closes_at, at=closed_at, turnout=voted, electorate=size
    ):
        by = f" by {item.actor}" if item.actor is not None else ""
        replay.problem(
            item,
            f"{name} was closed{by} before its poll's closing time "
            f"with {voted} of {size} electors having voted",
        )
    return voted


def _already_closed(replay: Replay, item: Item, name: str, election: Mapping[str, Any]) -> bool:
    """Whether the poll was already closed, counted or failed; reported as closed twice."""
    if election["closed"] is None and not election["failed"]:
        return False
    replay.problem(item, f"{name} was closed twice")
    return True


@rule("election.failed")
def _election_failed(replay: Replay, item: Item) -> None:
    """An election fails only when it can elect nobody: no ballot, or no candidate left to count.

    For want of ballots it fails at the close of its poll, when the poll may be closed, with no
    ballot recorded. For want of candidates it fails either at that close or, after its count, at
    certification once the countback has been recorded; either way every candidate on its ballot
    must by then have been withdrawn.
    """
    unopened = replay.table("elections").get(item.payload.get("election") or "")
    if unopened is not None and not unopened["opened"]:
        _failed_before_opening(replay, item, str(item.payload.get("election")), unopened)
        return
    found = _election(replay, item)
    if found is None:
        return
    uuid, election = found
    name = _election_name(election, uuid)
    reason, turnout = item.payload.get("reason"), item.payload.get("turnout")
    if reason == "no_candidates" and election["closed"] is not None:
        if election["certified"] or election["failed"]:
            replay.problem(
                item, f"{name} failed {'after its certification' if election['certified'] else 'twice'}"
            )
            return
        voted = len(election["voters"])
    elif _already_closed(replay, item, name, election):
        return
    else:
        voted = _check_poll_closed(replay, item, name, election)
    election["failed"] = True
    if reason == "no_candidates":
        standing = sorted(set(election["candidates"]) - election["withdrawn"])
        if standing:
            replay.problem(
                item,
                f"{name} was recorded as failed for want of candidates, but {_words(standing)} "
                "had not been withdrawn",
            )
        if election["pending"]:
            replay.problem(
                item, f"{name} failed after winners were withdrawn without counting its ballots again"
            )
        if turnout != voted:
            replay.problem(
                item,
                f"{name}: the record holds {_ballots_cast(voted)}, "
                f"but its failure reports a turnout of {turnout}",
            )
    elif reason == "no_ballots":
        if voted or turnout != voted:
            replay.problem(
                item,
                f"{name} was recorded as failed for want of ballots, but the record holds "
                f"{_ballots_cast(voted)} and the entry reports a turnout of {turnout}",
            )
    else:
        replay.problem(item, f"{name} was recorded as failed for a reason the rules do not know: {reason!r}")


@rule("election.closed")
def _election_closed(replay: Replay, item: Item) -> None:
    found = _election(replay, item)
    if found is None:
        return
    uuid, election = found
    p = item.payload
    name = _election_name(election, uuid)
    if _already_closed(replay, item, name, election):
        return
    voted = _check_poll_closed(replay, item, name, election)
    if p.get("turnout") != voted or p.get("ballots") != voted:
        replay.problem(
            item,
            f"{name}: the record holds {_ballots_cast(voted)}, but the count reports a turnout of "
            f"{p.get('turnout')} and {counted(p.get('ballots'), 'ballot', 'ballots')}",
        )
    rankings = _closed_rankings(replay, item, uuid, election)
    recount = None if rankings is None else _recount(replay, item, uuid, election, rankings, p.get("seed"))
    if recount is not None and recount["elected"] != p.get("elected"):
        replay.problem(
            item,
            f"{name}: the published winners are {_words(p.get('elected'))} "
            f"but the ballots recount to {_words(recount['elected'])}",
        )
    election["closed"] = {
        "elected": p.get("elected"),
        "seed": p.get("seed"),
        "ballot_set_hash": p.get("ballot_set_hash"),
        "rankings": rankings,
        "recount": recount,
    }


def _count_difference(published: Mapping[str, Any], recount: Mapping[str, Any]) -> str | None:
    """How a published count document differs from the recount, in words; None when it is the recount."""
    if published.get("elected") != recount["elected"]:
        elected = _words(published.get("elected"))
        return f"it elects {elected} but the ballots recount to {_words(recount['elected'])}"
    stages = published.get("stages")
    stages = stages if isinstance(stages, list) else []
    for number, (theirs, ours) in enumerate(zip(stages, recount["stages"], strict=False), start=1):
        if theirs != ours:
            totals = theirs.get("totals") if isinstance(theirs, Mapping) else None
            return (
                f"its stage {number} gives {_words(totals)} where the recount gives {_words(ours['totals'])}"
            )
    if dict(published) != recount:
        return "its stages, quota, seed or ties are not the recount's"
    return None


@rule("election.certified")
def _election_certified(replay: Replay, item: Item) -> None:
    found = _election(replay, item)
    if found is None:
        return
    uuid, election = found
    p = item.payload
    name = _election_name(election, uuid)
    closed = election["closed"]
    if closed is None or election["certified"] or election["failed"]:
        when = (
            "twice"
            if election["certified"]
            else "though it failed"
            if election["failed"]
            else "before its count"
        )
        replay.problem(item, f"{name} was certified {when}")
        return
    election["certified"] = True
    if item.actor is None and _rules_did_not_call(replay, election):
        replay.problem(item, f"{name} was certified by the rules, but the rules did not call it")
    if election["pending"]:
        replay.problem(
            item, f"{name} was certified after winners were withdrawn without counting its ballots again"
        )
    listed = p.get("elected")
    seated = [e for e in listed if isinstance(e, Mapping)] if isinstance(listed, list) else []
    if [e.get("candidacy") for e in seated] != closed["elected"]:
        replay.problem(item, f"{name}: the certified winners are not the ones its count elected")
    for winner in seated:
        if election["candidates"].get(str(winner.get("candidacy"))) != winner.get("person"):
            replay.problem(
                item, f"{name}: {winner.get('person')} is certified for a candidacy that was not theirs"
            )
    if p.get("ballot_set_hash") != closed["ballot_set_hash"]:
        replay.problem(item, f"{name}: the certification names another ballot set than the count")
    document = p.get("count")
    document = document if isinstance(document, Mapping) else {}
    if closed["recount"] is not None:
        difference = _count_difference(document, closed["recount"])
        if difference is not None:
            replay.problem(
                item, f"{name}: the certified count is not the recount of its ballots: {difference}"
            )
    elif document.get("elected") != closed["elected"] or document.get("seed") != closed["seed"]:
        replay.problem(item, f"{name}: the certified count does not elect whom the closed count elected")


@rule("election.recounted")
def _election_recounted(replay: Replay, item: Item) -> None:
    """A countback: the winners just withdrawn, and the close's ballots counted again without them."""
    found = _election(replay, item)
    if found is None:
        return
    uuid, election = found
    p = item.payload
    name = _election_name(election, uuid)
    closed = election["closed"]
    if closed is None or election["certified"] or election["failed"]:
        when = (
            "after its certification"
            if election["certified"]
            else "after it failed"
            if election["failed"]
            else "before its count"
        )
        replay.problem(item, f"{name} was recounted {when}")
        return
    listed = p.get("withdrawn")
    withdrawn = (
        {str(w.get("candidacy")) for w in listed if isinstance(w, Mapping)}
        if isinstance(listed, list)
        else set()
    )
    if not election["pending"] or withdrawn != election["pending"]:
        replay.problem(
            item,
            f"{name} was recounted without {_words(sorted(withdrawn))}, "
            f"but the winners withdrawn since its last count are {_words(sorted(election['pending']))}",
        )
    election["pending"] = set()
    if p.get("ballot_set_hash") != closed["ballot_set_hash"] or p.get("seed") != closed["seed"]:
        replay.problem(
            item, f"{name}: the recount names another ballot set or seed than the count at the close"
        )
    if closed["rankings"] is None:
        closed["elected"] = p.get("elected")
        return
    recount = _recount(replay, item, uuid, election, closed["rankings"], closed["seed"])
    if recount is None:
        return
    document = p.get("count")
    difference = _count_difference(document if isinstance(document, Mapping) else {}, recount)
    if p.get("elected") != recount["elected"]:
        difference = (
            f"it elects {_words(p.get('elected'))} but the ballots recount to {_words(recount['elected'])}"
        )
    if difference is not None:
        replay.problem(item, f"{name}: the published recount is not the recount of its ballots: {difference}")
    closed["elected"] = recount["elected"]
    closed["recount"] = recount


# The constitution's numbers, where the record holds the constitution's text.


# Platforms: a slate is run in an election still to be polled, and names only its nominees still standing.


@rule("platform.slate_published")
def _slate_published(replay: Replay, item: Item) -> None:
    uuid = item.payload.get("election")
    election: dict[str, Any] | None = replay.table("elections").get(uuid or "")
    if election is None or "nominees" not in election:
        if replay.not_replayed:
            replay.note(
                "some slates are for elections called in entries you may not read: "
                "their candidates were not checked"
            )
        else:
            replay.problem(item, f"a slate was published for election {uuid}, which the record never called")
        return
    name = _election_name(election, str(uuid))
    if election.get("closed") is not None or election.get("failed"):
        replay.problem(item, f"a slate was published for {name} after its poll closed")
    standing = set(election["nominees"].values())
    outside = [str(c) for c in item.payload["candidates"] if c not in standing]
    if outside:
        replay.problem(
            item, f"a slate for {name} names {', '.join(outside)}, not nominated in it or withdrawn"
        )


@rule("constitution.adopted")
def _constitution_adopted(replay: Replay, item: Item) -> None:
    lineage = replay.table("constitution")
    document, recorded = item.payload.get("document"), item.payload.get("hash")
    if isinstance(document, Mapping) and "hash" in item.payload and recorded != content_hash(document):
        replay.problem(
            item,
            f"constitution version 1 is recorded with the hash {recorded}, "
            f"but the text recorded with it hashes to {content_hash(document)}",
        )
    if lineage.get("versions") is not None or not isinstance(document, Mapping):
        # Several federations in one log: their version numbers would collide.
        lineage["versions"] = {}
        lineage["ambiguous"] = True
        return
    lineage["versions"] = {1: dict(document)}
    lineage["hashes"] = {1: recorded}


def _replaces_adopted(replay: Replay, item: Item, version: object, named: object, what: str) -> None:
    """Report `what` when the hash it names for `version` is not the one that version was adopted with.

    Each version keeps the hash recorded at its adoption, so an amendment shows that it replaces
    exactly the text adopted. Version 0 is not checked: the defaults are not recorded, and settings
    added since change them.
    """
    lineage = replay.table("constitution")
    if type(version) is not int or lineage.get("ambiguous"):
        return
    adopted = (lineage.get("hashes") or {}).get(version)
    if isinstance(adopted, str) and named != adopted:
        replay.problem(
            item,
            f"{what} names constitution version {version} by the hash {named}, "
            f"but that version was adopted with the hash {adopted}",
        )


@rule("constitution.amendment_proposed")
def _amendment_proposed(replay: Replay, item: Item) -> None:
    p = item.payload
    amendment, changes = p.get("amendment"), p.get("changes")
    _replaces_adopted(replay, item, p.get("constitution"), p.get("base_hash"), f"amendment {amendment}")
    if isinstance(amendment, str) and isinstance(changes, Mapping):
        replay.table("amendments")[amendment] = changes


@rule("constitution.amended")
def _constitution_amended(replay: Replay, item: Item) -> None:
    lineage = replay.table("constitution")
    p = item.payload
    _replaces_adopted(
        replay, item, p.get("previous"), p.get("old_hash"), f"the adoption of amendment {p.get('amendment')}"
    )
    if _is_defaults(p.get("previous")):
        # A first version adopted by amending the defaults, as founding adopts version 1.
        if lineage.get("versions") is not None:
            lineage["versions"] = {}
            lineage["ambiguous"] = True
            return
        lineage["versions"] = {}
        lineage["hashes"] = {}
    versions = lineage.get("versions")
    if versions is None:
        return
    if type(p.get("constitution")) is int:
        lineage.setdefault("hashes", {})[p["constitution"]] = p.get("new_hash")
    previous = _version_document(versions, item.payload.get("previous"))
    changes = replay.table("amendments").get(item.payload.get("amendment") or "")
    if previous is not None and changes is not None:
        after = {name: change[1] for name, change in changes.items() if isinstance(change, list) and change}
        versions[item.payload.get("constitution")] = {**previous, **after}


def _is_defaults(version: object) -> bool:
    return type(version) is int and version == DEFAULTS_VERSION


def _version_document(versions: Mapping[Any, Any], version: object) -> Mapping[str, Any] | None:
    """A version's text: adopted ones from the record, version 0 the shipped defaults."""
    if _is_defaults(version):
        return Constitution().to_document()
    document: Mapping[str, Any] | None = versions.get(version)
    return document


def constitution_version(replay: Replay, version: object) -> Mapping[str, Any] | None:
    """The text of constitution `version`; None where the record does not hold it.

    Version 0 is the shipped defaults, the same in every federation, so even a log holding several
    federations tells its numbers.
    """
    lineage = replay.table("constitution")
    if lineage.get("ambiguous") and not _is_defaults(version):
        return None
    return _version_document(lineage.get("versions") or {}, version)


def constitution_number(replay: Replay, item: Item, name: str) -> Any:
    """The number `name` in the constitution version the entry names; None where the record does not tell."""
    document = constitution_version(replay, item.payload.get("constitution"))
    return None if document is None else document.get(name)


def _time(value: object) -> datetime | None:
    """An aware moment from ISO 8601 text, or None."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


# Pay: declared in the currency of the constitution the declaration applied.


@rule("office.pay_declared")
def _pay_declared(replay: Replay, item: Item) -> None:
    p = item.payload
    if "currency" not in p:
        # Declared before declarations named their currency: the constitution's is the one meant.
        return
    name = f"the pay declared for office {p.get('office')}"
    currency = p.get("currency")
    document = constitution_version(replay, p.get("constitution_version"))
    if document is None:
        replay.note("some pay declarations name a constitution version whose text the record does not hold")
    elif currency != (document.get("pay_currency") or None):
        replay.problem(
            item,
            f"{name} is in {currency or 'no currency'}, "
            f"but the constitution sets {document.get('pay_currency') or 'none'}",
        )
    if currency is not None and (not isinstance(currency, str) or currency not in ISO_4217):
        replay.problem(item, f"{name} is in {currency!r}, which is no ISO 4217 currency")


# Meetings: called with the notice the constitution requires, opened no earlier than called for.


def meeting_name(payload: Mapping[str, Any]) -> str:
    """A meeting as the problems name it, from its `meeting.scheduled` entry's payload."""
    return f'meeting "{payload.get("title")}" ({payload.get("meeting")})'


@rule("meeting.scheduled")
def _meeting_scheduled(replay: Replay, item: Item) -> None:
    p = item.payload
    name = meeting_name(p)
    called_at, starts_at = _time(item.at), _time(p.get("starts_at"))
    if "notice_hours" not in p:
        # Called before meetings recorded their notice: there was none to keep, nor a time to open at.
        return
    replay.table("meetings")[str(p.get("meeting"))] = {"name": name, "starts_at": starts_at}
    notice, required = p.get("notice_hours"), constitution_number(replay, item, "meeting_notice_hours")
    if required is not None and notice != required:
        replay.problem(
            item,
            f"{name} applies {counted(notice, 'hour', 'hours')} of notice, but the constitution requires "
            f"{required}",
        )
    if called_at is None or starts_at is None or type(notice) is not int:
        replay.problem(item, f"{name} gives no start time with its notice")
    elif starts_at < meeting_rules.earliest_start(now=called_at, notice_hours=notice):
        replay.problem(
            item,
            f"{name} was called for {starts_at:%Y-%m-%d %H:%M}, less than "
            f"{counted(notice, 'hour', 'hours')} after it was called",
        )


@rule("meeting.opened")
def _meeting_opened(replay: Replay, item: Item) -> None:
    # Who is present, for the quorum and the speakers' list: those marked present once it opened.
    replay.table("present")[str(item.payload.get("meeting"))] = set()
    meeting = replay.table("meetings").get(str(item.payload.get("meeting")))
    if meeting is None:
        # Called before the rule, or called in entries the reader cannot see.
        return
    meeting.update(constitution=item.payload.get("constitution"))
    opened_at = _time(item.at)
    if meeting["starts_at"] is not None and opened_at is not None and opened_at < meeting["starts_at"]:
        replay.problem(
            item,
            f"{meeting['name']} was opened at {opened_at:%Y-%m-%d %H:%M}, before the time it was called for "
            f"({meeting['starts_at']:%Y-%m-%d %H:%M})",
        )


@rule("meeting.attended")
def _meeting_attended(replay: Replay, item: Item) -> None:
    present = replay.table("present").get(str(item.payload.get("meeting")))
    if present is not None:
        present.add(item.payload.get("member"))


@rule("meeting.item_added")
def _meeting_item_added(replay: Replay, item: Item) -> None:
    """A motion or an election goes on a meeting's agenda once, and an election only until it is over."""
    p = item.payload
    meeting = str(p.get("meeting"))
    agenda: dict[tuple[str, str], object] = replay.table("agendas").setdefault(meeting, {})
    known = replay.table("meetings").get(meeting)
    where = known["name"] if known is not None else f"meeting {meeting}"
    for what in ("motion", "election"):
        name = p.get(what)
        if name is None:
            continue
        if (what, str(name)) in agenda:
            replay.problem(item, f"{what} {name} was put on the agenda of {where} twice")
        agenda[(what, str(name))] = p.get("item")
    election = replay.table("elections").get(str(p.get("election")))
    if election is not None and (election.get("certified") or election.get("failed")):
        over = "certified" if election.get("certified") else "failed"
        replay.problem(
            item,
            f"{_election_name(election, str(p.get('election')))} was put on the agenda of {where} "
            f"after it was {over}",
        )


@rule("meeting.item_withdrawn")
def _meeting_item_withdrawn(replay: Replay, item: Item) -> None:
    agenda = replay.table("agendas").get(str(item.payload.get("meeting")), {})
    for key in [k for k, v in agenda.items() if v == item.payload.get("item")]:
        del agenda[key]


@rule("meeting.item_taken")
def _meeting_item_taken(replay: Replay, item: Item) -> None:
    """Business is taken only with the quorum of the council's voters present."""
    meeting = replay.table("meetings").get(str(item.payload.get("meeting")))
    if meeting is None or "constitution" not in meeting or item.payload.get("item") is None:
        return
    document = constitution_version(replay, meeting["constitution"])
    voters = recorded_voters(replay, item.council)
    if document is None or voters is None:
        replay.note(
            "some meetings took business in councils whose voters you may not read: quorum not checked"
        )
        return
    needed = meeting_rules.quorum(
        voters=len(voters), share=Decimal(str(document.get("meeting_quorum_share", 0)))
    )
    present = len(replay.table("present")[str(item.payload.get("meeting"))] & voters)
    if present < needed:
        replay.problem(
            item,
            f"{meeting['name']} took an item with {present} of {counted(len(voters), 'voter', 'voters')} "
            f"present; {needed} needed",
        )


# Due process: charges, notice, hearing, a vote of the member's own council, then the penalty; appeals.


def _case(replay: Replay, item: Item, doing: str) -> tuple[str, dict[str, Any]] | None:
    uuid = item.payload.get("case")
    case: dict[str, Any] | None = replay.table("cases").get(uuid or "")
    if case is None:
        replay.problem(item, f"{doing} in discipline case {uuid}, but the record holds no charges for it")
        return None
    return str(uuid), case


@rule("discipline.charged")
def _charged(replay: Replay, item: Item) -> None:
    p = item.payload
    uuid = p.get("case")
    cases = replay.table("cases")
    if not isinstance(uuid, str) or uuid in cases:
        replay.problem(item, f"charges were recorded under a missing or reused case number ({uuid})")
        return
    membership = replay.table("memberships").get(p.get("membership") or "")
    if membership is None or (membership["council"], membership["member"]) != (item.council, p.get("member")):
        replay.problem(
            item, f"case {uuid} charges someone who is not a member of the council that charged them"
        )
    elif membership["status"] not in ("full", "candidate"):
        replay.problem(
            item, f"case {uuid} charges a member who is not in good standing ({membership['status']})"
        )
    accusers = recorded_voters(replay, item.council) or set()
    if item.actor not in accusers or item.actor == p.get("member"):
        replay.problem(
            item, f"the charges in case {uuid} were not brought by another full member of the council"
        )
    charged_at, hearing_at = _time(item.at), _time(p.get("hearing_at"))
    notice = p.get("notice_days")
    required = constitution_number(replay, item, "hearing_notice_days")
    if required is not None and notice != required:
        replay.problem(
            item,
            f"case {uuid} applies {counted(notice, 'day', 'days')} of notice, but the constitution "
            f"requires {required}",
        )
    if charged_at is None or hearing_at is None or type(notice) is not int:
        replay.problem(item, f"case {uuid} gives the accused no hearing date with its notice")
    elif hearing_at < charged_at + duration(notice, "days"):
        replay.problem(
            item,
            f"case {uuid} set the hearing for {hearing_at:%Y-%m-%d %H:%M}, less than "
            f"{counted(notice, 'day', 'days')} after "
            "the accused was given notice",
        )
    cases[uuid] = {
        "council": item.council,
        "membership": p.get("membership"),
        "member": p.get("member"),
        "penalty": p.get("penalty"),
        "suspension_days": p.get("suspension_days"),
        "accuser": item.actor,
        "hearing_at": hearing_at,
        "status": "charged",
        "motion": None,
        "threshold": None,
        "decided_at": None,
        "until": None,
        "appeals": [],
        # When an appeal reversed the decision: the member is reinstated in that same action, once.
        "reversed_at": None,
        "reinstated": False,
    }


@rule("discipline.defence_submitted")
def _defence(replay: Replay, item: Item) -> None:
    found = _case(replay, item, "a defence was filed")
    if found is None:
        return
    uuid, case = found
    if item.actor != case["member"]:
        replay.problem(item, f"a defence in case {uuid} was filed by someone other than the accused")
    if case["status"] not in ("charged", "heard"):
        replay.problem(item, f"a defence in case {uuid} was filed after the vote was called")


@rule("discipline.heard")
def _heard(replay: Replay, item: Item) -> None:
    found = _case(replay, item, "a hearing was recorded")
    if found is None:
        return
    uuid, case = found
    heard_at = _time(item.at)
    if case["status"] != "charged":
        replay.problem(item, f"case {uuid} was heard while it was {case['status']}, not awaiting its hearing")
    elif heard_at is None or case["hearing_at"] is None or heard_at < case["hearing_at"]:
        replay.problem(
            item, f"the hearing in case {uuid} was held before the date the accused was given notice of"
        )
    case["status"] = "heard"


@rule("discipline.vote_called")
def _discipline_vote_called(replay: Replay, item: Item) -> None:
    found = _case(replay, item, "a vote was called")
    if found is None:
        return
    uuid, case = found
    p = item.payload
    if case["status"] != "heard":
        before = " before its hearing" if case["status"] == "charged" else f" while it was {case['status']}"
        replay.problem(item, f"case {uuid} was put to the vote{before}")
    required = constitution_number(replay, item, "discipline_threshold")
    if required is not None and p.get("threshold") != required:
        replay.problem(
            item,
            f"case {uuid} was put to the vote needing {p.get('threshold')}, but the constitution requires "
            f"{required}",
        )
    vote = replay.table("votes").get(p.get("vote") or "")
    if vote is None or vote["motion"] != p.get("motion") or vote["council"] != case["council"]:
        replay.problem(item, f"case {uuid} was not put to a vote of the accused member's own council")
    elif not vote_rules.threshold_satisfies(held=str(vote["threshold"]), required=str(p.get("threshold"))):
        replay.problem(
            item, f"case {uuid} was put to a vote held at {vote['threshold']}, short of {p.get('threshold')}"
        )
    name = f"the vote on the charges in case {uuid}"
    _check_vote_length(replay, item, name, kind="discipline")
    _check_parties(replay, item, name, case)
    case.update(status="voting", motion=p.get("motion"), threshold=p.get("threshold"))


# The votes the constitution keeps open, by the prefix of their settings (`discipline_poll_min_days`…).
_KEPT_OPEN = {"discipline": "votes on charges or appeals", "admission": "admission or approval votes"}


def _check_vote_length(replay: Replay, item: Item, name: str, *, kind: str) -> None:
    """A vote on charges, an appeal (`kind` "discipline") or an admission ("admission") stays open as
    long as the constitution in force sets.

    Entries from before the constitution set it (no `min_days`) are noted, not judged. Where the record
    does not hold the constitution's text, the shortest length the entry states is used, and the longest
    any constitution may set.
    """
    p = item.payload
    vote: dict[str, Any] | None = replay.table("votes").get(p.get("vote") or "")
    if vote is None:
        return
    if "min_days" not in p:
        replay.note(
            f"some {_KEPT_OPEN[kind]} were called before the constitution set how long they stay open: "
            "their length was not checked"
        )
        return
    vote["kept_open"] = name
    stated = p.get("min_days")
    document = constitution_version(replay, p.get("constitution"))
    if document is None:
        minimum, maximum = stated, ELECTION_POLL_MAX_DAYS
    else:
        # A version adopted before the settings existed has the defaults (core.rules.constitution).
        defaults = Constitution()
        minimum = document.get(f"{kind}_poll_min_days", getattr(defaults, f"{kind}_poll_min_days"))
        maximum = document.get(f"{kind}_poll_max_days", getattr(defaults, f"{kind}_poll_max_days"))
        if stated != minimum:
            replay.problem(
                item,
                f"{name} applies {counted(stated, 'day', 'days')} as its shortest length; the "
                f"constitution sets {minimum}",
            )
    opened, closes_at = _time(vote["opened_at"]), vote["closes_at"]
    if type(minimum) is not int or type(maximum) is not int or opened is None:
        replay.note(f"some {_KEPT_OPEN[kind]} do not say how long they had to stay open: not checked")
        return
    if closes_at is None:
        replay.problem(
            item,
            f"{name} has no closing time, but it had to stay open at least {counted(minimum, 'day', 'days')}",
        )
        return
    try:
        polls.check_closing_time(
            opens_at=opened,
            closes_at=closes_at,
            minimum=timedelta(days=minimum),
            maximum=timedelta(days=maximum),
            what="vote",
        )
    except InvalidInputError as exc:
        replay.problem(item, f"{name} was opened with a closing time the constitution refuses: {exc.message}")


def _check_parties(replay: Replay, item: Item, name: str, case: Mapping[str, Any] | None) -> None:
    """Nobody judges their own cause: the accused and whoever brought the charges do not vote on the
    charges or on an appeal. The call names them (`parties`), and its vote left them out of its electorate.

    Calls from before the rule (no `parties`) are noted, not judged. Where the case lies in a council the
    reader may not see (an appeal heard above), the parties the call names are checked.
    """
    p = item.payload
    vote: dict[str, Any] | None = replay.table("votes").get(p.get("vote") or "")
    if vote is None:
        return
    if "parties" not in p:
        replay.note(
            "some votes on charges or appeals were called before the parties to a case were left out of "
            "them: whether a party voted was not checked"
        )
        return
    listed = p.get("parties")
    named = [str(v) for v in listed] if isinstance(listed, list) else []
    parties = named if case is None else [str(case["member"]), str(case["accuser"])]
    if sorted(named) != sorted(parties):
        replay.problem(item, f"{name} does not name the accused and whoever brought the charges as parties")
    for party in parties:
        electorate = vote["electorate"]
        if party not in vote["parties"] or (electorate is not None and party in electorate):
            replay.problem(item, f"{name} did not leave {party}, a party to the case, out of its electorate")
    vote["barred"] = (name, set(parties))


@rule("membership.admission_vote_called", "membership.approval_vote_called")
def _admission_vote_called(replay: Replay, item: Item) -> None:
    """An admission vote, or the approval of a flagged admission, is a vote the entry's council opened,
    and it stays open as long as the constitution in force sets: nobody packs a council by a rushed vote."""
    p = item.payload
    which = "approval" if item.event == "membership.approval_vote_called" else "admission"
    name = f"the {which} vote on application {p.get('application')}"
    vote = replay.table("votes").get(p.get("vote") or "")
    if vote is None and replay.not_replayed:
        replay.note("some admission or approval votes were opened in entries you may not read: not checked")
        return
    if vote is None or vote["motion"] != p.get("motion") or vote["council"] != item.council:
        replay.problem(item, f"{name} names vote {p.get('vote')}, which this council did not open for it")
        return
    _check_vote_length(replay, item, name, kind="admission")


@rule("discipline.withdrawn")
def _withdrawn(replay: Replay, item: Item) -> None:
    found = _case(replay, item, "charges were withdrawn")
    if found is None:
        return
    uuid, case = found
    if case["status"] not in ("charged", "heard"):
        replay.problem(item, f"the charges in case {uuid} were withdrawn while the case was {case['status']}")
    case["status"] = "withdrawn"


def _case_vote(
    replay: Replay, item: Item, uuid: str, case: dict[str, Any], what: str
) -> Mapping[str, Any] | None:
    """The result of the vote the case was put to, closed before this entry; None (reported) if none."""
    if case["status"] != "voting":
        missing = {
            "charged": "no hearing was recorded",
            "heard": "the council was never asked to vote",
        }.get(case["status"], f"the case was already {case['status']}")
        replay.problem(item, f"{what} in case {uuid}, but {missing}")
        return None
    motion = item.payload.get("motion")
    result: Mapping[str, Any] | None = replay.table("vote_results").get(str(motion))
    if motion != case["motion"] or result is None:
        replay.problem(item, f"{what} in case {uuid} without the closed vote the case was put to")
        return None
    return result


@rule("member.expelled", "member.suspended")
def _penalised(replay: Replay, item: Item) -> None:
    p = item.payload
    what = f"{p.get('member')} was {item.event.removeprefix('member.')}"
    found = _case(replay, item, what)
    if found is None:
        return
    uuid, case = found
    result = _case_vote(replay, item, uuid, case, what)
    if result is None:
        return
    required = constitution_number(replay, item, "discipline_threshold") or case["threshold"]
    if result.get("outcome") != vote_rules.ADOPTED:
        replay.problem(item, f"{what} in case {uuid} although the council's vote did not uphold the charges")
    elif not vote_rules.threshold_satisfies(held=str(result.get("threshold")), required=str(required)):
        replay.problem(
            item,
            f"{what} in case {uuid} by a vote held at {result.get('threshold')}; discipline needs {required}",
        )
    if p.get("membership") != case["membership"]:
        replay.problem(item, f"{what} in case {uuid}, which charged another membership")
    expected = "member.expelled" if case["penalty"] == "expulsion" else "member.suspended"
    if item.event != expected:
        replay.problem(item, f"{what} in case {uuid}, which sought {case['penalty']}")
    decided_at, until = _time(item.at), _time(p.get("until"))
    if item.event == "member.suspended" and (
        decided_at is None
        or until is None
        or type(case["suspension_days"]) is not int
        or until != decided_at + timedelta(days=case["suspension_days"])
    ):
        replay.problem(item, f"the suspension in case {uuid} does not run for the days the council voted")
    case.update(status="upheld", decided_at=decided_at, until=until)


@rule("member.expelled", "member.suspended")
def _penalty_ends_seats(replay: Replay, item: Item) -> None:
    """A member whose rights are taken sits nowhere: every seat they held ended before the penalty entry."""
    p = item.payload
    member, case = p.get("member"), p.get("case")
    what = f"{member} was {item.event.removeprefix('member.')} in case {case}"
    seats = replay.table("seats")
    listed = p.get("ended_seats") or []
    for seat in listed:
        if seat in seats:
            replay.problem(
                item, f"{what}, which lists delegate seat {seat} as ended, but the record never vacated it"
            )
    kept = sorted(str(seat) for seat, held in seats.items() if held["delegate"] == member)
    if kept:
        replay.problem(item, f"{what} but still holds delegate seat {', '.join(kept)}")


@rule("discipline.dismissed")
def _dismissed(replay: Replay, item: Item) -> None:
    found = _case(replay, item, "the charges were dismissed")
    if found is None:
        return
    uuid, case = found
    result = _case_vote(replay, item, uuid, case, "the charges were dismissed")
    if result is not None and result.get("outcome") == vote_rules.ADOPTED:
        replay.problem(item, f"the charges in case {uuid} were dismissed although the council upheld them")
    case["status"] = "dismissed"


@rule("discipline.appeal_lodged")
def _appeal_lodged(replay: Replay, item: Item) -> None:
    p = item.payload
    case = replay.table("cases").get(p.get("case") or "")
    appeal = p.get("appeal")
    appeals = replay.table("appeals")
    if isinstance(appeal, str):
        appeals[appeal] = {"case": case, "status": "lodged", "motion": None, "decided_at": None}
    if case is None:
        # The case lies in the member's own council, which the reader may not see.
        replay.note("some appeals concern discipline cases in councils you may not read")
        return
    uuid = str(p.get("case"))
    if item.actor != case["member"]:
        replay.problem(
            item, f"an appeal in case {uuid} was lodged by someone other than the disciplined member"
        )
    earlier = [appeals[a] for a in case["appeals"]]
    if isinstance(appeal, str):
        case["appeals"].append(appeal)
    if p.get("level") != len(earlier) + 1:
        replay.problem(
            item, f"the appeal in case {uuid} claims level {p.get('level')} but is appeal {len(earlier) + 1}"
        )
    window = p.get("window_days")
    required = constitution_number(replay, item, "appeal_window_days")
    if required is not None and window is not None and window != required:
        replay.problem(
            item, f"the appeal in case {uuid} applies a {window}-day window; the constitution sets {required}"
        )
    window = required if required is not None else window
    if case["status"] != "upheld":
        replay.problem(item, f"an appeal was lodged in case {uuid}, which has no upheld decision to appeal")
    elif any(a["status"] != "dismissed" for a in earlier):
        replay.problem(item, f"an appeal was lodged in case {uuid} before its last appeal was decided")
    elif type(window) is not int:
        replay.note(
            "some appeals were lodged where the record does not say how long the window to appeal was"
        )
    else:
        # Counted from the last decision: the council's, or the last appeal's dismissal.
        decided = earlier[-1]["decided_at"] if earlier else case["decided_at"]
        lodged = _time(item.at)
        if lodged is None or decided is None or lodged > decided + duration(window, "days"):
            replay.problem(
                item,
                f"the appeal in case {uuid} was lodged after the {counted(window, 'day', 'days')} to "
                "appeal had passed",
            )


def _appeal(replay: Replay, item: Item) -> tuple[str, dict[str, Any]] | None:
    uuid = item.payload.get("appeal")
    appeal: dict[str, Any] | None = replay.table("appeals").get(uuid or "")
    if appeal is None:
        replay.problem(item, f"appeal {uuid} was never lodged in a case the record holds")
        return None
    return str(uuid), appeal


@rule("discipline.appeal_vote_called")
def _appeal_vote_called(replay: Replay, item: Item) -> None:
    found = _appeal(replay, item)
    if found is None:
        return
    uuid, appeal = found
    if appeal["status"] != "lodged":
        replay.problem(item, f"appeal {uuid} was put to the vote while it was {appeal['status']}")
    name = f"the vote on appeal {uuid}"
    _check_vote_length(replay, item, name, kind="discipline")
    _check_parties(replay, item, name, appeal["case"])
    appeal.update(status="voting", motion=item.payload.get("motion"))


@rule("discipline.appeal_allowed", "discipline.appeal_dismissed")
def _appeal_decided(replay: Replay, item: Item) -> None:
    found = _appeal(replay, item)
    if found is None:
        return
    uuid, appeal = found
    allowed = item.event == "discipline.appeal_allowed"
    motion = item.payload.get("motion")
    result = replay.table("vote_results").get(str(motion))
    if appeal["status"] != "voting" or motion != appeal["motion"] or result is None:
        replay.problem(item, f"appeal {uuid} was decided without the closed vote it was put to")
    elif (result.get("outcome") == vote_rules.ADOPTED) != allowed:
        replay.problem(item, f"appeal {uuid} was {'allowed' if allowed else 'dismissed'} against its vote")
    appeal.update(status="allowed" if allowed else "dismissed", decided_at=_time(item.at))
    if allowed and appeal["case"] is not None:
        appeal["case"].update(status="reversed", reversed_at=item.at)


@rule("member.reinstated")
def _reinstated(replay: Replay, item: Item) -> None:
    """Only the rules reinstate: the member a case penalised, when their appeal is allowed or their
    suspension has been served, once."""
    p = item.payload
    what = f"{p.get('member')} was reinstated"
    if item.actor is not None:
        replay.problem(
            item,
            f"{what} by {item.actor}; only the rules reinstate, when an appeal is allowed or a "
            "suspension served",
        )
    found = _case(replay, item, what)
    if found is None:
        return
    uuid, case = found
    if (p.get("membership"), p.get("member")) != (case["membership"], case["member"]):
        replay.problem(item, f"{what} in case {uuid}, which charged another membership")
    if case["reinstated"]:
        replay.problem(item, f"{what} in case {uuid}, where the member was already reinstated")
    case["reinstated"] = True
    reason = p.get("reason")
    if reason == "appeal_allowed":
        if case["status"] != "reversed" and replay.not_replayed:
            # The appeal was heard by a council above, which the reader may not see.
            replay.note("some reinstatements follow appeals decided in councils you may not read")
        elif case["status"] != "reversed":
            replay.problem(item, f"{what} in case {uuid} on an appeal that was not allowed")
        elif item.at != case["reversed_at"]:
            replay.problem(
                item,
                f"{what} in case {uuid} at {item.at}, not when its appeal was allowed "
                f"({case['reversed_at']})",
            )
    elif reason == "suspension_served":
        served = _time(item.at)
        if case["status"] != "upheld" or case["until"] is None or served is None or served < case["until"]:
            replay.problem(item, f"{what} in case {uuid} before a suspension the council voted was served")
        case["status"] = "ended"
    else:
        replay.problem(item, f"{what} in case {uuid} for no reason the rules know ({reason!r})")


# A case in these states is still to be decided: its member may not move nor be erased.
_OPEN_CASE = ("charged", "heard", "voting")


# Erasure: only of someone who has left and has nothing pending, and only of their own case texts.

# The payload field of each due-process entry that commits to a personal text of the accused.
CASE_TEXTS = {
    "discipline.charged": "charges",
    "discipline.defence_submitted": "statement",
    "discipline.heard": "notes",
    "discipline.appeal_lodged": "grounds",
}


@rule(*CASE_TEXTS)
def _case_text(replay: Replay, item: Item) -> None:
    case = replay.table("cases").get(item.payload.get("case") or "")
    text = item.payload.get(CASE_TEXTS[item.event])
    if case is not None and isinstance(text, str):
        replay.table("case_texts")[text] = case["member"]


@rule("person.erased")
def _person_erased(replay: Replay, item: Item) -> None:
    person = item.payload.get("person")
    what = f"the personal data of {person} was erased"
    held = sorted(
        str(m["council"])
        for m in replay.table("memberships").values()
        if m["member"] == person and m["status"] in ("full", "candidate", "suspended")
    )
    if held:
        replay.problem(item, f"{what} while they were still a member of {', '.join(held)}")
    seats = sorted(str(seat) for seat, s in replay.table("seats").items() if s["delegate"] == person)
    if seats:
        replay.problem(item, f"{what} while they still held seat {', '.join(seats)}")
    cases = replay.table("cases")
    pending = sorted(
        uuid
        for uuid, case in cases.items()
        if case["member"] == person
        and (
            case["status"] in _OPEN_CASE
            or any(replay.table("appeals")[a]["status"] in ("lodged", "voting") for a in case["appeals"])
        )
    )
    if pending:
        replay.problem(item, f"{what} while their discipline case {', '.join(pending)} was not finished")
    texts = replay.table("case_texts")
    for commitment in item.payload["commitments"]:
        owner = texts.get(commitment)
        if owner is None and replay.not_replayed:
            replay.note("some erased texts were committed in entries you may not read")
        elif owner != person:
            replay.problem(item, f"{what}, with {commitment}, which is not a text of their own case")


# Forming a new base council: the members below a council ask, each consents, the council votes.


def _founder_problem(
    replay: Replay, item: Item, parent: object, member: object, membership: object
) -> str | None:
    """Why `member` could not found a council below `parent` with `membership`; None when they could."""
    held = replay.table("memberships").get(str(membership))
    if held is None:
        if replay.not_replayed:
            replay.note(
                "some founding members hold memberships you may not read: their standing is not checked"
            )
            return None
        return f"{member} consented with membership {membership}, which the record never admitted"
    if held["member"] != member or held["status"] != "full":
        return f"{member} consented with membership {membership}, which is not their full membership"
    if _sits_below(replay, held["council"], parent) is False:
        return f"{member} is a member of {held['council']}, which is not below {parent}"
    charged = [
        uuid
        for uuid, case in replay.table("cases").items()
        if case["membership"] == membership and case["status"] in _OPEN_CASE
    ]
    if charged:
        return f"{member} faces the open charges of case {', '.join(sorted(charged))}"
    return None


def _formation(replay: Replay, item: Item, doing: str) -> dict[str, Any] | None:
    formation: dict[str, Any] | None = replay.table("formations").get(item.payload.get("formation") or "")
    if formation is None and replay.not_replayed:
        # Proposed in the council asked, whose entries the reader of the council formed may not see.
        replay.note("some formation entries belong to formations proposed in entries you may not read")
    elif formation is None:
        replay.problem(item, f"{doing} for formation {item.payload.get('formation')}, which nobody proposed")
    return formation


@rule("council.formation_proposed")
def _formation_proposed(replay: Replay, item: Item) -> None:
    p = item.payload
    uuid, proposer = p.get("formation"), p.get("proposer")
    formations = replay.table("formations")
    if not isinstance(uuid, str) or uuid in formations:
        replay.problem(item, f"a formation was proposed under a missing or reused number ({uuid})")
        return
    parent = replay.table("councils").get(item.council or "")
    if parent is not None and parent["is_base"]:
        replay.problem(item, f"formation {uuid} asks base council {item.council} to form a council below it")
    if proposer != item.actor:
        replay.problem(
            item, f"formation {uuid} names {proposer} as its proposer, but {item.actor} proposed it"
        )
    found = _founder_problem(replay, item, item.council, proposer, p.get("membership"))
    if found is not None:
        replay.problem(item, f"formation {uuid} was proposed, but {found}")
    formations[uuid] = {
        "parent": item.council,
        "motion": p.get("motion"),
        "name": p.get("name"),
        "proposer": str(proposer),
        "signers": {str(proposer)},
        "withdrawn": set(),
        "status": "proposed",
    }


@rule("council.formation_signed")
def _formation_signed(replay: Replay, item: Item) -> None:
    formation = _formation(replay, item, "a founding member consented")
    if formation is None:
        return
    uuid, member = item.payload.get("formation"), item.payload.get("member")
    _own_consent_before_vote(
        replay, item, formation, "consented to", "consented to formation {uuid} in the name of {member}"
    )
    if str(member) in formation["signers"]:
        replay.problem(item, f"{member} consented to formation {uuid} twice")
    found = _founder_problem(replay, item, formation["parent"], member, item.payload.get("membership"))
    if found is not None:
        replay.problem(item, f"{member} consented to formation {uuid}, but {found}")
    formation["signers"].add(str(member))
    formation["withdrawn"].discard(str(member))


def _formation_vote_opened(replay: Replay, formation: Mapping[str, Any]) -> bool:
    motion = formation["motion"]
    return any(vote.get("motion") == motion for vote in replay.table("votes").values())


def _own_consent_before_vote(
    replay: Replay, item: Item, formation: Mapping[str, Any], did: str, for_another: str
) -> None:
    """A founder gives or takes back consent in person, while the proposal waits for the council's vote.

    `did` says what the founder did ("consented to"); `for_another` what the actor did when the founder is
    someone else, with {member} and {uuid} to fill in.
    """
    uuid, member = item.payload.get("formation"), item.payload.get("member")
    if member != item.actor:
        replay.problem(item, f"{item.actor} " + for_another.format(member=member, uuid=uuid))
    if formation["status"] != "proposed":
        replay.problem(item, f"{member} {did} formation {uuid} after it was {formation['status']}")
    elif _formation_vote_opened(replay, formation):
        replay.problem(item, f"{member} {did} formation {uuid} after its vote opened")


@rule("council.formation_consent_withdrawn")
def _formation_consent_withdrawn(replay: Replay, item: Item) -> None:
    """A founder other than the proposer takes back their consent, before the council opens its vote."""
    formation = _formation(replay, item, "a founding member withdrew their consent")
    if formation is None:
        return
    uuid, member = item.payload.get("formation"), item.payload.get("member")
    _own_consent_before_vote(
        replay, item, formation, "withdrew from", "withdrew the consent of {member} to formation {uuid}"
    )
    if str(member) == formation["proposer"]:
        replay.problem(item, f"the proposer of formation {uuid} withdrew their consent but not the proposal")
    if str(member) not in formation["signers"]:
        replay.problem(item, f"{member} withdrew a consent to formation {uuid} they had not given")
    formation["signers"].discard(str(member))
    formation["withdrawn"].add(str(member))


@rule("council.formation_withdrawn")
def _formation_withdrawn(replay: Replay, item: Item) -> None:
    """Only the proposer withdraws the whole proposal, and only before the council opens its vote."""
    formation = _formation(replay, item, "a proposal was withdrawn")
    if formation is None:
        return
    uuid = item.payload.get("formation")
    if item.actor != formation["proposer"]:
        replay.problem(
            item, f"{item.actor} withdrew formation {uuid}, which {formation['proposer']} proposed"
        )
    if formation["status"] != "proposed":
        replay.problem(item, f"formation {uuid} was withdrawn after it was {formation['status']}")
    elif _formation_vote_opened(replay, formation):
        replay.problem(item, f"formation {uuid} was withdrawn after its vote opened")
    formation["status"] = "withdrawn"


def _formation_carried(replay: Replay, item: Item, formation: Mapping[str, Any], what: str) -> bool:
    """Whether the council the formation asked carried its vote on it; reported when not."""
    motion = formation["motion"]
    result = replay.table("vote_results").get(str(motion))
    if item.payload.get("motion") not in (None, motion) or result is None:
        replay.problem(item, f"{what} without the vote of {formation['parent']} on formation motion {motion}")
        return False
    if result.get("outcome") != vote_rules.ADOPTED:
        replay.problem(item, f"{what} although {formation['parent']} did not carry formation motion {motion}")
        return False
    return True


@rule("council.formation_rejected", "council.formation_refused")
def _formation_not_formed(replay: Replay, item: Item) -> None:
    formation = replay.table("formations").get(item.payload.get("formation") or "")
    if formation is not None:
        formation["status"] = item.event.removeprefix("council.formation_")


@rule("member.transferred")
def _founder_moved(replay: Replay, item: Item) -> None:
    """A founding member moves into the council formed only by the carried vote, and with their consent."""
    if "formation" not in item.payload:
        return
    member = item.payload.get("member")
    formation = _formation(replay, item, f"{member} was moved into {item.council}")
    if formation is None:
        return
    what = f"{member} was moved into the council of formation {item.payload.get('formation')}"
    if not _formation_carried(replay, item, formation, what):
        return
    if str(member) in formation["withdrawn"]:
        replay.problem(item, f"{what} after withdrawing their consent")
    elif str(member) not in formation["signers"]:
        replay.problem(item, f"{what} without consenting to found it")
    if formation["status"] != "proposed":
        replay.problem(item, f"{what} after it was {formation['status']}")
    info = replay.table("councils").get(item.council or "")
    if info is not None and info["parent"] != formation["parent"]:
        replay.problem(item, f"{what}, but {item.council} is not below {formation['parent']}")
    formation.setdefault("moved", set()).add(str(member))


@rule("office.filled", "office.founding_filled")
def _office_filled(replay: Replay, item: Item) -> None:
    """Remember each council's offices filled, so that a council's formation can account for them."""
    p = item.payload
    filled = replay.table("offices_filled").setdefault(str(item.council), {})
    filled[str(p.get("office"))] = {"holder": p.get("holder"), "role": p.get("role"), "at": item.at}


def _interim_chair_problems(
    replay: Replay, item: Item, formation: Mapping[str, Any], founders: list[str], what: str, *, seen: bool
) -> Iterable[str]:
    """What is wrong with the offices filled in a council at its formation: only its interim chair is.

    The interim chair is the proposer if moved in, else a founder moved, for the constitution's
    interim days from the formation. Whether the council's own entries fill the office is judged
    only if the reader has `seen` them.
    """
    p = item.payload
    interim = p.get("interim_chair")
    named = interim.get("office") if interim is not None else None
    filled = replay.table("offices_filled").get(str(p.get("council")), {})
    for office, info in filled.items():
        if office != named:
            yield f"{what}, but office {office} was filled in it for {info['holder']} before it was formed"
    if interim is None:
        # Formed before a new council had an interim chair.
        return
    member, office = interim.get("member"), filled.get(str(named))
    if office is None:
        if seen:
            yield f"{what} with interim chair office {named}, which the record never filled in it"
    elif office["holder"] != member or office["role"] != "chair" or office["at"] != item.at:
        yield f"{what}, but office {named} is not the chair it filled for {member} at its formation"
    if member not in founders:
        yield f"{what} with interim chair {member}, who is not one of the founding members moved"
    elif formation["proposer"] in founders and member != formation["proposer"]:
        yield f"{what} with interim chair {member}, but its proposer {formation['proposer']} was moved in"
    days = interim.get("days")
    required = constitution_number(replay, item, "formation_interim_days")
    if required is None and constitution_version(replay, p.get("constitution")) is not None:
        # A version adopted before the setting existed takes its default.
        required = Constitution().formation_interim_days
    if required is not None and days != required:
        yield (
            f"{what} with an interim chair for {counted(days, 'day', 'days')}; "
            f"the constitution sets {required}"
        )
    formed_at, ends_at = _time(item.at), _time(interim.get("term_ends_at"))
    if (
        type(days) is not int
        or not 1 <= days <= FORMATION_INTERIM_MAX_DAYS
        or formed_at is None
        or ends_at != formed_at + timedelta(days=days)
    ):
        ends = interim.get("term_ends_at")
        yield (
            f"{what} with an interim chair whose term ends {ends}, "
            f"not {counted(days, 'day', 'days')} after it was formed"
        )


@rule("council.formed")
def _council_formed(replay: Replay, item: Item) -> None:
    p = item.payload
    uuid = p.get("formation")
    formation = _formation(replay, item, f"council {p.get('council')} was formed")
    if formation is None:
        return
    what = f"council {p.get('council')} was formed by formation {uuid}"
    carried = _formation_carried(replay, item, formation, what)
    if formation["status"] != "proposed":
        replay.problem(item, f"{what} after it was {formation['status']}")
    formation["status"] = "formed"
    info = replay.table("councils").get(p.get("council") or "")
    # The new council's own entries (its creation, its founders moved in, its interim chair) may be
    # hidden from a reader of the council that formed it.
    unseen = info is None and replay.not_replayed
    if unseen:
        replay.note(
            "some councils were formed whose own entries you may not read: "
            "their creation, founding members and interim chair were not checked"
        )
    elif info is None or info["parent"] != formation["parent"] or not info["is_base"]:
        replay.problem(
            item, f"{what}, but the record never created it as a base council below {formation['parent']}"
        )
    founders = {str(f) for f in p.get("founders") or []}
    withdrawn = sorted(founders & formation["withdrawn"])
    if withdrawn:
        replay.problem(
            item, f"{what} with founding members who withdrew their consent: {', '.join(withdrawn)}"
        )
    strangers = sorted(founders - formation["signers"] - formation["withdrawn"])
    if strangers:
        replay.problem(item, f"{what} with founding members who never consented: {', '.join(strangers)}")
    if carried and not unseen and founders != formation.get("moved", set()):
        replay.problem(item, f"{what}, but the members it names are not those the record moved into it")
    required = constitution_number(replay, item, "formation_min_members")
    if required is None and constitution_version(replay, p.get("constitution")) is not None:
        # A version adopted before the setting existed takes its default.
        required = Constitution().formation_min_members
    if required is not None and len(founders) < required:
        replay.problem(
            item, f"{what} with {len(founders)} founding members; the constitution requires {required}"
        )
    for problem in _interim_chair_problems(
        replay, item, formation, [str(f) for f in p.get("founders") or []], what, seen=not unseen
    ):
        replay.problem(item, problem)


# Which federation each council is in, and who may act as an officer: rules of their own modules,
# registered here with the others (they need `rule`, `Item` and `Replay`, defined above).
from councils.core.ledger import federations, officers  # noqa: E402, F401

# The log's own housekeeping.


@rule("record.key_rotated")
def _key_rotated(replay: Replay, item: Item) -> None:
    """A new signing key is valid only if the old key endorsed it; verifiers follow the chain."""
    old, new, endorsement = (item.payload.get(k) for k in ("old_key", "new_key", "endorsement"))
    try:
        old_key = note.parse_vkey(str(old))
        note.parse_vkey(str(new))
        signature = note.Signature(old_key.name, old_key.id, note.b64decode(str(endorsement)))
        note.verify_signature(str(new), signature, old_key)
    except note.NoteError as exc:
        replay.problem(item, f"the signing key rotation is not endorsed by the old key ({exc})")
        return
    replay.table("key_rotations")[str(old)] = str(new)


# Terms end by themselves: the rules end a term at its end, never before, and run the next election.

TERM_ENDED = "term_ended"


def _term_setting(replay: Replay, item: Item, name: str) -> Any:
    """A number of the constitution an entry names; a version adopted before it existed takes the default."""
    value = constitution_number(replay, item, name)
    if value is None and constitution_version(replay, item.payload.get("constitution")) is not None:
        value = getattr(Constitution(), name)
    return value


def _post(council: object, kind: str, role: object) -> str:
    return f"{council}/{kind}/{role or ''}"


@rule("office.filled", "office.founding_filled", "delegate.seated")
def _term_begun(replay: Replay, item: Item) -> None:
    """Remember each office's and seat's post and when its term ends (unknown in older entries)."""
    p = item.payload
    if item.event == "delegate.seated":
        uuid, post = p.get("seat"), _post(p.get("from_council"), "delegates", "")
    else:
        uuid, post = p.get("office"), _post(item.council, "office", p.get("role"))
    replay.table("terms")[str(uuid)] = {
        "post": post,
        "known": "term_ends_at" in p,
        "ends": _time(p.get("term_ends_at")),
    }
    # The post is held again: a vacancy a term end left is filled.
    replay.table("term_vacancies").pop(post, None)


@rule("office.vacated", "delegate.unseated")
def _term_over(replay: Replay, item: Item) -> None:
    """A term the rules ended had ended: nobody is put out of a post early by the rules."""
    p = item.payload
    uuid = p.get("office") if item.event == "office.vacated" else p.get("seat")
    term = replay.table("terms").pop(str(uuid), None)
    if p.get("reason") != TERM_ENDED:
        return
    what = "office" if item.event == "office.vacated" else "delegate seat"
    if term is not None and term["ends"] is not None:
        holding = replay.table("terms").values()
        if not any(t["post"] == term["post"] for t in holding):
            replay.table("term_vacancies")[term["post"]] = term["ends"]
    if item.actor is not None:
        return
    if term is None or not term["known"]:
        replay.note("some terms the rules ended were filled before entries said when they end: not checked")
        return
    ended_at = _time(item.at)
    if term["ends"] is None:
        replay.problem(
            item, f"{what} {uuid} was ended by the rules as its term ended, but it had no term end"
        )
    elif ended_at is None or ended_at < term["ends"]:
        replay.problem(
            item,
            f"{what} {uuid} was ended by the rules at {item.at}, before its term ended at "
            f"{_moment(term['ends'])}",
        )


def _moment(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@rule("election.called")
def _called_for_a_term(replay: Replay, item: Item) -> None:
    """An ordinary election the rules call is for a post whose term ends within the lead time, or ended."""
    p = item.payload
    # A council's first delegates' election follows no term: `representation` judges it.
    if item.actor is not None or p.get("is_by_election") is not False or p.get("first") is True:
        return
    name = _election_name(p, str(p.get("election")))
    kind, role = p.get("kind"), p.get("role")
    post = _post(
        item.council, "delegates" if kind == "delegates" else "office", "" if kind == "delegates" else role
    )
    lead = _term_setting(replay, item, "term_election_lead_days")
    due, called_at = _time(p.get("post_term_ends_at")), _time(item.at)
    if due is None or called_at is None:
        replay.problem(item, f"{name} was called by the rules, but names no term of its post that ends")
        return
    if type(lead) is not int:
        replay.note(
            "some elections the rules called name a constitution you may not read: "
            "their lead time was not checked"
        )
    elif due - timedelta(days=lead) > called_at:
        replay.problem(
            item,
            f"{name} was called by the rules {item.at}, more than {counted(lead, 'day', 'days')} before "
            "the term it follows "
            f"ends at {p.get('post_term_ends_at')}",
        )
    terms = [t for t in replay.table("terms").values() if t["post"] == post]
    vacated = replay.table("term_vacancies").get(post)
    if due in [t["ends"] for t in terms] or due == vacated:
        return
    if any(not t["known"] for t in terms):
        replay.note("some posts were filled before entries said when their terms end: not checked")
        return
    replay.problem(
        item,
        f"{name} was called by the rules for a term ending at {p.get('post_term_ends_at')}, "
        "but no holder of its post has that term, nor did one that ended leave it empty",
    )


def _rules_did_not_call(replay: Replay, election: Mapping[str, Any]) -> bool:
    """Whether the record shows an election the rules did not call (to open or certify as the rules).

    An election called in an entry the reader cannot see, or before calls said when nominations
    close, is taken on its word, with a note.
    """
    if not election.get("close_known"):
        replay.note(
            "some elections the rules opened or certified were called in entries you may not read, "
            "or before calls said when nominations close: not checked"
        )
        return False
    return not election["by_rules"] or election.get("nominations_close_at") is None


def _check_opened_by_rules(replay: Replay, item: Item, name: str, election: Mapping[str, Any]) -> None:
    """The rules open only the poll of an election they called, once its nominations have closed."""
    close = election.get("nominations_close_at")
    opened_at = _time(item.at)
    if _rules_did_not_call(replay, election):
        replay.problem(item, f"the poll of {name} was opened by the rules, but the rules did not call it")
    elif close is not None and (opened_at is None or opened_at < close):
        replay.problem(
            item,
            f"the poll of {name} was opened by the rules at {item.at}, before its nominations closed at "
            f"{_moment(close)}",
        )


def _failed_before_opening(replay: Replay, item: Item, uuid: str, election: dict[str, Any]) -> None:
    """Only an election the rules called fails before its poll: its nominations closed, nobody standing."""
    name = _election_name(election, uuid)
    close, at = election.get("nominations_close_at"), _time(item.at)
    if election.get("failed"):
        replay.problem(item, f"{name} failed twice")
    elif item.actor is not None or not election.get("by_rules") or close is None:
        replay.problem(item, f"{name} has an {item.event} entry before it opened")
    elif item.payload.get("reason") != "no_candidates":
        replay.problem(item, f"{name} failed before its poll opened for another reason than no candidates")
    elif at is None or at < close:
        replay.problem(item, f"{name} failed at {item.at}, before its nominations closed at {_moment(close)}")
    else:
        standing = sorted(set(election["nominees"]) & election.get("accepted", set()))
        if standing:
            replay.problem(
                item, f"{name} failed for want of candidates, but {_words(standing)} had accepted to stand"
            )
    election["failed"] = True


# A post left empty: the rules call again the election that failed to fill it (docs/elections.md).


def _post_of_call(item: Item) -> str:
    p = item.payload
    if p.get("kind") == "delegates":
        return _post(item.council, "delegates", "")
    return _post(item.council, "office", p.get("role"))


@rule("election.called")
def _called_again(replay: Replay, item: Item) -> None:
    """A by-election the rules call again follows its post's last election, failed long enough ago.

    An office must still be empty: nobody holds it (a council's delegates are judged against its
    apportionment, in `representation`). Then remember the call as its post's last election.
    """
    p = item.payload
    uuid, post = p.get("election"), _post_of_call(item)
    held = sum(1 for t in replay.table("terms").values() if t["post"] == post)
    after = p.get("after_failure")
    name = _election_name(p, str(uuid))
    if after is not None:
        _check_called_again(replay, item, name, post, held, str(after))
    called = p.get("seats")
    seats = called if isinstance(called, int) else 0
    replay.table("post_elections")[str(uuid)] = {
        "post": post,
        # The places the post had: those the election fills, with the holders a by-election leaves.
        "size": seats + held if p.get("is_by_election") is True else seats,
        "by_election": p.get("is_by_election") is True,
        "ended_at": None,
        "failed_at": None,
    }
    replay.table("post_last_election")[post] = str(uuid)


def _check_called_again(replay: Replay, item: Item, name: str, post: str, held: int, after: str) -> None:
    p = item.payload
    failed = replay.table("post_elections").get(after)
    if item.actor is not None or p.get("is_by_election") is not True:
        replay.problem(
            item, f"{name} names a failed election to call again, but is not a by-election of the rules"
        )
        return
    if failed is None:
        replay.note("some elections the rules called again failed in entries you may not read: not checked")
        return
    if failed["post"] != post or replay.table("post_last_election").get(post) != after:
        replay.problem(
            item,
            f"{name} was called by the rules again after election {after}, "
            "which was not the last election of its post",
        )
        return
    if failed["failed_at"] is None:
        replay.problem(
            item, f"{name} was called by the rules again after election {after}, which had not failed"
        )
        return
    days, called_at = _term_setting(replay, item, "term_nomination_days"), _time(item.at)
    if type(days) is not int:
        replay.note("some elections the rules called again name a constitution you may not read: not checked")
    elif called_at is None or called_at < failed["failed_at"] + timedelta(days=days):
        replay.problem(
            item,
            f"{name} was called by the rules at {item.at}, less than {counted(days, 'day', 'days')} "
            f"after election {after} "
            f"failed at {_moment(failed['failed_at'])}",
        )
    if p.get("kind") == "delegates":
        # Judged against the council's apportionment (`representation`), which may have changed since.
        return
    seats = p.get("seats")
    if held:
        replay.problem(item, f"{name} was called by the rules again for an office that was not empty")
    elif type(seats) is not int or held + seats > failed["size"]:
        replay.problem(
            item,
            f"{name} was called by the rules again for {counted(seats, 'seat', 'seats')}, but {held} of the "
            f"{failed['size']} its post had are held",
        )


@rule("election.closed", "election.failed")
def _post_election_ended(replay: Replay, item: Item) -> None:
    """When an election's poll closed, or it failed before one: the time its failure counts from."""
    election = replay.table("post_elections").get(str(item.payload.get("election")))
    if election is None:
        return
    election["ended_at"] = election["ended_at"] or _time(item.at)
    if item.event == "election.failed":
        election["failed_at"] = election["ended_at"]


# A by-election the rules call for a post emptied by a recall, a resignation, a loss of rights, a
# seat lost or a recount is called in the action that emptied it, and the rules run it too.


@rule("delegate.seated")
def _vacancy_seat(replay: Replay, item: Item) -> None:
    """Remember whose delegates each seat is: an ending entry names the seat only."""
    p = item.payload
    replay.table("vacancy_seats")[str(p.get("seat"))] = _post(p.get("from_council"), "delegates", "")


@rule("office.vacated", "delegate.unseated", "election.recounted")
def _post_emptied(replay: Replay, item: Item) -> None:
    """Remember the posts the action of this entry's time emptied: a holder's end, or a recount short.

    The entries of one action share their time; only the latest time is kept, as the rules call a
    by-election in the action that emptied its post. A term that ended, or a holder an election
    replaced, leaves its post to the ordinary election: the rules call no by-election for it.
    """
    p = item.payload
    post: str | None
    if item.event == "office.vacated":
        post = _post(item.council, "office", p.get("role"))
    elif item.event == "delegate.unseated":
        post = replay.table("vacancy_seats").pop(str(p.get("seat")), None)
    else:
        uuid = str(p.get("election"))
        election = replay.table("post_elections").get(uuid)
        seats = replay.table("elections").get(uuid, {}).get("seats")
        elected = p.get("elected")
        if election is None or type(seats) is not int or not isinstance(elected, list):
            post = None
        elif len(elected) < seats:
            post = election["post"]
        else:
            return
    if p.get("reason") in (TERM_ENDED, "replaced"):
        return
    emptied = replay.table("posts_emptied")
    if emptied.get("at") != item.at:
        emptied.update(at=item.at, posts=set(), unknown=False)
    if post is None:
        emptied["unknown"] = True
    else:
        emptied["posts"].add(post)


@rule("election.called")
def _called_for_a_vacancy(replay: Replay, item: Item) -> None:
    """A by-election the rules run, not called again nor for unfilled seats, fills a post emptied by its call.

    Its nominations close no sooner than `term_nomination_days` after the call, as in every
    election the rules run. A by-election of the rules whose call names no close (called before the
    rules ran by-elections) is left to the officers and not checked here.
    """
    p = item.payload
    if (
        item.actor is not None
        or p.get("is_by_election") is not True
        or p.get("after_failure") is not None
        or p.get("nominations_close_at") is None
    ):
        return
    name = _election_name(p, str(p.get("election")))
    emptied = replay.table("posts_emptied")
    now = emptied.get("at") == item.at
    if p.get("unfilled_seats") is True or (now and _post_of_call(item) in emptied["posts"]):
        # Seats a council left unfilled long enough are judged in `representation`.
        pass
    elif now and emptied["unknown"]:
        replay.note(
            "some by-elections the rules run fill seats filled or elections held in entries you may not "
            "read: not checked"
        )
    else:
        replay.problem(
            item,
            f"{name} is a by-election the rules run themselves, but follows no failed election, "
            "nor was its post emptied by the action that called it",
        )
    days, called_at = _term_setting(replay, item, "term_nomination_days"), _time(item.at)
    close = _time(p.get("nominations_close_at"))
    if type(days) is not int:
        replay.note("some by-elections the rules run name a constitution you may not read: not checked")
    elif called_at is None or close is None or close < called_at + timedelta(days=days):
        replay.problem(
            item,
            f"{name} was called by the rules at {item.at} with nominations closing at "
            f"{p.get('nominations_close_at')}, less than {counted(days, 'day', 'days')} later",
        )


# What a delegate holds through a seat ends with it, unless the same action seats them again.


@rule("delegate.seated")
def _holder_seated(replay: Replay, item: Item) -> None:
    p = item.payload
    replay.table("held_seats")[str(p.get("seat"))] = {
        "holder": p.get("delegate"),
        "council": item.council,
        "from_council": p.get("from_council"),
    }


@rule("office.filled", "office.founding_filled")
def _holder_filled(replay: Replay, item: Item) -> None:
    p = item.payload
    replay.table("held_offices")[str(p.get("office"))] = {"holder": p.get("holder"), "council": item.council}


@rule("office.vacated")
def _holder_vacated(replay: Replay, item: Item) -> None:
    replay.table("held_offices").pop(str(item.payload.get("office")), None)


@rule("delegate.unseated")
def _holder_unseated(replay: Replay, item: Item) -> None:
    """Remember a seat that ended, to check once its action is over that what it carried ended too."""
    seat = replay.table("held_seats").pop(str(item.payload.get("seat")), None)
    if seat is not None:
        replay.table("seats_lost").setdefault(item.at, []).append({**seat, "ending": item})


@rule("*")
def _held_through_lost_seat(replay: Replay, item: Item) -> None:
    """Once an entry of a later time shows the action over: nothing is held through a seat that ended.

    A delegate is a member of the council they sit in through their seat alone, so their offices
    there and the seats it sends further up end with it (`seat_lost`), unless the same action seated
    them again for the same council (elected again). Checked when a later entry is read, or at the
    end of the log (`_held_through_seats_lost_last`).
    """
    _seats_lost_over(replay, item.at)


@at_end
def _held_through_seats_lost_last(replay: Replay) -> None:
    """The log's last action is over too: nothing stays held through a seat it ended."""
    _seats_lost_over(replay, None)


def _seats_lost_over(replay: Replay, now: str | None) -> None:
    """Judge the seats ended by every action but the one of time `now` (still under way, if any).

    What a seat carried may have ended in entries the reader may not see: then it is noted, not judged.
    """
    lost = replay.table("seats_lost")
    for at in [at for at in lost if at != now]:
        for seat in lost.pop(at):
            holder, council = seat["holder"], seat["council"]
            held_seats = replay.table("held_seats")
            if any(
                s["holder"] == holder
                and s["council"] == council
                and s["from_council"] == seat["from_council"]
                for s in held_seats.values()
            ):
                continue
            kept = sorted(
                [
                    f"office {o}"
                    for o, h in replay.table("held_offices").items()
                    if h["holder"] == holder and h["council"] == council
                ]
                + [
                    f"seat {s}"
                    for s, h in held_seats.items()
                    if h["holder"] == holder and h["from_council"] == council
                ]
            )
            if kept and replay.not_replayed:
                replay.note(
                    "some seats ended with entries you may not read: whether what was held through them "
                    "ended with them was not checked"
                )
            elif kept:
                ending = seat["ending"]
                replay.problem(
                    ending,
                    f"delegate seat {ending.payload.get('seat')} ended at {at}, but {', '.join(kept)}, "
                    "held through it, did not end with it",
                )


# Councils left unrepresented, the entries a certification writes, why seats and offices end and each
# meeting's speakers' list: rules of their own modules, which need the helpers above.
from councils.core.ledger import certification, endings, minutes, representation, speakers  # noqa: E402, F401
