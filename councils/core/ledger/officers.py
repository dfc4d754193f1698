"""Replayed rules on who may act as an officer.

The offices of each council are followed from the record: `office.founding_filled` and
`office.filled` start one, `office.vacated` ends it. An act only a council's officers may do (open
or close a vote, run a meeting, run an election, hear a case, invite) whose entry names a person
(`actor`) must be by someone holding, at that point of the record, an office of that council that
the app's policy lets do it (`councils/*/permissions.py`). An act of the rules (no actor) is not
judged. Where the record does not show a council from its creation (created before the record
began, or in entries the reader may not see), its offices are unknown and the act is noted, not judged.
A founding officer (`office.founding_filled`) is appointed before the council's first vote or election
(`vote.opened`, `election.opened`); from then on its officers are elected.

Imported by `replay`, which registers these rules with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from councils.core.ledger.replay import Item, Replay, rule

CHAIR_OR_SECRETARY = ("chair", "secretary")
# Elections are run by the chair or the election officer (`elections/permissions.py`), not the secretary.
RUNNING_ELECTIONS = ("chair", "election_officer")

WHO: dict[tuple[str, ...], str] = {
    CHAIR_OR_SECRETARY: "the chair or secretary",
    RUNNING_ELECTIONS: "the chair or election officer",
}


def _name(key: str, template: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda payload: template.format(payload.get(key))


# The acts only officers may do, as entries that name who did them: what was done, and which offices
# of the entry's council may do it (motions/, meetings/, elections/, membership/ and accounts/
# permissions). The votes that calling an admission, approval, discipline or appeal vote and putting
# an amendment to the constitution open are judged by their `vote.opened`.
OFFICER_ACTS: dict[str, tuple[Callable[[Mapping[str, Any]], str], tuple[str, ...]]] = {
    "vote.opened": (_name("vote", "vote {} was opened"), CHAIR_OR_SECRETARY),
    "vote.closed": (_name("vote", "vote {} was closed"), CHAIR_OR_SECRETARY),
    "motion.forwarded": (_name("motion", "motion {} was forwarded to the council above"), CHAIR_OR_SECRETARY),
    "meeting.scheduled": (_name("meeting", "meeting {} was called"), CHAIR_OR_SECRETARY),
    "meeting.item_added": (
        _name("meeting", "an item was put on the agenda of meeting {}"),
        CHAIR_OR_SECRETARY,
    ),
    "meeting.agenda_reordered": (
        _name("meeting", "the agenda of meeting {} was reordered"),
        CHAIR_OR_SECRETARY,
    ),
    "meeting.opened": (_name("meeting", "meeting {} was opened"), CHAIR_OR_SECRETARY),
    "meeting.item_taken": (_name("meeting", "an item of meeting {} was taken"), CHAIR_OR_SECRETARY),
    "meeting.closed": (_name("meeting", "meeting {} was closed"), CHAIR_OR_SECRETARY),
    "meeting.minutes_approved": (
        _name("meeting", "the minutes of meeting {} were approved"),
        CHAIR_OR_SECRETARY,
    ),
    "meeting.attended": (
        lambda p: f"{p.get('member')} was marked present at meeting {p.get('meeting')}",
        CHAIR_OR_SECRETARY,
    ),
    "meeting.speaker_withdrawn": (
        lambda p: f"{p.get('member')} was taken off the speakers' list of meeting {p.get('meeting')}",
        CHAIR_OR_SECRETARY,
    ),
    "meeting.floor_given": (
        _name("meeting", "the floor was given at meeting {}"),
        CHAIR_OR_SECRETARY,
    ),
    "discipline.heard": (_name("case", "the hearing in case {} was recorded"), CHAIR_OR_SECRETARY),
    "invitation.sent": (_name("invitation", "invitation {} was sent"), CHAIR_OR_SECRETARY),
    "invitation.revoked": (_name("invitation", "invitation {} was withdrawn"), CHAIR_OR_SECRETARY),
    "election.called": (_name("election", "election {} was called"), RUNNING_ELECTIONS),
    "election.nominations_recorded": (
        _name("election", "nomination forms were entered in election {}"),
        RUNNING_ELECTIONS,
    ),
    "election.opened": (_name("election", "the poll of election {} was opened"), RUNNING_ELECTIONS),
    "election.paper_ballots_recorded": (
        _name("election", "paper ballots were entered in election {}"),
        RUNNING_ELECTIONS,
    ),
    "election.closed": (_name("election", "the poll of election {} was closed"), RUNNING_ELECTIONS),
    "election.failed": (_name("election", "election {} was recorded as failed"), RUNNING_ELECTIONS),
    "election.recounted": (_name("election", "election {} was counted again"), RUNNING_ELECTIONS),
    "election.certified": (_name("election", "election {} was certified"), RUNNING_ELECTIONS),
}

# Officers' acts a member may also do for themselves: the entry's `member` is then its actor.
SELF_ACTS = ("meeting.attended", "meeting.speaker_withdrawn")


@rule("council.created")
def _council_known(replay: Replay, item: Item) -> None:
    """From its creation on, every office of a council is in the record: its officers can be known."""
    p = item.payload
    council = p.get("council")
    if isinstance(council, str):
        replay.table("officers").setdefault(council, {})


@rule("office.founding_filled", "office.filled")
def _office_begun(replay: Replay, item: Item) -> None:
    p = item.payload
    offices = replay.table("officers").get(str(item.council))
    if offices is not None:
        offices[str(p.get("office"))] = {"holder": p.get("holder"), "role": p.get("role")}


@rule("office.vacated")
def _office_ended(replay: Replay, item: Item) -> None:
    offices = replay.table("officers").get(str(item.council))
    if offices is not None:
        offices.pop(str(item.payload.get("office")), None)


def holds_office(
    replay: Replay, council: object, person: object, roles: tuple[str, ...] | None = None
) -> bool | None:
    """Whether `person` holds one of `roles` (None: any office) in `council` at this point of the record;
    None if unknown."""
    offices: Mapping[str, Mapping[str, Any]] | None = replay.table("officers").get(str(council))
    if offices is None:
        return None
    return any(o["holder"] == person and (roles is None or o["role"] in roles) for o in offices.values())


@rule("vote.opened", "election.opened")
def _first_vote(replay: Replay, item: Item) -> None:
    """Remember the councils that have held a vote or election: their officers are elected from then on."""
    replay.table("voted").setdefault(str(item.council), item.index)


@rule("office.founding_filled")
def _founding_office(replay: Replay, item: Item) -> None:
    """A founding officer is appointed before the first vote or election of the council they serve."""
    if str(item.council) not in replay.table("officers"):
        replay.note(
            "some founding officers were appointed in councils whose creation you may not read: "
            "whether the council had already voted was not checked"
        )
        return
    first = replay.table("voted").get(str(item.council))
    if first is not None:
        p = item.payload
        replay.problem(
            item,
            f"{p.get('holder')} was appointed founding {p.get('role')} of council {item.council} after its "
            f"first vote or election (entry {first}): from then on its officers are elected",
        )


@rule(*OFFICER_ACTS)
def _officer_act(replay: Replay, item: Item) -> None:
    """An officer's act named as a person's was done by an officer of the entry's council who may do it."""
    if item.actor is None:
        # The rules acted: nobody's office is needed.
        return
    if item.event in SELF_ACTS and item.payload.get("member") == item.actor:
        # Anyone taking part marks themselves present, and leaves the speakers' list.
        return
    what, roles = OFFICER_ACTS[item.event]
    held = holds_office(replay, item.council, item.actor, roles)
    if held is None:
        replay.note(
            "some officers' acts are in councils whose offices the record does not show from the "
            "council's creation (created before the record began, or in entries you may not read): "
            "whether whoever acted held an office there was not checked"
        )
    elif not held:
        replay.problem(
            item,
            f"{what(item.payload)} by {item.actor}, who was not {WHO[roles]} of council {item.council} "
            "at that moment",
        )
