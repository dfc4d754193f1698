from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from councils.accounts.models import User
from councils.accounts.queries import acting_user
from councils.api.auth import OPTIONAL
from councils.api.pagination import PageNumber
from councils.api.schemas import CouncilRef, PersonRef, Strict
from councils.core.errors import InvalidInputError, NotFoundError
from councils.elections.models import Election
from councils.federation.queries import access_council, can_see_names
from councils.mandates.models import ReportDue
from councils.meetings import actions, permissions, queries
from councils.meetings.models import AgendaItem, Meeting, Speaker
from councils.meetings.pdf import minutes_pdf
from councils.motions.models import Motion

router = Router(tags=["meetings"])


class SpeakerOut(Schema):
    uuid: UUID
    person: PersonRef | None = Field(
        description="null to whoever may not read the names of a base council's members: "
        "all but its own members, delegates and officers"
    )
    status: str
    requested_at: datetime
    floor_at: datetime | None

    @staticmethod
    def resolve_person(obj: Speaker, context: Any) -> Any:
        # As the meeting's page names them; answered once per council and request, not per speaker.
        council = obj.item.meeting.council
        request = context["request"]
        named = request.__dict__.setdefault("_sees_names", {})
        if council.id not in named:
            named[council.id] = can_see_names(viewer=request.user, council=council)
        return obj.user if named[council.id] else None


class AgendaReportOut(Schema):
    """The report back an item puts before the council: empty text until the delegate files it."""

    uuid: UUID
    delegate: PersonRef
    higher_council: CouncilRef
    due_at: datetime
    submitted_at: datetime | None
    text: str

    @staticmethod
    def resolve_text(obj: ReportDue) -> str:
        return obj.report


class AgendaItemOut(Schema):
    uuid: UUID
    position: int
    kind: str
    title: str
    status: str
    motion: UUID | None
    election: UUID | None
    forced_item: UUID | None = Field(
        description="the forced item (petitions) behind an item only a vote of the council may move"
    )
    report: AgendaReportOut | None
    taken_at: datetime | None
    done_at: datetime | None
    speakers: list[SpeakerOut]

    @staticmethod
    def resolve_forced_item(obj: AgendaItem) -> UUID | None:
        return obj.forced_item_uuid

    @staticmethod
    def resolve_motion(obj: AgendaItem) -> UUID | None:
        return obj.motion.uuid if obj.motion else None

    @staticmethod
    def resolve_election(obj: AgendaItem) -> UUID | None:
        return obj.election.uuid if obj.election else None

    @staticmethod
    def resolve_speakers(obj: AgendaItem) -> list[Speaker]:
        return [s for s in obj.speakers.all() if s.status in ("waiting", "speaking")]


class MeetingOut(Schema):
    uuid: UUID
    council: CouncilRef
    title: str
    starts_at: datetime
    place: str
    online_url: str
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    minutes_hash: str
    minutes_approved_at: datetime | None

    @staticmethod
    def resolve_online_url(obj: Any, context: Any) -> str:
        # The link lets anyone into the meeting: only the council's own participants get it.
        meeting = obj if isinstance(obj, Meeting) else None
        if meeting is None:
            return str(obj.get("online_url", "")) if isinstance(obj, dict) else ""
        request = context["request"] if context else None
        if request is None:
            return ""
        # Answered once per council and request, so a list costs no query per meeting.
        allowed = request.__dict__.setdefault("_may_attend", {})
        if meeting.council_id not in allowed:
            allowed[meeting.council_id] = permissions.can(request.user, "attend", meeting)
        return meeting.online_url if allowed[meeting.council_id] else ""


class MeetingDetailOut(MeetingOut):
    items: list[AgendaItemOut]
    attendance: int
    may_manage: bool


class MeetingIn(Strict):
    council: UUID
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    place: str = Field(
        "", max_length=200, description="Where the meeting is held: a place, an online link, or both."
    )
    online_url: str = Field("", max_length=200, description="An https:// or http:// link.")


class ItemIn(Strict):
    kind: str = Field(
        description="motion, election, report or other",
        json_schema_extra={"enum": [k for k in AgendaItem.Kind.values if k not in actions.FORCED_KINDS]},
    )
    title: str = Field("", max_length=200, description="default: the motion's or election's title")
    motion: UUID | None = None
    election: UUID | None = None


class OrderIn(Strict):
    order: list[UUID] = Field(description="the UUIDs of every item still to come, in the new order")


class AttendanceIn(Strict):
    person: UUID | None = Field(None, description="default: yourself")


class AttendanceManyIn(Strict):
    people: list[UUID] = Field(
        description="everyone to mark present; those already present are left as they are"
    )


class ApproveIn(Strict):
    motion: UUID | None = Field(
        None, description="an adopted motion approving the minutes, if they went to a vote"
    )


