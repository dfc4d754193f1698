from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from councils.accounts import actions, queries
from councils.accounts.queries import acting_user
from councils.api.pagination import PageNumber
from councils.api.schemas import Strict
from councils.federation import permissions
from councils.federation import queries as federation_queries

router = Router(tags=["invitations"])


class InvitationIn(Strict):
    council: UUID = Field(description="The base council the person is invited to.")
    email: str = Field(min_length=3, max_length=254)


class InvitationOut(Schema):
    uuid: UUID
    council: UUID
    email: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_council(obj: Any) -> UUID:
        return obj.council_uuid  # type: ignore[no-any-return]


@router.post("", response={201: InvitationOut}, operation_id="invitations_create")
def create_invitation(request: HttpRequest, body: InvitationIn) -> Status[Any]:
    """Invite a person by e-mail to a base council (its chair or secretary only); the link goes by e-mail."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=body.council)
    invitation = actions.invite_member(
        actor=acting_user(request),
        council=council,
        email=body.email,
        base_url=request.build_absolute_uri("/"),
        now=timezone.now(),
    )
    return Status(201, invitation)


@router.get("", response=list[InvitationOut], operation_id="invitations_list")
@paginate(PageNumber)
def list_invitations(request: HttpRequest, council: UUID) -> Any:
    """Invitations a council has sent, newest first (its chair or secretary only)."""
    found = federation_queries.access_council(viewer=request.user, council_uuid=council)
    permissions.require(request.user, "invite", found)
    return queries.list_invitations(council=found)


@router.delete("/{invitation_id}", response={204: None}, operation_id="invitations_revoke")
def revoke_invitation(request: HttpRequest, invitation_id: UUID) -> Status[None]:
    """Withdraw an unused invitation so that its link stops working (the council's chair or secretary)."""
    actions.revoke_invitation(
        actor=acting_user(request), invitation_uuid=str(invitation_id), now=timezone.now()
    )
    return Status(204, None)
