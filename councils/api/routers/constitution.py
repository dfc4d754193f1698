"""The federation's constitution: the version in force, its history, and amendments.

Reads are public when the federation's top council is public, otherwise for
its members. `?federation=` picks the federation; callers who belong to only
one may leave it out.
"""

from dataclasses import fields
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
from councils.api.schemas import Strict
from councils.constitution import actions, queries
from councils.constitution.models import Amendment, ConstitutionVersion
from councils.constitution.plain import LABELS, explain
from councils.constitution.rules import document_changes
from councils.core.rules.constitution import (
    DEFAULTS_NOTE,
    LEAST_EXCLUDED,
    THRESHOLDS,
    Constitution,
    setting_range,
)
from councils.core.rules.currencies import ISO_4217
from councils.federation.models import Federation

router = Router(tags=["constitution"])


class SectionOut(Schema):
    title: str
    rules: list[str]


class VersionOut(Schema):
    federation: UUID
    version: int
    content_hash: str
    adopted_at: datetime
    adopted_by_motion: UUID | None
    document: dict[str, Any]


class ConstitutionOut(Schema):
    """The rules in force. Before any version is adopted, the shipped defaults apply as version 0."""

    federation: UUID
    version: int
    is_default: bool
    note: str
    content_hash: str
    adopted_at: datetime | None
    adopted_by_motion: UUID | None
    document: dict[str, Any]
    plain: list[SectionOut]


class ChangeOut(Schema):
    setting: str
    old: Any
    new: Any


class ConstitutionAmendmentOut(Schema):
    uuid: UUID
    council: UUID
    base_version: int
    status: str
    motion: UUID | None
    proposed_at: datetime
    decided_at: datetime | None
    explanation: str
    refusal: str
    content_hash: str
    changes: list[ChangeOut]


def _number(value: int | Decimal) -> int | float:
    return int(value) if value == int(value) else float(value)


def _setting_schema(name: str, default: Any) -> dict[str, Any]:
    """What a proposal may set `name` to, as JSON Schema: its range, or the values it may take."""
    label = LABELS[name]
    if isinstance(default, str):
        if name == "pay_currency":
            # An empty currency is what versions from before pay had one state: amounts are shown bare.
            allowed, label = ["", *sorted(ISO_4217)], f"{label}, or empty for none"
        else:
            allowed = list(THRESHOLDS)
        return {"type": "string", "enum": allowed, "description": f"{label}."}
    least, most = setting_range(name)
    bounds = {
        "exclusiveMinimum" if name in LEAST_EXCLUDED else "minimum": _number(least),
        "maximum": _number(most),
    }
    if not isinstance(default, Decimal):
        return {"type": "integer", **bounds, "description": f"{label}: a whole number."}
    above = " (excluded)" if name in LEAST_EXCLUDED else ""
    return {
        "anyOf": [{"type": "number", **bounds}, {"type": "string", "pattern": r"^\d+(\.\d+)?$"}],
        "description": f"{label}: a decimal from {least}{above} to {most:,}, as a number or a string "
        f'("{default}").',
    }


def _publish_changes(schema: dict[str, Any]) -> None:
    """Publish each setting a proposal may change, with its limits, so that a client knows them; the action
    checks them (and how settings bound each other), refusing a bad value with a 422 naming the setting."""
    schema["properties"] = {
        field.name: _setting_schema(field.name, getattr(Constitution(), field.name))
        for field in fields(Constitution)
        if field.name != "version"
    }
    schema["additionalProperties"] = False
    schema["description"] = (
        "The settings to change and their new values; the others keep theirs. Some settings bound each "
        "other too: a poll's least length is shorter than its most, for one."
    )


class ConstitutionAmendmentIn(Strict):
    federation: UUID | None = None
    changes: dict[str, Any] = Field(min_length=1, json_schema_extra=_publish_changes)
    explanation: str = Field(default="", max_length=20_000)


class ConstitutionOpenVoteIn(Strict):
    method: Literal["named", "secret"] | None = None
    closes_at: datetime | None = None


class ConstitutionVoteOut(Schema):
    vote: UUID
    motion: UUID
    threshold: str


def resolve_federation(viewer: Any, federation_uuid: UUID | None) -> Federation:
    return queries.federation_for(viewer=viewer, federation_uuid=federation_uuid)


def version_out(version: ConstitutionVersion, federation: Federation) -> dict[str, Any]:
    return {
        "federation": federation.uuid,
        "version": version.version,
        "content_hash": version.content_hash,
        "adopted_at": version.adopted_at,
        "adopted_by_motion": version.adopted_by_motion,
        "document": version.document,
    }


