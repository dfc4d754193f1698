"""Replay the rules from the record alone: a registry of checks per event type.

The offline verifier and `manage.py verify_record` feed every entry they can
read, in log order, to `replay`. Each rule sees one entry and the state the
earlier rules built, and reports a `Problem` in plain language when the
record contradicts the rules (a vote cast twice, a published count that is
not the recount). Entries the reader may not see arrive as None; rules that
depend on them say so in `notes` rather than guessing.

To add a rule for a new event type, in any module imported before replaying:

    @rule("petition.signed")
    def _signed(replay: Replay, item: Item) -> None:
        ...

Rules must be pure and must never raise on malformed payloads: report them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from councils.core.errors import DomainError
from councils.core.ledger import note
from councils.core.rules import votes as vote_rules


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


def rule(*events: str) -> Callable[[Rule], Rule]:
    """Register a check for entries of `events` ("*" for every readable entry)."""

    def register(function: Rule) -> Rule:
        for event in events:
            (ANY_EVENT if event == "*" else RULES.setdefault(event, [])).append(function)
        return function

    return register


def feed(result: Replay, item: Item | None) -> None:
    """Replay one more entry (None: an entry the reader cannot see)."""
    if item is None:
        result.not_replayed += 1
        return
    result.replayed += 1
    for check in RULES.get(item.event, ()):
        check(result, item)
    for check in ANY_EVENT:
        check(result, item)


def replay(items: Iterable[Item | None]) -> Replay:
    """Run every registered rule over the entries in log order (None: an entry the reader cannot see)."""
    result = Replay()
    for item in items:
        feed(result, item)
    return result


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Councils and their voters, as far as the record tells them.


@rule("council.created")
def _council_created(replay: Replay, item: Item) -> None:
    council = item.payload.get("council")
    if isinstance(council, str):
        replay.table("councils")[council] = {"is_base": bool(item.payload.get("is_base"))}


def _set_membership(replay: Replay, item: Item, status: str) -> None:
    membership = item.payload.get("membership")
    member = item.payload.get("member")
    if not isinstance(membership, str):
        replay.problem(item, f"a {item.event} entry names no membership")
        return
    memberships = replay.table("memberships")
    known = memberships.get(membership)
    council = item.council or (known or {}).get("council")
    memberships[membership] = {
        "member": member or (known or {}).get("member"),
        "council": council,
        "status": status,
    }


@rule("member.founding_enrolled", "member.invited_joined", "member.admitted", "member.reinstated")
def _member_full(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "full")


@rule("member.candidate_started")
def _member_candidate(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "candidate")


@rule("member.left")
def _member_left(replay: Replay, item: Item) -> None:
    _set_membership(replay, item, "left")


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
        replay.table("seats")[seat] = {"delegate": item.payload.get("delegate"), "council": item.council}


@rule("delegate.unseated")
def _unseated(replay: Replay, item: Item) -> None:
    seat = item.payload.get("seat")
    seats = replay.table("seats")
    if seat not in seats:
        replay.problem(item, f"delegate seat {seat} is vacated but the record never seated it")
        return
    del seats[seat]


def recorded_voters(replay: Replay, council: str | None) -> set[str] | None:
    """Voters of `council` now, from the record; None when the record does not describe the council."""
    info = replay.table("councils").get(council or "")
    if info is None:
        return None
    if info["is_base"]:
        return {
            m["member"]
            for m in replay.table("memberships").values()
            if m["council"] == council and m["status"] == "full" and m["member"]
        }
    return {
        s["delegate"] for s in replay.table("seats").values() if s["council"] == council and s["delegate"]
    }


# Motions and votes.


@rule("motion.tabled", "motion.amended")
def _motion_text(replay: Replay, item: Item) -> None:
    motion, text = item.payload.get("motion"), item.payload.get("text")
    if isinstance(motion, str) and isinstance(text, str):
        replay.table("motion_texts")[motion] = text


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
    listed = p.get("voters")
    if isinstance(listed, list):
        electorate = {str(v) for v in listed}
    else:
        rebuilt = recorded_voters(replay, item.council)
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
        replay.problem(item, f"vote {vote} lists {len(electorate)} voters but says its electorate is {size}")
    votes[vote] = {
        "motion": motion,
        "secret": p.get("method") == "secret",
        "allow_change": bool(p.get("allow_change")),
        "electorate": electorate,
        "size": size if isinstance(size, int) else None,
        "threshold": p.get("threshold"),
        "quorum": p.get("quorum"),
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
    if vote is None or not isinstance(result, Mapping):
        if vote is None:
            replay.note("some votes closed in this record were opened in entries you may not read")
        return
    vote["closed"] = True
    ballots = p.get("ballots")
    published = [b for b in ballots if isinstance(b, Mapping)] if isinstance(ballots, list) else []
    if vote["secret"]:
        if len(published) != len(vote["participants"]):
            replay.problem(
                item,
                f"vote {p.get('vote')}: {len(vote['participants'])} people voted but "
                f"{len(published)} ballots were published",
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


# Recall petitions.


@rule("recall.petition_started")
def _petition_started(replay: Replay, item: Item) -> None:
    petition = item.payload.get("petition")
    if isinstance(petition, str):
        replay.table("petitions")[petition] = {
            "threshold": item.payload.get("threshold"),
            "signers": set(),
            "count": 0,
        }


@rule("recall.signed")
def _petition_signed(replay: Replay, item: Item) -> None:
    petition = replay.table("petitions").get(item.payload.get("petition") or "")
    if petition is None:
        replay.note("some petition signatures belong to petitions you may not read")
        return
    if item.actor is not None:
        if item.actor in petition["signers"]:
            replay.problem(item, f"{item.actor} signed recall petition {item.payload.get('petition')} twice")
        petition["signers"].add(item.actor)
    petition["count"] += 1
    if item.payload.get("signatures") != petition["count"]:
        replay.problem(
            item,
            f"the petition says {item.payload.get('signatures')} signatures "
            f"but the record holds {petition['count']}",
        )


@rule("recall.vote_called")
def _recall_vote_called(replay: Replay, item: Item) -> None:
    petition = replay.table("petitions").get(item.payload.get("petition") or "")
    if petition is None:
        return
    threshold = petition["threshold"]
    if isinstance(threshold, int) and petition["count"] < threshold:
        replay.problem(
            item,
            f"a recall vote was called with {petition['count']} signatures, short of the {threshold} needed",
        )


@rule("recall.decided")
def _recall_decided(replay: Replay, item: Item) -> None:
    result = replay.table("vote_results").get(str(item.payload.get("motion")))
    if result is None:
        return
    adopted = result.get("outcome") == vote_rules.ADOPTED
    if bool(item.payload.get("recalled")) != adopted:
        replay.problem(item, "the recall decision does not follow the recall vote's result")


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
