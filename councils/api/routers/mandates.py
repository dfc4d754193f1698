from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from councils.accounts.queries import acting_user
from councils.api.auth import OPTIONAL
from councils.api.pagination import PageNumber
from councils.api.schemas import Ref, Strict
from councils.core.errors import InvalidInputError, NotFoundError
from councils.core.rules.pay import DECLARED_LIMIT
from councils.federation import queries as federation_queries
from councils.federation.models import Office, Seat
from councils.mandates import actions, queries
from councils.mandates.models import Mandate, MandateVote, Notification, RecallPetition, ReportDue
from councils.motions.models import Motion

router = Router(tags=["mandates"])


class RecallIn(Strict):
    seat: UUID | None = None
    office: UUID | None = None
    reason: str = Field("", max_length=actions.MAX_TEXT)


class RecallOut(Schema):
    uuid: UUID
    council: Ref
    target: Literal["seat", "office"]
    seat: UUID | None
    office: UUID | None
    holder: Ref
    reason: str
    status: str
    started_at: datetime
    expires_at: datetime
    eligible: int
    threshold: int
    signatures: int
    motion: UUID | None
    vote: UUID | None

    @staticmethod
    def resolve_target(obj: RecallPetition) -> str:
        return "seat" if obj.seat_id else "office"

    @staticmethod
    def resolve_seat(obj: RecallPetition) -> Any:
        return obj.seat.uuid if obj.seat is not None else None

    @staticmethod
    def resolve_office(obj: RecallPetition) -> Any:
        return obj.office.uuid if obj.office is not None else None

    @staticmethod
    def resolve_holder(obj: RecallPetition) -> Any:
        return {"uuid": obj.target.uuid, "name": obj.target.name}

    @staticmethod
    def resolve_eligible(obj: RecallPetition) -> int:
        return obj.eligible_count

    @staticmethod
    def resolve_signatures(obj: RecallPetition) -> int:
        count = getattr(obj, "signature_count", None)
        return count if count is not None else obj.signatures.count()

    @staticmethod
    def resolve_motion(obj: RecallPetition) -> Any:
        return obj.motion_uuid

    @staticmethod
    def resolve_vote(obj: RecallPetition) -> Any:
        return obj.vote_uuid


class RecallSignatureIn(Strict):
    pass


class SignatureOut(Schema):
    petition: UUID
    signed_at: datetime
    signatures: int
    threshold: int
    status: str
    vote: UUID | None


class MandateIn(Strict):
    council: UUID
    motion: UUID
    choice: Literal["yes", "no", "abstain"]


class ProposalOut(Schema):
    uuid: UUID
    council: Ref
    target_motion: UUID
    choice: str
    motion: UUID | None
    status: str

    @staticmethod
    def resolve_target_motion(obj: Any) -> Any:
        return obj.target_motion_uuid

    @staticmethod
    def resolve_motion(obj: Any) -> Any:
        return obj.motion_uuid


class MandateOut(Schema):
    uuid: UUID
    council: Ref
    target_council: Ref
    target_motion: UUID
    target_title: str
    choice: str
    adopted_at: datetime
    checked_at: datetime | None = Field(
        description="When the council's delegates' named votes above were compared with the mandate; null "
        "until then, and when the motion was decided without a named vote in which one of them could vote."
    )
    superseded_at: datetime | None

    @staticmethod
    def resolve_target_motion(obj: Mandate) -> Any:
        return obj.target_motion_uuid


class RollCallOut(Schema):
    uuid: UUID
    mandate: UUID
    delegate: Ref
    seat: UUID
    target_council: Ref
    target_motion: UUID
    target_title: str
    instructed: str
    cast: str | None
    complied: bool
    checked_at: datetime

    @staticmethod
    def resolve_mandate(obj: MandateVote) -> Any:
        return obj.mandate.uuid

    @staticmethod
    def resolve_delegate(obj: MandateVote) -> Any:
        return {"uuid": obj.delegate.uuid, "name": obj.delegate.name}

    @staticmethod
    def resolve_seat(obj: MandateVote) -> Any:
        return obj.seat.uuid

    @staticmethod
    def resolve_target_council(obj: MandateVote) -> Any:
        return obj.mandate.target_council

    @staticmethod
    def resolve_target_motion(obj: MandateVote) -> Any:
        return obj.mandate.target_motion_uuid

    @staticmethod
    def resolve_target_title(obj: MandateVote) -> str:
        return obj.mandate.target_title

    @staticmethod
    def resolve_instructed(obj: MandateVote) -> str:
        return obj.mandate.choice

    @staticmethod
    def resolve_cast(obj: MandateVote) -> Any:
        return obj.cast_choice or None


class NotificationOut(Schema):
    uuid: UUID
    council: Ref
    kind: str
    subject: UUID
    message: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_subject(obj: Notification) -> Any:
        return obj.subject_uuid

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class ReadOut(Schema):
    marked: int


class ReportIn(Strict):
    text: str = Field(
        min_length=1, max_length=actions.MAX_TEXT, description="What was decided and how you voted."
    )