def amendment_out(amendment: Amendment) -> dict[str, Any]:
    base = queries.version_document(federation=amendment.federation, version=amendment.base_version)
    return {
        "uuid": amendment.uuid,
        "council": amendment.council.uuid,
        "base_version": amendment.base_version,
        "status": amendment.status,
        "motion": amendment.motion_uuid,
        "proposed_at": amendment.proposed_at,
        "decided_at": amendment.decided_at,
        "explanation": amendment.explanation,
        "refusal": amendment.refusal,
        "content_hash": amendment.content_hash,
        "changes": [
            {"setting": name, "old": old, "new": new}
            for name, old, new in document_changes(base, amendment.document)
        ],
    }


@router.get("/current", response=ConstitutionOut, auth=OPTIONAL, operation_id="constitution_current")
def current(request: HttpRequest, federation: UUID | None = None) -> dict[str, Any]:
    """The constitution in force, with every rule in plain language; the defaults while none is adopted."""
    fed = resolve_federation(request.user, federation)
    version = queries.current_version(federation=fed)
    rules = queries.constitution_for(federation=fed)
    document = rules.to_document()
    return {
        "federation": fed.uuid,
        "version": rules.version,
        "is_default": rules.is_default,
        "note": DEFAULTS_NOTE if rules.is_default else "",
        "content_hash": queries.hash_in_force(federation=fed),
        "adopted_at": version.adopted_at if version else None,
        "adopted_by_motion": version.adopted_by_motion if version else None,
        "document": document,
        "plain": [{"title": t, "rules": r} for t, r in explain(rules)],
    }


@router.get("/versions", response=list[VersionOut], auth=OPTIONAL, operation_id="constitution_versions")
@paginate(PageNumber)
def versions(request: HttpRequest, federation: UUID | None = None) -> Any:
    """Every version adopted, oldest first."""
    fed = resolve_federation(request.user, federation)
    return [version_out(v, fed) for v in queries.list_versions(federation=fed)]


@router.get("/versions/{number}", response=VersionOut, auth=OPTIONAL, operation_id="constitution_version")
def version(request: HttpRequest, number: int, federation: UUID | None = None) -> dict[str, Any]:
    fed = resolve_federation(request.user, federation)
    return version_out(queries.get_version(federation=fed, version=number), fed)


@router.get(
    "/amendments",
    response=list[ConstitutionAmendmentOut],
    auth=OPTIONAL,
    operation_id="constitution_amendments",
)
@paginate(PageNumber)
def amendments(request: HttpRequest, federation: UUID | None = None) -> Any:
    fed = resolve_federation(request.user, federation)
    return [amendment_out(a) for a in queries.list_amendments(federation=fed)]


@router.post(
    "/amendments", response={201: ConstitutionAmendmentOut}, operation_id="constitution_amendment_propose"
)
def propose(request: HttpRequest, body: ConstitutionAmendmentIn) -> Any:
    """Propose a change: a motion of kind "constitution" in the top council, needing a seconder."""
    fed = resolve_federation(request.user, body.federation)
    amendment = actions.propose_constitution_amendment(
        actor=acting_user(request),
        federation=fed,
        changes=body.changes,
        explanation=body.explanation,
        now=timezone.now(),
    )
    return Status(201, amendment_out(amendment))


@router.get(
    "/amendments/{amendment_id}",
    response=ConstitutionAmendmentOut,
    auth=OPTIONAL,
    operation_id="constitution_amendment",
)
def amendment(request: HttpRequest, amendment_id: UUID) -> dict[str, Any]:
    return amendment_out(queries.access_amendment(viewer=request.user, amendment_uuid=amendment_id))


@router.post(
    "/amendments/{amendment_id}/open-vote",
    response={201: ConstitutionVoteOut},
    operation_id="constitution_amendment_open_vote",
)
def open_vote(request: HttpRequest, amendment_id: UUID, body: ConstitutionOpenVoteIn) -> Any:
    """Open the top council's vote at the majority the constitution in force requires for amendments."""
    found = queries.access_amendment(viewer=request.user, amendment_uuid=amendment_id)
    vote = actions.open_amendment_vote(
        actor=acting_user(request),
        amendment=found,
        now=timezone.now(),
        method=body.method,
        closes_at=body.closes_at,
    )
    return Status(201, {"vote": vote.uuid, "motion": found.motion_uuid, "threshold": vote.threshold})
