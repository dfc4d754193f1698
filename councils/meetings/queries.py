"""Reads of meetings, and the minutes generated from what the record says was decided."""

from __future__ import annotations

import json
import uuid as uuid_lib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import NotFoundError
from councils.core.ledger import minutes as minutes_rules
from councils.core.ledger.encoding import format_time
from councils.core.rules import meetings as meeting_rules
from councils.core.wording import counted, shared_names
from councils.elections.models import Election
from councils.federation import permissions as council_permissions
from councils.federation.models import Council
from councils.federation.queries import (
    can_see_names,
    count_voters,
    list_participant_councils,
    list_participants,
    list_visible_councils,
    list_voters,
    names_shared_with_participants,
)
from councils.live.state import shared
from councils.meetings import permissions
from councils.meetings.models import AgendaItem, Attendance, Meeting, Speaker
from councils.motions.models import Vote
from councils.record.models import Entry

# An election goes on an agenda while it is to be held: nominating, voting, or closed and counted
# and awaiting the certification the meeting may take. A certified or failed one is over.
ELECTIONS_FOR_AGENDA = (Election.Status.NOMINATING, Election.Status.VOTING, Election.Status.CLOSED)


@dataclass(frozen=True)
class Quorum:
    """How many of the council's voters a meeting needs present before it takes business."""

    needed: int
    voters: int
    present: int
    constitution: int

    @property
    def met(self) -> bool:
        return self.present >= self.needed


def get_earliest_start(*, council: Council, now: datetime) -> tuple[datetime, int]:
    """When a meeting of `council` called at `now` may start at the earliest, and the hours of notice
    the constitution in force requires, for the form to say before the chair picks a time."""
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    notice = rules.meeting_notice_hours
    return meeting_rules.earliest_start(now=now, notice_hours=notice), notice


def quorum(*, meeting: Meeting) -> Quorum:
    """The quorum under the constitution in force, the council's voters now, and how many are present."""
    rules = constitution_queries.constitution_for(federation=meeting.council.federation_id)
    voters = count_voters(council=meeting.council)
    present = meeting.attendance.filter(user__in=list_voters(council=meeting.council)).count()
    needed = meeting_rules.quorum(voters=voters, share=rules.meeting_quorum_share)
    return Quorum(needed=needed, voters=voters, present=present, constitution=rules.version)


# Entries the minutes report; single casts are left out (roll calls come with the result).
MINUTED_EVENTS = (
    "motion.tabled",
    "motion.seconded",
    "motion.amendment_proposed",
    "motion.amended",
    "motion.withdrawn",
    "motion.forwarded",
    "vote.opened",
    "vote.closed",
    "election.called",
    "election.opened",
    "election.closed",
    "election.recounted",
    "election.failed",
    "election.certified",
)


def list_meetings(*, council: Council) -> QuerySet[Meeting]:
    return Meeting.objects.filter(council=council).select_related("council").order_by("-starts_at", "id")


def list_visible_meetings(*, viewer: Any, council: Council | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(council__in=list_visible_councils(viewer=viewer))
    if council is not None:
        meetings = meetings.filter(council=council)
    return meetings.select_related("council").order_by("-starts_at", "id")


def list_upcoming_for(*, user: Any, now: datetime, limit: int = 5) -> list[Meeting]:
    """The meetings in session and the next ones of the councils `user` takes part in.

    A meeting in session stays listed whatever day it opened: a session runs past midnight.
    """
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Meeting.objects.filter(
            Q(status=Meeting.Status.OPEN) | Q(status=Meeting.Status.SCHEDULED, starts_at__gte=today),
            council__in=list_participant_councils(user=user),
        )
        .select_related("council")
        .order_by("starts_at")[:limit]
    )


def list_meetings_taking_up(*, motion: Any = None, election: Election | None = None) -> list[Meeting]:
    """The meetings still to close whose agenda takes up `motion` or `election`, soonest first.

    Shown on its page, so that the chair who left the meeting to put it to the vote finds the way back.
    """
    on_agenda = Q(items__motion=motion) if motion is not None else Q(items__election=election)
    return list(
        Meeting.objects.filter(on_agenda, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.OPEN])
        .distinct()
        .order_by("starts_at", "id")
    )