class ReportOut(Schema):
    uuid: UUID
    delegate: Ref
    council: Ref
    higher_council: Ref
    meeting: UUID
    due_at: datetime
    submitted_at: datetime | None
    overdue: bool
    report: str

    @staticmethod
    def resolve_delegate(obj: ReportDue) -> Any:
        return {"uuid": obj.delegate.uuid, "name": obj.delegate.name}

    @staticmethod
    def resolve_meeting(obj: ReportDue) -> Any:
        return obj.meeting_uuid

    @staticmethod
    def resolve_overdue(obj: ReportDue) -> bool:
        return queries.is_overdue(report=obj, now=timezone.now())


class PayIn(Strict):
    pay: Decimal = Field(ge=0, le=DECLARED_LIMIT, description="Monthly pay, with at most two decimal places.")
    expenses: Decimal = Field(
        Decimal(0), ge=0, le=DECLARED_LIMIT, description="Monthly expenses, with at most two decimal places."
    )


class RegisterLineOut(Schema):
    council: Ref
    holder: Ref
    role: str
    role_label: str
    since: datetime
    term_ends_at: datetime | None
    terms_served: int
    declared_pay: Decimal | None
    declared_expenses: Decimal | None
    pay_above_cap: bool
    pay_excess: Decimal | None
    currency: str | None = Field(
        description=(
            "ISO 4217 code of the pay, expenses and excess: the currency in force when the office declared "
            "them (the constitution's for a delegate, an office yet to declare, or a declaration that named "
            "none); null where none is stated."
        )
    )
    constitution_currency: str | None = Field(
        description="ISO 4217 code of the constitution in force now, the cap's; null where it states none."
    )
    currency_differs: bool = Field(
        description=(
            "True when the office declared its pay in a currency the constitution no longer uses "
            "(`currency` is not `constitution_currency`): the amounts are shown as declared and not "
            "compared with the cap, so `pay_excess` is null and `pay_above_cap` false until it "
            "declares again."
        )
    )
    office: UUID | None
    seat: UUID | None
    for_council: Ref | None
    reports_open: int
    reports_overdue: int

    @staticmethod
    def resolve_holder(obj: queries.RegisterLine) -> Any:
        return {"uuid": obj.holder.uuid, "name": obj.holder.name}

    @staticmethod
    def resolve_pay_above_cap(obj: queries.RegisterLine) -> bool:
        return obj.pay_excess is not None

    @staticmethod
    def resolve_currency(obj: queries.RegisterLine) -> str | None:
        return obj.currency or None

    @staticmethod
    def resolve_constitution_currency(obj: queries.RegisterLine) -> str | None:
        return obj.constitution_currency or None

    @staticmethod
    def resolve_office(obj: queries.RegisterLine) -> Any:
        return obj.office_uuid

    @staticmethod
    def resolve_seat(obj: queries.RegisterLine) -> Any:
        return obj.seat_uuid

    @staticmethod
    def resolve_for_council(obj: queries.RegisterLine) -> Any:
        return obj.from_council


class SeatEndedOut(Schema):
    seats: list[UUID]
    offices: list[UUID]


def _now() -> datetime:
    return timezone.now()


@router.post("/recalls", response={201: RecallOut}, operation_id="recalls_start")
def start_recall(request: HttpRequest, payload: RecallIn) -> Any:
    """Start a petition to recall your council's delegate (a seat) or officer (an office); you sign first."""
    if (payload.seat is None) == (payload.office is None):
        raise InvalidInputError("Name exactly one of seat or office.")
    seat = queries.access_seat(viewer=request.user, seat_uuid=payload.seat) if payload.seat else None
    office = (
        queries.access_office(viewer=request.user, office_uuid=payload.office) if payload.office else None
    )
    petition = actions.start_recall(
        actor=acting_user(request), seat=seat, office=office, reason=payload.reason, now=_now()
    )
    return Status(201, queries.access_petition(viewer=request.user, petition_uuid=petition.uuid))


@router.get("/recalls/{petition_id}", response=RecallOut, auth=OPTIONAL, operation_id="recalls_get")
def get_recall(request: HttpRequest, petition_id: UUID) -> Any:
    return queries.access_petition(viewer=request.user, petition_uuid=petition_id)


@router.post("/recalls/{petition_id}/signatures", response={201: SignatureOut}, operation_id="recalls_sign")
def sign_recall(request: HttpRequest, petition_id: UUID, payload: RecallSignatureIn | None = None) -> Any:
    """Sign a recall petition yourself; nobody signs for anyone else."""
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    signature = actions.sign_recall(actor=acting_user(request), petition=petition, now=_now())
    petition.refresh_from_db()
    return Status(
        201,
        {
            "petition": petition.uuid,
            "signed_at": signature.signed_at,
            "signatures": queries.count_signatures(petition=petition),
            "threshold": petition.threshold,
            "status": petition.status,
            "vote": petition.vote_uuid,
        },
    )


@router.get(
    "/councils/{council_id}/recalls", response=list[RecallOut], auth=OPTIONAL, operation_id="recalls_list"
)
@paginate(PageNumber)
def list_recalls(request: HttpRequest, council_id: UUID) -> Any:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_petitions(council=council).select_related("council", "seat", "office")


