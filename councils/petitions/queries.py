"""Reads of agenda petitions and the items they forced onto agendas."""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from councils.core.errors import NotFoundError
from councils.federation import queries as federation_queries
from councils.federation.models import Council
from councils.petitions.models import AgendaPetition, ForcedAgendaItem
from councils.record import queries as record_queries

# The entries of what became of an agenda petition: started, backed by councils, its item forced or the
# window passed. Signatures are left out: each names its signer, and the page counts them.
PETITION_EVENTS = (
    "agenda.petition_started",
    "agenda.petition_backed",
    "agenda.item_forced",
    "agenda.petition_expired",
)


def access_petition(*, viewer: Any, petition_uuid: uuid_lib.UUID | str) -> AgendaPetition:
    try:
        petition = AgendaPetition.objects.select_related("council", "council__federation").get(
            uuid=petition_uuid
        )
    except (AgendaPetition.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such petition.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=petition.council):
        raise NotFoundError("No such petition.")
    return petition


def list_petitions(*, council: Council) -> QuerySet[AgendaPetition]:
    return (
        AgendaPetition.objects.filter(council=council)
        .select_related("council")
        .annotate(
            signature_count=Count("signatures", distinct=True),
            council_count=Count(
                "council_supports", filter=Q(council_supports__status="adopted"), distinct=True
            ),
        )
        .order_by("-started_at", "id")
    )


def count_supporting_councils(*, petition: AgendaPetition) -> int:
    return petition.council_supports.filter(status="adopted").count()


def list_petition_entries(*, petition: AgendaPetition) -> list[record_queries.Recorded]:
    """The record entries of the petition's start, backing and end, oldest first."""
    return record_queries.list_recorded(
        council_id=petition.council_id, events=PETITION_EVENTS, key="petition", subject=petition.uuid
    )


def has_signed(*, petition: AgendaPetition, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return petition.signatures.filter(user=user).exists()


def access_item(*, viewer: Any, item_uuid: uuid_lib.UUID | str) -> ForcedAgendaItem:
    try:
        item = ForcedAgendaItem.objects.select_related("council", "petition", "report").get(uuid=item_uuid)
    except (ForcedAgendaItem.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError("No such agenda item.") from None
    if not federation_queries.can_view_council(viewer=viewer, council=item.council):
        raise NotFoundError("No such agenda item.")
    return item


def list_pending_items(*, council: Council) -> QuerySet[ForcedAgendaItem]:
    """Items the next meeting of `council` must put on its agenda."""
    return ForcedAgendaItem.objects.filter(
        council=council, status__in=[ForcedAgendaItem.Status.PENDING, ForcedAgendaItem.Status.POSTPONED]
    ).select_related("petition", "report")


def list_items(*, council: Council) -> QuerySet[ForcedAgendaItem]:
    return (
        ForcedAgendaItem.objects.filter(council=council)
        .select_related("petition", "report__delegate")
        .order_by("-forced_at", "id")
    )


def list_merge_targets(item: ForcedAgendaItem) -> list[Any]:
    """The other items on the agenda a placed forced item is on: what a merge may name."""
    from councils.meetings.models import AgendaItem

    if item.status != ForcedAgendaItem.Status.PLACED or item.meeting_uuid is None:
        return []
    return list(
        AgendaItem.objects.filter(meeting__uuid=str(item.meeting_uuid))
        .exclude(forced_item_uuid=item.uuid)
        .exclude(status=AgendaItem.Status.WITHDRAWN)
        .select_related("report__delegate")
        .order_by("position")
    )
