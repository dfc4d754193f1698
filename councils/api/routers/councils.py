from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from councils.api.auth import OPTIONAL
from councils.api.pagination import PageNumber
from councils.api.schemas import CouncilRef
from councils.core.errors import PermissionDeniedError
from councils.federation import queries
from councils.federation.models import Council, Membership, Office, Seat

router = Router(tags=["councils"])


class CouncilOut(Schema):
    uuid: UUID
    name: str
    type: str
    type_label: str
    is_base: bool
    parent: CouncilRef | None
    visibility: str
    members_per_delegate: int

    @staticmethod
    def resolve_type(obj: Council) -> str:
        return obj.kind

    @staticmethod
    def resolve_type_label(obj: Council) -> str:
        return str(obj.get_kind_display())


class PersonOut(Schema):
    uuid: UUID
    username: str
    name: str


class CouncilMemberOut(Schema):
    uuid: UUID
    person: PersonOut
    status: str
    joined_at: datetime

    @staticmethod
    def resolve_person(obj: Membership) -> Any:
        return obj.user


class SeatOut(Schema):
    uuid: UUID
    person: PersonOut
    council: CouncilRef
    from_council: CouncilRef
    election: UUID | None = Field(None, description="The election that filled the seat: its credentials.")
    started_at: datetime
    term_ends_at: datetime | None

    @staticmethod
    def resolve_person(obj: Seat) -> Any:
        return obj.user

    @staticmethod
    def resolve_election(obj: Seat) -> UUID | None:
        return obj.election_uuid


class OfficeOut(Schema):
    uuid: UUID
    role: str
    person: PersonOut
    started_at: datetime
    term_ends_at: datetime | None

    @staticmethod
    def resolve_person(obj: Office) -> Any:
        return obj.user


@router.get("", response=list[CouncilOut], auth=OPTIONAL, operation_id="councils_list")
@paginate(PageNumber)
def list_councils(request: HttpRequest) -> Any:
    """Every council the caller may see: their federation's councils and any public ones."""
    return queries.list_visible_councils(viewer=request.user).order_by("name", "id")


@router.get("/{council_id}", response=CouncilOut, auth=OPTIONAL, operation_id="councils_get")
def get_council(request: HttpRequest, council_id: UUID) -> Council:
    return queries.access_council(viewer=request.user, council_uuid=council_id)


@router.get(
    "/{council_id}/children", response=list[CouncilOut], auth=OPTIONAL, operation_id="councils_children"
)
@paginate(PageNumber)
def list_children(request: HttpRequest, council_id: UUID) -> Any:
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_visible_councils(viewer=request.user).filter(parent=council).order_by("name")


@router.get("/{council_id}/members", response=list[CouncilMemberOut], operation_id="councils_members")
@paginate(PageNumber)
def list_members(request: HttpRequest, council_id: UUID) -> Any:
    """Members of a base council; visible only to those who take part in it (member data is private)."""
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    if not queries.is_participant(user=request.user, council=council):
        raise PermissionDeniedError("Only the council's own members, delegates and officers see its members.")
    return queries.list_members(council=council)


@router.get(
    "/{council_id}/delegates", response=list[SeatOut], auth=OPTIONAL, operation_id="councils_delegates"
)
@paginate(PageNumber)
def list_delegates(request: HttpRequest, council_id: UUID) -> Any:
    """Delegates sitting in this council (its voters); public wherever the council is visible."""
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_seats(council=council)


@router.get(
    "/{council_id}/delegates-sent",
    response=list[SeatOut],
    auth=OPTIONAL,
    operation_id="councils_delegates_sent",
)
@paginate(PageNumber)
def list_delegates_sent(request: HttpRequest, council_id: UUID) -> Any:
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_delegates_sent(council=council)


@router.get("/{council_id}/offices", response=list[OfficeOut], auth=OPTIONAL, operation_id="councils_offices")
@paginate(PageNumber)
def list_offices(request: HttpRequest, council_id: UUID) -> Any:
    council = queries.access_council(viewer=request.user, council_uuid=council_id)
    return queries.list_offices(council=council)
