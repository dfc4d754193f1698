"""Reads of platforms, their documents and slates; the member list only for those allowed."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from councils.core.errors import NotFoundError
from councils.federation import queries as federation_queries
from councils.platforms import permissions
from councils.platforms.models import Platform, PlatformDocument, PlatformMember, Slate


def list_platforms(*, viewer: Any) -> QuerySet[Platform]:
    """Platforms of the viewer's federations, with how many members each has (a count reveals nobody)."""
    return (
        Platform.objects.filter(federation__in=federation_queries.federations_of(user=viewer))
        .select_related("federation")
        .annotate(member_count=Count("members", filter=Q(members__left_at__isnull=True)))
        .order_by("name", "id")
    )


def access_platform(*, viewer: Any, platform_uuid: uuid_lib.UUID | str) -> Platform:
    try:
        platform = Platform.objects.select_related("federation").get(uuid=platform_uuid)
    except (Platform.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such platform.") from None
    if not permissions.can_view_platform(viewer, platform):
        raise NotFoundError("No such platform.")
    return platform


def count_members(*, platform: Platform) -> int:
    return PlatformMember.objects.filter(platform=platform, left_at__isnull=True).count()


def list_members(*, viewer: Any, platform: Platform) -> QuerySet[PlatformMember]:
    """The platform's current members; raises PermissionDeniedError for anyone not entitled to know."""
    permissions.require(viewer, "view_members", platform)
    return (
        PlatformMember.objects.filter(platform=platform, left_at__isnull=True)
        .select_related("user")
        .order_by("user__username")
    )


def list_documents(*, viewer: Any, platform: Platform) -> list[PlatformDocument]:
    """Documents the viewer may read: all for members, those addressed to their councils for others."""
    documents = (
        PlatformDocument.objects.filter(platform=platform)
        .prefetch_related("councils")
        .order_by("-published_at", "-id")
    )
    if permissions.is_platform_member(viewer, platform):
        return list(documents)
    mine = set(federation_queries.list_participant_councils(user=viewer).values_list("id", flat=True))
    return [d for d in documents if mine & {c.id for c in d.councils.all()}]


def access_document(*, viewer: Any, document_uuid: uuid_lib.UUID | str) -> PlatformDocument:
    try:
        document = (
            PlatformDocument.objects.select_related("platform")
            .prefetch_related("councils")
            .get(uuid=document_uuid)
        )
    except (PlatformDocument.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such document.") from None
    if not permissions.can(viewer, "view", document):
        raise NotFoundError("No such document.")
    return document


def list_slates(*, platform: Platform) -> QuerySet[Slate]:
    return Slate.objects.filter(platform=platform).order_by("-published_at", "-id")


def list_slates_for_election(*, viewer: Any, election_uuid: uuid_lib.UUID | str) -> QuerySet[Slate]:
    """Slates run in an election that `viewer` may read, to show beside its candidates.

    A slate is public to whoever may see its platform's page (the members of its federation):
    it names candidates, never who belongs to the platform.
    """
    return (
        Slate.objects.filter(
            election_uuid=election_uuid,
            platform__federation__in=federation_queries.federations_of(user=viewer),
        )
        .select_related("platform")
        .order_by("published_at", "id")
    )
