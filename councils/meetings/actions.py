"""Writes to meetings: schedule, agenda, session, attendance, speakers' list, minutes.

Every one goes into the record. The speakers' list too: a chair who took
someone off it or gave the floor out of turn would otherwise leave no trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from councils.accounts.models import User
from councils.constitution import queries as constitution_queries
from councils.core.errors import ConflictError, InvalidInputError
from councils.core.ledger.minutes import minutes_hash
from councils.core.rules import meetings as meeting_rules
from councils.elections.models import Election
from councils.federation.models import Council
from councils.federation.queries import list_participants
from councils.live.publish import publish_on_commit
from councils.mandates.actions import open_reports_due
from councils.mandates.models import ReportDue
from councils.meetings import permissions, queries
from councils.meetings.models import AgendaItem, Attendance, Meeting, Speaker
from councils.record.actions import append_entry

# Only the rules put these on an agenda: a members' petition, or a report back falling due.
FORCED_KINDS = (AgendaItem.Kind.PETITION, AgendaItem.Kind.REPORT_BACK)


def _meetings_changed(council: Council) -> None:
    """Tell the council's page, which lists its meetings with their state and minutes."""
    publish_on_commit(f"council-{council.uuid}", {"type": "meetings.changed"})


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("council", "council__parent")
        .get(pk=meeting.pk)
    )


# Why an action a meeting's present stage does not allow is refused, in a sentence a member follows.
_STAGE_SENTENCES = {
    Meeting.Status.SCHEDULED: "This meeting has not opened yet.",
    Meeting.Status.OPEN: "This meeting is in session.",
    Meeting.Status.CLOSED: "This meeting has closed.",
}


def _require_status(meeting: Meeting, *statuses: str) -> None:
    if meeting.status not in statuses:
        raise ConflictError(_STAGE_SENTENCES[Meeting.Status(meeting.status)], code="meeting_state")


def _clean(value: str, what: str, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInputError(f"The {what} is missing.")
    if len(value) > limit:
        raise InvalidInputError(f"The {what} is longer than {limit} characters.")
    return value


@transaction.atomic
def schedule_meeting(
    *,
    actor: User,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str = "",
    online_url: str = "",
    now: datetime,
) -> Meeting:
    """Schedule a meeting (the council's chair or secretary) at a place, online, or both."""
    permissions.require(actor, "manage", council)
    title = _clean(title, "title")
    place = _clean(place, "place", required=False)
    online_url = _clean(online_url, "online link", required=False, limit=200)
    if not place and not online_url:
        raise InvalidInputError("Give a place, an online link, or both.")
    if online_url and not online_url.startswith(("https://", "http://")):
        raise InvalidInputError("The online link must start with https:// or http://.")
    if starts_at.tzinfo is None:
        raise InvalidInputError("The start time needs a time zone.")
    rules = constitution_queries.constitution_for(federation=council.federation_id)
    meeting_rules.check_notice(
        starts_at=starts_at, now=now, notice_hours=rules.meeting_notice_hours, rules_title=rules.title
    )
    meeting = Meeting.objects.create(
        council=council,
        title=title,
        starts_at=starts_at,
        place=place,
        online_url=online_url,
        scheduled_by=actor,
        scheduled_at=now,
    )
    append_entry(
        event="meeting.scheduled",
        actor=actor,
        council=council,
        payload={
            "meeting": str(meeting.uuid),
            "title": title,
            "starts_at": starts_at.isoformat(),
            "place": place,
            "online": bool(online_url),
            "notice_hours": rules.meeting_notice_hours,
            "constitution": rules.version,
        },
        now=now,
    )
    _place_forced_items(meeting, now)
    _meetings_changed(council)
    return meeting


def _place_forced_items(meeting: Meeting, now: datetime, *, only: Q | None = None) -> None:
    """Forced items go on the next meeting's agenda, after what is there, whatever the chair wants.

    Members force them by petition; the rules force a delegate's report back.
    """
    from councils.petitions.actions import place_forced_items

    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    placed = place_forced_items(council=meeting.council, meeting_uuid=meeting.uuid, now=now, only=only)
    for position, forced in enumerate(placed, start=last + 1):
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            kind=AgendaItem.Kind.REPORT_BACK if forced.report else AgendaItem.Kind.PETITION,
            title=forced.title,
            forced_item_uuid=forced.uuid,
            report=forced.report,
        )
        append_entry(
            event="meeting.item_added",
            actor=None,
            council=meeting.council,
            payload={
                "meeting": str(meeting.uuid),
                "item": str(item.uuid),
                "kind": item.kind,
                "title": item.title,
                "position": item.position,
                "motion": None,
                "election": None,
                "forced_item": str(forced.uuid),
                "report": str(forced.report.uuid) if forced.report else None,
            },
            now=now,
        )