def access_meeting(*, viewer: Any, meeting_uuid: uuid_lib.UUID | str) -> Meeting:
    """Return the meeting, or raise NotFoundError when it is missing or its council is hidden."""
    try:
        meeting = Meeting.objects.select_related("council", "council__parent").get(uuid=meeting_uuid)
    except (Meeting.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such meeting.") from None
    if not permissions.can(viewer, "view", meeting):
        raise NotFoundError("No such meeting.")
    return meeting


@dataclass(frozen=True)
class Standing:
    """The viewer at a meeting: `permissions.can` to view, manage and speak, `is_present`, and whether
    they may read the names of the council's members (`can_see_names`)."""

    may_view: bool
    may_manage: bool
    may_speak: bool
    is_present: bool
    sees_names: bool


# The viewer's holdings in the meeting's federation (federation.permissions), and their attendance.
_STANDING_SQL = (
    f"{council_permissions.HOLDINGS_SQL} UNION ALL SELECT 'present', meeting_id, '' "  # noqa: S608 (table names)
    f"FROM {Attendance._meta.db_table} WHERE meeting_id = %s AND user_id = %s"
)


def meeting_standing(*, viewer: Any, meeting: Meeting) -> Standing:
    """The viewer's standing at the meeting and whether they may see it, in one query.

    Every delegate's page fetches the live parts at once: one query where
    `permissions.can` for view, manage and speak and `is_present` ask five.
    """
    council = meeting.council
    if not getattr(viewer, "is_authenticated", False):
        rows: list[tuple[str, int, str]] = []
    else:
        params = [*council_permissions.holdings_params(viewer, council), meeting.pk, viewer.pk]
        with connection.cursor() as cursor:
            cursor.execute(_STANDING_SQL, params)
            rows = cursor.fetchall()
    rights = council_permissions.rights_from(viewer, council, rows)
    return Standing(
        may_view=rights.may_view,
        may_manage=rights.may_manage_meetings,
        may_speak=rights.may_speak,
        is_present=any(kind == "present" for kind, _, _ in rows),
        sees_names=rights.sees_names,
    )


def access_meeting_standing(*, viewer: Any, meeting_uuid: uuid_lib.UUID | str) -> tuple[Meeting, Standing]:
    """`access_meeting`, and the viewer's standing at the meeting: two queries."""
    try:
        meeting = Meeting.objects.select_related("council", "council__parent").get(uuid=meeting_uuid)
    except (Meeting.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such meeting.") from None
    standing = meeting_standing(viewer=viewer, meeting=meeting)
    if not standing.may_view:
        raise NotFoundError("No such meeting.")
    return meeting, standing


def _access_child(model: Any, viewer: Any, key: uuid_lib.UUID | str, path: str, what: str) -> Any:
    try:
        obj = model.objects.select_related(path, f"{path}__council").get(uuid=key)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError(f"No such {what}.") from None
    meeting = obj.meeting if path == "meeting" else obj.item.meeting
    if not permissions.can(viewer, "view", meeting):
        raise NotFoundError(f"No such {what}.")
    return obj


def access_item(*, viewer: Any, item_uuid: uuid_lib.UUID | str) -> AgendaItem:
    return _access_child(AgendaItem, viewer, item_uuid, "meeting", "agenda item")  # type: ignore[no-any-return]


def access_speaker(*, viewer: Any, speaker_uuid: uuid_lib.UUID | str) -> Speaker:
    try:
        speaker = Speaker.objects.select_related("item", "item__meeting", "item__meeting__council").get(
            uuid=speaker_uuid
        )
    except (Speaker.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such place on the list.") from None
    if not permissions.can(viewer, "view", speaker.item.meeting):
        raise NotFoundError("No such place on the list.")
    return speaker


def list_items(*, meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order, each item with its speakers' list; items the council took off are left out."""
    speakers = Speaker.objects.select_related("user").order_by("requested_at", "id")
    return list(
        meeting.items.exclude(status=AgendaItem.Status.WITHDRAWN)
        .select_related("motion", "election", "report__delegate", "report__higher_council")
        .prefetch_related(Prefetch("speakers", queryset=speakers), "merged_items")
        .order_by("position", "id")
    )


def live_channel(meeting: Meeting) -> str:
    """The live channel a meeting's page follows; every change to what it shows is published there."""
    return f"meeting-{meeting.uuid}"


@dataclass(frozen=True)
class OnTheList:
    """A place on the current item's speakers' list, as everyone who may see the meeting sees it."""

    uuid: uuid_lib.UUID
    user_uuid: uuid_lib.UUID
    name: str
    speaking: bool


@dataclass(frozen=True)
class Floor:
    """The item under discussion and who has the floor or waits for it, in order."""

    item_uuid: uuid_lib.UUID
    title: str
    speakers: tuple[OnTheList, ...]

    def is_waiting(self, user: Any) -> bool:
        uuid = getattr(user, "uuid", None)
        return any(s.user_uuid == uuid and not s.speaking for s in self.speakers)


def _read_floor(meeting: Meeting) -> Floor | None:
    item = meeting.items.filter(status=AgendaItem.Status.CURRENT).first()
    if item is None:
        return None
    speakers = (
        item.speakers.filter(status__in=[Speaker.Status.SPEAKING, Speaker.Status.WAITING])
        .select_related("user")
        .order_by("requested_at", "id")
    )
    return Floor(
        item_uuid=item.uuid,
        title=item.title,
        speakers=tuple(
            OnTheList(
                uuid=s.uuid,
                user_uuid=s.user.uuid,
                name=s.user.name,
                speaking=s.status == Speaker.Status.SPEAKING,
            )
            for s in speakers
        ),
    )


def get_floor(*, meeting: Meeting) -> Floor | None:
    """The speakers' list of the item under discussion (None between items), read once per change.

    Everyone who may see the meeting sees the same list, and every change to it
    is published on the meeting's channel, so the list is read once per change
    however many delegates' pages fetch it (live/state.py).
    """
    return shared(live_channel(meeting), "floor", lambda: _read_floor(meeting))


def list_attendance(*, meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("user").order_by("user__display_name", "user__username")


def is_present(*, meeting: Meeting, user: Any) -> bool:
    """Whether `user` is marked present at the meeting: one row, looked up by its unique key."""
    return bool(user.is_authenticated) and meeting.attendance.filter(user=user).exists()


def list_absent(*, meeting: Meeting) -> list[User]:
    """The council's participants not yet marked present, for the chair's attendance form."""
    return list(
        list_participants(council=meeting.council)
        .exclude(pk__in=meeting.attendance.values("user_id"))
        .order_by("display_name", "username")
    )


def _named(name: str, username: str) -> str:
    """A name told apart from a namesake's, as frozen minutes write it whatever the reader's language."""
    return f"{name} ({username})"


def _subject(payload: dict[str, Any], amendments: dict[str, str]) -> str:
    """“Amendment 1 to: …” when the entry is about one of the item's amendments, else nothing."""
    title = amendments.get(str(payload.get("motion")))
    return f"“{title}”" if title else ""


def _summary(
    event: str,
    payload: dict[str, Any],
    names: dict[str, str],
    candidates: dict[str, str],
    amendments: dict[str, str],
    present: int,
) -> dict[str, Any]:
    """A line a member can read, the roll call of a named vote, and what the record counted (format 3)."""
    lines: list[str] = []
    facts: dict[str, Any] = {}
    about = _subject(payload, amendments)
    if event == "vote.closed":
        r = payload.get("result", {})
        how = "Named vote" if payload.get("method") == "named" else "Secret ballot"
        text = (
            f"{how} on {about or 'the motion'} closed: {r.get('outcome', '').replace('_', ' ')}. "
            f"Yes {r.get('yes')}, no {r.get('no')}, abstain {r.get('abstain')}; "
            f"{r.get('turnout')} of {r.get('electorate')} voted; {present} present."
        )
        ballots = minutes_rules.named_ballots(payload)
        lines = sorted(f"{names.get(b['person'], b['person'])}: {b['choice']}" for b in ballots)
        facts = {
            "vote": payload.get("vote"),
            "tally": minutes_rules.vote_tally(payload, present=present),
            "ballots": ballots,
        }
    elif event == "vote.opened":
        text = f"Vote opened on {about or 'the motion'}."
    elif event == "motion.amendment_proposed":
        text = f"Amendment proposed: “{payload.get('title')}”."
    elif event == "motion.amended":
        title = amendments.get(str(payload.get("amendment")), "the amendment")
        text = f"Amended: “{title}” carried, and the motion now reads as it proposed."
    elif event == "motion.withdrawn" and payload.get("reason") == "lapsed":
        text = f"{about or 'The amendment'} lapsed: the motion was decided or withdrawn before it was put."
    elif event == "motion.withdrawn":
        text = f"{about or 'The motion'} withdrawn by its mover."
    elif event == "motion.seconded":
        text = f"{about or 'The motion'} seconded."
    elif event == "election.opened":
        text = (
            f"Voting opened: {counted(len(payload.get('candidates', [])), 'candidate', 'candidates')}, "
            f"electorate of {payload.get('electorate_size')}."
        )
    elif event == "election.closed":
        elected = ", ".join(candidates.get(c, c) for c in payload.get("elected", []))
        text = (
            f"Counted: elected {elected}. {payload.get('turnout')} of "
            f"{payload.get('electorate_size')} voted; seed {payload.get('seed')}."
        )
        facts = {"election": payload.get("election"), "result": minutes_rules.count_result(payload)}
    elif event == "election.recounted":
        left_out = ", ".join(
            candidates.get(w["candidacy"], w["candidacy"]) for w in payload.get("withdrawn", [])
        )
        elected = ", ".join(candidates.get(c, c) for c in payload.get("elected", []))
        text = f"Counted again without {left_out}, who no longer had a vote: elected {elected or 'nobody'}."
        facts = {"election": payload.get("election"), "result": minutes_rules.count_result(payload)}
    elif event == "election.failed" and payload.get("reason") == "no_candidates":
        text = "Failed: every candidate withdrew or was withdrawn, so nobody was elected."
    elif event == "election.failed":
        text = "Failed: no ballots were cast, so nobody was elected."
    elif event == "election.certified":
        text = "Result certified: " + ", ".join(
            names.get(e["person"], e["person"]) for e in payload.get("elected", [])
        )
    else:
        text = event.split(".", 1)[1].replace("_", " ").capitalize() + "."
    return {"event": event, "text": text, "roll_call": lines, **facts}


def build_minutes(*, meeting: Meeting, approved_at: datetime | None = None) -> dict[str, Any]:
    """Generate the minutes: attendance, and per item what the record shows was decided during the meeting.

    With `approved_at`, the minutes also quote the record checkpoint (size and
    root) at approval; the document is JSON-safe so its canonical hash can be
    recorded. A person they name who shares their name with another they name,
    or with someone taking part in the council, is told apart by their username,
    as the council's member list tells them apart to those who may read it;
    `namesakes` lists who was (format version 2; version 1 named people by name
    only). Format version 3 reports an item's amendments too, and gives each
    closed vote its tally, how many were present and a named vote's ballots
    (`tally`, `ballots`), and each count its result (`result`), as the record
    states them (`councils.core.ledger.minutes`).
    """
    from councils.elections.queries import list_candidacies

    items = list_items(meeting=meeting)
    attendance = list(list_attendance(meeting=meeting))
    entries: list[tuple[Entry, dict[str, Any]]] = []
    if meeting.opened_at is not None:
        window = Entry.objects.filter(
            council=meeting.council, event__in=MINUTED_EVENTS, created_at__gte=meeting.opened_at
        )
        if meeting.closed_at is not None:
            window = window.filter(created_at__lte=meeting.closed_at)
        entries = [(e, json.loads(bytes(e.data))["payload"]) for e in window.order_by("id")]
    people: set[str] = set()
    for _, payload in entries:
        # A named vote's close lists its ballots; an election's close only counts them.
        ballots = payload.get("ballots")
        if isinstance(ballots, list):
            people.update(b["voter"] for b in ballots if isinstance(b, dict) and "voter" in b)
        people.update(e["person"] for e in payload.get("elected", []) if isinstance(e, dict))
    named = {str(a.user.uuid): a.user for a in attendance}
    named.update((str(u.uuid), u) for u in User.objects.filter(uuid__in=people - named.keys()))
    candidacies = {
        item.pk: {str(c.uuid): c.candidate for c in list_candidacies(election=item.election)}
        for item in items
        if item.election is not None
    }
    for running in candidacies.values():
        named.update((str(u.uuid), u) for u in running.values())
    # Of a base council's every member, only those who share a name with someone named are read.
    shared = shared_names(u.name for u in named.values()) | names_shared_with_participants(
        council=meeting.council, people=named.values()
    )
    namesakes = sorted(
        (u for u in named.values() if u.name.casefold() in shared),
        key=lambda u: (u.name.casefold(), u.username),
    )
    names = {key: u.name for key, u in named.items()}
    names.update((str(u.uuid), _named(u.name, u.username)) for u in namesakes)
    document_items = []
    for item in items:
        keys: set[str] = set()
        candidates: dict[str, str] = {}
        amendments: dict[str, str] = {}
        if item.motion is not None:
            amendments = {str(a.uuid): a.title for a in item.motion.amendments.order_by("id")}
            keys.add(str(item.motion.uuid))
            keys.update(amendments)
            keys.update(
                str(v)
                for v in Vote.objects.filter(
                    Q(motion=item.motion) | Q(motion__amends=item.motion)
                ).values_list("uuid", flat=True)
            )
        if item.election is not None:
            keys.add(str(item.election.uuid))
            candidates = {key: names[str(u.uuid)] for key, u in candidacies[item.pk].items()}
        decisions = [
            {
                "at": format_time(e.created_at),
                **_summary(
                    e.event,
                    p,
                    names,
                    candidates,
                    amendments,
                    present=sum(1 for a in attendance if a.present_at <= e.created_at),
                ),
            }
            for e, p in entries
            if keys and keys & {str(p.get("motion")), str(p.get("vote")), str(p.get("election"))}
        ]
        document_items.append(
            {
                "position": item.position,
                "item": str(item.uuid),
                "kind": item.kind,
                "title": item.title,
                "motion": str(item.motion.uuid) if item.motion else None,
                "election": str(item.election.uuid) if item.election else None,
                "taken_at": format_time(item.taken_at) if item.taken_at else None,
                "done_at": format_time(item.done_at) if item.done_at else None,
                "speakers": sum(1 for s in item.speakers.all() if s.status in ("done", "speaking")),
                "decisions": decisions,
            }
        )
    document: dict[str, Any] = {
        "v": minutes_rules.MINUTES_VERSION,
        "meeting": str(meeting.uuid),
        "council": {"uuid": str(meeting.council.uuid), "name": meeting.council.name},
        "title": meeting.title,
        "starts_at": format_time(meeting.starts_at),
        "place": meeting.place,
        "online": bool(meeting.online_url),
        "opened_at": format_time(meeting.opened_at) if meeting.opened_at else None,
        "closed_at": format_time(meeting.closed_at) if meeting.closed_at else None,
        "attendance": [{"person": str(a.user.uuid), "name": names[str(a.user.uuid)]} for a in attendance],
        "namesakes": [{"person": str(u.uuid), "name": u.name, "username": u.username} for u in namesakes],
        "items": document_items,
    }
    if approved_at is not None:
        from councils.record.sequencer import latest_checkpoint

        checkpoint = latest_checkpoint(current=True)
        document["approved_at"] = format_time(approved_at)
        document["checkpoint"] = {
            "size": checkpoint.size if checkpoint else 0,
            "root": bytes(checkpoint.root).hex() if checkpoint else None,
        }
    return document


def minutes_of(*, meeting: Meeting) -> tuple[dict[str, Any], bool]:
    """The frozen minutes once approved, else a draft generated now; and whether they are approved."""
    if meeting.minutes is not None:
        return meeting.minutes, True
    return build_minutes(meeting=meeting), False


def minutes_for(*, viewer: Any, meeting: Meeting) -> tuple[dict[str, Any], bool]:
    """The minutes as `viewer` may read them: without members' names outside a base council's own.

    Who attended and a named vote's roll call are the council's member list and
    members' votes; others see the numbers only, candidates by their names
    without the usernames that tell namesakes apart, and `names_withheld` says
    the document is not the one whose hash was recorded.
    """
    document, approved = minutes_of(meeting=meeting)
    if can_see_names(viewer=viewer, council=meeting.council):
        return document, approved
    namesakes = document.get("namesakes", [])

    def plain(text: str) -> str:
        # An election's result names its candidates to everyone; their usernames only the council's own read.
        for n in namesakes:
            text = text.replace(_named(n["name"], n["username"]), n["name"])
        return text

    withheld = {
        **document,
        "attendance": [{"person": None, "name": None} for _ in document["attendance"]],
        "items": [
            {
                **item,
                "decisions": [
                    {
                        **d,
                        "text": plain(d["text"]),
                        "roll_call": [],
                        **({"ballots": []} if "ballots" in d else {}),
                    }
                    for d in item["decisions"]
                ],
            }
            for item in document["items"]
        ],
        "names_withheld": True,
    }
    if "namesakes" in document:
        withheld["namesakes"] = []
    return withheld, approved


_TIME_KEYS = ("starts_at", "opened_at", "closed_at", "approved_at", "taken_at", "done_at", "at")


def readable(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a minutes document with its record times written for people (`2026-03-01 09:00 UTC`)."""

    def convert(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: convert(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if key in _TIME_KEYS and isinstance(value, str) and len(value) >= 16:
            return f"{value[:10]} {value[11:16]} UTC"
        return value

    return dict(convert(document))
