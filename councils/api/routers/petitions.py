from datetime import datetime
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
from councils.federation import queries as federation_queries
from councils.petitions import actions, queries
from councils.petitions.models import AgendaPetition, ForcedAgendaItem

router = Router(tags=["petitions"])


class PetitionIn(Strict):
    council: UUID
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=actions.MAX_TEXT, description="What the item is about.")


class PetitionOut(Schema):
    uuid: UUID
    council: Ref
    title: str
    text: str
    status: str
    started_at: datetime
    expires_at: datetime
    eligible: int
    threshold: int
    signatures: int
    councils_threshold: int | None
    councils: int
    item: UUID | None

    @staticmethod
    def resolve_eligible(obj: AgendaPetition) -> int:
        return obj.eligible_count

    @staticmethod
    def resolve_signatures(obj: AgendaPetition) -> int:
        count = getattr(obj, "signature_count", None)
        return count if count is not None else obj.signatures.count()

    @staticmethod
    def resolve_councils(obj: AgendaPetition) -> int:
        count = getattr(obj, "council_count", None)
        return count if count is not None else queries.count_supporting_councils(petition=obj)

    @staticmethod
    def resolve_item(obj: AgendaPetition) -> Any:
        item = ForcedAgendaItem.objects.filter(petition=obj).only("uuid").first()
        return item.uuid if item else None


class PetitionSignatureIn(Strict):
    pass


class SupportIn(Strict):
    council: UUID


class SupportOut(Schema):
    uuid: UUID
    council: Ref
    motion: UUID | None
    status: str

    @staticmethod
    def resolve_motion(obj: Any) -> Any:
        return obj.motion_uuid


class ItemOut(Schema):
    uuid: UUID
    council: Ref
    petition: UUID | None = Field(description="the petition that forced the item, if members did")
    report: UUID | None = Field(description="the delegate's report back that forced the item, if one did")
    title: str
    text: str
    status: str
    forced_at: datetime
    meeting: UUID | None
    changed_by_motion: UUID | None

    @staticmethod
    def resolve_petition(obj: ForcedAgendaItem) -> Any:
        return obj.petition.uuid if obj.petition else None

    @staticmethod
    def resolve_report(obj: ForcedAgendaItem) -> Any:
        return obj.report.uuid if obj.report else None

    @staticmethod
    def resolve_meeting(obj: ForcedAgendaItem) -> Any:
        return obj.meeting_uuid

    @staticmethod
    def resolve_changed_by_motion(obj: ForcedAgendaItem) -> Any:
        return obj.changed_by_motion_uuid


class ChangeIn(Strict):
    change: Literal["remove", "postpone", "merge"]
    merge_into: UUID | None = Field(
        None, description="for a merge: the agenda item, on the same meeting, the forced item goes with"
    )


class ChangeProposalOut(Schema):
    uuid: UUID
    change: str
    motion: UUID | None

    @staticmethod
    def resolve_motion(obj: Any) -> Any:
        return obj.motion_uuid


@router.post("", response={201: PetitionOut}, operation_id="petitions_start")
def start_petition(request: HttpRequest, payload: PetitionIn) -> Any:
    """Petition for an item on your council's next agenda; you sign first."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=payload.council)
    petition = actions.start_agenda_petition(
        actor=acting_user(request),
        council=council,
        title=payload.title,
        text=payload.text,
        now=timezone.now(),
    )
    return Status(201, queries.access_petition(viewer=request.user, petition_uuid=petition.uuid))


@router.get("/{petition_id}", response=PetitionOut, auth=OPTIONAL, operation_id="petitions_get")
def get_petition(request: HttpRequest, petition_id: UUID) -> Any:
    return queries.access_petition(viewer=request.user, petition_uuid=petition_id)


@router.post("/{petition_id}/signatures", response={201: PetitionOut}, operation_id="petitions_sign")
def sign_petition(request: HttpRequest, petition_id: UUID, payload: PetitionSignatureIn | None = None) -> Any:
    """Sign an agenda petition yourself; the signature that reaches the threshold forces the item."""
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    actions.sign_agenda_petition(actor=acting_user(request), petition=petition, now=timezone.now())
    return Status(201, queries.access_petition(viewer=request.user, petition_uuid=petition_id))


@router.post("/{petition_id}/supports", response={201: SupportOut}, operation_id="petitions_propose_support")
def propose_support(request: HttpRequest, petition_id: UUID, payload: SupportIn) -> Any:
    """Table a motion in your council, below a congress, that it backs this petition."""
    petition = queries.access_petition(viewer=request.user, petition_uuid=petition_id)
    council = federation_queries.access_council(viewer=request.user, council_uuid=payload.council)
    support = actions.propose_council_support(
        actor=acting_user(request), petition=petition, council=council, now=timezone.now()
    )
    return Status(201, support)


@router.get(
    "/councils/{council_id}/petitions",
    response=list[PetitionOut],
    auth=OPTIONAL,
    operation_id="petitions_list",
)
@paginate(PageNumber)
def list_petitions(request: HttpRequest, council_id: UUID) -> Any:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_petitions(council=council)


@router.get(
    "/councils/{council_id}/items", response=list[ItemOut], auth=OPTIONAL, operation_id="petitions_items"
)
@paginate(PageNumber)
def list_items(request: HttpRequest, council_id: UUID) -> Any:
    """Items forced onto the council's agenda, by petition or a report back due, and what became of them."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_items(council=council).select_related("council")


@router.post("/items/{item_id}/change", response=ItemOut, operation_id="petitions_item_change")
def change_item(request: HttpRequest, item_id: UUID, payload: ChangeIn) -> Any:
    """Remove, merge or postpone a forced item directly: refused; only an adopted motion of the body may."""
    item = queries.access_item(viewer=request.user, item_uuid=item_id)
    return actions.change_forced_item(
        actor=acting_user(request), item=item, change=payload.change, now=timezone.now()
    )


@router.post(
    "/items/{item_id}/change-motions",
    response={201: ChangeProposalOut},
    operation_id="petitions_item_propose_change",
)
def propose_change(request: HttpRequest, item_id: UUID, payload: ChangeIn) -> Any:
    """Table a motion to remove, merge or postpone a forced item; its adoption applies the change."""
    item = queries.access_item(viewer=request.user, item_uuid=item_id)
    proposal = actions.propose_item_change(
        actor=acting_user(request),
        item=item,
        change=payload.change,
        merge_into=payload.merge_into,
        now=timezone.now(),
    )
    return Status(201, proposal)