def place_on_meeting_set(*, council_id: int, only: Q, now: datetime) -> None:
    """Forced items (`only`) go at once on the council's meeting already set, scheduled or in session.

    The earliest such meeting takes them; a council with no meeting set gets
    them when it schedules one (`schedule_meeting`). Runs inside the action
    that forced them.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(council_id=council_id, status__in=[Meeting.Status.SCHEDULED, Meeting.Status.OPEN])
        .order_by("starts_at", "id")
        .first()
    )
    if meeting is not None:
        _place_forced_items(meeting, now, only=only)
        publish_on_commit(queries.live_channel(meeting), {"type": "agenda.changed"})


def _place_reports_due(reports: Sequence[ReportDue], now: datetime) -> None:
    """Reports falling due go on the agenda of each represented council's next meeting already set."""
    owed: dict[int, list[ReportDue]] = defaultdict(list)
    for report in reports:
        owed[report.council_id].append(report)
    for council_id in sorted(owed):
        place_on_meeting_set(council_id=council_id, only=Q(report__in=owed[council_id]), now=now)


def apply_forced_item_change(
    *, forced_item_uuid: Any, change: str, motion_uuid: Any, merge_into_uuid: Any = None, now: datetime
) -> AgendaItem | None:
    """Carry out on the agenda a change to a forced item the council adopted by `motion_uuid`.

    The forced item's agenda item, if it is still to be taken, is withdrawn (items are
    never deleted); a merged one names the item it goes with, and a postponed one goes
    on the council's next meeting, or the first one scheduled. Runs inside the
    transaction of the vote that adopted the change; the vote decided it, so the
    entries have no actor.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_forced_item_change runs inside the action that adopted the change")
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__council")
        .filter(
            forced_item_uuid=forced_item_uuid,
            status__in=[AgendaItem.Status.PENDING, AgendaItem.Status.CURRENT],
            meeting__status__in=[Meeting.Status.SCHEDULED, Meeting.Status.OPEN],
        )
        .first()
    )
    if item is None:
        return None
    meeting = _lock(item.meeting)
    into = None
    if change == "merge":
        into = meeting.items.exclude(pk=item.pk).filter(uuid=merge_into_uuid).first()
        if into is None or into.status == AgendaItem.Status.WITHDRAWN:
            raise ConflictError("The item to merge with is no longer on this meeting's agenda.")
    item.status, item.done_at, item.merged_into = AgendaItem.Status.WITHDRAWN, now, into
    item.save(update_fields=["status", "done_at", "merged_into"])
    Speaker.objects.filter(item=item, status__in=[Speaker.Status.WAITING, Speaker.Status.SPEAKING]).update(
        status=Speaker.Status.WITHDRAWN, done_at=now
    )
    append_entry(
        event="meeting.item_withdrawn",
        actor=None,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "item": str(item.uuid),
            "forced_item": str(forced_item_uuid),
            "change": change,
            "motion": str(motion_uuid),
            "merged_into": str(into.uuid) if into is not None else None,
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "agenda.changed"})
    if change == "postpone":
        later = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("council")
            .filter(council_id=meeting.council_id, status=Meeting.Status.SCHEDULED)
            .exclude(pk=meeting.pk)
            .order_by("starts_at", "id")
            .first()
        )
        if later is not None:
            _place_forced_items(later, now)
            publish_on_commit(queries.live_channel(later), {"type": "agenda.changed"})
    return item


@transaction.atomic
def add_agenda_item(
    *,
    actor: User,
    meeting: Meeting,
    kind: str,
    title: str = "",
    motion: Any = None,
    election: Election | None = None,
    now: datetime,
) -> AgendaItem:
    """Add an item at the end of the agenda; a motion or election item links to it."""
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.SCHEDULED, Meeting.Status.OPEN)
    if kind not in AgendaItem.Kind.values or kind in FORCED_KINDS:
        kinds = [k for k in AgendaItem.Kind.values if k not in FORCED_KINDS]
        raise InvalidInputError(f"An agenda item is one of: {', '.join(kinds)}.")
    if kind == AgendaItem.Kind.MOTION:
        if motion is None or motion.council_id != meeting.council_id:
            raise InvalidInputError("Choose a motion of this council.")
        if not motion.is_open:
            raise ConflictError(
                f"“{motion.title}” is {motion.get_state_display().lower()}: "
                "only a motion still to be decided goes on an agenda.",
                code="motion_decided",
            )
        if meeting.items.filter(motion=motion).exclude(status=AgendaItem.Status.WITHDRAWN).exists():
            raise ConflictError(
                f"“{motion.title}” is already on this meeting's agenda.", code="already_on_agenda"
            )
        title = title.strip() or motion.title
    elif kind == AgendaItem.Kind.ELECTION:
        if election is None or election.council_id != meeting.council_id:
            raise InvalidInputError("Choose an election of this council.")
        if election.status not in queries.ELECTIONS_FOR_AGENDA:
            raise ConflictError(
                f"“{election.title}” is {election.get_status_display().lower()}: "
                "only an election still to be held or certified goes on an agenda.",
                code="election_over",
            )
        if meeting.items.filter(election=election).exclude(status=AgendaItem.Status.WITHDRAWN).exists():
            raise ConflictError(
                f"“{election.title}” is already on this meeting's agenda.", code="already_on_agenda"
            )
        title = title.strip() or election.title
    elif motion is not None or election is not None:
        raise InvalidInputError("Only motion and election items link to a motion or an election.")
    title = _clean(title, "item title")
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        title=title,
        motion=motion if kind == AgendaItem.Kind.MOTION else None,
        election=election if kind == AgendaItem.Kind.ELECTION else None,
    )
    append_entry(
        event="meeting.item_added",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "item": str(item.uuid),
            "kind": kind,
            "title": title,
            "position": item.position,
            "motion": str(item.motion.uuid) if item.motion else None,
            "election": str(item.election.uuid) if item.election else None,
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "agenda.changed"})
    return item


@transaction.atomic
def reorder_agenda(*, actor: User, meeting: Meeting, order: Sequence[str], now: datetime) -> list[AgendaItem]:
    """Put the items still to come in a new order (UUIDs, first first); items taken keep their place."""
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.SCHEDULED, Meeting.Status.OPEN)
    items = list(
        meeting.items.select_for_update().exclude(status=AgendaItem.Status.WITHDRAWN).order_by("position")
    )
    movable = [i for i in items if i.status == AgendaItem.Status.PENDING]
    fixed = [i for i in items if i.status != AgendaItem.Status.PENDING]
    by_uuid = {str(i.uuid): i for i in movable}
    order = [str(u) for u in order]
    if sorted(order) != sorted(by_uuid):
        raise InvalidInputError("List every item still to come exactly once.")
    for position, item in enumerate([*fixed, *(by_uuid[u] for u in order)], start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    append_entry(
        event="meeting.agenda_reordered",
        actor=actor,
        council=meeting.council,
        payload={"meeting": str(meeting.uuid), "order": [*(str(i.uuid) for i in fixed), *order]},
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "agenda.changed"})
    return list(meeting.items.exclude(status=AgendaItem.Status.WITHDRAWN).order_by("position"))


@transaction.atomic
def open_meeting(*, actor: User, meeting: Meeting, now: datetime) -> Meeting:
    """Open the session; the chair then takes the items in order once a quorum is present."""
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.SCHEDULED)
    if now < meeting.starts_at:
        # A meeting held before the time announced is held without those who come on time.
        raise ConflictError(
            f"This meeting was called for {meeting.starts_at:%Y-%m-%d %H:%M} UTC "
            "and cannot open before then.",
            code="meeting_not_yet",
        )
    quorum = queries.quorum(meeting=meeting)
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = now
    meeting.save(update_fields=["status", "opened_at"])
    append_entry(
        event="meeting.opened",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "quorum": quorum.needed,
            "voters": quorum.voters,
            "constitution": quorum.constitution,
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "meeting.opened"})
    _meetings_changed(meeting.council)
    return meeting


def _finish_current(meeting: Meeting, now: datetime) -> None:
    for item in meeting.items.select_for_update().filter(status=AgendaItem.Status.CURRENT):
        item.status, item.done_at = AgendaItem.Status.DONE, now
        item.save(update_fields=["status", "done_at"])
        Speaker.objects.filter(item=item, status=Speaker.Status.SPEAKING).update(
            status=Speaker.Status.DONE, done_at=now
        )


@transaction.atomic
def take_next_item(*, actor: User, meeting: Meeting, now: datetime) -> AgendaItem | None:
    """Finish the item under discussion and take the next one; None when the agenda is done.

    No business is taken until a quorum of the council's voters is marked present.
    """
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    quorum = queries.quorum(meeting=meeting)
    if not quorum.met:
        raise ConflictError(
            f"No quorum: {quorum.present} of {quorum.voters} present; {quorum.needed} needed.",
            code="meeting_inquorate",
        )
    _finish_current(meeting, now)
    item = (
        meeting.items.select_for_update()
        .filter(status=AgendaItem.Status.PENDING)
        .order_by("position")
        .first()
    )
    if item is not None:
        item.status, item.taken_at = AgendaItem.Status.CURRENT, now
        item.save(update_fields=["status", "taken_at"])
    append_entry(
        event="meeting.item_taken",
        actor=actor,
        council=meeting.council,
        payload={"meeting": str(meeting.uuid), "item": str(item.uuid) if item else None},
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "agenda.changed"})
    return item


@transaction.atomic
def close_meeting(*, actor: User, meeting: Meeting, now: datetime) -> Meeting:
    """Close the session; the minutes can then be approved."""
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    _finish_current(meeting, now)
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = now
    meeting.save(update_fields=["status", "closed_at"])
    Speaker.objects.filter(item__meeting=meeting, status=Speaker.Status.WAITING).update(
        status=Speaker.Status.WITHDRAWN, done_at=now
    )
    from councils.petitions.actions import carry_over_forced_items, finish_forced_items

    untaken = set(
        meeting.items.filter(status=AgendaItem.Status.PENDING, forced_item_uuid__isnull=False).values_list(
            "forced_item_uuid", flat=True
        )
    )
    carried = carry_over_forced_items(meeting_uuid=meeting.uuid, untaken=untaken, now=now)
    finish_forced_items(meeting_uuid=meeting.uuid, now=now)
    append_entry(
        event="meeting.closed",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "attendance": meeting.attendance.count(),
            "carried_over": [str(item.uuid) for item in carried],
        },
        now=now,
    )
    if carried:
        place_on_meeting_set(council_id=meeting.council_id, only=Q(pk__in=[i.pk for i in carried]), now=now)
    _place_reports_due(open_reports_due(council=meeting.council, meeting_uuid=meeting.uuid, now=now), now)
    publish_on_commit(queries.live_channel(meeting), {"type": "meeting.closed"})
    _meetings_changed(meeting.council)
    return meeting


def _attend(meeting: Meeting, *, actor: User, user: User, now: datetime) -> Attendance:
    """Write one attendance and its record entry; the caller holds the meeting and checked who may."""
    # No savepoint (two round trips): the ConflictError leaves the action's transaction, which rolls back.
    try:
        attendance = Attendance.objects.create(meeting=meeting, user=user, present_at=now)
    except IntegrityError:
        raise ConflictError(f"{user.name} is already marked present.") from None
    # One entry per person: the offline verifier counts them towards the quorum.
    append_entry(
        event="meeting.attended",
        actor=actor,
        council=meeting.council,
        payload={"meeting": str(meeting.uuid), "member": str(user.uuid)},
        now=now,
    )
    return attendance


@transaction.atomic
def mark_present(*, actor: User, meeting: Meeting, user: User, now: datetime) -> Attendance:
    """Record someone as present: themselves, or anyone by the chair or secretary."""
    meeting = _lock(meeting)
    themselves = actor.pk == user.pk
    permissions.require(actor, "attend" if themselves else "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    if not themselves and not permissions.can(user, "attend", meeting):
        # Not naming them: a chair must not learn the name behind any account's identifier this way.
        raise InvalidInputError(f"That person does not take part in {meeting.council.name}.")
    attendance = _attend(meeting, actor=actor, user=user, now=now)
    publish_on_commit(queries.live_channel(meeting), {"type": "attendance.changed"})
    return attendance


@transaction.atomic
def mark_present_many(
    *, actor: User, meeting: Meeting, users: Sequence[User], now: datetime
) -> list[Attendance]:
    """The chair or secretary marks several people present at once; returns the attendances written.

    Each person gets the same record entry `mark_present` writes. Someone who
    marked themselves present since the chair's list was drawn is left as they
    are; anyone who does not take part refuses the whole list.
    """
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    if not users:
        raise InvalidInputError("Choose at least one person to mark present.")
    present = set(meeting.attendance.values_list("user_id", flat=True))
    todo = list({u.pk: u for u in users if u.pk not in present}.values())
    takes_part = set(
        list_participants(council=meeting.council)
        .filter(pk__in=[u.pk for u in todo])
        .values_list("pk", flat=True)
    )
    strangers = sum(1 for u in todo if u.pk not in takes_part)
    if strangers:
        # Not naming them, as in mark_present; from the page's list this means someone has just left.
        raise InvalidInputError(
            f"{strangers} of the people chosen do not take part in {meeting.council.name} "
            "(anyone who has just left): reload the list and mark them again."
        )
    attendances = [_attend(meeting, actor=actor, user=u, now=now) for u in todo]
    if attendances:
        publish_on_commit(queries.live_channel(meeting), {"type": "attendance.changed"})
    return attendances


def _lock_item(item: AgendaItem) -> tuple[Meeting, AgendaItem]:
    return _lock(item.meeting), AgendaItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def join_speakers(*, actor: User, item: AgendaItem, now: datetime) -> Speaker:
    """Put yourself on the speakers' list of an item still open; only those marked present may.

    As in a hall, the floor is for those in the room or joined online and marked
    present. Attendance is never taken back during a meeting, so whoever is on
    the list is still present when the chair gives them the floor.
    """
    meeting, item = _lock_item(item)
    permissions.require(actor, "speak", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    if item.status == AgendaItem.Status.DONE:
        raise ConflictError("This item is done.")
    if item.status == AgendaItem.Status.WITHDRAWN:
        raise ConflictError("This item was taken off the agenda.")
    if not queries.is_present(meeting=meeting, user=actor):
        raise ConflictError(
            "Mark yourself present first (“I am here”): only those present at the meeting may ask to speak.",
            code="not_present",
        )
    if Speaker.objects.filter(item=item, user=actor, status=Speaker.Status.WAITING).exists():
        raise ConflictError("You are already on the list.")
    speaker = Speaker.objects.create(item=item, user=actor, requested_at=now)
    append_entry(
        event="meeting.speaker_joined",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "item": str(item.uuid),
            "speaker": str(speaker.uuid),
            "member": str(actor.uuid),
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "speakers.changed", "item": str(item.uuid)})
    return speaker


@transaction.atomic
def leave_speakers(*, actor: User, speaker: Speaker, now: datetime) -> Speaker:
    """Take yourself off the list (the chair may take anyone off).

    The entry names the place and its member; its actor is whoever took them
    off, so a chair's removal reads as the chair's, never as the member's own.
    """
    meeting, item = _lock_item(speaker.item)
    if speaker.user_id != actor.pk:
        permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    speaker = Speaker.objects.select_for_update().select_related("user").get(pk=speaker.pk)
    if speaker.status != Speaker.Status.WAITING:
        raise ConflictError("Only someone still waiting can leave the list.")
    speaker.status, speaker.done_at = Speaker.Status.WITHDRAWN, now
    speaker.save(update_fields=["status", "done_at"])
    append_entry(
        event="meeting.speaker_withdrawn",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "item": str(item.uuid),
            "speaker": str(speaker.uuid),
            "member": str(speaker.user.uuid),
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "speakers.changed", "item": str(item.uuid)})
    return speaker


@transaction.atomic
def give_floor(*, actor: User, item: AgendaItem, now: datetime) -> Speaker | None:
    """The chair gives the floor to the next speaker waiting on the item under discussion.

    The turn of whoever had the floor ends; with nobody waiting, nobody has it
    next. The entry names both, so the record shows the floor went in turn.
    Nothing is written when nobody had the floor and nobody waits.
    """
    meeting, item = _lock_item(item)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.OPEN)
    if item.status != AgendaItem.Status.CURRENT:
        raise ConflictError("The floor is given on the item under discussion.")
    ended = item.speakers.select_for_update().filter(status=Speaker.Status.SPEAKING).first()
    if ended is not None:
        ended.status, ended.done_at = Speaker.Status.DONE, now
        ended.save(update_fields=["status", "done_at"])
    speaker = (
        item.speakers.select_for_update()
        .filter(status=Speaker.Status.WAITING)
        .order_by("requested_at", "id")
        .first()
    )
    if speaker is not None:
        speaker.status, speaker.floor_at = Speaker.Status.SPEAKING, now
        speaker.save(update_fields=["status", "floor_at"])
    if ended is None and speaker is None:
        return None
    append_entry(
        event="meeting.floor_given",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "item": str(item.uuid),
            "speaker": str(speaker.uuid) if speaker is not None else None,
            "ended": str(ended.uuid) if ended is not None else None,
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "speakers.changed", "item": str(item.uuid)})
    return speaker


@transaction.atomic
def approve_minutes(*, actor: User, meeting: Meeting, now: datetime, motion: Any = None) -> Meeting:
    """Freeze the generated minutes and put their hash and the record checkpoint in the record.

    Approved by the chair or secretary, or by the council's vote on `motion`
    (an adopted motion of this council approving them).
    """
    meeting = _lock(meeting)
    permissions.require(actor, "manage", meeting)
    _require_status(meeting, Meeting.Status.CLOSED)
    if meeting.minutes_approved_at is not None:
        raise ConflictError("These minutes are already approved and frozen.")
    if motion is not None and (motion.council_id != meeting.council_id or motion.state != "adopted"):
        raise InvalidInputError("Minutes are approved by an adopted motion of this council.")
    document = queries.build_minutes(meeting=meeting, approved_at=now)
    document["approved_by_motion"] = str(motion.uuid) if motion is not None else None
    digest = minutes_hash(document)
    meeting.minutes, meeting.minutes_hash = document, digest
    meeting.minutes_approved_at, meeting.minutes_approved_by = now, actor
    meeting.save(update_fields=["minutes", "minutes_hash", "minutes_approved_at", "minutes_approved_by"])
    append_entry(
        event="meeting.minutes_approved",
        actor=actor,
        council=meeting.council,
        payload={
            "meeting": str(meeting.uuid),
            "minutes_hash": digest,
            "checkpoint": document["checkpoint"],
            "motion": document["approved_by_motion"],
        },
        now=now,
    )
    publish_on_commit(queries.live_channel(meeting), {"type": "minutes.approved"})
    _meetings_changed(meeting.council)
    return meeting