@router.post("/seats/{seat_id}/resign", response=SeatEndedOut, operation_id="seats_resign")
def resign_seat(request: HttpRequest, seat_id: UUID) -> Any:
    """A delegate resigns their own seat. Nobody else, and no higher council, can end it."""
    seat = queries.access_seat(viewer=request.user, seat_uuid=seat_id)
    ended = actions.resign_seat(actor=acting_user(request), seat=seat, now=_now())
    return {
        "seats": [x.uuid for x in ended if isinstance(x, Seat)],
        "offices": [x.uuid for x in ended if isinstance(x, Office)],
    }


@router.post("/proposals", response={201: ProposalOut}, operation_id="mandates_propose")
def propose_mandate(request: HttpRequest, payload: MandateIn) -> Any:
    """Table a motion instructing your council's delegates how to vote on a motion in the council above."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=payload.council)
    target = Motion.objects.select_related("council").filter(uuid=payload.motion).first()
    if target is None or not federation_queries.can_view_council(viewer=request.user, council=target.council):
        raise NotFoundError("No such motion.")
    proposal = actions.propose_mandate(
        actor=acting_user(request), council=council, target_motion=target, choice=payload.choice, now=_now()
    )
    return Status(201, proposal)


@router.get(
    "/councils/{council_id}/mandates", response=list[MandateOut], auth=OPTIONAL, operation_id="mandates_list"
)
@paginate(PageNumber)
def list_mandates(request: HttpRequest, council_id: UUID) -> Any:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_mandates(council=council).select_related("council")


@router.get(
    "/councils/{council_id}/roll-call",
    response=list[RollCallOut],
    auth=OPTIONAL,
    operation_id="mandates_roll_call",
)
@paginate(PageNumber)
def roll_call(
    request: HttpRequest, council_id: UUID, deviations: bool = False, delegate: UUID | None = None
) -> Any:
    """The public compliance table: each instructed vote of the council's delegates and how they voted.

    `?delegate=` narrows it to one delegate's record; `?deviations=true` to votes against the mandate.
    """
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    lines = (
        queries.list_deviations(council=council) if deviations else queries.list_roll_call(council=council)
    )
    return lines.filter(delegate__uuid=delegate) if delegate else lines


@router.get("/notifications", response=list[NotificationOut], operation_id="notifications_list")
@paginate(PageNumber)
def list_notifications(request: HttpRequest) -> Any:
    return queries.list_notifications(user=request.user)


@router.post("/notifications/read", response=ReadOut, operation_id="notifications_read")
def read_notifications(request: HttpRequest) -> Any:
    return {"marked": actions.mark_notifications_read(actor=acting_user(request), now=_now())}


@router.get(
    "/councils/{council_id}/reports", response=list[ReportOut], auth=OPTIONAL, operation_id="reports_list"
)
@paginate(PageNumber)
def list_reports(request: HttpRequest, council_id: UUID) -> Any:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_reports_due(council=council).select_related("council")


@router.post("/reports/{report_id}", response=ReportOut, operation_id="reports_submit")
def submit_report(request: HttpRequest, report_id: UUID, payload: ReportIn) -> Any:
    """Submit your report back to the council you represent; it closes the report due."""
    report = queries.access_report_due(viewer=request.user, report_uuid=report_id)
    return actions.submit_report(actor=acting_user(request), report=report, text=payload.text, now=_now())


@router.post("/offices/{office_id}/pay", response=RegisterLineOut, operation_id="offices_declare_pay")
def declare_pay(request: HttpRequest, office_id: UUID, payload: PayIn) -> Any:
    """Declare the monthly pay and expenses of your office; pay above the cap is flagged to members."""
    office = queries.access_office(viewer=request.user, office_uuid=office_id)
    actions.declare_pay(
        actor=acting_user(request), office=office, pay=payload.pay, expenses=payload.expenses, now=_now()
    )
    lines = queries.list_register(
        federation_id=office.council.federation_id, now=_now(), council_ids=[office.council_id]
    )
    return next(line for line in lines if line.office_uuid == office.uuid)


@router.get(
    "/councils/{council_id}/register",
    response=list[RegisterLineOut],
    auth=OPTIONAL,
    operation_id="register_council",
)
@paginate(PageNumber)
def council_register(request: HttpRequest, council_id: UUID) -> Any:
    """Offices of a council and its delegates (sent and sitting): since when, terms served, pay, flags."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_register(federation_id=council.federation_id, now=_now(), council_ids=[council.id])


@router.get("/register", response=list[RegisterLineOut], auth=OPTIONAL, operation_id="register_list")
@paginate(PageNumber)
def register(
    request: HttpRequest, council: UUID, scope: Literal["council", "below", "federation"] = "federation"
) -> Any:
    """The public register of offices, limited to councils you may see.

    `scope`: the whole federation of `council` (the default), `council` alone, or `below`: `council`
    and every council below it.
    """
    anchor = federation_queries.access_council(viewer=request.user, council_uuid=council)
    return queries.list_register_for(viewer=request.user, anchor=anchor, scope=scope, now=_now())