class MinutesOut(Schema):
    approved: bool
    minutes_hash: str
    document: dict[str, Any]


def _detail(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return {
        **{f: getattr(meeting, f) for f in MeetingOut.model_fields},
        "online_url": meeting.online_url if permissions.can(request.user, "attend", meeting) else "",
        "items": queries.list_items(meeting=meeting),
        "attendance": meeting.attendance.count(),
        "may_manage": permissions.can(request.user, "manage", meeting),
    }


def _meeting(request: HttpRequest, meeting_id: UUID) -> Meeting:
    return queries.access_meeting(viewer=request.user, meeting_uuid=meeting_id)


def _item(request: HttpRequest, meeting_id: UUID, item_id: UUID) -> AgendaItem:
    item = queries.access_item(viewer=request.user, item_uuid=item_id)
    if item.meeting.uuid != meeting_id:
        raise NotFoundError("No such agenda item.")
    return item


@router.get("", response=list[MeetingOut], auth=OPTIONAL, operation_id="meetings_list")
@paginate(PageNumber)
def list_meetings(request: HttpRequest, council: UUID | None = None) -> Any:
    """Meetings of the councils the caller may see, latest first; `?council=` narrows to one."""
    where = access_council(viewer=request.user, council_uuid=council) if council else None
    return queries.list_visible_meetings(viewer=request.user, council=where)


@router.post("", response={201: MeetingDetailOut}, operation_id="meetings_schedule")
def schedule(request: HttpRequest, body: MeetingIn) -> Any:
    """Schedule a meeting (the council's chair or secretary)."""
    council = access_council(viewer=request.user, council_uuid=body.council)
    meeting = actions.schedule_meeting(
        actor=acting_user(request),
        council=council,
        title=body.title,
        starts_at=body.starts_at,
        place=body.place,
        online_url=body.online_url,
        now=timezone.now(),
    )
    return Status(201, _detail(request, meeting))


@router.get("/{meeting_id}", response=MeetingDetailOut, auth=OPTIONAL, operation_id="meetings_get")
def get_meeting(request: HttpRequest, meeting_id: UUID) -> Any:
    return _detail(request, _meeting(request, meeting_id))


@router.post("/{meeting_id}/items", response={201: AgendaItemOut}, operation_id="meetings_add_item")
def add_item(request: HttpRequest, meeting_id: UUID, body: ItemIn) -> Any:
    meeting = _meeting(request, meeting_id)
    motion = Motion.objects.filter(uuid=body.motion).first() if body.motion else None
    election = Election.objects.filter(uuid=body.election).first() if body.election else None
    if (body.motion and motion is None) or (body.election and election is None):
        raise InvalidInputError("Choose a motion or an election of this council.")
    item = actions.add_agenda_item(
        actor=acting_user(request),
        meeting=meeting,
        kind=body.kind,
        title=body.title,
        motion=motion,
        election=election,
        now=timezone.now(),
    )
    return Status(201, queries.access_item(viewer=request.user, item_uuid=item.uuid))


@router.post("/{meeting_id}/order", response=MeetingDetailOut, operation_id="meetings_reorder")
def reorder(request: HttpRequest, meeting_id: UUID, body: OrderIn) -> Any:
    meeting = _meeting(request, meeting_id)
    actions.reorder_agenda(
        actor=acting_user(request), meeting=meeting, order=[str(u) for u in body.order], now=timezone.now()
    )
    return _detail(request, _meeting(request, meeting_id))


def _step(request: HttpRequest, meeting_id: UUID, act: Any) -> Any:
    meeting = _meeting(request, meeting_id)
    act(actor=acting_user(request), meeting=meeting, now=timezone.now())
    return _detail(request, _meeting(request, meeting_id))


@router.post("/{meeting_id}/open", response=MeetingDetailOut, operation_id="meetings_open")
def open_meeting(request: HttpRequest, meeting_id: UUID) -> Any:
    return _step(request, meeting_id, actions.open_meeting)


@router.post("/{meeting_id}/next-item", response=MeetingDetailOut, operation_id="meetings_next_item")
def next_item(request: HttpRequest, meeting_id: UUID) -> Any:
    """Finish the item under discussion and take the next one."""
    return _step(request, meeting_id, actions.take_next_item)


@router.post("/{meeting_id}/close", response=MeetingDetailOut, operation_id="meetings_close")
def close_meeting(request: HttpRequest, meeting_id: UUID) -> Any:
    return _step(request, meeting_id, actions.close_meeting)


@router.post("/{meeting_id}/attendance", response={201: MeetingDetailOut}, operation_id="meetings_attend")
def attend(request: HttpRequest, meeting_id: UUID, body: AttendanceIn) -> Any:
    """Mark yourself present, or (chair or secretary) someone else."""
    meeting = _meeting(request, meeting_id)
    actor = acting_user(request)
    user: User | None = actor
    if body.person is not None:
        user = User.objects.filter(uuid=body.person, is_active=True).first()
    if user is None:
        # Permission before the name, as in the action: only the chair learns that no such person exists.
        permissions.require(actor, "manage", meeting)
        raise InvalidInputError("That person does not take part in this council.")
    actions.mark_present(actor=actor, meeting=meeting, user=user, now=timezone.now())
    return Status(201, _detail(request, _meeting(request, meeting_id)))


@router.post(
    "/{meeting_id}/attendance/many", response={201: MeetingDetailOut}, operation_id="meetings_attend_many"
)
def attend_many(request: HttpRequest, meeting_id: UUID, body: AttendanceManyIn) -> Any:
    """(Chair or secretary) mark several people present at once."""
    meeting = _meeting(request, meeting_id)
    actor = acting_user(request)
    wanted = set(body.people)
    users = list(User.objects.filter(uuid__in=wanted, is_active=True).order_by("display_name", "username"))
    if len(users) != len(wanted):
        permissions.require(actor, "manage", meeting)
        raise InvalidInputError("Someone listed does not take part in this council.")
    actions.mark_present_many(actor=actor, meeting=meeting, users=users, now=timezone.now())
    return Status(201, _detail(request, _meeting(request, meeting_id)))


@router.post(
    "/{meeting_id}/items/{item_id}/speakers",
    response={201: SpeakerOut},
    operation_id="meetings_join_speakers",
)
def join_speakers(request: HttpRequest, meeting_id: UUID, item_id: UUID) -> Any:
    """Put yourself on the speakers' list of an item still open.

    Only those marked present may: mark yourself present first (`POST /meetings/{meeting_id}/attendance`),
    or the answer is 409 with the code `not_present`.
    """
    item = _item(request, meeting_id, item_id)
    return Status(201, actions.join_speakers(actor=acting_user(request), item=item, now=timezone.now()))


@router.post(
    "/{meeting_id}/items/{item_id}/floor", response=AgendaItemOut, operation_id="meetings_give_floor"
)
def give_floor(request: HttpRequest, meeting_id: UUID, item_id: UUID) -> Any:
    """Give the floor to the next speaker waiting on the item under discussion."""
    item = _item(request, meeting_id, item_id)
    actions.give_floor(actor=acting_user(request), item=item, now=timezone.now())
    return queries.access_item(viewer=request.user, item_uuid=item_id)


@router.post(
    "/{meeting_id}/speakers/{speaker_id}/withdraw",
    response=SpeakerOut,
    operation_id="meetings_leave_speakers",
)
def leave_speakers(request: HttpRequest, meeting_id: UUID, speaker_id: UUID) -> Any:
    speaker = queries.access_speaker(viewer=request.user, speaker_uuid=speaker_id)
    if speaker.item.meeting.uuid != meeting_id:
        raise NotFoundError("No such place on the list.")
    return actions.leave_speakers(actor=acting_user(request), speaker=speaker, now=timezone.now())


@router.get("/{meeting_id}/minutes", response=MinutesOut, auth=OPTIONAL, operation_id="meetings_minutes")
def minutes(request: HttpRequest, meeting_id: UUID) -> Any:
    """The approved minutes, or a draft generated from the record until they are approved."""
    meeting = _meeting(request, meeting_id)
    document, approved = queries.minutes_for(viewer=request.user, meeting=meeting)
    return {"approved": approved, "minutes_hash": meeting.minutes_hash, "document": document}


@router.post("/{meeting_id}/minutes/approve", response=MinutesOut, operation_id="meetings_approve_minutes")
def approve_minutes(request: HttpRequest, meeting_id: UUID, body: ApproveIn) -> Any:
    meeting = _meeting(request, meeting_id)
    motion = Motion.objects.filter(uuid=body.motion).first() if body.motion else None
    if body.motion and motion is None:
        raise InvalidInputError("Minutes are approved by an adopted motion of this council.")
    meeting = actions.approve_minutes(
        actor=acting_user(request), meeting=meeting, motion=motion, now=timezone.now()
    )
    return {"approved": True, "minutes_hash": meeting.minutes_hash, "document": meeting.minutes}


@router.get(
    "/{meeting_id}/minutes.pdf",
    auth=OPTIONAL,
    operation_id="meetings_minutes_pdf",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def minutes_as_pdf(request: HttpRequest, meeting_id: UUID) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    document, approved = queries.minutes_for(viewer=request.user, meeting=meeting)
    response = HttpResponse(
        minutes_pdf(queries.readable(document), approved=approved, minutes_hash=meeting.minutes_hash),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="minutes-{meeting.uuid}.pdf"'
    return response
