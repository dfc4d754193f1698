"""Platforms: form, join and leave, publish documents to the bodies concerned, run slates.

Who belongs to a platform is shown only to its own members and to credentials
officers; everyone else in the federation sees the platform, its statement,
its slates, how many members it has, and the documents addressed to their councils.
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
from councils.api.routers.constitution import resolve_federation
from councils.api.schemas import Ref, Strict
from councils.core.errors import InvalidInputError
from councils.federation import queries as federation_queries
from councils.platforms import actions, permissions, queries
from councils.platforms.models import Platform, PlatformDocument, Slate

router = Router(tags=["platforms"])


class PlatformOut(Schema):
    uuid: UUID
    federation: UUID
    name: str
    statement: str
    created_at: datetime
    member_count: int
    is_member: bool


class PlatformIn(Strict):
    federation: UUID | None = None
    name: str = Field(min_length=1, max_length=200)
    statement: str = Field(min_length=1, max_length=50_000)


class PlatformMemberOut(Schema):
    person: Ref
    joined_at: datetime


class DocumentOut(Schema):
    uuid: UUID
    platform: UUID
    title: str
    body: str
    councils: list[Ref]
    published_at: datetime


class DocumentIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=50_000)
    councils: list[UUID] = Field(min_length=1, max_length=500)


class SlateOut(Schema):
    uuid: UUID
    platform: UUID
    election: UUID
    title: str
    candidates: list[UUID]
    published_at: datetime


class SlateIn(Strict):
    election: UUID
    title: str = Field(min_length=1, max_length=200)
    candidates: list[UUID] = Field(min_length=1, max_length=200)


def platform_out(platform: Platform, viewer: Any) -> dict[str, Any]:
    count = getattr(platform, "member_count", None)
    return {
        "uuid": platform.uuid,
        "federation": platform.federation.uuid,
        "name": platform.name,
        "statement": platform.statement,
        "created_at": platform.created_at,
        "member_count": count if count is not None else queries.count_members(platform=platform),
        "is_member": permissions.is_platform_member(viewer, platform),
    }


def document_out(document: PlatformDocument) -> dict[str, Any]:
    return {
        "uuid": document.uuid,
        "platform": document.platform.uuid,
        "title": document.title,
        "body": document.body,
        "councils": [{"uuid": c.uuid, "name": c.name} for c in document.councils.all()],
        "published_at": document.published_at,
    }


def slate_out(slate: Slate) -> dict[str, Any]:
    return {
        "uuid": slate.uuid,
        "platform": slate.platform.uuid,
        "election": slate.election_uuid,
        "title": slate.title,
        "candidates": slate.candidates,
        "published_at": slate.published_at,
    }


@router.get("", response=list[PlatformOut], operation_id="platforms_list")
@paginate(PageNumber)
def list_platforms(request: HttpRequest) -> Any:
    return [platform_out(p, request.user) for p in queries.list_platforms(viewer=request.user)]


@router.post("", response={201: PlatformOut}, operation_id="platforms_create")
def found(request: HttpRequest, body: PlatformIn) -> Any:
    """Form a platform; you become its first member (this is not written in the public record)."""
    federation = resolve_federation(request.user, body.federation)
    platform = actions.found_platform(
        actor=acting_user(request),
        federation=federation,
        name=body.name,
        statement=body.statement,
        now=timezone.now(),
    )
    return Status(201, platform_out(platform, request.user))


@router.get("/documents/{document_id}", response=DocumentOut, operation_id="platforms_document")
def get_document(request: HttpRequest, document_id: UUID) -> dict[str, Any]:
    """One document, for the platform's members and the members of the councils it was sent to.

    An alert of kind `platform_document` names the document as its subject.
    """
    return document_out(queries.access_document(viewer=request.user, document_uuid=document_id))


@router.get("/{platform_id}", response=PlatformOut, operation_id="platforms_get")
def get_platform(request: HttpRequest, platform_id: UUID) -> dict[str, Any]:
    return platform_out(queries.access_platform(viewer=request.user, platform_uuid=platform_id), request.user)


@router.get("/{platform_id}/members", response=list[PlatformMemberOut], operation_id="platforms_members")
@paginate(PageNumber)
def members(request: HttpRequest, platform_id: UUID) -> Any:
    """The platform's members: only for its own members and credentials officers (403 for anyone else)."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    return [
        {"person": {"uuid": m.user.uuid, "name": m.user.name}, "joined_at": m.joined_at}
        for m in queries.list_members(viewer=request.user, platform=platform)
    ]


@router.post("/{platform_id}/join", response=PlatformOut, operation_id="platforms_join")
def join(request: HttpRequest, platform_id: UUID) -> dict[str, Any]:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    actions.join_platform(actor=acting_user(request), platform=platform, now=timezone.now())
    return platform_out(platform, request.user)


@router.post("/{platform_id}/leave", response=PlatformOut, operation_id="platforms_leave")
def leave(request: HttpRequest, platform_id: UUID) -> dict[str, Any]:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    actions.leave_platform(actor=acting_user(request), platform=platform, now=timezone.now())
    return platform_out(platform, request.user)


@router.get("/{platform_id}/documents", response=list[DocumentOut], operation_id="platforms_documents")
@paginate(PageNumber)
def documents(request: HttpRequest, platform_id: UUID) -> Any:
    """Documents you may read: all for members, those addressed to your councils for everyone else."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    return [document_out(d) for d in queries.list_documents(viewer=request.user, platform=platform)]


@router.post("/{platform_id}/documents", response={201: DocumentOut}, operation_id="platforms_publish")
def publish(request: HttpRequest, platform_id: UUID, body: DocumentIn) -> Any:
    """Publish a document through the platform to the members of the councils named; they are alerted."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    councils = list(
        federation_queries.list_visible_councils(viewer=request.user).filter(uuid__in=body.councils)
    )
    if len(councils) != len(set(body.councils)):
        raise InvalidInputError("One of the councils named does not exist or is not visible to you.")
    document = actions.publish_document(
        actor=acting_user(request),
        platform=platform,
        title=body.title,
        body=body.body,
        councils=councils,
        now=timezone.now(),
    )
    return Status(201, document_out(document))


@router.get("/{platform_id}/slates", response=list[SlateOut], operation_id="platforms_slates")
@paginate(PageNumber)
def slates(request: HttpRequest, platform_id: UUID) -> Any:
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    return [slate_out(s) for s in queries.list_slates(platform=platform).select_related("platform")]


@router.post("/{platform_id}/slates", response={201: SlateOut}, operation_id="platforms_run_slate")
def run_slate(request: HttpRequest, platform_id: UUID, body: SlateIn) -> Any:
    """Publish the platform's slate of candidates for an election, in order."""
    platform = queries.access_platform(viewer=request.user, platform_uuid=platform_id)
    slate = actions.run_slate(
        actor=acting_user(request),
        platform=platform,
        election_uuid=body.election,
        title=body.title,
        candidates=[str(c) for c in body.candidates],
        now=timezone.now(),
    )
    return Status(201, slate_out(slate))
