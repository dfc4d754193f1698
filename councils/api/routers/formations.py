"""Forming a new base council: members below a council propose it, each founder consents, the council votes.

The proposal is a motion of kind "formation" in the council asked; its ordinary vote
(`/motions/...`) decides, and a carried vote creates the council and moves the founders.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from councils.accounts.queries import acting_user
from councils.api.pagination import PageNumber
from councils.api.schemas import CouncilRef, PersonRef, Strict
from councils.core.errors import NotFoundError
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.membership import actions, queries
from councils.membership.models import Formation

router = Router(tags=["councils"])


class FormationOut(Schema):
    uuid: UUID
    parent: CouncilRef = Field(description="The council asked to form the new council below it.")
    name: str
    type: str
    type_label: str = Field(description='The type as people read it, e.g. "Workplace council".')
    visibility: str
    reason: str
    proposed_by: PersonRef
    proposed_at: datetime
    founders: list[PersonRef] = Field(description="The members who consented, the proposer first.")
    min_founders: int = Field(description="The founding members the constitution requires.")
    status: str
    status_label: str
    motion: UUID | None = Field(description="The motion the council votes on.")
    council: CouncilRef | None = Field(description="The council formed, once the vote carried.")
    decided_at: datetime | None
    refusal: str


class FormationIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    # Any text is taken here so that an unknown one gets the action's own message, naming the choices.
    type: str = Field(
        "workplace",
        description="The council's type: one of the types of a base council of members.",
        json_schema_extra={"enum": list(Council.BASE_KINDS)},
    )
    visibility: str = Field(
        "federation",
        description="Who may see the council.",
        json_schema_extra={"enum": list(Council.Visibility.values)},
    )
    reason: str = Field(min_length=1, max_length=20_000, description="Why the council should be formed.")


def _ref(obj: Any) -> dict[str, Any]:
    return {"uuid": obj.uuid, "name": obj.name}


def formation_out(formation: Formation) -> dict[str, Any]:
    return {
        "uuid": formation.uuid,
        "parent": _ref(formation.parent),
        "name": formation.name,
        "type": formation.kind,
        "type_label": formation.kind_label,
        "visibility": formation.visibility,
        "reason": formation.reason,
        "proposed_by": _ref(formation.proposed_by),
        "proposed_at": formation.proposed_at,
        "founders": [_ref(u) for u in queries.list_founders(formation=formation)],
        "min_founders": queries.min_founders(formation=formation),
        "status": formation.status,
        "status_label": str(formation.get_status_display()),
        "motion": formation.motion_uuid,
        "council": _ref(formation.council) if formation.council else None,
        "decided_at": formation.decided_at,
        "refusal": formation.refusal,
    }


def _formation(request: HttpRequest, council_id: UUID, formation_id: UUID) -> Formation:
    formation = queries.access_formation(viewer=request.user, formation_uuid=formation_id)
    if formation.parent.uuid != council_id:
        raise NotFoundError("No such proposal to form a council.")
    return formation


@router.get("/{council_id}/formations", response=list[FormationOut], operation_id="formations_list")
@paginate(PageNumber)
def list_formations(request: HttpRequest, council_id: UUID) -> list[dict[str, Any]]:
    """The proposals made to this council to form a new base council below it."""
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    return [formation_out(f) for f in queries.list_formations(council=council)]


@router.post("/{council_id}/formations", response={201: FormationOut}, operation_id="formations_create")
def propose(request: HttpRequest, council_id: UUID, body: FormationIn) -> Any:
    """Ask this council to form a new base council below it, as its first founding member.

    Open to full members of the base councils below it who face no charges. Other members consent
    with `POST .../sign`; the council decides by its vote on the motion named, and a carried vote
    creates the council and moves every founder still eligible, if at least the constitution's
    `formation_min_members` remain.
    """
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    formation = actions.propose_formation(
        actor=acting_user(request),
        parent=council,
        name=body.name,
        kind=body.type,
        visibility=body.visibility,
        reason=body.reason,
        now=timezone.now(),
    )
    return Status(201, formation_out(formation))


@router.get("/{council_id}/formations/{formation_id}", response=FormationOut, operation_id="formations_get")
def get_formation(request: HttpRequest, council_id: UUID, formation_id: UUID) -> dict[str, Any]:
    return formation_out(_formation(request, council_id, formation_id))


@router.post(
    "/{council_id}/formations/{formation_id}/sign", response=FormationOut, operation_id="formations_sign"
)
def sign(request: HttpRequest, council_id: UUID, formation_id: UUID) -> dict[str, Any]:
    """Consent, in person, to found the council and move into it if the vote carries.

    Consent closes when the council opens its vote.
    """
    formation = _formation(request, council_id, formation_id)
    actions.sign_formation(actor=acting_user(request), formation=formation, now=timezone.now())
    return formation_out(_formation(request, council_id, formation_id))


@router.post(
    "/{council_id}/formations/{formation_id}/withdraw",
    response=FormationOut,
    operation_id="formations_withdraw",
)
def withdraw(request: HttpRequest, council_id: UUID, formation_id: UUID) -> dict[str, Any]:
    """Take back your consent to found the council, until the council opens its vote.

    The proposer's consent is the proposal: when the proposer withdraws, the whole proposal and its
    motion are withdrawn (status `withdrawn`).
    """
    formation = _formation(request, council_id, formation_id)
    actions.withdraw_formation_consent(actor=acting_user(request), formation=formation, now=timezone.now())
    return formation_out(_formation(request, council_id, formation_id))
